/**
 * Bulk loading's temporary files go, whatever happens: after a failed fetch, and after Ctrl-C
 * in the middle of one (the real CLI, its own TMPDIR so what it leaves behind can be seen).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN } from '../support/cli.js';

const PAGE = 50;
const TOTAL = 2000;

/** Offset-paged items; `behaviour` decides per offset: answer, fail with 500, or never answer. */
async function api(behaviour: (offset: number) => 'ok' | 'fail' | 'hang') {
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
    const what = behaviour(offset);
    if (what === 'hang') return void hanging.push(res);
    if (what === 'fail') {
      res.writeHead(500, { 'content-type': 'application/json' });
      return void res.end('{"error":"broken"}');
    }
    const items = Array.from({ length: PAGE }, (_x, i) => ({ id: offset + i + 1, tags: ['a', 'b'] }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ total: TOTAL, items }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function setup(base: string) {
  const tmp = mkdtempSync(join(tmpdir(), 'restsql-cleanup-'));
  const model = join(tmp, 'api.rest');
  writeFileSync(model, JSON.stringify({ items: { '#path': `${base}/items /items`, '#maximumPageSize': PAGE, '#pageSizeParameter': 'limit', '#rowOffsetParameter': 'offset', '#totalRowsElement': 'total', id: 'Integer,#key', 'tags[]': 'VarChar' } }));
  // The CLI's temporary folder: everything it spools lives under here.
  const cliTmp = join(tmp, 'cli');
  mkdirSync(cliTmp);
  return { model, cliTmp };
}

function leftovers(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir)) if (d.startsWith('restsql-spool-')) out.push(join(dir, d), ...readdirSync(join(dir, d)).map((x) => join(dir, d, x)));
  return out;
}

function start(model: string, cliTmp: string) {
  const child = spawn(process.execPath, [BIN, 'query', '-c', `RestConfigFile=${model};WSRetryCount=0`, 'SELECT count(*) AS n FROM items'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TMPDIR: cliTmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, done, stderr: () => stderr };
}

test('a fetch that fails half-way leaves no spooled pages behind', async () => {
  const a = await api((offset) => (offset === 25 * PAGE ? 'fail' : 'ok'));
  const { model, cliTmp } = setup(a.base);
  try {
    const run = start(model, cliTmp);
    const r = await run.done;
    assert.notEqual(r.code, 0);
    assert.match(run.stderr(), /500/);
    assert.deepEqual(leftovers(cliTmp), []);
  } finally {
    await a.close();
  }
});

test('Ctrl-C in the middle of a bulk fetch exits 130 and removes the spooled pages', async () => {
  // The first pages arrive (and are spooled), the rest never do.
  const a = await api((offset) => (offset < 10 * PAGE ? 'ok' : 'hang'));
  const { model, cliTmp } = setup(a.base);
  try {
    const run = start(model, cliTmp);
    // Wait until pages are on disk: a scan folder with files in the spool folder.
    const deadline = Date.now() + 15_000;
    while (!leftovers(cliTmp).some((f) => /scan-/.test(f) && existsSync(f) && readdirSync(f).length > 0)) {
      assert.ok(Date.now() < deadline, `no spooled pages appeared: ${run.stderr()}`);
      await sleep(20);
    }
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, run.stderr());
    assert.deepEqual(leftovers(cliTmp), []);
  } finally {
    await a.close();
  }
});

test('a temporary folder that cannot be written is a configuration error naming TMPDIR', async () => {
  const a = await api(() => 'ok');
  const { model, cliTmp } = setup(a.base);
  try {
    const run = start(model, join(cliTmp, 'missing'));
    const r = await run.done;
    assert.equal(r.code, 2, run.stderr());
    assert.match(run.stderr(), /error\[TEMP_DIR_UNAVAILABLE\]: The temporary folder .*missing cannot be used for spooled pages \(ENOENT\)/);
    assert.match(run.stderr(), /TMPDIR/);
  } finally {
    await a.close();
  }
});
