/**
 * Hardening item 8, "Every error is classified", through the CLI: inputs that used to end in
 * exit 1 (INTERNAL, or an HTTP error raised by undici at send time) are configuration errors
 * (exit 2) that name the option or file:line:column, and a model file with a UTF-8 BOM is read.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:https';
import { after, before, test } from 'node:test';
import { generate } from 'selfsigned';
import { runCli } from '../support/cli.js';
import { startFixtureApi, type FixtureApi } from '../support/fixture-api.js';
import { listenLoopback, startHttpServer } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir(after, 'restsql-cfgerr-');
let n = 0;
let api: FixtureApi;

before(async () => {
  api = await startFixtureApi();
});
after(async () => {
  await api?.close();
});

function file(text: string | Buffer, ext = 'rest'): string {
  const f = join(dir, `f${++n}.${ext}`);
  writeFileSync(f, text);
  return f;
}

/** Nothing listens on port 9 of loopback: a request that is sent fails with exit 1, not 2. */
const NOWHERE = 'http://127.0.0.1:9/x';

function assertConfigError(r: { code: number; stderr: string }, code: string, ...mentions: RegExp[]): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`restsql: error\\[${code}\\]`));
  assert.doesNotMatch(r.stderr, /INTERNAL|Maximum call stack/);
  for (const m of mentions) assert.match(r.stderr, m);
}

test('a 10,000-deep model file is a MODEL_INVALID naming file:line:column and the limit, not a stack overflow', async () => {
  const depth = 10_000;
  const f = file(`{"t": {"#path": "${NOWHERE}", "a": ${'{"b": '.repeat(depth)}"Integer"${'}'.repeat(depth)}}}`);
  const r = await runCli(['query', '-c', `RestConfigFile=${f}`, 'SELECT 1']);
  assertConfigError(r, 'MODEL_INVALID', new RegExp(`${f.replaceAll('.', '\\.')}:1:\\d+:`), /more than 256 levels/);
});

test('a model file with a UTF-8 byte order mark is read', async () => {
  const f = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"items": {"#path": "${api.baseUrl}/plain/items", "id": "Integer,#key", "name": "VarChar"}}`)]));
  const r = await runCli(['query', '-c', `RestConfigFile=${f}`, '--format', 'csv', 'SELECT count(*) AS n FROM items']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^n\r?\n\d+/);
});

const BAD_MODELS: { what: string; model: string; mentions: RegExp[] }[] = [
  { what: 'an invalid header name in #headers', model: `{"#headers": {"Bad Name": "x"}, "t": "${NOWHERE}"}`, mentions: [/:1:15: 'Bad Name' in #headers/, /header name/] },
  { what: 'CR/LF in a #headers value', model: `{"#headers": {"X-A": "a\\r\\nX-Injected: b"}, "t": "${NOWHERE}"}`, mentions: [/:1:\d+: the value of header 'X-A'/, /line break/] },
  { what: 'an invalid header name in a table #headers', model: `{"t": {"#path": "${NOWHERE}", "#headers": {"a:b": "x"}}}`, mentions: [/'a:b' in #headers in table 't'/] },
  { what: 'an invalid #header of a column', model: `{"t": {"#path": "${NOWHERE}", "id": "Integer", "q": {"#type": "VarChar", "#header": "X Q"}}}`, mentions: [/'X Q' in #header of column 'q'/] },
  { what: 'a non-http #hostname', model: `{"#hostname": "ftp://files.example.com", "t": "/x"}`, mentions: [/:1:15: #hostname 'ftp:\/\/files\.example\.com' is not an http/] },
  { what: 'a #hostname that is not a URL', model: `{"#hostname": "api.example.com", "t": "/x"}`, mentions: [/#hostname 'api\.example\.com'/] },
];

for (const c of BAD_MODELS) {
  test(`model file: ${c.what} is MODEL_INVALID (exit 2), never sent`, async () => {
    const r = await runCli(['query', '-c', `RestConfigFile=${file(c.model)}`, 'SELECT * FROM t']);
    assertConfigError(r, 'MODEL_INVALID', ...c.mentions);
  });
}

const BAD_OPTIONS: { what: string; conn: string; mentions: RegExp[] }[] = [
  { what: 'a ProxyHost with a scheme and a space', conn: `RestSamplePath=${NOWHERE};ProxyHost=http://a b:c`, mentions: [/ProxyHost/, /not a host name/] },
  { what: 'a ProxyHost with a path', conn: `RestSamplePath=${NOWHERE};ProxyHost=proxy.example.com/x`, mentions: [/ProxyHost 'proxy\.example\.com\/x'/] },
  { what: 'a ProxyHost with a port and ProxyPort', conn: `RestSamplePath=${NOWHERE};ProxyHost=proxy.example.com:8080;ProxyPort=3128`, mentions: [/ProxyHost/] },
  { what: 'an AuthHeader that is not a header name', conn: `RestSamplePath=${NOWHERE};AuthHeader=X Tenant;SecurityToken=abcd1234`, mentions: [/AuthHeader: 'X Tenant' is not a valid HTTP header name/] },
];

test('options: a SecurityToken with a line break (from the environment) is CONFIG_INVALID_VALUE, the secret not printed', async () => {
  const r = await runCli(['query', '-c', `RestSamplePath=${NOWHERE};AuthHeader=X-Tenant;SecurityToken=\${TOKEN}`, 'SELECT 1'], { env: { TOKEN: 'tok-123456\r\nX-Injected: 1' } });
  assertConfigError(r, 'CONFIG_INVALID_VALUE', /SecurityToken holds a line break/);
  assert.doesNotMatch(r.stderr, /tok-123456/);
});

for (const c of BAD_OPTIONS) {
  test(`options: ${c.what} is CONFIG_INVALID_VALUE (exit 2)`, async () => {
    const r = await runCli(['query', '-c', c.conn, 'SELECT 1']);
    assertConfigError(r, 'CONFIG_INVALID_VALUE', ...c.mentions);
  });
}

test('options: ProxyHost takes a host, an IP or host:port (the request then fails, exit 1) and refuses a URL (exit 2)', async () => {
  const url = await runCli(['query', '-c', `RestSamplePath=${NOWHERE};ProxyHost=http://127.0.0.1:9`, 'SELECT 1']);
  assertConfigError(url, 'CONFIG_INVALID_VALUE', /ProxyHost/);
  for (const host of ['127.0.0.1', 'localhost:9', '[::1]']) {
    const r = await runCli(['query', '-c', `RestSamplePath=${NOWHERE};ProxyHost=${host}${host.includes(':9') ? '' : ';ProxyPort=9'}`, 'SELECT 1']);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /CONFIG_|INTERNAL/);
  }
});

test('options: a RedirectTLSCert that is not PEM is CONFIG_INVALID_VALUE naming the option (was INTERNAL from OpenSSL)', async () => {
  const notPem = file('not a certificate\n', 'pem');
  const conn = `RestSamplePath=${NOWHERE};AuthenticationMethod=51;EnableLoginPrompt=1;ClientID=app;AuthURI=http://127.0.0.1:9/authorize;TokenURI=http://127.0.0.1:9/token;RedirectURI=https://127.0.0.1:9/callback;RedirectTLSCert=${notPem};RedirectTLSKey=${notPem}`;
  const r = await runCli(['query', '-c', conn, 'SELECT 1'], { env: { RESTSQL_HOME: join(dir, 'home') } });
  assertConfigError(r, 'CONFIG_INVALID_VALUE', /RedirectTLSCert: .* is not a PEM certificate/, /BEGIN CERTIFICATE/);
});

test("a self-signed server certificate is HTTP_TLS with a hint about TrustStore, not 'check host and port'", async (t) => {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', curve: 'P-256', extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] });
  const server = await listenLoopback(createServer({ cert: pems.cert, key: pems.private }, (_req, res) => res.end('[]')));
  t.after(() => server.close());
  const r = await runCli(['query', '-c', `RestSamplePath=https://127.0.0.1:${server.port}/x;WSRetryCount=0`, 'SELECT 1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error\[HTTP_TLS\].*(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED)/);
  assert.match(r.stderr, /hint: Set TrustStore to a file holding the CA that signed it/);
  assert.doesNotMatch(r.stderr, /host and port/);
});

test('a world-writable $RESTSQL_HOME/tokens is refused with a coded error, not used silently', async () => {
  const home = join(dir, 'ww-home');
  mkdirSync(join(home, 'tokens'), { recursive: true });
  chmodSync(join(home, 'tokens'), 0o777);
  const conn = `RestSamplePath=${NOWHERE};AuthenticationMethod=51;ClientID=app;AuthURI=http://127.0.0.1:9/authorize;TokenURI=http://127.0.0.1:9/token;RedirectURI=http://127.0.0.1:9/callback`;
  const r = await runCli(['query', '-c', conn, 'SELECT 1'], { env: { RESTSQL_HOME: home } });
  assertConfigError(r, 'CONFIG_INVALID_VALUE', /token cache folder .*tokens can be written by any user \(mode 777\)/, /chmod 700/);
  // The same folder made private again is used: the cache is read and, holding nothing, a login is asked for.
  chmodSync(join(home, 'tokens'), 0o700);
  const ok = await runCli(['query', '-c', conn, 'SELECT 1'], { env: { RESTSQL_HOME: home } });
  assert.equal(ok.code, 3, ok.stderr);
  assert.match(ok.stderr, /AUTH_LOGIN_REQUIRED/);
});

test('API JSON nested 10,000 deep is HTTP_TOO_LARGE naming the URL and the 512 limit (was INTERNAL: Maximum call stack size exceeded)', async (t) => {
  const nest = (depth: number) => `[{"id": 1, "a": ${'{"b": '.repeat(depth)}1${'}'.repeat(depth)}}]`;
  const server = await startHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(nest(req.url?.startsWith('/shallow') ? 500 : 10_000));
  });
  t.after(() => server.close());
  const base = server.url;
  // Sampling (RestSamplePath), and a model file's row-by-row path (fetch-page).
  const sampled = await runCli(['query', '-c', `RestSamplePath=${base}/deep`, 'SELECT id FROM deep']);
  const model = file(`{"deep": {"#path": "${base}/deep", "id": "Integer,#key"}}`);
  const paged = await runCli(['query', '-c', `RestConfigFile=${model};BulkLoad=0`, 'SELECT id FROM deep']);
  for (const r of [sampled, paged]) {
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error\\[HTTP_TOO_LARGE\\]: GET ${base.replaceAll('.', '\\.')}/deep: .*more than 512 levels deep`));
    assert.doesNotMatch(r.stderr, /INTERNAL|call stack/);
  }
  // 500 levels is within the limit, and the walkers behind it cope.
  const shallow = await runCli(['query', '-c', `RestSamplePath=${base}/shallow`, '--format', 'csv', 'SELECT id FROM shallow']);
  assert.equal(shallow.code, 0, shallow.stderr);
  assert.match(shallow.stdout, /^id\r?\n1\r?\n/);
});
