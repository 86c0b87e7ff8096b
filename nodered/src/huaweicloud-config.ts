import {
  createClient,
  EnvHttpProxyAgent,
  InputError,
  type JobGateClient,
  redactor,
  secretsOf,
  settingsFromEnv,
  urlSecrets,
} from './lib/core.js';
import { withOutputGuard } from './lib/guard.js';
import type { Node, NodeAPI, NodeDef } from './lib/node-red.js';
import type { ConfigNode } from './lib/runtime.js';

interface Credentials {
  accessKey: string;
  secretKey: string;
  securityToken: string;
  /** An IAM token (X-Auth-Token), instead of an AK/SK pair. */
  authToken: string;
  /** An OIDC id token to exchange at the identity provider for temporary AK/SK. */
  idToken: string;
}

interface ConfigDef extends NodeDef {
  region?: string;
  projectId?: string;
  endpoint?: string;
  endpointDli?: string;
  endpointDataarts?: string;
  endpointCdm?: string;
  endpointIam?: string;
  /** An IAM identity provider that exchanges an id token (given, or read from idTokenFile) for temporary AK/SK. */
  identityProvider?: string;
  idTokenFile?: string;
  proxy?: string;
}

type HuaweiCloudConfigNode = Node<Credentials> & { client?: JobGateClient; problem?: Error };

// Node-RED replaces a whole-value `${NAME}` with the variable; one still there was not set.
const UNSET_VARIABLE = /^\$\{([^}]+)\}$/;

function setting(field: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const unset = UNSET_VARIABLE.exec(value.trim());
  if (unset) throw new InputError(field, `the environment variable ${unset[1]} is not set`);
  return value.trim();
}

/**
 * A proxy agent for the config's proxy URL. User info moves into the
 * Proxy-Authorization header so that no error text can show it; NO_PROXY is
 * still honoured (hence EnvHttpProxyAgent rather than a plain ProxyAgent).
 */
function proxyAgent(proxy: string): EnvHttpProxyAgent {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new InputError('proxy', 'expected a URL such as http://proxy.example.com:3128');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InputError('proxy', 'expected an http:// or https:// proxy URL');
  const token = url.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    : undefined;
  url.username = '';
  url.password = '';
  const uri = url.toString();
  return new EnvHttpProxyAgent({
    httpProxy: uri,
    httpsProxy: uri,
    keepAliveTimeout: 30_000,
    ...(token ? { token } : {}),
  });
}

/**
 * Every secret this config could hand the core, learned by the one redactor
 * before anything can fail: the core learns them when it makes a client, but a
 * config that cannot make one (a bad region, project id or endpoint beside
 * good keys) must not let a later echo of its keys through either.
 */
function learnSecrets(credentials: Partial<Credentials>, def: ConfigDef): void {
  const own = (value: unknown) =>
    typeof value === 'string' && value.trim() && !UNSET_VARIABLE.test(value.trim())
      ? value.trim()
      : undefined;
  const fromEnv = settingsFromEnv(process.env).credentials;
  redactor.learn(
    own(credentials.secretKey),
    own(credentials.securityToken),
    own(credentials.authToken),
    own(credentials.idToken),
    ...(fromEnv ? secretsOf(fromEnv) : []),
    ...[
      def.proxy,
      def.endpoint,
      def.endpointDli,
      def.endpointDataarts,
      def.endpointCdm,
      def.endpointIam,
    ].flatMap((url) => urlSecrets(own(url))),
    ...['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].flatMap((name) =>
      urlSecrets(process.env[name]),
    ),
  );
}

export = withOutputGuard((RED: NodeAPI) => {
  function HuaweiCloudConfig(this: HuaweiCloudConfigNode & ConfigNode, def: ConfigDef) {
    RED.nodes.createNode(this, def);
    this.name = def.name;
    let dispatcher: EnvHttpProxyAgent | undefined;
    const credentials = this.credentials ?? {};
    learnSecrets(credentials, def);
    try {
      const accessKey = setting('accessKey', credentials.accessKey);
      const secretKey = setting('secretKey', credentials.secretKey);
      const securityToken = setting('securityToken', credentials.securityToken);
      const authToken = setting('authToken', credentials.authToken);
      const identityProvider = setting('identityProvider', def.identityProvider);
      const idToken = setting('idToken', credentials.idToken);
      const idTokenFile = setting('idTokenFile', def.idTokenFile);
      if (identityProvider && !idToken && !idTokenFile)
        throw new InputError('idToken', 'expected an id token or an id token file for the identity provider');
      const proxy = setting('proxy', def.proxy);
      const clientWith = (agent: EnvHttpProxyAgent | undefined) =>
        createClient({
          region: setting('region', def.region),
          projectId: setting('projectId', def.projectId),
          // Left empty, the core reads HUAWEI_CLOUD_* / HUAWEICLOUD_SDK_* from Node-RED's environment.
          credentials:
            accessKey || secretKey
              ? {
                  accessKey: accessKey ?? '',
                  secretKey: secretKey ?? '',
                  ...(securityToken ? { securityToken } : {}),
                }
              : authToken
                ? { authToken }
                : identityProvider
                  ? { idpId: identityProvider, ...(idToken ? { idToken } : { idTokenFile }) }
                  : undefined,
          endpoint: setting('endpoint', def.endpoint),
          endpoints: {
            dli: setting('endpointDli', def.endpointDli),
            dataarts: setting('endpointDataarts', def.endpointDataarts),
            cdm: setting('endpointCdm', def.endpointCdm),
            iam: setting('endpointIam', def.endpointIam),
          },
          http: agent ? { dispatcher: agent } : {},
        });
      dispatcher = proxy ? proxyAgent(proxy) : undefined;
      this.client = clientWith(dispatcher);
      // A client of its own, for work that must outlive the flow's (a stop sent as the flow closes).
      this.ownClient = () => {
        const agent = proxy ? proxyAgent(proxy) : undefined;
        const client = clientWith(agent);
        return {
          client,
          close: async () => {
            await Promise.allSettled([client.close(), agent?.close()]);
          },
        };
      };
    } catch (error) {
      // Logged once here, and reported by each node that uses this config with its msg, so that Catch
      // nodes see it. The core's messages about credentials never echo them.
      this.problem = error instanceof Error ? error : new Error(String(error));
      this.error(this.problem.message);
      void dispatcher?.close();
      dispatcher = undefined;
    }
    this.on('close', (_removed, done) => {
      const client = this.client;
      this.client = undefined;
      // The nodes using this client abort their requests as they close, so the pools drain at once.
      void Promise.allSettled([client?.close(), dispatcher?.close()]).then(() => done());
    });
  }

  RED.nodes.registerType('huaweicloud-config', HuaweiCloudConfig as never, {
    credentials: {
      accessKey: { type: 'text' },
      secretKey: { type: 'password' },
      securityToken: { type: 'password' },
      authToken: { type: 'password' },
      idToken: { type: 'password' },
    },
  });
});
