import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer } from '../src/bounded.js';
import type { Emulator, EmulatorOptions, RequestLogEntry } from '../src/index.js';
import { MAX_TRACKED_KEYS, startEmulator } from '../src/index.js';
import { AK, admin, FLINK_RUNNING, paths, SK, signedFetch } from './helpers.js';

const started: Emulator[] = [];
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator({ timeScale: 1, ...options });
  started.push(emulator);
  return emulator;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

const detail = paths.flinkDetail(FLINK_RUNNING);
const wrongKey = { accessKey: AK, secretKey: `${SK}-wrong` };

/** A request that claims `accessKey` with a signature that cannot match. */
async function claim(emulator: Emulator, accessKey: string): Promise<{ status: number; message: string }> {
  const response = await fetch(`${emulator.url}${detail}`, {
    headers: {
      'X-Sdk-Date': '20260101T000000Z',
      Authorization: `SDK-HMAC-SHA256 Access=${accessKey}, SignedHeaders=host;x-sdk-date, Signature=${'0'.repeat(64)}`,
    },
  });
  const body = (await response.json()) as { error_msg: string };
  return { status: response.status, message: body.error_msg };
}

async function tracked(emulator: Emulator): Promise<{ failing: number; locked: number; limit: number }> {
  return (await admin(emulator, 'GET', 'health')).body.accessKeys;
}

describe('the request log', () => {
  it('keeps the last requestLogSize entries, drops the oldest first and says how many it dropped', async () => {
    const emulator = await start({ requestLogSize: 4 });
    for (let id = 1; id <= 10; id++) {
      await fetch(`${emulator.url}${paths.flinkDetail(id)}`);
      expect(emulator.admin.requests().length).toBeLessThanOrEqual(4);
    }
    const { status, body } = await admin(emulator, 'GET', 'requests');
    expect(status).toBe(200);
    expect(body.capacity).toBe(4);
    expect(body.dropped).toBe(6);
    expect(body.requests.map((r: RequestLogEntry) => r.path)).toEqual(
      [7, 8, 9, 10].map((id) => paths.flinkDetail(id)),
    );
    expect(body.requests.map((r: RequestLogEntry) => r.seq)).toEqual([7, 8, 9, 10]);
    expect(emulator.admin.requestLog()).toEqual(body);
    expect((await admin(emulator, 'GET', 'health')).body.requestLog).toEqual({
      entries: 4,
      dropped: 6,
      capacity: 4,
    });

    // Clearing empties the log and its dropped count; it fills again in order.
    await admin(emulator, 'DELETE', 'requests');
    await fetch(`${emulator.url}${paths.flinkDetail(11)}`);
    const after = (await admin(emulator, 'GET', 'requests')).body;
    expect(after.dropped).toBe(0);
    expect(after.requests.map((r: RequestLogEntry) => r.path)).toEqual([paths.flinkDetail(11)]);
  });

  it('keeps 10,000 entries by default, and none with size 0 while onRequest still sees each', async () => {
    expect((await start()).admin.requestLog().capacity).toBe(10_000);
    const seen: number[] = [];
    const emulator = await start({ requestLogSize: 0, onRequest: (e) => seen.push(e.seq) });
    for (let i = 0; i < 3; i++) await signedFetch(emulator, detail);
    expect(emulator.admin.requestLog()).toEqual({ requests: [], dropped: 3, capacity: 0 });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses a size that is not a non-negative integer', async () => {
    await expect(start({ requestLogSize: -1 })).rejects.toThrow(RangeError);
    await expect(start({ requestLogSize: 1.5 })).rejects.toThrow(RangeError);
  });

  it('the ring wraps in order at any fill', () => {
    const ring = new RingBuffer<number>(3);
    const kept: number[][] = [];
    for (let i = 1; i <= 7; i++) {
      ring.push(i);
      kept.push(ring.toArray());
    }
    expect(kept).toEqual([[1], [1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7]]);
    expect(ring.dropped).toBe(4);
  });
});

describe('authentication failures and lockouts', () => {
  it('remember at most maxTrackedKeys made-up access keys, however many are tried', async () => {
    const emulator = await start({ maxTrackedKeys: 8 });
    expect(await tracked(emulator)).toEqual({ failing: 0, locked: 0, limit: 8 });
    for (let i = 0; i < 40; i++) {
      expect((await claim(emulator, `MADEUPKEY${i}`)).status).toBe(401);
    }
    expect(await tracked(emulator)).toEqual({ failing: 8, locked: 0, limit: 8 });
    // Locks are bounded too: ten made-up keys locked in turn leave the last eight.
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < 6; i++) await claim(emulator, `LOCKKEY${k}`);
    }
    expect((await tracked(emulator)).locked).toBe(8);
    expect((await tracked(emulator)).failing).toBeLessThanOrEqual(8);
    expect((await claim(emulator, 'LOCKKEY9')).message).toMatch(/locked/);
    expect((await claim(emulator, 'LOCKKEY0')).message).not.toMatch(/locked/);
  });

  it('default to 10,000', async () => {
    expect(MAX_TRACKED_KEYS).toBe(10_000);
    expect((await tracked(await start())).limit).toBe(10_000);
  });

  it('an evicted made-up key counts afresh', async () => {
    const emulator = await start({ maxTrackedKeys: 4 });
    for (let i = 0; i < 5; i++) await claim(emulator, 'GHOSTKEY');
    for (let i = 0; i < 4; i++) await claim(emulator, `OTHERKEY${i}`);
    // Without the eviction this sixth consecutive failure would lock GHOSTKEY.
    expect((await claim(emulator, 'GHOSTKEY')).message).not.toMatch(/locked/);
  });

  it("a flood of made-up keys cannot lift a scenario key's failure count or lock", async () => {
    const emulator = await start({ maxTrackedKeys: 4 });
    for (let i = 0; i < 5; i++) {
      expect((await signedFetch(emulator, detail, { credentials: wrongKey })).status).toBe(401);
    }
    for (let i = 0; i < 20; i++) await claim(emulator, `FLOODKEY${i}`);
    // The sixth consecutive failure still locks the real key ...
    const sixth = await signedFetch(emulator, detail, { credentials: wrongKey });
    expect(((await sixth.json()) as { error_msg: string }).error_msg).toMatch(/locked/);
    // ... and another flood does not unlock it.
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 6; j++) await claim(emulator, `FLOODLOCK${i}`);
    }
    const locked = await signedFetch(emulator, detail);
    expect(locked.status).toBe(401);
    expect(((await locked.json()) as { error_msg: string }).error_msg).toMatch(/locked/);
  });

  it('an access key longer than 128 characters is a malformed header, never remembered', async () => {
    const emulator = await start();
    for (let i = 0; i < 3; i++) expect((await claim(emulator, `${'K'.repeat(200)}${i}`)).status).toBe(401);
    expect(await tracked(emulator)).toMatchObject({ failing: 0, locked: 0 });
    expect(emulator.admin.requests().map((r) => r.reason)).toEqual(Array(3).fill('malformed Authorization'));
    await claim(emulator, 'K'.repeat(128));
    expect((await tracked(emulator)).failing).toBe(1);
  });
});
