/**
 * The planner on DuckDB's own parse trees (json_serialize_sql in an in-memory DuckDB; no API, no
 * network): which WHERE conditions, column links, table references and LIMIT it reads from a
 * statement, and what it leaves to DuckDB alone (anything else still filters the rows there).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { EMPTY_PLAN, planStatements, tableRefs, type QueryPlan } from '../../../src/engine/planner.js';
import type { Condition, SqlConstant } from '../../../src/model/condition.js';
import { parseJson } from '../../../src/util/json.js';

const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
let instance: DuckDBInstance;
let conn: DuckDBConnection;

before(async () => {
  instance = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  conn = await instance.connect();
});
after(() => {
  conn?.closeSync();
  instance?.closeSync();
});

/** The tables the planner knows, with their columns (lower case). */
const COLUMNS: Record<string, string[]> = {
  t: ['id', 'a', 'name', 'day', 'ts', 'flag', 'price'],
  u: ['id', 't_id', 'region'],
};
const columnsOf = (table: string) => (COLUMNS[table] ? new Set(COLUMNS[table]) : undefined);

/** DuckDB's parse tree of `sql`, read as restsql reads it (big integers exact). */
async function tree(sql: string): Promise<unknown> {
  const r = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  return parseJson(String(r.getRows()[0]![0]));
}

async function plan(sql: string, params: readonly unknown[] = []): Promise<QueryPlan> {
  return planStatements(await tree(sql), columnsOf, params);
}

const k = (kind: SqlConstant['kind'], text: string): SqlConstant => ({ kind, text });
const on = (column: string, op: Condition['op'], values: SqlConstant[], table = 't', alias = table): Condition => ({ table, alias, column, op, values });

const CONDITIONS: { sql: string; params?: unknown[]; want: Condition[] }[] = [
  // Comparisons, either way round.
  { sql: 'SELECT * FROM t WHERE a = 1', want: [on('a', 'eq', [k('number', '1')])] },
  { sql: 'SELECT * FROM t WHERE 5 < a', want: [on('a', 'gt', [k('number', '5')])] },
  { sql: 'SELECT * FROM t WHERE 5 >= a', want: [on('a', 'le', [k('number', '5')])] },
  { sql: "SELECT * FROM t WHERE name <> 'x'", want: [on('name', 'ne', [k('string', 'x')])] },
  { sql: "SELECT * FROM t WHERE a >= 1 AND a < 9 AND name = 'n'", want: [on('a', 'ge', [k('number', '1')]), on('a', 'lt', [k('number', '9')]), on('name', 'eq', [k('string', 'n')])] },
  { sql: 'SELECT * FROM t WHERE (a = 1 AND (a > 0 AND id = 2))', want: [on('a', 'eq', [k('number', '1')]), on('a', 'gt', [k('number', '0')]), on('id', 'eq', [k('number', '2')])] },
  // Constants keep the form the SQL wrote: exact digits, typed literals, their own text.
  { sql: 'SELECT * FROM t WHERE price = 1.50', want: [on('price', 'eq', [k('number', '1.50')])] },
  { sql: 'SELECT * FROM t WHERE price = -0.05', want: [on('price', 'eq', [k('number', '-0.05')])] },
  { sql: 'SELECT * FROM t WHERE id = 9007199254740993', want: [on('id', 'eq', [k('number', '9007199254740993')])] },
  { sql: 'SELECT * FROM t WHERE id = 123456789012345678901234567890', want: [on('id', 'eq', [k('number', '123456789012345678901234567890')])] },
  { sql: 'SELECT * FROM t WHERE id = -170141183460469231731687303715884105727', want: [on('id', 'eq', [k('number', '-170141183460469231731687303715884105727')])] },
  { sql: 'SELECT * FROM t WHERE price > 1e20', want: [on('price', 'gt', [k('double', '100000000000000000000')])] },
  { sql: "SELECT * FROM t WHERE day = DATE '2024-01-05'", want: [on('day', 'eq', [k('date', '2024-01-05')])] },
  { sql: "SELECT * FROM t WHERE ts >= TIMESTAMP '2024-01-05 10:00:00'", want: [on('ts', 'ge', [k('timestamp', '2024-01-05 10:00:00')])] },
  // TRUE is CAST('t' AS BOOLEAN) in the tree: the text DuckDB casts (the API value is rendered from it later).
  { sql: 'SELECT * FROM t WHERE flag = TRUE', want: [on('flag', 'eq', [k('boolean', 't')])] },
  // DuckDB's parser turns NOT (a = 1) into a <> 1 (the same rows, NULLs included).
  { sql: 'SELECT * FROM t WHERE NOT (a = 1)', want: [on('a', 'ne', [k('number', '1')])] },
  { sql: "SELECT * FROM t WHERE id = '42'::INTEGER", want: [on('id', 'eq', [k('number', '42')])] },
  { sql: "SELECT * FROM t WHERE name = 'it''s'", want: [on('name', 'eq', [k('string', "it's")])] },
  // IN lists of constants; LIKE '%text%' as contains.
  { sql: 'SELECT * FROM t WHERE id IN (1, 2, 3)', want: [on('id', 'in', [k('number', '1'), k('number', '2'), k('number', '3')])] },
  { sql: "SELECT * FROM t WHERE name IN ('a,b', 'c')", want: [on('name', 'in', [k('string', 'a,b'), k('string', 'c')])] },
  { sql: "SELECT * FROM t WHERE name LIKE '%abc%'", want: [on('name', 'contains', [k('string', 'abc')])] },
  // Bound parameters ($n and ?) as constants of their JavaScript kind.
  { sql: 'SELECT * FROM t WHERE a = $1 AND name = $2', params: [7, 'x'], want: [on('a', 'eq', [k('number', '7')]), on('name', 'eq', [k('string', 'x')])] },
  { sql: 'SELECT * FROM t WHERE a = ? AND flag = ?', params: [12345678901234567890n, false], want: [on('a', 'eq', [k('number', '12345678901234567890')]), on('flag', 'eq', [k('boolean', 'false')])] },
  { sql: 'SELECT * FROM t WHERE price = $1', params: [0.5], want: [on('price', 'eq', [k('double', '0.5')])] },
  // Aliases, and unqualified columns placed by the table that has them.
  { sql: 'SELECT * FROM t AS x WHERE x.a = 1', want: [on('a', 'eq', [k('number', '1')], 't', 'x')] },
  { sql: "SELECT * FROM t JOIN u ON u.t_id = t.id WHERE region = 'north' AND a = 3", want: [on('region', 'eq', [k('string', 'north')], 'u'), on('a', 'eq', [k('number', '3')])] },
  { sql: "SELECT * FROM t x, t y WHERE x.name = 'p' AND y.name = 'q'", want: [on('name', 'eq', [k('string', 'p')], 't', 'x'), on('name', 'eq', [k('string', 'q')], 't', 'y')] },
  // Schema-qualified tables (`public.t`, as PostgreSQL clients write them) are the same tables;
  // their columns may repeat the qualification the FROM wrote.
  { sql: 'SELECT * FROM public.t WHERE a = 1', want: [on('a', 'eq', [k('number', '1')])] },
  { sql: 'SELECT * FROM "public"."T" WHERE "public"."T"."a" = 1 AND t.id = 2', want: [on('a', 'eq', [k('number', '1')]), on('id', 'eq', [k('number', '2')])] },
  { sql: 'SELECT * FROM memory.public.t WHERE memory.public.t.a = 1', want: [on('a', 'eq', [k('number', '1')])] },
  { sql: "SELECT * FROM public.t p JOIN public.u ON public.u.t_id = p.id WHERE public.u.region = 'north' AND p.a = 3", want: [on('region', 'eq', [k('string', 'north')], 'u'), on('a', 'eq', [k('number', '3')], 't', 'p')] },
];

for (const c of CONDITIONS) {
  test(`conditions read from: ${c.sql}${c.params ? ` ${JSON.stringify(c.params, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}` : ''}`, async () => {
    assert.deepEqual((await plan(c.sql, c.params)).conditions, c.want);
  });
}

/** Conditions the planner must leave to DuckDB (no condition read), each for a reason. */
const LEFT_TO_DUCKDB: { why: string; sql: string; params?: unknown[] }[] = [
  { why: 'OR', sql: "SELECT * FROM t WHERE a = 1 OR name = 'x'" },
  { why: 'NOT of a conjunction', sql: 'SELECT * FROM t WHERE NOT (a = 1 AND id = 2)' },
  { why: 'NOT IN', sql: 'SELECT * FROM t WHERE a NOT IN (1, 2)' },
  { why: 'IN with a non-constant', sql: 'SELECT * FROM t WHERE a IN (1, id)' },
  { why: 'IN with NULL', sql: 'SELECT * FROM t WHERE a IN (1, NULL)' },
  { why: 'IN a subquery', sql: 'SELECT * FROM t WHERE a IN (SELECT 1)' },
  { why: '= NULL', sql: 'SELECT * FROM t WHERE a = NULL' },
  { why: 'IS NULL', sql: 'SELECT * FROM t WHERE a IS NULL' },
  { why: 'column against column', sql: 'SELECT * FROM t WHERE a = id' },
  { why: 'an expression on the column', sql: 'SELECT * FROM t WHERE a + 1 = 2' },
  { why: 'a function of the column', sql: "SELECT * FROM t WHERE lower(name) = 'x'" },
  { why: 'TRY_CAST', sql: "SELECT * FROM t WHERE a = TRY_CAST('1' AS INTEGER)" },
  { why: 'BETWEEN', sql: 'SELECT * FROM t WHERE a BETWEEN 1 AND 3' },
  { why: 'LIKE with a prefix only', sql: "SELECT * FROM t WHERE name LIKE 'abc%'" },
  { why: 'LIKE with a _ wildcard', sql: "SELECT * FROM t WHERE name LIKE '%a_c%'" },
  { why: 'LIKE with an ESCAPE', sql: "SELECT * FROM t WHERE name LIKE '%abc%' ESCAPE '!'" },
  { why: 'ILIKE', sql: "SELECT * FROM t WHERE name ILIKE '%abc%'" },
  { why: 'a condition in a subquery', sql: 'SELECT * FROM (SELECT * FROM t WHERE a = 1) s' },
  { why: 'a condition in a CTE', sql: 'WITH c AS (SELECT * FROM t WHERE a = 1) SELECT * FROM c' },
  { why: 'HAVING', sql: 'SELECT a FROM t GROUP BY a HAVING a = 1' },
  { why: 'a join condition that is not an equality of columns', sql: 'SELECT * FROM t JOIN u ON u.t_id = t.id AND t.a = 1' },
  { why: 'an unqualified column two FROM tables have', sql: 'SELECT * FROM t JOIN u ON u.t_id = t.id WHERE id = 1' },
  { why: 'a column no FROM table has', sql: 'SELECT * FROM t WHERE nope = 1' },
  { why: 'a parameter with no value', sql: 'SELECT * FROM t WHERE a = $2', params: [1] },
  // Qualified column references the FROM does not vouch for (DuckDB refuses or reads them otherwise).
  { why: 'a qualification the FROM did not write', sql: 'SELECT * FROM t WHERE public.t.a = 1' },
  { why: 'another schema than the FROM wrote', sql: 'SELECT * FROM public.t WHERE main.t.a = 1' },
  { why: 'a qualified table name behind an alias', sql: 'SELECT * FROM public.t x WHERE public.t.a = 1' },
  { why: 'a struct field of an aliased table', sql: 'SELECT * FROM public.t, u AS public WHERE public.t.a = 1' },
  { why: 'a NULL parameter', sql: 'SELECT * FROM t WHERE a = $1', params: [null] },
];

for (const c of LEFT_TO_DUCKDB) {
  test(`left to DuckDB: ${c.why} (${c.sql})`, async () => {
    assert.deepEqual((await plan(c.sql, c.params)).conditions, []);
  });
}

test('a parameter whose value is not a plain number, string or boolean reads as "other" (never pushed)', async () => {
  const p = await plan('SELECT * FROM t WHERE price = $1 AND ts = $2', [Infinity, new Date(0)]);
  assert.deepEqual(p.conditions.map((c) => c.values[0]!.kind), ['other', 'other']);
});

test('links: column equalities across a join, and in the WHERE, in every result row', async () => {
  const join = await plan('SELECT * FROM t JOIN u ON u.t_id = t.id');
  assert.deepEqual(join.links, [[{ alias: 'u', table: 'u', column: 't_id' }, { alias: 't', table: 't', column: 'id' }]]);
  const where = await plan('SELECT * FROM t, u WHERE t.id = u.t_id');
  assert.deepEqual(where.links, [[{ alias: 't', table: 't', column: 'id' }, { alias: 'u', table: 'u', column: 't_id' }]]);
  // An equality of two columns of one side is no link across the join.
  assert.deepEqual((await plan('SELECT * FROM t JOIN u ON t.a = t.id')).links, []);
  assert.deepEqual((await plan('SELECT * FROM t JOIN u ON u.t_id = t.id OR u.id = 1')).links, []);
});

test('from: the top-level FROM, alias to table, lower case', async () => {
  assert.deepEqual([...(await plan('SELECT * FROM T AS X JOIN u ON u.t_id = x.id')).from], [['x', 't'], ['u', 'u']]);
  assert.deepEqual([...(await plan('SELECT * FROM "public"."T" JOIN public.u ON public.u.t_id = "public"."T".id')).from], [['t', 't'], ['u', 'u']]);
  assert.deepEqual((await plan('SELECT * FROM public.t JOIN public.u ON public.u.t_id = public.t.id')).links, [[{ alias: 'u', table: 'u', column: 't_id' }, { alias: 't', table: 't', column: 'id' }]]);
  assert.deepEqual((await plan('SELECT * FROM public.t LIMIT 4')).limit, { table: 't', rows: 4 });
  assert.deepEqual([...(await plan('SELECT * FROM (SELECT * FROM t) s')).from], []);
});

test('refs: every table the statement names, as often as named, subqueries and CTEs too', async () => {
  const p = await plan('WITH c AS (SELECT * FROM T) SELECT * FROM c JOIN t USING (id) WHERE id IN (SELECT t_id FROM u)');
  assert.deepEqual(Object.fromEntries(p.refs), { t: 2, c: 1, u: 1 });
  assert.deepEqual(tableRefs(await tree('SELECT x.* FROM t x ORDER BY 1, 2')), ['t']);
  // A set operation is not a SELECT node: no conditions read, the tables still counted.
  const union = await plan('SELECT id FROM t WHERE a = 1 UNION ALL SELECT id FROM u');
  assert.deepEqual(union.conditions, []);
  assert.deepEqual(Object.fromEntries(union.refs), { t: 1, u: 1 });
});

test('exotic: joins by position or nearness, TABLESAMPLE and tables named in strings make narrowing unsafe', async () => {
  for (const sql of [
    'SELECT * FROM t POSITIONAL JOIN u',
    'SELECT * FROM t ASOF JOIN u ON t.id >= u.id',
    'SELECT * FROM t USING SAMPLE 10%',
    'SELECT * FROM t TABLESAMPLE 5 ROWS',
    "SELECT * FROM query_table('t')",
    "SELECT * FROM t WHERE id IN (SELECT id FROM query('SELECT id FROM t'))",
  ]) {
    assert.equal((await plan(sql)).exotic, true, sql);
  }
  for (const sql of ['SELECT * FROM t', 'SELECT * FROM t JOIN u ON u.t_id = t.id', 'SELECT * FROM t LEFT JOIN u ON u.t_id = t.id', 'SELECT * FROM t CROSS JOIN u', 'SELECT * FROM t NATURAL JOIN u']) {
    assert.equal((await plan(sql)).exotic, false, sql);
  }
});

test('filterRefs: columns compared with something else in WHERE, ON, HAVING and QUALIFY at any depth', async () => {
  const p = await plan("SELECT a FROM t WHERE (a = 1 OR name LIKE 'x%') AND id = (SELECT max(t_id) FROM u WHERE region = 'n') GROUP BY a HAVING a > 0 QUALIFY row_number() OVER () > 0 AND price < 3");
  assert.deepEqual(Object.fromEntries(p.filterRefs), { a: 2, name: 1, id: 1, region: 1, price: 1 });
  // A column compared with a column is a link, not a filter.
  assert.deepEqual(Object.fromEntries((await plan('SELECT * FROM t JOIN u ON u.t_id = t.id')).filterRefs), {});
  assert.deepEqual(Object.fromEntries((await plan('SELECT * FROM t WHERE a BETWEEN 1 AND 2')).filterRefs), { a: 1 });
});

test('filterRefs also counts a column compared through IN (subquery) or inside an expression (conditions the planner cannot read)', async () => {
  // Pushdown relies on this count to refuse a condition on a virtual column that it cannot send
  // (test/e2e/correct-results.test.ts shows the wrong answer when it is missed).
  assert.deepEqual(Object.fromEntries((await plan("SELECT * FROM t WHERE name IN (SELECT 'x')")).filterRefs), { name: 1 });
  assert.deepEqual(Object.fromEntries((await plan("SELECT * FROM t WHERE upper(name) = 'X'")).filterRefs), { name: 1 });
});

const LIMITS: { sql: string; want: QueryPlan['limit'] }[] = [
  { sql: 'SELECT * FROM t LIMIT 5', want: { table: 't', rows: 5 } },
  { sql: 'SELECT id, name FROM T LIMIT 3', want: { table: 't', rows: 3 } },
  { sql: 'SELECT * FROM t x LIMIT 0', want: { table: 't', rows: 0 } },
  // Anything that needs more rows than it returns keeps the whole fetch.
  { sql: 'SELECT * FROM t LIMIT 5 OFFSET 2', want: undefined },
  { sql: 'SELECT * FROM t WHERE a = 1 LIMIT 5', want: undefined },
  { sql: 'SELECT * FROM t ORDER BY id LIMIT 5', want: undefined },
  { sql: 'SELECT DISTINCT name FROM t LIMIT 5', want: undefined },
  { sql: 'SELECT a FROM t GROUP BY a LIMIT 5', want: undefined },
  { sql: 'SELECT count(*) FROM t LIMIT 1', want: undefined },
  { sql: 'SELECT a + 1 FROM t LIMIT 5', want: undefined },
  { sql: 'SELECT unnest([id, id]) FROM t LIMIT 5', want: undefined },
  { sql: 'SELECT * EXCLUDE (a) FROM t LIMIT 5', want: { table: 't', rows: 5 } },
  { sql: 'SELECT * REPLACE (unnest([a, a]) AS a) FROM t LIMIT 5', want: undefined },
  { sql: 'SELECT * FROM t JOIN u ON u.t_id = t.id LIMIT 5', want: undefined },
  { sql: 'SELECT * FROM (SELECT * FROM t) s LIMIT 5', want: undefined },
  { sql: 'SELECT * FROM t LIMIT 10%', want: undefined },
  { sql: 'SELECT * FROM t', want: undefined },
];

for (const c of LIMITS) {
  test(`LIMIT: ${c.sql} -> ${c.want ? `${c.want.rows} rows of ${c.want.table}` : 'no early stop'}`, async () => {
    assert.deepEqual((await plan(c.sql)).limit, c.want);
  });
}

test('not exactly one statement, or SQL that does not parse: the empty plan (nothing narrowed, exotic)', async () => {
  for (const sql of ['SELECT * FROM t WHERE a = 1; SELECT * FROM u', 'SELECT * FORM t WHERE a = 1']) {
    const p = await plan(sql);
    assert.deepEqual(p.conditions, [], sql);
    assert.equal(p.exotic, true, sql);
  }
  assert.equal(planStatements(undefined, columnsOf), EMPTY_PLAN);
  assert.equal(planStatements({ error: true }, columnsOf), EMPTY_PLAN);
});
