/**
 * Writes through the real CLI (`restsql query`) against a loopback API that records every
 * request (test/support/write-api.ts): what the API received for INSERT, UPDATE and DELETE, what
 * the CLI printed, and for failures the stable error code on stderr (`restsql: error[CODE]`) and
 * the exit status (1 for statements and the API's refusals, 3 for a refused authorization), with
 * nothing sent when the statement is refused before. Scripts run statement by statement.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, type CliResult } from '../support/cli.js';
import { startWriteApi, writeModel, type WriteApi } from '../support/write-api.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir(after, 'restsql-writes-cli-');
let files = 0;

/** A fresh API, and a function running the CLI on it with the write model (plus `orders` entries and connection options). */
async function withApi(
  fn: (run: (sql: string, opts?: { format?: string; options?: string; stdin?: boolean }) => Promise<CliResult>, api: WriteApi) => Promise<void>,
  orders: (api: WriteApi) => Record<string, unknown> = () => ({}),
): Promise<void> {
  const api = await startWriteApi();
  try {
    const file = join(dir, `m${++files}.rest`);
    writeFileSync(file, writeModel(api, orders(api)));
    const run = (sql: string, opts: { format?: string; options?: string; stdin?: boolean } = {}): Promise<CliResult> => {
      const args = ['query', '-q', '-c', `RestConfigFile=${file}${opts.options ? `;${opts.options}` : ''}`, '--format', opts.format ?? 'json'];
      return opts.stdin ? runCli(args, { stdin: sql }) : runCli([...args, sql]);
    };
    await fn(run, api);
  } finally {
    await api.close();
  }
}

/** A successful run's JSON rows. */
function rows(r: CliResult): unknown {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

/** A failed run: exit `status`, `restsql: error[code]` and each of `mentions` on stderr, nothing on stdout. */
function failed(r: CliResult, status: number, code: string, ...mentions: RegExp[]): void {
  assert.equal(r.code, status, r.stderr);
  assert.match(r.stderr, new RegExp(`^restsql: error\\[${code}\\]: `));
  assert.match(r.stderr, /\nhint: \S/);
  for (const m of mentions) assert.match(r.stderr, m);
  assert.equal(r.stdout, '');
}

test('INSERT: nested columns and child rows become one JSON record, POSTed once; RETURNING prints the server-assigned id', async () => {
  await withApi(async (run, api) => {
    const r = await run(`INSERT INTO orders (name, customer_address_city, items) VALUES ('x', 'Paris', '[{"sku": "a", "qty": 2}]') RETURNING id, name, customer_address_city`);
    assert.deepEqual(rows(r), [{ id: 100, name: 'x', customer_address_city: 'Paris' }]);
    assert.deepEqual(
      api.received.map((x) => [`${x.method} ${x.path}`, x.body]),
      [['POST /orders', { name: 'x', customer: { address: { city: 'Paris' } }, items: [{ sku: 'a', qty: 2 }] }]],
    );
    api.clear();
    const plain = await run("INSERT INTO orders (name, total) VALUES ('y', 1), ('z', 2)", { format: 'csv' });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Count\r?\n2\r?\n$/);
    assert.deepEqual(
      api.received.map((x) => [`${x.method} ${x.path}`, x.body]),
      [
        ['POST /orders', { name: 'y', total: 1 }],
        ['POST /orders', { name: 'z', total: 2 }],
      ],
    );
  });
});

test('UPDATE: the row read fresh, the whole record PUT; with #sendOnlyUpdated a PATCH of the SET columns and no read', async () => {
  await withApi(async (run, api) => {
    const r = await run("UPDATE orders SET status = 'closed', total = total + 1 WHERE id = 2", { format: 'table' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Count[\s\S]*\b1\b/);
    assert.deepEqual(
      api.received.map((x) => [`${x.method} ${x.path}`, x.body]),
      [
        ['GET /orders/2', undefined],
        ['PUT /orders/2', { name: 'order 2', status: 'closed', total: 21, customer: { name: 'c2', address: { city: 'city2', zip: '02000' } }, items: [{ sku: 's2', qty: 2 }] }],
      ],
    );
  });
  await withApi(
    async (run, api) => {
      assert.deepEqual(rows(await run("UPDATE orders SET status = 'p' WHERE id IN (1, 3)")), [{ Count: 2 }]);
      assert.deepEqual(
        api.received.map((x) => [`${x.method} ${x.path}`, x.body]),
        [
          ['PATCH /orders/1', { status: 'p' }],
          ['PATCH /orders/3', { status: 'p' }],
        ],
      );
    },
    (api) => ({ '#update': `PATCH ${api.url}/orders/{id}`, '#sendOnlyUpdated': true }),
  );
});

test('DELETE: by key and IN list (a request each, no body), through a [] directive (one array of keys), with RETURNING', async () => {
  await withApi(async (run, api) => {
    assert.deepEqual(rows(await run('DELETE FROM orders WHERE id IN (1, 2)')), [{ Count: 2 }]);
    assert.deepEqual(rows(await run("DELETE FROM tags WHERE tag IN ('red', 'blue')")), [{ Count: 2 }]);
    assert.deepEqual(rows(await run('DELETE FROM orders WHERE id = 3 RETURNING id, name')), [{ id: 3, name: 'order 3' }]);
    assert.deepEqual(
      api.received.map((x) => [`${x.method} ${x.path}`, x.body]),
      [
        ['DELETE /orders/1', undefined],
        ['DELETE /orders/2', undefined],
        ['POST /tags/delete', [{ tag: 'red' }, { tag: 'blue' }]],
        ['GET /orders/3', undefined],
        ['DELETE /orders/3', undefined],
      ],
    );
    assert.equal(api.orders.size, 0);
  });
});

test('a script "INSERT ...; SELECT ..." runs both in order: the SELECT fetches again and shows the row', async () => {
  await withApi(async (run, api) => {
    const r = await run("SELECT count(*)::INTEGER AS n FROM orders; INSERT INTO orders (name) VALUES ('s'); SELECT id, name FROM orders WHERE id >= 3 ORDER BY id;", { format: 'csv', stdin: true });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split(/\r?\n/), ['n', '3', 'Count', '1', 'id,name', '3,order 3', '100,s']);
    assert.deepEqual(api.lines(), ['GET /orders', 'POST /orders', 'GET /orders']);
  });
});

test('a script stops at a write the API refuses: the statements after it are not run', async () => {
  await withApi(async (run, api) => {
    const r = await run("INSERT INTO orders (name) VALUES ('one'); INSERT INTO orders (name) VALUES ('reject'); INSERT INTO orders (name) VALUES ('never'); SELECT 1", { stdin: true });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error\[WRITE_REJECTED\]/);
    assert.deepEqual(
      api.received.map((x) => (x.body as { name: string }).name),
      ['one', 'reject'],
    );
  });
});

test('the API refusing row 2 of 3: exit 1 with WRITE_REJECTED (422) or WRITE_CONFLICT (409), row 1 written, row 3 never sent', async () => {
  await withApi(async (run, api) => {
    failed(await run("INSERT INTO orders (name) VALUES ('ok'), ('reject'), ('never')"), 1, 'WRITE_REJECTED', /stopped at row 2 of 3/, /1 row\(s\) before it were written, 1 after it were not sent/, /answered 422: name "reject" is not allowed/);
    failed(await run("INSERT INTO orders (name) VALUES ('fine'), ('conflict'), ('never')"), 1, 'WRITE_CONFLICT', /row 2 of 3/, /an order with that name exists/);
    assert.deepEqual(
      api.writes().map((x) => (x.body as { name: string }).name),
      ['ok', 'reject', 'fine', 'conflict'],
    );
    // Nothing changed only locally: a new run shows the API's rows.
    api.clear();
    const names = rows(await run('SELECT name FROM orders WHERE id >= 100 ORDER BY id'));
    assert.deepEqual(names, [{ name: 'ok' }, { name: 'fine' }]);
  });
});

test('a POST answered 503 is sent once (WRITE_FAILED, exit 1); a 403 is AUTH_FAILED (exit 3)', async () => {
  await withApi(async (run, api) => {
    failed(await run("INSERT INTO orders (name) VALUES ('unavailable')"), 1, 'WRITE_FAILED', /answered 503/, /"#operation": "INSERT"/);
    assert.deepEqual(api.lines(), ['POST /orders']);
    api.clear();
    failed(await run("INSERT INTO orders (name) VALUES ('forbidden')"), 3, 'AUTH_FAILED', /answered 403/, /0 row\(s\) before it were written/);
    assert.deepEqual(api.lines(), ['POST /orders']);
  });
});

test('#http rules on writes: a 404 rule scoped to DELETE gives 0 rows; an unscoped 400 ZERO_ROWS does not swallow an INSERT\'s 400', async () => {
  await withApi(
    async (run, api) => {
      assert.deepEqual(rows(await run('DELETE FROM orders WHERE id = 999')), [{ Count: 0 }]);
      failed(await run("INSERT INTO orders (name) VALUES ('bad')"), 1, 'WRITE_REJECTED', /name "bad" is malformed/, /no entry for 400 that applies to an INSERT/);
      assert.deepEqual(api.lines(), ['DELETE /orders/999', 'POST /orders']);
    },
    () => ({ '#http': [{ '#code': 404, '#action': 'ZERO_ROWS', '#operation': 'DELETE' }, { '#code': 400, '#action': 'ZERO_ROWS' }] }),
  );
});

test('statements refused before anything is sent: exit 1 with their stable codes, the API received nothing', async () => {
  await withApi(async (run, api) => {
    const cases: [string, string, RegExp][] = [
      ["DELETE FROM orders WHERE status = 'open'", 'WRITE_NEEDS_KEY', /AllowFullTableWrites=1/],
      ["UPDATE orders SET status = 'x'", 'WRITE_NEEDS_KEY', /nothing was sent/],
      ["INSERT INTO orders (name, created_at) VALUES ('x', now())", 'WRITE_READONLY_COLUMN', /created_at/],
      ['UPDATE orders SET id = 9 WHERE id = 1', 'WRITE_READONLY_COLUMN', /'id'/],
      ["INSERT INTO items (orders_id, sku) VALUES (1, 'x')", 'WRITE_NOT_ENABLED', /child table/],
      ["UPDATE tags SET color = 'x' WHERE tag = 'red'", 'WRITE_NOT_ENABLED', /no #update/],
      ['TRUNCATE orders', 'WRITE_UNSUPPORTED', /TRUNCATE/],
      ["INSERT INTO orders (id, name) VALUES (1, 'x') ON CONFLICT DO NOTHING", 'WRITE_UNSUPPORTED', /ON CONFLICT/],
      ["WITH q AS (SELECT 'x' AS n) INSERT INTO orders (name) SELECT n FROM q", 'WRITE_UNSUPPORTED', /WITH/],
      ["BEGIN; INSERT INTO orders (name) VALUES ('t'); COMMIT", 'WRITE_IN_TRANSACTION', /TransactionMode=Ignore/],
    ];
    for (const [sql, code, mention] of cases) failed(await run(sql), 1, code, mention);
    assert.deepEqual(api.received, []);
  });
});

test('connection options: AllowFullTableWrites=1 writes only the matching rows, WriteBatchSize splits [] batches, TransactionMode=Ignore sends inside BEGIN', async () => {
  await withApi(async (run, api) => {
    assert.deepEqual(rows(await run("DELETE FROM orders WHERE total > 15", { options: 'AllowFullTableWrites=1' })), [{ Count: 2 }]);
    assert.deepEqual(api.lines(), ['GET /orders', 'DELETE /orders/2', 'DELETE /orders/3']);
    api.clear();
    assert.deepEqual(rows(await run("INSERT INTO tags VALUES ('a', '1'), ('b', '2'), ('c', '3'), ('d', '4'), ('e', '5')", { options: 'WriteBatchSize=2' })), [{ Count: 5 }]);
    assert.deepEqual(
      api.received.map((x) => [`${x.method} ${x.path}`, (x.body as { tag: string }[]).map((t) => t.tag)]),
      [
        ['POST /tags', ['a', 'b']],
        ['POST /tags', ['c', 'd']],
        ['POST /tags', ['e']],
      ],
    );
    api.clear();
    const r = await run("BEGIN; INSERT INTO orders (name) VALUES ('in tx'); ROLLBACK; SELECT name FROM orders WHERE id = 100", { options: 'TransactionMode=Ignore', format: 'csv' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /name\r?\nin tx/);
    assert.deepEqual(api.lines(), ['POST /orders', 'GET /orders/100']);
  });
});

test('writes to the user\'s own TEMP tables are DuckDB\'s, as before: nothing is sent', async () => {
  await withApi(async (run, api) => {
    const r = await run("CREATE TEMP TABLE mine AS SELECT id, name FROM orders WHERE id = 1; INSERT INTO mine VALUES (5, 'five'); UPDATE mine SET name = upper(name); DELETE FROM mine WHERE id = 1; SELECT * FROM mine", { format: 'csv', stdin: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /id,name\r?\n5,FIVE\r?\n$/);
    assert.deepEqual(api.writes(), []);
    assert.equal(api.received.length, 1, api.lines().join(', '));
  });
});
