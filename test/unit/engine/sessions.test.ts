import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openHub, type Hub } from '../../../src/index.js';
import { startHttpServer, type Listening } from '../../support/loopback-server.js';
import type { Server } from 'node:http';

// Sessions of one hub share the fetched tables, never wait for each other's fetches of other
// tables, and a session inside a transaction never reads rows it cannot see.
let api: Listening<Server>;
let dir: string;
const seen: string[] = [];
/** Requests to /slow wait here until a test releases them. */
let slowGate: Promise<void> = Promise.resolve();
let version = 1;

const USERS = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `u${i + 1}`, region: i % 2 ? 'north' : 'south' }));

before(async () => {
  api = await startHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    if (req.url?.startsWith('/slow')) await slowGate;
    const body = req.url?.startsWith('/users') ? USERS.map((u) => ({ ...u, v: version })) : req.url?.startsWith('/tagged') ? [{ id: 1, tags: ['a', 'b'] }, { id: 2, tags: ['c'] }] : [{ id: 1, v: version }];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  dir = mkdtempSync(join(tmpdir(), 'restsql-sessions-'));
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function hubFor(extra = ''): Promise<Hub> {
  const file = join(dir, `m${Math.random().toString(36).slice(2)}.rest`);
  writeFileSync(file, `{"users": {"#path": "${api.url}/users", "id": "Integer,#key", "name": "VarChar", "region": "VarChar", "v": "Integer"}, "slow": {"#path": "${api.url}/slow", "id": "Integer,#key", "v": "Integer"}}`);
  return openHub(`RestConfigFile=${file}${extra}`);
}

test('a table fetched for one session serves the others (one request), each from its own DuckDB connection', async () => {
  const hub = await hubFor();
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    const mark = seen.length;
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    assert.deepEqual((await b.query("SELECT count(*)::INTEGER AS n FROM users WHERE region = 'north'")).rows, [{ n: 10 }]);
    assert.deepEqual(seen.slice(mark), ['/users']);
    // Session state is the session's own: a temp table in A is not B's.
    await a.query('CREATE TEMP TABLE mine AS SELECT 1 AS x');
    await assert.rejects(b.query('SELECT * FROM mine'), /mine/);
  } finally {
    await hub.close();
  }
});

test("one session's slow fetch does not hold another session's queries", async () => {
  const hub = await hubFor();
  let release!: () => void;
  slowGate = new Promise((r) => (release = r));
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    const slow = a.query('SELECT count(*)::INTEGER AS n FROM slow');
    // B fetches and answers while A's request is still held by the API.
    assert.deepEqual((await b.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    release();
    assert.deepEqual((await slow).rows, [{ n: 1 }]);
  } finally {
    release();
    await hub.close();
  }
});

test('a session whose transaction began before a reload reads the rows it can see, never a partial or empty copy', async () => {
  // CacheTTL=0 keeps rows for the hub's life; a narrowed plan is not involved: reloads come from
  // the second session's statement after the first's rows went stale (Cache TTL 1 s is too slow
  // for a unit test, so the stale rows are made by a transaction instead).
  const hub = await hubFor();
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    await a.query('CREATE TEMP TABLE t0 AS SELECT 1 AS x');
    await a.query('BEGIN');
    // A's transaction takes its snapshot now (it reads the database), before any API rows exist.
    await a.query('SELECT * FROM t0');
    version = 2;
    // B loads users (committed after A's snapshot).
    assert.deepEqual((await b.query('SELECT min(v)::INTEGER AS v, count(*)::INTEGER AS n FROM users')).rows, [{ v: 2, n: 20 }]);
    // A cannot see B's load: restsql loads the rows again inside A's transaction.
    const mark = seen.length;
    assert.deepEqual((await a.query('SELECT min(v)::INTEGER AS v, count(*)::INTEGER AS n FROM users')).rows, [{ v: 2, n: 20 }]);
    assert.ok(seen.slice(mark).includes('/users'), 'fetched again inside the transaction');
    await a.query('COMMIT');
    // After it, the shared rows serve A again without a request.
    const mark2 = seen.length;
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    assert.deepEqual(seen.slice(mark2), []);
  } finally {
    version = 1;
    await hub.close();
  }
});

test('rows loaded inside a transaction serve it until it ends, then are gone with it', async () => {
  const hub = await hubFor();
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    await a.query('BEGIN');
    const mark = seen.length;
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    assert.deepEqual((await a.query("SELECT count(*)::INTEGER AS n FROM users WHERE region = 'south'")).rows, [{ n: 10 }]);
    // One fetch for both statements of the transaction.
    assert.deepEqual(seen.slice(mark), ['/users']);
    // They were A's alone: B fetches its own (shared) copy.
    assert.deepEqual((await b.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    assert.deepEqual(seen.slice(mark), ['/users', '/users']);
    await a.query('ROLLBACK');
    // After the transaction, the shared rows serve A without a request.
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    assert.deepEqual(seen.slice(mark), ['/users', '/users']);
  } finally {
    await hub.close();
  }
});

test('interrupt() aborts the fetch in flight: ABORTED, and the session stays usable', async () => {
  const hub = await hubFor();
  let release!: () => void;
  slowGate = new Promise((r) => (release = r));
  try {
    const a = await hub.session();
    const mark = seen.length;
    const q = a.query('SELECT count(*) FROM slow');
    while (!seen.slice(mark).includes('/slow')) await new Promise((r) => setImmediate(r));
    a.interrupt();
    await assert.rejects(q, (e: unknown) => (e as { code?: string }).code === 'ABORTED');
    release();
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
  } finally {
    release();
    await hub.close();
  }
});

// Regressions from the review of the shared database (each failed before its fix).

test('a statement waiting for another session to load its table is cancelled by interrupt(), at once', async () => {
  const hub = await hubFor();
  let release!: () => void;
  slowGate = new Promise((r) => (release = r));
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    const mark = seen.length;
    const first = a.query('SELECT count(*) FROM slow');
    while (!seen.slice(mark).includes('/slow')) await new Promise((r) => setImmediate(r));
    // B waits for A's load of the same endpoint; cancelling B must not wait for it.
    const waiting = b.query('SELECT count(*) FROM slow');
    await new Promise((r) => setImmediate(r));
    b.interrupt();
    await assert.rejects(waiting, (e: unknown) => (e as { code?: string }).code === 'ABORTED');
    release();
    assert.deepEqual((await first).rows.length, 1);
  } finally {
    release();
    await hub.close();
  }
});

test('a DDL statement refused inside a transaction leaves it failed until ROLLBACK, which restores the API table', async () => {
  const hub = await hubFor();
  try {
    const a = await hub.session();
    await a.query('BEGIN');
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    await assert.rejects(a.query('CREATE OR REPLACE TEMP VIEW users AS SELECT 1 AS id'), (e: unknown) => (e as { code?: string }).code === 'READ_ONLY');
    // The transaction is failed (as PostgreSQL leaves one after an error): nothing runs in it.
    await assert.rejects(a.query('SELECT 1'), /aborted/i);
    await a.query('ROLLBACK');
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
  } finally {
    await hub.close();
  }
});

test('a child table loaded with its one-page parent serves a later transaction without a new request', async () => {
  const file = join(dir, `child${Math.random().toString(36).slice(2)}.rest`);
  writeFileSync(file, `{"t": {"#path": "${api.url}/tagged", "id": "Integer,#key", "tags[]": "VarChar"}}`);
  const hub = await openHub(`RestConfigFile=${file}`);
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    const mark = seen.length;
    assert.deepEqual((await a.query('SELECT count(*)::INTEGER AS n FROM tags')).rows, [{ n: 3 }]);
    await b.query('BEGIN');
    assert.deepEqual((await b.query('SELECT count(*)::INTEGER AS n FROM tags')).rows, [{ n: 3 }]);
    await b.query('COMMIT');
    assert.deepEqual(seen.slice(mark), ['/tagged']);
  } finally {
    await hub.close();
  }
});
