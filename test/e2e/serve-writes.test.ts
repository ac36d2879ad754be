/**
 * Writes through `restsql serve` from real clients: psql (simple queries), pgjdbc (extended
 * protocol: Parse, Describe, Bind, Execute; batches; getGeneratedKeys) and psycopg 3 / psycopg2,
 * against the recording API of test/support/write-api.ts. Every test checks what the API received
 * (method, path, JSON body) as well as what the client reports: command tags and row counts,
 * RETURNING rows, SQLSTATEs of refused writes, and that refused or merely described statements
 * send nothing.
 *
 * One server per client suite (its own API, so the seeded orders 1, 2 and 3 are there for the
 * suite's UPDATE and DELETE), one JVM for every pgjdbc scenario (test/support/java/WriteClient.java,
 * driven line by line over stdin so the test can look at the API between Describe and Execute).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openHub } from '../../src/index.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { TEST_PASSWORD } from '../support/serve.js';
import { tempDir } from '../support/temp-dir.js';
import { Child, clientEnv, JAVA_SOURCES, PGJDBC, PSQL, psql, pythonChecks, requireProgram, requirePythonModules, run } from '../support/wire-clients.js';
import { startWriteApi, writeModel, type Order, type Received, type WriteApi } from '../support/write-api.js';

const home = tempDir(after, 'restsql-serve-writes-');

interface WriteServe {
  readonly api: WriteApi;
  readonly port: number;
  /** A libpq connection string for this server. */
  conninfo(): string;
  close(): Promise<void>;
}

/**
 * `restsql serve` (in this process, on a free loopback port) over a new write API; `extra` adds
 * connection options (`;TransactionMode=Ignore`). The model gives orders an Integer `priority`.
 */
async function serveWrites(extra = ''): Promise<WriteServe> {
  const api = await startWriteApi();
  const dir = mkdtempSync(join(tmpdir(), 'restsql-serve-writes-model-'));
  const model = join(dir, 'writes.rest');
  writeFileSync(model, writeModel(api, { priority: 'Integer' }));
  let server: RunningServer | undefined;
  const hub = await openHub(`RestConfigFile=${model}${extra}`).catch(async (e: unknown) => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  try {
    server = await startServer(hub, {
      host: '127.0.0.1',
      port: 0,
      password: TEST_PASSWORD,
      method: 'scram-sha-256',
      maxSessions: 16,
      limits: { maxMessageBytes: 16 * 1024 * 1024, startupTimeoutMs: 10_000, idleTimeoutMs: 0, highWaterMark: 256 * 1024 },
      serverVersion: '15.18 (restsql test)',
      log: () => undefined,
    });
  } catch (e) {
    await hub.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const s = server;
  return {
    api,
    port: s.port,
    conninfo: () => `host=127.0.0.1 port=${s.port} user=tester dbname=restsql sslmode=disable`,
    async close() {
      await s.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON with object keys sorted (the body as a value, whatever order its keys were sent in). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Requests as "METHOD path {body}" lines. */
const requests = (rs: readonly Received[]): string[] => rs.map((r) => `${r.method} ${r.path}${r.body === undefined ? '' : ` ${canonical(r.body)}`}`);

/** The request line of a POST /orders with `body`. */
const post = (body: Record<string, unknown>) => `POST /orders ${canonical(body)}`;

/**
 * The body of a whole-row PUT of order `id` (#sendOnlyUpdated is off): the API's current record
 * with `changes`: every column the record holds (priority is left out when the record has none and
 * SET does not give it). Taken before the statement runs.
 */
function wholeRow(api: WriteApi, id: number, changes: Record<string, unknown>): string {
  const o = api.orders.get(id) as (Order & { priority?: number }) | undefined;
  assert.ok(o, `the API has no order ${id}`);
  const { city, zip } = o.customer.address;
  return canonical({ name: o.name, status: o.status, total: o.total, customer: { name: o.customer.name, address: { city, zip } }, ...(o.priority !== undefined ? { priority: o.priority } : {}), items: o.items.map(({ sku, qty }) => ({ sku, qty })), ...changes });
}

/** The id the API gave the order named `name` (the only one). */
function idOf(api: WriteApi, name: string): number {
  const found = [...api.orders.values()].filter((o) => o.name === name);
  assert.equal(found.length, 1, `orders named ${name}: ${JSON.stringify(found)}`);
  return found[0]!.id;
}

// --- psql -------------------------------------------------------------------------------------------

describe('psql', () => {
  let s: WriteServe;
  before(async () => {
    requireProgram(PSQL, 'postgresql-client');
    s = await serveWrites();
  });
  after(() => s?.close());

  /** psql -c for each statement, errors verbose (SQLSTATE shown), going on after an error unless `stop`. */
  const q = (statements: readonly string[], opts: { stop?: boolean; flags?: readonly string[] } = {}) =>
    psql(s.conninfo(), ['-v', `ON_ERROR_STOP=${opts.stop ? 1 : 0}`, '-v', 'VERBOSITY=verbose', ...(opts.flags ?? []), ...statements.flatMap((st) => ['-c', st])], { home, password: TEST_PASSWORD });

  test('psql: INSERT, UPDATE and DELETE print INSERT 0 2, UPDATE 1, DELETE 2; the API gets one POST per row, GET then PUT of the whole row, one DELETE per key', async () => {
    s.api.clear();
    const put = wholeRow(s.api, 1, { status: 'shipped' });
    const r = await q(["INSERT INTO orders (name, total, customer_address_city) VALUES ('psql a', 1.5, 'Lyon'), ('psql b', 2, NULL)", "UPDATE orders SET status = 'shipped' WHERE id = 1", 'DELETE FROM orders WHERE id IN (2, 3)'], { stop: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'INSERT 0 2\nUPDATE 1\nDELETE 2\n');
    assert.deepEqual(requests(s.api.received), [
      post({ name: 'psql a', total: 1.5, customer: { address: { city: 'Lyon' } } }),
      post({ name: 'psql b', total: 2, customer: { address: { city: null } } }),
      'GET /orders/1',
      `PUT /orders/1 ${put}`,
      'DELETE /orders/2',
      'DELETE /orders/3',
    ]);
    assert.equal(s.api.orders.get(1)?.status, 'shipped');
    assert.ok(!s.api.orders.has(2) && !s.api.orders.has(3));
  });

  test('psql: INSERT ... RETURNING shows the row the API answered (its id and defaults), then INSERT 0 1; UPDATE ... RETURNING then UPDATE 1', async () => {
    s.api.clear();
    const put = wholeRow(s.api, 1, { total: 11 });
    const r = await q(["INSERT INTO orders (name, total) VALUES ('psql returned', 3) RETURNING id, name, status, total", "UPDATE orders SET total = 11 WHERE id = 1 RETURNING id, total"], { stop: true, flags: ['-A'] });
    assert.equal(r.code, 0, r.stderr);
    const id = idOf(s.api, 'psql returned');
    // As psql prints DML with RETURNING from PostgreSQL: the rows, the row count, then the command's tag.
    assert.equal(r.stdout, `id|name|status|total\n${id}|psql returned|new|3\n(1 row)\nINSERT 0 1\nid|total\n1|11\n(1 row)\nUPDATE 1\n`);
    assert.deepEqual(requests(s.api.writes()), [post({ name: 'psql returned', total: 3 }), `PUT /orders/1 ${put}`]);
  });

  test('psql: a row the API refuses half-way is ERROR 23514 (422) or 23505 (409) saying how many rows were written; the rows after it are not sent; the session goes on', async () => {
    s.api.clear();
    const put = wholeRow(s.api, 1, { name: 'reject' });
    const before = s.api.orders.get(1)?.name;
    const r = await q(["INSERT INTO orders (name) VALUES ('psql before'), ('reject'), ('psql never')", "SELECT count(*) FROM orders WHERE name IN ('psql before', 'psql never')", "INSERT INTO orders (name) VALUES ('conflict')", "UPDATE orders SET name = 'reject' WHERE id = 1", 'SELECT 7'], { flags: ['-At'] });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1\n7\n');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('ERROR:'));
    assert.equal(errors.length, 3, r.stderr);
    assert.match(errors[0]!, /^ERROR: {2}23514: INSERT on orders stopped at row 2 of 3: 1 row\(s\) before it were written, 1 after it were not sent\. POST http:\/\/127\.0\.0\.1:\d+\/orders answered 422: name "reject" is not allowed\.$/);
    assert.match(errors[1]!, /^ERROR: {2}23505: INSERT on orders stopped at row 1 of 1: 0 row\(s\) before it were written\. .*answered 409/);
    assert.match(errors[2]!, /^ERROR: {2}23514: UPDATE on orders stopped at row 1 of 1: .*PUT http:\/\/127\.0\.0\.1:\d+\/orders\/1 answered 422/);
    assert.match(r.stderr, /^TABLE NAME: {2}orders$/m);
    assert.deepEqual(requests(s.api.writes()), [post({ name: 'psql before' }), post({ name: 'reject' }), post({ name: 'conflict' }), `PUT /orders/1 ${put}`]);
    assert.equal(s.api.orders.get(1)?.name, before);
  });

  test('psql: with default_transaction_read_only on, COPY (a write or a CREATE) TO STDOUT is ERROR 25006 and nothing reaches the API', async () => {
    s.api.clear();
    const r = await q([
      'SET default_transaction_read_only = on',
      "COPY (INSERT INTO orders (name, status, total) VALUES ('via copy', 'open', 1) RETURNING id) TO STDOUT",
      'COPY (CREATE TEMP TABLE c1 AS SELECT 1 AS x) TO STDOUT',
      'COPY (EXPLAIN ANALYZE CREATE TEMP TABLE c2 AS SELECT 1 AS x) TO STDOUT',
      'COPY (SELECT 8) TO STDOUT',
      'SET default_transaction_read_only = off',
      "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('c1', 'c2')",
    ], { flags: ['-At'] });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.match(/^ERROR: {2}25006: cannot execute \w+ in a read-only transaction$/gm)?.length, 3, r.stderr);
    assert.equal(r.stdout, 'SET\n8\nSET\n0\n');
    assert.deepEqual(requests(s.api.writes()), []);
  });

  test('psql: BEGIN READ ONLY; INSERT is ERROR 25006 and nothing reaches the API; ROLLBACK', async () => {
    s.api.clear();
    const r = await q(['BEGIN READ ONLY', "INSERT INTO orders (name) VALUES ('psql read only')", 'ROLLBACK', "DELETE FROM orders WHERE id = 1 AND false", 'SELECT 7'], { flags: ['-At'] });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^ERROR: {2}25006: cannot execute INSERT in a read-only transaction$/m);
    assert.equal(r.stderr.match(/^ERROR:/gm)?.length, 1, r.stderr);
    // The DELETE after ROLLBACK runs outside the transaction again (its WHERE matches nothing).
    assert.equal(r.stdout, 'BEGIN\nROLLBACK\nDELETE 0\n7\n');
    assert.deepEqual(requests(s.api.writes()), []);
    assert.ok(!requests(s.api.received).some((l) => l.includes('psql read only')));
  });

  test('psql: SET default_transaction_read_only = on (or SET SESSION CHARACTERISTICS ... READ ONLY) refuses INSERT, UPDATE and DELETE outside a transaction with 25006; nothing is sent', async () => {
    s.api.clear();
    const r = await q(
      [
        'SET default_transaction_read_only = on',
        "INSERT INTO orders (name) VALUES ('psql default read only')",
        "UPDATE orders SET status = 'x' WHERE id = 1",
        'RESET default_transaction_read_only',
        'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
        'DELETE FROM orders WHERE id = 1',
        'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
        "INSERT INTO orders (name) VALUES ('psql read write')",
      ],
      { flags: ['-At'] },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stderr.match(/^ERROR: .*$/gm), ['ERROR:  25006: cannot execute INSERT in a read-only transaction', 'ERROR:  25006: cannot execute UPDATE in a read-only transaction', 'ERROR:  25006: cannot execute DELETE in a read-only transaction']);
    assert.equal(r.stdout, 'SET\nRESET\nSET\nSET\nINSERT 0 1\n');
    assert.deepEqual(requests(s.api.received), [post({ name: 'psql read write' })]);
  });

  test('psql: BEGIN; INSERT is ERROR 25001 (the API cannot take part in a transaction) and nothing is sent; ROLLBACK, and the next INSERT is sent', async () => {
    s.api.clear();
    const r = await q(['BEGIN', "INSERT INTO orders (name) VALUES ('psql in transaction')", 'SELECT 1', 'ROLLBACK', 'BEGIN', "UPDATE orders SET status = 'x' WHERE id = 1", 'ROLLBACK', "INSERT INTO orders (name) VALUES ('psql after')"], { flags: ['-At'] });
    assert.equal(r.code, 0, r.stderr);
    const errors = r.stderr.match(/^ERROR: .*$/gm) ?? [];
    assert.equal(errors.length, 3, r.stderr);
    assert.match(errors[0]!, /^ERROR: {2}25001: INSERT on orders inside a transaction: .*nothing was sent\.$/);
    assert.equal(errors[1], 'ERROR:  25P02: current transaction is aborted, commands ignored until end of transaction block');
    assert.match(errors[2]!, /^ERROR: {2}25001: UPDATE on orders inside a transaction/);
    assert.match(r.stderr, /^HINT: {2}Run it outside BEGIN \.\.\. COMMIT \(autocommit\), or set TransactionMode=Ignore to send it at once\.$/m);
    assert.equal(r.stdout, 'BEGIN\nROLLBACK\nBEGIN\nROLLBACK\nINSERT 0 1\n');
    assert.deepEqual(requests(s.api.received), [post({ name: 'psql after' })]);
  });

  test('psql: UPDATE and DELETE without the key in WHERE are ERROR 42P10 (they would read the whole table); nothing is sent, not even a read', async () => {
    s.api.clear();
    const r = await q(["UPDATE orders SET status = 'x' WHERE status = 'open'", "DELETE FROM orders WHERE name = 'order 1'", 'DELETE FROM orders', 'SELECT 7'], { flags: ['-At'] });
    assert.equal(r.code, 0, r.stderr);
    const errors = r.stderr.match(/^ERROR: .*$/gm) ?? [];
    assert.equal(errors.length, 3, r.stderr);
    for (const [i, verb] of ['UPDATE', 'DELETE', 'DELETE'].entries()) assert.match(errors[i]!, new RegExp(`^ERROR: {2}42P10: ${verb} on orders was refused: its WHERE does not give the key id with = or IN`));
    assert.match(r.stderr, /^HINT: {2}Add WHERE id = \.\.\. \(or IN \(\.\.\.\)\), or set AllowFullTableWrites=1/m);
    assert.equal(r.stdout, '7\n');
    assert.deepEqual(requests(s.api.received), []);
  });
});

// --- pgjdbc -----------------------------------------------------------------------------------------

/**
 * The JVM running WriteClient: a scenario is a line on its stdin, its output the lines up to
 * "end SCENARIO". At "wait LABEL" the test's handler for LABEL runs (it looks at the API), then
 * the client goes on. A handler that fails still lets the client finish the scenario, so the next
 * one starts clean; the failure is thrown then.
 */
class Jvm {
  readonly child: Child;
  #read = 0;

  constructor(classpath: string) {
    // -Duser.home: pgjdbc reads ~/.postgresql from there (not $HOME).
    this.child = new Child('/usr/bin/java', ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Duser.home=${home}`, '-Duser.timezone=UTC', '-Dfile.encoding=UTF-8', '-cp', classpath, 'WriteClient'], {
      env: clientEnv(home, { WIRE_PASSWORD: TEST_PASSWORD }),
    });
  }

  async line(): Promise<string> {
    await this.child.waitFor('a line', (out) => out.indexOf('\n', this.#read) >= 0);
    const nl = this.child.stdout.indexOf('\n', this.#read);
    const line = this.child.stdout.slice(this.#read, nl);
    this.#read = nl + 1;
    return line;
  }

  /** Runs `name` against `port`; its lines without the scenario's name. */
  async scenario(name: string, port: number, waits: Record<string, () => void | Promise<void>> = {}): Promise<string[]> {
    this.child.write(`${name} ${port}\n`);
    const lines: string[] = [];
    let failure: unknown;
    for (;;) {
      const line = await this.line();
      if (line === `end ${name}`) break;
      if (line.startsWith('wait ')) {
        const label = line.slice('wait '.length);
        try {
          const handler = waits[label];
          assert.ok(handler, `WriteClient waits at ${label}, which the test does not expect`);
          await handler();
        } catch (e) {
          failure ??= e;
        }
        this.child.write('go\n');
        continue;
      }
      lines.push(line.startsWith(`${name} `) ? line.slice(name.length + 1) : line);
    }
    if (failure) throw failure;
    assert.ok(!lines.some((l) => l.startsWith('FAIL')), `${lines.join('\n')}\n${this.child.stderr}`);
    return lines;
  }
}

describe('pgjdbc', () => {
  let s: WriteServe;
  /** TransactionMode=Ignore: writes inside a transaction are sent at once. */
  let ignoring: WriteServe;
  let jvm: Jvm;
  const classes = tempDir(after, 'restsql-serve-writes-classes-');

  before(async () => {
    requireProgram('/usr/bin/javac', 'default-jdk-headless');
    requireProgram(PGJDBC, 'libpostgresql-jdbc-java');
    const compiled = run('/usr/bin/javac', ['-encoding', 'UTF-8', '-d', classes, '-cp', PGJDBC, join(JAVA_SOURCES, 'WriteClient.java')], { env: clientEnv(home) });
    [s, ignoring] = await Promise.all([serveWrites(), serveWrites(';TransactionMode=Ignore')]);
    const javac = await compiled;
    assert.equal(javac.code, 0, `javac failed: ${javac.stderr}${javac.stdout}`);
    jvm = new Jvm(`${classes}:${PGJDBC}`);
    assert.equal(await jvm.line(), 'ready');
  });
  after(async () => {
    jvm?.child.proc.stdin.end();
    const exited = await jvm?.child.exit().catch(() => undefined);
    if (exited === undefined) jvm?.child.kill();
    await Promise.all([s?.close(), ignoring?.close()]);
  });

  test('pgjdbc: Parse and Describe of INSERT, UPDATE, DELETE and INSERT ... RETURNING give parameter and result types and send nothing to the API', async () => {
    s.api.clear();
    const lines = await jvm.scenario('describe', s.port, { described: () => assert.deepEqual(requests(s.api.received), []) });
    assert.deepEqual(lines, [
      'varchar,varchar,float8,int4 -> none',
      'varchar,float8,int4 -> none',
      'int4 -> none',
      'varchar -> id:int4,name:varchar,created_at:timestamp',
      'varchar,varchar -> none',
    ]);
    assert.deepEqual(requests(s.api.received), []);
  });

  test('pgjdbc: a PreparedStatement INSERT with setString, setDouble, setInt and setNull: nothing sent before executeUpdate, then one POST per run, executeUpdate 1, past prepareThreshold too (named statement, binary int4 and float8)', async () => {
    s.api.clear();
    const lines = await jvm.scenario('insert', s.port, { described: () => assert.deepEqual(requests(s.api.received), []) });
    const runs = [1, 2, 3, 4, 5, 6];
    // pgjdbc reports the server-side statement from the 4th run on (that run counts towards the threshold).
    assert.deepEqual(lines, ['params varchar,varchar,float8,int4,varchar', ...runs.map((run) => `run ${run} ${run >= 4} 1`)]);
    assert.deepEqual(
      requests(s.api.received),
      runs.map((run) => post({ name: `jdbc ${run}`, status: run % 2 === 0 ? 'open' : 'new', total: run * 2.5 - 5.25, priority: run * -7, customer: { name: run % 2 === 0 ? `Zoë ${run}` : null } })),
    );
    assert.equal(s.api.orders.get(idOf(s.api, 'jdbc 6'))?.total, 9.75);
  });

  test('pgjdbc: executeBatch of three inserts counts [1, 1, 1] and sends three POSTs in order', async () => {
    s.api.clear();
    const lines = await jvm.scenario('batch', s.port);
    assert.deepEqual(lines, ['counts [1, 1, 1]']);
    assert.deepEqual(requests(s.api.received), [1, 2, 3].map((i) => post({ name: `batch ${i}`, priority: i })));
  });

  test('pgjdbc: UPDATE and DELETE with parameters: described without a request, then UPDATE 1 (GET, PUT of the whole row) and DELETE 2 (one DELETE per id)', async () => {
    s.api.clear();
    const put = wholeRow(s.api, 1, { status: 'shipped', total: 99.5 });
    const lines = await jvm.scenario('change', s.port, { described: () => assert.deepEqual(requests(s.api.received), []) });
    assert.deepEqual(lines, ['params varchar,float8,int4 int4,int4', 'update 1', 'delete 2']);
    assert.deepEqual(requests(s.api.received), ['GET /orders/1', `PUT /orders/1 ${put}`, 'DELETE /orders/2', 'DELETE /orders/3']);
  });

  test('pgjdbc: INSERT ... RETURNING by executeQuery gives the server-assigned id; getGeneratedKeys (RETURN_GENERATED_KEYS, or named columns) too', async () => {
    s.api.clear();
    const lines = await jvm.scenario('returning', s.port, { described: () => assert.deepEqual(requests(s.api.received), []) });
    const returned = idOf(s.api, 'returned');
    const generated = idOf(s.api, 'generated');
    const named = idOf(s.api, 'named key');
    assert.ok(returned >= 100 && generated > returned && named > generated, `${returned} ${generated} ${named}`);
    assert.deepEqual(lines, [
      'columns id:int4,name:varchar,status:varchar,total:float8',
      `row ${returned}|returned|new|5`,
      'count 1',
      // RETURNING *: every column of orders (its 9).
      `keys ${generated}|generated|new|9`,
      'count 1',
      `id ${named}|1`,
    ]);
    assert.deepEqual(requests(s.api.received), [post({ name: 'returned', total: 5 }), post({ name: 'generated' }), post({ name: 'named key' })]);
  });

  test('pgjdbc: refused rows give SQLState 23514 (422) and 23505 (409), the connection still usable; a batch stops at the refused row', async () => {
    s.api.clear();
    const lines = await jvm.scenario('refused', s.port);
    // The batch's first row was written (the API has it), but pgjdbc marks every count of a failed
    // batch in autocommit EXECUTE_FAILED (-3): PostgreSQL would have rolled the whole batch back.
    assert.deepEqual(lines, ['reject 23514', 'usable 42', 'conflict 23505', 'usable 42', 'accepted 1', 'batch 23514 [-3, -3, -3]', 'usable 42']);
    assert.deepEqual(requests(s.api.writes()), [post({ name: 'reject' }), post({ name: 'conflict' }), post({ name: 'accepted' }), post({ name: 'batch a' }), post({ name: 'reject' })]);
    idOf(s.api, 'batch a'); // written: the API has it
    assert.ok(![...s.api.orders.values()].some((o) => o.name === 'batch c'));
  });

  test('pgjdbc: autocommit off: executeUpdate of an INSERT is SQLState 25001 and nothing is sent; after rollback and autocommit on it is sent', async () => {
    s.api.clear();
    const lines = await jvm.scenario('transaction', s.port);
    assert.deepEqual(lines, ['refused 25001', 'usable 42', 'autocommit 1']);
    assert.deepEqual(requests(s.api.received), [post({ name: 'after autocommit' })]);
  });

  test('pgjdbc: autocommit off against TransactionMode=Ignore: the INSERT is sent at once, before commit, and rollback does not undo it', async () => {
    ignoring.api.clear();
    const put = wholeRow(ignoring.api, 1, { status: 'ignored' });
    const lines = await jvm.scenario('ignored', ignoring.port, { sent: () => assert.deepEqual(requests(ignoring.api.received), [post({ name: 'ignored tx' })]) });
    assert.deepEqual(lines, ['count 1', 'rolled back', 'update 1']);
    assert.ok(idOf(ignoring.api, 'ignored tx') >= 100);
    // Inside a transaction the rows are read first (GET), then the whole row is sent.
    assert.deepEqual(requests(ignoring.api.received), [post({ name: 'ignored tx' }), 'GET /orders/1', `PUT /orders/1 ${put}`]);
  });
});

// --- psycopg ----------------------------------------------------------------------------------------

describe('psycopg', () => {
  let s: WriteServe;
  before(async () => {
    requirePythonModules('psycopg, psycopg2', 'python3-psycopg python3-psycopg2');
    s = await serveWrites();
  });
  after(() => s?.close());

  /** Runs write_client.py; fails on a check that raised or a missing "done". */
  async function writeClient(args: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const r = await pythonChecks('write_client.py', args, { home, password: TEST_PASSWORD });
    assert.equal(r.finished.code, 0, r.finished.stderr);
    assert.ok(r.checks.has('done'), r.finished.stdout + r.finished.stderr);
    for (const [name, c] of r.checks) assert.equal(c.raised, undefined, `${name}: ${JSON.stringify(c.raised)}\n${r.finished.stderr}`);
    return r.checks as Map<string, Record<string, unknown>>;
  }

  /** What check `name` printed, without its name. */
  const fields = (checks: ReadonlyMap<string, Record<string, unknown>>, name: string): Record<string, unknown> => {
    const printed = checks.get(name);
    assert.ok(printed, `no check ${name}`);
    return Object.fromEntries(Object.entries(printed).filter(([k]) => k !== 'check'));
  };

  for (const [driver, updateId, deleteId] of [['psycopg', 1, 2], ['psycopg2', 1, 3]] as const) {
    test(`${driver}: execute with parameters and autocommit: rowcount and tags of INSERT, UPDATE, DELETE; executemany; RETURNING by fetchone; a refused row's pgcode; autocommit off refused with 25001`, async () => {
      s.api.clear();
      const put = wholeRow(s.api, updateId, { status: 'paid', total: 1.5 });
      const checks = await writeClient([driver, s.conninfo(), 'writes', String(updateId), String(deleteId)]);
      const returned = idOf(s.api, `${driver} returned`);
      assert.deepEqual(fields(checks, 'insert'), { one: { rowcount: 1, status: 'INSERT 0 1' }, two: { rowcount: 2, status: 'INSERT 0 2' } });
      assert.deepEqual(fields(checks, 'executemany'), { rowcount: 3 });
      assert.deepEqual(fields(checks, 'returning'), { row: [['int', String(returned)], ['str', `${driver} returned`], ['str', 'new'], ['float', '7.25']], more: 0, rowcount: 1, status: 'INSERT 0 1' });
      assert.deepEqual(fields(checks, 'change'), { update: { rowcount: 1, status: 'UPDATE 1' }, delete: { rowcount: 1, status: 'DELETE 1' }, missing: { rowcount: 0, status: 'DELETE 0' } });
      const refused = checks.get('refused') as { error: { type: string; pgcode: string; message: string }; usable: number };
      assert.equal(refused.error.pgcode, '23514');
      assert.equal(refused.error.type, 'CheckViolation');
      assert.match(refused.error.message, /^INSERT on orders stopped at row 2 of 3: 1 row\(s\) before it were written, 1 after it were not sent\./);
      assert.equal(refused.usable, 1);
      const tx = checks.get('transaction') as { error: { type: string; pgcode: string }; usable: number };
      assert.deepEqual([tx.error.type, tx.error.pgcode, tx.usable], ['ActiveSqlTransaction', '25001', 42]);
      assert.deepEqual(requests(s.api.writes()), [
        post({ name: `${driver} one`, total: 2.5, priority: 4 }),
        post({ name: `${driver} two`, customer: { name: 'it\'s "quoted"' } }),
        post({ name: `${driver} three`, customer: { name: null } }),
        ...[1, 2, 3].map((i) => post({ name: `${driver} many ${i}`, priority: i })),
        post({ name: `${driver} returned`, total: 7.25 }),
        `PUT /orders/${updateId} ${put}`,
        `DELETE /orders/${deleteId}`,
        'DELETE /orders/999999',
        post({ name: `${driver} before` }),
        post({ name: 'reject' }),
      ]);
      assert.ok(!requests(s.api.received).some((l) => l.includes('in transaction') || l.includes(`${driver} after`)));
    });
  }

  test('psycopg: PQprepare and PQdescribePrepared of INSERT, UPDATE, DELETE and RETURNING give the parameter types and send nothing to the API', async () => {
    s.api.clear();
    const checks = await writeClient(['psycopg', s.conninfo(), 'describe']);
    const shape = (name: string) => fields(checks, name);
    assert.deepEqual(shape('insert'), { params: [1043, 701, 23], fields: [] });
    assert.deepEqual(shape('update'), { params: [1043, 23], fields: [] });
    assert.deepEqual(shape('delete'), { params: [23, 23], fields: [] });
    assert.deepEqual(shape('returning'), { params: [1043], fields: [['id', 23], ['name', 1043]] });
    assert.deepEqual(requests(s.api.received), []);
  });
});
