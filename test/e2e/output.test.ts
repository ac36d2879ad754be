/**
 * Output that reads well, through the real CLI (bin/restsql, real DuckDB, a loopback API):
 * into a pipe or a file the table cuts nothing (a 200-character cell whole); on a terminal (a
 * pseudo-terminal from `script`, 60 columns) every line fits, measured by string-width, with CJK,
 * Hangul and emoji aligned; --max-width, -x, --null; CSV in LF (or --crlf); `restsql token` never
 * cut on a narrow terminal; usage errors in one line and a hint.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import stringWidth from 'string-width';
import { BIN, runCli, type CliResult } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';
import type { Server } from 'node:http';

const LONG = 'L'.repeat(196) + '-END';
const ITEMS = [
  { id: 1, name: '漢字のテキスト', note: LONG, city: null, tag: '' },
  { id: 22, name: '한국어 텍스트', note: 'short', city: 'Zürich', tag: '👨‍👩‍👧 family' },
  { id: 333, name: 'ＦＵＬＬ ｗｉｄｔｈ', note: 'e\u0301te\u0301 and more text here', city: 'Kyōto', tag: 'plain' },
];

const dir = tempDir(after, 'restsql-output-');
let api: Listening<Server>;
let conn: string;
before(async () => {
  api = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ITEMS));
  });
  conn = `RestSamplePath=${api.url}/items`;
});
after(() => api?.close());

const SQL = 'SELECT id, name, note, city, tag FROM items ORDER BY id';

/** The CLI on a pseudo-terminal `cols` columns wide (util-linux `script`); the terminal's CRLF read back as LF. */
function onTerminal(cols: number, args: readonly string[]): Promise<CliResult> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, RESTSQL_HOME: dir, TERM: 'dumb', SHELL: '/bin/sh' };
    const child = spawn('script', ['-qec', `stty cols ${cols} rows 40 -echo; exec ${quoted} 2>/dev/null`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: stdout.replaceAll('\r\n', '\n'), stderr }));
  });
}

function assertFits(out: string, width: number): void {
  for (const line of out.split('\n')) assert.ok(stringWidth(line) <= width, `${stringWidth(line)} columns > ${width}: ${line}`);
}

/** The display column of each '|' in a line. */
function bars(line: string): number[] {
  const at: number[] = [];
  let col = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(line)) {
    if (segment === '|') at.push(col);
    col += stringWidth(segment);
  }
  return at;
}

test('into a pipe the table cuts nothing: the 200-character cell is whole, columns aligned by display width', async () => {
  const r = await runCli(['query', '-c', conn, SQL]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(LONG), 'the long cell is whole');
  assert.ok(!r.stdout.includes('…'));
  const lines = r.stdout.trimEnd().split('\n');
  const header = bars(lines[0]!);
  for (const line of [lines[2]!, lines[3]!, lines[4]!]) assert.deepEqual(bars(line).slice(0, header.length), header, line);
  assert.match(lines[2]!, /\| NULL +\| *$/, "NULL shows; the empty string empty");
  assert.match(lines.at(-1)!, /^\(3 rows\)$/);
});

test('on a 60-column terminal every line fits; -o FILE and --max-width 0 cut nothing; --max-width N into a pipe', async () => {
  const r = await onTerminal(60, ['query', '-c', conn, SQL]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assertFits(r.stdout, 60);
  assert.ok(r.stdout.includes('…'), 'cut to fit');
  assert.ok(r.stdout.includes('333 |'), r.stdout);
  const rows = r.stdout.split('\n').filter((l) => /^\s*\d+ \|/.test(l));
  assert.equal(rows.length, 3);
  for (const line of rows) assert.deepEqual(bars(line), bars(r.stdout.split('\n')[0]!), `aligned: ${line}`);

  const file = join(dir, 'out.txt');
  const f = await onTerminal(60, ['query', '-c', conn, '-o', file, SQL]);
  assert.equal(f.code, 0, f.stdout);
  assert.ok(readFileSync(file, 'utf8').includes(LONG), '-o FILE: whole');

  const unlimited = await onTerminal(60, ['query', '-c', conn, '--max-width', '0', SQL]);
  assert.ok(unlimited.stdout.includes(LONG), '--max-width 0: whole');

  const piped = await runCli(['query', '-c', conn, '--max-width', '50', SQL]);
  assert.equal(piped.code, 0, piped.stderr);
  assertFits(piped.stdout, 50);
});

test('-x shows one block per row, --null chooses how NULL shows; describe and tables take the flags too', async () => {
  const r = await runCli(['query', '-c', conn, '-x', '--null', '(null)', SQL]);
  assert.equal(r.code, 0, r.stderr);
  const blocks = r.stdout.split(/^-\[ RECORD \d+ \]-*$/m);
  assert.equal(blocks.length, 4, r.stdout);
  assert.match(blocks[1]!, /^city \| \(null\)$/m);
  assert.match(blocks[1]!, /^tag  \|$/m, 'the empty string shows empty');
  assert.match(blocks[1]!, new RegExp(`^note \\| ${LONG}$`, 'm'));

  const narrow = await onTerminal(40, ['query', '-c', conn, '-x', SQL]);
  assertFits(narrow.stdout, 40);
  assert.match(narrow.stdout, /^-\[ RECORD 3 \]-+$/m);

  const d = await runCli(['describe', '-c', conn, '-x', 'items']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^-\[ RECORD 1 \]-+\ncolumn \| id\ntype   \| INTEGER\nkey    \| true$/m);
  const t = await runCli(['tables', '-c', conn, '--max-width', '30']);
  assert.equal(t.code, 0, t.stderr);
  assertFits(t.stdout, 30);
});

test('CSV ends lines with LF; --crlf with CRLF; NULL empty and an empty string quoted', async () => {
  const sql = 'SELECT id, city, tag FROM items ORDER BY id';
  const lf = await runCli(['query', '-c', conn, '-f', 'csv', sql]);
  assert.equal(lf.stdout, 'id,city,tag\n1,,""\n22,Zürich,👨‍👩‍👧 family\n333,Kyōto,plain\n');
  const crlf = await runCli(['query', '-c', conn, '-f', 'csv', '--crlf', sql]);
  assert.equal(crlf.stdout, lf.stdout.replaceAll('\n', '\r\n'));
  const nulls = await runCli(['query', '-c', conn, '-f', 'csv', '--null', 'NULL', 'SELECT city FROM items WHERE id = 1']);
  assert.equal(nulls.stdout, 'city\nNULL\n');
});

test('restsql token on a 30-column terminal prints every field whole', async () => {
  const endpoint = `${api.url}/oauth2/v1/token/a/rather/long/path/that/does/not/fit/in/thirty/columns`;
  const client = 'a-client-id-that-is-longer-than-the-terminal-is-wide';
  const r = await onTerminal(30, ['token', '-c', `AuthenticationMethod=53;TokenURI=${endpoint};ClientID=${client};ClientSecret=s3cret;RestSamplePath=${api.url}/items`]);
  assert.equal(r.code, 0, r.stdout);
  assert.ok(r.stdout.includes(endpoint), r.stdout);
  assert.ok(r.stdout.includes(client), r.stdout);
  assert.ok(r.stdout.includes('no (the next command logs in)'), r.stdout);
  assert.ok(!r.stdout.includes('…'));
  assert.ok(!r.stdout.includes('s3cret'));
});

test('a usage error is one line and a hint, not the whole help; bare restsql still prints the help', async () => {
  const cases: [args: string[], line: RegExp, hint: string][] = [
    [['query', '--fromat', 'csv', 'select 1'], /^restsql: error: unknown option '--fromat' \(Did you mean --format\?\)$/, "Try 'restsql query --help'."],
    [['query', '-f', 'xml', 'select 1'], /^restsql: error: option '-f, --format <format>' argument 'xml' is invalid\. Allowed choices are table, csv, json, ndjson\.$/, "Try 'restsql query --help'."],
    [['tabels'], /^restsql: error: unknown command 'tabels' \(Did you mean tables\?\)$/, "Try 'restsql --help'."],
    [['describe', '--max-width'], /^restsql: error: option '--max-width <n>' argument missing$/, "Try 'restsql describe --help'."],
  ];
  for (const [args, line, hint] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, line);
    assert.equal(lines[1], hint);
  }
  const bad = await runCli(['query', '-c', conn, '--max-width', 'wide', 'select 1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^restsql: error\[USAGE\]: --max-width takes a whole number of columns, not 'wide'\.\nhint: /);
  const bare = await runCli([]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /^Usage: restsql \[options\] \[command\]/);
});
