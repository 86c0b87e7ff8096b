import { startEmulator } from '@jobgate/emulator';
import { describe, expect, it } from 'vitest';
import {
  buildCanonicalRequest,
  canonicalQuery,
  canonicalUri,
  compareCodePoints,
  encodeRfc3986,
  formatSdkDate,
  sha256Hex,
  signRequest,
} from '../src/auth/signer.js';

function signatureOf(headers: Record<string, string>): string {
  const match = /Signature=([0-9a-f]{64})$/.exec(headers.Authorization ?? '');
  if (!match?.[1]) throw new Error(`no signature in ${headers.Authorization}`);
  return match[1];
}

// The official vectors, from the API Request Signing Guide and the Python and Go SDK tests.
describe('signRequest: official test vectors', () => {
  it('signing guide example (canonical request, its hash and the signature)', () => {
    const request = {
      method: 'GET',
      url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      headers: {
        'Content-Type': 'application/json',
        Host: 'service.region.example.com',
        'X-Sdk-Date': '20191115T033655Z',
      },
    };
    const { canonicalRequest, signedHeaders } = buildCanonicalRequest(
      request.method,
      new URL(request.url),
      request.headers,
      '',
    );
    expect(canonicalRequest).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json',
        'host:service.region.example.com',
        'x-sdk-date:20191115T033655Z',
        '',
        'content-type;host;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(signedHeaders).toBe('content-type;host;x-sdk-date');
    expect(sha256Hex(canonicalRequest)).toBe(
      'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );

    const headers = signRequest(request, {
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
    });
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  const pythonCredentials = { accessKey: 'AccessKey', secretKey: 'SecretKey' };
  const pythonDate = new Date('2020-06-08T02:39:00Z');

  it('Python SDK: GET with empty body', () => {
    const headers = signRequest(
      { method: 'GET', url: 'https://service.endpoint.myhuaweicloud.com/resources?size=1' },
      pythonCredentials,
      pythonDate,
    );
    expect(headers['X-Sdk-Date']).toBe('20200608T023900Z');
    expect(headers.Host).toBe('service.endpoint.myhuaweicloud.com');
    expect(headers.Authorization).toContain('SignedHeaders=host;x-sdk-date,');
    expect(signatureOf(headers)).toBe('cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842');
  });

  it('Python SDK: POST with a JSON body', () => {
    const headers = signRequest(
      {
        method: 'POST',
        url: 'https://service.endpoint.myhuaweicloud.com/resources?size=1',
        body: '{"name":"test","id":1}',
      },
      pythonCredentials,
      pythonDate,
    );
    expect(signatureOf(headers)).toBe('436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f');
  });

  const goDate = new Date('2006-01-02T15:04:05Z');

  it('Go SDK: GET signing x-sdk-date only', () => {
    const headers = signRequest(
      { method: 'GET', url: 'https://example.huaweicloud.com/path?limit=1' },
      pythonCredentials,
      goDate,
      { signHost: false },
    );
    expect(headers.Authorization).toContain('SignedHeaders=x-sdk-date,');
    expect(signatureOf(headers)).toBe('5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
  });

  it('Go SDK: POST with body bytes ending in a newline', () => {
    const headers = signRequest(
      {
        method: 'POST',
        url: 'https://example.huaweicloud.com/path?key=value',
        body: new TextEncoder().encode('{"Name":"test","Id":1}\n'),
      },
      pythonCredentials,
      goDate,
      { signHost: false },
    );
    expect(signatureOf(headers)).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });
});

describe('canonical forms', () => {
  it('encodes per RFC 3986, including the characters encodeURIComponent keeps', () => {
    expect(encodeRfc3986("a b*c!d'e(f)g~h-_.")).toBe('a%20b%2Ac%21d%27e%28f%29g~h-_.');
    expect(encodeRfc3986('作业/x?#')).toBe('%E4%BD%9C%E4%B8%9A%2Fx%3F%23');
  });

  it('encodes each path segment once and appends the trailing slash', () => {
    expect(canonicalUri('/v1/p/jobs/my%20job/status')).toBe('/v1/p/jobs/my%20job/status/');
    expect(canonicalUri('/v1/p/jobs/a*b/status/')).toBe('/v1/p/jobs/a%2Ab/status/');
    expect(canonicalUri(new URL('https://h/v1/p/jobs/作业 1').pathname)).toBe(
      '/v1/p/jobs/%E4%BD%9C%E4%B8%9A%201/',
    );
    expect(canonicalUri('/')).toBe('/');
  });

  it('sorts the query by name then value and encodes space as %20 and * as %2A', () => {
    const params = new URLSearchParams();
    params.append('b', 'x y');
    params.append('a', '2');
    params.append('a', '1');
    params.append('c', '*/');
    params.append('empty', '');
    expect(canonicalQuery(params)).toBe('a=1&a=2&b=x%20y&c=%2A%2F&empty=');
  });

  it('orders repeated names by code point (UTF-8 bytes), not by UTF-16 code units', () => {
    // U+FF21 is one UTF-16 unit (0xFF21); U+1F600 is a surrogate pair starting 0xD83D, which
    // UTF-16 order puts first. By code point (and UTF-8 bytes, EF BC A1 < F0 9F 98 80) U+FF21 comes first.
    const params = new URLSearchParams([
      ['q', '😀'],
      ['q', 'Ａ'],
      ['q', 'z'],
    ]);
    expect(canonicalQuery(params)).toBe('q=z&q=%EF%BC%A1&q=%F0%9F%98%80');
    expect(
      canonicalQuery(
        new URLSearchParams([
          ['😀', '1'],
          ['Ａ', '2'],
        ]),
      ),
    ).toBe('%EF%BC%A1=2&%F0%9F%98%80=1');
    for (const [a, b] of [
      ['Ａ', '😀'],
      ['a', 'ab'],
      ['', 'a'],
      ['\uE000', '\u{10000}'],
    ] as const) {
      expect(compareCodePoints(a, b), `${a} < ${b}`).toBe(-1);
      expect(compareCodePoints(b, a)).toBe(1);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(-1);
    }
    expect(compareCodePoints('😀', '😀')).toBe(0);
  });

  it('such a query, signed, is accepted by a verifier that sorts UTF-8 bytes', async () => {
    const emulator = await startEmulator();
    try {
      const { accessKey, secretKey, projectId } = emulator.credentials;
      const url = `${emulator.url}/v1.0/${projectId}/streaming/jobs?tags=${encodeURIComponent('😀')}&tags=${encodeURIComponent('Ａ')}`;
      const headers = signRequest({ method: 'GET', url }, { accessKey, secretKey });
      const response = await fetch(url, { headers });
      expect(response.status, await response.text()).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it('formats X-Sdk-Date in UTC', () => {
    expect(formatSdkDate(new Date('2019-11-15T03:36:55.123Z'))).toBe('20191115T033655Z');
  });
});

const fixedDate = new Date('2006-01-02T15:04:05Z');

describe('signRequest', () => {
  it('signs the security token of temporary credentials', () => {
    const headers = signRequest(
      { method: 'GET', url: 'https://dli.cn-north-4.myhuaweicloud.com/v1.0/p/streaming/jobs/1' },
      { accessKey: 'AK', secretKey: 'SK', securityToken: 'token-value' },
      fixedDate,
    );
    expect(headers['X-Security-Token']).toBe('token-value');
    expect(headers.Authorization).toContain('SignedHeaders=host;x-sdk-date;x-security-token,');
  });

  it('changes the signature when the body, path or a signed header changes', () => {
    const base = { method: 'POST', url: 'https://h.example.com/a', body: 'x' };
    const credentials = { accessKey: 'AK', secretKey: 'SK' };
    const reference = signatureOf(signRequest(base, credentials, fixedDate));
    expect(signatureOf(signRequest({ ...base, body: 'y' }, credentials, fixedDate))).not.toBe(reference);
    expect(
      signatureOf(signRequest({ ...base, url: 'https://h.example.com/b' }, credentials, fixedDate)),
    ).not.toBe(reference);
    expect(
      signatureOf(signRequest({ ...base, headers: { workspace: 'w1' } }, credentials, fixedDate)),
    ).not.toBe(reference);
    expect(signatureOf(signRequest(base, { ...credentials, secretKey: 'SK2' }, fixedDate))).not.toBe(
      reference,
    );
  });

  it('refuses empty credentials with a clear error', () => {
    expect(() =>
      signRequest({ method: 'GET', url: 'https://h.example.com/' }, { accessKey: '', secretKey: 'x' }),
    ).toThrow(/accessKey and secretKey/);
  });
});
