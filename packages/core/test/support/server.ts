import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientOptions, createClient, type JobGateClient } from '../../src/index.js';

export interface RecordedRequest {
  method: string;
  /** The raw request target, as it arrived on the wire. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  /** Replace the handler mid-test. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export const TEST_PROJECT = '0123456789abcdef0123456789abcdef';
export const TEST_CREDENTIALS = {
  accessKey: 'TESTACCESSKEYID00001',
  secretKey: 'test-secret-key-that-must-never-leak-0001',
};

/** A real HTTP server on 127.0.0.1 for tests that need exact control over answers. */
export async function startTestServer(handler: Handler): Promise<TestServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(recorded);
    try {
      await current(recorded, res);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A client pointed at a test server, with fast retries. */
export function testClient(url: string, options: Partial<ClientOptions> = {}): JobGateClient {
  return createClient({
    projectId: TEST_PROJECT,
    credentials: TEST_CREDENTIALS,
    endpoint: url,
    env: {},
    ...options,
    http: { baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 2_000, ...options.http },
  });
}
