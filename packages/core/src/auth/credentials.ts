import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { redactor } from '../redact.js';

export const AccessKeyAuth = lazySchema(() =>
  z.object({
    accessKey: z.string().min(1, 'expected a non-empty access key'),
    secretKey: z.string().min(1, 'expected a non-empty secret key'),
    securityToken: z.string().min(1).optional(),
  }),
);
export type AccessKeyAuth = z.infer<typeof AccessKeyAuth>;

/** An IAM token sent as X-Auth-Token; such requests are not signed. */
export const TokenAuth = lazySchema(() =>
  z.object({
    authToken: z.string().min(1, 'expected a non-empty IAM token'),
  }),
);
export type TokenAuth = z.infer<typeof TokenAuth>;

/** What each request is sent with: AK/SK (signed) or an IAM token. */
export type RequestCredentials = AccessKeyAuth | TokenAuth;

/** Where an id token comes from: the token itself, or a function asked afresh at each exchange. */
export type IdTokenSource = string | (() => string | Promise<string>);

/** 900 s to 24 h, the range IAM issues temporary credentials for. */
export const TemporaryDuration = lazySchema(() =>
  z
    .number({ error: 'expected a whole number of seconds from 900 to 86400' })
    .int('expected a whole number of seconds from 900 to 86400')
    .min(900, 'expected a whole number of seconds from 900 to 86400')
    .max(86_400, 'expected a whole number of seconds from 900 to 86400'),
);

/**
 * An OpenID Connect id token (from GitHub Actions, a Kubernetes service
 * account, ...) exchanged at IAM's identity provider `idpId` for temporary
 * AK/SK, renewed before they expire. `idTokenFile` is read afresh at each
 * exchange, as the official SDKs read HUAWEICLOUD_SDK_ID_TOKEN_FILE.
 */
export const IdTokenAuth = lazySchema(() =>
  z
    .object({
      idpId: z
        .string({ error: 'expected the id of an IAM identity provider' })
        .trim()
        .min(1, 'expected the id of an IAM identity provider')
        .max(64, 'expected an identity provider id of at most 64 characters'),
      idToken: z
        .union([
          z.string().trim().min(1, 'expected a non-empty id token'),
          z.custom<() => string | Promise<string>>((v) => typeof v === 'function'),
        ])
        .optional(),
      idTokenFile: z.string().trim().min(1, 'expected the path of a file holding the id token').optional(),
      /** Scope the IAM token to this project (default: unscoped, as IAM documents for temporary keys). */
      scopeProjectId: z.string().trim().min(1).optional(),
      durationSeconds: TemporaryDuration.optional(),
    })
    .refine((v) => (v.idToken === undefined) !== (v.idTokenFile === undefined), {
      message: 'expected either an id token or an id token file, not both and not neither',
      path: ['idToken'],
    }),
);
export type IdTokenAuth = z.infer<typeof IdTokenAuth>;

/** An IAM token exchanged for temporary AK/SK (IAM's second step alone), renewed while the token lasts. */
export const IamTokenExchangeAuth = lazySchema(() =>
  z.object({
    iamToken: z.string().min(1, 'expected a non-empty IAM token'),
    durationSeconds: TemporaryDuration.optional(),
  }),
);
export type IamTokenExchangeAuth = z.infer<typeof IamTokenExchangeAuth>;

export const Credentials = lazySchema(() =>
  z.union([AccessKeyAuth, TokenAuth, IdTokenAuth, IamTokenExchangeAuth]),
);
export type Credentials = z.infer<typeof Credentials>;

export function isTokenAuth(credentials: Credentials): credentials is TokenAuth {
  return 'authToken' in credentials;
}

/** Credentials that IAM exchanges for temporary AK/SK. */
export function isExchanged(credentials: Credentials): credentials is IdTokenAuth | IamTokenExchangeAuth {
  return 'idpId' in credentials || 'iamToken' in credentials;
}

/** Every secret value a set of credentials holds, for redaction. */
export function secretsOf(credentials: Credentials): string[] {
  const c = credentials as Record<string, unknown>;
  return [c.authToken, c.secretKey, c.securityToken, c.idToken, c.iamToken].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

/**
 * Where a transport gets the credentials of each request: fixed ones, or
 * temporary ones renewed before they expire.
 */
export interface CredentialSource {
  /**
   * Who the requests are sent as, for the request budget: the same across
   * renewals, so a throttle holds the renewed credentials too.
   */
  readonly identity: string;
  /** Whether requests are AK/SK-signed. */
  readonly signed: boolean;
  /** The credentials for the next request; undefined sends it as built (IAM's own exchanges). */
  current(signal?: AbortSignal): Promise<RequestCredentials | undefined>;
  /**
   * The gateway refused these credentials (HTTP 401): renew them if they can
   * be, once for every request that used them. True when the request is worth
   * sending again with the next ones.
   */
  refused?(credentials: RequestCredentials): boolean;
  close?(): Promise<void>;
}

/** Credentials that never change. */
export function fixedCredentials(credentials: RequestCredentials): CredentialSource {
  const ready = Promise.resolve(credentials);
  return {
    identity: isTokenAuth(credentials) ? `token:${credentials.authToken}` : `ak:${credentials.accessKey}`,
    signed: !isTokenAuth(credentials),
    current: () => ready,
  };
}

export function isCredentialSource(value: unknown): value is CredentialSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CredentialSource).current === 'function' &&
    typeof (value as CredentialSource).identity === 'string'
  );
}

/**
 * Teaches the one redactor every secret a credentials value holds, whatever
 * its shape (even one about to be refused as invalid).
 */
export function learnCredentials(credentials: unknown): void {
  if (typeof credentials !== 'object' || credentials === null) return;
  const c = credentials as Record<string, unknown>;
  redactor.learn(
    ...[c.secretKey, c.securityToken, c.authToken, c.idToken, c.iamToken].filter(
      (v): v is string => typeof v === 'string',
    ),
  );
}

export interface EnvironmentSettings {
  credentials?: AccessKeyAuth | IdTokenAuth;
  projectId?: string;
  region?: string;
  /** Which variables the settings came from, for messages. */
  source?: 'HUAWEI_CLOUD_*' | 'HUAWEICLOUD_SDK_*' | 'HUAWEICLOUD_SDK_IDP_ID';
}

type Env = Record<string, string | undefined>;

const nonEmpty = (value: string | undefined): string | undefined =>
  value?.trim() ? value.trim() : undefined;

/**
 * Reads credentials from the variables huaweicloud/auth-action exports
 * (HUAWEI_CLOUD_*), then from the official SDKs' (HUAWEICLOUD_SDK_*). The
 * key pair is taken from one family only, never half from each. Without a
 * key pair, an identity provider and id-token file as the SDKs read them
 * (HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE).
 */
export function settingsFromEnv(env: Env = process.env): EnvironmentSettings {
  const families = [
    {
      source: 'HUAWEI_CLOUD_*' as const,
      accessKey: nonEmpty(env.HUAWEI_CLOUD_ACCESS_KEY_ID),
      secretKey: nonEmpty(env.HUAWEI_CLOUD_SECRET_ACCESS_KEY),
      // Temporary keys exported by JobGate's export_credentials carry their token in the SDKs' variable,
      // which belongs to the SDKs' own key pair when there is one.
      securityToken: nonEmpty(env.HUAWEICLOUD_SDK_AK)
        ? undefined
        : nonEmpty(env.HUAWEICLOUD_SDK_SECURITY_TOKEN),
      projectId: nonEmpty(env.HUAWEI_CLOUD_PROJECT_ID),
      region: nonEmpty(env.HUAWEI_CLOUD_REGION),
    },
    {
      source: 'HUAWEICLOUD_SDK_*' as const,
      accessKey: nonEmpty(env.HUAWEICLOUD_SDK_AK),
      secretKey: nonEmpty(env.HUAWEICLOUD_SDK_SK),
      securityToken: nonEmpty(env.HUAWEICLOUD_SDK_SECURITY_TOKEN),
      projectId: nonEmpty(env.HUAWEICLOUD_SDK_PROJECT_ID),
      region: undefined,
    },
  ];
  const settings: EnvironmentSettings = {};
  const keyed = families.find((f) => f.accessKey && f.secretKey);
  if (keyed?.accessKey && keyed.secretKey) {
    settings.credentials = {
      accessKey: keyed.accessKey,
      secretKey: keyed.secretKey,
      ...(keyed.securityToken ? { securityToken: keyed.securityToken } : {}),
    };
    settings.source = keyed.source;
  } else {
    const idpId = nonEmpty(env.HUAWEICLOUD_SDK_IDP_ID);
    const idTokenFile = nonEmpty(env.HUAWEICLOUD_SDK_ID_TOKEN_FILE);
    if (idpId && idTokenFile) {
      settings.credentials = { idpId, idTokenFile };
      settings.source = 'HUAWEICLOUD_SDK_IDP_ID';
    }
  }
  const projectId = families.map((f) => f.projectId).find(Boolean);
  const region = families.map((f) => f.region).find(Boolean);
  if (projectId) settings.projectId = projectId;
  if (region) settings.region = region;
  return settings;
}
