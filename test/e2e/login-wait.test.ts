/**
 * A command waiting for another process's login says so (issue 17): two real CLI processes with
 * the same OAuth client (client credentials) and $RESTSQL_HOME. The first holds the token lock
 * while its token request is held open by the loopback token endpoint; the second finds the lock
 * held, prints one notice on stderr, and, once the first has cached the token, uses that token
 * without a second request.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Server } from 'node:http';
import { BIN, type CliResult } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const home = tempDir(after, 'restsql-login-wait-');
let server: Listening<Server>;
let tokenRequests = 0;
let tokenAsked!: () => void;
const asked = new Promise<void>((r) => (tokenAsked = r));
let answerToken!: () => void;
const answered = new Promise<void>((r) => (answerToken = r));

before(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/token' && req.method === 'POST') {
      tokenRequests++;
      tokenAsked();
      // Held open until the test has seen the second process wait.
      void answered.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }));
      });
      return;
    }
    if (req.url?.startsWith('/items')) {
      const ok = req.headers.authorization === 'Bearer at-1';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify([{ id: 1 }, { id: 2 }]) : '{"error":"unauthorized"}');
      return;
    }
    res.writeHead(404).end();
  });
});
after(() => server?.close());

function start(args: readonly string[]): { stderrUntil(re: RegExp): Promise<void>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, RESTSQL_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) if (w.re.test(stderr)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return {
    done,
    stderrUntil: (re) =>
      new Promise((resolve, reject) => {
        if (re.test(stderr)) return resolve();
        waiters.push({ re, resolve });
        void done.then((r) => reject(new Error(`CLI exited (${r.code}) before printing ${re}: ${r.stderr}`)));
      }),
  };
}

test('the second process says it waits for the first one\'s login, once, then uses its token', async () => {
  const conn = `RestSamplePath=${server.url}/items;Table=items;AuthenticationMethod=53;TokenURI=${server.url}/token;ClientID=c1;ClientSecret=s3cret;LoginTimeout=5`;
  const args = ['query', '-c', conn, '-f', 'csv', 'SELECT count(*) AS n FROM items'];
  const first = start(args);
  await asked; // the first process holds the lock now, its token request held open
  const second = start(args);
  const notice = /restsql: waiting for another restsql process to finish logging in \(up to 35 s; LoginTimeout\)\n/;
  await second.stderrUntil(notice);
  answerToken();
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(a.stdout, 'n\n2\n');
  assert.equal(b.stdout, 'n\n2\n');
  assert.equal(b.stderr.match(/waiting for another restsql process/g)?.length, 1, b.stderr);
  assert.doesNotMatch(a.stderr, /waiting for another/, 'the first did not wait');
  assert.equal(tokenRequests, 1, 'one login for both');
  assert.ok(!a.stderr.includes('s3cret') && !b.stderr.includes('s3cret'));
});
