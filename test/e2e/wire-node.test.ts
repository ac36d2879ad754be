/**
 * `restsql serve` against the two Node.js PostgreSQL clients as applications use them:
 * node-postgres (`pg.Client`, in the clear and over TLS) and postgres.js (`postgres()`), each
 * doing what it does at connect time and then parameters, prepared statements, errors,
 * statement_timeout, concurrent sessions, type parsing and cursors.
 */
import assert from 'node:assert/strict';
import { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { within } from '../support/deadline.js';
import { serveFixture, TYPED_ROWS, type Served } from '../support/serve.js';

/** Generous: a loaded machine is slow, and each wait ends as soon as its event comes. */
const DEADLINE = 30_000;

function pgClient(fx: Served, extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: fx.host, port: fx.port, user: 'tester', password: fx.password, database: 'restsql', connectionTimeoutMillis: DEADLINE, ...extra });
}

/** Waits for `condition`, checking at short intervals, up to a deadline (for counters with no event). */
async function eventually(what: string, condition: () => boolean, ms = DEADLINE): Promise<void> {
  await within(ms, what, (async () => {
    while (!condition()) await new Promise((r) => setTimeout(r, 10));
  })());
}

/** The error a promise rejects with (fails if it resolves). */
async function rejection(p: Promise<unknown>, what: string): Promise<Error & { code?: string }> {
  try {
    await within(DEADLINE, what, p);
  } catch (e) {
    assert.ok(e instanceof Error, `${what}: ${String(e)}`);
    return e as Error & { code?: string };
  }
  assert.fail(`${what}: expected an error, the query succeeded`);
}

/**
 * TYPED_ROWS as node-postgres's default type parsers give them: int8 as a string (it may not fit a
 * number), float8 as a number, timestamp without time zone and date as local-time Dates (pg-types'
 * rule), json parsed.
 */
const PG_EXPECTED = [
  { id: 1, big: '9007199254740993', amount: 12.5, ok: true, created: new Date(2024, 0, 2, 3, 4, 5, 123), day: new Date(2024, 1, 29), uid: TYPED_ROWS[0].uid, label: 'plain', note: null },
  { id: 2, big: '-42', amount: -0.25, ok: false, created: new Date(1999, 11, 31, 23, 59, 59), day: new Date(1970, 0, 1), uid: TYPED_ROWS[1].uid, label: TYPED_ROWS[1].label, note: { k: [1, 2] } },
  { id: 3, big: '0', amount: 1e21, ok: null, created: null, day: null, uid: null, label: TYPED_ROWS[2].label, note: null },
];
const TYPED_SELECT = 'SELECT id, big, amount, ok, created, day, uid, label, note FROM types';

for (const tls of [false, true]) {
  describe(`node-postgres pg.Client ${tls ? 'over TLS (ssl: { rejectUnauthorized: false })' : 'in the clear'}`, () => {
    let fx: Served;
    let client: pg.Client;
    before(async () => {
      fx = await serveFixture({ tls });
      client = pgClient(fx, tls ? { ssl: { rejectUnauthorized: false } } : {});
      await within(DEADLINE, 'pg connects', client.connect());
    });
    after(async () => {
      await client?.end().catch(() => undefined);
      await fx?.close();
    });

    test(tls ? 'the connection is TLS, and the server logs it as TLS' : 'the connection is not TLS', () => {
      const stream = (client as unknown as { connection: { stream: unknown } }).connection.stream;
      assert.equal(stream instanceof TLSSocket, tls);
      if (tls) assert.ok(fx.log.some((l) => /session \d+ from .* \(TLS\)$/.test(l)), `log: ${fx.log.join('\n')}`);
    });

    test('types parsed by pg\'s default parsers equal TYPED_ROWS', async () => {
      const r = await client.query(`${TYPED_SELECT} ORDER BY id`);
      assert.deepEqual(r.rows, PG_EXPECTED);
      assert.deepEqual(r.fields.map((f) => f.dataTypeID), [23, 20, 701, 16, 1114, 1082, 2950, 1043, 114]);
    });

    test('text parameters with $1 (pg sends every value as text with type OID 0)', async () => {
      const r = await client.query('SELECT id, label FROM types WHERE id = $1', [2]);
      assert.deepEqual(r.rows, [{ id: 2, label: TYPED_ROWS[1].label }]);
      const none = await client.query('SELECT id FROM types WHERE id = $1', ['4']);
      assert.equal(none.rowCount, 0);
      const several = await client.query('SELECT $1::int8 + 1 AS n, $2::text AS s, $3::boolean AS b, $4::date AS d', ['9007199254740993', 'it\'s "text"', 'yes', '2024-02-29']);
      assert.deepEqual(several.rows, [{ n: '9007199254740994', s: 'it\'s "text"', b: true, d: new Date(2024, 1, 29) }]);
      const nul = await client.query('SELECT id FROM types WHERE label = $1 OR $2::int IS NULL ORDER BY id', ['plain', null]);
      assert.deepEqual(nul.rows.map((row: { id: number }) => row.id), [1, 2, 3]);
    });

    test('a named prepared statement reused ({ name, text, values }): parsed once, run with each value', async () => {
      const q = (id: number) => client.query({ name: `by-id-${tls}`, text: 'SELECT id, big FROM types WHERE id = $1', values: [id] });
      assert.deepEqual((await q(1)).rows, [{ id: 1, big: '9007199254740993' }]);
      assert.deepEqual((await q(3)).rows, [{ id: 3, big: '0' }]);
      assert.deepEqual((await q(2)).rows, [{ id: 2, big: '-42' }]);
      // pg parses a named statement once per connection; a second text under the same name is pg's own error.
    });

    test('an error, then Sync, then the next query on the same connection works', async () => {
      const e = await rejection(client.query('SELECT * FROM no_such_table'), 'unknown table');
      assert.equal(e.code, '42P01');
      const e2 = await rejection(client.query('SELECT $1::int AS n', ['not a number']), 'bad parameter');
      assert.equal(e2.code, '22P02');
      const r = await client.query('SELECT count(*)::int AS n FROM types');
      assert.deepEqual(r.rows, [{ n: 3 }]);
    });

    test('SET statement_timeout = 50: a statement waiting on the API fails with 57014 by the server\'s timer; the session works after', async () => {
      const release = fx.api.holdSlow();
      try {
        await client.query('SET statement_timeout = 50');
        const e = await rejection(client.query('SELECT count(*) FROM slow'), 'the timed-out statement');
        assert.equal(e.code, '57014');
        assert.equal(e.message, 'canceling statement due to statement timeout');
      } finally {
        release();
        await client.query('SET statement_timeout = 0');
      }
      const r = await client.query('SELECT 1 AS one');
      assert.deepEqual(r.rows, [{ one: 1 }]);
    });
  });
}

describe('node-postgres: many clients and startup options', () => {
  let fx: Served;
  before(async () => {
    fx = await serveFixture();
  });
  after(async () => {
    await fx?.close();
  });

  test('8 concurrent clients, each with its own queries, get their own answers; the server counts them out', async () => {
    const clients = Array.from({ length: 8 }, () => pgClient(fx));
    try {
      await within(DEADLINE, '8 clients connect', Promise.all(clients.map((c) => c.connect())));
      assert.equal(fx.server.sessions, 8);
      const results = await within(DEADLINE, '8 clients query', Promise.all(clients.map(async (c, i) => {
        await c.query(`SET application_name = 'client-${i}'`);
        const a = await c.query('SELECT id, label FROM types WHERE id = $1', [(i % 3) + 1]);
        const b = await c.query('SELECT count(*)::int AS n FROM big WHERE id <= $1', [i * 10]);
        const app = await c.query('SHOW application_name');
        return { id: a.rows[0].id as number, n: b.rows[0].n as number, app: app.rows[0].application_name as string };
      })));
      assert.deepEqual(results, Array.from({ length: 8 }, (_, i) => ({ id: (i % 3) + 1, n: i * 10, app: `client-${i}` })));
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
    await eventually(`sessions go back to 0 (now ${fx.server.sessions})`, () => fx.server.sessions === 0);
  });

  test('statement_timeout given at connect (pg sends it as a startup parameter) applies to the session', async () => {
    const c = pgClient(fx, { statement_timeout: 50 });
    const release = fx.api.holdSlow();
    try {
      await c.connect();
      const shown = await c.query('SHOW statement_timeout');
      assert.deepEqual(shown.rows, [{ statement_timeout: '50ms' }]);
      const e = await rejection(c.query('SELECT count(*) FROM slow'), 'the timed-out statement');
      assert.equal(e.code, '57014');
    } finally {
      release();
      await c.end().catch(() => undefined);
    }
  });
});

describe('postgres.js', () => {
  let fx: Served;
  before(async () => {
    fx = await serveFixture();
  });
  after(async () => {
    await fx?.close();
  });

  const connect = (o: postgres.Options<Record<string, postgres.PostgresType>> = {}) =>
    postgres({ host: fx.host, port: fx.port, user: 'tester', password: fx.password, database: 'restsql', ssl: false, max: 1, connect_timeout: 30, idle_timeout: 0, onnotice: () => undefined, ...o });

  test('connects with its defaults (fetch_types: its array-type query on pg_catalog.pg_type at connect)', async () => {
    const sql = connect();
    try {
      const r = await within(DEADLINE, 'postgres.js first query', sql`SELECT 1 AS one`);
      assert.deepEqual([...r], [{ one: 1 }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  test('tagged-template queries with parameters; values parsed by its default types', async () => {
    const sql = connect({ fetch_types: false });
    try {
      const id = 2;
      const r = await sql`SELECT id, big, amount, ok, created, day, uid, label, note FROM types WHERE id = ${id}`;
      assert.equal(r.count, 1);
      assert.deepEqual(r.columns.map((c) => c.type), [23, 20, 701, 16, 1114, 1082, 2950, 1043, 114]);
      const row = r[0]!;
      assert.equal(row['id'], 2);
      // postgres.js leaves int8 as a string, parses timestamps and dates to Dates, json to values.
      assert.equal(row['big'], '-42');
      assert.equal(row['amount'], -0.25);
      assert.equal(row['ok'], false);
      assert.ok(row['created'] instanceof Date);
      assert.equal((row['created'] as Date).getTime(), new Date('1999-12-31T23:59:59').getTime());
      assert.ok(row['day'] instanceof Date);
      assert.equal(row['uid'], TYPED_ROWS[1].uid);
      assert.equal(row['label'], TYPED_ROWS[1].label);
      assert.deepEqual(row['note'], { k: [1, 2] });
      const label = 'plain';
      const big = 9007199254740993n;
      const many = await sql`SELECT id FROM types WHERE label = ${label} OR big = ${big.toString()}::int8 OR id = ${3} ORDER BY id`;
      assert.deepEqual([...many].map((x) => x['id']), [1, 3]);
      const missing = await sql`SELECT id FROM types WHERE id = ${42}`;
      assert.equal(missing.count, 0);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  test('sql.unsafe: a multi-statement simple query gives one result per statement; unsafe with parameters uses the extended protocol', async () => {
    const sql = connect({ fetch_types: false });
    try {
      const multi = await sql.unsafe('SELECT 1 AS a; SELECT label FROM types WHERE id = 1');
      assert.ok(Array.isArray(multi));
      const results = multi as unknown as Record<string, unknown>[][];
      assert.deepEqual(results.map((x) => [...x]), [[{ a: 1 }], [{ label: 'plain' }]]);
      const withParams = await sql.unsafe('SELECT id FROM types WHERE id = $1 OR id = $2 ORDER BY id', [1, 3]);
      assert.deepEqual([...withParams].map((x) => x['id']), [1, 3]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  test('an error rejects the query with its SQLSTATE and the next query works', async () => {
    const sql = connect({ fetch_types: false });
    try {
      const e = await rejection(sql`SELECT * FROM no_such_table`.then((x) => x), 'unknown table');
      assert.equal(e.code, '42P01');
      const r = await sql`SELECT 2 AS two`;
      assert.deepEqual([...r], [{ two: 2 }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  test('.cursor(10) streams big in batches of 10 (Execute with a row limit, PortalSuspended between)', async () => {
    const sql = connect({ fetch_types: false });
    try {
      const sizes: number[] = [];
      const ids: number[] = [];
      await within(DEADLINE, 'the cursor over big', (async () => {
        for await (const rows of sql`SELECT id, name FROM big ORDER BY id`.cursor(10)) {
          sizes.push(rows.length);
          for (const r of rows) ids.push(r['id'] as number);
        }
      })());
      assert.equal(ids.length, 1000);
      assert.deepEqual(ids, Array.from({ length: 1000 }, (_, i) => i + 1));
      assert.ok(sizes.every((n) => n > 0 && n <= 10), `batch sizes ${JSON.stringify(sizes)}`);
      assert.equal(sizes.length, 100);
      // Stopping early ends the portal and leaves the connection usable.
      let seen = 0;
      for await (const rows of sql`SELECT id FROM big ORDER BY id`.cursor(10)) {
        seen += rows.length;
        if (seen >= 30) break;
      }
      assert.equal(seen, 30);
      const after = await sql`SELECT count(*)::int AS n FROM big`;
      assert.deepEqual([...after], [{ n: 1000 }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  test('a transaction (sql.begin) commits, and a failed one rolls back and rejects', async () => {
    const sql = connect({ fetch_types: false });
    try {
      const r = await sql.begin(async (tx) => {
        const a = await tx`SELECT 1 AS a`;
        const b = await tx`SELECT label FROM types WHERE id = ${1}`;
        return [a[0]!['a'], b[0]!['label']];
      });
      assert.deepEqual(r, [1, 'plain']);
      const e = await rejection(sql.begin(async (tx) => {
        await tx`SELECT * FROM no_such_table`;
      }), 'a failed transaction');
      assert.equal(e.code, '42P01');
      const after = await sql`SELECT 3 AS three`;
      assert.deepEqual([...after], [{ three: 3 }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});

describe('postgres.js over TLS', () => {
  let fx: Served;
  before(async () => {
    fx = await serveFixture({ tls: true });
  });
  after(async () => {
    await fx?.close();
  });

  test('ssl: { rejectUnauthorized: false } connects over TLS and queries with parameters', async () => {
    const sql = postgres({ host: fx.host, port: fx.port, user: 'tester', password: fx.password, database: 'restsql', ssl: { rejectUnauthorized: false }, max: 1, connect_timeout: 30, fetch_types: false });
    try {
      const r = await within(DEADLINE, 'the TLS query', sql`SELECT label FROM types WHERE id = ${3}`);
      assert.deepEqual([...r], [{ label: TYPED_ROWS[2].label }]);
      assert.ok(fx.log.some((l) => / \(TLS\)$/.test(l)), `log: ${fx.log.join('\n')}`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});

test('SQL cursors: DECLARE, FETCH, MOVE, CLOSE (psqlODBC UseDeclareFetch, psycopg2 named cursors); plain cursors end with the transaction, WITH HOLD ones outlive COMMIT', async () => {
  const fx = await serveFixture({ bigRows: 50 });
  const client = pgClient(fx);
  try {
    await within(DEADLINE, 'pg connects', client.connect());
    const q = (sql: string) => within(DEADLINE, sql, client.query(sql));
    const declareOutside = await rejection(client.query('DECLARE c0 CURSOR FOR SELECT id FROM big'), 'DECLARE outside a transaction');
    assert.match(declareOutside.message, /DECLARE CURSOR can only be used in transaction blocks/);
    await q('BEGIN');
    assert.equal((await q('DECLARE c1 CURSOR FOR SELECT id FROM big WHERE id > 40 ORDER BY id DESC')).command, 'DECLARE');
    const first = await q('FETCH 3 FROM c1');
    assert.deepEqual(first.rows.map((r) => r.id), [50, 49, 48]);
    assert.equal(first.rowCount, 3);
    assert.equal((await q('MOVE 2 IN c1')).rowCount, 2);
    // Another statement between fetches does not disturb the cursor.
    assert.equal((await q('SELECT count(*)::INTEGER AS n FROM big')).rows[0].n, 50);
    assert.deepEqual((await q('FETCH ALL IN c1')).rows.map((r) => r.id), [45, 44, 43, 42, 41]);
    assert.equal((await q('FETCH NEXT FROM c1')).rowCount, 0);
    await q('DECLARE h CURSOR WITH HOLD FOR SELECT name FROM big WHERE id <= 4 ORDER BY id');
    await q('COMMIT');
    assert.equal((await rejection(client.query('FETCH 1 FROM c1'), 'a plain cursor after COMMIT')).code, '34000');
    assert.deepEqual((await q('FETCH 2 FROM h')).rows, [{ name: 'name-1' }, { name: 'name-2' }]);
    assert.equal((await q('CLOSE h')).command, 'CLOSE');
    assert.equal((await rejection(client.query('FETCH 1 FROM h'), 'a closed cursor')).code, '34000');
    assert.equal((await rejection(client.query('FETCH BACKWARD 1 FROM h'), 'a backward fetch')).code, '0A000');
  } finally {
    await client.end().catch(() => undefined);
    await fx.close();
  }
});
