import { describe, expect, it } from 'vitest';
import { createClient, InputError, KNOWN_REGIONS, resolveEndpoint, settingsFromEnv } from '../src/index.js';

describe('endpoints', () => {
  it('builds hosts from the region pattern', () => {
    expect(resolveEndpoint('dli', { region: 'cn-north-4' }).href).toBe(
      'https://dli.cn-north-4.myhuaweicloud.com/',
    );
    expect(resolveEndpoint('cdm', { region: 'ap-southeast-1' }).href).toBe(
      'https://cdm.ap-southeast-1.myhuaweicloud.com/',
    );
    expect(resolveEndpoint('dataarts', { region: 'cn-north-4' }).href).toBe(
      'https://dayu-dlf.cn-north-4.myhuaweicloud.com/',
    );
  });

  it('applies the exception table', () => {
    expect(resolveEndpoint('dli', { region: 'eu-west-101' }).href).toBe(
      'https://dli.eu-west-101.myhuaweicloud.eu/',
    );
    expect(resolveEndpoint('dataarts', { region: 'cn-east-4' }).href).toBe(
      'https://dayu.cn-east-4.myhuaweicloud.com/',
    );
    expect(resolveEndpoint('cdm', { region: 'eu-west-101' }).href).toBe(
      'https://cdm.eu-west-101.myhuaweicloud.com/',
    );
  });

  it('lets an explicit endpoint win, per service over the shared one', () => {
    const options = {
      region: 'cn-north-4',
      endpoint: 'https://gw.example.com/huawei',
      endpoints: { cdm: 'https://cdm.internal.example.com' },
    };
    expect(resolveEndpoint('dli', options).href).toBe('https://gw.example.com/huawei');
    expect(resolveEndpoint('cdm', options).href).toBe('https://cdm.internal.example.com/');
  });

  it('allows plain http only on loopback addresses', () => {
    for (const ok of ['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9', 'http://127.3.2.1']) {
      expect(() => resolveEndpoint('dli', { endpoint: ok })).not.toThrow();
    }
    for (const bad of [
      'http://10.0.0.5:8080',
      'http://dli.cn-north-4.myhuaweicloud.com',
      'ftp://127.0.0.1',
      'not a url',
      'https://u:p@h.example.com',
    ]) {
      expect(() => resolveEndpoint('dli', { endpoint: bad })).toThrow(InputError);
    }
    expect(() => resolveEndpoint('dli', { endpoint: 'http://10.0.0.5' })).toThrow(
      /endpoint: expected an https:\/\/ URL/,
    );
  });

  it('names the known regions when the region is unknown or missing', () => {
    expect(() => resolveEndpoint('dli', { region: 'mars-north-1' })).toThrow(
      /region: unknown region "mars-north-1"; known regions: af-north-1, .*cn-north-4/,
    );
    expect(() => resolveEndpoint('dli', {})).toThrow(/region: required/);
    expect(KNOWN_REGIONS).toHaveLength(28);
  });
});

describe('credentials from the environment', () => {
  it('reads what huaweicloud/auth-action exports', () => {
    expect(
      settingsFromEnv({
        HUAWEI_CLOUD_ACCESS_KEY_ID: 'AK1',
        HUAWEI_CLOUD_SECRET_ACCESS_KEY: 'SK1',
        HUAWEI_CLOUD_PROJECT_ID: 'p1',
        HUAWEI_CLOUD_REGION: 'cn-north-4',
      }),
    ).toEqual({
      credentials: { accessKey: 'AK1', secretKey: 'SK1' },
      projectId: 'p1',
      region: 'cn-north-4',
      source: 'HUAWEI_CLOUD_*',
    });
  });

  it("reads the official SDKs' variables, security token included", () => {
    expect(
      settingsFromEnv({
        HUAWEICLOUD_SDK_AK: 'AK2',
        HUAWEICLOUD_SDK_SK: 'SK2',
        HUAWEICLOUD_SDK_SECURITY_TOKEN: 'T2',
        HUAWEICLOUD_SDK_PROJECT_ID: 'p2',
      }),
    ).toEqual({
      credentials: { accessKey: 'AK2', secretKey: 'SK2', securityToken: 'T2' },
      projectId: 'p2',
      source: 'HUAWEICLOUD_SDK_*',
    });
  });

  it('prefers the auth-action family and never mixes halves of two key pairs', () => {
    const both = settingsFromEnv({
      HUAWEI_CLOUD_ACCESS_KEY_ID: 'AK1',
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: 'SK1',
      HUAWEICLOUD_SDK_AK: 'AK2',
      HUAWEICLOUD_SDK_SK: 'SK2',
    });
    expect(both.credentials).toEqual({ accessKey: 'AK1', secretKey: 'SK1' });
    const halves = settingsFromEnv({ HUAWEI_CLOUD_ACCESS_KEY_ID: 'AK1', HUAWEICLOUD_SDK_SK: 'SK2' });
    expect(halves.credentials).toBeUndefined();
  });

  it('temporary keys as export_credentials leaves them: the security token goes with the keys it came with', () => {
    const exported = {
      HUAWEI_CLOUD_ACCESS_KEY_ID: 'AK1',
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: 'SK1',
      HUAWEICLOUD_SDK_SECURITY_TOKEN: 'T1',
    };
    expect(settingsFromEnv(exported).credentials).toEqual({
      accessKey: 'AK1',
      secretKey: 'SK1',
      securityToken: 'T1',
    });
    const sdkPair = settingsFromEnv({ ...exported, HUAWEICLOUD_SDK_AK: 'AK2', HUAWEICLOUD_SDK_SK: 'SK2' });
    expect(sdkPair.credentials).toEqual({ accessKey: 'AK1', secretKey: 'SK1' });
  });

  it('an identity provider and id token file as the SDKs read them, when no key pair is set', () => {
    const oidc = { HUAWEICLOUD_SDK_IDP_ID: 'github', HUAWEICLOUD_SDK_ID_TOKEN_FILE: '/run/token' };
    expect(settingsFromEnv(oidc)).toEqual({
      credentials: { idpId: 'github', idTokenFile: '/run/token' },
      source: 'HUAWEICLOUD_SDK_IDP_ID',
    });
    expect(settingsFromEnv({ ...oidc, HUAWEICLOUD_SDK_AK: 'AK2', HUAWEICLOUD_SDK_SK: 'SK2' }).source).toBe(
      'HUAWEICLOUD_SDK_*',
    );
    expect(settingsFromEnv({ HUAWEICLOUD_SDK_IDP_ID: 'github' }).credentials).toBeUndefined();
  });

  it('createClient falls back to the environment and explains what is missing', () => {
    const client = createClient({
      env: {
        HUAWEICLOUD_SDK_AK: 'AK2',
        HUAWEICLOUD_SDK_SK: 'SK2',
        HUAWEICLOUD_SDK_PROJECT_ID: 'abc123',
        HUAWEI_CLOUD_REGION: 'cn-north-4',
      },
    });
    expect(client.projectId).toBe('abc123');
    expect(client.endpointOf('dli').host).toBe('dli.cn-north-4.myhuaweicloud.com');
    expect(() => createClient({ env: {}, projectId: 'abc', region: 'cn-north-4' })).toThrow(
      /credentials: expected an access key and secret key/,
    );
    expect(() =>
      createClient({ env: {}, region: 'cn-north-4', credentials: { accessKey: 'a', secretKey: 'b' } }),
    ).toThrow(/projectId: expected a project id/);
  });

  it('never echoes a credential in its complaint about credentials', () => {
    const secret = 'super-secret-key-value-123456';
    const error = (() => {
      try {
        createClient({
          env: {},
          projectId: 'abc',
          region: 'cn-north-4',
          credentials: { accessKey: '', secretKey: secret },
        });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error?.message).not.toContain(secret);
    expect(error?.message).toContain('accessKey');
  });

  it('needs an endpoint only for the services it is asked to reach', async () => {
    const client = createClient({
      env: {},
      projectId: 'abc123',
      credentials: { accessKey: 'AK', secretKey: 'SK' },
      endpoints: { dli: 'https://dli.private.example.com' },
    });
    expect(client.endpointOf('dli').host).toBe('dli.private.example.com');
    expect(() => client.endpointOf('cdm')).toThrow(/region: required to reach cdm/);
    await expect(client.cdm.getJobStatus('6ec9a0a4-76be-4262-8697-e7af1fac7920', 'job')).rejects.toThrow(
      InputError,
    );
    expect(client.transport.requestCount).toBe(0);
    await client.close();
    // A malformed endpoint or an unknown region is still refused at once.
    expect(() =>
      createClient({
        env: {},
        projectId: 'p',
        credentials: { accessKey: 'a', secretKey: 'b' },
        endpoints: { cdm: 'http://10.0.0.1' },
      }),
    ).toThrow(/endpoints\.cdm/);
    expect(() =>
      createClient({
        env: {},
        projectId: 'p',
        credentials: { accessKey: 'a', secretKey: 'b' },
        region: 'mars-1',
      }),
    ).toThrow(/unknown region/);
  });
});
