/**
 * The catalog corpus (test/data/catalog-corpus/*.json: the catalog SQL psql, pgjdbc, psqlODBC,
 * SQLAlchemy and postgres.js send, captured from them) against `restsql serve` and against a
 * real PostgreSQL 15 holding the same schema (oracle-schema.sql): every statement must give the same
 * columns (names and type OIDs) and the same rows from both.
 *
 * - Both are asked by node-postgres as the same login role (`tester`) in the same database
 *   (`restsql`), the rows in text format as the server sent them (no parsing).
 * - Statements with a top-level ORDER BY are compared row by row in order; the others as multisets.
 * - OIDs of user objects (16384 and up) are compared by name: in the corpus they are placeholders
 *   resolved on each server, in results they become `<pg_class:public.types>` and the like.
 * - test/data/catalog-corpus/differences.json lists the documented differences (a column ignored
 *   or normalized for some statements), each with its reason.
 *
 * A failure prints the corpus id, the statement and the rows that differ (at most 80 lines); with
 * CATALOG_CORPUS_DUMP=<folder> each failing entry's two answers are written there in full
 * (<id>.json, after normalization).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadModule, parseSync } from 'libpg-query';
import pg from 'pg';
import { CLIENT_DATABASE, CLIENT_USER, DIFFERENCES, FIRST_UNPINNED_OID, FIRST_USER_OID, loadCorpus, oidSymbols, prepareOracle, symbolizeValue, userOidsSql, withOids, type CorpusEntry, type OidSymbols } from '../support/catalog-corpus.js';
import { startPostgres, type Postgres } from '../support/postgres.js';
import { serveFixture, TEST_PASSWORD, type Served } from '../support/serve.js';

// --- Documented differences ----------------------------------------------------------------------

interface Difference {
  /** Corpus ids it applies to; `*` alone is every entry, a trailing `*` a prefix. */
  readonly ids: readonly string[];
  /**
   * - `ignore`: the column is left out on both sides (also when only one side has it);
   * - `ignore-type`: the column's type OID is not compared;
   * - `replace`: `pattern` (a regular expression) becomes `with` in the column's values on both sides;
   * - `drop-rows`: rows whose column matches `pattern` are left out on both sides;
   * - `unordered`: compared as a multiset although the statement has an ORDER BY;
   * - `unordered-columns`: columns compared by name whatever their order (`x.*` follows the catalog's layout);
   * - `initdb-oids` (ids `*` only): OIDs from FIRST_UNPINNED_OID up, not only user OIDs, are
   *   compared by name.
   */
  readonly action: 'ignore' | 'ignore-type' | 'replace' | 'drop-rows' | 'unordered' | 'unordered-columns' | 'initdb-oids';
  readonly column?: string;
  readonly pattern?: string;
  readonly with?: string;
  readonly reason: string;
}

const ACTIONS: readonly Difference['action'][] = ['ignore', 'ignore-type', 'replace', 'drop-rows', 'unordered', 'unordered-columns', 'initdb-oids'];
const differences = (JSON.parse(readFileSync(DIFFERENCES, 'utf8')) as { differences: Difference[] }).differences;
const symbolsFrom = differences.some((d) => d.action === 'initdb-oids') ? FIRST_UNPINNED_OID : FIRST_USER_OID;

function appliesTo(d: Difference, id: string): boolean {
  return d.ids.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : p === id));
}

// --- Answers -------------------------------------------------------------------------------------

/** Every value as the text the server sent: no type parsing. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value };

interface Answer {
  readonly columns: string[];
  readonly types: number[];
  readonly rows: (string | null)[][];
}

async function connect(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: CLIENT_USER, password: TEST_PASSWORD, database: CLIENT_DATABASE, ssl: false, types: RAW_TYPES, query_timeout: 20_000, connectionTimeoutMillis: 20_000 });
  await c.connect();
  return c;
}

async function userOids(c: pg.Client): Promise<OidSymbols> {
  try {
    return oidSymbols((await c.query<{ oid: string; symbol: string }>(userOidsSql(symbolsFrom))).rows);
  } catch {
    // A server that cannot answer this cannot resolve placeholders either: the statements that
    // have one fail with a message naming the object.
    return oidSymbols([]);
  }
}

/** The statement's answers (one per statement in it), user OIDs replaced by their names. */
async function ask(c: pg.Client, symbols: OidSymbols, e: CorpusEntry): Promise<Answer[]> {
  const text = withOids(e.sql, symbols);
  const values = e.params?.map((p) => (p === null ? null : withOids(p, symbols)));
  const result = (await c.query({ text, ...(values && values.length ? { values } : {}), rowMode: 'array' })) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
  return (Array.isArray(result) ? result : [result])
    .filter((r) => r.fields.length > 0)
    .map((r) => ({
      columns: r.fields.map((f) => f.name),
      types: r.fields.map((f) => f.dataTypeID),
      rows: r.rows.map((row) => (row as (string | null)[]).map((v) => (v === null ? null : symbolizeValue(v, symbols)))),
    }));
}

/** The answer with the documented differences applied. */
function normalized(a: Answer, rules: readonly Difference[]): Answer {
  const rule = (action: Difference['action'], name: string | undefined) => rules.filter((d) => d.action === action && d.column === name);
  const keep = a.columns.map((name) => rule('ignore', name).length === 0);
  const drop = a.columns.map((name) => rule('drop-rows', name).map((d) => new RegExp(d.pattern ?? '')));
  const replace = a.columns.map((name) => rule('replace', name));
  // The columns kept, in their order or (unordered-columns) by name.
  const order = a.columns.map((_n, i) => i).filter((i) => keep[i]);
  if (rules.some((d) => d.action === 'unordered-columns')) order.sort((x, y) => (a.columns[x]! < a.columns[y]! ? -1 : a.columns[x]! > a.columns[y]! ? 1 : x - y));
  return {
    columns: order.map((i) => a.columns[i]!),
    types: order.map((i) => (rule('ignore-type', a.columns[i]).length ? 0 : a.types[i]!)),
    rows: a.rows
      .filter((row) => !row.some((v, i) => v !== null && drop[i]!.some((re) => re.test(v))))
      .map((row) =>
        order.map((i) => {
          let v = row[i] ?? null;
          for (const d of replace[i]!) if (v !== null) v = v.replace(new RegExp(d.pattern ?? '', 'g'), d.with ?? '');
          return v;
        }),
      ),
  };
}

let parserReady: Promise<void> | undefined;

/** Whether the statement's result is ordered: its (last) top-level SELECT has an ORDER BY. */
async function ordered(sql: string): Promise<boolean> {
  await (parserReady ??= loadModule());
  const stmts = parseSync(sql).stmts ?? [];
  const last = stmts[stmts.length - 1]?.stmt as { SelectStmt?: { sortClause?: unknown[] } } | undefined;
  return (last?.SelectStmt?.sortClause?.length ?? 0) > 0;
}

// --- Readable differences ------------------------------------------------------------------------

const show = (row: readonly unknown[]) => JSON.stringify(row);

/** Rows of `a` and `b` compared in order: a unified diff (` ` both, `-` PostgreSQL only, `+` restsql only). */
function orderedDiff(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  // Longest common subsequence, from the end.
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out;
}

/** Multisets: the rows only one side has (`-` PostgreSQL, `+` restsql). */
function unorderedDiff(a: readonly string[], b: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const r of a) count.set(r, (count.get(r) ?? 0) + 1);
  for (const r of b) count.set(r, (count.get(r) ?? 0) - 1);
  const out: string[] = [];
  for (const [r, c] of [...count].sort((x, y) => (x[0] < y[0] ? -1 : 1))) for (let k = 0; k < Math.abs(c); k++) out.push(`${c > 0 ? '-' : '+'} ${r}`);
  return out;
}

/** Undefined when equal, else what differs, for people. */
function compare(expected: Answer, actual: Answer, inOrder: boolean): string | undefined {
  const problems: string[] = [];
  if (show(expected.columns) !== show(actual.columns)) problems.push(`columns differ:\n  PostgreSQL: ${show(expected.columns)}\n  restsql:    ${show(actual.columns)}`);
  else if (show(expected.types) !== show(actual.types)) problems.push(`column type OIDs differ:\n  PostgreSQL: ${show(expected.types)}\n  restsql:    ${show(actual.types)}`);
  const a = expected.rows.map(show);
  const b = actual.rows.map(show);
  const same = inOrder ? show(a) === show(b) : show([...a].sort()) === show([...b].sort());
  if (!same) {
    const lines = inOrder ? orderedDiff(a, b) : unorderedDiff(a, b);
    const shown = lines.length > 80 ? [...lines.filter((l) => !l.startsWith(' ')).slice(0, 80), `... (${lines.length} lines)`] : lines;
    problems.push(`rows differ (${inOrder ? 'in order' : 'as multisets'}; PostgreSQL ${a.length}, restsql ${b.length}; - PostgreSQL only, + restsql only), columns ${show(actual.columns)}:\n${shown.join('\n')}`);
  }
  return problems.length ? problems.join('\n') : undefined;
}

// --- The test ------------------------------------------------------------------------------------

let oracle: Postgres;
let served: Served;
let fromOracle: pg.Client;
let fromRestsql: pg.Client;
let oracleOids: OidSymbols;
let restsqlOids: OidSymbols;

before(async () => {
  oracle = await startPostgres();
  await prepareOracle(oracle, TEST_PASSWORD);
  served = await serveFixture();
  fromOracle = await connect(oracle.port);
  fromRestsql = await connect(served.port);
  // Errors of a statement are the test's to report; the connection stays usable.
  fromRestsql.on('error', () => undefined);
  oracleOids = await userOids(fromOracle);
  restsqlOids = await userOids(fromRestsql);
});

after(async () => {
  await fromOracle?.end().catch(() => undefined);
  await fromRestsql?.end().catch(() => undefined);
  await served?.close();
  await oracle?.stop();
});

const corpus = loadCorpus();
const ids = new Set<string>();
for (const { entries } of corpus) for (const e of entries) {
  assert.ok(!ids.has(e.id), `corpus id ${e.id} is used twice`);
  ids.add(e.id);
}

test('differences.json names only corpus ids and gives every entry a reason', () => {
  for (const d of differences) {
    assert.ok(d.reason && d.reason.length > 10, `a difference without a reason: ${JSON.stringify(d)}`);
    assert.ok(ACTIONS.includes(d.action), `unknown action: ${JSON.stringify(d)}`);
    assert.ok(d.action !== 'initdb-oids' || (d.ids.length === 1 && d.ids[0] === '*'), `initdb-oids applies to every entry (ids ["*"]): ${JSON.stringify(d)}`);
    assert.ok(['unordered', 'unordered-columns', 'initdb-oids'].includes(d.action) || d.column, `a difference without its column: ${JSON.stringify(d)}`);
    assert.ok(!['replace', 'drop-rows'].includes(d.action) || d.pattern !== undefined, `a difference without its pattern: ${JSON.stringify(d)}`);
    for (const p of d.ids) assert.ok(p === '*' || (p.endsWith('*') ? [...ids].some((id) => id.startsWith(p.slice(0, -1))) : ids.has(p)), `differences.json names ${p}, which is no corpus id`);
  }
});

for (const { file, entries } of corpus) {
  for (const e of entries) {
    test(`${e.id} (${file}): ${e.action}`, async () => {
      const rules = differences.filter((d) => appliesTo(d, e.id));
      const inOrder = (await ordered(withOids(e.sql, oracleOids))) && !rules.some((d) => d.action === 'unordered');
      const expected = await ask(fromOracle, oracleOids, e).catch((err: Error) => assert.fail(`the corpus statement fails on PostgreSQL ${oracle.version} itself: ${err.message}\n${e.sql}`));
      let actual: Answer[];
      try {
        actual = await ask(fromRestsql, restsqlOids, e);
      } catch (err) {
        const pgErr = err as Error & { code?: string };
        assert.fail(`${e.id}: restsql serve fails${pgErr.code ? ` with ${pgErr.code}` : ''}: ${pgErr.message}\n--- statement${e.params?.length ? ` (parameters ${JSON.stringify(e.params)})` : ''}:\n${e.sql}`);
      }
      assert.equal(actual.length, expected.length, `${e.id}: ${expected.length} result(s) from PostgreSQL, ${actual.length} from restsql\n${e.sql}`);
      const problems = expected.map((x, i) => compare(normalized(x, rules), normalized(actual[i]!, rules), inOrder)).filter((p) => p !== undefined);
      if (problems.length && process.env['CATALOG_CORPUS_DUMP']) {
        const dir = process.env['CATALOG_CORPUS_DUMP'];
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${e.id}.json`), JSON.stringify({ entry: e, inOrder, postgres: expected.map((x) => normalized(x, rules)), restsql: actual.map((x) => normalized(x, rules)) }, null, 1));
      }
      if (problems.length) assert.fail(`${e.id}: restsql serve answers differently from PostgreSQL ${oracle.version}\n${problems.join('\n')}\n--- statement${e.params?.length ? ` (parameters ${JSON.stringify(e.params)})` : ''}:\n${e.sql}`);
    });
  }
}
