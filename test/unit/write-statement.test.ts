/**
 * The reader of write statements (src/engine/write/write-statement.ts), table-driven: which
 * statements are writes to an API table, the parts it cuts out of them (target, alias, column
 * list, source, SET, FROM/USING, WHERE, RETURNING) as text spans, the forms it refuses with their
 * codes and positions, and the WHERE helpers (conjuncts, keyCondition) that find the key values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestSqlError } from '../../src/errors/index.js';
import { conjuncts, keyCondition, readWriteStatement, writeVerb, type Span, type WriteStatement } from '../../src/engine/write/write-statement.js';

const API = new Set(['orders', 'tags', 'my orders']);
const isApi = (name: string): boolean => API.has(name);
const text = (sql: string, s: Span | undefined): string | undefined => (s === undefined ? undefined : sql.slice(s.start, s.end));
const read = (sql: string): WriteStatement => {
  const w = readWriteStatement(sql, isApi);
  assert.ok(w, `a write to an API table: ${sql}`);
  return w;
};

test('writeVerb: the first word past parentheses and comments, for write verbs only', () => {
  const cases: [string, string | undefined][] = [
    ['INSERT INTO t VALUES (1)', 'insert'],
    ['  update t set a = 1', 'update'],
    ['-- a comment\nDELETE FROM t', 'delete'],
    ['/* block /* nested */ */ MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', 'merge'],
    ['TRUNCATE t', 'truncate'],
    ['WITH q AS (SELECT 1) INSERT INTO t SELECT * FROM q', 'with'],
    ['((INSERT INTO t VALUES (1)))', 'insert'],
    ['INSERT OR REPLACE INTO t VALUES (1)', 'insert'],
    ['UPSERT INTO t VALUES (1)', 'upsert'],
    ['REPLACE INTO t VALUES (1)', 'replace'],
    ['SELECT 1', undefined],
    ["SELECT 'INSERT INTO t VALUES (1)'", undefined],
    ['"insert" ', undefined],
    ['', undefined],
  ];
  for (const [sql, verb] of cases) assert.equal(writeVerb(sql), verb, sql);
});

test('statements that are not writes to an API table are left to DuckDB (undefined)', () => {
  for (const sql of [
    // The first statement decides: DuckDB answers a text of several statements as before.
    'INSERT INTO mine VALUES (1); DELETE FROM orders WHERE id = 1',
    'SELECT 1; INSERT INTO orders VALUES (1)',
    'SELECT * FROM orders',
    'INSERT INTO mine VALUES (1)',
    'UPDATE mine SET a = 1 WHERE id = 1',
    'DELETE FROM mine',
    'INSERT INTO other_schema.orders VALUES (1)',
    'UPDATE lake.sales.orders SET a = 1',
    'INSERT OR REPLACE INTO mine VALUES (1)',
    'WITH q AS (SELECT 1) INSERT INTO mine SELECT * FROM q',
    'TRUNCATE mine',
    'MERGE INTO mine USING orders ON true WHEN MATCHED THEN DELETE',
    // An API table only read (the target is the user's).
    'INSERT INTO mine SELECT * FROM orders',
    'DELETE FROM mine USING orders WHERE mine.id = orders.id',
  ]) {
    assert.equal(readWriteStatement(sql, isApi), undefined, sql);
  }
});

test('INSERT: target, column list, source and RETURNING as spans; names folded, quoted ones too', () => {
  let sql = 'INSERT INTO Orders (Name, "Total", customer_address_city) VALUES (\'a\', 1, \'x\'), ($1, ?, NULL) RETURNING id, name || \'!\' AS n';
  let w = read(sql);
  assert.equal(w.kind, 'insert');
  assert.equal(w.table, 'orders');
  assert.equal(text(sql, w.target), 'Orders');
  assert.deepEqual(w.columns, ['name', 'total', 'customer_address_city']);
  assert.equal(text(sql, w.source)?.trim(), "VALUES ('a', 1, 'x'), ($1, ?, NULL)");
  assert.equal(text(sql, w.returning)?.trim(), "id, name || '!' AS n");
  assert.equal(sql.slice(w.returningAt!, w.returningAt! + 9), 'RETURNING');
  assert.equal(w.defaultValues, undefined);

  sql = 'insert into public."My Orders" as o values (1, \'returning\')';
  w = read(sql);
  assert.equal(w.table, 'my orders');
  assert.equal(text(sql, w.target), 'public."My Orders"');
  assert.equal(w.alias, 'o');
  assert.equal(w.columns, undefined);
  assert.equal(text(sql, w.source), "values (1, 'returning')");
  assert.equal(w.returning, undefined);

  sql = 'INSERT INTO main.tags DEFAULT VALUES RETURNING *';
  w = read(sql);
  assert.equal(w.defaultValues, true);
  assert.equal(text(sql, w.source)?.trim(), 'DEFAULT VALUES');
  assert.equal(text(sql, w.returning)?.trim(), '*');

  // A parenthesis that opens the source query is not a column list.
  sql = "INSERT INTO tags (SELECT name, 'c' FROM orders WHERE id IN (1, 2))";
  w = read(sql);
  assert.equal(w.columns, undefined);
  assert.equal(text(sql, w.source), "(SELECT name, 'c' FROM orders WHERE id IN (1, 2))");

  // RETURNING inside the source (a subquery, a string, a comment) is not the statement's.
  sql = "INSERT INTO tags (tag) SELECT 'returning' FROM (SELECT 1 AS returning) AS q /* RETURNING x */ -- RETURNING y\n";
  w = read(sql);
  assert.equal(w.returning, undefined);
  assert.equal(text(sql, w.source), "SELECT 'returning' FROM (SELECT 1 AS returning) AS q");

  // A trailing semicolon and comments are not part of any span.
  sql = "INSERT INTO tags VALUES ('a', 'b') RETURNING tag ; -- done";
  w = read(sql);
  assert.equal(text(sql, w.source), "VALUES ('a', 'b') ");
  assert.equal(text(sql, w.returning), ' tag');
});

test('UPDATE: alias, each SET column with its expression, FROM, WHERE and RETURNING', () => {
  let sql = "UPDATE orders AS o SET status = 'a, b', total = (total + 1) * 2, o.name = upper(name) FROM tags t WHERE o.id = 1 AND t.tag = 'x' RETURNING o.id";
  let w = read(sql);
  assert.equal(w.kind, 'update');
  assert.equal(w.alias, 'o');
  assert.deepEqual(
    w.assigned!.map((a) => [a.column, sql.slice(a.expr.start, a.expr.end).trim()]),
    [
      ['status', "'a, b'"],
      ['total', '(total + 1) * 2'],
      ['name', 'upper(name)'],
    ],
  );
  assert.deepEqual(
    w.assigned!.map((a) => sql.slice(a.at).split(' ')[0]),
    ['status', 'total', 'o.name'],
  );
  assert.equal(text(sql, w.joins)?.trim(), 'tags t');
  assert.equal(text(sql, w.where)?.trim(), "o.id = 1 AND t.tag = 'x'");
  assert.equal(text(sql, w.returning)?.trim(), 'o.id');

  sql = 'UPDATE ONLY "Orders" SET "Name" = $1 WHERE id IN (SELECT id FROM orders WHERE name = \'where\')';
  w = read(sql);
  assert.equal(w.table, 'orders');
  assert.equal(w.alias, undefined);
  assert.deepEqual(
    w.assigned!.map((a) => a.column),
    ['name'],
  );
  assert.equal(text(sql, w.where)?.trim(), "id IN (SELECT id FROM orders WHERE name = 'where')");

  // No WHERE: the last expression runs to the end of the statement.
  sql = 'UPDATE orders SET total = CASE WHEN total > 1 THEN 0 ELSE 1 END';
  w = read(sql);
  assert.equal(w.where, undefined);
  assert.equal(sql.slice(w.assigned![0]!.expr.start, w.assigned![0]!.expr.end).trim(), 'CASE WHEN total > 1 THEN 0 ELSE 1 END');
});

test('DELETE: alias, USING, WHERE and RETURNING', () => {
  let sql = 'DELETE FROM orders o USING tags t WHERE o.name = t.tag RETURNING *';
  let w = read(sql);
  assert.equal(w.kind, 'delete');
  assert.equal(w.alias, 'o');
  assert.equal(text(sql, w.joins)?.trim(), 'tags t');
  assert.equal(text(sql, w.where)?.trim(), 'o.name = t.tag');
  assert.equal(text(sql, w.returning)?.trim(), '*');

  sql = 'DELETE FROM orders WHERE id = 1;';
  w = read(sql);
  assert.equal(w.alias, undefined);
  assert.equal(text(sql, w.where)?.trim(), 'id = 1');
  sql = 'DELETE orders';
  w = read(sql);
  assert.equal(w.where, undefined);
});

test('end: the statement without a trailing semicolon or comments', () => {
  const cases: [string, string][] = [
    ["UPDATE orders SET status = 'x' WHERE id = 1;", "UPDATE orders SET status = 'x' WHERE id = 1"],
    ["UPDATE orders SET status = 'x' WHERE id = 1 -- note", "UPDATE orders SET status = 'x' WHERE id = 1"],
    ['DELETE FROM orders WHERE id = 1 /* x */ ;  ', 'DELETE FROM orders WHERE id = 1'],
    ["INSERT INTO tags VALUES ('a', 'b');\n-- done\n", "INSERT INTO tags VALUES ('a', 'b')"],
    ['DELETE FROM orders WHERE id = 1 RETURNING id; ', 'DELETE FROM orders WHERE id = 1 RETURNING id'],
  ];
  for (const [sql, statement] of cases) assert.equal(sql.slice(0, read(sql).end), statement, sql);
});

test('forms restsql cannot send to an API table: WRITE_UNSUPPORTED at the right position', () => {
  const cases: [sql: string, at: string, message: RegExp][] = [
    ["INSERT INTO orders (id, name) VALUES (1, 'x') ON CONFLICT DO NOTHING", 'ON CONFLICT', /ON CONFLICT.*'orders'/],
    ["INSERT INTO orders (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET name = 'y' RETURNING id", 'ON CONFLICT', /ON CONFLICT/],
    ["INSERT OR REPLACE INTO orders (name) VALUES ('x')", 'OR REPLACE', /INSERT OR REPLACE .*'orders'/],
    ['INSERT OR IGNORE INTO main.orders (name) VALUES (1)', 'OR IGNORE', /INSERT OR IGNORE/],
    ['INSERT INTO orders BY NAME SELECT 1 AS id', 'BY NAME', /BY NAME/],
    ['TRUNCATE orders', 'orders', /TRUNCATE cannot write to the API table 'orders'/],
    ['TRUNCATE TABLE public.Orders', 'public', /TRUNCATE/],
    ["WITH q AS (SELECT 'x' AS n) INSERT INTO orders (name) SELECT n FROM q", 'orders (', /WITH clause/],
    ['WITH q AS (SELECT 1 AS id) DELETE FROM orders WHERE id IN (SELECT id FROM q)', 'orders WHERE', /WITH clause/],
    ['MERGE INTO orders USING tags ON false WHEN NOT MATCHED THEN INSERT VALUES (1)', 'orders USING', /MERGE/],
    ["UPDATE orders SET (name, status) = ('a', 'b') WHERE id = 1", '(name', /SET \(a, b\)/],
    ["INSERT INTO tags VALUES ('a', 'b'); DELETE FROM mine", 'DELETE FROM mine', /INSERT on the API table 'tags' is followed by another statement/],
    ['DELETE FROM orders WHERE id = 1;; SELECT 1', 'SELECT 1', /DELETE on the API table 'orders' is followed by another statement/],
    ["UPDATE orders SET total = 1, (name, status) = ROW('a', 'b') WHERE id = 1", '(name', /SET \(a, b\)/],
  ];
  for (const [sql, at, message] of cases) {
    assert.throws(
      () => readWriteStatement(sql, isApi),
      (e: unknown) => isRestSqlError(e) && e.code === 'WRITE_UNSUPPORTED' && message.test(e.message) && (e.details as { position: number }).position === sql.indexOf(at) + 1 && (e.hint ?? '') !== '',
      sql,
    );
  }
});

test('syntax errors in the parts restsql reads: QUERY_SYNTAX naming where', () => {
  const cases: [string, RegExp][] = [
    ["UPDATE orders WHERE id = 1", /UPDATE orders needs SET/],
    ["UPDATE orders SET 'x' = 1 WHERE id = 1", /in SET of UPDATE orders/],
    ["UPDATE orders SET WHERE id = 1", /assigns no column|in SET/],
    ["INSERT INTO orders (name, 'x') VALUES (1, 2)", /column list of INSERT INTO orders/],
  ];
  for (const [sql, message] of cases) {
    assert.throws(() => readWriteStatement(sql, isApi), (e: unknown) => isRestSqlError(e) && e.code === 'QUERY_SYNTAX' && message.test(e.message), sql);
  }
});

test('conjuncts: top-level ANDs only (not inside parentheses, strings, identifiers, comments or BETWEEN)', () => {
  const cases: [string, string[]][] = [
    ['a = 1 AND b = 2', ['a = 1', 'b = 2']],
    ["a = 'x AND y' AND \"and\" = 2", ["a = 'x AND y'", '"and" = 2']],
    ['(a = 1 AND b = 2) OR c AND d', ['(a = 1 AND b = 2) OR c', 'd']],
    ['a BETWEEN 1 AND 2 AND b NOT BETWEEN 3 AND 4 AND c = 5', ['a BETWEEN 1 AND 2', 'b NOT BETWEEN 3 AND 4', 'c = 5']],
    ['a IN (1, 2) /* AND */ AND f(x AND y) -- AND z', ['a IN (1, 2) /* AND */', 'f(x AND y) -- AND z']],
    ['id = 1', ['id = 1']],
    ['x[1 AND 2] AND y', ['x[1 AND 2]', 'y']],
  ];
  for (const [where, parts] of cases) {
    const sql = `DELETE FROM orders WHERE ${where}`;
    const span = { start: sql.indexOf(where), end: sql.length };
    assert.deepEqual(
      conjuncts(sql, span).map((s) => sql.slice(s.start, s.end).trim()),
      parts,
      where,
    );
  }
});

test('keyCondition: column = value, value = column, column IN (values), qualified; nothing else', () => {
  const cases: [string, ReturnType<typeof keyCondition>][] = [
    ['id = 1', { column: 'id', values: ['1'] }],
    ['"ID" = $1', { column: 'id', values: ['$1'] }],
    ["o.id = 'a b'", { column: 'id', qualifier: 'o', values: ["'a b'"] }],
    ['7 = id', { column: 'id', values: ['7'] }],
    ['abs(-3) + 1 = o.id', { column: 'id', qualifier: 'o', values: ['abs(-3) + 1'] }],
    ["id IN (1, '2,3', f(4, 5))", { column: 'id', values: ['1', "'2,3'", 'f(4, 5)'] }],
    ['((id = 2))', { column: 'id', values: ['2'] }],
    ["code = 'it''s'", { column: 'code', values: ["'it''s'"] }],
    ['id = (1 OR TRUE)', { column: 'id', values: ['(1 OR TRUE)'] }],
    ['id IN (SELECT id FROM t)', undefined],
    ['id IN ()', undefined],
    ['id > 1', undefined],
    ['id IS NULL', undefined],
    ['id + 0 = 1', undefined],
    ['1 = id + 0', undefined],
    ['id = other', { column: 'id', values: ['other'] }],
    ['f(id) = 1', undefined],
    ["'unterminated", undefined],
    // The value is not everything after `=` when an operator that binds less tightly follows:
    // `id = 3 IS NOT NULL` is `(id = 3) IS NOT NULL`, true for every row.
    ['id = 3 IS NOT NULL', undefined],
    ['id = 2 OR TRUE', undefined],
    ['id = 1 OR id = 2', undefined],
    ['id = 1 = TRUE', undefined],
    ['id = 1 <> FALSE', undefined],
    ['NOT id = 1', undefined],
    ['TRUE OR 1 = id', undefined],
    ['id IN (1, 2) OR TRUE', undefined],
  ];
  for (const [condition, expected] of cases) assert.deepEqual(keyCondition(condition), expected, condition);
});
