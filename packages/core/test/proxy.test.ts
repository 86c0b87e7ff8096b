import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer, testClient } from './support/server.js';

const FLINK_OK = { is_success: 'true', message: '', job_detail: { job_id: 7, status: 'job_running' } };

// A forward proxy: CONNECT tunnels (what undici opens) and absolute-form requests, each recorded.
let proxy: Server;
let proxyUrl: string;
const relayed: string[] = [];
let server: TestServer;
const saved = {
  HTTP_PROXY: process.env.HTTP_PROXY,
  NO_PROXY: process.env.NO_PROXY,
  http_proxy: process.env.http_proxy,
  no_proxy: process.env.no_proxy,
};

beforeAll(async () => {
  proxy = createServer((req, res) => {
    relayed.push(req.url ?? '');
    const target = new URL(req.url ?? '');
    const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket, head) => {
    relayed.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  server = await startTestServer((_req, res) => json(res, 200, FLINK_OK));
});

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  relayed.length = 0;
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await server.close();
});

describe('proxies from the environment', () => {
  it('sends requests through HTTP_PROXY, signed for the real host', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    const client = testClient(server.url);
    const body = await client.dli.getFlinkJobDetail(7);
    await client.close();
    expect(body.job_detail?.status).toBe('job_running');
    const target = new URL(server.url).host;
    expect(relayed.length).toBeGreaterThan(0);
    expect(relayed.every((r) => r === `CONNECT ${target}` || r.startsWith(`${server.url}/`))).toBe(true);
    expect(server.requests.at(-1)?.headers.host).toBe(new URL(server.url).host);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    process.env.NO_PROXY = '127.0.0.1';
    const client = testClient(server.url);
    await client.dli.getFlinkJobDetail(7);
    await client.close();
    expect(relayed).toEqual([]);
  });
});
