/**
 * The SQL sandbox, statement by statement: every DuckDB function, statement and setting that
 * touches files, run by user SQL from a working directory holding `.tmp/` (DuckDB's default
 * temporary directory, which it allows when used) and from inside the engine's own private
 * folder. Each is refused (QUERY_NOT_ALLOWED) or sees nothing; afterwards no file was created
 * or changed anywhere.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createEngine, type Engine } from '../../../src/engine/duckdb.js';
import { RestSqlError } from '../../../src/errors/index.js';
import { bulkJsonPlan } from '../../../src/engine/bulk-json.js';
import { inferTable } from '../../../src/model/sampler.js';
import { tablesOf } from '../../../src/model/types.js';
import { tempDir } from '../../support/temp-dir.js';

const SECRET = 'secret-api-data';

/** Every file under `dir` with its size and content digest, sorted. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${p} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

type Expect = 'refused' | 'nothing' | 'fails';

/**
 * `{tmp}` is `.tmp` under the working directory, `{pages}` a spooled page at rest, `{load}` the
 * folder DuckDB may read, `{root}` the engine's private folder.
 */
const ROWS: readonly [sql: string, expect: Expect][] = [
  // Reading functions, on the working directory's .tmp, a spooled page and the private folder.
  ...['read_text', 'read_blob', 'read_json', 'read_json_auto', 'read_ndjson', 'read_json_objects', 'read_csv', 'read_csv_auto', 'sniff_csv', 'read_parquet', 'parquet_scan', 'parquet_metadata', 'glob'].flatMap(
    (fn): [string, Expect][] => [
      [`SELECT * FROM ${fn}('{tmp}/secret.txt')`, 'refused'],
      [`SELECT * FROM ${fn}('{tmp}/*')`, 'refused'],
      [`SELECT * FROM ${fn}('{pages}')`, 'refused'],
      [`SELECT * FROM ${fn}('{root}/**')`, 'refused'],
      [`SELECT * FROM ${fn}('/etc/hostname')`, 'refused'],
      [`SELECT * FROM ${fn}('{load}/**')`, 'nothing'],
    ],
  ),
  ["SELECT * FROM '{tmp}/data.csv'", 'refused'],
  ["SELECT * FROM '{pages}'", 'refused'],
  // Writing statements: refused even into the folders DuckDB may use.
  ["COPY (SELECT 'x') TO '{tmp}/out.csv'", 'refused'],
  ["COPY (SELECT 'x') TO '{load}/out.csv'", 'refused'],
  ["COPY (SELECT 'x') TO '{duck}/out.csv'", 'refused'],
  ["COPY (SELECT 'x') TO 'out.csv'", 'refused'],
  ["COPY mine FROM '{tmp}/data.csv'", 'refused'],
  ["EXPORT DATABASE '{tmp}/exp'", 'refused'],
  ["EXPORT DATABASE '{load}/exp'", 'refused'],
  ["IMPORT DATABASE '{tmp}'", 'refused'],
  ["IMPORT DATABASE '{load}'", 'fails'],
  ["ATTACH '{tmp}/new.duckdb'", 'refused'],
  ["ATTACH '{load}/new.duckdb'", 'refused'],
  ["ATTACH 'new.duckdb'", 'refused'],
  ["ATTACH ':memory:' AS other", 'refused'],
  ["PREPARE p AS COPY (SELECT 'x') TO '{load}/prepared.csv'", 'refused'],
  // EXPLAIN ANALYZE runs its statement: the same refusals, alone, after empty statements and in a script.
  ["EXPLAIN ANALYZE COPY (SELECT 'x') TO '{load}/explained.csv'", 'refused'],
  ["EXPLAIN (ANALYZE) COPY (SELECT 'x') TO '{load}/explained.csv'", 'refused'],
  ["; EXPLAIN ANALYZE COPY (SELECT 'x') TO '{load}/explained.csv'", 'refused'],
  ["SELECT 1; EXPLAIN ANALYZE COPY (SELECT 'x') TO '{load}/explained.csv'", 'refused'],
  ['SELECT 1; EXPLAIN ANALYZE PREPARE q AS SELECT 42', 'refused'],
  ["EXPLAIN ANALYZE ATTACH ':memory:' AS other", 'fails'],
  // PREPARE was refused: nothing to execute.
  ['EXECUTE p', 'fails'],
  // Extensions.
  ['INSTALL json', 'refused'],
  ['FORCE INSTALL json', 'refused'],
  ['LOAD json', 'refused'],
  ["LOAD '{tmp}/x.duckdb_extension'", 'refused'],
  ["INSTALL '{tmp}/x.duckdb_extension'", 'refused'],
  ['UPDATE EXTENSIONS', 'refused'],
  // Settings that name paths or open access.
  ["SET temp_directory = '{tmp}'", 'refused'],
  ["SET allowed_directories = ['/']", 'refused'],
  ["SET allowed_paths = ['/etc/hostname']", 'refused'],
  ['SET enable_external_access = true', 'refused'],
  ['SET lock_configuration = false', 'refused'],
  ['RESET allowed_directories', 'refused'],
  ['RESET temp_directory', 'refused'],
  ["SET extension_directory = '{tmp}'", 'refused'],
  ["SET home_directory = '{tmp}'", 'refused'],
  ["SET profiling_output = '{tmp}/profile.json'", 'refused'],
  ["PRAGMA enable_profiling = 'json'", 'refused'],
  ["SET log_query_path = '{tmp}/queries.log'", 'refused'],
  ["SET secret_directory = '{tmp}'", 'refused'],
  // Last: no second database to copy into (ATTACH is refused), so DuckDB's binder fails it
  // first, and leaves the session's transaction aborted (a DuckDB quirk).
  ['COPY FROM DATABASE memory TO memory', 'fails'],
];

async function check(engine: Engine, vars: Record<string, string>): Promise<void> {
  for (const [template, expect] of ROWS) {
    const sql = template.replace(/\{(\w+)\}/g, (_m, k: string) => vars[k]!);
    let rows: unknown[] | undefined;
    let error: unknown;
    try {
      rows = (await engine.run(sql)).flatMap((r) => r.rows);
    } catch (e) {
      error = e;
    }
    const code = error instanceof RestSqlError ? error.code : undefined;
    if (expect === 'refused') assert.equal(code, 'QUERY_NOT_ALLOWED', `${sql}: ${error ? String(error) : `ran, ${JSON.stringify(rows)}`}`);
    else if (expect === 'fails') assert.ok(error instanceof RestSqlError, `${sql}: ran`);
    else assert.ok(error instanceof RestSqlError || rows!.length === 0, `${sql}: read ${JSON.stringify(rows)}`);
    assert.ok(!JSON.stringify(rows ?? null).includes(SECRET), `${sql} read the secret`);
  }
  await engine.run('ROLLBACK').catch(() => undefined);
  // The streaming path refuses the same way.
  for (const sql of [`COPY (SELECT 'x') TO '${vars.load}/streamed.csv'`, `SELECT * FROM read_text('${vars.pages}')`, `EXPORT DATABASE '${vars.load}/streamed'`, `;EXPLAIN ANALYZE COPY (SELECT 'x') TO '${vars.load}/streamed.csv'`, 'EXPLAIN ANALYZE PREPARE q AS SELECT 42']) {
    await assert.rejects(
      (async () => {
        for await (const batch of engine.stream(sql)) assert.fail(`${sql} streamed ${JSON.stringify(batch.rows)}`);
      })(),
      (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_NOT_ALLOWED',
      sql,
    );
  }
  // IMPORT DATABASE ran no schema.sql: no table of its.
  assert.deepEqual((await engine.run("SELECT table_name FROM duckdb_tables() WHERE table_name = 'pwned'"))[0]!.rows, []);
}

function workingDir(t: TestContext): string {
  const cwd = tempDir(t, 'restsql-sandbox-');
  mkdirSync(join(cwd, '.tmp'));
  writeFileSync(join(cwd, '.tmp', 'secret.txt'), SECRET);
  writeFileSync(join(cwd, '.tmp', 'data.csv'), `a\n${SECRET}\n`);
  writeFileSync(join(cwd, '.tmp', 'schema.sql'), 'CREATE TABLE pwned (a VARCHAR);');
  writeFileSync(join(cwd, '.tmp', 'load.sql'), '');
  return cwd;
}

/** An engine with a spooled page at rest (as kept for a child table not yet queried). */
async function engineWithPage(): Promise<{ engine: Engine; vars: Record<string, string> }> {
  const engine = await createEngine();
  const spoolDir = engine.database.spoolDir;
  const root = dirname(spoolDir);
  mkdirSync(join(spoolDir, 'scan-x'));
  const page = join(spoolDir, 'scan-x', '00000000.json');
  writeFileSync(page, JSON.stringify([{ a: SECRET }]), { mode: 0o600 });
  await engine.run('CREATE TEMP TABLE mine (a VARCHAR)');
  return { engine, vars: { tmp: '.tmp', pages: page, root, load: join(root, 'load'), duck: join(root, 'duckdb-tmp') } };
}

test('user SQL run from a working directory holding .tmp touches no file', async (t) => {
  const cwd = workingDir(t);
  process.chdir(cwd);
  const { engine, vars } = await engineWithPage();
  try {
    const before = [...snapshot(cwd), ...snapshot(vars.root!)];
    await check(engine, vars);
    assert.deepEqual([...snapshot(cwd), ...snapshot(vars.root!)], before);
    assert.equal(readFileSync(vars.pages!, 'utf8'), JSON.stringify([{ a: SECRET }]));
  } finally {
    await engine.close();
    process.chdir(tmpdir());
  }
});

for (const [where, sub, tmp] of [
  ['the private folder', '.', 'pages/scan-x'],
  ['the folder DuckDB may read', 'load', '../pages/scan-x'],
] as const) {
  test(`user SQL run from inside ${where} touches no file`, async () => {
    const { engine, vars } = await engineWithPage();
    try {
      // Relative paths land in the private folder; `{tmp}` is the spooled page's folder.
      process.chdir(join(vars.root!, sub));
      const before = snapshot(vars.root!);
      await check(engine, { ...vars, tmp });
      assert.deepEqual(snapshot(vars.root!), before);
    } finally {
      process.chdir(tmpdir());
      await engine.close();
    }
  });
}

test('a statement run while restsql bulk-loads pages waits, and never sees them', async () => {
  const engine = await createEngine();
  try {
    const table = inferTable('t', [{ id: 1 }], { qualifyNames: 0 });
    for (const t of tablesOf(table)) await engine.createTable(t);
    const db = engine.database;
    mkdirSync(join(db.spoolDir, 'scan-x'));
    const page = join(db.spoolDir, 'scan-x', '00000000.json');
    writeFileSync(page, JSON.stringify([{ id: 7 }, { id: 8 }]), { mode: 0o600 });
    const load = join(dirname(db.spoolDir), 'load');
    let seen: unknown[] | undefined;
    const gen = db.newGeneration();
    await db.load(gen, tablesOf(table), async (_append, bulk) => {
      const loading = bulk(bulkJsonPlan(table, (n) => db.storageName(n, gen))!, [page], 1);
      // Issued while the pages sit in the folder DuckDB may read.
      const peek = engine.run(`SELECT * FROM glob('${load}/**')`);
      assert.equal(await loading, 2);
      seen = (await peek)[0]!.rows;
    });
    assert.deepEqual(seen, []);
    // The page went back where it was, for a child table loaded later.
    assert.equal(readFileSync(page, 'utf8'), JSON.stringify([{ id: 7 }, { id: 8 }]));
  } finally {
    await engine.close();
  }
});
