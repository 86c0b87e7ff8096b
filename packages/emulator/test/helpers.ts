import { signRequest } from '@jobgate/core';
import type { Emulator } from '../src/index.js';

export const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const AK = 'JOBGATEEMULATORAK00';
export const SK = 'jobgate-emulator-secret-key-not-for-production';
export const TOKEN = 'jobgate-emulator-iam-token-not-for-production';
export const STS = {
  accessKey: 'JOBGATEEMULATORSTS0',
  secretKey: 'jobgate-emulator-temporary-secret-not-for-production',
  securityToken: 'jobgate-emulator-security-token-not-for-production',
};

export const FLINK_RUNNING = 10001;
export const FLINK_EXCEPTION = 10002;
export const SQL_OK = '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60';
export const SQL_FAIL = '7a1b2c3d-4e5f-4a6b-9c8d-0e1f2a3b4c5d';
export const DATAARTS_JOB = 'realtime_sms_alerts';
export const CDM_CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
export const CDM_OK = 'jdbc2hive';
export const CDM_FAIL = 'obs2dws';

export const MINUTE = 60_000;

// biome-ignore lint/suspicious/noExplicitAny: tests probe JSON bodies field by field; the core's schemas judge their shape.
export type Body = any;

export async function json(response: Response): Promise<Body> {
  return response.json();
}

export interface SignedOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  credentials?: { accessKey: string; secretKey: string; securityToken?: string };
  date?: Date;
}

/** A request signed by the client library's signer, sent with the global fetch. */
export async function signedFetch(
  emulator: Emulator,
  path: string,
  options: SignedOptions = {},
): Promise<Response> {
  const url = `${emulator.url}${path}`;
  const method = options.method ?? 'GET';
  const headers = signRequest(
    {
      method,
      url,
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
    },
    options.credentials ?? { accessKey: AK, secretKey: SK },
    options.date ?? new Date(),
  );
  return fetch(url, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) });
}

/** Signed GET returning status, parsed JSON body and the request id header. */
export async function getJson(
  emulator: Emulator,
  path: string,
  options: SignedOptions = {},
): Promise<{ status: number; body: Body; requestId: string | null; headers: Headers }> {
  const response = await signedFetch(emulator, path, options);
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text),
    requestId: response.headers.get('x-request-id'),
    headers: response.headers,
  };
}

export async function admin(emulator: Emulator, method: string, path: string, body?: unknown): Promise<Body> {
  const response = await fetch(`${emulator.url}/__emulator/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: await response.json() };
}

export const paths = {
  flinkDetail: (id: number | string, project = PROJECT) => `/v1.0/${project}/streaming/jobs/${id}`,
  flinkList: (query = '', project = PROJECT) => `/v1.0/${project}/streaming/jobs${query ? `?${query}` : ''}`,
  sqlProgress: (id: string, project = PROJECT) => `/v1/${project}/jobs/${id}/progress`,
  sqlStatus: (id: string, project = PROJECT) => `/v1.0/${project}/jobs/${id}/status`,
  dataArts: (name: string, project = PROJECT) => `/v1/${project}/jobs/${encodeURIComponent(name)}/status`,
  cdm: (cluster: string, name: string, project = PROJECT) =>
    `/v1.1/${project}/clusters/${encodeURIComponent(cluster)}/cdm/job/${encodeURIComponent(name)}/status`,
};
