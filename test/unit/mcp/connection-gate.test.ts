/**
 * The shared connection's turns and deadlines, on a real connection to a loopback API whose
 * `slow` endpoint never answers: the deadline (a hand-driven clock, no real wait) interrupts the
 * query, its fetch is aborted, the call fails with QUERY_TIMEOUT, and the next call runs.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type Connection } from '../../../src/index.js';
import { RestSqlError } from '../../../src/errors/index.js';
import { ConnectionGate } from '../../../src/mcp/connection-gate.js';
import type { Clock } from '../../../src/mcp/limits.js';
import { runStatement } from '../../../src/mcp/query.js';
import { signal } from '../../support/deadline.js';
import { startHttpServer, type Listening } from '../../support/loopback-server.js';
import { tempDir } from '../../support/temp-dir.js';

const dir = tempDir(after, 'restsql-mcp-gate-');
let api: Listening<Server>;
let slowArrived = signal();
let slowClosed = signal();
let conn: Connection;

before(async () => {
  api = await startHttpServer((req, res) => {
    if (req.url === '/slow') {
      // Never answers: only an abort ends it.
      req.socket.once('close', () => slowClosed.resolve());
      slowArrived.resolve();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(Array.from({ length: 5 }, (_x, i) => ({ id: i + 1, name: `n${i + 1}` }))));
  });
  const model = join(dir, 'api.rest');
  writeFileSync(model, JSON.stringify({ fast: { '#path': [`${api.url}/fast`], id: 'Integer,#key', name: 'VarChar(64)' }, slow: { '#path': [`${api.url}/slow`], id: 'Integer,#key' } }));
  conn = await connect(`RestConfigFile=${model}`);
});
after(async () => {
  await conn?.close();
  await api?.close();
});

/** A clock whose timers run when the test says so. */
function handClock(): Clock & { fire(): void; pending(): number } {
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout: (fn) => {
      timers.set(++next, fn);
      return next;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    fire() {
      const fns = [...timers.values()];
      timers.clear();
      for (const f of fns) f();
    },
    pending: () => timers.size,
  };
}

test('a deadline interrupts the query and its fetch (QUERY_TIMEOUT); the next call runs; timers are cleared', async () => {
  slowArrived = signal();
  slowClosed = signal();
  const clock = handClock();
  const gate = new ConnectionGate(conn, clock);
  const slow = gate.withDeadline(7, (c) => runStatement(c, 'select * from slow', 10, false));
  await slowArrived.promise;
  assert.equal(clock.pending(), 1);
  clock.fire();
  await assert.rejects(slow, (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_TIMEOUT' && /longer than 7 s/.test(e.message));
  await slowClosed.promise;
  const fast = await gate.withDeadline(7, (c) => runStatement(c, 'select id, name from fast order by id', 3, false));
  assert.deepEqual(fast.rows, [{ id: 1, name: 'n1' }, { id: 2, name: 'n2' }, { id: 3, name: 'n3' }]);
  assert.equal(fast.truncated, true);
  assert.equal(clock.pending(), 0, 'the deadline of a finished call is cleared');
});

test('calls take turns on the one connection; a failure does not stop the next', async () => {
  const gate = new ConnectionGate(conn, handClock());
  const order: string[] = [];
  let release!: () => void;
  const first = gate.run(async () => {
    order.push('first starts');
    await new Promise<void>((r) => (release = r));
    order.push('first ends');
    throw new Error('first failed');
  });
  const second = gate.run(async (c) => {
    order.push('second starts');
    return (await c.query('select 42 as n')).rows;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['first starts']);
  release();
  await assert.rejects(first, /first failed/);
  assert.deepEqual(await second, [{ n: 42 }]);
  assert.deepEqual(order, ['first starts', 'first ends', 'second starts']);
});

test('read-only: a statement is refused by type before it runs; with writes allowed it runs', async () => {
  await assert.rejects(runStatement(conn, 'create temp table made as select 1 as x', 10, false), (e: unknown) => e instanceof RestSqlError && e.code === 'READ_ONLY');
  await assert.rejects(runStatement(conn, 'select * from made', 10, false), (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_UNKNOWN_TABLE');
  const made = await runStatement(conn, 'create temp table made as select 1 as x', 10, true);
  assert.equal(made.truncated, false);
  assert.deepEqual((await runStatement(conn, 'select x from made', 10, false)).rows, [{ x: 1 }]);
  await assert.rejects(runStatement(conn, 'drop table made', 10, false), (e: unknown) => e instanceof RestSqlError && e.code === 'READ_ONLY');
  assert.deepEqual((await runStatement(conn, 'explain select 1', 10, false)).columns.length > 0, true);
});
