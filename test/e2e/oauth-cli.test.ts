/**
 * OAuth2-PKCE (AuthenticationMethod=56) end to end: the real CLI, a real authorization server
 * (oidc-provider on loopback) and a form-filling browser stand-in as $BROWSER.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chownSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_CLIENT } from '../../examples/demo/auth-server.js';
import { httpBrowser } from '../../examples/demo/browser-stand-in.js';
import { ROOT, runCli } from '../support/cli.js';
import { redirectPort, spawnCli, startOAuthWorld, tokenFields, type OAuthWorld } from '../support/oauth.js';

const SQL = 'SELECT id, name FROM customers ORDER BY id LIMIT 2';
const ROWS = /101 \| Ada Lovelace\n102 \| Grace Hopper/;

async function withWorld(fn: (w: OAuthWorld) => Promise<void>, o: Parameters<typeof startOAuthWorld>[0] = {}): Promise<void> {
  const w = await startOAuthWorld(o);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

function cached(w: OAuthWorld): { accessToken: string; refreshToken?: string; expiresAt?: number } {
  const files = w.cacheFiles();
  assert.equal(files.length, 1, 'one cache file');
  return (JSON.parse(readFileSync(files[0]!, 'utf8')) as { token: { accessToken: string; refreshToken?: string; expiresAt?: number } }).token;
}

test('one login in the browser, then new processes reuse the cached token without a browser', async () => {
  await withWorld(async (w) => {
    const first = await w.cli(['query', '-c', w.conn(), SQL]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, ROWS);
    assert.match(first.stderr, /To log in, open this URL in a browser:\n\n {2}http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    assert.equal(w.auth.logins(), 1);

    // What the browser was sent to: RFC 7636 S256, the exact redirect_uri and scope, a state.
    const opened = new URL(w.standIn()[0]!.replace(/^open /, ''));
    assert.equal(opened.searchParams.get('client_id'), DEMO_CLIENT.id);
    assert.equal(opened.searchParams.get('redirect_uri'), `http://localhost:${w.redirectPort}`);
    assert.equal(opened.searchParams.get('scope'), 'openid api:read');
    assert.equal(opened.searchParams.get('code_challenge_method'), 'S256');
    assert.match(opened.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(opened.searchParams.get('state')!, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual((await w.standInUntil()).slice(1), ['callback code', 'listener 200']);

    // The token request: authorization_code with Basic client authentication (ClientCredentialsMode default 0).
    assert.deepEqual(w.auth.tokenRequests.map((r) => [r.grantType, r.mode, r.method, r.status]), [['authorization_code', 'basic', 'POST', 200]]);
    // Every API request carried the bearer token.
    assert.ok(w.api.headers.length > 0);
    for (const h of w.api.headers) assert.match(String(h.authorization), /^Bearer \S+$/);

    // The cache: 0600 file in a 0700 directory, without the client secret.
    const [file] = w.cacheFiles();
    assert.equal(statSync(file!).mode & 0o777, 0o600);
    assert.equal(statSync(join(w.home, 'tokens')).mode & 0o777, 0o700);
    assert.doesNotMatch(readFileSync(file!, 'utf8'), new RegExp(DEMO_CLIENT.secret));

    const second = await w.cli(['query', '-c', w.conn(), SQL]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, ROWS);
    assert.doesNotMatch(second.stderr, /log in/i);
    assert.equal(w.auth.logins(), 1, 'no second login');
    assert.equal(w.standIn().filter((l) => l.startsWith('open ')).length, 1, 'the browser opened once');

    const status = await w.cli(['token', '-c', w.conn()]);
    assert.equal(status.code, 0, status.stderr);
    const fields = tokenFields(status.stdout);
    assert.equal(fields.cached, 'yes');
    assert.match(fields.expires!, /^\d{4}-\d\d-\d\dT.*\(in (59|60) min\)$/);
    assert.equal(fields.scope, 'openid api:read');
    assert.equal(fields['refresh token'], 'yes');
    const token = cached(w);
    assert.ok(!status.stdout.includes(token.accessToken) && !status.stdout.includes(token.refreshToken!), 'restsql token never prints a token');
  });
});

test('ClientCredentialsMode 0-3 and a public client authenticate as the seed says, as the server recorded', async () => {
  await withWorld(async (w) => {
    const cases: { set: Record<string, string | undefined>; mode: string }[] = [
      { set: { ClientCredentialsMode: '0' }, mode: 'basic' },
      { set: { ClientCredentialsMode: 'Basic' }, mode: 'basic' },
      { set: { ClientCredentialsMode: '2' }, mode: 'query' },
      { set: { ClientCredentialsMode: '3' }, mode: 'post' },
      // A secret with reserved characters is form-urlencoded before Basic (RFC 6749 §2.3.1).
      { set: { ClientID: 'conf-post', ClientSecret: '${ODD_SECRET}', ClientCredentialsMode: '1' }, mode: 'basic' },
      { set: { ClientID: 'cli-public', ClientSecret: undefined }, mode: 'none' },
    ];
    for (const c of cases) {
      const r = await w.cli(['login', '-c', w.conn(c.set)], { ODD_SECRET: 'p@ss:w+rd/%&=' });
      assert.equal(r.code, 0, `${JSON.stringify(c.set)}: ${r.stderr}`);
      const last = w.auth.tokenRequests.at(-1)!;
      assert.deepEqual([last.grantType, last.mode, last.status], ['authorization_code', c.mode, 200], JSON.stringify(c.set));
    }
  });
});

test('TokenURI with a GET prefix sends the token request as GET; no prefix sends POST', async () => {
  await withWorld(async (w) => {
    const r = await w.cli(['login', '-c', w.conn({ TokenURI: `'GET ${w.auth.issuer}/token'` })]);
    assert.equal(r.code, 0, r.stderr);
    const noPrefix = await w.cli(['login', '-c', w.conn({ TokenURI: `${w.auth.issuer}/token` })]);
    assert.equal(noPrefix.code, 0, noPrefix.stderr);
    assert.deepEqual(w.auth.tokenRequests.map((x) => [x.method, x.status]), [['GET', 200], ['POST', 200]]);
  });
});

test('an https:// RedirectURI is served over TLS with a self-signed localhost certificate, announced once', async () => {
  const port = await redirectPort();
  const redirect = `https://localhost:${port}`;
  const web = { client_id: 'web-https', client_secret: 'web-secret-1234', token_endpoint_auth_method: 'client_secret_basic' as const, application_type: 'web' as const, redirect_uris: [redirect], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code' as const] };
  await withWorld(async (w) => {
    const conn = w.conn({ ClientID: 'web-https', ClientSecret: '${WEB_SECRET}', RedirectURI: redirect });
    const first = await w.cli(['query', '-c', conn, SQL], { WEB_SECRET: 'web-secret-1234' });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, ROWS);
    assert.match(first.stderr, /self-signed/i);
    assert.ok(statSync(join(w.home, 'tls')).isDirectory());
    const again = await w.cli(['login', '-c', conn], { WEB_SECRET: 'web-secret-1234' });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /self-signed/i, 'told once');
    assert.equal(w.auth.logins(), 2);
    assert.ok(w.standIn().includes('listener 200'));
    const cert = new X509Certificate(readFileSync(join(w.home, 'tls', 'loopback-cert.pem')));
    assert.match(cert.subjectAltName ?? '', /DNS:localhost.*IP Address:127\.0\.0\.1/);
    assert.equal(statSync(join(w.home, 'tls', 'loopback-key.pem')).mode & 0o777, 0o600);
    // A certificate named by options is used as given.
    const own = w.conn({ ClientID: 'web-https', ClientSecret: '${WEB_SECRET}', RedirectURI: redirect, RedirectTLSCert: join(w.home, 'tls', 'loopback-cert.pem'), RedirectTLSKey: join(w.home, 'tls', 'loopback-key.pem') });
    const third = await w.cli(['login', '-c', own], { WEB_SECRET: 'web-secret-1234' });
    assert.equal(third.code, 0, third.stderr);
    const missing = await w.cli(['login', '-c', own.replace('loopback-cert.pem', 'nope.pem')], { WEB_SECRET: 'web-secret-1234' });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error\[CONFIG_INVALID_VALUE\]: RedirectTLSCert: cannot read .*nope\.pem/);
  }, { extraClients: [web] });
});

test('a forged callback (wrong state) is ignored: the login waits for the real one and completes', async () => {
  await withWorld(async (w) => {
    const r = await w.cli(['query', '-c', w.conn(), SQL], { RESTSQL_STANDIN_MODE: 'forge-first' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await w.standInUntil()).filter((l) => /^(forged|listener) /.test(l)), ['forged 400', 'listener 200']);
    assert.equal(w.cacheFiles().length, 1);
  });
});

test('only a tampered-state callback: ignored (HTTP 400), the login times out saying so, nothing cached', async () => {
  await withWorld(async (w) => {
    const r = await w.cli(['query', '-c', w.conn({ LoginTimeout: '2' }), SQL], { RESTSQL_STANDIN_MODE: 'tamper-state' });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /error\[AUTH_TIMEOUT\]: The login was not completed within 2 seconds\. 1 callback with a state not of this login \(forged, or from an old login\) was ignored\./);
    assert.match(r.stderr, /^hint: /m);
    assert.equal(r.stdout, '');
    assert.equal(w.cacheFiles().length, 0);
    assert.equal((await w.standInUntil()).at(-1), 'listener 400');
    assert.equal(w.auth.tokenRequests.length, 0, 'no code was exchanged');
  });
});

test('refused logins: wrong iss, access_denied — exit 3 with a clear error, nothing cached', async () => {
  await withWorld(async (w) => {
    const cases = [
      { mode: 'wrong-iss', code: 'AUTH_ISSUER_MISMATCH', text: /issuer 'https:\/\/evil\.example\/?'/ },
      { mode: 'deny', code: 'AUTH_DENIED', text: /refused the login: access_denied/ },
    ];
    for (const c of cases) {
      const r = await w.cli(['query', '-c', w.conn(), SQL], { RESTSQL_STANDIN_MODE: c.mode });
      assert.equal(r.code, 3, `${c.mode}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`error\\[${c.code}\\]`), c.mode);
      assert.match(r.stderr, c.text, c.mode);
      assert.match(r.stderr, /^hint: /m);
      assert.equal(r.stdout, '');
      assert.equal(w.cacheFiles().length, 0);
      // The browser was shown the failure page (HTTP 400), not a success. The CLI exits as soon as
      // it has answered; the stand-in (another process) logs what it was shown a moment later.
      assert.equal((await w.standInUntil()).at(-1), 'listener 400', c.mode);
    }
    assert.equal(w.auth.tokenRequests.length, 0, 'no code was exchanged');
  });
});

test('a RedirectURI port already in use fails at once with a hint; the browser is never opened', async () => {
  await withWorld(async (w) => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(w.redirectPort, '127.0.0.1', r));
    try {
      const r = await w.cli(['query', '-c', w.conn(), SQL]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`error\\[AUTH_LISTENER\\]: RedirectURI: port ${w.redirectPort} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(r.stderr, /hint: Stop the program using port/);
      assert.deepEqual(w.standIn(), []);
    } finally {
      blocker.close();
    }
  });
});

test('a RedirectURI port below 1024 without privileges fails at once with a hint', async (t) => {
  // As root, run the CLI as "nobody"; otherwise as ourselves. Where anyone may bind port 80 the
  // case cannot happen, and the test says so by skipping.
  const unprivilegedStart = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  if (unprivilegedStart <= 80) return t.skip('this machine lets every user bind port 80');
  const uid = process.getuid?.() === 0 ? 65534 : undefined;
  if (uid !== undefined && spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'dist', 'src', 'cli', 'main.js'))})`], { uid, gid: uid }).status !== 0) {
    return t.skip('the checkout is not readable by user nobody');
  }
  await withWorld(async (w) => {
    if (uid !== undefined) chownSync(w.home, uid, uid);
    const r = await runCli(['query', '-c', w.conn({ RedirectURI: 'http://127.0.0.1:80/callback' }), SQL], { env: w.env(), ...(uid !== undefined ? { uid } : {}) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error\[AUTH_LISTENER\]: RedirectURI: this process may not listen on port 80 \(ports below 1024 need privileges\)/);
    assert.match(r.stderr, /hint: Register a redirect URI with a port of 1024 or above/);
    assert.deepEqual(w.standIn(), []);
  });
});

test('a login nobody completes times out after LoginTimeout', async () => {
  await withWorld(async (w) => {
    const r = await w.cli(['query', '-c', w.conn({ LoginTimeout: '1' }), SQL], { RESTSQL_STANDIN_MODE: 'ignore' });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /error\[AUTH_TIMEOUT\]: The login was not completed within 1 seconds/);
    assert.match(r.stderr, /LoginTimeout/);
    // The listener is closed: the port is free again.
    await new Promise<void>((resolve, reject) => {
      const s = createServer().once('error', reject).listen(w.redirectPort, '127.0.0.1', () => s.close(() => resolve()));
    });
  });
});

test('Ctrl-C while waiting for the browser cancels the login and frees the port', async () => {
  await withWorld(async (w) => {
    const run = spawnCli(['query', '-c', w.conn(), SQL], w.env({ RESTSQL_STANDIN_MODE: 'ignore' }));
    await run.stderrUntil(/Waiting for the browser/);
    // The browser (the stand-in, a process of its own that restsql does not wait for) has started
    // and logged into $RESTSQL_HOME: otherwise it could write there while the test removes it.
    await w.standInUntil(/^open /);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /cancelled/);
    await new Promise<void>((resolve, reject) => {
      const s = createServer().once('error', reject).listen(w.redirectPort, '127.0.0.1', () => s.close(() => resolve()));
    });
  });
});

test('an expired access token is refreshed (no browser), and the rotated refresh token is saved at once', async () => {
  await withWorld(async (w) => {
    assert.equal((await w.cli(['login', '-c', w.conn()])).code, 0);
    const before = cached(w);
    w.expireCachedToken();
    const r = await w.cli(['query', '-c', w.conn(), SQL]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, ROWS);
    assert.equal(w.auth.logins(), 1, 'refreshed, not logged in again');
    assert.deepEqual(w.auth.tokenRequests.map((x) => [x.grantType, x.status]), [['authorization_code', 200], ['refresh_token', 200]]);
    const after = cached(w);
    assert.notEqual(after.accessToken, before.accessToken);
    assert.ok(after.refreshToken && after.refreshToken !== before.refreshToken, 'rotated refresh token saved');
  });
});

test('a 401 from the API makes restsql refresh once and retry', async () => {
  await withWorld(async (w) => {
    assert.equal((await w.cli(['login', '-c', w.conn()])).code, 0);
    // The server forgets the access token although the cache still thinks it fresh.
    const at = await w.auth.provider.AccessToken.find(cached(w).accessToken);
    await at!.destroy();
    const r = await w.cli(['query', '-c', w.conn(), SQL]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, ROWS);
    assert.deepEqual(w.auth.tokenRequests.map((x) => x.grantType), ['authorization_code', 'refresh_token']);
    assert.equal(w.auth.logins(), 1);
  });
});

test('a revoked refresh token leads to a new browser login, and the query still answers', async () => {
  await withWorld(async (w) => {
    assert.equal((await w.cli(['login', '-c', w.conn()])).code, 0);
    const rt = await w.auth.provider.RefreshToken.find(cached(w).refreshToken!);
    await rt!.destroy();
    w.expireCachedToken();
    const r = await w.cli(['query', '-c', w.conn(), SQL]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, ROWS);
    assert.match(r.stderr, /refresh token is no longer accepted \(invalid_grant\); a new login is needed/);
    assert.deepEqual(w.auth.tokenRequests.map((x) => [x.grantType, x.error ?? 'ok']), [['authorization_code', 'ok'], ['refresh_token', 'invalid_grant'], ['authorization_code', 'ok']]);
    assert.equal(w.auth.logins(), 2);
  });
});

test('logout revokes the tokens at the server and forgets them; token then says nothing is cached', async () => {
  await withWorld(async (w) => {
    assert.equal((await w.cli(['login', '-c', w.conn()])).code, 0);
    const t = cached(w);
    assert.equal(await w.auth.verify(t.accessToken), true);
    const r = await w.cli(['logout', '-c', w.conn({ IssuerURI: w.auth.issuer })]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /logged out: cached tokens removed and revoked at the server/);
    assert.equal(await w.auth.verify(t.accessToken), false);
    assert.equal(await w.auth.provider.RefreshToken.find(t.refreshToken!), undefined);
    assert.deepEqual(w.cacheFiles(), []);
    const s = await w.cli(['token', '-c', w.conn()]);
    assert.equal(tokenFields(s.stdout).cached, 'no (the next command logs in)');
    const again = await w.cli(['logout', '-c', w.conn()]);
    assert.match(again.stderr, /no tokens were cached/);
  });
});

test('headless (--no-browser): the URL is printed and the redirected URL pasted on stdin completes the login', async () => {
  await withWorld(async (w) => {
    const run = spawnCli(['query', '--no-browser', '-c', w.conn(), SQL], w.env());
    const [, url] = await run.stderrUntil(/\n {2}(http\S+)\n/);
    await run.stderrUntil(/paste that whole address here/);
    // The person logs in on another machine; the browser there cannot reach this loopback listener.
    const r = await httpBrowser(url!, { stopAt: `http://localhost:${w.redirectPort}` });
    assert.ok(r.redirect, 'the login ended at the redirect URI');
    run.child.stdin.write(`  ${r.redirect.href}  \n`);
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, ROWS);
    assert.deepEqual(w.standIn(), [], '$BROWSER was not used');
    assert.equal(w.auth.logins(), 1);
  });
});

test('IssuerURI alone: endpoints come from RFC 8414 metadata; --device logs in with RFC 8628', async () => {
  await withWorld(async (w) => {
    const conn = w.conn({ AuthURI: undefined, TokenURI: undefined, IssuerURI: w.auth.issuer });
    const browser = await w.cli(['query', '-c', conn, SQL]);
    assert.equal(browser.code, 0, browser.stderr);
    assert.match(browser.stdout, ROWS);
    assert.equal(w.auth.tokenRequests.at(-1)?.grantType, 'authorization_code');

    const device = await w.cli(['login', '--device', '-c', conn]);
    assert.equal(device.code, 0, device.stderr);
    assert.match(device.stderr, /To log in, open http:\/\/127\.0\.0\.1:\d+\/device and enter the code [A-Z]{4}-[A-Z]{4}/);
    assert.ok(w.standIn().includes('device done'), w.standIn().join('\n'));
    assert.equal(w.auth.tokenRequests.at(-1)?.grantType, 'urn:ietf:params:oauth:grant-type:device_code');
    const q = await w.cli(['query', '-c', conn, SQL]);
    assert.equal(q.code, 0, q.stderr);
  });
});

test('AuthHeader/SecurityToken is sent with the bearer token on every request (the seed tenant-header case)', async () => {
  await withWorld(async (w) => {
    const conn = w.conn({ RestSamplePath: `${w.api.baseUrl}/v1/secure`, Table: 'secure', AuthHeader: 'X-Tenant', SecurityToken: '${TENANT}' });
    const r = await w.cli(['query', '-c', conn, 'SELECT count(*) AS n FROM secure'], { TENANT: 'acme' });
    assert.equal(r.code, 0, r.stderr);
    const h = w.api.headers.at(-1)!;
    assert.equal(h['x-tenant'], 'acme');
    assert.match(String(h.authorization), /^Bearer /);
  });
});

test('bad OAuth options: exit 2 naming the option, before any network use', async () => {
  await withWorld(async (w) => {
    const cases: { set: Record<string, string | undefined>; culprit: RegExp }[] = [
      { set: { ClientID: undefined }, culprit: /ClientID/ },
      { set: { AuthURI: undefined }, culprit: /AuthURI/ },
      { set: { TokenURI: undefined }, culprit: /TokenURI/ },
      { set: { RedirectURI: undefined }, culprit: /RedirectURI/ },
      { set: { RedirectURI: 'http://localhost' }, culprit: /RedirectURI.*port/ },
      { set: { RedirectURI: 'http://example.com:8080' }, culprit: /RedirectURI.*loopback/ },
      { set: { AuthHeader: 'X-Tenant' }, culprit: /SecurityToken/ },
      { set: { ClientSecret: '${NOT_SET_ANYWHERE}' }, culprit: /NOT_SET_ANYWHERE/ },
    ];
    for (const c of cases) {
      const r = await w.cli(['query', '-c', w.conn(c.set), SQL]);
      assert.equal(r.code, 2, `${JSON.stringify(c.set)}: ${r.stderr}`);
      assert.match(r.stderr, /^restsql: error\[CONFIG_[A-Z_]+\]: /, JSON.stringify(c.set));
      assert.match(r.stderr.split('\n')[0]!, c.culprit, JSON.stringify(c.set));
    }
    assert.deepEqual(w.standIn(), []);
    assert.equal(w.api.requests.length, 0);
  });
});

test('a refusal by the token endpoint: exit 3 with its error and description, never the secret', async () => {
  await withWorld(async (w) => {
    const wrong = 'definitely-wrong-secret-5551';
    const r = await w.cli(['query', '-c', w.conn(), SQL], { TEST_CLIENT_SECRET: wrong, RESTSQL_DEBUG: '1' });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /error\[AUTH_TOKEN_ERROR\]: The token endpoint http:\/\/127\.0\.0\.1:\d+\/token refused the authorization_code request \(HTTP 401\): invalid_client \(client authentication failed\)/);
    assert.match(r.stderr, /hint: Check ClientID, ClientSecret and ClientCredentialsMode/);
    assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
    assert.ok(!r.stderr.includes(Buffer.from(`${DEMO_CLIENT.id}:${wrong}`).toString('base64')));
  });
});

test('secret leak: no client secret, code, verifier or token in any output (debug on) or, beyond the tokens, in the cache', async () => {
  await withWorld(async (w) => {
    const outputs: string[] = [];
    const tokens = new Set<string>();
    const debug = { RESTSQL_DEBUG: '1' };
    const run = async (args: string[], env: NodeJS.ProcessEnv = {}, expected = 0) => {
      const r = await w.cli(args, { ...debug, ...env });
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, expected, r.stderr);
      for (const f of w.cacheFiles()) {
        const text = readFileSync(f, 'utf8');
        const t = (JSON.parse(text) as { token: { accessToken: string; refreshToken?: string } }).token;
        tokens.add(t.accessToken);
        if (t.refreshToken) tokens.add(t.refreshToken);
        assert.ok(!text.includes(DEMO_CLIENT.secret), 'the cache never holds the client secret');
        for (const s of w.auth.tokenRequests.flatMap((x) => x.secrets)) if (!tokens.has(s)) assert.ok(!text.includes(s), 'no code or verifier in the cache');
      }
    };
    // Credentials in the token URL query (ClientCredentialsMode=2) and a GET token request put the
    // secret, the code and the verifier into URLs: debug logs must still mask them.
    const urlMode = w.conn({ ClientCredentialsMode: '2', TokenURI: `'GET ${w.auth.issuer}/token'` });
    await run(['login', '-c', urlMode]);
    await run(['query', '-c', urlMode, SQL]);
    w.expireCachedToken();
    await run(['query', '-c', urlMode, SQL]); // refresh
    await run(['token', '-c', urlMode, '--format', 'json']);
    await run(['login', '-c', w.conn()], { TEST_CLIENT_SECRET: 'wrong-secret-4242' }, 3);
    await run(['logout', '-c', urlMode]);
    // A login, the refresh, and the refused login with the wrong secret.
    const grants = w.auth.tokenRequests.map((x) => x.grantType);
    assert.equal(grants[0], 'authorization_code');
    assert.ok(grants.includes('refresh_token'), grants.join());
    assert.equal(grants.at(-1), 'authorization_code');
    const all = outputs.join('\n');
    assert.match(all, /restsql: debug: /, 'debug output was on');
    const secrets = [
      DEMO_CLIENT.secret,
      encodeURIComponent(DEMO_CLIENT.secret),
      'wrong-secret-4242',
      Buffer.from(`${DEMO_CLIENT.id}:${DEMO_CLIENT.secret}`).toString('base64'),
      ...w.auth.tokenRequests.flatMap((x) => x.secrets),
      ...tokens,
    ];
    assert.ok(tokens.size >= 4, 'saw two access and two refresh tokens');
    for (const s of secrets) assert.ok(!all.includes(s), `a secret (${s.slice(0, 4)}…, ${s.length} chars) leaked into the output`);
  });
});

test('three processes with an expired token refresh it once between them (file lock), none logs in again', async () => {
  await withWorld(async (w) => {
    assert.equal((await w.cli(['login', '-c', w.conn()])).code, 0);
    w.expireCachedToken();
    const results = await Promise.all([1, 2, 3].map(() => w.cli(['query', '-c', w.conn(), SQL])));
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, ROWS);
    }
    // With rotation, a second refresh with the same refresh token would be refused (invalid_grant).
    assert.deepEqual(w.auth.tokenRequests.map((x) => [x.grantType, x.status]), [['authorization_code', 200], ['refresh_token', 200]]);
    assert.equal(w.auth.logins(), 1);
  });
});
