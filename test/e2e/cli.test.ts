import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoApi, type DemoApi } from '../../examples/demo/api-server.js';
import { customers } from '../../examples/demo/data.js';
import { BIN, runCli } from '../support/cli.js';
import { signal, within } from '../support/deadline.js';
import { startHttpServer } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

let api: DemoApi;
let conn: string;
const dir = tempDir(after, 'restsql-cli-');

before(async () => {
  api = await startDemoApi();
  conn = `RestSamplePath=${api.baseUrl}/v1/customers`;
});
after(() => api?.close());

/** One error line, one hint line, no stack trace. */
function assertCleanError(stderr: string, code: string, culprit: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^restsql: error\\[${code}\\]: `), stderr);
  assert.match(stderr, culprit);
  assert.ok(lines.some((l) => l.startsWith('hint: ')), stderr);
  assert.doesNotMatch(stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
}

test('query --format json: nested JSON becomes correct rows, joins with child tables work', async () => {
  const r = await runCli(['query', '--connect', conn, '--format', 'json', "SELECT c.id, c.address_city AS city, t.tags AS tag FROM customers c JOIN tags t ON t.customers_id = c.id WHERE c.id <= 102 ORDER BY c.id, t.position"]);
  assert.equal(r.code, 0, r.stderr);
  const expected = customers().filter((c) => c.id <= 102).flatMap((c) => c.tags.map((tag) => ({ id: c.id, city: c.address.city, tag })));
  assert.ok(expected.length >= 3);
  assert.deepEqual(JSON.parse(r.stdout), expected);
});

test('csv, ndjson and table formats', async () => {
  const sql = 'SELECT id, name, address_geo_lat AS lat, last_login FROM customers WHERE id IN (101, 105) ORDER BY id';
  const csv = await runCli(['query', '-c', conn, '-f', 'csv', sql]);
  assert.equal(csv.stdout, 'id,name,lat,last_login\n101,Ada Lovelace,42.35,2026-11-01T08:15:00\n105,Barbara Liskov,42.35,\n');
  const nd = await runCli(['query', '-c', conn, '-f', 'ndjson', sql]);
  assert.deepEqual(nd.stdout.trim().split('\n').map((l) => JSON.parse(l)), [
    { id: 101, name: 'Ada Lovelace', lat: 42.35, last_login: '2026-11-01T08:15:00' },
    { id: 105, name: 'Barbara Liskov', lat: 42.35, last_login: null },
  ]);
  const table = await runCli(['query', '-c', conn, sql]);
  assert.match(table.stdout, /^ id \| name +\| +lat \| last_login/m);
  assert.match(table.stdout, /105 \| Barbara Liskov \| 42\.35 \| NULL/);
  assert.match(table.stdout, /\(2 rows\)\n$/);
});

test('SQL from stdin and --file; --output writes a file; RESTSQL_CONNECT', async () => {
  const stdin = await runCli(['query', '-c', conn, '-f', 'csv'], { stdin: 'SELECT count(*) AS n FROM orders' });
  assert.equal(stdin.stdout, `n\n${customers().reduce((n, c) => n + c.orders.length, 0)}\n`);
  const file = join(dir, 'q.sql');
  writeFileSync(file, 'SELECT max(total) AS m FROM orders;');
  const out = join(dir, 'out.json');
  const r = await runCli(['query', '--file', file, '-f', 'json', '-o', out], { env: { RESTSQL_CONNECT: conn } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const max = Math.max(...customers().flatMap((c) => c.orders.map((o) => o.total)));
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), [{ m: max }]);
});

test('several statements print several results', async () => {
  const r = await runCli(['query', '-c', conn, '-f', 'csv', 'SELECT 1 AS a; SELECT 2 AS b']);
  assert.equal(r.stdout, 'a\n1\nb\n2\n');
});

test('tables, describe and sample', async () => {
  const t = await runCli(['tables', '-c', conn, '-f', 'json']);
  assert.deepEqual(JSON.parse(t.stdout).map((x: { name: string; parent: string | null }) => [x.name, x.parent]), [['customers', null], ['tags', 'customers'], ['orders', 'customers'], ['items', 'orders']]);
  const d = await runCli(['describe', '-c', conn, 'ORDERS', '-f', 'csv']);
  assert.equal(d.stdout, 'column,type,key\ncustomers_id,INTEGER,true\nposition,INTEGER,true\norder_id,VARCHAR,false\nplaced_at,TIMESTAMP,false\ntotal,DOUBLE,false\n');
  const bad = await runCli(['describe', '-c', conn, 'order']);
  assert.equal(bad.code, 1);
  assertCleanError(bad.stderr, 'QUERY_UNKNOWN_TABLE', /Did you mean orders\?/);
  const s = await runCli(['sample', `${api.baseUrl}/v1/things`, '--table', 'products']);
  const model = JSON.parse(s.stdout);
  assert.equal(model.products['#path'], `GET ${api.baseUrl}/v1/things /data`);
  assert.equal(model.products.sku, 'VarChar,#key');
  assert.deepEqual(model.products.dims, { w: 'Integer', h: 'Integer' });
  assert.equal(model.products['colors[]'], 'VarChar');
});

test('a DSN from --odbc-ini, overridden by --connect', async () => {
  const ini = join(dir, 'odbc.ini');
  writeFileSync(ini, `[Demo]\nDriver=restsql\nDescription=demo\nRestSamplePath=${api.baseUrl}/v1/customers\nTable=people\n`);
  const r = await runCli(['query', '--dsn', 'demo', '--odbc-ini', ini, '-f', 'csv', 'SELECT count(*) AS n FROM people']);
  assert.equal(r.stdout, 'n\n12\n', r.stderr);
  const o = await runCli(['query', '--dsn', 'Demo', '--connect', 'Table=folks', '-f', 'csv', 'SELECT count(*) AS n FROM folks'], { env: { ODBCINI: ini } });
  assert.equal(o.stdout, 'n\n12\n', o.stderr);
});

function modelFile(): string {
  const file = join(dir, 'custom.rest');
  writeFileSync(file, '{"t": "http://127.0.0.1:9/x"}');
  return file;
}

const BAD: { what: string; args: () => string[]; code: number; error: string; culprit: RegExp }[] = [
  { what: 'malformed connection string', args: () => ['query', '-c', 'RestSamplePath', 'SELECT 1'], code: 2, error: 'CONFIG_SYNTAX', culprit: /'RestSamplePath' at position 1 has no '='/ },
  { what: 'unknown option', args: () => ['query', '-c', `${conn};Tabel=x`, 'SELECT 1'], code: 2, error: 'CONFIG_UNKNOWN_OPTION', culprit: /Tabel.*Did you mean Table\?/ },
  { what: 'missing DSN file', args: () => ['query', '--dsn', 'X', '--odbc-ini', join(dir, 'none.ini'), 'SELECT 1'], code: 2, error: 'CONFIG_DSN_NOT_FOUND', culprit: /none\.ini/ },
  { what: 'missing model file', args: () => ['query', '-c', `RestConfigFile=${join(dir, 'nope.rest')}`, 'SELECT 1'], code: 2, error: 'MODEL_FILE_NOT_FOUND', culprit: /nope\.rest/ },
  { what: 'no connection', args: () => ['query', 'SELECT 1'], code: 2, error: 'USAGE', culprit: /No connection given/ },
  { what: 'unreachable URL', args: () => ['query', '-c', 'RestSamplePath=http://127.0.0.1:9/v1/x', 'SELECT 1'], code: 1, error: 'HTTP_UNREACHABLE', culprit: /127\.0\.0\.1:9\/v1\/x/ },
  { what: 'non-JSON response', args: () => ['query', '-c', `RestSamplePath=${api.baseUrl}/v1/html`, 'SELECT 1'], code: 1, error: 'HTTP_NOT_JSON', culprit: /\/v1\/html did not return JSON \(text\/html/ },
  { what: 'non-2xx response', args: () => ['query', '-c', `RestSamplePath=${api.baseUrl}/v1/teapot`, 'SELECT 1'], code: 1, error: 'HTTP_STATUS', culprit: /\/v1\/teapot answered 418: I am a teapot/ },
  { what: '404', args: () => ['query', '-c', `RestSamplePath=${api.baseUrl}/v2/nothing`, 'SELECT 1'], code: 1, error: 'HTTP_STATUS', culprit: /answered 404/ },
  { what: '401', args: () => ['query', '-c', `RestSamplePath=${api.baseUrl}/v1/secure`, 'SELECT 1'], code: 3, error: 'AUTH_FAILED', culprit: /answered 401/ },
  { what: 'empty response', args: () => ['query', '-c', `RestSamplePath=${api.baseUrl}/v1/empty`, 'SELECT 1'], code: 1, error: 'DATA_NO_RECORDS', culprit: /no records/ },
  { what: 'invalid SQL', args: () => ['query', '-c', conn, 'SELECT * FORM customers'], code: 1, error: 'QUERY_SYNTAX', culprit: /LINE 1: SELECT \* FORM customers/ },
  { what: 'unknown table', args: () => ['query', '-c', conn, 'SELECT * FROM customer'], code: 1, error: 'QUERY_UNKNOWN_TABLE', culprit: /customer/ },
  { what: 'Custom without steps', args: () => ['query', '-c', `RestConfigFile=${modelFile()};AuthenticationMethod=29`, 'SELECT 1'], code: 2, error: 'CONFIG_MISSING_OPTION', culprit: /AuthenticationMethod=29 \(Custom\) needs "#authentication" steps/ },
];

for (const b of BAD) {
  test(`bad input: ${b.what} -> exit ${b.code}, ${b.error}`, async () => {
    const r = await runCli(b.args());
    assert.equal(r.code, b.code, r.stderr);
    assert.equal(r.stdout, '');
    assertCleanError(r.stderr, b.error, b.culprit);
  });
}

test('bad usage (unknown command or flag) exits 2', async () => {
  assert.equal((await runCli(['frobnicate'])).code, 2);
  assert.equal((await runCli(['query', '--formt', 'json', 'SELECT 1'])).code, 2);
  assert.equal((await runCli(['query', '-c', conn, '-f', 'xml', 'SELECT 1'])).code, 2);
});

test('RESTSQL_DEBUG=1 adds the stack trace', async () => {
  const r = await runCli(['query', '-c', conn, 'SELEC 1'], { env: { RESTSQL_DEBUG: '1' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\n\s+at /);
});

test('secrets never appear in output, errors or debug logs', async () => {
  const secret = 'Sup3r-Secret-Value-42';
  const runs = await Promise.all([
    runCli(['query', '-c', `${api.baseUrl.replace('http', 'RestSamplePath=http')}/v1/secure;AuthHeader=X-Tenant;SecurityToken=acme;Password=${'${PW}'}`, '-f', 'json', 'SELECT * FROM secure'], { env: { PW: secret, RESTSQL_DEBUG: '1' } }),
    runCli(['query', '-c', `RestSamplePath=${api.baseUrl}/v1/teapot?api_key=${secret};Password=${secret}`, 'SELECT 1'], { env: { RESTSQL_DEBUG: '1' } }),
    runCli(['query', '-c', `RestSamplePath=${api.baseUrl}/v1/customers;ClientSecret=${secret};AuthHeader=X-Tenant`, 'SELECT 1'], { env: { RESTSQL_DEBUG: '1' } }),
    runCli(['query', '-c', `RestSamplePath=http://127.0.0.1:9/x?token=${secret}`, 'SELECT 1'], { env: { RESTSQL_DEBUG: '1' } }),
  ]);
  assert.equal(runs[0]!.code, 0, runs[0]!.stderr);
  assert.equal(JSON.parse(runs[0]!.stdout).length, 2);
  for (const r of runs) {
    assert.ok(!(r.stdout + r.stderr).includes(secret), r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes(encodeURIComponent(secret)), r.stderr);
  }
  assert.ok(runs.slice(1).every((r) => r.code !== 0));
});

test('the --connect string (and any secret in it) is hidden from ps', async (t) => {
  const secret = 'PsHidden-Secret-987';
  // An API that announces the request and never answers it: the CLI is then past start-up and blocked.
  const arrived = signal();
  const hanging = await startHttpServer(() => arrived.resolve());
  t.after(() => hanging.close());
  const child = spawn(process.execPath, [BIN, 'query', '-c', `RestSamplePath=${hanging.url}/v1/slow;WSRetryCount=0;Password=${secret}`, 'SELECT 1'], { stdio: 'ignore', env: { PATH: process.env.PATH } });
  const exited = new Promise((r) => child.on('close', r));
  t.after(() => child.kill('SIGKILL'));
  await within(30_000, 'the CLI sent its request', arrived.promise);
  const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
  // Closing the API ends the request (the CLI fails and exits).
  await hanging.close();
  await within(30_000, 'the CLI exited', exited);
  assert.ok(!cmdline.includes(secret), cmdline);
  assert.match(cmdline, /restsql/);
});
