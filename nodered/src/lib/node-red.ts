/**
 * The part of Node-RED's runtime API these nodes use, typed here rather than
 * through @types/node-red, which would pull express and its types into the
 * package for a dozen members.
 */

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type SendFunction = (msg: NodeMessage | (NodeMessage | null)[] | null) => void;
export type DoneFunction = (error?: Error) => void;

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface Node<Credentials = Record<string, never>> {
  id: string;
  type: string;
  name?: string;
  credentials: Partial<Credentials>;
  on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | (NodeMessage | null)[] | null): void;
  status(status: NodeStatus | Record<string, never>): void;
  log(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
  error(error: string | Error, msg?: NodeMessage): void;
}

export type TypedInputType = 'msg' | 'flow' | 'global' | 'env' | 'str' | 'jsonata' | 'num';

interface Request {
  params: Record<string, string>;
}
interface Response {
  json(body: unknown): void;
}
type Handler = (req: Request, res: Response, next: () => void) => void;

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(
      type: string,
      nodeConstructor: (this: never, def: never) => void,
      options?: { credentials?: Record<string, { type: 'text' | 'password' }> },
    ): void;
    getNode(id: string): unknown;
  };
  util: {
    evaluateNodeProperty(
      value: string,
      type: string,
      node: Node<unknown>,
      msg: NodeMessage,
      callback: (error: Error | null | undefined, result: unknown) => void,
    ): void;
    cloneMessage<T extends NodeMessage>(msg: T): T;
  };
  httpAdmin: { get(path: string, ...handlers: Handler[]): void };
  /** Node-RED's log; through withOutputGuard, every message is redacted. */
  log?: Record<'info' | 'warn' | 'error' | 'debug' | 'trace', (message: unknown) => void>;
  auth: { needsPermission(permission: string): Handler };
}
