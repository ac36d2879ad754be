/**
 * `restsql mcp` through the real CLI (bin/restsql) and the MCP SDK's own client, against a
 * loopback API whose records nest arrays (child tables and a grandchild) and echo the bearer
 * token the connection sends:
 *
 * - stdio (StdioClientTransport spawning the CLI): the tools listed; list_tables; describe_table
 *   of a child table (parent link, children, keys) and of an unknown one (close names); a query
 *   with a join; the row limit and its cap (truncated); integers past 2^53 exact; the echoed secret
 *   masked; writes (to an API table and to DuckDB alone) and scripts refused; bad SQL an error
 *   result after which the next call works; sample_endpoint on the API's origin and refused on
 *   another (another loopback port), which then gets no request; stdout carries only the protocol.
 *   An endpoint that never answers: sample_endpoint ends at its timeout_seconds (QUERY_TIMEOUT),
 *   and the client's cancel of a stalled sample closes its request at the API; the next call runs.
 * - HTTP (StreamableHTTPClientTransport): the token works; none or a wrong one 401; a foreign Host
 *   or Origin 403; a body over 1 MiB 413; the generated token printed once; a non-loopback --host,
 *   a token file others can read, a short token and a bad --session-idle-timeout refused before
 *   anything is opened; the sessions' idle timeout in the listening line; SIGTERM
 *   stops it cleanly (exit 0).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BIN, runCli } from '../support/cli.js';
import { signal, within } from '../support/deadline.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { startWriteApi, writeModel } from '../support/write-api.js';
import { tempDir } from '../support/temp-dir.js';

const SECRET = 'tok-Mcp-88130ab';
const BIG = '9007199254740993';
/** Raw JSON text, so the integer past 2^53 reaches restsql with every digit. */
const usersJson = (auth: string) =>
  '[' +
  [1, 2, 3]
    .map((id) => {
      const orders = Array.from({ length: id }, (_x, j) => ({ order_id: `o${id}-${j}`, total: id * 10 + j, items: [{ sku: `s${j}`, qty: j + 1 }] }));
      return `{"id":${id},"name":"user ${id}","big":${id === 1 ? BIG : id},"seen_auth":${JSON.stringify(auth)},"tags":${JSON.stringify(id % 2 ? ['new', 'vip'] : ['old'])},"orders":${JSON.stringify(orders)}}`;
    })
    .join(',') +
  ']';

const dir = tempDir(after, 'restsql-mcp-');
let api: Listening<Server>;
/** Another origin (another loopback port): sample_endpoint must never reach it. */
let foreign: Listening<Server>;
const foreignRequests: string[] = [];
let apiHits = 0;
/** GET /v1/stall never answers: `stallArrived` says it came, `stallClosed` that its client hung up. */
let stallArrived = signal();
let stallClosed = signal();

before(async () => {
  api = await startHttpServer((req, res) => {
    apiHits++;
    if (req.url === '/v1/stall') {
      req.socket.once('close', () => stallClosed.resolve());
      stallArrived.resolve();
      return;
    }
    const body = req.url === '/v1/users' ? usersJson(req.headers.authorization ?? '') : req.url === '/v1/inventory' ? JSON.stringify([{ sku: 'a1', units: 3, bins: ['x', 'y'] }]) : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ?? JSON.stringify({ error: 'no such path' }));
  });
  foreign = await startHttpServer((req, res) => {
    foreignRequests.push(`${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[{"id":1}]');
  });
});
after(async () => {
  await api?.close();
  await foreign?.close();
});

const connection = () => `RestSamplePath=${api.url}/v1/users;AuthenticationMethod=34;SecurityToken=${SECRET}`;
const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: dir, RESTSQL_HOME: dir });

interface Structured {
  [key: string]: unknown;
}
const structured = (r: unknown): Structured => (r as CallToolResult).structuredContent as Structured;
/** The error of an error result, as data (`_meta['restsql/error']`). */
const errorOf = (r: unknown): Structured => (r as CallToolResult)._meta?.['restsql/error'] as Structured;
const text = (r: unknown): string => ((r as CallToolResult).content[0] as { text: string }).text;

test('stdio: the SDK client lists the tools, the tables, a child table and runs read-only SQL with limits', async () => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--connect', connection(), '--max-rows', '4'], env: baseEnv(), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'restsql-test', version: '1.0.0' });
  const protocolErrors: Error[] = [];
  client.onerror = (e) => protocolErrors.push(e);
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((t) => t.name).sort(), ['describe_table', 'list_tables', 'query', 'sample_endpoint']);
    assert.equal(tools.tools.find((t) => t.name === 'query')!.annotations?.readOnlyHint, true);

    const tables = await client.callTool({ name: 'list_tables', arguments: {} });
    assert.equal(tables.isError, undefined, text(tables));
    assert.deepEqual(structured(tables).tables, [
      { name: 'users', parent: null, columns: 4 },
      { name: 'tags', parent: 'users', columns: 3 },
      { name: 'orders', parent: 'users', columns: 4 },
      { name: 'items', parent: 'orders', columns: 5 },
    ]);
    assert.match(text(tables), /^name,parent,columns\nusers,,4\ntags,users,3\n/);

    const orders = await client.callTool({ name: 'describe_table', arguments: { table: 'ORDERS' } });
    assert.deepEqual(structured(orders), {
      table: 'orders',
      columns: [
        { name: 'users_id', type: 'INTEGER', key: true },
        { name: 'position', type: 'INTEGER', key: true },
        { name: 'order_id', type: 'VARCHAR', key: false },
        { name: 'total', type: 'INTEGER', key: false },
      ],
      parent: { table: 'users', join: [{ column: 'users_id', parent_column: 'id' }] },
      children: [{ table: 'items', join: [{ column: 'orders_users_id', parent_column: 'users_id' }, { column: 'orders_position', parent_column: 'position' }] }],
    });
    // The text (what most hosts show the model) names the columns.
    assert.match(text(orders), /^table orders\nname,type,key\nusers_id,INTEGER,true\nposition,INTEGER,true\norder_id,VARCHAR,false\ntotal,INTEGER,false\n/);
    assert.match(text(orders), /parent: users \(JOIN users ON orders\.users_id = users\.id\)/);
    assert.match(text(orders), /child table: items \(JOIN items ON items\.orders_users_id = orders\.users_id AND items\.orders_position = orders\.position\)/);

    const unknown = await client.callTool({ name: 'describe_table', arguments: { table: 'ordrs' } });
    assert.equal(unknown.isError, true);
    assert.match(text(unknown), /^error\[QUERY_UNKNOWN_TABLE\]: No table named 'ordrs'\. Close names: orders\./);
    assert.deepEqual(errorOf(unknown).code, 'QUERY_UNKNOWN_TABLE');

    // A join: six orders, the server's cap (--max-rows 4) leaves two out.
    const join = 'select u.name, o.order_id, o.total from users u join orders o on o.users_id = u.id order by o.order_id';
    const capped = await client.callTool({ name: 'query', arguments: { sql: join } });
    assert.equal(capped.isError, undefined, text(capped));
    assert.deepEqual(structured(capped), {
      columns: [
        { name: 'name', type: 'VARCHAR' },
        { name: 'order_id', type: 'VARCHAR' },
        { name: 'total', type: 'INTEGER' },
      ],
      rows: [
        { name: 'user 1', order_id: 'o1-0', total: 10 },
        { name: 'user 2', order_id: 'o2-0', total: 20 },
        { name: 'user 2', order_id: 'o2-1', total: 21 },
        { name: 'user 3', order_id: 'o3-0', total: 30 },
      ],
      row_count: 4,
      truncated: true,
    });
    assert.match(text(capped), /^name,order_id,total\nuser 1,o1-0,10\n[^]*\(4 rows shown; more were left out at the limit of 4/);
    // A call may ask for fewer, never more.
    assert.equal(structured(await client.callTool({ name: 'query', arguments: { sql: join, max_rows: 2 } })).row_count, 2);
    assert.equal(structured(await client.callTool({ name: 'query', arguments: { sql: join, max_rows: 100 } })).row_count, 4);
    const all = await client.callTool({ name: 'query', arguments: { sql: 'select count(*) as n from orders o join items i on i.orders_users_id = o.users_id and i.orders_position = o.position' } });
    assert.deepEqual(structured(all).rows, [{ n: 6 }]);
    assert.equal(structured(all).truncated, false);

    // JSON-safe values: an integer past 2^53 as a string with every digit; the echoed token masked.
    const values = await client.callTool({ name: 'query', arguments: { sql: 'select id, big, seen_auth from users order by id limit 1' } });
    assert.deepEqual(structured(values).rows, [{ id: 1, big: BIG, seen_auth: '***' }]);
    assert.ok(!JSON.stringify(values).includes(SECRET), 'the token never comes back');

    // Writes are refused: to an API table, to DuckDB alone, and scripts.
    for (const [sql, code] of [
      ["insert into users (id, name) values (9, 'x')", 'READ_ONLY'],
      ['create temp table t as select 1 as x', 'READ_ONLY'],
      // ANALYZE runs the statement it explains: a temp table, or a macro named like a built-in
      // that would change every later answer on the shared connection.
      ['explain analyze create temp table t as select 42 as x', 'READ_ONLY'],
      ['EXPLAIN (ANALYZE) create temp table t as select 42 as x', 'READ_ONLY'],
      ["explain analyze create macro lower(x) as 'pwned'", 'READ_ONLY'],
      // REFRESH MAP re-samples the API and drops every session's cached tables.
      ['refresh map', 'READ_ONLY'],
      ['select 1; select 2', 'QUERY_NOT_ALLOWED'],
    ] as const) {
      const r = await client.callTool({ name: 'query', arguments: { sql } });
      assert.equal(r.isError, true, sql);
      assert.equal(errorOf(r).code, code, `${sql}: ${text(r)}`);
    }
    const refused = await client.callTool({ name: 'query', arguments: { sql: "insert into users (id, name) values (9, 'x')" } });
    assert.match(text(refused), /restsql mcp runs read-only[^]*hint: [^]*--allow-writes/);
    const gone = await client.callTool({ name: 'query', arguments: { sql: 'select count(*) as n from duckdb_tables() where table_name = \'t\'' } });
    assert.deepEqual(structured(gone).rows, [{ n: 0 }], 'the refused CREATE made nothing');
    const lowered = await client.callTool({ name: 'query', arguments: { sql: "select lower('ABC') as l" } });
    assert.deepEqual(structured(lowered).rows, [{ l: 'abc' }], 'the refused CREATE MACRO made nothing');
    const explained = await client.callTool({ name: 'query', arguments: { sql: 'explain analyze select count(*) from users' } });
    assert.equal(explained.isError, undefined, text(explained));

    // Bad SQL is an error result; the server goes on.
    const bad = await client.callTool({ name: 'query', arguments: { sql: 'selec * from users' } });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /^error\[QUERY_SYNTAX\]/);
    const next = await client.callTool({ name: 'query', arguments: { sql: 'select count(*) as n from users' } });
    assert.deepEqual(structured(next).rows, [{ n: 3 }]);
    // Arguments the schema refuses are error results too.
    const wrongArgs = await client.callTool({ name: 'query', arguments: { sql: 'select 1', max_rows: -3 } });
    assert.equal(wrongArgs.isError, true);

    // sample_endpoint: the API's own origin (absolute, or a path relative to it) ...
    const sampled = await client.callTool({ name: 'sample_endpoint', arguments: { url: `${api.url}/v1/inventory` } });
    assert.equal(sampled.isError, undefined, text(sampled));
    assert.match(structured(sampled).model as string, /"inventory"/);
    assert.match(structured(sampled).model as string, /"bins(<[a-z_]+>)?\[\]"/);
    // ... never another origin, even on loopback: refused before anything is sent.
    const elsewhere = await client.callTool({ name: 'sample_endpoint', arguments: { url: `${foreign.url}/v1/users` } });
    assert.equal(elsewhere.isError, true);
    assert.equal(errorOf(elsewhere).code, 'HTTP_ORIGIN_REFUSED');
    assert.ok(text(elsewhere).includes(api.url.replace('http://', '')), text(elsewhere));
    assert.deepEqual(foreignRequests, [], 'the other origin got no request (and no token)');
    // The connection's own tables did not change.
    assert.equal((structured(await client.callTool({ name: 'list_tables', arguments: {} })).tables as unknown[]).length, 4);

    assert.deepEqual(protocolErrors, [], 'standard output carried nothing but the protocol');
    assert.match(stderr, /restsql mcp: serving 4 table\(s\) over stdio \(read-only\)/);
    // One log line per call: the tool, its outcome and time, never its arguments.
    assert.match(stderr, /restsql mcp: query: 4 row\(s\), truncated \(\d+ ms\)\n/);
    assert.match(stderr, /restsql mcp: describe_table: error QUERY_UNKNOWN_TABLE \(\d+ ms\)\n/);
    assert.match(stderr, /restsql mcp: list_tables: ok \(\d+ ms\)\n/);
    assert.ok(!stderr.includes('order by o.order_id'), 'no SQL in the log');
    assert.ok(!stderr.includes(SECRET));
  } finally {
    await client.close();
  }
});

test('stdio: a stalled endpoint: sample_endpoint times out (QUERY_TIMEOUT), a cancelled one is closed at the API; the next calls run', async () => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--connect', connection(), '--timeout', '60'], env: baseEnv(), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'restsql-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    // The server's own deadline (a real timer in the server; the test only waits for the answer).
    stallArrived = signal();
    stallClosed = signal();
    const timedOut = await client.callTool({ name: 'sample_endpoint', arguments: { url: `${api.url}/v1/stall`, timeout_seconds: 0.2 } });
    assert.equal(timedOut.isError, true);
    assert.equal(errorOf(timedOut).code, 'QUERY_TIMEOUT');
    assert.match(text(timedOut), /Sampling the endpoint ran longer than 0.2 s[\s\S]*timeout_seconds/);
    await within(10_000, 'the timed-out sample closed at the API', stallClosed.promise);
    assert.equal(structured(await client.callTool({ name: 'query', arguments: { sql: 'select count(*) as n from users' } })).row_count, 1);

    // The client gives up on a call (notifications/cancelled): no deadline needed.
    stallArrived = signal();
    stallClosed = signal();
    const cancel = new AbortController();
    const stalled = client.callTool({ name: 'sample_endpoint', arguments: { url: `${api.url}/v1/stall` } }, undefined, { signal: cancel.signal });
    await within(10_000, 'the sample reached the API', stallArrived.promise);
    cancel.abort('not needed any more');
    await assert.rejects(stalled, /not needed any more/);
    await within(10_000, 'the cancelled sample closed at the API', stallClosed.promise);
    const next = await client.callTool({ name: 'query', arguments: { sql: 'select name from users order by id limit 1' } });
    assert.equal(next.isError, undefined, text(next));
    assert.deepEqual(structured(next).rows, [{ name: 'user 1' }]);
    assert.match(stderr, /restsql mcp: sample_endpoint: error QUERY_TIMEOUT/);
    assert.match(stderr, /restsql mcp: sample_endpoint: error ABORTED/);
  } finally {
    await client.close();
  }
});

test('stdio: --allow-writes lets DuckDB-only statements run and says so', async () => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--connect', connection(), '--allow-writes'], env: baseEnv(), stderr: 'pipe' });
  const client = new Client({ name: 'restsql-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    assert.equal(tools.tools.find((t) => t.name === 'query')!.annotations?.readOnlyHint, false);
    const made = await client.callTool({ name: 'query', arguments: { sql: 'create temp table t as select id from users' } });
    assert.equal(made.isError, undefined, text(made));
    assert.deepEqual(structured(await client.callTool({ name: 'query', arguments: { sql: 'select count(*) as n from t' } })).rows, [{ n: 3 }]);
    // An API table without #insert still refuses, with the engine's own reason.
    const write = await client.callTool({ name: 'query', arguments: { sql: "insert into users (id, name) values (9, 'x')" } });
    assert.equal(write.isError, true);
    assert.notEqual(errorOf(write).code, 'READ_ONLY');
  } finally {
    await client.close();
  }
});

test('stdio: the server ends when the client closes its standard input (exit 0), and writes nothing to stdout by itself', async () => {
  const s = await startStdio();
  // Until a listener is added, standard output stays buffered in the stream: nothing is lost.
  let stdout = '';
  s.child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  s.child.stdin.end();
  assert.equal(await s.exited, 0, s.stderr());
  assert.equal(stdout, '');
  assert.match(s.stderr(), /restsql mcp: stopped\n$/);
});

test('stdio: a write to an API table reaches the API only under --allow-writes', async () => {
  const writes = await startWriteApi();
  const model = join(dir, 'writes.rest');
  writeFileSync(model, writeModel(writes));
  const insert = "insert into orders (name, customer_address_city) values ('from-agent', 'Paris') returning id, name";
  const clientFor = async (extra: string[]) => {
    const client = new Client({ name: 'restsql-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--connect', `RestConfigFile=${model}`, ...extra], env: baseEnv(), stderr: 'pipe' }));
    return client;
  };
  try {
    const readOnly = await clientFor([]);
    try {
      const refused = await readOnly.callTool({ name: 'query', arguments: { sql: insert } });
      assert.equal(errorOf(refused).code, 'READ_ONLY', text(refused));
    } finally {
      await readOnly.close();
    }
    assert.deepEqual(writes.received.filter((r) => r.method !== 'GET'), [], 'nothing was sent');
    const writer = await clientFor(['--allow-writes']);
    try {
      const done = await writer.callTool({ name: 'query', arguments: { sql: insert } });
      assert.equal(done.isError, undefined, text(done));
      assert.deepEqual(structured(done).rows, [{ id: 100, name: 'from-agent' }]);
      assert.equal(structured(done).rows_changed, 1);
    } finally {
      await writer.close();
    }
    assert.deepEqual(writes.received.filter((r) => r.method !== 'GET').map((r) => [`${r.method} ${r.path}`, r.body]), [['POST /orders', { name: 'from-agent', customer: { address: { city: 'Paris' } } }]]);
  } finally {
    await writes.close();
  }
});

/** Spawns `restsql mcp` over stdio and waits until it serves. */
async function startStdio(): Promise<{ child: ChildProcessWithoutNullStreams; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'mcp', '--connect', connection()], { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('over stdio')) resolve();
    });
    void exited.then(() => reject(new Error(stderr)));
  });
  child.stdin.on('error', () => undefined);
  return { child, stderr: () => stderr, exited };
}

test('stdio: a message over 1 MiB ends the session instead of growing the buffer; SIGTERM stops it (exit 0)', async () => {
  const big = await startStdio();
  big.child.stdin.write(Buffer.alloc(1024 * 1024 + 100, 0x78));
  assert.equal(await big.exited, 0, big.stderr());
  assert.match(big.stderr(), /restsql mcp: protocol error: [^\n]*\n[^]*restsql mcp: stopped\n$/);
  const stopped = await startStdio();
  stopped.child.kill('SIGTERM');
  assert.equal(await stopped.exited, 0, stopped.stderr());
  assert.match(stopped.stderr(), /restsql mcp: stopped\n$/);
});

/** Spawns `restsql mcp --http` and waits for its "listening on URL" line. */
async function startHttp(args: string[], env: NodeJS.ProcessEnv, ready = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)[^]*token [^\n]*\n/): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'mcp', '--http', '--port', '0', '--connect', connection(), ...args], { env: { ...baseEnv(), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = ready.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`restsql mcp --http exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr + stdout, exited };
}

/** A raw request with chosen headers (fetch cannot set Host). */
function raw(url: string, opts: { headers: Record<string, string>; body?: Buffer | string; method?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...opts.headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body ?? '');
  });
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

test('http: the bearer token opens a session; no token or a wrong one 401, a foreign Host or Origin 403, a big body 413; SIGTERM stops cleanly', async () => {
  const token = 'mcp-test-token-0123456789abcdef';
  const server = await startHttp([], { RESTSQL_MCP_TOKEN: token });
  try {
    const client = new Client({ name: 'restsql-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const tools = await client.listTools();
    assert.equal(tools.tools.length, 4);
    const r = await client.callTool({ name: 'query', arguments: { sql: 'select u.id, count(*) as n from users u join tags t on t.users_id = u.id group by u.id order by u.id' } });
    assert.deepEqual(structured(r).rows, [{ id: 1, n: 2 }, { id: 2, n: 1 }, { id: 3, n: 2 }]);
    const elsewhere = await client.callTool({ name: 'sample_endpoint', arguments: { url: `${foreign.url}/items` } });
    assert.equal(errorOf(elsewhere).code, 'HTTP_ORIGIN_REFUSED');
    assert.deepEqual(foreignRequests, []);
    await client.close();

    const port = new URL(server.url).port;
    const none = await raw(server.url, { headers: {}, body: INIT });
    assert.equal(none.status, 401, none.body);
    assert.match(String(none.headers['www-authenticate']), /^Bearer /);
    const wrong = await raw(server.url, { headers: { authorization: `Bearer ${token}x` }, body: INIT });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /token is wrong/);
    const basic = await raw(server.url, { headers: { authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` }, body: INIT });
    assert.equal(basic.status, 401);
    // DNS rebinding: a page on another name that resolves to 127.0.0.1, with the token or not.
    const host = await raw(server.url, { headers: { authorization: `Bearer ${token}`, host: `rebind.example:${port}` }, body: INIT });
    assert.equal(host.status, 403, host.body);
    const origin = await raw(server.url, { headers: { authorization: `Bearer ${token}`, origin: 'http://rebind.example' }, body: INIT });
    assert.equal(origin.status, 403, origin.body);
    const okOrigin = await raw(server.url, { headers: { authorization: `Bearer ${token}`, origin: `http://localhost:${port}`, host: `localhost:${port}` }, body: INIT });
    assert.equal(okOrigin.status, 200, okOrigin.body);
    assert.ok(okOrigin.headers['mcp-session-id'], 'a session id');
    // Bodies are bounded: declared or streamed.
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const tooBig = await raw(server.url, { headers: { authorization: `Bearer ${token}` }, body: big });
    assert.equal(tooBig.status, 413);
    const notJson = await raw(server.url, { headers: { authorization: `Bearer ${token}` }, body: '{"jsonrpc":' });
    assert.equal(notJson.status, 400);
    const noSession = await raw(server.url, { headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    assert.equal(noSession.status, 400);
    const otherPath = await raw(server.url.replace('/mcp', '/other'), { headers: { authorization: `Bearer ${token}` }, body: INIT });
    assert.equal(otherPath.status, 404);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.stderr());
    assert.match(server.stderr(), /restsql mcp: token from RESTSQL_MCP_TOKEN/);
    assert.match(server.stderr(), /restsql mcp: stopping \(\d+ session\(s\) open\)\nrestsql mcp: stopped\n/);
    assert.ok(!server.stderr().includes(token), 'a given token is never printed');
    assert.ok(!server.stderr().includes(SECRET));
  } finally {
    server.child.kill('SIGKILL');
  }
});

test('http: a generated token is printed once and works; a token file is read with mode 0600', async () => {
  const server = await startHttp([], {});
  try {
    const m = /token \(generated; [^)]*\): ([A-Za-z0-9_-]{43})\n/.exec(server.stderr());
    assert.ok(m, server.stderr());
    const ok = await raw(server.url, { headers: { authorization: `Bearer ${m[1]}` }, body: INIT });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(server.stderr().split(m[1]!).length, 2, 'printed once');
    assert.match(server.stderr(), /at most 32 sessions, each closed after 1800 s idle\)/, 'the default idle timeout');
  } finally {
    server.child.kill('SIGINT');
    assert.equal(await server.exited, 0);
  }
  const file = join(dir, 'token');
  writeFileSync(file, 'file-token-abcdefghijklmnop\n');
  chmodSync(file, 0o600);
  const fromFile = await startHttp(['--token-file', file, '--session-idle-timeout', '0'], {});
  try {
    assert.equal((await raw(fromFile.url, { headers: { authorization: 'Bearer file-token-abcdefghijklmnop' }, body: INIT })).status, 200);
    assert.match(fromFile.stderr(), /at most 32 sessions, kept until their client ends them\)/);
  } finally {
    fromFile.child.kill('SIGTERM');
    assert.equal(await fromFile.exited, 0);
  }
});

test('http: refused before anything is opened: a non-loopback --host, a token file others can read, a short token, a bad --session-idle-timeout', async () => {
  const before = apiHits;
  const host = await runCli(['mcp', '--http', '--host', '0.0.0.0', '--connect', connection()]);
  assert.equal(host.code, 2);
  assert.match(host.stderr, /error\[USAGE\]: --host 0\.0\.0\.0 is not a loopback address/);
  const file = join(dir, 'open-token');
  writeFileSync(file, 'file-token-abcdefghijklmnop\n');
  chmodSync(file, 0o644);
  const open = await runCli(['mcp', '--http', '--token-file', file, '--connect', connection()]);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /error\[CONFIG_INVALID_VALUE\]: --token-file: .* is accessible to other users \(mode 0644\)/);
  assert.ok(!open.stderr.includes('file-token'), 'the token is not shown');
  const short = await runCli(['mcp', '--http', '--connect', connection()], { env: { RESTSQL_MCP_TOKEN: 'short' } });
  assert.equal(short.code, 2);
  assert.match(short.stderr, /error\[CONFIG_INVALID_VALUE\]: The token from RESTSQL_MCP_TOKEN must be at least 16 characters/);
  for (const bad of ['-1', 'soon', '604801']) {
    const idle = await runCli(['mcp', '--http', '--session-idle-timeout', bad, '--connect', connection()], { env: { RESTSQL_MCP_TOKEN: 'mcp-test-token-0123456789abcdef' } });
    assert.equal(idle.code, 2, idle.stderr);
    assert.match(idle.stderr, /error\[USAGE\]: --session-idle-timeout must be a whole number from 0 to 604800; got '/);
  }
  assert.equal(apiHits, before, 'nothing was fetched');
});
