/**
 * `restsql serve` with the real psql 15 (libpq): rows over an API table, the typed row as psql
 * prints it (the text PostgreSQL 15 prints for the same values), errors with SQLSTATE and psql's
 * `LINE n:` caret from the position field, COPY TO STDOUT and \copy, a wrong password, TLS
 * (require and verify-full), eight sessions at once, and Ctrl-C (CancelRequest).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { serverTls } from '../../src/server/tls.js';
import { serveFixture, type Served } from '../support/serve.js';
import { tempDir } from '../support/temp-dir.js';
import { Child, interactivePsql, PSQL, psql, psqlEnv, requireProgram, SCRIPT, until } from '../support/wire-clients.js';

const home = tempDir(after, 'restsql-psql-');
let served: Served;

before(async () => {
  requireProgram(PSQL, 'postgresql-client');
  served = await serveFixture({ bigRows: 64 });
});
after(() => served?.close());

const q = (args: readonly string[], extra = '', opts: { password?: string; stdin?: string } = {}) =>
  psql(served.conninfo(extra), args, { home, password: opts.password ?? served.password, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) });

/**
 * The `types` table as psql -At prints it, which is what PostgreSQL 15 prints for these values:
 * int4, int8 exact beyond 2^53, float8 shortest-exact (1e+21), boolean t/f, timestamp with
 * microseconds, date, uuid lower case, text with its tab, newline and backslash as they are, json
 * as given, NULL as nothing. (Checked byte for byte against PostgreSQL 15.18 with the same values
 * in a table of these types; the aligned and COPY outputs below too.)
 */
const TYPES_AT = [
  '1|9007199254740993|12.5|t|2024-01-02 03:04:05.123456|2024-02-29|6f1c5c66-2b8e-4a8f-9d2e-7f1e0c7d5a10|plain|',
  '2|-42|-0.25|f|1999-12-31 23:59:59|1970-01-01|00000000-0000-0000-0000-000000000000|tab\there "quoted", new\nline \\ back|{"k":[1,2]}',
  '3|0|1e+21|||||héllo wörld 日本語 🎉|',
].join('\n');
const TYPES_SQL = 'SELECT id, big, amount, ok, created, day, uid, label, note FROM types ORDER BY id';

test('psql: a query over an API table gives its rows', async () => {
  const r = await q(['-v', 'ON_ERROR_STOP=1', '-At', '-c', 'SELECT id, name, region, price, address_city, address_zip FROM items WHERE id <= 4 ORDER BY id']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, ['1|item-1|south|1.5|Boston|02100', '2|item-2|north|3|Austin|02101', '3|item-3|south|4.5|Boston|02102', '4|item-4|north|6|Austin|02103', ''].join('\n'));
  // A join with the child table of the nested array, aggregated on the server.
  const j = await q(['-v', 'ON_ERROR_STOP=1', '-At', '-c', "SELECT i.id, string_agg(t.tags, ',' ORDER BY t.position) FROM items i JOIN tags t ON t.items_id = i.id WHERE i.id IN (1, 2, 4) GROUP BY i.id ORDER BY i.id"]);
  assert.equal(j.code, 0, j.stderr);
  assert.equal(j.stdout, '1|even,t0\n2|odd\n4|odd\n');
});

test('psql: the typed row prints as PostgreSQL 15 prints the same values; NULL is empty, or \\pset null', async () => {
  const r = await q(['-v', 'ON_ERROR_STOP=1', '-At', '-c', TYPES_SQL]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${TYPES_AT}\n`);
  const nulls = await q(['-q', '-v', 'ON_ERROR_STOP=1', '-At', '-c', '\\pset null (null)', '-c', 'SELECT id, ok, created, day, uid, note FROM types WHERE id = 3']);
  assert.equal(nulls.code, 0, nulls.stderr);
  assert.equal(nulls.stdout, '3|(null)|(null)|(null)|(null)|(null)\n');
  // The aligned format: psql pads by the types' alignment (numbers right, text left) and counts rows.
  const aligned = await q(['-v', 'ON_ERROR_STOP=1', '-c', 'SELECT id, big, ok FROM types ORDER BY id']);
  assert.equal(aligned.code, 0, aligned.stderr);
  assert.equal(aligned.stdout, [' id |       big        | ok ', '----+------------------+----', '  1 | 9007199254740993 | t', '  2 |              -42 | f', '  3 |                0 | ', '(3 rows)', '', ''].join('\n'));
});

test('psql: an unknown table is ERROR 42P01 with psql\'s LINE 1 caret under the table name', async () => {
  const r = await q(['-v', 'ON_ERROR_STOP=1', '-c', '\\set VERBOSITY verbose', '-c', 'SELECT * FROM nope']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^ERROR: {2}42P01: .*nope/m);
  // Position 15 (1-based, "nope"): psql puts the caret under it, after "LINE 1: ".
  assert.ok(r.stderr.includes(`LINE 1: SELECT * FROM nope\n${' '.repeat(8 + 14)}^\n`), r.stderr);
  assert.equal(r.stdout, '');
});

test('psql: a syntax error is ERROR 42601 with the position on the second line', async () => {
  const r = await q(['-v', 'ON_ERROR_STOP=1', '-c', '\\set VERBOSITY verbose', '-c', 'SELECT id\nFROM types WHERE id = = 1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^ERROR: {2}42601: .*syntax error at or near "="/m);
  assert.ok(r.stderr.includes(`LINE 2: FROM types WHERE id = = 1\n${' '.repeat(8 + 22)}^\n`), r.stderr);
  // An unknown column: 42703, caret under it.
  const c = await q(['-v', 'ON_ERROR_STOP=1', '-c', '\\set VERBOSITY verbose', '-c', "SELECT 'héllo' AS a, nope FROM types"]);
  assert.equal(c.code, 1, c.stderr);
  assert.match(c.stderr, /^ERROR: {2}42703: /m);
  assert.ok(c.stderr.includes(`LINE 1: SELECT 'héllo' AS a, nope FROM types\n${' '.repeat(8 + 21)}^\n`), c.stderr);
});

test('psql: the session stays usable after errors (ON_ERROR_STOP=0), and a failed transaction needs ROLLBACK', async () => {
  const r = await q(['-v', 'ON_ERROR_STOP=0', '-At', '-c', 'SELECT * FROM nope', '-c', 'SELECT count(*) FROM items', '-c', 'SELEC 1', '-c', 'SELECT 7']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '20\n7\n');
  assert.equal(r.stderr.match(/^ERROR: /gm)?.length, 2, r.stderr);
  const t = await q(['-v', 'ON_ERROR_STOP=0', '-At', '-c', 'BEGIN', '-c', 'SELECT * FROM nope', '-c', 'SELECT 1', '-c', 'ROLLBACK', '-c', 'SELECT 2']);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(t.stdout, 'BEGIN\nROLLBACK\n2\n');
  assert.match(t.stderr, /^ERROR: {2}current transaction is aborted, commands ignored until end of transaction block$/m);
});

test('psql: COPY (SELECT ...) TO STDOUT in csv with HEADER and in text format, byte for byte', async () => {
  const csv = await q(['-v', 'ON_ERROR_STOP=1', '-c', `COPY (${TYPES_SQL}) TO STDOUT WITH (FORMAT csv, HEADER)`]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(
    csv.stdout,
    [
      'id,big,amount,ok,created,day,uid,label,note',
      '1,9007199254740993,12.5,t,2024-01-02 03:04:05.123456,2024-02-29,6f1c5c66-2b8e-4a8f-9d2e-7f1e0c7d5a10,plain,',
      '2,-42,-0.25,f,1999-12-31 23:59:59,1970-01-01,00000000-0000-0000-0000-000000000000,"tab\there ""quoted"", new\nline \\ back","{""k"":[1,2]}"',
      '3,0,1e+21,,,,,héllo wörld 日本語 🎉,',
      '',
    ].join('\n'),
  );
  const text = await q(['-v', 'ON_ERROR_STOP=1', '-c', `COPY (${TYPES_SQL}) TO STDOUT`]);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stdout,
    [
      '1\t9007199254740993\t12.5\tt\t2024-01-02 03:04:05.123456\t2024-02-29\t6f1c5c66-2b8e-4a8f-9d2e-7f1e0c7d5a10\tplain\t\\N',
      '2\t-42\t-0.25\tf\t1999-12-31 23:59:59\t1970-01-01\t00000000-0000-0000-0000-000000000000\ttab\\there "quoted", new\\nline \\\\ back\t{"k":[1,2]}',
      '3\t0\t1e+21\t\\N\t\\N\t\\N\t\\N\théllo wörld 日本語 🎉\t\\N',
      '',
    ].join('\n'),
  );
});

test('psql: \\copy (SELECT ...) TO a file writes the rows there', async () => {
  const file = join(home, 'copied.csv');
  const r = await q(['-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT id, label FROM types ORDER BY id) TO '${file}' WITH (FORMAT csv)`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'COPY 3\n');
  assert.equal(readFileSync(file, 'utf8'), '1,plain\n2,"tab\there ""quoted"", new\nline \\ back"\n3,héllo wörld 日本語 🎉\n');
  const big = join(home, 'big.txt');
  const b = await q(['-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT id, name FROM big ORDER BY id) TO '${big}'`]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(readFileSync(big, 'utf8'), Array.from({ length: 64 }, (_, i) => `${i + 1}\tname-${i + 1}\n`).join(''));
});

test('psql: a wrong password exits 2 with "password authentication failed", and the log has the failure without the password', async () => {
  const wrong = 'not-the-Pa55word-xyzzy';
  const before = served.log.length;
  const r = await q(['-At', '-c', 'SELECT 1'], '', { password: wrong });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /password authentication failed for user "tester"/);
  await until('the server logged the failed login', () => served.log.slice(before).some((l) => /login failed for user "tester"/.test(l)));
  const lines = served.log.slice(before).join('\n');
  assert.match(lines, /login failed for user "tester" from 127\.0\.0\.1:\d+/);
  assert.ok(!lines.includes(wrong), lines);
  assert.ok(!lines.includes(served.password), lines);
});

test('psql: TLS with sslmode=require, and verify-full against the server certificate with host=localhost', async (t) => {
  const tls = await serveFixture({ tls: true });
  t.after(() => tls.close());
  const certFile = join(home, 'server-cert.pem');
  writeFileSync(certFile, tls.cert!);
  const args = ['-v', 'ON_ERROR_STOP=1', '-At', '-c', 'SELECT count(*) FROM items'];
  const req = await psql(tls.conninfo(), args, { home, password: tls.password });
  assert.equal(req.code, 0, req.stderr);
  assert.equal(req.stdout, '20\n');
  assert.ok(tls.log.some((l) => /session \d+ from 127\.0\.0\.1:\d+: .*\(TLS\)$/.test(l)), tls.log.join('\n'));
  // verify-full: the name libpq checks is host (localhost); hostaddr keeps the connection on 127.0.0.1.
  const full = await psql(`host=localhost hostaddr=127.0.0.1 port=${tls.port} user=tester dbname=restsql sslmode=verify-full sslrootcert=${certFile}`, args, { home, password: tls.password });
  assert.equal(full.code, 0, full.stderr);
  assert.equal(full.stdout, '20\n');
  // And verification is real: another certificate as the root is refused by libpq.
  const other = await serverTls(join(home, 'other-state'), {}, () => {});
  const otherFile = join(home, 'other-cert.pem');
  writeFileSync(otherFile, other.cert);
  const refused = await psql(`host=localhost hostaddr=127.0.0.1 port=${tls.port} user=tester dbname=restsql sslmode=verify-full sslrootcert=${otherFile}`, args, { home, password: tls.password });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /certificate verify failed/);
  // Without TLS, a TLS-capable server still answers sslmode=disable on loopback.
  const plain = await psql(`host=127.0.0.1 port=${tls.port} user=tester dbname=restsql sslmode=disable`, ['-At', '-c', 'SELECT 1'], { home, password: tls.password });
  assert.equal(plain.code, 0, plain.stderr);
});

test('psql: eight sessions at once, each running a query, all get their own right answer', async (t) => {
  const release = served.api.holdSlow();
  t.after(release);
  const slowBefore = served.api.seen.filter((p) => p === '/slow').length;
  // Each query waits on the held /slow table, so all eight are running at the same time.
  const runs = Array.from({ length: 8 }, (_, i) => q(['-v', 'ON_ERROR_STOP=1', '-At', '-c', `SELECT v, ${i} AS i, (SELECT sum(id) FROM big WHERE id % 8 = ${i}) AS s FROM slow`]));
  await until(() => `8 sessions open (now ${served.server.sessions})`, () => served.server.sessions >= 8);
  await until('the API saw /slow', () => served.api.seen.filter((p) => p === '/slow').length > slowBefore);
  release();
  const results = await Promise.all(runs);
  results.forEach((r, i) => {
    let sum = 0;
    for (let id = 1; id <= 64; id++) if (id % 8 === i) sum += id;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `late|${i}|${sum}\n`);
  });
});

/**
 * A server of its own for a cancel test: the hub keeps what it fetched (CacheTTL), so on a server
 * that already loaded `slow` the statement would not wait for the API at all.
 */
async function freshServer(t: { after: (fn: () => Promise<void> | void) => void }): Promise<Served> {
  const s = await serveFixture();
  t.after(() => s.close());
  const release = s.api.holdSlow();
  t.after(release);
  return s;
}

test('psql -f: Ctrl-C during a statement sends CancelRequest; the statement ends with 57014 and psql stops the script (status 3)', async (t) => {
  const s = await freshServer(t);
  const script = join(home, 'cancel.sql');
  writeFileSync(script, '\\set VERBOSITY verbose\nSELECT count(*) FROM slow;\nSELECT 42;\n');
  const child = new Child(PSQL, ['-X', '-At', '-v', 'ON_ERROR_STOP=0', '-d', s.conninfo(), '-f', script], { env: psqlEnv(home, s.password) });
  t.after(() => child.kill());
  await until('the API saw /slow', () => s.api.seen.includes('/slow'));
  child.proc.kill('SIGINT');
  const r = await child.exit();
  // psql's own rule for scripts (the same against PostgreSQL): Ctrl-C ends the script, status 3.
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^Cancel request sent$/m);
  assert.match(r.stderr, /ERROR: {2}57014: canceling statement due to user request/);
  assert.equal(r.stdout, '');
});

test('psql (interactive): Ctrl-C cancels the running statement with 57014, and the next statement runs fine', async (t) => {
  requireProgram(SCRIPT, 'bsdutils');
  const s = await freshServer(t);
  const child = interactivePsql(s.conninfo(), ['-At', '-v', 'ON_ERROR_STOP=0'], { home, password: s.password });
  t.after(() => child.kill());
  await child.waitFor('the prompt', (out) => out.includes('restsql=> '));
  child.write('SELECT count(*) FROM slow;\n');
  await until('the API saw /slow', () => s.api.seen.includes('/slow'));
  // ^C on the terminal: the kernel sends psql SIGINT, psql sends CancelRequest on a new connection.
  child.write('\x03');
  await child.waitFor('the cancel error', (out) => /ERROR: {2}canceling statement due to user request\r?\n(.*\r?\n)?restsql=> /.test(out));
  child.write('SELECT 40 + 2 AS after;\n');
  await child.waitFor('the next statement\'s result', (out) => /\r?\n42\r?\nrestsql=> $/.test(out));
  child.write('\\q\n');
  const r = await child.exit();
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /Cancel request sent/);
  assert.ok(!/ERROR: {2}(?!canceling statement due to user request)/.test(r.stdout), r.stdout);
});
