/** OAuthSession against a real oidc-provider: single-flight refresh in one process, status, login required. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OAuthSession } from '../../src/auth/oauth/session.js';
import { httpClientFor } from '../../src/http/client.js';
import { loadOptions } from '../../src/options/index.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { DEMO_CLIENT, startAuthServer } from '../../examples/demo/auth-server.js';
import { standIn } from '../../examples/demo/browser-stand-in.js';
import { isRestSqlError } from '../../src/errors/index.js';
import { redirectPort } from '../support/oauth.js';

async function setup(ttl: number) {
  const auth = await startAuthServer({ accessTokenTtl: ttl });
  // The sessions' clock: tests move it forward instead of sleeping until a token expires.
  const clock = { at: Date.now(), now: () => clock.at };
  const home = await mkdtemp(join(tmpdir(), 'restsql-session-'));
  const port = await redirectPort();
  const options = loadOptions({
    connect: `AuthenticationMethod=56;ClientID=${DEMO_CLIENT.id};ClientSecret=\${S};AuthURI=${auth.issuer}/auth;TokenURI=${auth.issuer}/token;RedirectURI=http://127.0.0.1:${port}/callback;Scope=openid;LoginTimeout=30`,
    env: { S: DEMO_CLIENT.secret },
  });
  const transport = httpClientFor(options);
  const session = (interactive = true) =>
    new OAuthSession(options, { stateDir: home, logger: SILENT_LOGGER, transport, now: clock.now, ui: { interactive, notify: () => {}, openBrowser: async (url) => void standIn(url, {}).catch(() => {}) } });
  return {
    auth,
    home,
    clock,
    session,
    close: async () => {
      await transport.close();
      await auth.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

test('concurrent callers in one process share one refresh (single-flight)', async () => {
  const s = await setup(3600);
  try {
    const a = s.session();
    const first = await a.accessToken();
    assert.equal(s.auth.logins(), 1);
    assert.equal((await a.accessToken()).accessToken, first.accessToken, 'fresh: no refresh');
    // An hour and a second later by the session's clock, the token has expired.
    s.clock.at += 3601_000;
    const tokens = await Promise.all(Array.from({ length: 8 }, () => a.accessToken()));
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    assert.notEqual(tokens[0]!.accessToken, first.accessToken);
    assert.deepEqual(s.auth.tokenRequests.map((x) => x.grantType), ['authorization_code', 'refresh_token']);
    const status = await a.status();
    assert.equal(status.cached, true);
    assert.equal(status.hasRefreshToken, true);
    assert.equal(JSON.stringify(status).includes(tokens[0]!.accessToken), false);
    await a.close();
  } finally {
    await s.close();
  }
});

test('a process that may not log in (interactive: false) gets AUTH_LOGIN_REQUIRED, and a cached token still works for it', async () => {
  const s = await setup(3600);
  try {
    const batch = s.session(false);
    await assert.rejects(batch.accessToken(), (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_LOGIN_REQUIRED' && /restsql login/.test(e.hint ?? ''));
    assert.equal(s.auth.logins(), 0);
    const person = s.session(true);
    await person.login();
    const t = await batch.accessToken();
    assert.equal(await s.auth.verify(t.accessToken), true);
    await batch.close();
    await person.close();
  } finally {
    await s.close();
  }
});
