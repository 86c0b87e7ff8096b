import type { ServiceName } from './endpoints.js';
import type { HttpTransport } from './http/transport.js';

/** What each service's API module needs: the transport, the project, and where the service lives. */
export interface ApiContext {
  transport: HttpTransport;
  projectId: string;
  baseUrl(service: ServiceName): URL;
  /** Whether requests are AK/SK-signed (then X-Project-Id goes along, as the SDKs send it). */
  signed: boolean;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export function projectHeaders(ctx: ApiContext): Record<string, string> {
  return ctx.signed ? { 'X-Project-Id': ctx.projectId } : {};
}
