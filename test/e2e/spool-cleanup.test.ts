/**
 * Bulk loading's temporary files go, whatever happens: after a failed fetch, after Ctrl-C,
 * SIGTERM or SIGHUP in the middle of one, and (swept at the next start) after a process that
 * died without cleaning up (the real CLI, its own TMPDIR so what it leaves behind can be seen).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { BIN } from '../support/cli.js';
import { signal, within } from '../support/deadline.js';
import { startHttpServer } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const PAGE = 50;
const TOTAL = 2000;

/**
 * Offset-paged items; `behaviour` decides per offset: answer, fail with 500, or never answer.
 * Closed (hanging requests included) when the test ends. `hung` resolves at the first request left
 * hanging.
 */
async function api(t: TestContext, behaviour: (offset: number) => 'ok' | 'fail' | 'hang') {
  const hung = signal();
  const server = await startHttpServer((req, res: ServerResponse) => {
    const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
    const what = behaviour(offset);
    if (what === 'hang') return hung.resolve();
    if (what === 'fail') {
      res.writeHead(500, { 'content-type': 'application/json' });
      return void res.end('{"error":"broken"}');
    }
    const items = Array.from({ length: PAGE }, (_x, i) => ({ id: offset + i + 1, tags: ['a', 'b'] }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ total: TOTAL, items }));
  });
  t.after(() => server.close());
  return { base: server.url, hung: hung.promise };
}

function setup(t: TestContext, base: string) {
  const tmp = tempDir(t, 'restsql-cleanup-');
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

/** The real CLI counting the items; killed when the test ends if still running. */
function start(t: TestContext, model: string, cliTmp: string) {
  const child = spawn(process.execPath, [BIN, 'query', '-c', `RestConfigFile=${model};WSRetryCount=0`, 'SELECT count(*) AS n FROM items'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TMPDIR: cliTmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  t.after(() => void child.kill('SIGKILL'));
  return { child, done: within(60_000, 'the CLI exited', done), stderr: () => stderr };
}

test('a fetch that fails half-way leaves no spooled pages behind', async (t) => {
  const a = await api(t, (offset) => (offset === 25 * PAGE ? 'fail' : 'ok'));
  const { model, cliTmp } = setup(t, a.base);
  const run = start(t, model, cliTmp);
  const r = await run.done;
  assert.notEqual(r.code, 0);
  assert.match(run.stderr(), /500/);
  assert.deepEqual(leftovers(cliTmp), []);
});

for (const [signal, status] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  test(`${signal} in the middle of a bulk fetch exits ${status} and removes the spooled pages`, async (t) => {
    // The first pages arrive (and are spooled), the rest never do.
    const a = await api(t, (offset) => (offset < 10 * PAGE ? 'ok' : 'hang'));
    const { model, cliTmp } = setup(t, a.base);
    const run = start(t, model, cliTmp);
    // The first page (it holds the total) is written to the spool before the other pages are
    // asked for, so once a request hangs there are pages on disk.
    await within(60_000, () => `a request reached a page that hangs (${run.stderr()})`, a.hung);
    const pages = leftovers(cliTmp).filter((f) => /scan-[^/]+\/\d+\.json$/.test(f));
    assert.ok(pages.length > 0, `spooled pages on disk: ${leftovers(cliTmp).join(', ')}`);
    // API data is never readable by others: files 0600, folders 0700; the folder DuckDB may read
    // is 0300 (nobody lists it: restsql names the files it loads from it exactly).
    for (const f of leftovers(cliTmp)) {
      const st = statSync(f, { throwIfNoEntry: false });
      if (st) assert.equal(st.mode & 0o777, st.isDirectory() ? (f.endsWith('/load') ? 0o300 : 0o700) : 0o600, f);
    }
    run.child.kill(signal);
    const r = await run.done;
    assert.equal(r.code, status, run.stderr());
    assert.deepEqual(leftovers(cliTmp), []);
  });
}

test('spool folders of dead restsql processes of ours are swept at start; live or foreign ones are left', async (t) => {
  const a = await api(t, () => 'ok');
  const { model, cliTmp } = setup(t, a.base);
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
  const run = start(t, model, cliTmp);
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
});

test('a temporary folder that cannot be written is a configuration error naming TMPDIR', async (t) => {
  const a = await api(t, () => 'ok');
  const { model, cliTmp } = setup(t, a.base);
  const run = start(t, model, join(cliTmp, 'missing'));
  const r = await run.done;
  assert.equal(r.code, 2, run.stderr());
  assert.match(run.stderr(), /error\[TEMP_DIR_UNAVAILABLE\]: The temporary folder .*missing cannot be used for spooled pages \(ENOENT\)/);
  assert.match(run.stderr(), /TMPDIR/);
});
