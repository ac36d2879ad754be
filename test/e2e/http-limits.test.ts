import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const MIB = 1024 * 1024;
const dir = tempDir(after, 'restsql-limits-');
// Writes the CLI child's peak RSS (resourceUsage().maxRSS, KiB) to a file as it exits.
const preload = join(dir, 'peak-rss.mjs');
writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`);

// Gzip allows concatenated members (RFC 1952 §2.2): 64 members of 16 MiB of zeros inflate to 1 GiB from ~1 MiB.
const GZIP_MEMBER = gzipSync(Buffer.alloc(16 * MIB), { level: 9 });
const GZIP_BOMB = Buffer.concat(Array.from({ length: 64 }, () => GZIP_MEMBER));
// One brotli stream of 256 MiB of zeros: ~50 KiB.
const BROTLI_BOMB = brotliCompressSync(Buffer.alloc(256 * MIB), { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
// A legitimate JSON page: 2 MiB of records, sent plainly (with Content-Length, or chunked) or gzipped.
const PAGE = Buffer.from(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `customer number ${i} with some padding text`, score: i * 1.5 }))));

let server: Listening<Server> | undefined;
let base: string;

before(async () => {
  assert.ok(PAGE.length > 1.5 * MIB && PAGE.length < 3 * MIB);
  server = await startHttpServer((req, res) => {
    switch (req.url) {
      case '/gzip-bomb':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': GZIP_BOMB.length });
        res.end(GZIP_BOMB);
        return;
      case '/br-bomb':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br', 'content-length': BROTLI_BOMB.length });
        res.end(BROTLI_BOMB);
        return;
      case '/page':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': PAGE.length });
        res.end(PAGE);
        return;
      case '/page-chunked':
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let at = 0; at < PAGE.length; at += 64 * 1024) res.write(PAGE.subarray(at, at + 64 * 1024));
        res.end();
        return;
      case '/page-gzip': {
        const body = gzipSync(PAGE);
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(body);
        return;
      }
      case '/page-deflate':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'deflate' });
        res.end(deflateSync(PAGE));
        return;
      case '/page-br':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
        res.end(brotliCompressSync(PAGE));
        return;
      default:
        res.writeHead(404).end();
    }
  });
  base = server.url;
});
after(() => server?.close());

/** Runs a query against `path`, returning the result, the wall time and the child's peak RSS in MiB. */
async function query(path: string, extra = '') {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const started = process.hrtime.bigint();
  const r = await runCli(['query', '-c', `RestSamplePath=${base}${path};Table=page;WSRetryCount=0${extra}`, 'SELECT count(*) AS n FROM page'], { env: { NODE_OPTIONS: `--import=${preload}`, PEAK_RSS_FILE: rssFile } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  return { ...r, seconds, peakMiB };
}

function assertTooLarge(r: { code: number; stderr: string }, url: string, limit: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^restsql: error\[HTTP_TOO_LARGE\]: /, r.stderr);
  assert.ok(r.stderr.includes(url), `names the URL: ${r.stderr}`);
  assert.match(r.stderr, limit);
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
}

test('a gzip bomb (1 MiB inflating to 1 GiB) fails with HTTP_TOO_LARGE naming the URL and MaxCompressionRatio, in little memory', { timeout: 120_000 }, async () => {
  assert.ok(GZIP_BOMB.length < 1.5 * MIB);
  const r = await query('/gzip-bomb');
  assertTooLarge(r, `${base}/gzip-bomb`, /MaxCompressionRatio=1000/);
  assert.ok(r.peakMiB < 400, `peak RSS ${r.peakMiB} MiB`);
  assert.ok(r.seconds < 60, `took ${r.seconds} s`);
});

test('a brotli bomb fails with HTTP_TOO_LARGE naming the URL and MaxCompressionRatio, in little memory', { timeout: 120_000 }, async () => {
  assert.ok(BROTLI_BOMB.length < 100 * 1024);
  const r = await query('/br-bomb');
  assertTooLarge(r, `${base}/br-bomb`, /MaxCompressionRatio=1000/);
  assert.ok(r.peakMiB < 400, `peak RSS ${r.peakMiB} MiB`);
});

test('with the ratio check off, MaxResponseSize stops the decoded body as it grows', { timeout: 120_000 }, async () => {
  const r = await query('/gzip-bomb', ';MaxCompressionRatio=0;MaxResponseSize=32');
  assertTooLarge(r, `${base}/gzip-bomb`, /decoded body is larger than MaxResponseSize=32 MiB/);
  assert.ok(r.peakMiB < 400, `peak RSS ${r.peakMiB} MiB`);
});

test('MaxResponseSize checks Content-Length up front and counts chunked bodies as they arrive', { timeout: 120_000 }, async () => {
  const declared = await query('/page', ';MaxResponseSize=1');
  assertTooLarge(declared, `${base}/page`, /Content-Length [\d.]+ MiB\) is larger than MaxResponseSize=1 MiB/);
  const chunked = await query('/page-chunked', ';MaxResponseSize=1');
  assertTooLarge(chunked, `${base}/page-chunked`, /as received is larger than MaxResponseSize=1 MiB/);
  const gzipped = await query('/page-gzip', ';MaxResponseSize=1');
  assertTooLarge(gzipped, `${base}/page-gzip`, /decoded body is larger than MaxResponseSize=1 MiB/);
});

// One test per encoding: ten CLI runs in one test took 99 s of a 120 s timeout on a loaded machine.
for (const path of ['/page', '/page-chunked', '/page-gzip', '/page-deflate', '/page-br']) {
  test(`a legitimate page passes under the limits (${path.slice(1)}), bulk loaded and row by row`, { timeout: 120_000 }, async () => {
    for (const bulk of ['1', '0']) {
      const r = await query(path, `;MaxResponseSize=3;BulkLoad=${bulk}`);
      assert.equal(r.code, 0, `${path} BulkLoad=${bulk}: ${r.stderr}`);
      assert.match(r.stdout, /\b20000\b/);
    }
  });
}
