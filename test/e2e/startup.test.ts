/**
 * Start-up loads only what a command needs (docs/architecture.md "Start-up"): checked by the
 * modules a real `bin/restsql` process loads (test/support/load-probe.ts), not by timing; the
 * times are `npm run bench`'s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT } from '../support/cli.js';
import { startFixtureApi, type FixtureApi } from '../support/fixture-api.js';
import { tempDir } from '../support/temp-dir.js';

const PROBE = pathToFileURL(join(ROOT, 'dist', 'test', 'support', 'load-probe.js')).href;

const dir = tempDir(after, 'restsql-startup-');
let api: FixtureApi;
before(async () => {
  api = await startFixtureApi();
});
after(async () => api.close());

/** Runs bin/restsql with the probe; returns the packages (and restsql files) it loaded. */
function loaded(args: string[]): Promise<{ code: number; stdout: string; stderr: string; packages: Set<string>; files: string[] }> {
  const out = join(dir, `probe-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PROBE, BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir, RESTSQL_HOME: dir, LOAD_PROBE_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const { esm, cjs } = JSON.parse(readFileSync(out, 'utf8')) as { esm: string[]; cjs: string[] };
      const all = [...esm.map((u) => (u.startsWith('file:') ? new URL(u).pathname : u)), ...cjs];
      const packages = new Set(all.flatMap((p) => {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
        return m ? [m[1]!] : [];
      }));
      resolve({ code: code ?? -1, stdout, stderr, packages, files: all.filter((p) => p.startsWith(ROOT) && !p.includes('node_modules')) });
    });
  });
}

const HEAVY = ['@duckdb/node-api', '@duckdb/node-bindings', 'undici', 'oauth4webapi', 'csv-parse', 'sax', 'node-forge', 'selfsigned', 'libpg-query', '@electric-sql/pglite', '@modelcontextprotocol/sdk', '@hpcc-js/wasm-graphviz'];

test('--help and a usage error load nothing heavy, not even commander from node_modules (the bundle holds it); the CLI runs from its bundle', async () => {
  for (const args of [['--help'], ['query', '--format', 'nosuch', 'select 1']]) {
    const r = await loaded(args);
    assert.equal(r.code, args[0] === '--help' ? 0 : 2, r.stderr);
    assert.ok(!r.packages.has('commander'), `commander read from node_modules for ${args.join(' ')}`);
    assert.match(args[0] === '--help' ? r.stdout : r.stderr, args[0] === '--help' ? /^Usage: restsql \[options\] \[command\]/ : /^restsql: error: option '-f, --format <format>' argument 'nosuch' is invalid/m, 'commander, from the bundle, answered');
    for (const p of HEAVY) assert.ok(!r.packages.has(p), `${args.join(' ')} loaded ${p}`);
    assert.ok(r.files.some((f) => f.endsWith('dist/src/cli/bundle/main.js')), `bin/restsql ran the bundle: ${r.files.slice(0, 5).join(', ')}`);
    assert.ok(!r.files.some((f) => f.includes('/dist/src/engine/')), 'no unbundled engine module loaded');
  }
});

test('a query that needs no fetch loads DuckDB but neither undici nor the OAuth, CSV or XML modules', async () => {
  const model = join(dir, 'items.rest');
  writeFileSync(model, JSON.stringify({ items: { '#path': [`${api.baseUrl}/plain/items`], id: 'Integer,#key', name: 'VarChar(64)' } }));
  const before = api.requests.length;
  const r = await loaded(['query', '--format', 'csv', '--connect', `RestConfigFile=${model}`, 'select 41 + 1 as answer']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').at(-1), '42');
  assert.equal(api.requests.length, before, 'nothing was fetched');
  assert.ok(r.packages.has('@duckdb/node-bindings'), 'DuckDB answered');
  for (const p of ['undici', 'oauth4webapi', 'csv-parse', 'sax', 'node-forge', 'libpg-query', '@electric-sql/pglite']) assert.ok(!r.packages.has(p), `loaded ${p}`);
});

test('a query that fetches loads undici then, and the rows come back', async () => {
  const r = await loaded(['query', '--format', 'csv', '--connect', `RestSamplePath=${api.baseUrl}/plain/items`, 'select count(*) as n from items']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Number(r.stdout.trim().split('\n').at(-1)) > 0, r.stdout);
  assert.ok(r.packages.has('undici'));
});

test('the table format loads string-width only for text that is not plain ASCII', async () => {
  const model = join(dir, 'plain.rest');
  writeFileSync(model, JSON.stringify({ items: { '#path': [`${api.baseUrl}/plain/items`], id: 'Integer,#key' } }));
  const ascii = await loaded(['query', '--connect', `RestConfigFile=${model}`, "select 42 as answer, 'plain' as word"]);
  assert.equal(ascii.code, 0, ascii.stderr);
  assert.match(ascii.stdout, /^answer \| word\n/);
  assert.ok(!ascii.packages.has('string-width'), 'ASCII output: string-width not loaded');
  const wide = await loaded(['query', '--connect', `RestConfigFile=${model}`, "select 42 as answer, '漢字' as word"]);
  assert.equal(wide.code, 0, wide.stderr);
  assert.match(wide.stdout, /^answer \| word\n-------\+-----\n {4}42 \| 漢字\n/);
  assert.ok(wide.packages.has('string-width'), 'wide text: measured by string-width');
});
