/**
 * Writes through the library (connect(), query, queryAll, stream, open, describe) against a
 * loopback API that records every request (test/support/write-api.ts). Each test checks what
 * the API received (method, path, JSON body, and whether a read came first), not only what
 * restsql answered: INSERT, UPDATE and DELETE in their forms, array directives, RETURNING,
 * refusals before anything is sent, half-way failures, #http rules, transactions, the cache
 * after a write.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { connect, isRestSqlError, type Connection } from '../../src/index.js';
import { notesTable, startWriteApi, writeModel, type WriteApi } from '../support/write-api.js';
import { ownSpoolFolders, tempDir } from '../support/temp-dir.js';
import { startHttpServer } from '../support/loopback-server.js';

// Not UTC (DuckDB takes the zone when the first database opens): values must reach the API in UTC all the same.
process.env.TZ = 'America/New_York';

const dir = tempDir(after, 'restsql-writes-lib-');
let files = 0;

after(() => {
  assert.deepEqual(ownSpoolFolders(), [], 'every connection closed: no spool folder of this process is left');
});

interface Setup {
  /** Entries added to (or, set to undefined, removed from) orders. */
  readonly orders?: Record<string, unknown> | ((api: WriteApi) => Record<string, unknown>);
  /** More tables. */
  readonly tables?: (api: WriteApi) => Record<string, unknown>;
  /** More connection options (`A=1;B=2`). */
  readonly options?: string;
}

/** A fresh API and a connection to it for `fn`; both closed afterwards. */
async function withApi(setup: Setup, fn: (conn: Connection, api: WriteApi) => Promise<void>): Promise<void> {
  const api = await startWriteApi();
  let conn: Connection | undefined;
  try {
    const file = join(dir, `m${++files}.rest`);
    const orders = typeof setup.orders === 'function' ? setup.orders(api) : setup.orders;
    writeFileSync(file, writeModel(api, orders, setup.tables?.(api)));
    conn = await connect(`RestConfigFile=${file}${setup.options ? `;${setup.options}` : ''}`);
    await fn(conn, api);
  } finally {
    await conn?.close();
    await api.close();
  }
}

/** What the API received, as `METHOD path` and the JSON body. */
function received(api: WriteApi): [string, unknown][] {
  return api.received.map((r) => [`${r.method} ${r.path}`, r.body]);
}

/** An error of `code` whose message matches each of `messages`. */
function failsWith(code: string, ...messages: RegExp[]): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isRestSqlError(e), `a RestSqlError, not ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const m of messages) assert.match(e.message, m);
    assert.ok((e.hint ?? '') !== '', 'the error says how to fix it');
    return true;
  };
}

const PATCH = (api: WriteApi): Record<string, unknown> => ({ '#update': `PATCH ${api.url}/orders/{id}`, '#sendOnlyUpdated': true });

// ---- INSERT

test('INSERT with a column list: flattened columns nested again, child rows inline, one POST; RETURNING the server-assigned id from /result', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.queryAll(`INSERT INTO orders (name, customer_address_city, customer_name, items) VALUES ('x', 'Paris', 'Ada', '[{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]') RETURNING id, name, status, created_at`);
    assert.equal(r.length, 1);
    assert.equal(r[0]!.rowsChanged, 1);
    assert.deepEqual(r[0]!.rows, [{ id: 100, name: 'x', status: 'new', created_at: '2026-12-03T00:00:00' }]);
    assert.deepEqual(received(api), [['POST /orders', { name: 'x', customer: { name: 'Ada', address: { city: 'Paris' } }, items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }] }]]);
    assert.equal(api.received[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(api.orders.get(100)?.items, [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }]);
  });
});

test('INSERT without a column list gives every column in table order; NULL keys are left to the API, #readonly NULLs are not sent', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.query(`INSERT INTO orders VALUES (7, 'pos', 'st', 1.5, 'cn', 'cc', 'cz', NULL), (NULL, 'anon', NULL, NULL, NULL, NULL, NULL, NULL)`);
    assert.deepEqual(r.rows, [{ Count: 2 }]);
    assert.deepEqual(received(api), [
      ['POST /orders', { id: 7, name: 'pos', status: 'st', total: 1.5, customer: { name: 'cn', address: { city: 'cc', zip: 'cz' } } }],
      ['POST /orders', { name: 'anon', status: null, total: null, customer: { name: null, address: { city: null, zip: null } } }],
    ]);
  });
});

test('INSERT ... DEFAULT VALUES sends an empty record: the API picks every value', async () => {
  await withApi({}, async (conn, api) => {
    const shape = await conn.describe('INSERT INTO orders DEFAULT VALUES RETURNING id, status, total');
    assert.deepEqual(shape.columns.map((c) => c.name), ['id', 'status', 'total']);
    const r = await conn.query('INSERT INTO orders DEFAULT VALUES RETURNING id, status, total');
    assert.deepEqual(r.rows, [{ id: 100, status: 'new', total: 0 }]);
    assert.deepEqual(received(api), [['POST /orders', {}]]);
  });
});

test('multi-row VALUES: one request per row, in order; the count is the rows the API confirmed', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.queryAll("INSERT INTO orders (name, total) VALUES ('a', 1), ('b', 2.5), ('c', -3)");
    assert.equal(r[0]!.rowsChanged, 3);
    assert.deepEqual(received(api), [
      ['POST /orders', { name: 'a', total: 1 }],
      ['POST /orders', { name: 'b', total: 2.5 }],
      ['POST /orders', { name: 'c', total: -3 }],
    ]);
    assert.deepEqual(
      [...api.orders.values()].filter((o) => o.id >= 100).map((o) => [o.id, o.name]),
      [
        [100, 'a'],
        [101, 'b'],
        [102, 'c'],
      ],
    );
  });
});

test('INSERT ... SELECT from another API table (read with its WHERE, by key), a parenthesized query, and a subquery in FROM', async () => {
  await withApi({}, async (conn, api) => {
    await conn.query("INSERT INTO tags (tag, color) SELECT name, status FROM orders WHERE id = 2");
    assert.deepEqual(received(api), [
      ['GET /orders/2', undefined],
      ['POST /tags', [{ tag: 'order 2', color: 'open' }]],
    ]);
    api.clear();
    await conn.query("INSERT INTO tags (SELECT 'o' || id, status FROM orders WHERE id IN (1, 3) ORDER BY id)");
    assert.deepEqual(received(api), [
      ['GET /orders/1', undefined],
      ['GET /orders/3', undefined],
      ['POST /tags', [{ tag: 'o1', color: 'open' }, { tag: 'o3', color: 'open' }]],
    ]);
    api.clear();
    const r = await conn.queryAll("INSERT INTO orders (name, total) SELECT upper(tag), 1 FROM (SELECT tag FROM tags WHERE color = '#f00') AS q RETURNING id, name");
    assert.deepEqual(r[0]!.rows, [{ id: 100, name: 'RED' }]);
    assert.deepEqual(received(api), [
      ['GET /tags', undefined],
      ['POST /orders', { name: 'RED', total: 1 }],
    ]);
  });
});

test('bound parameters ($n and ?) are the values sent, quotes and markers in them intact', async () => {
  await withApi({ orders: { ref: 'BigInt' } }, async (conn, api) => {
    await conn.query('INSERT INTO orders (name, total, ref) VALUES ($1, $2, $3)', ["it's $2 -- ?", 2.5, 9007199254740993n]);
    await conn.query('INSERT INTO orders (name, status) VALUES (?, ?)', ['q', null]);
    await conn.query('UPDATE orders SET status = $2 WHERE id = $1', [1, 'via $']);
    assert.deepEqual(
      api.writes().map((r) => [`${r.method} ${r.path}`, r.text]),
      [
        ['POST /orders', `{"name":"it's $2 -- ?","total":2.5,"ref":9007199254740993}`],
        ['POST /orders', '{"name":"q","status":null}'],
        // A whole-record PUT: order 1 has no ref, so none is sent (SET does not give one).
        ['PUT /orders/1', '{"name":"order 1","status":"via $","total":10,"customer":{"name":"c1","address":{"city":"city1","zip":"01000"}},"items":[{"sku":"s1","qty":1}]}'],
      ],
    );
  });
});

test('values in the API\'s forms: big integers with every digit, timestamps ISO 8601 with Z, JSON columns as JSON', async () => {
  await withApi({ orders: { ref: 'BigInt', huge: 'HugeInt', meta: 'Json', due_at: 'Timestamp', day: 'Date', flag: 'Boolean' } }, async (conn, api) => {
    await conn.query(
      `INSERT INTO orders (name, ref, huge, meta, due_at, day, flag) VALUES
       ('b', 9007199254740993, -170141183460469231731687303715884105727, '{"n": 9007199254740993, "s": "t", "l": [1.5, null, true]}', TIMESTAMP '2026-05-01 12:30:00.25', DATE '2026-05-01', true),
       ('s', -9223372036854775808, NULL, '"hello"', '2026-05-01T00:00:00', '2026-05-01', false),
       ('t', NULL, NULL, '"[1]"', NULL, NULL, NULL)`,
    );
    assert.deepEqual(
      api.writes().map((r) => r.text),
      [
        '{"name":"b","ref":9007199254740993,"huge":-170141183460469231731687303715884105727,"meta":{"n":9007199254740993,"s":"t","l":[1.5,null,true]},"due_at":"2026-05-01T12:30:00.25Z","day":"2026-05-01","flag":true}',
        '{"name":"s","ref":-9223372036854775808,"huge":null,"meta":"hello","due_at":"2026-05-01T00:00:00Z","day":"2026-05-01","flag":false}',
        '{"name":"t","ref":null,"huge":null,"meta":"[1]","due_at":null,"day":null,"flag":null}',
      ],
    );
  });
});

test('JSON column values set by UPDATE are sent as JSON with every digit, with and without reading the row', async () => {
  await withApi({ orders: (api) => ({ ...PATCH(api), meta: 'Json' }) }, async (conn, api) => {
    await conn.query(`UPDATE orders SET meta = '{"n": 9007199254740993}' WHERE id = 1`);
    await conn.query(`UPDATE orders SET meta = '"just text"', total = total + 1 WHERE id = 2`);
    assert.deepEqual(
      api.writes().map((r) => [`${r.method} ${r.path}`, r.text]),
      [
        ['PATCH /orders/1', '{"meta":{"n":9007199254740993}}'],
        ['PATCH /orders/2', '{"meta":"just text","total":21}'],
      ],
    );
    assert.deepEqual(api.lines(), ['PATCH /orders/1', 'GET /orders/2', 'PATCH /orders/2']);
  });
});

test('a Date bound by the library, and a TIMESTAMPTZ, are sent as their instant in UTC, whatever the process\'s time zone', async () => {
  await withApi({ orders: { due_at: 'Timestamp' } }, async (conn, api) => {
    assert.equal(new Date(2026, 0, 1).getTimezoneOffset() !== 0, true, 'the test runs in a zone that is not UTC');
    // The engine works in UTC (restsql's TIMESTAMP columns hold UTC), not in the process's zone.
    const zone = await conn.query("SELECT current_setting('TimeZone') AS tz");
    assert.deepEqual(zone.rows, [{ tz: 'UTC' }]);
    await conn.query("UPDATE orders SET due_at = TIMESTAMPTZ '2026-07-01 12:00:00+02' WHERE id = 2");
    assert.equal((api.writes()[0]!.body as { due_at: string }).due_at, '2026-07-01T10:00:00Z');
    assert.deepEqual((await conn.query("SELECT count(*)::INTEGER AS n FROM orders WHERE created_at < TIMESTAMPTZ '2026-01-02 10:00:00+00'")).rows, [{ n: 1 }]);
    api.clear();
    await conn.query('INSERT INTO orders (name, due_at) VALUES ($1, $2)', ['d', new Date('2026-05-01T12:30:00.250Z')]);
    await conn.query('UPDATE orders SET due_at = ? WHERE id = ?', [new Date('2026-12-31T23:59:59.000Z'), 1]);
    assert.deepEqual(
      api.writes().map((r) => (r.body as { due_at: string }).due_at),
      ['2026-05-01T12:30:00.25Z', '2026-12-31T23:59:59Z'],
    );
  });
});

test('JSON given as a library parameter (object or array) is sent as that JSON', async () => {
  await withApi({ orders: { meta: 'Json' } }, async (conn, api) => {
    await conn.query('INSERT INTO orders (name, meta) VALUES ($1, $2)', ['o', { a: [1, "b'c"], n: null }]);
    await conn.query('INSERT INTO orders (name, items) VALUES ($1, $2)', ['p', [{ sku: 'z', qty: 4 }]]);
    assert.deepEqual(
      api.writes().map((r) => r.text),
      ['{"name":"o","meta":{"a":[1,"b\'c"],"n":null}}', '{"name":"p","items":[{"sku":"z","qty":4}]}'],
    );
  });
});

test('a #readonly column named by INSERT (or given a value positionally) is WRITE_READONLY_COLUMN; nothing is sent', async () => {
  await withApi({}, async (conn, api) => {
    await assert.rejects(conn.query("INSERT INTO orders (name, created_at) VALUES ('x', now())"), failsWith('WRITE_READONLY_COLUMN', /created_at/, /#readonly/, /nothing was sent/));
    await assert.rejects(conn.query("INSERT INTO orders VALUES (1, 'x', NULL, NULL, NULL, NULL, NULL, TIMESTAMP '2026-01-01 00:00:00')"), failsWith('WRITE_READONLY_COLUMN', /created_at/));
    await assert.rejects(conn.query("INSERT INTO orders (nope) VALUES (1)"), failsWith('QUERY_UNKNOWN_COLUMN', /'nope'/));
    assert.deepEqual(received(api), []);
  });
});

test('RETURNING * and expressions: the rows as written, the API\'s answer (server id, defaults) over the statement\'s values', async () => {
  await withApi({}, async (conn, api) => {
    const star = await conn.query("INSERT INTO orders (name, customer_address_city) VALUES ('s', 'Oslo') RETURNING *");
    assert.deepEqual(star.columns.map((c) => c.name), ['id', 'name', 'status', 'total', 'customer_name', 'customer_address_city', 'customer_address_zip', 'created_at']);
    assert.deepEqual(star.rows, [{ id: 100, name: 's', status: 'new', total: 0, customer_name: null, customer_address_city: 'Oslo', customer_address_zip: null, created_at: '2026-12-03T00:00:00' }]);
    const expr = await conn.query("INSERT INTO orders (name, total) VALUES ('e', 2), ('f', 3) RETURNING id * 10 AS tenfold, upper(name) AS n, total + 0.5 AS t");
    assert.deepEqual(expr.rows, [
      { tenfold: 1010, n: 'E', t: 2.5 },
      { tenfold: 1020, n: 'F', t: 3.5 },
    ]);
    assert.equal(api.writes().length, 3);
  });
});

test('a [] directive sends the rows as one array; WriteBatchSize=2 splits 5 rows into 3 requests, in order', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.queryAll("INSERT INTO tags VALUES ('a', '1'), ('b', '2'), ('c', '3')");
    assert.equal(r[0]!.rowsChanged, 3);
    assert.deepEqual(received(api), [['POST /tags', [{ tag: 'a', color: '1' }, { tag: 'b', color: '2' }, { tag: 'c', color: '3' }]]]);
  });
  await withApi({ options: 'WriteBatchSize=2' }, async (conn, api) => {
    const r = await conn.queryAll("INSERT INTO tags (tag) SELECT 't' || i FROM range(5) AS s(i) ORDER BY i RETURNING tag, color");
    assert.equal(r[0]!.rowsChanged, 5);
    assert.deepEqual(
      r[0]!.rows.map((x) => x['tag']),
      ['t0', 't1', 't2', 't3', 't4'],
    );
    assert.deepEqual(received(api), [
      ['POST /tags', [{ tag: 't0' }, { tag: 't1' }]],
      ['POST /tags', [{ tag: 't2' }, { tag: 't3' }]],
      ['POST /tags', [{ tag: 't4' }]],
    ]);
  });
});

// ---- UPDATE

test('UPDATE by key: the current row read fresh from the API, the whole record PUT (items included; key and #readonly not in the body)', async () => {
  await withApi({}, async (conn, api) => {
    // Cached rows are not what the write decides on: it reads again.
    await conn.query('SELECT * FROM orders WHERE id = 1');
    api.orders.get(1)!.total = 99;
    api.clear();
    const r = await conn.queryAll("UPDATE orders SET status = 'closed' WHERE id = 1");
    assert.equal(r[0]!.rowsChanged, 1);
    assert.deepEqual(received(api), [
      ['GET /orders/1', undefined],
      ['PUT /orders/1', { name: 'order 1', status: 'closed', total: 99, customer: { name: 'c1', address: { city: 'city1', zip: '01000' } }, items: [{ sku: 's1', qty: 1 }] }],
    ]);
  });
});

test('UPDATE by key IN (...): each row read by its key (never the whole table) and PUT to its own URL, in order', async () => {
  await withApi({}, async (conn, api) => {
    api.orders.get(2)!.items.push({ sku: 'x2', qty: 7 });
    const r = await conn.queryAll("UPDATE orders SET total = total * 2 WHERE id IN (2, 1)");
    assert.equal(r[0]!.rowsChanged, 2);
    assert.deepEqual(
      api.received.filter((x) => x.method === 'GET').map((x) => x.path).sort(),
      ['/orders/1', '/orders/2'],
    );
    assert.deepEqual(
      api.writes().map((x) => [`${x.method} ${x.path}`, x.body]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['PUT /orders/1', { name: 'order 1', status: 'open', total: 20, customer: { name: 'c1', address: { city: 'city1', zip: '01000' } }, items: [{ sku: 's1', qty: 1 }] }],
        ['PUT /orders/2', { name: 'order 2', status: 'open', total: 40, customer: { name: 'c2', address: { city: 'city2', zip: '02000' } }, items: [{ sku: 's2', qty: 2 }, { sku: 'x2', qty: 7 }] }],
      ],
    );
  });
});

test('UPDATE with #sendOnlyUpdated and PATCH: only the SET columns (nested, items too), no read made', async () => {
  await withApi({ orders: PATCH }, async (conn, api) => {
    await conn.query("UPDATE orders SET status = 'p' WHERE id = 1");
    await conn.query("UPDATE orders SET status = 'q', customer_address_city = 'Rome' WHERE id IN (1, 3)");
    await conn.query(`UPDATE orders SET items = '[{"sku": "n", "qty": 9}]' WHERE id = 2`);
    assert.deepEqual(received(api), [
      ['PATCH /orders/1', { status: 'p' }],
      ['PATCH /orders/1', { status: 'q', customer: { address: { city: 'Rome' } } }],
      ['PATCH /orders/3', { status: 'q', customer: { address: { city: 'Rome' } } }],
      ['PATCH /orders/2', { items: [{ sku: 'n', qty: 9 }] }],
    ]);
    assert.equal(api.received.filter((x) => x.method === 'GET').length, 0);
  });
});

test('UPDATE with #sendOnlyUpdated: a WHERE that only starts like a key condition is not one (WRITE_NEEDS_KEY, nothing sent)', async () => {
  await withApi({ orders: PATCH }, async (conn, api) => {
    await assert.rejects(conn.query("UPDATE orders SET status = 'z' WHERE id = 2 OR TRUE"), failsWith('WRITE_NEEDS_KEY'));
    await assert.rejects(conn.query("UPDATE orders SET status = 'z' WHERE id = 1 = TRUE"), failsWith('WRITE_NEEDS_KEY'));
    // A parenthesized value is one expression: `id = (1 + 1)` is the key 2.
    await conn.query("UPDATE orders SET status = 'two' WHERE id = (1 + 1)");
    assert.deepEqual(received(api), [['PATCH /orders/2', { status: 'two' }]]);
  });
});

test('UPDATE SET from other columns reads the row first, then PATCHes the result', async () => {
  await withApi({ orders: PATCH }, async (conn, api) => {
    const r = await conn.queryAll("UPDATE orders SET total = total + 1, name = name || '!' WHERE id = 2");
    assert.equal(r[0]!.rowsChanged, 1);
    assert.deepEqual(received(api), [
      ['GET /orders/2', undefined],
      ['PATCH /orders/2', { name: 'order 2!', total: 21 }],
    ]);
  });
});

test('UPDATE SET of the key or a #readonly column is WRITE_READONLY_COLUMN; nothing is read or sent', async () => {
  await withApi({}, async (conn, api) => {
    await assert.rejects(conn.query("UPDATE orders SET id = 5 WHERE id = 1"), failsWith('WRITE_READONLY_COLUMN', /'id'/, /key/));
    await assert.rejects(conn.query("UPDATE orders SET status = 'x', created_at = now() WHERE id = 1"), failsWith('WRITE_READONLY_COLUMN', /'created_at'/, /#readonly/));
    await assert.rejects(conn.query("UPDATE orders SET nope = 1 WHERE id = 1"), failsWith('QUERY_UNKNOWN_COLUMN', /'nope'/));
    await assert.rejects(conn.query("UPDATE orders SET (name, status) = ('a', 'b') WHERE id = 1"), failsWith('WRITE_UNSUPPORTED'));
    assert.deepEqual(received(api), []);
  });
});

test('UPDATE without WHERE, or with a WHERE that does not give the key, is WRITE_NEEDS_KEY; nothing is read or sent', async () => {
  await withApi({}, async (conn, api) => {
    for (const sql of [
      "UPDATE orders SET status = 'z'",
      "UPDATE orders SET status = 'z' WHERE name = 'order 1'",
      "UPDATE orders SET status = 'z' WHERE id > 1",
      "UPDATE orders SET status = 'z' WHERE id = 1 OR name = 'order 2'",
      // `id = 3 IS NOT NULL` is `(id = 3) IS NOT NULL`: every row, not row 1 (3 IS NOT NULL cast to the key).
      "UPDATE orders SET status = 'z' WHERE id = 3 IS NOT NULL",
      "UPDATE orders SET status = 'z' WHERE id = 2 OR TRUE",
    ]) {
      await assert.rejects(conn.query(sql), failsWith('WRITE_NEEDS_KEY', /orders/, /nothing was sent/), sql);
    }
    assert.deepEqual(received(api), []);
    assert.deepEqual(
      [...api.orders.values()].map((o) => o.status),
      ['open', 'open', 'open'],
    );
  });
});

test('AllowFullTableWrites=1: the whole table is read and only the matching rows are written', async () => {
  await withApi({ options: 'AllowFullTableWrites=1' }, async (conn, api) => {
    const r = await conn.queryAll("UPDATE orders SET status = 'big' WHERE total >= 20");
    assert.equal(r[0]!.rowsChanged, 2);
    assert.ok(api.lines().includes('GET /orders'), api.lines().join(', '));
    assert.deepEqual(
      api.writes().map((x) => `${x.method} ${x.path} ${(x.body as { status: string }).status}`),
      ['PUT /orders/2 big', 'PUT /orders/3 big'],
    );
    api.clear();
    const d = await conn.queryAll('DELETE FROM orders WHERE id = 3 IS NOT NULL AND total < 30');
    assert.equal(d[0]!.rowsChanged, 2);
    assert.deepEqual(
      api.writes().map((x) => `${x.method} ${x.path}`),
      ['DELETE /orders/1', 'DELETE /orders/2'],
    );
    assert.deepEqual([...api.orders.keys()], [3]);
  });
});

test('UPDATE ... RETURNING: the rows as the API holds them after the write', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.queryAll("UPDATE orders AS o SET total = o.total + 0.5 WHERE o.id IN (1, 3) RETURNING o.id, o.total, o.customer_address_city");
    assert.equal(r[0]!.rowsChanged, 2);
    assert.deepEqual(
      [...r[0]!.rows].sort((a, b) => Number(a['id']) - Number(b['id'])),
      [
        { id: 1, total: 10.5, customer_address_city: 'city1' },
        { id: 3, total: 30.5, customer_address_city: 'city3' },
      ],
    );
    assert.deepEqual(
      api.writes().map((x) => `${x.method} ${x.path}`).sort(),
      ['PUT /orders/1', 'PUT /orders/3'],
    );
  });
});

test('UPDATE of a key that does not exist: the read finds no row (404 as no rows), nothing is sent, 0 rows', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.queryAll("UPDATE orders SET status = 'x' WHERE id = 999");
    assert.equal(r[0]!.rowsChanged, 0);
    assert.deepEqual(r[0]!.rows, [{ Count: 0 }]);
    assert.deepEqual(received(api), [['GET /orders/999', undefined]]);
  });
});

test('UPDATE and DELETE ending in a semicolon or a comment run like the same statement without it', async () => {
  await withApi({ options: 'AllowFullTableWrites=1' }, async (conn, api) => {
    await conn.query("UPDATE orders SET status = 'semi' WHERE id = 1;");
    await conn.query("UPDATE orders SET status = 'dash' WHERE id = 2 -- a note");
    await conn.query("UPDATE orders SET status = 'block' WHERE id = 3 /* a note */ ;\n");
    // Read first (a non-key WHERE), and by an array directive: a lost RETURNING would send empty keys.
    const r = await conn.queryAll("DELETE FROM tags WHERE color = '#f00' -- the red ones");
    assert.equal(r[0]!.rowsChanged, 1);
    assert.deepEqual(
      api.writes().map((x) => [`${x.method} ${x.path}`, (x.body as { status?: string } | undefined)?.status ?? x.body]),
      [
        ['PUT /orders/1', 'semi'],
        ['PUT /orders/2', 'dash'],
        ['PUT /orders/3', 'block'],
        ['POST /tags/delete', [{ tag: 'red' }]],
      ],
    );
  });
});

test('UPDATE and DELETE fill the URL template from the row: a string key percent-encoded', async () => {
  await withApi({ tables: notesTable }, async (conn, api) => {
    await conn.query("UPDATE notes SET text = 'new text' WHERE code = 'a b/c'");
    await conn.query("DELETE FROM notes WHERE code IN ('n1', 'a b/c')");
    assert.deepEqual(received(api), [
      ['GET /notes/a%20b%2Fc', undefined],
      ['PUT /notes/a%20b%2Fc', { text: 'new text' }],
      ['DELETE /notes/n1', undefined],
      ['DELETE /notes/a%20b%2Fc', undefined],
    ]);
    assert.equal(api.notes.size, 0);
  });
});

test('a write URL with a placeholder takes each row\'s value; a row without one is WRITE_NULL_KEY and nothing of the statement is sent', async () => {
  await withApi({ orders: (api) => ({ '#insert': `POST ${api.url}/orders?by={customer_name}&n={total} /result` }) }, async (conn, api) => {
    await conn.query("INSERT INTO orders (name, customer_name, total) VALUES ('a', 'Ada L/1', 1.5), ('b', 'Bo', 2)");
    assert.deepEqual(received(api), [
      ['POST /orders?by=Ada%20L%2F1&n=1.5', { name: 'a', customer: { name: 'Ada L/1' }, total: 1.5 }],
      ['POST /orders?by=Bo&n=2', { name: 'b', customer: { name: 'Bo' }, total: 2 }],
    ]);
    api.clear();
    await assert.rejects(conn.query("INSERT INTO orders (name, customer_name, total) VALUES ('c', 'Cy', 1), ('d', NULL, 2)"), failsWith('WRITE_NULL_KEY', /no value for 'customer_name'/, /#insert URL/));
    assert.deepEqual(received(api), []);
  });
});

// ---- DELETE

test('DELETE by key and by IN list: one request per key, no read, no body', async () => {
  await withApi({}, async (conn, api) => {
    const one = await conn.queryAll('DELETE FROM orders WHERE id = 2');
    const two = await conn.queryAll('DELETE FROM orders o WHERE o.id IN (3, 1, 3)');
    assert.equal(one[0]!.rowsChanged, 1);
    assert.equal(two[0]!.rowsChanged, 2);
    assert.deepEqual(received(api), [
      ['DELETE /orders/2', undefined],
      ['DELETE /orders/3', undefined],
      ['DELETE /orders/1', undefined],
    ]);
    assert.equal(api.orders.size, 0);
  });
});

test('DELETE with the key in the body when the #delete URL has no placeholder', async () => {
  await withApi({ orders: (api) => ({ '#delete': `DELETE ${api.url}/orders` }) }, async (conn, api) => {
    await conn.query('DELETE FROM orders WHERE id IN (1, 3)');
    assert.deepEqual(received(api), [
      ['DELETE /orders', { id: 1 }],
      ['DELETE /orders', { id: 3 }],
    ]);
    assert.deepEqual([...api.orders.keys()], [2]);
  });
});

test('DELETE through a [] directive: the keys of all rows in one array', async () => {
  await withApi({}, async (conn, api) => {
    await conn.query("INSERT INTO tags VALUES ('blue', '#00f'), ('green', '#0f0')");
    api.clear();
    const r = await conn.queryAll("DELETE FROM tags WHERE tag IN ('red', 'blue')");
    assert.equal(r[0]!.rowsChanged, 2);
    assert.deepEqual(received(api), [['POST /tags/delete', [{ tag: 'red' }, { tag: 'blue' }]]]);
    assert.deepEqual([...api.tags.keys()], ['green']);
  });
});

test('DELETE ... RETURNING reads the rows first and gives them as they were', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.queryAll('DELETE FROM orders WHERE id = 2 RETURNING id, name, customer_address_city AS city');
    assert.equal(r[0]!.rowsChanged, 1);
    assert.deepEqual(r[0]!.rows, [{ id: 2, name: 'order 2', city: 'city2' }]);
    assert.deepEqual(received(api), [
      ['GET /orders/2', undefined],
      ['DELETE /orders/2', undefined],
    ]);
  });
});

test('DELETE without the key is WRITE_NEEDS_KEY (nothing read or sent); so is RETURNING on a table not readable by key', async () => {
  await withApi({}, async (conn, api) => {
    await assert.rejects(conn.query("DELETE FROM orders WHERE status = 'open'"), failsWith('WRITE_NEEDS_KEY', /DELETE on orders/, /key id/));
    await assert.rejects(conn.query('DELETE FROM orders'), failsWith('WRITE_NEEDS_KEY'));
    // Not key conditions, though they start like one: `(id = 3) IS NOT NULL` and `(id = 2) OR TRUE` hold for every row.
    await assert.rejects(conn.query('DELETE FROM orders WHERE id = 3 IS NOT NULL'), failsWith('WRITE_NEEDS_KEY'));
    await assert.rejects(conn.query('DELETE FROM orders WHERE id = 2 OR TRUE'), failsWith('WRITE_NEEDS_KEY'));
    await assert.rejects(conn.query('DELETE FROM orders WHERE TRUE OR 1 = id'), failsWith('WRITE_NEEDS_KEY'));
    await assert.rejects(conn.query("DELETE FROM tags WHERE tag = 'red' RETURNING *"), failsWith('WRITE_NEEDS_KEY', /RETURNING/));
    assert.deepEqual(received(api), []);
  });
});

// ---- Failures

test('a multi-row INSERT whose row 2 the API refuses (422): row 1 written, row 2 failed with the API\'s message, row 3 never sent', async () => {
  await withApi({}, async (conn, api) => {
    await assert.rejects(conn.query("INSERT INTO orders (name) VALUES ('ok'), ('reject'), ('never')"), (e: unknown) => {
      failsWith('WRITE_REJECTED', /stopped at row 2 of 3/, /1 row\(s\) before it were written/, /1 after it were not sent/, /name "reject" is not allowed/)(e);
      const d = (e as { details: Record<string, unknown> }).details;
      assert.equal(d['rowsWritten'], 1);
      assert.equal(d['failedRow'], 2);
      assert.equal(d['status'], 422);
      assert.equal((e as { sqlState?: string }).sqlState ?? '23514', '23514');
      return true;
    });
    assert.deepEqual(received(api), [
      ['POST /orders', { name: 'ok' }],
      ['POST /orders', { name: 'reject' }],
    ]);
    // Nothing changed only locally: a SELECT shows what the API holds.
    api.clear();
    const names = await conn.query('SELECT name FROM orders ORDER BY id');
    assert.deepEqual(names.rows.map((r) => r['name']), ['order 1', 'order 2', 'order 3', 'ok']);
    assert.deepEqual(api.lines(), ['GET /orders']);
  });
});

test('409 is WRITE_CONFLICT; a refused UPDATE leaves the API\'s row, and SELECT shows it', async () => {
  await withApi({}, async (conn, api) => {
    await assert.rejects(conn.query("INSERT INTO orders (name) VALUES ('fine'), ('conflict'), ('never')"), failsWith('WRITE_CONFLICT', /row 2 of 3/, /an order with that name exists/));
    assert.deepEqual(
      api.writes().map((r) => (r.body as { name: string }).name),
      ['fine', 'conflict'],
    );
    await assert.rejects(conn.query("UPDATE orders SET name = 'reject' WHERE id = 1"), failsWith('WRITE_REJECTED', /row 1 of 1/, /0 row\(s\) before it were written/));
    const r = await conn.query('SELECT name FROM orders WHERE id = 1');
    assert.deepEqual(r.rows, [{ name: 'order 1' }]);
  });
});

test('#http rules on writes: a rule scoped to DELETE turns 404 into 0 rows; an unscoped 400 ZERO_ROWS does not swallow an INSERT\'s 400', async () => {
  const rules = { '#http': [{ '#code': 404, '#action': 'ZERO_ROWS', '#operation': 'DELETE' }, { '#code': 400, '#action': 'ZERO_ROWS' }] };
  await withApi({ orders: rules }, async (conn, api) => {
    const r = await conn.queryAll('DELETE FROM orders WHERE id IN (999, 1)');
    assert.equal(r[0]!.rowsChanged, 1);
    assert.deepEqual(api.lines(), ['DELETE /orders/999', 'DELETE /orders/1']);
    api.clear();
    await assert.rejects(conn.query("INSERT INTO orders (name) VALUES ('bad')"), (e: unknown) => {
      failsWith('WRITE_REJECTED', /name "bad" is malformed/, /0 row\(s\) before it were written/)(e);
      assert.match((e as { hint: string }).hint, /no entry for 400 that applies to an INSERT/);
      return true;
    });
    assert.deepEqual(api.lines(), ['POST /orders']);
  });
  // Without #http the documented defaults hold: 400 and 404 are ZERO_ROWS for reads, 404 for DELETE too.
  await withApi({}, async (conn, api) => {
    await assert.rejects(conn.query("INSERT INTO orders (name) VALUES ('bad')"), failsWith('WRITE_REJECTED'));
    const r = await conn.queryAll('DELETE FROM orders WHERE id = 999');
    assert.equal(r[0]!.rowsChanged, 0);
    assert.deepEqual(api.lines(), ['POST /orders', 'DELETE /orders/999']);
  });
});

test('a POST answered 503 is sent exactly once (the API may have applied it): WRITE_FAILED naming the rule that would retry it', async () => {
  await withApi({}, async (conn, api) => {
    await assert.rejects(conn.query("INSERT INTO orders (name) VALUES ('first'), ('unavailable'), ('third')"), (e: unknown) => {
      failsWith('WRITE_FAILED', /row 2 of 3/, /1 row\(s\) before it were written/, /answered 503/)(e);
      assert.match((e as { hint: string }).hint, /"#operation": "INSERT"/);
      return true;
    });
    assert.deepEqual(api.lines(), ['POST /orders', 'POST /orders']);
  });
});

// ---- Refused before anything is sent

test('writes the model file does not enable: WRITE_NOT_ENABLED naming the directive; child tables are written through the parent', async () => {
  await withApi({ orders: { '#insert': undefined } }, async (conn, api) => {
    await assert.rejects(conn.query("INSERT INTO orders (name) VALUES ('x')"), (e: unknown) => {
      failsWith('WRITE_NOT_ENABLED', /INSERT on orders/, /no #insert/, /nothing was sent/)(e);
      assert.match((e as { hint: string }).hint, /"#insert": "POST /);
      return true;
    });
    await assert.rejects(conn.query("UPDATE tags SET color = 'x' WHERE tag = 'red'"), failsWith('WRITE_NOT_ENABLED', /no #update/));
    await assert.rejects(conn.query("INSERT INTO items (orders_id, position, sku, qty) VALUES (1, 1, 'x', 1)"), (e: unknown) => {
      failsWith('WRITE_NOT_ENABLED', /items: it is a child table/)(e);
      assert.match((e as { hint: string }).hint, /UPDATE orders SET items/);
      return true;
    });
    await assert.rejects(conn.query('DELETE FROM items WHERE orders_id = 1'), failsWith('WRITE_NOT_ENABLED', /child table/));
    assert.deepEqual(received(api), []);
  });
});

test('forms restsql cannot send to an API table are WRITE_UNSUPPORTED; nothing is sent', async () => {
  await withApi({}, async (conn, api) => {
    for (const sql of [
      "INSERT INTO orders (id, name) VALUES (1, 'x') ON CONFLICT DO NOTHING",
      "INSERT OR REPLACE INTO orders (name) VALUES ('x')",
      'TRUNCATE orders',
      "WITH q AS (SELECT 'x' AS n) INSERT INTO orders (name) SELECT n FROM q",
      'MERGE INTO orders USING tags ON false WHEN NOT MATCHED THEN INSERT VALUES (1)',
    ]) {
      await assert.rejects(conn.query(sql), failsWith('WRITE_UNSUPPORTED', /orders/), sql);
    }
    assert.deepEqual(received(api), []);
  });
});

test('writes to the user\'s own TEMP tables are DuckDB\'s, as before (transactions included); reading API tables into them sends no write', async () => {
  await withApi({}, async (conn, api) => {
    await conn.query('CREATE TEMP TABLE mine AS SELECT id, name FROM orders WHERE id IN (1, 2)');
    await conn.query("INSERT INTO mine VALUES (9, 'nine')");
    await conn.query("UPDATE mine SET name = upper(name) WHERE id = 1");
    await conn.query('DELETE FROM mine WHERE id = 2');
    await conn.queryAll("BEGIN; INSERT INTO mine VALUES (10, 'ten'); ROLLBACK");
    await conn.query('INSERT INTO mine SELECT id, name FROM orders WHERE id = 3');
    const r = await conn.query('SELECT id, name FROM mine ORDER BY id');
    assert.deepEqual(r.rows, [
      { id: 1, name: 'ORDER 1' },
      { id: 3, name: 'order 3' },
      { id: 9, name: 'nine' },
    ]);
    assert.deepEqual(api.writes(), []);
  });
});

// ---- Transactions

test('inside BEGIN a write to an API table is WRITE_IN_TRANSACTION (nothing sent); TransactionMode=Ignore sends it at once and ROLLBACK does not undo it', async () => {
  await withApi({}, async (conn, api) => {
    await conn.query('BEGIN');
    await assert.rejects(conn.query("INSERT INTO orders (name) VALUES ('t')"), failsWith('WRITE_IN_TRANSACTION', /inside a transaction/, /nothing was sent/));
    await conn.query('ROLLBACK');
    await assert.rejects(conn.queryAll("BEGIN; DELETE FROM orders WHERE id = 1; COMMIT"), failsWith('WRITE_IN_TRANSACTION'));
    await conn.query('ROLLBACK').catch(() => undefined);
    assert.deepEqual(api.writes(), []);
  });
  await withApi({ options: 'TransactionMode=Ignore' }, async (conn, api) => {
    await conn.query('BEGIN');
    const r = await conn.queryAll("INSERT INTO orders (name) VALUES ('t') RETURNING id");
    assert.deepEqual(r[0]!.rows, [{ id: 100 }]);
    assert.deepEqual(api.lines(), ['POST /orders']);
    await conn.query('DELETE FROM orders WHERE id = 1');
    await conn.query('ROLLBACK');
    assert.ok(api.lines().includes('DELETE /orders/1'), api.lines().join(', '));
    const names = await conn.query('SELECT id FROM orders ORDER BY id');
    assert.deepEqual(names.rows.map((x) => x['id']), [2, 3, 100]);
  });
});

// ---- The cache after a write

test('after a write the table\'s cached rows are dropped: the next SELECT fetches again and shows the change', async () => {
  await withApi({}, async (conn, api) => {
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM orders')).rows, [{ n: 3 }]);
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM orders')).rows, [{ n: 3 }]);
    assert.deepEqual(api.lines(), ['GET /orders'], 'the second SELECT is answered from the cache');
    await conn.query("INSERT INTO orders (name) VALUES ('n')");
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM orders')).rows, [{ n: 4 }]);
    await conn.query("UPDATE orders SET status = 'done' WHERE id = 100");
    const after = await conn.query('SELECT id, status FROM orders WHERE id >= 3 ORDER BY id');
    assert.deepEqual(after.rows, [
      { id: 3, status: 'open' },
      { id: 100, status: 'done' },
    ]);
    assert.deepEqual(api.lines(), ['GET /orders', 'POST /orders', 'GET /orders', 'GET /orders/100', 'PUT /orders/100', 'GET /orders']);
  });
});

// ---- Scripts and the other entry points

test('a script "INSERT ...; SELECT ..." runs both in order: the SELECT sees the row', async () => {
  await withApi({}, async (conn, api) => {
    const r = await conn.queryAll("INSERT INTO orders (name) VALUES ('s1'); SELECT name FROM orders WHERE id = 100; DELETE FROM orders WHERE id = 100; SELECT count(*)::INTEGER AS n FROM orders");
    assert.deepEqual(
      r.map((x) => x.rows),
      [[{ Count: 1 }], [{ name: 's1' }], [{ Count: 1 }], [{ n: 3 }]],
    );
    assert.deepEqual(api.lines(), ['POST /orders', 'GET /orders/100', 'DELETE /orders/100', 'GET /orders']);
  });
});

test('a write to an API table followed by another statement in one text with parameters is WRITE_UNSUPPORTED: nothing sent, nothing else run', async () => {
  await withApi({}, async (conn, api) => {
    await conn.query('CREATE TEMP TABLE mine AS SELECT * FROM tags');
    api.clear();
    // Once, the second statement ran against the scratch copy's RETURNING, and the rows it returned (mine's) were POSTed.
    await assert.rejects(conn.queryAll('INSERT INTO tags VALUES ($1, $2); DELETE FROM mine', ['a', 'b']), failsWith('WRITE_UNSUPPORTED', /followed by another statement/));
    await assert.rejects(conn.queryAll('DELETE FROM orders WHERE id = $1; SELECT 1', [2]), failsWith('WRITE_UNSUPPORTED', /followed by another statement/));
    await assert.rejects(async () => {
      for await (const b of conn.stream("UPDATE orders SET status = 'x' WHERE id = 1; DELETE FROM orders WHERE id = 2")) void b;
    }, failsWith('WRITE_UNSUPPORTED'));
    assert.deepEqual(received(api), []);
    assert.deepEqual((await conn.query('SELECT tag FROM mine')).rows, [{ tag: 'red' }]);
    // A trailing semicolon is not another statement.
    await conn.query('DELETE FROM orders WHERE id = $1;', [2]);
    assert.deepEqual(api.lines(), ['DELETE /orders/2']);
  });
});

test('stream(), open() and describe() write the same way; describe sends and reads nothing', async () => {
  await withApi({}, async (conn, api) => {
    const shape = await conn.describe("INSERT INTO orders (name, total) VALUES ($1, $2) RETURNING id, name");
    assert.deepEqual(shape.columns.map((c) => c.name), ['id', 'name']);
    assert.equal(shape.params.length, 2);
    const del = await conn.describe('DELETE FROM orders WHERE id = $1');
    assert.deepEqual(del.columns, []);
    assert.deepEqual(api.received, []);

    const batches = [];
    for await (const b of conn.stream("INSERT INTO orders (name) VALUES ('st') RETURNING id, name")) batches.push(...b.rows);
    assert.deepEqual(batches, [{ id: 100, name: 'st' }]);
    const o = await conn.open("UPDATE orders SET status = 'o' WHERE id = 2");
    assert.equal(o.rowsChanged, 1);
    assert.equal(await o.next(), undefined);
    assert.deepEqual(api.writes().map((x) => `${x.method} ${x.path}`), ['POST /orders', 'PUT /orders/2']);
  });
});

test('a whole-record UPDATE of a table with a composite key reads each parent\'s child rows by its own key, never the whole table', async () => {
  const runs = new Map([
    ['r1/1', { report: 'r1', run: 1, state: 'done', steps: [{ name: 'a' }] }],
    ['r1/2', { report: 'r1', run: 2, state: 'done', steps: [{ name: 'b' }, { name: 'c' }] }],
    ['r2/1', { report: 'r2', run: 1, state: 'done', steps: [] as { name: string }[] }],
  ]);
  const seen: string[] = [];
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
      const m = /^\/runs\/([^/]+)\/([^/]+)$/.exec(req.url ?? '');
      const key = m ? `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}` : '';
      if (req.method === 'GET' && req.url === '/runs') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([...runs.values()]));
      if (req.method === 'GET' && runs.has(key)) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(runs.get(key)));
      if (req.method === 'PUT' && runs.has(key)) return void res.writeHead(204).end();
      res.writeHead(404).end();
    });
  });
  try {
    const file = join(tempDir({ after }), 'runs.rest');
    writeFileSync(file, JSON.stringify({
      runs: {
        '#path': [`${server.url}/runs/{report}/{run}`, `${server.url}/runs`],
        '#update': `PUT ${server.url}/runs/{report}/{run}`,
        report: 'VarChar(8),#key', run: 'Integer,#key', state: 'VarChar(8)',
        'steps[]': { name: 'VarChar(8)' },
      },
    }));
    const conn = await connect(`RestConfigFile=${file}`);
    try {
      const r = await conn.query("UPDATE runs SET state = 'again' WHERE report = 'r1' AND run IN (1, 2)");
      assert.deepEqual(r.rows, [{ Count: 2 }]);
    } finally {
      await conn.close();
    }
    assert.ok(!seen.includes('GET /runs'), `the whole table was read: ${seen.join(' | ')}`);
    assert.deepEqual(seen.filter((s) => s.startsWith('PUT')).sort(), [
      'PUT /runs/r1/1 {"state":"again","steps":[{"name":"a"}]}',
      'PUT /runs/r1/2 {"state":"again","steps":[{"name":"b"},{"name":"c"}]}',
    ]);
  } finally {
    await server.close();
  }
});

test('review: the rows sent are the rows the SQL means (negative parameters, non-integer key values, subqueries in SET, volatile SET per row, malformed statements)', async () => {
  await withApi({}, async (conn, api) => {
    // `1-$1` with -2 is 3, not `1--2` (a comment) and row 1.
    await conn.queryAll('DELETE FROM orders WHERE id = 1-$1', [-2]);
    assert.deepEqual(api.lines(), ['DELETE /orders/3']);
    api.clear();
    // 1.7 is no INTEGER key: nothing matches, nothing is sent (a cast would have rounded it to 2).
    assert.equal((await conn.queryAll('DELETE FROM orders WHERE id = 1.7'))[0]!.rowsChanged, 0);
    assert.deepEqual((await conn.queryAll('DELETE FROM orders WHERE id IN (1, 2.5)'))[0]!.rowsChanged, 1);
    assert.deepEqual(api.lines(), ['DELETE /orders/1']);
    api.clear();
    // A subquery in SET reads the whole table it names, not the row fetched for the WHERE.
    await conn.query('UPDATE orders SET total = (SELECT max(total) FROM orders) WHERE id = 2');
    const put = api.writes().find((r) => r.path === '/orders/2');
    assert.equal((put?.body as { total: number }).total, 20, 'orders 1 and 3 are deleted: the largest total left is order 2\'s own 20');
    api.clear();
    // A malformed statement is DuckDB's syntax error, and nothing is sent.
    await assert.rejects(conn.query('DELETE FROM orders o o2 WHERE id = 2'), (e: unknown) => isRestSqlError(e));
    await assert.rejects(conn.query('INSERT INTO orders (name) VALUES ($1) RETURNING idd', ['typo']), (e: unknown) => isRestSqlError(e) && e.code === 'QUERY_UNKNOWN_COLUMN');
    assert.deepEqual(api.writes(), [], 'nothing was sent for a malformed statement or a RETURNING that cannot run');
  });
  await withApi({ orders: PATCH }, async (conn, api) => {
    await conn.query('UPDATE orders SET name = CAST(gen_random_uuid() AS VARCHAR) WHERE id IN (1, 2)');
    const names = api.writes().map((r) => (r.body as { name: string }).name);
    assert.equal(names.length, 2);
    assert.notEqual(names[0], names[1], 'a volatile SET is evaluated per row');
  });
});

test('review: a key of "." or ".." is refused (it would move the request to another path); a view named with "" still holds pushdown', async () => {
  await withApi({ tables: notesTable }, async (conn, api) => {
    for (const code of ['.', '..']) {
      await assert.rejects(conn.queryAll('DELETE FROM notes WHERE code = $1', [code]), (e: unknown) => isRestSqlError(e) && e.code === 'WRITE_UNSUPPORTED');
    }
    assert.deepEqual(api.writes(), []);
    await conn.query('CREATE TEMP VIEW "a""b" AS SELECT * FROM orders');
    const r = await conn.query('SELECT (SELECT count(*)::INTEGER FROM "a""b") AS n, id FROM orders WHERE id = 1');
    assert.deepEqual(r.rows, [{ n: 3, id: 1 }]);
  });
});

test('review: a READ ONLY caller (open with readOnly) cannot CALL a procedure that writes, even behind a comment', async () => {
  await withApi({}, async (conn, api) => {
    await conn.query('CREATE PROCEDURE delo(IN i INTEGER) MODIFIES SQL DATA BEGIN ATOMIC DELETE FROM orders WHERE id = i; END');
    await assert.rejects(conn.open('/* c */ CALL delo(1)', undefined, { readOnly: true }), (e: unknown) => isRestSqlError(e) && e.code === 'READ_ONLY');
    await assert.rejects(conn.open('{call delo(2)}', undefined, { readOnly: true }), (e: unknown) => isRestSqlError(e) && e.code === 'READ_ONLY');
    assert.deepEqual(api.writes(), []);
  });
});

test('review: a READ ONLY caller cannot change DuckDB state directly or through EXPLAIN ANALYZE (which runs its statement); SELECT and plain EXPLAIN run', async () => {
  await withApi({}, async (conn) => {
    for (const sql of [
      'CREATE TEMP TABLE t AS SELECT 42 AS x',
      'explain analyze create temp table t as select 42 as x',
      'EXPLAIN (ANALYZE, FORMAT json) CREATE TEMP TABLE t AS SELECT 42 AS x',
      "EXPLAIN ANALYSE CREATE MACRO lower(x) AS 'pwned'",
      '/* c */ EXPLAIN ANALYZE CREATE SEQUENCE s',
      // DuckDB drops empty statements: still one EXPLAIN ANALYZE.
      ";EXPLAIN ANALYZE CREATE OR REPLACE MACRO lower(x) AS 'pwned'",
      ';; EXPLAIN ANALYZE CREATE TEMP TABLE t AS SELECT 42 AS x',
      // Samples the API again and drops every session's cached tables.
      'REFRESH MAP',
    ]) {
      await assert.rejects(conn.open(sql, undefined, { readOnly: true }), (e: unknown) => isRestSqlError(e) && e.code === 'READ_ONLY' && /read-only transaction/.test(e.message), sql);
    }
    const left = await conn.query("select count(*)::INTEGER as n from duckdb_tables() where table_name = 't'");
    assert.deepEqual(left.rows, [{ n: 0 }]);
    assert.deepEqual((await conn.query("select lower('ABC') as l")).rows, [{ l: 'abc' }]);
    for (const sql of ['select 1 as a', 'explain select 1', 'explain analyze select 1']) {
      const open = await conn.open(sql, undefined, { readOnly: true });
      assert.ok(await open.next(), sql);
    }
    // A caller that may write still can.
    await (await conn.open('CREATE TEMP TABLE t AS SELECT 42 AS x')).next();
    assert.deepEqual((await conn.query('select x from t')).rows, [{ x: 42 }]);
  });
});
