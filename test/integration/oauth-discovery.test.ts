/**
 * IssuerURI discovery (RFC 8414) goes through the connection's transport: through ProxyHost, and
 * within WSTimeout, like every other request restsql sends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveEndpoints } from '../../src/auth/oauth/endpoints.js';
import { isRestSqlError } from '../../src/errors/index.js';
import { httpClientFor } from '../../src/http/client.js';
import { loadOptions } from '../../src/options/index.js';
import { startAuthServer } from '../../examples/demo/auth-server.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { startHttpServer } from '../support/loopback-server.js';

test('IssuerURI discovery goes through ProxyHost', async (t) => {
  const auth = await startAuthServer();
  t.after(() => auth.close());
  const proxy = await startConnectProxy();
  t.after(() => proxy.close());
  const options = loadOptions({ connect: `AuthenticationMethod=53;ClientID=c;ClientSecret=s;IssuerURI=${auth.issuer};ProxyHost=127.0.0.1;ProxyPort=${proxy.port}` });
  const http = httpClientFor(options);
  t.after(() => http.close());
  const endpoints = await resolveEndpoints(options, http);
  assert.equal(endpoints.tokenEndpoint, `${auth.issuer}/token`);
  assert.equal(endpoints.issuer, auth.issuer);
  assert.deepEqual([...new Set(proxy.tunnels.map((t) => t.target))], [new URL(auth.issuer).host], 'the metadata request went through the proxy');
});

test('a discovery endpoint that never answers ends within WSTimeout', async (t) => {
  const silent = await startHttpServer(() => {
    // Never answers.
  });
  t.after(() => silent.close());
  const options = loadOptions({ connect: `AuthenticationMethod=53;ClientID=c;ClientSecret=s;IssuerURI=${silent.url};WSTimeout=1;WSRetryCount=0` });
  const http = httpClientFor(options);
  t.after(() => http.close());
  const started = Date.now();
  await assert.rejects(resolveEndpoints(options, http), (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_DISCOVERY' && /WSTimeout=1s/.test(e.message) && isRestSqlError(e.cause) && e.cause.code === 'HTTP_TIMEOUT');
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 3000, `ended after ${took} ms`);
});
