import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, getJobState, type HttpEvent, NetworkError } from '../src/index.js';

// An https:// endpoint that speaks plain HTTP (the emulator, over real TCP): a message that says what
// is likely wrong instead of OpenSSL's text, and one attempt, not one per retry.
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 1 });
});
afterAll(() => emulator.close());

it('an https:// endpoint answered in plain HTTP fails once, saying so', async () => {
  const events: HttpEvent[] = [];
  const client = createClient({
    endpoint: emulator.url.replace('http://', 'https://'),
    projectId: emulator.credentials.projectId,
    credentials: { accessKey: emulator.credentials.accessKey, secretKey: emulator.credentials.secretKey },
    http: { onEvent: (e) => events.push(e), baseDelayMs: 1 },
    env: {},
  });
  try {
    const error = await getJobState(client, { kind: 'dli-flink', jobId: 10001 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).retryable).toBe(false);
    expect((error as Error).message).toMatch(
      /did not answer in TLS: is it a plain HTTP server\? An https:\/\/ endpoint needs an HTTPS server/,
    );
    expect((error as Error).message).not.toMatch(/ssl3_get_record|routines:/);
    expect(events.filter((e) => e.type === 'network-error')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(0);
  } finally {
    await client.close();
  }
});
