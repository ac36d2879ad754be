import assert from 'node:assert/strict';
import type { IncomingMessage, Server } from 'node:http';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { ownSpoolFolders, tempDir } from '../support/temp-dir.js';

/**
 * A loopback API that echoes every credential it gets (Authorization header, query string, token
 * request body) in its 200 bodies and in its error bodies: nothing of them may reach the output.
 */
const ISSUED = 'issued-tok-ABCDEF12345';
let server: Listening<Server> | undefined;
let base = '';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => resolve(b));
  });
}

before(async () => {
  server = await startHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = req.headers.authorization ?? '';
    const body = await readBody(req);
    const echo = `auth=[${auth}] query=[${url.search}] body=[${body}]`;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/token') {
      if (body.includes('scope=fail')) return json(400, { error: 'invalid_client', error_description: `bad client: ${echo}` });
      return json(200, { access_token: ISSUED, token_type: 'bearer', expires_in: 3600 });
    }
    if (url.pathname.includes('fail-json')) return json(401, { message: `denied: ${echo}` });
    if (url.pathname.includes('fail-text')) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end(`oops ${echo}`);
    }
    if (url.pathname.includes('not-json')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<p>${echo}</p>`);
    }
    return json(200, { items: [{ id: 1, auth, query: url.search, note: 'plain' }] });
  });
  base = server.url;
});

after(async () => {
  await server?.close();
  assert.deepEqual(ownSpoolFolders(), [], 'every connection closed: no spool folder of this process is left');
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Every form a secret may be printed in. */
function forms(secret: string, user?: string): string[] {
  const out = [secret, encodeURIComponent(secret), b64(secret), b64(secret).replace(/=+$/, '')];
  if (user !== undefined) out.push(b64(`${user}:${secret}`), b64(`${user}:${secret}`).replace(/=+$/, ''));
  return out;
}

const CASES: { name: string; conn: (path: string) => string; secrets: string[] }[] = [
  { name: 'Basic', conn: (p) => `RestSamplePath=${base}/api/${p};AuthenticationMethod=0;User=alice;Password=pw-Basic-9931`, secrets: forms('pw-Basic-9931', 'alice') },
  { name: 'bearer', conn: (p) => `RestSamplePath=${base}/api/${p};AuthenticationMethod=34;SecurityToken=tok-Bearer-5521`, secrets: forms('tok-Bearer-5521') },
  { name: 'URL key and signature', conn: (p) => `RestSamplePath=${base}/api/${p}?api_key=url-key-7713&Sig=sig-val-2231&page=1`, secrets: [...forms('url-key-7713'), ...forms('sig-val-2231')] },
  { name: 'URL parameter auth', conn: (p) => `RestSamplePath=${base}/api/${p};AuthenticationMethod=14;AuthParam=key;SecurityToken=qp-key-6654`, secrets: forms('qp-key-6654') },
  { name: 'client secret (token obtained at run time)', conn: (p) => `RestSamplePath=${base}/api/${p};AuthenticationMethod=53;ClientID=machine;ClientSecret=cs-Client-8842;TokenURI=${base}/token;Scope=api`, secrets: [...forms('cs-Client-8842', 'machine'), ...forms(ISSUED)] },
];

function assertClean(out: string, secrets: readonly string[], what: string): void {
  for (const s of secrets) assert.ok(!out.includes(s), `${what}: a secret form (${s.slice(0, 4)}…) leaked:\n${out}`);
}

for (const c of CASES) {
  test(`secrets stay hidden (${c.name}): query output, sample, _configuration, sampling_status, with and without RESTSQL_DEBUG`, async (t) => {
    const home = tempDir(t, 'restsql-secrets-');
    for (const debug of ['0', '1']) {
      const env = { RESTSQL_DEBUG: debug, RESTSQL_HOME: home };
      const runs = [
        ['query', '-q', '-c', c.conn('items'), 'SELECT * FROM items'],
        ['query', '-q', '-f', 'json', '-c', c.conn('items'), 'SELECT * FROM _configuration'],
        ['query', '-q', '-f', 'csv', '-c', c.conn('items'), 'SELECT * FROM sampling_status'],
        ['query', '-q', '-f', 'csv', '-c', c.conn('items'), 'SELECT * FROM INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS'],
        ['sample', '-q', '-c', c.conn('items')],
      ];
      for (const args of runs) {
        const r = await runCli(args, { env });
        assert.equal(r.code, 0, r.stderr);
        assertClean(r.stdout + r.stderr, c.secrets, `${args.slice(0, 1)} ${args.at(-1)}`);
      }
      // The 200 body echoes the credential: the row is printed with it masked.
      const rows = await runCli(['query', '-q', '-f', 'json', '-c', c.conn('items'), 'SELECT auth, query FROM items'], { env });
      assert.match(rows.stdout, /\*\*\*/);
      for (const p of ['fail-json', 'fail-text', 'not-json']) {
        const r = await runCli(['query', '-q', '-c', c.conn(p), 'SELECT * FROM items'], { env });
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /error\[/);
        assertClean(r.stdout + r.stderr, c.secrets, p);
      }
    }
  });
}

test('a token endpoint echoing the client credentials in its error: neither the secret nor its Basic form is printed', async () => {
  for (const mode of ['0', '3']) {
    const r = await runCli(['query', '-q', '-c', `RestSamplePath=${base}/api/items;AuthenticationMethod=53;ClientID=machine;ClientSecret=cs-Client-8842;TokenURI=${base}/token;Scope=fail;ClientCredentialsMode=${mode}`, 'SELECT 1'], { env: { RESTSQL_DEBUG: '1' } });
    assert.equal(r.code, 3, r.stderr);
    assertClean(r.stdout + r.stderr, forms('cs-Client-8842', 'machine'), `mode ${mode}`);
  }
});

test('URL user-info is masked wherever the URL is shown', async () => {
  const conn = `RestSamplePath=http://bob:url-pw-4417@127.0.0.1:${server!.port}/api/items`;
  for (const args of [['sample', '-q', '-c', conn], ['query', '-q', '-c', conn, 'SELECT * FROM sampling_status'], ['tables', '-q', '-c', conn]]) {
    const r = await runCli(args, { env: { RESTSQL_DEBUG: '1' } });
    assertClean(r.stdout + r.stderr, forms('url-pw-4417', 'bob'), args[0]!);
  }
});

test('a connection-string parse error never echoes part of a secret value', async () => {
  for (const tail of ['Password=abc1;def2-rest', 'Password=abc1;def2-rest=x', 'ClientSecret=abc1;def2-rest', 'pwd=abc1;def2-rest;Table=t']) {
    const r = await runCli(['query', '-c', `RestSamplePath=${base}/api/items;AuthenticationMethod=0;User=u;${tail}`, 'SELECT 1'], { env: { RESTSQL_DEBUG: '1' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error\[CONFIG_/);
    assert.ok(!r.stderr.includes('def2') && !r.stderr.includes('abc1'), r.stderr);
  }
});

test('--connect-file reads the connection string from a file (lines or semicolons)', async (t) => {
  const dir = tempDir(t, 'restsql-connect-');
  const file = join(dir, 'conn');
  await writeFile(file, `# the API\nRestSamplePath=${base}/api/items\nAuthenticationMethod=34;SecurityToken=tok-File-3310\n`);
  await chmod(file, 0o600);
  const r = await runCli(['query', '-q', '-f', 'csv', '--connect-file', file, 'SELECT auth FROM items']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^auth\r?\n(Bearer )?\*\*\*\r?\n$/);
  const both = await runCli(['query', '--connect-file', file, '-c', 'RestSamplePath=x', 'SELECT 1']);
  assert.equal(both.code, 2);
  const missing = await runCli(['query', '--connect-file', join(dir, 'nope'), 'SELECT 1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /connect-file/);
});

test('two connections in one process: one connection\'s secret does not alter the other\'s output', async () => {
  const word = 'shared-word-5150';
  const a = await connect(`RestSamplePath=${base}/api/items;AuthenticationMethod=0;User=alice;Password=${word}`);
  const b = await connect(`RestSamplePath=${base}/api/items`);
  try {
    const messageOf = async (c: typeof a) => {
      try {
        await c.query(`SELECT * FROM "${word}"`);
      } catch (e) {
        return (e as Error).message;
      }
      assert.fail('the query should fail');
    };
    assert.ok((await messageOf(b)).includes(word), 'B does not know A\'s password: its text is untouched');
    assert.ok(!(await messageOf(a)).includes(word), 'A masks its own password');
    assert.equal(b.redact(`x ${word}`), `x ${word}`);
    assert.equal(a.redact(`x ${word}`), 'x ***');
    const rows = await a.query('SELECT auth FROM items');
    assert.equal(rows.rows[0]!.auth, `Basic ${b64(`alice:${word}`)}`, 'the library returns data unchanged; printing masks it');
  } finally {
    await a.close();
    await b.close();
  }
});
