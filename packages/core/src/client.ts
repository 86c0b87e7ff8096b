import { z } from 'zod';
import type { ApiContext } from './api-context.js';
import {
  type CredentialSource,
  Credentials,
  fixedCredentials,
  isCredentialSource,
  isExchanged,
  learnCredentials,
  settingsFromEnv,
} from './auth/credentials.js';
import { TemporaryCredentials } from './auth/temporary.js';
import { CdmApi } from './cdm/api.js';
import { DataArtsApi } from './dataarts/api.js';
import { DliApi } from './dli/api.js';
import { type EndpointOptions, resolveEndpoint, SERVICES, type ServiceName } from './endpoints.js';
import { InputError } from './errors.js';
import { type HttpOptions, HttpTransport } from './http/transport.js';
import { parseInput } from './inputs.js';
import { redactor, urlSecrets } from './redact.js';

export const ProjectId = z
  .string({
    error: 'expected a project id (from projectId, HUAWEI_CLOUD_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID)',
  })
  .trim()
  .regex(
    /^[A-Za-z0-9_-]{1,64}$/,
    'expected a project id (32 hex characters such as 0f1e2d3c4b5a69788796a5b4c3d2e1f0)',
  );

export interface ClientOptions extends EndpointOptions {
  /** The project every request is scoped to. Falls back to HUAWEI_CLOUD_PROJECT_ID / HUAWEICLOUD_SDK_PROJECT_ID. */
  projectId?: string | undefined;
  /**
   * AK/SK (optionally with a security token), an IAM token, an OIDC id token
   * with its IAM identity provider (`{ idpId, idToken | idTokenFile }`) or an
   * IAM token to exchange (`{ iamToken }`) for temporary AK/SK, or a source of
   * credentials of one's own. Falls back to the environment.
   */
  credentials?: Credentials | CredentialSource | undefined;
  /**
   * Called with every secret the client is issued (id token, IAM token,
   * temporary AK/SK, security token) the moment it exists, e.g. to mask it.
   */
  onSecret?: ((secret: string) => void) | undefined;
  http?: HttpOptions;
  /** Where environment fallbacks are read from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface JobGateClient {
  readonly projectId: string;
  readonly region: string | undefined;
  readonly dli: DliApi;
  readonly dataarts: DataArtsApi;
  readonly cdm: CdmApi;
  readonly transport: HttpTransport;
  /** Where each request's credentials come from (temporary ones: renewed before they expire). */
  readonly credentials: CredentialSource;
  /** The base URL each service is reached at. */
  endpointOf(service: ServiceName): URL;
  close(): Promise<void>;
}

/**
 * A client for the job APIs of DLI, DataArts Studio Factory and CDM. Every
 * input is checked here, before any request: a bad one throws an InputError
 * naming it.
 */
export function createClient(options: ClientOptions = {}): JobGateClient {
  const env = settingsFromEnv(options.env ?? process.env);
  // Every secret is learned first, so that no message about a bad input can echo one.
  learnCredentials(options.credentials ?? env.credentials);
  for (const url of [options.endpoint, ...Object.values(options.endpoints ?? {})])
    redactor.learn(...urlSecrets(url));
  const region = options.region || env.region;
  const projectId = parseInput(ProjectId, options.projectId || env.projectId, 'projectId');
  const rawCredentials = options.credentials ?? env.credentials;
  if (!rawCredentials) {
    throw new InputError(
      'credentials',
      'expected an access key and secret key (or an IAM token, or an identity provider and id token); none given and none in HUAWEI_CLOUD_ACCESS_KEY_ID/HUAWEI_CLOUD_SECRET_ACCESS_KEY, HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK or HUAWEICLOUD_SDK_IDP_ID/HUAWEICLOUD_SDK_ID_TOKEN_FILE',
    );
  }
  const credentials = isCredentialSource(rawCredentials) ? rawCredentials : parseCredentials(rawCredentials);
  const endpointOptions: EndpointOptions = {
    region,
    endpoint: options.endpoint,
    endpoints: options.endpoints,
  };
  // Every endpoint given is checked now, and so is a region; a service with
  // neither is an error only when something asks for it, so that a client for
  // one service needs only that service's endpoint.
  const endpoints = new Map<ServiceName, URL>();
  const problems = new Map<ServiceName, InputError>();
  for (const service of SERVICES) {
    const explicit = options.endpoints?.[service] || options.endpoint;
    try {
      endpoints.set(service, resolveEndpoint(service, endpointOptions));
    } catch (error) {
      if (explicit || region || !(error instanceof InputError)) throw error;
      problems.set(service, error);
    }
  }
  const endpointOf = (service: ServiceName): URL => {
    const url = endpoints.get(service);
    if (url) return url;
    throw problems.get(service) ?? new InputError('region', `required to reach ${service}`);
  };
  const source: CredentialSource = isCredentialSource(credentials)
    ? credentials
    : isExchanged(credentials)
      ? new TemporaryCredentials({
          credentials,
          iamEndpoint: endpointOf('iam'),
          http: options.http,
          onSecret: options.onSecret,
        })
      : fixedCredentials(credentials);
  const transport = new HttpTransport(source, options.http);
  const ctx: ApiContext = {
    transport,
    projectId,
    baseUrl: endpointOf,
    signed: source.signed,
  };
  return {
    projectId,
    region,
    dli: new DliApi(ctx),
    dataarts: new DataArtsApi(ctx),
    cdm: new CdmApi(ctx),
    transport,
    credentials: source,
    endpointOf: (service) => new URL(endpointOf(service)),
    close: async () => {
      await transport.close();
      // A source the caller brought is the caller's to close.
      if (source !== rawCredentials) await source.close?.();
    },
  };
}

// Hand-rolled rather than parseInput: a message about credentials must never echo them.
function parseCredentials(value: unknown): Credentials {
  const result = Credentials.safeParse(value);
  if (result.success) return result.data;
  const fields = new Set(
    result.error.issues
      .flatMap((i) => (i.code === 'invalid_union' ? i.errors.flat() : [i]))
      .map((i) => String(i.path[0] ?? '')),
  );
  const missing = [...fields].filter(Boolean).join(', ');
  throw new InputError(
    'credentials',
    `expected { accessKey, secretKey, securityToken? }, { authToken }, { idpId, idToken | idTokenFile, durationSeconds? } or { iamToken, durationSeconds? }${missing ? `; check ${missing}` : ''}`,
  );
}
