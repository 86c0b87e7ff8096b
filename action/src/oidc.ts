// GitHub's id token, bundled apart (dist/oidc): @actions/core's index brings its HTTP client (https, tls,
// a tunnel and a whole second undici), which only a step with `identity_provider` needs.
export { getIDToken } from '@actions/core';
