import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildAuthorizationUrl } from '../../../src/auth/oauth/authorize-url.js';
import { browserCommand, canOpenBrowser, splitCommand } from '../../../src/auth/oauth/browser.js';
import { parseTokenUri } from '../../../src/auth/oauth/endpoints.js';
import { bindAddresses, checkCallback } from '../../../src/auth/oauth/loopback-listener.js';
import { createPkce, createState } from '../../../src/auth/oauth/pkce.js';
import { clientAuthFromMode, parseTokenResponse } from '../../../src/auth/oauth/token-endpoint.js';
import { Secret, isRestSqlError } from '../../../src/errors/index.js';
import type { HttpResponse } from '../../../src/http/contract.js';
import { SILENT_LOGGER } from '../../../src/util/logger.js';

function response(status: number, body: string): HttpResponse {
  return { status, url: 'https://as.example/token', headers: {}, body: Buffer.from(body) } as unknown as HttpResponse;
}

test('PKCE: a fresh 43-character verifier and its S256 challenge each time (RFC 7636 §4.1-4.2)', async () => {
  const a = await createPkce();
  const b = await createPkce();
  assert.match(a.verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a.verifier, b.verifier);
  assert.equal(a.challenge, createHash('sha256').update(a.verifier).digest('base64url'));
  assert.equal(a.method, 'S256');
  assert.notEqual(createState(), createState());
});

test('the authorization URL keeps AuthURI query parameters and sends redirect_uri and scope exactly', () => {
  const url = new URL(buildAuthorizationUrl({ authorizationEndpoint: 'https://as.example/authorize?tenant=t1', clientId: 'c 1', redirectUri: 'http://localhost:8080', scope: 'user-read-private  playlist:read', state: 's', codeChallenge: 'x' }));
  assert.equal(url.searchParams.get('tenant'), 't1');
  assert.equal(url.searchParams.get('client_id'), 'c 1');
  assert.equal(url.searchParams.get('redirect_uri'), 'http://localhost:8080');
  assert.equal(url.searchParams.get('scope'), 'user-read-private  playlist:read');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('response_type'), 'code');
});

test('TokenURI: a GET or POST prefix picks the method; no prefix is POST', () => {
  assert.deepEqual(parseTokenUri('POST https://a/token'), { method: 'POST', url: 'https://a/token' });
  assert.deepEqual(parseTokenUri('get https://a/token'), { method: 'GET', url: 'https://a/token' });
  assert.deepEqual(parseTokenUri(' https://a/token '), { method: 'POST', url: 'https://a/token' });
});

test('token responses are read leniently', () => {
  const now = 1_000_000;
  const cases: { body: string; expect: Partial<ReturnType<typeof parseTokenResponse>> }[] = [
    { body: '{"access_token":"a","token_type":"Bearer","expires_in":3600}', expect: { tokenType: 'Bearer', expiresAt: now + 3_600_000 } },
    { body: '{"access_token":"a","token_type":"bearer","expires_in":"60"}', expect: { tokenType: 'Bearer', expiresAt: now + 60_000 } },
    { body: '{"access_token":"a"}', expect: { tokenType: 'Bearer', expiresAt: undefined } },
    { body: '{"access_token":"a","token_type":"MAC","refresh_token":"r","scope":"x y"}', expect: { tokenType: 'MAC', refreshToken: 'r', scope: 'x y' } },
    { body: 'access_token=a&token_type=bearer&expires=120', expect: { tokenType: 'Bearer', expiresAt: now + 120_000 } },
  ];
  for (const c of cases) {
    const t = parseTokenResponse(response(200, c.body), 'authorization_code', now);
    assert.equal(t.accessToken, 'a', c.body);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual((t as unknown as Record<string, unknown>)[k], v, `${c.body}: ${k}`);
  }
});

test('token errors carry the server error and description, with a hint', () => {
  const cases = [
    { status: 400, body: '{"error":"invalid_grant","error_description":"grant request is invalid"}', re: /HTTP 400\): invalid_grant \(grant request is invalid\)/, hint: /log in again/ },
    { status: 401, body: '{"error":"invalid_client"}', re: /invalid_client/, hint: /ClientSecret/ },
    { status: 200, body: '{"error":"slow_down"}', re: /slow_down/, hint: /OAuth options/ },
    { status: 200, body: '{"token_type":"bearer"}', re: /without an access_token/, hint: /TokenURI/ },
    { status: 502, body: '<html>bad gateway</html>', re: /HTTP 502/, hint: /OAuth options/ },
  ];
  for (const c of cases) {
    assert.throws(() => parseTokenResponse(response(c.status, c.body), 'authorization_code'), (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_TOKEN_ERROR' && c.re.test(e.message) && c.hint.test(e.hint ?? ''), c.body);
  }
});

test('client authentication per ClientCredentialsMode; the Basic pair is form-urlencoded first (RFC 6749 §2.3.1)', () => {
  const run = (mode: number, secret?: string) => {
    const form = new URLSearchParams();
    const headers: Record<string, string> = {};
    const url = new URL('https://as.example/token');
    clientAuthFromMode(mode, 'my app', secret ? new Secret(secret) : undefined, SILENT_LOGGER)(form, headers, url);
    return { form: form.toString(), headers, query: url.search };
  };
  assert.deepEqual(run(1, 's'), run(0, 's'), 'modes 0 and 1 are both Basic');
  assert.deepEqual(run(0, 'p@ss:w+rd/%&='), { form: '', headers: { authorization: 'Basic ' + Buffer.from('my+app:p%40ss%3Aw%2Brd%2F%25%26%3D').toString('base64') }, query: '' });
  assert.deepEqual(run(3, 's'), { form: 'client_id=my+app&client_secret=s', headers: {}, query: '' });
  assert.deepEqual(run(2, 's'), { form: '', headers: {}, query: '?client_id=my+app&client_secret=s' });
  assert.deepEqual(run(0), { form: 'client_id=my+app', headers: {}, query: '' }, 'a public client sends client_id in the body');
});

test('callback checks: state first (constant time), then iss, then error, then code', () => {
  const expect = { state: 'S', issuer: 'https://as.example', issRequired: true };
  const check = (q: string, e: Parameters<typeof checkCallback>[1] = expect) => {
    try {
      return checkCallback(new URLSearchParams(q), e);
    } catch (err) {
      return isRestSqlError(err) ? err.code : String(err);
    }
  };
  assert.equal(check('code=c&state=S&iss=https%3A%2F%2Fas.example'), 'c');
  assert.equal(check('code=c&state=T&iss=https%3A%2F%2Fas.example'), 'AUTH_STATE_MISMATCH');
  assert.equal(check('code=c&iss=https%3A%2F%2Fas.example'), 'AUTH_STATE_MISMATCH');
  assert.equal(check('error=access_denied&state=X'), 'AUTH_STATE_MISMATCH', 'an error from someone else is not believed');
  assert.equal(check('code=c&state=S&iss=https%3A%2F%2Fevil.example'), 'AUTH_ISSUER_MISMATCH');
  assert.equal(check('code=c&state=S'), 'AUTH_ISSUER_MISMATCH', 'iss promised but missing');
  assert.equal(check('code=c&state=S', { state: 'S', issRequired: false }), 'c');
  assert.equal(check('code=c&state=S&iss=https%3A%2F%2Fas.example%3A8443', { state: 'S', authorizationEndpoint: 'https://as.example:8443/authorize', issRequired: false }), 'c');
  assert.equal(check('error=access_denied&state=S&iss=https%3A%2F%2Fas.example'), 'AUTH_DENIED');
  assert.equal(check('state=S&iss=https%3A%2F%2Fas.example'), 'AUTH_DENIED');
});

test('loopback binding: localhost means 127.0.0.1 and ::1; literal addresses as given', () => {
  assert.deepEqual(bindAddresses('localhost'), [{ address: '127.0.0.1', required: true }, { address: '::1', required: false }]);
  assert.deepEqual(bindAddresses('[::1]'), [{ address: '::1', required: true }]);
  assert.deepEqual(bindAddresses('127.0.0.1'), [{ address: '127.0.0.1', required: true }]);
});

test('$BROWSER is a command whose last argument is the URL (or %s); otherwise the platform opener', () => {
  const u = 'https://as.example/a?x=1&y=2';
  assert.deepEqual(splitCommand(`'/opt/My Browser/run' --new-window "a b"`), ['/opt/My Browser/run', '--new-window', 'a b']);
  assert.deepEqual(browserCommand(u, { BROWSER: 'firefox --private-window' }, 'linux'), ['firefox', '--private-window', u]);
  assert.deepEqual(browserCommand(u, { BROWSER: 'open -a Safari %s --x' }, 'linux'), ['open', '-a', 'Safari', u, '--x']);
  assert.deepEqual(browserCommand(u, {}, 'linux'), ['xdg-open', u]);
  assert.deepEqual(browserCommand(u, {}, 'darwin'), ['open', u]);
  assert.equal(canOpenBrowser({}, 'linux'), false, 'no display: headless');
  assert.equal(canOpenBrowser({ DISPLAY: ':0' }, 'linux'), true);
  assert.equal(canOpenBrowser({ BROWSER: 'w3m' }, 'linux'), true);
});
