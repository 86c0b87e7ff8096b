import { isIP } from 'node:net';
import { InputError } from './errors.js';
import { displayUrl, redactor, urlSecrets } from './redact.js';

/**
 * The services JobGate talks to. DataArts Studio Factory is DLF in Huawei's host names; IAM issues
 * temporary credentials for an OIDC id token.
 */
export const SERVICES = ['dli', 'dataarts', 'cdm', 'iam'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Regions the official SDKs ship for DLI (the widest list of the three
 * services; CDM's and DataArts' are subsets). An explicit endpoint covers any
 * region not listed here.
 */
export const KNOWN_REGIONS = [
  'af-north-1',
  'af-south-1',
  'ae-ad-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'cn-east-2',
  'cn-east-3',
  'cn-east-4',
  'cn-east-5',
  'cn-north-1',
  'cn-north-2',
  'cn-north-4',
  'cn-north-9',
  'cn-south-1',
  'cn-southwest-2',
  'eu-west-0',
  'eu-west-101',
  'la-north-2',
  'la-south-2',
  'me-east-1',
  'my-kualalumpur-1',
  'na-mexico-1',
  'ru-moscow-1',
  'ru-northwest-2',
  'sa-brazil-1',
  'tr-west-1',
] as const;

const HOST_PREFIX: Record<ServiceName, string> = { dli: 'dli', dataarts: 'dayu-dlf', cdm: 'cdm', iam: 'iam' };

/** Hosts that do not follow `{prefix}.{region}.myhuaweicloud.com`. */
const HOST_EXCEPTIONS: Partial<Record<ServiceName, Record<string, string>>> = {
  dli: { 'eu-west-101': 'dli.eu-west-101.myhuaweicloud.eu' },
  dataarts: { 'cn-east-4': 'dayu.cn-east-4.myhuaweicloud.com' },
  iam: { 'eu-west-101': 'iam.eu-west-101.myhuaweicloud.eu' },
};

export function defaultHost(service: ServiceName, region: string): string {
  return HOST_EXCEPTIONS[service]?.[region] ?? `${HOST_PREFIX[service]}.${region}.myhuaweicloud.com`;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/**
 * Checks an explicit endpoint: an absolute https URL, or plain http only on a
 * loopback address (the emulator). A base path is kept, for gateways and
 * proxies that mount the APIs below one.
 */
export function parseEndpoint(field: string, value: string): URL {
  // A password in an endpoint is a secret: learned before any message could echo it.
  redactor.learn(...urlSecrets(value));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(
      field,
      `expected an absolute URL such as https://dli.cn-north-4.myhuaweicloud.com, got ${JSON.stringify(displayUrl(value))}`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new InputError(
      field,
      `expected an https:// URL (plain http:// is allowed only for loopback addresses such as 127.0.0.1), got ${JSON.stringify(displayUrl(value))}`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new InputError(
      field,
      `expected a URL without query, fragment or user info, got ${JSON.stringify(displayUrl(value))}`,
    );
  }
  return url;
}

export interface EndpointOptions {
  region?: string | undefined;
  /** One endpoint for every service (the emulator serves all of them). */
  endpoint?: string | undefined;
  /** An endpoint per service; wins over `endpoint`. */
  endpoints?: Partial<Record<ServiceName, string | undefined>> | undefined;
}

/** The base URL a service is reached at: explicit endpoint first, then region. */
export function resolveEndpoint(service: ServiceName, options: EndpointOptions): URL {
  const own = options.endpoints?.[service];
  if (own) return parseEndpoint(`endpoints.${service}`, own);
  if (options.endpoint) return parseEndpoint('endpoint', options.endpoint);
  const region = options.region;
  if (!region) {
    throw new InputError(
      'region',
      `required to reach ${service} when no endpoint is given; known regions: ${KNOWN_REGIONS.join(', ')}`,
    );
  }
  if (!(KNOWN_REGIONS as readonly string[]).includes(region)) {
    throw new InputError(
      'region',
      `unknown region ${JSON.stringify(region)}; known regions: ${KNOWN_REGIONS.join(', ')} (or give an explicit endpoint)`,
    );
  }
  return new URL(`https://${defaultHost(service, region)}/`);
}
