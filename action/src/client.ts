import {
  type ClientOptions,
  createClient,
  type HttpEvent,
  JobGateError,
  type JobRef,
  type JobStopRequest,
  RUN_DEFAULTS,
  StopFailedError,
  stopJob,
  urlSecrets,
} from '@jobgate/core';
import type { ClientConfig } from './inputs.js';
import * as out from './output.js';

const SECRET_INPUTS = ['secret_key', 'security_token', 'auth_token'];
const SECRET_ENV = ['HUAWEI_CLOUD_SECRET_ACCESS_KEY', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'];

/** Every secret the step may hold, before anything else runs: masked by the runner, redacted by the core. */
export function learnSecrets(): void {
  for (const name of SECRET_INPUTS) out.secret(out.getInput(name));
  for (const name of SECRET_ENV) out.secret(process.env[name]);
  for (const password of urlSecrets(out.getInput('endpoint'))) out.secret(password);
}

/** The OIDC bundle, from beside the step's (dist/oidc), loaded the first time a token is asked. */
const OIDC_BUNDLE = '../oidc/index.js';
const loadOidc = (): Promise<typeof import('./oidc.js')> => import(/* webpackIgnore: true */ OIDC_BUNDLE);

/** The job's GitHub id token for `audience`, asked afresh at each exchange. */
function gitHubIdToken(audience: string): () => Promise<string> {
  return async () => {
    try {
      return await (await loadOidc()).getIDToken(audience);
    } catch (error) {
      throw new JobGateError(
        'JOBGATE_ID_TOKEN',
        `GitHub did not give an id token for audience ${JSON.stringify(audience)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}

function credentialsOf(config: ClientConfig): ClientOptions['credentials'] {
  if (!config.oidc) return config.client.credentials;
  const { idpId, audience, durationSeconds } = config.oidc;
  return { idpId, idToken: gitHubIdToken(audience), durationSeconds };
}

/** A client for the step's inputs; every issued secret (id token, IAM token, temporary keys) masked as it exists. */
export function clientFor(
  config: ClientConfig,
  onEvent?: (event: HttpEvent) => void,
): ReturnType<typeof createClient> {
  return createClient({
    ...config.client,
    credentials: credentialsOf(config),
    onSecret: (value) => out.secret(value),
    ...(onEvent ? { http: { onEvent } } : {}),
  });
}

/**
 * Stops a job this step started, within the time a cancelled runner leaves (SIGTERM follows SIGINT after
 * 7.5 s). A stop that fails is a StopFailedError carrying `reason`, never a pass.
 */
export async function stopStartedJob(
  client: ReturnType<typeof createClient>,
  ref: JobRef,
  options: Record<string, unknown>,
  reason: JobGateError,
): Promise<void> {
  try {
    await stopJob(client, { ...ref, ...options } as JobStopRequest, {
      signal: AbortSignal.timeout(RUN_DEFAULTS.stopTimeoutMs),
    });
  } catch (error) {
    throw new StopFailedError(ref as Record<string, unknown> & { kind: string }, reason, error);
  }
}
