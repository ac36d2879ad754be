/**
 * Bulk loading's temporary files go, whatever happens: after a failed fetch, after Ctrl-C,
 * SIGTERM or SIGHUP in the middle of one, and (swept at the next start) after a process that
 * died without cleaning up (the real CLI, its own TMPDIR so what it leaves behind can be seen).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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

/** Spool folders in `dir` and everything under them. */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    out.push(p);
    if (statSync(p).isDirectory()) for (const x of readdirSync(p)) walk(join(p, x));
  };
  for (const d of readdirSync(dir)) if (d.startsWith('restsql-spool-')) walk(join(dir, d));
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

for (const [signal, status] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  test(`${signal} in the middle of a bulk fetch exits ${status} and removes the spooled pages`, async () => {
    // The first pages arrive (and are spooled), the rest never do.
    const a = await api((offset) => (offset < 10 * PAGE ? 'ok' : 'hang'));
    const { model, cliTmp } = setup(a.base);
    try {
      const run = start(model, cliTmp);
      // Wait until pages are on disk: a scan folder with files in the spool folder.
      const deadline = Date.now() + 15_000;
      const pages = () => leftovers(cliTmp).filter((f) => /scan-[^/]+\/\d+\.json$/.test(f));
      while (pages().length === 0) {
        assert.ok(Date.now() < deadline, `no spooled pages appeared: ${run.stderr()}`);
        await sleep(20);
      }
      // API data is never readable by others: files 0600, folders 0700.
      for (const f of leftovers(cliTmp)) {
        const st = statSync(f, { throwIfNoEntry: false });
        if (st) assert.equal(st.mode & 0o777, st.isDirectory() ? 0o700 : 0o600, f);
      }
      run.child.kill(signal);
      const r = await run.done;
      assert.equal(r.code, status, run.stderr());
      assert.deepEqual(leftovers(cliTmp), []);
    } finally {
      await a.close();
    }
  });
}

test('spool folders of dead restsql processes of ours are swept at start; live or foreign ones are left', async () => {
  const a = await api(() => 'ok');
  const { model, cliTmp } = setup(a.base);
  try {
    // A PID that was alive and is gone now.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.on('close', r));
    const leftover = (pid: number, suffix: string) => {
      const d = join(cliTmp, `restsql-spool-${pid}-${suffix}`);
      mkdirSync(join(d, 'pages', 'scan-abcdef'), { recursive: true, mode: 0o700 });
      writeFileSync(join(d, 'pages', 'scan-abcdef', '00000000.json'), '[{"id":1}]', { mode: 0o600 });
      return d;
    };
    const dead = leftover(gone.pid!, 'Dead01');
    const live = leftover(process.pid, 'Live01');
    const foreign = leftover(gone.pid!, 'Other1');
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(foreign, 65534, 65534);
    const run = start(model, cliTmp);
    const r = await run.done;
    assert.equal(r.code, 0, run.stderr());
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(live), true);
    // Another user's folder (testable only as root, who can make one).
    if (asRoot) assert.equal(existsSync(foreign), true);
    assert.deepEqual(
      readdirSync(cliTmp).filter((d) => d.startsWith('restsql-spool-')).sort(),
      [live, ...(asRoot ? [foreign] : [])].map((d) => d.slice(cliTmp.length + 1)).sort(),
    );
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
