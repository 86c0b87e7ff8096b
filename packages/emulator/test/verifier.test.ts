import { describe, expect, it } from 'vitest';
import type { ReceivedRequest } from '../src/auth.js';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  encodeRfc3986,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
  signatureFor,
  stringToSign,
} from '../src/auth.js';

/** A request as the server would receive it, from a URL (the vectors give URLs). */
function received(method: string, url: string, headers: Record<string, string>, body = ''): ReceivedRequest {
  const u = new URL(url);
  return {
    method,
    rawPath: u.pathname,
    rawQuery: u.search.replace(/^\?/, ''),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body, 'utf8'),
  };
}

function sign(request: ReceivedRequest, secretKey: string, signed: string[]): string {
  const date = request.headers['x-sdk-date'] as string;
  return signatureFor(secretKey, stringToSign(date, canonicalRequest(request, signed)));
}

describe('official test vectors (reference section 1)', () => {
  it('1. signing guide example: canonical request, its hash and the signature', () => {
    const request = received(
      'GET',
      'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      {
        'Content-Type': 'application/json',
        Host: 'service.region.example.com',
        'X-Sdk-Date': '20191115T033655Z',
      },
    );
    const signed = ['content-type', 'host', 'x-sdk-date'];
    const canonical = canonicalRequest(request, signed);
    expect(canonical).toBe(
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
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(sign(request, 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', signed)).toBe(
      '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it('2. Python SDK: GET and POST signing host and x-sdk-date', () => {
    const headers = { Host: 'service.endpoint.myhuaweicloud.com', 'X-Sdk-Date': '20200608T023900Z' };
    const url = 'https://service.endpoint.myhuaweicloud.com/resources?size=1';
    const signed = ['host', 'x-sdk-date'];
    expect(sign(received('GET', url, headers), 'SecretKey', signed)).toBe(
      'cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842',
    );
    expect(sign(received('POST', url, headers, '{"name":"test","id":1}'), 'SecretKey', signed)).toBe(
      '436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f',
    );
  });

  it('3. Go SDK: GET and POST signing only x-sdk-date', () => {
    const headers = { 'X-Sdk-Date': '20060102T150405Z' };
    expect(
      sign(received('GET', 'https://example.huaweicloud.com/path?limit=1', headers), 'SecretKey', [
        'x-sdk-date',
      ]),
    ).toBe('5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
    expect(
      sign(
        received(
          'POST',
          'https://example.huaweicloud.com/path?key=value',
          headers,
          '{"Name":"test","Id":1}\n',
        ),
        'SecretKey',
        ['x-sdk-date'],
      ),
    ).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });

  it('a one-character change in the body or secret changes the signature', () => {
    const headers = { 'X-Sdk-Date': '20060102T150405Z' };
    const url = 'https://example.huaweicloud.com/path?key=value';
    const good = 'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59';
    expect(
      sign(received('POST', url, headers, '{"Name":"test","Id":1}'), 'SecretKey', ['x-sdk-date']),
    ).not.toBe(good);
    expect(
      sign(received('POST', url, headers, '{"Name":"test","Id":1}\n'), 'SecretKeY', ['x-sdk-date']),
    ).not.toBe(good);
  });
});

describe('canonical forms', () => {
  it('encodes with RFC 3986: unreserved kept, everything else upper-case %XX of UTF-8', () => {
    expect(encodeRfc3986("AZaz09-_.~ !'()*/+é")).toBe('AZaz09-_.~%20%21%27%28%29%2A%2F%2B%C3%A9');
  });

  it('decodes each path segment once and re-encodes it, adding the trailing slash', () => {
    expect(canonicalUri('/v1/p/jobs/my%20job%2F..%2Fx/status')).toBe('/v1/p/jobs/my%20job%2F..%2Fx/status/');
    expect(canonicalUri('/v1/p/jobs/caf%C3%A9/status')).toBe('/v1/p/jobs/caf%C3%A9/status/');
    // A segment sent half-encoded is normalized, never double-encoded.
    expect(canonicalUri("/a/it's%2520")).toBe('/a/it%27s%2520/');
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('/already/')).toBe('/already/');
  });

  it('sorts query parameters by name then value and encodes both alike', () => {
    expect(canonicalQuery('b=2&a=z&a=y&c')).toBe('a=y&a=z&b=2&c=');
    expect(canonicalQuery('name=a%20b*c&x=%2F')).toBe('name=a%20b%2Ac&x=%2F');
    expect(canonicalQuery('')).toBe('');
  });

  it('throws on a malformed percent-encoding, which the gateway rejects', () => {
    expect(() => canonicalUri('/a/%E0%A4%A')).toThrow();
  });
});

describe('Authorization and X-Sdk-Date parsing', () => {
  it('parses the three fields, tolerating spacing', () => {
    expect(
      parseAuthorization('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=ABCDEF'),
    ).toEqual({
      accessKey: 'AK1',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: 'abcdef',
    });
    expect(
      parseAuthorization('SDK-HMAC-SHA256 Access=AK1,SignedHeaders=x-sdk-date,Signature=00')?.accessKey,
    ).toBe('AK1');
  });

  it('rejects garbled headers', () => {
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
    expect(parseAuthorization('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host')).toBeUndefined();
    expect(
      parseAuthorization('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=xyz'),
    ).toBeUndefined();
    expect(parseAuthorization('SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=00')).toBeUndefined();
  });

  it('reads X-Sdk-Date strictly', () => {
    expect(parseSdkDate('20191115T033655Z')).toBe(Date.UTC(2019, 10, 15, 3, 36, 55));
    expect(parseSdkDate('2019-11-15T03:36:55Z')).toBeUndefined();
    expect(parseSdkDate('20191315T033655Z')).toBeUndefined();
    expect(parseSdkDate('20190230T033655Z')).toBeUndefined();
    expect(parseSdkDate('20191115T033655')).toBeUndefined();
  });
});
