// The parts of undici the transport uses, without its entry point. The entry loads everything undici
// has (fetch, WebSocket, EventSource, the cache, mocks, interceptors, zlib, worker_threads), and its
// cookie helpers read `globalThis.Headers`, which makes Node load its own copy of undici as well. A
// process that waits on a job needs a keep-alive agent that honours the proxy variables, and the
// request API. undici has no `exports` map: these are its own files, named in its `lib/`.

import api from 'undici/lib/api/index.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';

// What undici's entry does first: every dispatcher gets `request`, and `connect`, with which the proxy
// agent opens its tunnel.
Object.assign(Dispatcher.prototype, api);

export { EnvHttpProxyAgent };

/**
 * undici's `request` on a dispatcher (`this`), as `undici.request(url, { dispatcher })` calls it: any
 * dispatcher will do, one of another copy of undici or any object with a `dispatch` method.
 */
export const requestOn = api.request;
