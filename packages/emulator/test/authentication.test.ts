import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { signRequest } from '@jobgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodeMsgBody } from '../../core/src/error-schemas.js';
import type { Emulator } from '../src/index.js';
import { startEmulator } from '../src/index.js';
import {
  AK,
  type Body,
  FLINK_RUNNING,
  getJson,
  MINUTE,
  PROJECT,
  paths,
  SK,
  STS,
  signedFetch,
  TOKEN,
} from './helpers.js';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ timeScale: 1 });
});
afterEach(async () => {
  await emulator.close();
});

const detail = paths.flinkDetail(FLINK_RUNNING);
const wrongKey = { accessKey: AK, secretKey: `${SK}-wrong` };

async function expectGatewayError(response: Response, status: number, code: string): Promise<string> {
  const body = await response.json();
  expect(response.status).toBe(status);
  const parsed = ErrorCodeMsgBody.parse(body);
  expect(parsed.error_code).toBe(code);
  expect(parsed.request_id).toBe(response.headers.get('x-request-id'));
  return parsed.error_msg;
}

describe('AK/SK signatures', () => {
  it('accepts a request signed by the client library', async () => {
    expect((await signedFetch(emulator, detail)).status).toBe(200);
    const [entry] = emulator.admin.requests();
    expect(entry).toMatchObject({ status: 200, auth: 'aksk', accessKey: AK, route: 'dli.flink.detail' });
  });

  it('answers 401 APIG.0301 to a wrong secret key, an unknown AK and a garbled or missing Authorization', async () => {
    await expectGatewayError(
      await signedFetch(emulator, detail, { credentials: wrongKey }),
      401,
      'APIG.0301',
    );
    await expectGatewayError(
      await signedFetch(emulator, detail, { credentials: { accessKey: 'NOSUCHKEY', secretKey: SK } }),
      401,
      'APIG.0301',
    );
    await expectGatewayError(await fetch(`${emulator.url}${detail}`), 401, 'APIG.0301');
    await expectGatewayError(
      await fetch(`${emulator.url}${detail}`, { headers: { Authorization: 'SDK-HMAC-SHA256 nonsense' } }),
      401,
      'APIG.0301',
    );
  });

  it('rejects a request changed after signing (query, path or a signed header)', async () => {
    const url = `${emulator.url}${paths.flinkList('limit=5')}`;
    const headers = signRequest(
      { method: 'GET', url, headers: { workspace: 'w1' } },
      { accessKey: AK, secretKey: SK },
    );
    expect((await fetch(url, { headers })).status).toBe(200);
    await expectGatewayError(await fetch(url.replace('limit=5', 'limit=6'), { headers }), 401, 'APIG.0301');
    await expectGatewayError(await fetch(`${url}&order=asc`, { headers }), 401, 'APIG.0301');
    await expectGatewayError(
      await fetch(url, { headers: { ...headers, workspace: 'w2' } }),
      401,
      'APIG.0301',
    );
  });

  it('answers APIGW.0303 to an X-Sdk-Date more than 15 minutes off, or malformed', async () => {
    const skewed = new Date(Date.now() - 16 * MINUTE);
    const message = await expectGatewayError(
      await signedFetch(emulator, detail, { date: skewed }),
      401,
      'APIGW.0303',
    );
    expect(message).toMatch(/15 minutes/);
    await expectGatewayError(
      await signedFetch(emulator, detail, { date: new Date(Date.now() + 16 * MINUTE) }),
      401,
      'APIGW.0303',
    );
    // 14 minutes off is within the window.
    expect((await signedFetch(emulator, detail, { date: new Date(Date.now() - 14 * MINUTE) })).status).toBe(
      200,
    );
    await expectGatewayError(
      await signedFetch(emulator, detail, { headers: { 'X-Sdk-Date': '2024-01-01T00:00:00Z' } }),
      401,
      'APIGW.0303',
    );
  });

  it('uses the wall clock for skew, not the scaled job clock', async () => {
    emulator.admin.advanceClock(60 * MINUTE);
    expect((await signedFetch(emulator, detail)).status).toBe(200);
  });

  it('requires x-sdk-date to be signed', async () => {
    const url = `${emulator.url}${detail}`;
    const headers = signRequest({ method: 'GET', url }, { accessKey: AK, secretKey: SK });
    const authorization = (headers.Authorization as string).replace(
      /SignedHeaders=[^,]+/,
      'SignedHeaders=host',
    );
    await expectGatewayError(
      await fetch(url, { headers: { ...headers, Authorization: authorization } }),
      401,
      'APIG.0301',
    );
  });

  it('answers 403 APIG.0302 when the path or X-Project-Id is not the credential project', async () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    const message = await expectGatewayError(
      await signedFetch(emulator, paths.flinkDetail(FLINK_RUNNING, other)),
      403,
      'APIG.0302',
    );
    expect(message).toMatch(/project/);
    await expectGatewayError(
      await signedFetch(emulator, detail, { headers: { 'X-Project-Id': other } }),
      403,
      'APIG.0302',
    );
    expect((await signedFetch(emulator, detail, { headers: { 'X-Project-Id': PROJECT } })).status).toBe(200);
  });
});

describe('lockout after consecutive failures', () => {
  it('locks the AK after more than five consecutive failures, for five minutes of emulator time', async () => {
    for (let i = 1; i <= 5; i++) {
      const message = await expectGatewayError(
        await signedFetch(emulator, detail, { credentials: wrongKey }),
        401,
        'APIG.0301',
      );
      expect(message, `failure ${i}`).not.toMatch(/locked/);
    }
    // The sixth consecutive failure locks the key ...
    expect(
      await expectGatewayError(
        await signedFetch(emulator, detail, { credentials: wrongKey }),
        401,
        'APIG.0301',
      ),
    ).toMatch(/locked/);
    // ... so that even a correct signature is refused now.
    expect(await expectGatewayError(await signedFetch(emulator, detail), 401, 'APIG.0301')).toMatch(/locked/);
    // Another AK is not affected.
    expect((await signedFetch(emulator, detail, { credentials: STS })).status).toBe(200);

    emulator.admin.advanceClock(4 * MINUTE);
    expect(await expectGatewayError(await signedFetch(emulator, detail), 401, 'APIG.0301')).toMatch(/locked/);
    emulator.admin.advanceClock(MINUTE + 1000);
    expect((await signedFetch(emulator, detail)).status).toBe(200);
  });

  it('counts only consecutive failures: a success resets the count', async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5; i++) {
        expect((await signedFetch(emulator, detail, { credentials: wrongKey })).status).toBe(401);
      }
      expect((await signedFetch(emulator, detail)).status).toBe(200);
    }
  });

  it('lifts after five minutes under a time scale too', async () => {
    const fast = await startEmulator({ timeScale: 600 });
    try {
      for (let i = 0; i < 6; i++) await signedFetch(fast, detail, { credentials: wrongKey });
      expect((await signedFetch(fast, detail)).status).toBe(401);
      // 5 minutes at 600x is 500 ms of wall time.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await signedFetch(fast, detail)).status).toBe(200);
    } finally {
      await fast.close();
    }
  });

  it('is cleared by an admin reset', async () => {
    for (let i = 0; i < 6; i++) await signedFetch(emulator, detail, { credentials: wrongKey });
    expect((await signedFetch(emulator, detail)).status).toBe(401);
    emulator.admin.reset();
    expect((await signedFetch(emulator, detail)).status).toBe(200);
  });
});

describe('temporary credentials and IAM tokens', () => {
  it('requires the configured security token, signed', async () => {
    expect((await signedFetch(emulator, detail, { credentials: STS })).status).toBe(200);
    await expectGatewayError(
      await signedFetch(emulator, detail, {
        credentials: { accessKey: STS.accessKey, secretKey: STS.secretKey },
      }),
      401,
      'APIG.0301',
    );
    await expectGatewayError(
      await signedFetch(emulator, detail, { credentials: { ...STS, securityToken: 'stale-token' } }),
      401,
      'APIG.0301',
    );
  });

  it('accepts an IAM token listed in the scenario, bound to its project', async () => {
    const ok = await fetch(`${emulator.url}${detail}`, { headers: { 'X-Auth-Token': TOKEN } });
    expect(ok.status).toBe(200);
    const { body } = await getJson(emulator, detail);
    expect(body.job_detail.job_id).toBe(FLINK_RUNNING);
    await expectGatewayError(
      await fetch(`${emulator.url}${detail}`, { headers: { 'X-Auth-Token': 'not-a-token' } }),
      401,
      'APIG.0301',
    );
    await expectGatewayError(
      await fetch(`${emulator.url}${paths.flinkDetail(FLINK_RUNNING, 'other')}`, {
        headers: { 'X-Auth-Token': TOKEN },
      }),
      403,
      'APIG.0302',
    );
    expect(emulator.admin.requests()[0]).toMatchObject({ status: 200, auth: 'token' });
  });

  it('never writes a signature, secret key or token into the request log', async () => {
    await signedFetch(emulator, detail);
    await signedFetch(emulator, detail, { credentials: STS });
    await signedFetch(emulator, detail, { credentials: wrongKey });
    await fetch(`${emulator.url}${detail}`, { headers: { 'X-Auth-Token': TOKEN } });
    const headers = signRequest(
      { method: 'GET', url: `${emulator.url}${detail}` },
      { accessKey: AK, secretKey: SK },
    );
    await fetch(`${emulator.url}${detail}`, { headers });
    const signature = /Signature=([0-9a-f]+)/.exec(headers.Authorization as string)?.[1] as string;

    const text = JSON.stringify(emulator.admin.requests());
    expect(emulator.admin.requests()).toHaveLength(5);
    for (const secret of [SK, STS.secretKey, STS.securityToken, TOKEN, signature, `${SK}-wrong`]) {
      expect(text).not.toContain(secret);
    }
  });
});

/**
 * What the official SDKs send, signed here the way the Go SDK signs: over bytes, with header values as
 * UTF-8 and the literal UNSIGNED-PAYLOAD in place of the body's hash when that header says so.
 */
function goSdkRequest(
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  payloadHash: string,
): { headers: Record<string, string>; body: Buffer } {
  const sdkDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const all: Record<string, string> = { ...headers, 'x-sdk-date': sdkDate };
  const names = Object.keys(all)
    .map((n) => n.toLowerCase())
    .sort();
  const canonical = Buffer.concat([
    Buffer.from(`GET\n${path}/\n\n`),
    ...names.map((n) => Buffer.from(`${n}:${all[n]?.trim()}\n`, 'utf8')),
    Buffer.from(`\n${names.join(';')}\n${payloadHash}`),
  ]);
  const toSign = `SDK-HMAC-SHA256\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', SK).update(toSign).digest('hex');
  return {
    headers: {
      ...all,
      authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    },
    body,
  };
}

/** Sends header values as their UTF-8 bytes (node:http writes header strings one byte per character). */
function send(emulator: Emulator, path: string, request: { headers: Record<string, string>; body: Buffer }) {
  const headers = {
    ...Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('latin1')]),
    ),
    // A GET body needs its length said: node:http frames it only on request.
    'content-length': String(request.body.length),
  };
  return new Promise<{ status: number; body: Body }>((resolve, reject) => {
    const req = httpRequest(`${emulator.url}${path}`, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

describe('what the official SDKs send', () => {
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

  it('X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD signs that literal in place of the body hash', async () => {
    const body = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const unsigned = {
      'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-type': 'application/octet-stream',
    };
    const ok = await send(emulator, detail, goSdkRequest(detail, unsigned, body, 'UNSIGNED-PAYLOAD'));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    // With the header, the body's own hash is not what was signed ...
    const hashed = await send(emulator, detail, goSdkRequest(detail, unsigned, body, sha(body)));
    expect(hashed.body.error_code).toBe('APIG.0301');
    // ... and without it, the literal is not accepted in place of the hash.
    const plain = { 'content-type': 'application/octet-stream' };
    const literal = await send(emulator, detail, goSdkRequest(detail, plain, body, 'UNSIGNED-PAYLOAD'));
    expect(literal.body.error_code).toBe('APIG.0301');
    expect((await send(emulator, detail, goSdkRequest(detail, plain, body, sha(body)))).status).toBe(200);
  });

  it('reads non-ASCII header values as UTF-8 bytes, as the Python and Go SDKs send and sign them', async () => {
    const workspace = 'équipe-数据';
    emulator.admin.addJobs({
      kind: 'dataarts-realtime',
      jobName: 'team_job',
      workspace,
      steps: [{ status: 'NORMAL' }],
    });
    const path = paths.dataArts('team_job');
    const answer = await send(
      emulator,
      path,
      goSdkRequest(path, { workspace }, Buffer.alloc(0), sha(Buffer.alloc(0))),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ name: 'team_job', status: 'NORMAL' });
    // Signed over the bytes read one per character (latin1), as a naive server would: refused.
    const asLatin1 = Buffer.from(workspace, 'utf8').toString('latin1');
    const misread = goSdkRequest(path, { workspace: asLatin1 }, Buffer.alloc(0), sha(Buffer.alloc(0)));
    const refused = await send(emulator, path, {
      ...misread,
      headers: { ...misread.headers, workspace },
    });
    expect(refused.body.error_code).toBe('APIG.0301');
  });
});
