/**
 * Scale and hostile-data tests through the real CLI: large results, wide and ragged JSON,
 * control characters from the API. Loopback only.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';

/** Path to [status, body], or to a function of the request's URL giving them. */
const routes = new Map<string, [number, string] | ((url: URL) => [number, string])>();
let server: Listening<Server> | undefined;
let base: string;

before(async () => {
  server = await startHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const route = routes.get(url.pathname);
    if (!route) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const [status, body] = typeof route === 'function' ? route(url) : route;
    res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/html' }).end(body);
  });
  base = server.url;
});
after(() => server?.close());

const conn = (path: string, extra = '') => `RestSamplePath=${base}${path};${extra}`;

test('--format table renders 200,000 rows (no stack overflow from spreading rows)', async () => {
  routes.set('/many', [200, JSON.stringify(Array.from({ length: 200_000 }, (_, i) => ({ id: i, v: i % 7 })))]);
  const r = await runCli(['query', '-c', conn('/many'), '-f', 'table', 'SELECT id, v FROM many']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(200000 rows\)\n$/);
  assert.match(r.stdout, /^ *199999 \| 2$/m);
});

test('JSON members named {BASE}, {FILES} or with a quote load the same rows in bulk as row by row', async () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ '{BASE}': i % 5, '{FILES}': `f${i % 3}`, "it's": i % 2 === 0, tags: [`t${i}`, `u${i}`] }));
  // Pages linked by a next URL: bulk loading spools pages after the first.
  routes.set('/placeholders', (url) => {
    const at = Number(url.searchParams.get('after') ?? 0);
    return [200, JSON.stringify({ data: records.slice(at, at + 10), next: at + 10 < records.length ? `${base}/placeholders?after=${at + 10}` : null })];
  });
  const run = async (bulk: string, sql: string) => {
    const r = await runCli(['query', '-c', conn('/placeholders', `BulkLoad=${bulk}`), '-f', 'json', sql], { env: { RESTSQL_DEBUG: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /could not load|row by row/i, 'no fallback');
    return JSON.parse(r.stdout) as Record<string, unknown>[];
  };
  for (const sql of ['SELECT * FROM placeholders ORDER BY 1', 'SELECT * FROM tags ORDER BY 1, 2']) {
    const rowByRow = await run('0', sql);
    assert.equal(rowByRow.length, sql.includes('tags') ? 100 : 50);
    assert.deepEqual(await run('1', sql), rowByRow, sql);
  }
  // No member is unique, so rows get generated ids (the `{BASE}` arithmetic) that the child table refers to.
  const roots = await run('1', 'SELECT * FROM placeholders ORDER BY 1');
  assert.deepEqual(roots.map(({ BASE, FILES, it_s }) => [BASE, FILES, it_s]), records.map((r) => [r['{BASE}'], r['{FILES}'], r["it's"]]));
  assert.equal(roots.length, new Set(roots.map((r) => Object.values(r)[0])).size, 'generated ids are distinct');
});

const ESC_OR_BEL = /[\u001b\u0007\u009b]/;

test('control characters from API data are escaped in table output, kept exact in json and csv', async () => {
  const evil = '\u001b]0;pwned\u0007';
  routes.set('/evil', [200, JSON.stringify([{ id: 1, note: evil, ['k\u001b[2J']: 'x\u009b1m' }])]);
  const table = await runCli(['query', '-c', conn('/evil'), '-f', 'table', 'SELECT * FROM evil']);
  assert.equal(table.code, 0, table.stderr);
  assert.doesNotMatch(table.stdout + table.stderr, ESC_OR_BEL);
  assert.match(table.stdout, /\\x1b\]0;pwned\\x07/);
  assert.match(table.stdout, /x\\x9b1m/);
  const json = await runCli(['query', '-c', conn('/evil'), '-f', 'json', 'SELECT note FROM evil']);
  assert.deepEqual(JSON.parse(json.stdout), [{ note: evil }]);
  const csv = await runCli(['query', '-c', conn('/evil'), '-f', 'csv', 'SELECT note FROM evil']);
  assert.equal(csv.stdout, `note\n${evil}\n`);
});

test('control characters from an error page are escaped in the error message', async () => {
  routes.set('/broken', [500, '<html><title>\u001b]0;pwned\u0007</title>oops \u001b[31mred</html>']);
  const r = await runCli(['query', '-c', conn('/broken', 'WSRetryCount=0'), 'SELECT * FROM broken'], { env: { RESTSQL_DEBUG: '1' } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^restsql: error\[/m);
  assert.match(r.stderr, /\\x1b\]0;pwned\\x07/, 'the body is quoted, escaped');
  assert.doesNotMatch(r.stdout + r.stderr, ESC_OR_BEL);
});

test('wide and ragged JSON: columns capped by MaxColumns, the rest kept as a JSON column', { timeout: 120_000 }, async () => {
  // 10,000 records, each with its own key.
  routes.set('/ragged', [200, JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ id: i, [`k${i}`]: i })))]);
  // One record with 100,000 members.
  routes.set('/wide', [200, JSON.stringify([Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`m${i}`, i]))])]);
  for (const [path, rows] of [['/ragged', 10_000], ['/wide', 1]] as const) {
    const table = path.slice(1);
    const d = await runCli(['describe', '-c', conn(path, 'MaxColumns=50'), table, '-f', 'json']);
    assert.equal(d.code, 0, d.stderr);
    const cols = JSON.parse(d.stdout) as { column: string; type: string }[];
    assert.ok(cols.length <= 51, `${path}: ${cols.length} columns`);
    assert.deepEqual(cols.at(-1), { column: 'json', type: 'JSON', key: false }, path);
    const q = await runCli(['query', '-c', conn(path, 'MaxColumns=50'), '-f', 'json', `SELECT count(*) AS n, max(json_extract(json, '$.${path === '/wide' ? 'm99999' : 'k9999'}')::INTEGER) AS last FROM ${table}`]);
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual(JSON.parse(q.stdout), [{ n: rows, last: path === '/wide' ? 99_999 : 9_999 }]);
  }
  // The default (1000) also finishes; the table stays within it.
  const wide = await runCli(['query', '-c', conn('/wide'), '-f', 'csv', "SELECT json_extract(json, '$.m123')::INTEGER AS v, m0, m998 FROM wide"]);
  assert.equal(wide.code, 0, wide.stderr);
  assert.equal(wide.stdout, 'v,m0,m998\n123,0,998\n');
  const sample = await runCli(['sample', `${base}/ragged`, '--table', 'ragged']);
  assert.equal(sample.code, 0, sample.stderr);
});
