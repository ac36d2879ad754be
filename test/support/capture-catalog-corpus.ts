/**
 * Captures the catalog corpus from real clients: run by hand, not by `npm test`.
 *
 *   npx tsc -p tsconfig.json && node dist/test/support/capture-catalog-corpus.js [client ...]
 *
 * Starts a real PostgreSQL 15 (test/support/postgres.ts) with log_statement=all, gives it the
 * schema restsql serve presents (test/data/catalog-corpus/oracle-schema.sql, role `tester`,
 * database `restsql`), and drives each client through the catalog reads users and tools make:
 *
 *   psql        psql 15: \dt \d <table> \d+ <table> \dn \dn+ \l \df \dv \di \d
 *   pgjdbc      /usr/share/java/postgresql.jar: DatabaseMetaData getSchemas getCatalogs getTables
 *               getColumns getPrimaryKeys getImportedKeys getExportedKeys getCrossReference
 *               getIndexInfo getTypeInfo getFunctions getTablePrivileges, ResultSetMetaData
 *   psqlodbc    psqlODBC (Unicode) through unixODBC: SQLTables SQLColumns SQLPrimaryKeys
 *               SQLForeignKeys SQLStatistics SQLSpecialColumns SQLGetTypeInfo from a small Python
 *               program calling libodbc with ctypes, and isql's `help` and `help <table>`
 *   sqlalchemy  SQLAlchemy 1.4 + psycopg2 (Debian's /usr/bin/python3): create_engine's first
 *               connect, then inspect(): schema, table and view names, columns, primary and
 *               foreign keys, indexes, unique and check constraints, table comments
 *   postgresjs  postgres.js (node_modules/postgres): what it sends when it connects
 *   node-postgres  node_modules/pg: what it sends when it connects (nothing so far: no file)
 *
 * The server log gives each statement as the client sent it, with its Bind parameters. Each client
 * sends `SELECT 'corpus:<action>'` before each action, so the statements after it belong to it
 * (the statements a connection sends before its first marker are its start-up). Kept: the
 * statements that read the catalog (pg_*, information_schema, version(), ...; see readsCatalog),
 * each (sql, params) once per client. User OIDs in the SQL and the parameters become placeholders
 * (see catalog-corpus.ts). Writes test/data/catalog-corpus/<client>.json, replacing the file, and
 * prints what it left out. Only clients that run here are in the corpus: what a client sends is
 * taken from the client itself, never copied from its source code.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import postgresJs from 'postgres';
import { CLIENT_DATABASE, CLIENT_USER, CORPUS_DIR, oidSymbols, placeholders, prepareOracle, readsCatalog, userOidsSql, type CorpusEntry, type OidSymbols } from './catalog-corpus.js';
import { ROOT } from './cli.js';
import { startPostgres, type LoggedStatement, type Postgres } from './postgres.js';
import { clientEnv, ISQL, odbcConfig, PGJDBC, PSQL, PSQLODBC, requireProgram, run } from './wire-clients.js';

const PASSWORD = 'corpus-capture-pässword';
const PYTHON = '/usr/bin/python3';
const MARK = /^SELECT 'corpus:([^']+)'$/;

interface Capture {
  /** The client as the corpus names it, with its version. */
  readonly client: string;
  /** Runs the client's actions against the oracle; returns the action names by marker key. */
  run(pg: Postgres, home: string): Promise<Record<string, string>>;
}

// --- psql ------------------------------------------------------------------------------------------

const PSQL_ACTIONS: [string, string][] = [
  ['dt', '\\dt'],
  ['d-types', '\\d types'],
  ['d-items', '\\d items'],
  ['d-tags', '\\d tags'],
  ['dplus-types', '\\d+ types'],
  ['dplus-tags', '\\d+ tags'],
  ['d-restsql-sampling_status', '\\d restsql.sampling_status'],
  ['dt-restsql', '\\dt restsql.*'],
  ['dn', '\\dn'],
  ['dnplus', '\\dn+'],
  ['l', '\\l'],
  ['df', '\\df'],
  ['dv', '\\dv'],
  ['di', '\\di'],
  ['d', '\\d'],
];

async function psqlVersion(home: string): Promise<string> {
  const r = await run(PSQL, ['--version'], { env: clientEnv(home) });
  return /\d+\.\d+/.exec(r.stdout)?.[0] ?? '?';
}

function psqlCapture(version: string): Capture {
  return {
    client: `psql ${version}`,
    async run(server, home) {
      requireProgram(PSQL, 'postgresql-client');
      const args = PSQL_ACTIONS.flatMap(([key, command]) => ['-c', `SELECT 'corpus:${key}'`, '-c', command]);
      const r = await run(PSQL, ['-X', '-P', 'pager=off', '-v', 'ON_ERROR_STOP=1', '-d', server.conninfo(CLIENT_USER, CLIENT_DATABASE), ...args], { env: clientEnv(home, { PGPASSWORD: PASSWORD }) });
      if (r.code !== 0) throw new Error(`psql failed (${r.code}): ${r.stderr}`);
      return Object.fromEntries(PSQL_ACTIONS);
    },
  };
}

// --- pgjdbc ----------------------------------------------------------------------------------------

const PGJDBC_ACTIONS: [string, string, string][] = [
  ['getSchemas', 'getSchemas()', 'md.getSchemas()'],
  ['getSchemas-public', 'getSchemas(null, "public")', 'md.getSchemas(null, "public")'],
  ['getCatalogs', 'getCatalogs()', 'md.getCatalogs()'],
  ['getTables', 'getTables(null, "public", "%", {"TABLE", "VIEW"})', 'md.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"})'],
  ['getTables-types', 'getTables(null, null, "%", {"TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "PARTITIONED TABLE"})', 'md.getTables(null, null, "%", new String[] {"TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "PARTITIONED TABLE"})'],
  ['getTables-one', 'getTables(null, "public", "types", null)', 'md.getTables(null, "public", "types", null)'],
  ['getColumns-types', 'getColumns(null, "public", "types", "%")', 'md.getColumns(null, "public", "types", "%")'],
  ['getColumns-tags', 'getColumns(null, "public", "tags", null)', 'md.getColumns(null, "public", "tags", null)'],
  ['getPrimaryKeys-tags', 'getPrimaryKeys(null, "public", "tags")', 'md.getPrimaryKeys(null, "public", "tags")'],
  ['getImportedKeys-tags', 'getImportedKeys(null, "public", "tags")', 'md.getImportedKeys(null, "public", "tags")'],
  ['getExportedKeys-items', 'getExportedKeys(null, "public", "items")', 'md.getExportedKeys(null, "public", "items")'],
  ['getCrossReference', 'getCrossReference(null, "public", "items", null, "public", "tags")', 'md.getCrossReference(null, "public", "items", null, "public", "tags")'],
  ['getIndexInfo-tags', 'getIndexInfo(null, "public", "tags", false, true)', 'md.getIndexInfo(null, "public", "tags", false, true)'],
  ['getTypeInfo', 'getTypeInfo()', 'md.getTypeInfo()'],
  ['getFunctions', 'getFunctions(null, "public", "%")', 'md.getFunctions(null, "public", "%")'],
  ['getTablePrivileges', 'getTablePrivileges(null, "public", "types")', 'md.getTablePrivileges(null, "public", "types")'],
  ['getBestRowIdentifier', 'getBestRowIdentifier(null, "public", "types", bestRowSession, true)', 'md.getBestRowIdentifier(null, "public", "types", DatabaseMetaData.bestRowSession, true)'],
];

const JAVA = `import java.sql.*;
import java.util.Properties;

/** The catalog corpus capture: DatabaseMetaData and ResultSetMetaData reads, a marker before each. */
public class CatalogCorpus {
  static void mark(Connection c, String key) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'corpus:" + key + "'")) {
      while (rs.next()) rs.getString(1);
    }
  }

  static void drain(ResultSet rs) throws SQLException {
    try (rs) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) for (int i = 1; i <= n; i++) rs.getObject(i);
    }
  }

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", args[1]);
    p.setProperty("password", System.getenv("WIRE_PASSWORD"));
    p.setProperty("sslmode", "disable");
    try (Connection c = DriverManager.getConnection(args[0], p)) {
      DatabaseMetaData md = c.getMetaData();
${PGJDBC_ACTIONS.map(([key, , call]) => `      mark(c, "${key}");\n      drain(${call});`).join('\n')}
      mark(c, "ResultSetMetaData");
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM types")) {
        ResultSetMetaData m = rs.getMetaData();
        for (int i = 1; i <= m.getColumnCount(); i++) {
          m.getColumnTypeName(i);
          m.isNullable(i);
          m.isAutoIncrement(i);
          m.getTableName(i);
          m.getSchemaName(i);
          m.unwrap(org.postgresql.PGResultSetMetaData.class).getBaseColumnName(i);
        }
      }
    }
  }
}
`;

function pgjdbcCapture(version: string): Capture {
  return {
    client: `pgjdbc ${version}`,
    async run(server, home) {
      requireProgram('/usr/bin/javac', 'default-jdk-headless');
      requireProgram(PGJDBC, 'libpostgresql-jdbc-java');
      await writeFile(join(home, 'CatalogCorpus.java'), JAVA);
      const c = await run('/usr/bin/javac', ['-encoding', 'UTF-8', '-d', home, '-cp', PGJDBC, join(home, 'CatalogCorpus.java')], { env: clientEnv(home) });
      if (c.code !== 0) throw new Error(`javac failed (${c.code}): ${c.stderr}${c.stdout}`);
      const r = await run('/usr/bin/java', [`-Duser.home=${home}`, '-Duser.timezone=UTC', '-cp', `${home}:${PGJDBC}`, 'CatalogCorpus', `jdbc:postgresql://127.0.0.1:${server.port}/${CLIENT_DATABASE}`, CLIENT_USER], { env: clientEnv(home, { WIRE_PASSWORD: PASSWORD }) });
      if (r.code !== 0) throw new Error(`CatalogCorpus (pgjdbc) failed (${r.code}): ${r.stderr}${r.stdout}`);
      return { ...Object.fromEntries(PGJDBC_ACTIONS.map(([key, action]) => [key, `DatabaseMetaData.${action}`])), ResultSetMetaData: 'ResultSetMetaData getColumnTypeName/isNullable/isAutoIncrement/getTableName/getSchemaName/getBaseColumnName of SELECT * FROM types' };
    },
  };
}

async function pgjdbcVersion(home: string): Promise<string> {
  const r = await run('/usr/bin/unzip', ['-p', PGJDBC, 'META-INF/MANIFEST.MF'], { env: clientEnv(home) }).catch(() => undefined);
  return /Implementation-Version: *(\S+)/.exec(r?.stdout ?? '')?.[1] ?? '?';
}

// --- psqlODBC --------------------------------------------------------------------------------------

const ODBC_ACTIONS: [string, string, string][] = [
  ['SQLTables', 'SQLTables(NULL, NULL, "%", "TABLE,VIEW")', "odbc.SQLTables(stmt, None, 0, None, 0, b'%', NTS, b'TABLE,VIEW', NTS)"],
  ['SQLTables-schemas', 'SQLTables("", "%", "", "") (the schemas)', "odbc.SQLTables(stmt, b'', 0, b'%', NTS, b'', 0, b'', 0)"],
  ['SQLTables-tabletypes', 'SQLTables("", "", "", "%") (the table types)', "odbc.SQLTables(stmt, b'', 0, b'', 0, b'', 0, b'%', NTS)"],
  ['SQLColumns-types', 'SQLColumns(NULL, "public", "types", "%")', "odbc.SQLColumns(stmt, None, 0, b'public', NTS, b'types', NTS, b'%', NTS)"],
  ['SQLColumns-tags', 'SQLColumns(NULL, "public", "tags", NULL)', "odbc.SQLColumns(stmt, None, 0, b'public', NTS, b'tags', NTS, None, 0)"],
  ['SQLPrimaryKeys-tags', 'SQLPrimaryKeys(NULL, "public", "tags")', "odbc.SQLPrimaryKeys(stmt, None, 0, b'public', NTS, b'tags', NTS)"],
  ['SQLForeignKeys-tags', 'SQLForeignKeys(FK table "public"."tags")', "odbc.SQLForeignKeys(stmt, None, 0, None, 0, None, 0, None, 0, b'public', NTS, b'tags', NTS)"],
  ['SQLForeignKeys-items', 'SQLForeignKeys(PK table "public"."items")', "odbc.SQLForeignKeys(stmt, None, 0, b'public', NTS, b'items', NTS, None, 0, None, 0, None, 0)"],
  ['SQLStatistics-tags', 'SQLStatistics(NULL, "public", "tags", SQL_INDEX_ALL, SQL_QUICK)', "odbc.SQLStatistics(stmt, None, 0, b'public', NTS, b'tags', NTS, 1, 0)"],
  ['SQLSpecialColumns-types', 'SQLSpecialColumns(SQL_BEST_ROWID, NULL, "public", "types", SQL_SCOPE_SESSION, SQL_NULLABLE)', "odbc.SQLSpecialColumns(stmt, 1, None, 0, b'public', NTS, b'types', NTS, 2, 1)"],
  ['SQLGetTypeInfo', 'SQLGetTypeInfo(SQL_ALL_TYPES)', 'odbc.SQLGetTypeInfo(stmt, 0)'],
];

const ODBC_PY = `"""The catalog corpus capture: psqlODBC's catalog functions through unixODBC (libodbc, ctypes)."""
import ctypes
import os
import sys

odbc = ctypes.CDLL("libodbc.so.2")
NTS = -3


def check(rc, what, htype, handle):
    if rc in (0, 1, 100):
        return
    state = ctypes.create_string_buffer(6)
    native = ctypes.c_int()
    msg = ctypes.create_string_buffer(1024)
    length = ctypes.c_short()
    odbc.SQLGetDiagRec(htype, handle, 1, state, ctypes.byref(native), msg, 1024, ctypes.byref(length))
    sys.exit(f"{what}: rc {rc} [{state.value.decode()}] {msg.value.decode(errors='replace')}")


env = ctypes.c_void_p()
check(odbc.SQLAllocHandle(1, None, ctypes.byref(env)), "SQLAllocHandle(ENV)", 1, env)
check(odbc.SQLSetEnvAttr(env, 200, ctypes.c_void_p(3), 0), "SQLSetEnvAttr(ODBC3)", 1, env)
dbc = ctypes.c_void_p()
check(odbc.SQLAllocHandle(2, env, ctypes.byref(dbc)), "SQLAllocHandle(DBC)", 1, env)
out = ctypes.create_string_buffer(2048)
outlen = ctypes.c_short()
conn = os.environ["ODBC_CONNECT"].encode()
check(odbc.SQLDriverConnect(dbc, None, conn, NTS, out, 2048, ctypes.byref(outlen), 0), "SQLDriverConnect", 2, dbc)
stmt = ctypes.c_void_p()
check(odbc.SQLAllocHandle(3, dbc, ctypes.byref(stmt)), "SQLAllocHandle(STMT)", 2, dbc)


def drain(what, rc):
    check(rc, what, 3, stmt)
    while True:
        rc = odbc.SQLFetch(stmt)
        if rc == 100:
            break
        check(rc, what + " fetch", 3, stmt)
    odbc.SQLFreeStmt(stmt, 0)


def mark(key):
    drain("marker", odbc.SQLExecDirect(stmt, ("SELECT 'corpus:" + key + "'").encode(), NTS))


${ODBC_ACTIONS.map(([key, , call]) => `mark("${key}")\ndrain("${key}", ${call})`).join('\n')}
odbc.SQLFreeHandle(3, stmt)
odbc.SQLDisconnect(dbc)
odbc.SQLFreeHandle(2, dbc)
odbc.SQLFreeHandle(1, env)
`;

function psqlodbcCapture(version: string): Capture {
  return {
    client: `psqlODBC ${version}`,
    async run(server, home) {
      requireProgram(PSQLODBC, 'odbc-postgresql');
      requireProgram(ISQL, 'unixodbc');
      requireProgram(PYTHON, 'python3');
      const odbcEnv = odbcConfig(join(home, 'odbc'), { corpus: { Servername: '127.0.0.1', Port: server.port, Database: CLIENT_DATABASE, Username: CLIENT_USER, SSLmode: 'disable' } });
      await writeFile(join(home, 'odbc_corpus.py'), ODBC_PY);
      const r = await run(PYTHON, [join(home, 'odbc_corpus.py')], { env: clientEnv(home, { ...odbcEnv, ODBC_CONNECT: `DSN=corpus;UID=${CLIENT_USER};PWD=${PASSWORD}` }) });
      if (r.code !== 0) throw new Error(`odbc_corpus.py failed (${r.code}): ${r.stderr}${r.stdout}`);
      // isql's own catalog calls: `help` is SQLTables, `help <table>` SQLColumns.
      const i = await run(ISQL, ['-v', '-b', 'corpus', CLIENT_USER, PASSWORD], { env: clientEnv(home, odbcEnv), stdin: ["SELECT 'corpus:isql-help'", 'help', "SELECT 'corpus:isql-help-types'", 'help types', ''].join('\n') });
      if (i.code !== 0) throw new Error(`isql failed (${i.code}): ${i.stderr}${i.stdout}`);
      return { ...Object.fromEntries(ODBC_ACTIONS.map(([key, action]) => [key, action])), 'isql-help': 'isql: help (SQLTables)', 'isql-help-types': 'isql: help types (SQLColumns)' };
    },
  };
}

async function psqlodbcVersion(home: string): Promise<string> {
  const r = await run('/usr/bin/dpkg-query', ['-W', '-f', '${Version}', 'odbc-postgresql'], { env: clientEnv(home) }).catch(() => undefined);
  return r?.stdout.replace(/^\d+:/, '').replace(/-.*$/, '') || '?';
}

// --- SQLAlchemy ------------------------------------------------------------------------------------

const SQLALCHEMY_ACTIONS: [string, string, string][] = [
  ['get_schema_names', 'inspect(engine).get_schema_names()', 'insp.get_schema_names()'],
  ['get_table_names', 'inspect(engine).get_table_names()', 'insp.get_table_names()'],
  ['get_table_names-restsql', 'inspect(engine).get_table_names(schema="restsql")', 'insp.get_table_names(schema="restsql")'],
  ['get_view_names', 'inspect(engine).get_view_names()', 'insp.get_view_names()'],
  ['has_table', 'engine.dialect.has_table(connection, "types")', 'c.dialect.has_table(c, "types")'],
  ['get_columns-types', 'inspect(engine).get_columns("types")', 'insp.get_columns("types")'],
  ['get_columns-tags', 'inspect(engine).get_columns("tags")', 'insp.get_columns("tags")'],
  ['get_pk_constraint-tags', 'inspect(engine).get_pk_constraint("tags")', 'insp.get_pk_constraint("tags")'],
  ['get_foreign_keys-tags', 'inspect(engine).get_foreign_keys("tags")', 'insp.get_foreign_keys("tags")'],
  ['get_indexes-tags', 'inspect(engine).get_indexes("tags")', 'insp.get_indexes("tags")'],
  ['get_unique_constraints-tags', 'inspect(engine).get_unique_constraints("tags")', 'insp.get_unique_constraints("tags")'],
  ['get_check_constraints-types', 'inspect(engine).get_check_constraints("types")', 'insp.get_check_constraints("types")'],
  ['get_table_comment-types', 'inspect(engine).get_table_comment("types")', 'insp.get_table_comment("types")'],
  ['get_columns-sampling_status', 'inspect(engine).get_columns("sampling_status", schema="restsql")', 'insp.get_columns("sampling_status", schema="restsql")'],
  ['reflect', 'MetaData().reflect(engine)', 'sa.MetaData().reflect(c)'],
];

const SQLALCHEMY_PY = `"""The catalog corpus capture: SQLAlchemy 1.4 (psycopg2) create_engine's first connect, then inspect()."""
import os
import urllib.parse

import sqlalchemy as sa

password = urllib.parse.quote(os.environ["PGPASSWORD"], safe="")
engine = sa.create_engine(f"postgresql+psycopg2://${CLIENT_USER}:{password}@127.0.0.1:{os.environ['CORPUS_PORT']}/${CLIENT_DATABASE}?sslmode=disable")
with engine.connect() as c:
    def mark(key):
        c.execute(sa.text(f"SELECT 'corpus:{key}'")).fetchall()

    mark("x")
${SQLALCHEMY_ACTIONS.map(([key, , call]) => `    mark("${key}")\n    insp = sa.inspect(c)\n    ${call}`).join('\n')}
engine.dispose()
`;

function sqlalchemyCapture(version: string): Capture {
  return {
    client: `SQLAlchemy ${version}`,
    async run(server, home) {
      requireProgram(PYTHON, 'python3-sqlalchemy');
      await writeFile(join(home, 'sqlalchemy_corpus.py'), SQLALCHEMY_PY);
      const r = await run(PYTHON, [join(home, 'sqlalchemy_corpus.py')], { env: clientEnv(home, { PGPASSWORD: PASSWORD, CORPUS_PORT: String(server.port) }) });
      if (r.code !== 0) throw new Error(`sqlalchemy_corpus.py failed (${r.code}): ${r.stderr}${r.stdout}`);
      return { connect: 'create_engine(...).connect(): the dialect\'s first-connect queries', ...Object.fromEntries(SQLALCHEMY_ACTIONS.map(([key, action]) => [key, action])) };
    },
  };
}

async function sqlalchemyVersion(home: string): Promise<string> {
  const r = await run(PYTHON, ['-c', 'import sqlalchemy, psycopg2; print(sqlalchemy.__version__ + " + psycopg2 " + psycopg2.__version__.split()[0])'], { env: clientEnv(home) });
  return r.stdout.trim() || '?';
}

// --- Node clients ----------------------------------------------------------------------------------

function postgresJsCapture(version: string): Capture {
  return {
    client: `postgres.js ${version}`,
    async run(server) {
      const sql = postgresJs({ host: '127.0.0.1', port: server.port, user: CLIENT_USER, pass: PASSWORD, database: CLIENT_DATABASE, ssl: false, max: 1, onnotice: () => undefined });
      try {
        await sql`SELECT 'corpus:x'`;
      } finally {
        await sql.end({ timeout: 5 });
      }
      return { connect: 'postgres(...) first query: the array types it loads at connect (fetch_types)' };
    },
  };
}

function nodePostgresCapture(version: string): Capture {
  return {
    client: `node-postgres ${version}`,
    async run(server) {
      const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: CLIENT_USER, password: PASSWORD, database: CLIENT_DATABASE });
      await c.connect();
      try {
        await c.query("SELECT 'corpus:x'");
        await c.query({ text: "SELECT 'corpus:x'", values: [] });
      } finally {
        await c.end();
      }
      return { connect: 'new pg.Client(...).connect() and a first query' };
    },
  };
}

async function packageVersion(name: string): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

// --- Splitting the log into corpus entries ---------------------------------------------------------

/**
 * The statements each action sent: per connection, those after `SELECT 'corpus:<key>'` belong to
 * `key`, those before the first marker to `connect`.
 */
function byAction(statements: readonly LoggedStatement[]): { key: string; statement: LoggedStatement }[] {
  const current = new Map<number, string>();
  const out: { key: string; statement: LoggedStatement }[] = [];
  for (const s of statements) {
    const m = MARK.exec(s.sql.trim());
    if (m) {
      current.set(s.pid, m[1]!);
      continue;
    }
    out.push({ key: current.get(s.pid) ?? 'connect', statement: s });
  }
  return out;
}

function slug(client: string): string {
  return client.split(' ')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function entriesOf(capture: Capture, actions: Record<string, string>, statements: readonly LoggedStatement[], symbols: OidSymbols, version: string, dropped: string[]): CorpusEntry[] {
  const prefix = slug(capture.client);
  const seen = new Set<string>();
  const perKey = new Map<string, CorpusEntry[]>();
  for (const { key, statement } of byAction(statements)) {
    if (key === 'x') continue;
    if (!readsCatalog(statement.sql)) {
      dropped.push(`${capture.client} ${key}: ${statement.sql.replace(/\s+/g, ' ').slice(0, 100)}`);
      continue;
    }
    const sql = placeholders(statement.sql, symbols);
    const params = statement.params.map((p) => (p === null ? null : placeholders(p, symbols)));
    const identity = JSON.stringify([sql, params]);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const action = key === 'connect' ? (actions[key] ?? 'connect: what the client sends on its own after logging in') : actions[key];
    if (action === undefined) throw new Error(`${capture.client}: statements under an unknown marker ${key}`);
    const list = perKey.get(key) ?? [];
    list.push({
      id: `${prefix}-${key}`,
      client: capture.client,
      action,
      sql,
      ...(statement.kind === 'execute' ? { params } : {}),
      source: `captured from ${capture.client} against PostgreSQL ${version} (log_statement=all) by test/support/capture-catalog-corpus.ts`,
    });
    perKey.set(key, list);
  }
  const out: CorpusEntry[] = [];
  for (const list of perKey.values()) list.forEach((e, i) => out.push(list.length > 1 ? { ...e, id: `${e.id}-${i + 1}` } : e));
  return out;
}

/** Waits until the log has the capture's own sentinel, so every statement before it is written. */
async function logThrough(server: Postgres, sentinel: string): Promise<LoggedStatement[]> {
  await server.exec(`SELECT '${sentinel}'`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const all = await server.statements();
    const at = all.findIndex((s) => s.sql === `SELECT '${sentinel}'`);
    if (at >= 0) return all.slice(0, at);
    if (Date.now() > deadline) throw new Error(`the server log has no ${sentinel} after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'restsql-corpus-capture-'));
  const server = await startPostgres({ logStatements: true });
  try {
    await prepareOracle(server, PASSWORD);
    const symbolRows = (await server.exec(userOidsSql(), CLIENT_DATABASE))[0]!.rows as { oid: string; symbol: string }[];
    const symbols = oidSymbols(symbolRows);
    const version = server.version.split(' ')[0]!;
    const all: Record<string, () => Promise<Capture>> = {
      psql: async () => psqlCapture(await psqlVersion(home)),
      pgjdbc: async () => pgjdbcCapture(await pgjdbcVersion(home)),
      psqlodbc: async () => psqlodbcCapture(await psqlodbcVersion(home)),
      sqlalchemy: async () => sqlalchemyCapture(await sqlalchemyVersion(home)),
      postgresjs: async () => postgresJsCapture(await packageVersion('postgres')),
      'node-postgres': async () => nodePostgresCapture(await packageVersion('pg')),
    };
    const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(all);
    let done = (await logThrough(server, 'corpus-sentinel:start')).length + 1;
    const dropped: string[] = [];
    for (const name of wanted) {
      const make = all[name];
      if (!make) throw new Error(`unknown client ${name}; one of ${Object.keys(all).join(', ')}`);
      const capture = await make();
      const actions = await capture.run(server, home);
      const logged = await logThrough(server, `corpus-sentinel:${name}`);
      const mine = logged.slice(done).filter((s) => s.database === CLIENT_DATABASE && s.user === CLIENT_USER);
      done = logged.length + 1;
      const entries = entriesOf(capture, actions, mine, symbols, version, dropped);
      const file = join(CORPUS_DIR, `${slug(capture.client)}.json`);
      if (entries.length === 0) {
        process.stdout.write(`${capture.client}: sent no catalog statement; no file\n`);
        continue;
      }
      await writeFile(file, `${JSON.stringify(entries, null, 2)}\n`);
      process.stdout.write(`${capture.client}: ${entries.length} statements -> ${file}\n`);
    }
    if (dropped.length) process.stdout.write(`left out (no catalog read):\n${dropped.map((d) => `  ${d}`).join('\n')}\n`);
  } finally {
    await server.stop();
    await rm(home, { recursive: true, force: true });
  }
}

await main();
