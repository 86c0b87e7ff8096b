export interface StepResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ActionRun extends StepResult {
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  envFile: string;
  post: StepResult | undefined;
}

export interface RunOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  signal?: { name: 'SIGINT' | 'SIGTERM' | 'SIGKILL'; when: (stdout: string) => boolean };
}

export function node24Path(): string;
export function readManifest(): {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post?: string };
};
export function parseFileCommands(text: string): Record<string, string>;
export function runAction(inputs: Record<string, string>, options?: RunOptions): Promise<ActionRun>;
