import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN } from '../support/cli.js';
import { listenLoopback, startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir(after, 'restsql-deadlines-');

/** The real CLI, killed after `killAfterMs` (a hang fails the test instead of holding the run). */
function run(args: readonly string[], killAfterMs = 60_000): Promise<{ code: number | null; stderr: string; seconds: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'ignore', 'pipe'], timeout: killAfterMs, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}

function assertError(r: { code: number | null; stderr: string }, exit: number, code: string, culprit: RegExp): void {
  assert.equal(r.code, exit, r.stderr);
  assert.match(r.stderr, new RegExp(`^restsql: error\\[${code}\\]: `), r.stderr);
  assert.match(r.stderr, culprit, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
}

let api: Listening<Server> | undefined;
let base: string;
const trickles = new Set<NodeJS.Timeout>();
// Accepts connections (CONNECT requests included) and never answers.
let silentProxy: Listening<TcpServer> | undefined;
let proxyPort: number;
let proxyConnects = 0;

before(async () => {
  api = await startHttpServer((req, res) => {
    if (req.url === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1}]');
      return;
    }
    // A body that never ends: one byte every 300 ms, which no idle timer ever notices.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const timer = setInterval(() => res.write(' '), 300);
    trickles.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      trickles.delete(timer);
    });
  });
  base = api.url;
  silentProxy = await listenLoopback(
    createTcpServer((socket) => {
      proxyConnects++;
      socket.on('error', () => undefined);
    }),
  );
  proxyPort = silentProxy.port;
});
after(async () => {
  for (const t of trickles) clearInterval(t);
  await api?.close();
  await silentProxy?.close();
});

test('WSTimeout bounds a body that trickles in forever: HTTP_TIMEOUT naming the URL and WSTimeout', { timeout: 90_000 }, async () => {
  const r = await run(['query', '-c', `RestSamplePath=${base}/trickle;Table=t;WSTimeout=1;WSRetryCount=0`, 'SELECT 1']);
  assertError(r, 1, 'HTTP_TIMEOUT', new RegExp(`GET ${base}/trickle failed: no complete answer \\(headers and body\\) within WSTimeout=1s`));
  assert.ok(r.seconds < 20, `took ${r.seconds} s`);
});

test('each retry gets its own WSTimeout deadline, and the message says how many tries timed out', { timeout: 90_000 }, async () => {
  const r = await run(['query', '-c', `RestSamplePath=${base}/trickle;Table=t;WSTimeout=1;WSRetryCount=1`, 'SELECT 1']);
  assertError(r, 1, 'HTTP_TIMEOUT', /within WSTimeout=1s on any of 2 tries/);
  assert.ok(r.seconds >= 2, `two deadlines of 1 s: took ${r.seconds} s`);
  assert.ok(r.seconds < 25, `took ${r.seconds} s`);
});

test('WSTimeout bounds HealthURI the same way', { timeout: 90_000 }, async () => {
  const r = await run(['query', '-c', `RestSamplePath=${base}/ok;Table=t;HealthURI=${base}/health;WSTimeout=1;WSRetryCount=0`, 'SELECT 1']);
  assertError(r, 1, 'HTTP_TIMEOUT', new RegExp(`GET ${base}/health failed: .*WSTimeout=1s`));
  assert.ok(r.seconds < 20, `took ${r.seconds} s`);
});

test('a proxy that accepts the connection and never answers CONNECT is bounded by WSTimeout', { timeout: 90_000 }, async () => {
  const before = proxyConnects;
  const r = await run(['query', '-c', `RestSamplePath=${base}/ok;Table=t;ProxyHost=127.0.0.1;ProxyPort=${proxyPort};WSTimeout=1;WSRetryCount=0`, 'SELECT 1']);
  assertError(r, 1, 'HTTP_TIMEOUT', new RegExp(`GET ${base}/ok failed: .*WSTimeout=1s`));
  assert.ok(proxyConnects > before, 'the request went to the proxy');
  assert.ok(r.seconds < 20, `took ${r.seconds} s`);
});

test('RedirectURI must have a port from 1 to 65535: port 0 would wait for a callback that cannot come', { timeout: 60_000 }, async () => {
  for (const port of ['0', '00']) {
    const r = await run(['query', '-c', `RestSamplePath=${base}/ok;AuthenticationMethod=56;ClientID=app;AuthURI=${base}/authorize;TokenURI=${base}/token;RedirectURI=http://localhost:${port}/callback`, 'SELECT 1']);
    assertError(r, 2, 'CONFIG_INVALID_VALUE', new RegExp(`RedirectURI 'http://localhost:${Number(port)}/callback' has port ${Number(port)}; it must be 1 to 65535`));
    assert.ok(r.seconds < 20, `took ${r.seconds} s`);
  }
});

test('RestConfigFile reads regular files only, and at most 16 MiB: /dev/zero, a directory, a FIFO and a huge file fail at once', { timeout: 60_000 }, async () => {
  const folder = join(dir, 'folder.rest');
  mkdirSync(folder);
  const fifo = join(dir, 'pipe.rest');
  execFileSync('mkfifo', [fifo]);
  const huge = join(dir, 'huge.rest');
  writeFileSync(huge, `{"t": "${base}/ok"${' '.repeat(17 * 1024 * 1024)}}`);
  const cases = [
    { file: '/dev/zero', code: 'MODEL_FILE_NOT_FOUND', why: /it is a device, not a regular file/ },
    { file: folder, code: 'MODEL_FILE_NOT_FOUND', why: /it is a directory, not a regular file/ },
    { file: fifo, code: 'MODEL_FILE_NOT_FOUND', why: /it is a pipe, not a regular file/ },
    { file: huge, code: 'MODEL_INVALID', why: /is larger than 16 MiB, the most restsql reads/ },
  ];
  for (const c of cases) {
    const r = await run(['query', '-c', `RestConfigFile=${c.file}`, 'SELECT 1'], 30_000);
    assertError(r, 2, c.code, new RegExp(`RestConfigFile: .*'${c.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`));
    assert.match(r.stderr, c.why);
    assert.ok(r.seconds < 15, `${c.file} took ${r.seconds} s`);
  }
});
