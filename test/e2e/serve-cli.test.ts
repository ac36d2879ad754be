/**
 * The real `restsql serve` command, spawned with its own RESTSQL_HOME and TMPDIR: the listening
 * line and the generated password (printed once, and it works with psql), the session and
 * failed-login log lines (never a password), SIGTERM (sessions told 57P01, exit 0 after
 * "stopped", the spool folder gone), the TLS rule for non-loopback addresses, the password from
 * RESTSQL_SERVE_PASSWORD and from a --password-file that others cannot read.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN } from '../support/cli.js';
import { startWireApi, wireModel, type WireApi } from '../support/serve.js';
import { tempDir } from '../support/temp-dir.js';
import { Child, clientEnv, PSQL, psql, requireProgram, run, until } from '../support/wire-clients.js';

const dir = tempDir(after, 'restsql-serve-cli-');
let api: WireApi;
let model: string;

before(async () => {
  requireProgram(PSQL, 'postgresql-client');
  api = await startWireApi();
  model = join(dir, 'wire.rest');
  writeFileSync(model, wireModel(api, 40));
});
after(() => api?.close());

interface Serving {
  readonly child: Child;
  readonly port: number;
  /** The TMPDIR of the serve process (its spool folder is there). */
  readonly tmp: string;
  readonly home: string;
}

/** A folder of its own under `dir` (RESTSQL_HOME, TMPDIR, a client's HOME). */
function folder(name: string): string {
  const path = join(dir, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(path, { mode: 0o700 });
  return path;
}

/** `restsql serve --connect RestConfigFile=<model> --port 0 ...args`, until it listens; the port from its "listening on" line. */
async function serve(t: { after: (fn: () => void) => void }, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Serving> {
  const home = folder('home');
  const tmp = folder('tmp');
  const child = new Child(process.execPath, [BIN, 'serve', '--connect', `RestConfigFile=${model}`, '--port', '0', ...args], { env: clientEnv(home, { RESTSQL_HOME: home, TMPDIR: tmp, ...env }) });
  t.after(() => child.kill());
  // The "connect with" line comes last, after the listening line and the password's.
  await child.waitFor('the listening and connect-with lines', (_out, err) => /listening on 127\.0\.0\.1:\d+ /.test(err) && /^restsql serve: connect with: /m.test(err));
  const port = Number(/listening on 127\.0\.0\.1:(\d+) /.exec(child.stderr)![1]);
  assert.ok(port > 0 && port < 65536, child.stderr);
  return { child, port, tmp, home };
}

const conninfo = (port: number, extra = '') => `host=127.0.0.1 port=${port} user=alice dbname=restsql ${extra}`.trim();

test('serve: the generated password is printed once and works; sessions and failed logins are logged without passwords; SIGTERM tells sessions, exits 0 after "stopped", and the spool folder goes', async (t) => {
  const s = await serve(t);
  const err = () => s.child.stderr;
  const m = /^restsql serve: password \(generated; [^)]*\): (\S+)$/m.exec(err());
  assert.ok(m, err());
  const password = m[1]!;
  assert.equal(password.length, 32, 'base64url of 24 random bytes');
  assert.equal(err().split(password).length - 1, 1, 'printed exactly once');
  assert.match(err(), /^restsql serve: listening on 127\.0\.0\.1:\d+ \(PostgreSQL protocol 3\.0, server_version 15\.18 \(restsql [^)]+\); TLS on SSLRequest, self-signed certificate in .*; password method scram-sha-256\)$/m);
  const home = folder('psql-home');

  // The printed password works (over TLS, as the "connect with" line suggests), with PGAPPNAME.
  const ok = await psql(conninfo(s.port, 'sslmode=require'), ['-v', 'ON_ERROR_STOP=1', '-At', '-c', 'SELECT count(*) FROM items'], { home, password, env: { PGAPPNAME: 'e2e-app' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '20\n');
  await until(() => `the session line in ${err()}`, () => /session \d+ from 127\.0\.0\.1:\d+: user="alice" database="restsql" application_name="e2e-app" \(TLS\)$/m.test(err()));

  // A wrong password: a log line naming the user and the client, never the password given.
  const wrong = 'cli-wrong-Pa55word';
  const bad = await psql(conninfo(s.port, 'sslmode=disable'), ['-At', '-c', 'SELECT 1'], { home, password: wrong });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /password authentication failed for user "alice"/);
  await until(() => `the failed login line in ${err()}`, () => /login failed for user "alice" from 127\.0\.0\.1:\d+/.test(err()));
  assert.ok(!err().includes(wrong), err());

  // A session in the middle of a statement when SIGTERM comes.
  const release = api.holdSlow();
  t.after(release);
  const slowBefore = api.seen.filter((p) => p === '/slow').length;
  const held = new Child(PSQL, ['-X', '-At', '-d', conninfo(s.port, 'sslmode=disable'), '-c', 'SELECT count(*) FROM slow'], { env: clientEnv(home, { PGPASSWORD: password, PGCONNECT_TIMEOUT: '30' }) });
  t.after(() => held.kill());
  await until('the API saw /slow', () => api.seen.filter((p) => p === '/slow').length > slowBefore);
  const spools = () => readdirSync(s.tmp).filter((d) => d.startsWith(`restsql-spool-${s.child.proc.pid}-`));
  assert.equal(spools().length, 1, `the serve process's spool folder while it runs: ${readdirSync(s.tmp).join(', ')}`);

  s.child.proc.kill('SIGTERM');
  const done = await s.child.exit();
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stderr, /restsql serve: stopping \(1 session\(s\) told\)\n(.*\n)*restsql serve: stopped\n$/);
  const client = await held.exit();
  assert.equal(client.code, 2, client.stderr);
  assert.match(client.stderr, /FATAL: {2}terminating connection due to administrator command/);
  assert.deepEqual(spools(), []);
  assert.ok(!done.stderr.includes(wrong));
  assert.equal(done.stderr.split(password).length - 1, 1, 'the password still appears once only');
});

test('serve: --host 0.0.0.0 --no-tls exits 2 before listening, saying TLS is required', async () => {
  const home = folder('home');
  const r = await run(process.execPath, [BIN, 'serve', '--connect', `RestConfigFile=${model}`, '--port', '0', '--host', '0.0.0.0', '--no-tls'], { env: clientEnv(home, { RESTSQL_HOME: home }) });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /0\.0\.0\.0 is not a loopback address: restsql serve then requires TLS, and --no-tls turns it off/);
  assert.match(r.stderr, /^hint: /m);
  assert.doesNotMatch(r.stderr, /listening on|password/);
  assert.equal(r.stdout, '');
});

test('serve: RESTSQL_SERVE_PASSWORD is the password, and it is never printed', async (t) => {
  const password = 'from-the-Env-ïronment-42';
  const s = await serve(t, ['--no-tls'], { RESTSQL_SERVE_PASSWORD: password });
  assert.match(s.child.stderr, /^restsql serve: password from RESTSQL_SERVE_PASSWORD$/m);
  assert.match(s.child.stderr, /TLS off/);
  const home = folder('psql-home');
  const r = await psql(conninfo(s.port, 'sslmode=disable'), ['-v', 'ON_ERROR_STOP=1', '-At', '-c', "SELECT label FROM types WHERE id = 1"], { home, password });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'plain\n');
  // TLS off: a client that requires TLS is told no (libpq: the server does not support SSL).
  const tls = await psql(conninfo(s.port, 'sslmode=require'), ['-At', '-c', 'SELECT 1'], { home, password });
  assert.equal(tls.code, 2, tls.stderr);
  assert.match(tls.stderr, /server does not support SSL/);
  s.child.proc.kill('SIGTERM');
  const done = await s.child.exit();
  assert.equal(done.code, 0, done.stderr);
  assert.ok(!done.stderr.includes(password), done.stderr);
  assert.doesNotMatch(done.stderr, /generated/);
});

test('serve: a --password-file others can read (0644) is refused with exit 2 and a chmod hint; at 0600 it is the password', async (t) => {
  const home = folder('home');
  const file = join(home, 'serve-password');
  const password = 'file-Pa55word-ü';
  writeFileSync(file, `${password}\n`);
  chmodSync(file, 0o644);
  const r = await run(process.execPath, [BIN, 'serve', '--connect', `RestConfigFile=${model}`, '--port', '0', '--no-tls', '--password-file', file], { env: clientEnv(home, { RESTSQL_HOME: home }) });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /accessible to other users \(mode 0644\)/);
  assert.ok(r.stderr.includes(`chmod 600 ${file}`), r.stderr);
  assert.ok(!r.stderr.includes(password), r.stderr);
  assert.doesNotMatch(r.stderr, /listening on/);

  chmodSync(file, 0o600);
  const s = await serve(t, ['--no-tls', '--password-file', file]);
  assert.ok(s.child.stderr.includes(`password from ${file}`), s.child.stderr);
  const ok = await psql(conninfo(s.port, 'sslmode=disable'), ['-At', '-c', 'SELECT 1'], { home: folder('psql-home'), password });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '1\n');
  s.child.proc.kill('SIGTERM');
  const done = await s.child.exit();
  assert.equal(done.code, 0, done.stderr);
  assert.ok(!done.stderr.includes(password), done.stderr);
});
