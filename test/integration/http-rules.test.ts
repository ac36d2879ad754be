/** #http REAUTHENTICATE and RESET: the authenticator is asked for new credentials and the request is sent again, once. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHttpClient } from '../../src/http/client.js';
import type { Authenticator, HttpRequest } from '../../src/http/contract.js';
import { isRestSqlError } from '../../src/errors/index.js';
import { within } from '../support/deadline.js';
import { startFixtureApi, type FixtureApi } from '../support/fixture-api.js';

let api: FixtureApi;
before(async () => {
  api = await startFixtureApi();
});
after(() => api.close());

/** Counts re-authentications and stamps each request with the credential generation. */
function countingAuth(): Authenticator & { renewals: number } {
  const a = {
    renewals: 0,
    async authorize(req: HttpRequest) {
      return { ...req, headers: { ...req.headers, authorization: `Bearer gen-${a.renewals}` } };
    },
    async onUnauthorized() {
      a.renewals++;
      return true;
    },
  };
  return a;
}

for (const action of ['REAUTHENTICATE', 'RESET'] as const) {
  test(`#http ${action}: new credentials, then the request again; a second refusal fails`, async () => {
    const auth = countingAuth();
    const http = createHttpClient({ timeoutSeconds: 10, retries: 3, authenticator: auth });
    try {
      const rules = [{ code: 403, action, match: 'failing' }] as const;
      const key = `${action}-1`;
      const res = await http.send({ url: `${api.baseUrl}/plain/items?fail=403&times=1&key=${key}`, rules });
      assert.equal(res.status, 200);
      assert.equal(auth.renewals, 1);
      const sent = api.requests.filter((r) => r.url.includes(`key=${key}`)).map((r) => r.headers.authorization);
      assert.deepEqual(sent, ['Bearer gen-0', 'Bearer gen-1']);

      await assert.rejects(http.send({ url: `${api.baseUrl}/plain/items?fail=403&times=5&key=${action}-2`, rules }), (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_FAILED');
      assert.equal(auth.renewals, 2, 'one renewal per request, not a loop');
    } finally {
      await http.close();
    }
  });
}

test('a 401 renewed through the same transport on the same origin with HostConcurrency=1: the renewal gets the slot (no deadlock)', async () => {
  // The API client and the transport that obtains credentials share one host gate (derive): a
  // token endpoint on the API's own host must not wait for the slot its 401'd request holds.
  const transport = createHttpClient({ timeoutSeconds: 10, retries: 0, hostConcurrency: 1 });
  let renewals = 0;
  const auth: Authenticator = {
    async authorize(req: HttpRequest) {
      return { ...req, headers: { ...req.headers, authorization: `Bearer gen-${renewals}` } };
    },
    async onUnauthorized() {
      // The "token request": the same origin, through the transport, while the 401 is being handled.
      const token = await transport.send({ url: `${api.baseUrl}/plain/items?key=renew-token` });
      assert.equal(token.status, 200);
      renewals++;
      return true;
    },
  };
  const http = transport.derive({ authenticator: auth });
  try {
    const res = await within(20_000, 'the request renewed through the shared gate', http.send({ url: `${api.baseUrl}/plain/items?fail=401&times=1&key=renew-1` }));
    assert.equal(res.status, 200);
    assert.equal(renewals, 1);
    assert.deepEqual(api.requests.filter((r) => r.url.includes('key=renew-1')).map((r) => r.headers.authorization), ['Bearer gen-0', 'Bearer gen-1']);
  } finally {
    await transport.close();
  }
});
