import { z } from 'zod';
import { redactor } from '../redact.js';

export const AccessKeyAuth = z.object({
  accessKey: z.string().min(1, 'expected a non-empty access key'),
  secretKey: z.string().min(1, 'expected a non-empty secret key'),
  securityToken: z.string().min(1).optional(),
});
export type AccessKeyAuth = z.infer<typeof AccessKeyAuth>;

/** An IAM token sent as X-Auth-Token; such requests are not signed. */
export const TokenAuth = z.object({
  authToken: z.string().min(1, 'expected a non-empty IAM token'),
});
export type TokenAuth = z.infer<typeof TokenAuth>;

export const Credentials = z.union([AccessKeyAuth, TokenAuth]);
export type Credentials = z.infer<typeof Credentials>;

export function isTokenAuth(credentials: Credentials): credentials is TokenAuth {
  return 'authToken' in credentials;
}

/** Every secret value a set of credentials holds, for redaction. */
export function secretsOf(credentials: Credentials): string[] {
  return isTokenAuth(credentials)
    ? [credentials.authToken]
    : [credentials.secretKey, credentials.securityToken].filter((s): s is string => !!s);
}

/**
 * Teaches the one redactor every secret a credentials value holds, whatever
 * its shape (even one about to be refused as invalid).
 */
export function learnCredentials(credentials: unknown): void {
  if (typeof credentials !== 'object' || credentials === null) return;
  const c = credentials as Record<string, unknown>;
  redactor.learn(
    ...[c.secretKey, c.securityToken, c.authToken].filter((v): v is string => typeof v === 'string'),
  );
}

export interface EnvironmentSettings {
  credentials?: AccessKeyAuth;
  projectId?: string;
  region?: string;
  /** Which variables the settings came from, for messages. */
  source?: 'HUAWEI_CLOUD_*' | 'HUAWEICLOUD_SDK_*';
}

type Env = Record<string, string | undefined>;

const nonEmpty = (value: string | undefined): string | undefined =>
  value?.trim() ? value.trim() : undefined;

/**
 * Reads credentials from the variables huaweicloud/auth-action exports
 * (HUAWEI_CLOUD_*), then from the official SDKs' (HUAWEICLOUD_SDK_*). The
 * key pair is taken from one family only, never half from each.
 */
export function settingsFromEnv(env: Env = process.env): EnvironmentSettings {
  const families = [
    {
      source: 'HUAWEI_CLOUD_*' as const,
      accessKey: nonEmpty(env.HUAWEI_CLOUD_ACCESS_KEY_ID),
      secretKey: nonEmpty(env.HUAWEI_CLOUD_SECRET_ACCESS_KEY),
      securityToken: undefined,
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
  }
  const projectId = families.map((f) => f.projectId).find(Boolean);
  const region = families.map((f) => f.region).find(Boolean);
  if (projectId) settings.projectId = projectId;
  if (region) settings.region = region;
  return settings;
}
