/**
 * The shared connection's turns and deadlines, on a real connection to a loopback API whose
 * `slow` endpoint never answers: the deadline (a hand-driven clock, no real wait) interrupts the
 * query, its fetch is aborted, the call fails with QUERY_TIMEOUT, and the next call runs. Then
 * through the MCP SDK's client (an in-memory transport to the real server): sample_endpoint under
 * the same deadline, and a client's cancel (notifications/cancelled) of a stalled query or sample
 * closing its request at the API and freeing the connection for the next call.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type Connection } from '../../../src/index.js';
import { RestSqlError } from '../../../src/errors/index.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ConnectionGate, SAMPLE_TURN } from '../../../src/mcp/connection-gate.js';
import { DEFAULT_MCP_LIMITS } from '../../../src/mcp/limits.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import { runStatement } from '../../../src/mcp/query.js';
import { signal, within } from '../../support/deadline.js';
import { handClock } from '../../support/hand-clock.js';
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

test('a sample under a deadline: its request is aborted (it is no statement), QUERY_TIMEOUT names the sample; the next call runs', async () => {
  slowArrived = signal();
  slowClosed = signal();
  const clock = handClock();
  const gate = new ConnectionGate(conn, clock);
  const slow = gate.withDeadline(3, (c, s) => c.sampleEndpoint(`${api.url}/slow`, undefined, s), SAMPLE_TURN);
  await slowArrived.promise;
  assert.deepEqual(clock.delays(), [3000]);
  clock.fire();
  await assert.rejects(slow, (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_TIMEOUT' && /^Sampling the endpoint ran longer than 3 s/.test(e.message) && /timeout_seconds/.test(e.hint ?? ''));
  await slowClosed.promise;
  assert.match(await gate.run((c, s) => c.sampleEndpoint(`${api.url}/fast`, undefined, s)), /VarChar|Integer/);
  assert.equal(clock.pending(), 0);
});

test('a call cancelled while it waits for its turn never runs (ABORTED); the one before it is not disturbed', async () => {
  const gate = new ConnectionGate(conn, handClock());
  const started = signal<() => void>();
  const first = gate.run(() => new Promise<string>((r) => started.resolve(() => r('first'))));
  const release = await started.promise;
  const cancel = new AbortController();
  let ran = false;
  const second = gate.forCall(cancel.signal, () =>
    gate.run(async () => {
      ran = true;
      return 'second';
    }),
  );
  cancel.abort();
  release();
  assert.equal(await first, 'first');
  await assert.rejects(second, (e: unknown) => e instanceof RestSqlError && e.code === 'ABORTED' && /cancelled by the client/.test(e.message));
  assert.equal(ran, false);
});

/** The real MCP server on `gate`, and the SDK's client talking to it in memory. */
async function mcpPair(gate: ConnectionGate, timeoutSeconds: number): Promise<{ client: Client; close(): Promise<void> }> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = createMcpServer(gate, { limits: { ...DEFAULT_MCP_LIMITS, timeoutSeconds }, allowWrites: false });
  await server.connect(serverSide);
  const client = new Client({ name: 'gate-test', version: '1' });
  await client.connect(clientSide);
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

const errorCode = (r: unknown): unknown => ((r as CallToolResult)._meta?.['restsql/error'] as { code?: string } | undefined)?.code;
const textOf = (r: unknown): string => ((r as CallToolResult).content[0] as { text: string }).text;

test('sample_endpoint: times out at its timeout_seconds (capped at --timeout) with QUERY_TIMEOUT; the next call works', async () => {
  slowArrived = signal();
  slowClosed = signal();
  const clock = handClock();
  const { client, close } = await mcpPair(new ConnectionGate(conn, clock), 30);
  try {
    const call = client.callTool({ name: 'sample_endpoint', arguments: { url: `${api.url}/slow`, timeout_seconds: 1000 } });
    await slowArrived.promise;
    assert.deepEqual(clock.delays(), [30_000], 'timeout_seconds is capped at the server\'s timeout');
    clock.fire();
    const timedOut = await call;
    assert.equal(timedOut.isError, true);
    assert.equal(errorCode(timedOut), 'QUERY_TIMEOUT');
    assert.match(textOf(timedOut), /longer than 30 s[\s\S]*raise timeout_seconds up to the server's --timeout/);
    await slowClosed.promise;
    const next = await client.callTool({ name: 'sample_endpoint', arguments: { url: `${api.url}/fast`, timeout_seconds: 2 } });
    assert.equal(next.isError, undefined, textOf(next));
    assert.match(textOf(next), /fast/);
    assert.equal(clock.pending(), 0);
  } finally {
    await close();
  }
});

for (const [tool, args] of [
  ['query', { sql: 'select * from slow' }],
  ['sample_endpoint', { url: '/slow' }],
] as const) {
  test(`${tool}: the client's cancel (notifications/cancelled) closes the stalled request at the API and frees the connection`, async () => {
    slowArrived = signal();
    slowClosed = signal();
    const clock = handClock();
    const { client, close } = await mcpPair(new ConnectionGate(conn, clock), 30);
    try {
      const cancel = new AbortController();
      const url = 'url' in args ? `${api.url}${args.url}` : undefined;
      const call = client.callTool({ name: tool, arguments: url ? { url } : { ...args } }, undefined, { signal: cancel.signal });
      await slowArrived.promise;
      cancel.abort('the user gave up');
      await assert.rejects(call, /gave up|abort/i);
      await within(10_000, 'the stalled request closed at the API', slowClosed.promise);
      const next = await client.callTool({ name: 'query', arguments: { sql: 'select count(*) as n from fast' } });
      assert.equal(next.isError, undefined, textOf(next));
      assert.deepEqual((next.structuredContent as { rows: unknown }).rows, [{ n: 5 }]);
      assert.equal(clock.pending(), 0, 'no deadline was needed, and none is left');
    } finally {
      await close();
    }
  });
}
