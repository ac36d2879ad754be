/**
 * The catalog of `restsql serve` as real clients read it: psql's describe commands (\dt, \d, \d+,
 * \di, \dn, \l ...), pgjdbc's DatabaseMetaData, isql with psqlODBC (SQLTables, SQLColumns),
 * SQLAlchemy's inspect(), and node-postgres and postgres.js (catalog queries with parameters, and
 * postgres.js's array types loaded at connect).
 *
 * The model is test/support/serve.ts's: `types` with one column of every type, `items` (sampled:
 * `id` is its key) whose nested `address` object is flattened into columns and whose `tags` array
 * is the child table `tags` (items_id, position, tags), a foreign key to items; `slow` and `big`;
 * restsql's own `_configuration` and `sampling_status` in schema restsql.
 *
 * Each client action runs against restsql serve and against a real PostgreSQL 15 (Debian,
 * test/support/postgres.ts) holding the equivalent schema (test/data/catalog-corpus/oracle-schema.sql:
 * every table owned by the role restsql, SELECT granted to PUBLIC), as the same login role `tester`
 * in a database named `restsql`. Both must give the values written here: PostgreSQL's answer is
 * checked first, so a wrong expectation shows as such, then restsql's. Left out, as depending on the
 * installation: OIDs, \l's Collate and Ctype; version numbers are each server's own.
 *
 * A few tests are restsql's alone (rows of the API, the refusal of a statement mixing the catalog
 * and an API table, a database name other than the oracle's).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { prepareOracle } from '../support/catalog-corpus.js';
import { within } from '../support/deadline.js';
import { startPostgres, type Postgres } from '../support/postgres.js';
import { serveFixture, TEST_PASSWORD, type Served } from '../support/serve.js';
import { tempDir } from '../support/temp-dir.js';
import {
  clientEnv,
  compileWireClient,
  ISQL,
  odbcConfig,
  PSQL,
  PSQLODBC,
  psql,
  pythonChecks,
  requireProgram,
  requirePythonModules,
  run,
  wireClient,
  type PythonRun,
} from '../support/wire-clients.js';

const home = tempDir(after, 'restsql-catalog-');
const classes = tempDir(after, 'restsql-catalog-classes-');

/** A server the clients talk to: restsql serve, or the PostgreSQL 15 it is compared with. */
interface Target {
  readonly name: 'PostgreSQL 15' | 'restsql serve';
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The login role tester's password (the same on both). */
  readonly password: string;
  /** [major, minor] of the server_version clients are told ('15.18 (restsql test)' for restsql). */
  readonly version: readonly [number, number];
  /** A libpq connection string for tester in database restsql; `extra` keywords after it. */
  conninfo(extra?: string): string;
}

let served: Served;
let oracle: Postgres;
let classpath: string;
let restsql: Target;
/** PostgreSQL first: when both are wrong, the expectation is. */
let targets: readonly Target[];

/** [major, minor] of a server_version such as `15.18 (Debian 15.18-0+deb12u1)`. */
function majorMinor(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version);
  assert.ok(m, `server_version ${version}`);
  return [Number(m[1]), Number(m[2])];
}

before(async () => {
  // A missing client fails here, saying which Debian package to install (CI installs them all).
  requireProgram(PSQL, 'postgresql-client');
  requireProgram(ISQL, 'unixodbc');
  requireProgram(PSQLODBC, 'odbc-postgresql');
  requirePythonModules('sqlalchemy, psycopg2', 'python3-sqlalchemy python3-psycopg2');
  const startOracle = async () => {
    const o = await startPostgres();
    try {
      await prepareOracle(o, TEST_PASSWORD);
    } catch (e) {
      await o.stop();
      throw e;
    }
    return o;
  };
  const [compiled, serving, started] = await Promise.allSettled([compileWireClient(classes, home), serveFixture(), startOracle()]);
  // What started is kept for after() to stop, whatever else failed.
  if (serving.status === 'fulfilled') served = serving.value;
  if (started.status === 'fulfilled') oracle = started.value;
  for (const r of [compiled, serving, started]) if (r.status === 'rejected') throw r.reason;
  classpath = (compiled as PromiseFulfilledResult<string>).value;
  restsql = { name: 'restsql serve', host: served.host, port: served.port, password: served.password, version: [15, 18], conninfo: (extra) => served.conninfo(extra) };
  const pgTarget: Target = { name: 'PostgreSQL 15', host: oracle.host, port: oracle.port, password: TEST_PASSWORD, version: majorMinor(oracle.version), conninfo: (extra = '') => `${oracle.conninfo('tester', 'restsql')} ${extra}`.trim() };
  targets = [pgTarget, restsql];
});
after(async () => {
  await served?.close();
  await oracle?.stop();
});

/** `expected` (or expected(target)) deep-equals what `got` gives for each target, PostgreSQL's first. */
async function onBoth<T>(got: (t: Target) => Promise<T>, expected: T | ((t: Target) => T), message = ''): Promise<void> {
  const values = await Promise.all(targets.map(got));
  targets.forEach((t, i) => assert.deepEqual(values[i], typeof expected === 'function' ? (expected as (t: Target) => T)(t) : expected, `${t.name}${message ? `: ${message}` : ''}`));
}

/** Lines of text as a client printed them (the last newline ends the last line). */
const lines = (...l: string[]) => `${l.join('\n')}\n`;

// --- psql ----------------------------------------------------------------------------------------

describe('psql describe commands', () => {
  /** psql -c `command` against `t` (aligned output, as a person sees it): its stdout and stderr. */
  async function describeCommand(t: Target, command: string): Promise<{ stdout: string; stderr: string }> {
    const r = await psql(t.conninfo(), ['-v', 'ON_ERROR_STOP=1', '-c', command], { home, password: t.password });
    assert.equal(r.code, 0, `${t.name}: psql ${command} exited ${r.code}: ${r.stderr}`);
    return { stdout: r.stdout, stderr: r.stderr };
  }

  /** psql prints `expected` for `command` against PostgreSQL and against restsql, nothing (or `stderr`) on stderr. */
  const psqlSays = (command: string, expected: string, opts: { stderr?: string } = {}) => onBoth((t) => describeCommand(t, command), { stdout: expected, stderr: opts.stderr ?? '' }, command);

  test('\\dt lists the API tables in public, owned by restsql (restsql\'s own tables are not on the search path)', async () => {
    await psqlSays(
      '\\dt',
      lines(
        '        List of relations',
        ' Schema | Name  | Type  |  Owner  ',
        '--------+-------+-------+---------',
        ' public | big   | table | restsql',
        ' public | items | table | restsql',
        ' public | slow  | table | restsql',
        ' public | tags  | table | restsql',
        ' public | types | table | restsql',
        '(5 rows)',
        '',
      ),
    );
  });

  test('\\dt restsql.* lists restsql\'s _configuration, sampling_status and system_sampling_status', async () => {
    await psqlSays(
      '\\dt restsql.*',
      lines(
        '                 List of relations',
        ' Schema  |          Name          | Type  |  Owner  ',
        '---------+------------------------+-------+---------',
        ' restsql | _configuration         | table | restsql',
        ' restsql | sampling_status        | table | restsql',
        ' restsql | system_sampling_status | table | restsql',
        '(3 rows)',
        '',
      ),
    );
  });

  test('\\d types: every model type as its PostgreSQL type, the key NOT NULL, and the primary key index', async () => {
    await psqlSays(
      '\\d types',
      lines(
        '                          Table "public.types"',
        ' Column  |            Type             | Collation | Nullable | Default ',
        '---------+-----------------------------+-----------+----------+---------',
        ' id      | integer                     |           | not null | ',
        ' big     | bigint                      |           |          | ',
        ' amount  | double precision            |           |          | ',
        ' ok      | boolean                     |           |          | ',
        ' created | timestamp without time zone |           |          | ',
        ' day     | date                        |           |          | ',
        ' uid     | uuid                        |           |          | ',
        ' label   | character varying           |           |          | ',
        ' note    | json                        |           |          | ',
        'Indexes:',
        '    "types_pkey" PRIMARY KEY, btree (id)',
        '',
      ),
    );
  });

  test('\\d items: the nested address as columns, the primary key, and "Referenced by:" the child table tags', async () => {
    await psqlSays(
      '\\d items',
      lines(
        '                       Table "public.items"',
        '    Column    |       Type        | Collation | Nullable | Default ',
        '--------------+-------------------+-----------+----------+---------',
        ' id           | integer           |           | not null | ',
        ' name         | character varying |           |          | ',
        ' region       | character varying |           |          | ',
        ' price        | double precision  |           |          | ',
        ' address_city | character varying |           |          | ',
        ' address_zip  | character varying |           |          | ',
        'Indexes:',
        '    "items_pkey" PRIMARY KEY, btree (id)',
        'Referenced by:',
        '    TABLE "tags" CONSTRAINT "tags_items_id_fkey" FOREIGN KEY (items_id) REFERENCES items(id)',
        '',
      ),
    );
  });

  test('\\d tags: the child table\'s key (items_id, position) and its "Foreign-key constraints:" to items', async () => {
    await psqlSays(
      '\\d tags',
      lines(
        '                      Table "public.tags"',
        '  Column  |       Type        | Collation | Nullable | Default ',
        '----------+-------------------+-----------+----------+---------',
        ' items_id | integer           |           | not null | ',
        ' position | integer           |           | not null | ',
        ' tags     | character varying |           |          | ',
        'Indexes:',
        '    "tags_pkey" PRIMARY KEY, btree (items_id, "position")',
        'Foreign-key constraints:',
        '    "tags_items_id_fkey" FOREIGN KEY (items_id) REFERENCES items(id)',
        '',
      ),
    );
  });

  test('\\d+ tags and \\d+ items: storage per type and the access method too', async () => {
    await psqlSays(
      '\\d+ tags',
      lines(
        '                                                 Table "public.tags"',
        '  Column  |       Type        | Collation | Nullable | Default | Storage  | Compression | Stats target | Description ',
        '----------+-------------------+-----------+----------+---------+----------+-------------+--------------+-------------',
        ' items_id | integer           |           | not null |         | plain    |             |              | ',
        ' position | integer           |           | not null |         | plain    |             |              | ',
        ' tags     | character varying |           |          |         | extended |             |              | ',
        'Indexes:',
        '    "tags_pkey" PRIMARY KEY, btree (items_id, "position")',
        'Foreign-key constraints:',
        '    "tags_items_id_fkey" FOREIGN KEY (items_id) REFERENCES items(id)',
        'Access method: heap',
        '',
      ),
    );
    await psqlSays(
      '\\d+ items',
      lines(
        '                                                  Table "public.items"',
        '    Column    |       Type        | Collation | Nullable | Default | Storage  | Compression | Stats target | Description ',
        '--------------+-------------------+-----------+----------+---------+----------+-------------+--------------+-------------',
        ' id           | integer           |           | not null |         | plain    |             |              | ',
        ' name         | character varying |           |          |         | extended |             |              | ',
        ' region       | character varying |           |          |         | extended |             |              | ',
        ' price        | double precision  |           |          |         | plain    |             |              | ',
        ' address_city | character varying |           |          |         | extended |             |              | ',
        ' address_zip  | character varying |           |          |         | extended |             |              | ',
        'Indexes:',
        '    "items_pkey" PRIMARY KEY, btree (id)',
        'Referenced by:',
        '    TABLE "tags" CONSTRAINT "tags_items_id_fkey" FOREIGN KEY (items_id) REFERENCES items(id)',
        'Access method: heap',
        '',
      ),
    );
  });

  test('\\di lists the primary key indexes; \\dv and \\df find no views and no functions', async () => {
    await psqlSays(
      '\\di',
      lines(
        '               List of relations',
        ' Schema |    Name    | Type  |  Owner  | Table ',
        '--------+------------+-------+---------+-------',
        ' public | big_pkey   | index | restsql | big',
        ' public | items_pkey | index | restsql | items',
        ' public | slow_pkey  | index | restsql | slow',
        ' public | tags_pkey  | index | restsql | tags',
        ' public | types_pkey | index | restsql | types',
        '(5 rows)',
        '',
      ),
    );
    await psqlSays('\\dv', '', { stderr: 'Did not find any relations.\n' });
    await psqlSays(
      '\\df',
      lines(
        '                       List of functions',
        ' Schema | Name | Result data type | Argument data types | Type ',
        '--------+------+------------------+---------------------+------',
        '(0 rows)',
        '',
      ),
    );
  });

  test('\\dn lists public and restsql', async () => {
    await psqlSays(
      '\\dn',
      lines(
        '       List of schemas',
        '  Name   |       Owner       ',
        '---------+-------------------',
        ' public  | pg_database_owner',
        ' restsql | restsql',
        '(2 rows)',
        '',
      ),
    );
  });

  test('\\l lists postgres, restsql (the database the client connected to), template0 and template1, in UTF8', async () => {
    // Unaligned (-A), records ended by a zero byte (-0): a cell may hold a newline. Collate and
    // Ctype depend on how PostgreSQL was initialised (C, C.UTF-8, en_US.UTF-8, ...): left out.
    await onBoth(
      async (t) => {
        const r = await psql(t.conninfo(), ['-v', 'ON_ERROR_STOP=1', '-A', '-0', '-c', '\\l'], { home, password: t.password });
        assert.equal(r.code, 0, `${t.name}: ${r.stderr}`);
        const records = r.stdout.split('\0');
        const rows = records.slice(2, -2).map((l) => l.split('|')).map(([name, owner, encoding, , , icu, provider, acl]) => [name, owner, encoding, icu, provider, acl].join('|'));
        return { stderr: r.stderr, head: records.slice(0, 2), rows, tail: records.slice(-2) };
      },
      {
        stderr: '',
        head: ['List of databases', 'Name|Owner|Encoding|Collate|Ctype|ICU Locale|Locale Provider|Access privileges'],
        rows: [
          'postgres|postgres|UTF8||libc|',
          'restsql|postgres|UTF8||libc|',
          'template0|postgres|UTF8||libc|=c/postgres\npostgres=CTc/postgres',
          'template1|postgres|UTF8||libc|=c/postgres\npostgres=CTc/postgres',
        ],
        tail: ['(4 rows)', ''],
      },
    );
  });

  test('restsql: a client connected to another database name (dbname=analytics) finds that one in \\l and current_database()', async () => {
    // restsql alone: the oracle has no database analytics. A keyword given twice in a libpq
    // connection string: the last one counts.
    const r = await psql(served.conninfo('dbname=analytics'), ['-v', 'ON_ERROR_STOP=1', '-At', '-c', 'SELECT current_database()', '-c', 'SELECT datname FROM pg_catalog.pg_database ORDER BY 1'], { home, password: served.password });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, lines('analytics', 'analytics', 'postgres', 'template0', 'template1'));
  });
});

// --- pgjdbc --------------------------------------------------------------------------------------

describe('pgjdbc DatabaseMetaData', () => {
  /** Each target's lines from WireClient's catalog scenario, run once (one JVM, both servers in turn). */
  const out = new Map<Target, string[]>();
  let stderr = '';
  before(async () => {
    const child = wireClient(classpath, [targets.map((t) => t.port).join(','), 'disable', 'catalog'], { home, password: TEST_PASSWORD });
    child.proc.stdin.end();
    const r = await child.exit();
    // Lines after "server PORT" are that server's; a scenario that failed ends with FAIL (the
    // tests then fail on its missing lines, the other server's still count).
    let current: string[] | undefined;
    for (const line of r.stdout.split('\n')) {
      const server = /^server (\d+)$/.exec(line);
      if (server) out.set(targets.find((t) => t.port === Number(server[1]))!, (current = []));
      else if (line !== '' && line !== 'done') current?.push(line);
    }
    for (const t of targets) assert.ok(out.has(t), `WireClient printed nothing for ${t.name} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    stderr = r.stderr;
  });

  /** `t`'s lines starting with `prefix `, without it; a FAIL line of `t` fails the test with the JVM's stderr. */
  const section = (t: Target, prefix: string) => {
    const printed = out.get(t)!;
    const fail = printed.find((l) => l.startsWith('FAIL '));
    assert.equal(fail, undefined, `${t.name}: ${fail}\n${stderr}`);
    return printed.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1));
  };
  /** `section(prefix)` equals `expected` on each target, PostgreSQL's first. */
  const sectionIs = (prefix: string, expected: string[] | ((t: Target) => string[])) => onBoth(async (t) => section(t, prefix), expected, prefix);

  test('getDatabaseProductName/Version and getUserName; getSchemas lists information_schema, pg_catalog, public, restsql', async () => {
    await sectionIs('product', (t) => [`PostgreSQL|${t.version[0]}|${t.version[1]}|tester`]);
    await sectionIs('schemas', ['information_schema|null', 'pg_catalog|null', 'public|null', 'restsql|null']);
  });

  test('getTables(TABLE): the API tables in public and restsql\'s in restsql (TABLE_CAT|SCHEM|NAME|TYPE|REMARKS); no views', async () => {
    await sectionIs('tables', [
      'null|public|big|TABLE|null',
      'null|public|items|TABLE|null',
      'null|public|slow|TABLE|null',
      'null|public|tags|TABLE|null',
      'null|public|types|TABLE|null',
      'null|restsql|_configuration|TABLE|null',
      'null|restsql|sampling_status|TABLE|null',
      'null|restsql|system_sampling_status|TABLE|null',
    ]);
    await sectionIs('views', []);
  });

  test('getColumns: DATA_TYPE and TYPE_NAME of every column (SCHEM|TABLE|COLUMN|DATA_TYPE|TYPE_NAME|COLUMN_SIZE|DECIMAL_DIGITS|NULLABLE|IS_NULLABLE|ORDINAL|IS_AUTOINCREMENT)', async () => {
    await sectionIs('columns', [
      'public|big|id|INTEGER|int4|10|0|0|NO|1|NO',
      'public|big|name|VARCHAR|varchar|2147483647|0|1|YES|2|NO',
      'public|big|score|DOUBLE|float8|17|17|1|YES|3|NO',
      'public|big|active|BIT|bool|1|0|1|YES|4|NO',
      'public|big|created|TIMESTAMP|timestamp|29|6|1|YES|5|NO',
      'public|items|id|INTEGER|int4|10|0|0|NO|1|NO',
      'public|items|name|VARCHAR|varchar|2147483647|0|1|YES|2|NO',
      'public|items|region|VARCHAR|varchar|2147483647|0|1|YES|3|NO',
      'public|items|price|DOUBLE|float8|17|17|1|YES|4|NO',
      'public|items|address_city|VARCHAR|varchar|2147483647|0|1|YES|5|NO',
      'public|items|address_zip|VARCHAR|varchar|2147483647|0|1|YES|6|NO',
      'public|slow|id|INTEGER|int4|10|0|0|NO|1|NO',
      'public|slow|v|VARCHAR|varchar|2147483647|0|1|YES|2|NO',
      'public|tags|items_id|INTEGER|int4|10|0|0|NO|1|NO',
      'public|tags|position|INTEGER|int4|10|0|0|NO|2|NO',
      'public|tags|tags|VARCHAR|varchar|2147483647|0|1|YES|3|NO',
      'public|types|id|INTEGER|int4|10|0|0|NO|1|NO',
      'public|types|big|BIGINT|int8|19|0|1|YES|2|NO',
      'public|types|amount|DOUBLE|float8|17|17|1|YES|3|NO',
      'public|types|ok|BIT|bool|1|0|1|YES|4|NO',
      'public|types|created|TIMESTAMP|timestamp|29|6|1|YES|5|NO',
      'public|types|day|DATE|date|13|0|1|YES|6|NO',
      'public|types|uid|OTHER|uuid|2147483647|0|1|YES|7|NO',
      'public|types|label|VARCHAR|varchar|2147483647|0|1|YES|8|NO',
      'public|types|note|OTHER|json|2147483647|0|1|YES|9|NO',
      'restsql|_configuration|configuration|VARCHAR|varchar|2147483647|0|1|YES|1|NO',
      'restsql|_configuration|content|VARCHAR|varchar|2147483647|0|1|YES|2|NO',
      'restsql|sampling_status|name|VARCHAR|varchar|2147483647|0|1|YES|1|NO',
      'restsql|sampling_status|uri|VARCHAR|varchar|2147483647|0|1|YES|2|NO',
      'restsql|sampling_status|success|BIT|bool|1|0|1|YES|3|NO',
      'restsql|sampling_status|http_status|INTEGER|int4|10|0|1|YES|4|NO',
      'restsql|sampling_status|message|VARCHAR|varchar|2147483647|0|1|YES|5|NO',
      'restsql|sampling_status|key_candidates|VARCHAR|varchar|2147483647|0|1|YES|6|NO',
      'restsql|system_sampling_status|endpoint_name|VARCHAR|varchar|2147483647|0|1|YES|1|NO',
      'restsql|system_sampling_status|message|VARCHAR|varchar|2147483647|0|1|YES|2|NO',
      'restsql|system_sampling_status|sample_uri|VARCHAR|varchar|2147483647|0|1|YES|3|NO',
      'restsql|system_sampling_status|success|BIT|bool|1|0|1|YES|4|NO',
      'restsql|system_sampling_status|http_status|INTEGER|int4|10|0|1|YES|5|NO',
      'restsql|system_sampling_status|primary_key_candidates|VARCHAR|varchar|2147483647|0|1|YES|6|NO',
    ]);
  });

  test('getPrimaryKeys: one key column per root table, (items_id, position) for the child table, none for restsql.sampling_status', async () => {
    await sectionIs('pk', [
      'public|big|id|1|big_pkey',
      'public|items|id|1|items_pkey',
      'public|slow|id|1|slow_pkey',
      'public|tags|items_id|1|tags_pkey',
      'public|tags|position|2|tags_pkey',
      'public|types|id|1|types_pkey',
    ]);
  });

  test('getImportedKeys(tags) / getExportedKeys(items) / getCrossReference: tags.items_id -> items.id, and no other keys', async () => {
    // PKTABLE_SCHEM|PKTABLE_NAME|PKCOLUMN_NAME|FKTABLE_SCHEM|FKTABLE_NAME|FKCOLUMN_NAME|KEY_SEQ|
    // UPDATE_RULE|DELETE_RULE (3: importedKeyNoAction)|FK_NAME|PK_NAME|DEFERRABILITY (7: importedKeyNotDeferrable)
    const fk = 'public|items|id|public|tags|items_id|1|3|3|tags_items_id_fkey|items_pkey|7';
    await sectionIs('imported tags', [fk]);
    await sectionIs('exported items', [fk]);
    await sectionIs('crossref', [fk]);
    for (const prefix of ['imported items', 'exported tags', 'imported types', 'exported types']) await sectionIs(prefix, []);
  });

  test('getIndexInfo: the unique primary key indexes, column by column (SCHEM|TABLE|NON_UNIQUE|INDEX_NAME|TYPE|ORDINAL|COLUMN|ASC_OR_DESC)', async () => {
    await sectionIs('index', ['public|items|f|items_pkey|3|1|id|A', 'public|tags|f|tags_pkey|3|1|items_id|A', 'public|tags|f|tags_pkey|3|2|position|A']);
  });

  test('getTypeInfo: the PostgreSQL types behind the model types, with their JDBC types (TYPE_NAME|DATA_TYPE|PRECISION|LITERAL_PREFIX|NULLABLE|CASE_SENSITIVE|SEARCHABLE|UNSIGNED|AUTO_INCREMENT)', async () => {
    const wanted = ['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'date', 'timestamp', 'timestamptz', 'uuid', 'json', 'jsonb', 'bytea', 'serial', 'bigserial', '_int4', '_text'];
    await onBoth(
      async (t) => {
        const types = section(t, 'type');
        return wanted.map((name) => types.filter((l) => l.startsWith(`${name}|`)));
      },
      [
        ['bool|BIT|0|\'|1|f|3|t|f'],
        ['int2|SMALLINT|0|null|1|f|3|f|f'],
        ['int4|INTEGER|0|null|1|f|3|f|f'],
        ['int8|BIGINT|0|null|1|f|3|f|f'],
        ['float4|REAL|0|null|1|f|3|f|f'],
        ['float8|DOUBLE|0|null|1|f|3|f|f'],
        ['numeric|NUMERIC|1000|null|1|f|3|f|f'],
        ['text|VARCHAR|0|\'|1|t|3|t|f'],
        ['varchar|VARCHAR|10485760|\'|1|t|3|t|f'],
        ['date|DATE|0|\'|1|f|3|t|f'],
        ['timestamp|TIMESTAMP|6|\'|1|f|3|t|f'],
        ['timestamptz|TIMESTAMP|6|\'|1|f|3|t|f'],
        ['uuid|OTHER|0|\'|1|t|3|t|f'],
        ['json|OTHER|0|\'|1|t|3|t|f'],
        ['jsonb|OTHER|0|\'|1|t|3|t|f'],
        ['bytea|BINARY|0|\'|1|t|3|t|f'],
        ['serial|INTEGER|0|null|1|f|3|f|t'],
        ['bigserial|BIGINT|0|null|1|f|3|f|t'],
        ['_int4|ARRAY|0|\'|1|f|3|f|f'],
        ['_text|ARRAY|0|\'|1|t|3|t|f'],
      ],
    );
  });
});

// --- isql + psqlODBC -----------------------------------------------------------------------------

describe('isql + psqlODBC', () => {
  /** Each target's fields of the lines isql printed for `help` (SQLTables, 5 fields) and `help <table>` (SQLColumns, 26). */
  const tables = new Map<Target, string[][]>();
  const columns = new Map<Target, string[][]>();
  before(async () => {
    const dsn = (t: Target) => ({ Servername: t.host, Port: t.port, Database: 'restsql', Username: 'tester', SSLmode: 'disable' });
    const env = clientEnv(home, odbcConfig(join(home, 'odbc'), Object.fromEntries(targets.map((t, i) => [`target${i}`, dsn(t)]))));
    await Promise.all(
      targets.map(async (t, i) => {
        // -b batch mode, -d, fields separated by commas (no value here holds one).
        const r = await run(ISQL, ['-v', '-b', '-d,', `target${i}`, 'tester', t.password], { env, stdin: 'help\nhelp items\nhelp tags\nhelp types\n' });
        assert.equal(r.code, 0, `${t.name}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stderr, '', t.name);
        const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(','));
        tables.set(t, rows.filter((f) => f.length === 5));
        columns.set(t, rows.filter((f) => f.length === 26));
        assert.equal(tables.get(t)!.length + columns.get(t)!.length, rows.length, `${t.name}: ${r.stdout}`);
      }),
    );
  });

  test('help (SQLTables): TABLE_QUALIFIER (the database) | TABLE_OWNER (the schema) | TABLE_NAME | TABLE_TYPE | REMARKS', async () => {
    await onBoth(async (t) => tables.get(t)!.map((f) => f.join(',')), [
      'restsql,public,big,TABLE,',
      'restsql,public,items,TABLE,',
      'restsql,public,slow,TABLE,',
      'restsql,public,tags,TABLE,',
      'restsql,public,types,TABLE,',
      'restsql,restsql,_configuration,TABLE,',
      'restsql,restsql,sampling_status,TABLE,',
      'restsql,restsql,system_sampling_status,TABLE,',
    ]);
  });

  test('help <table> (SQLColumns): ODBC DATA_TYPE, TYPE_NAME, precision, length, scale, NULLABLE, ordinal and the PostgreSQL type OID of each column', async () => {
    // Field 22 is the table's OID (any); the rest as psqlODBC 13 gives them for PostgreSQL 15's
    // catalog (bool is SQL_VARCHAR, 12, with psqlODBC's default BoolsAsChar=1; uuid SQL_GUID, -11).
    const TABLE_OID = 22;
    await onBoth(
      async (t) => columns.get(t)!.map((f) => f.map((v, i) => (i === TABLE_OID ? '<oid>' : v)).join(',')),
      [
        'restsql,public,items,id,4,int4,10,4,0,10,0,,,4,,-1,1,,11,23,0,1,<oid>,0,-1,0',
        'restsql,public,items,name,12,varchar,255,255,,,1,,,12,,255,2,,255,1043,0,2,<oid>,0,-1,0',
        'restsql,public,items,region,12,varchar,255,255,,,1,,,12,,255,3,,255,1043,0,3,<oid>,0,-1,0',
        'restsql,public,items,price,6,float8,17,8,0,10,1,,,6,,-1,4,,24,701,0,4,<oid>,0,-1,0',
        'restsql,public,items,address_city,12,varchar,255,255,,,1,,,12,,255,5,,255,1043,0,5,<oid>,0,-1,0',
        'restsql,public,items,address_zip,12,varchar,255,255,,,1,,,12,,255,6,,255,1043,0,6,<oid>,0,-1,0',
        'restsql,public,tags,items_id,4,int4,10,4,0,10,0,,,4,,-1,1,,11,23,0,1,<oid>,0,-1,0',
        'restsql,public,tags,position,4,int4,10,4,0,10,0,,,4,,-1,2,,11,23,0,2,<oid>,0,-1,0',
        'restsql,public,tags,tags,12,varchar,255,255,,,1,,,12,,255,3,,255,1043,0,3,<oid>,0,-1,0',
        'restsql,public,types,id,4,int4,10,4,0,10,0,,,4,,-1,1,,11,23,0,1,<oid>,0,-1,0',
        'restsql,public,types,big,-5,int8,19,8,0,10,1,,,-5,,-1,2,,20,20,0,2,<oid>,0,-1,0',
        'restsql,public,types,amount,6,float8,17,8,0,10,1,,,6,,-1,3,,24,701,0,3,<oid>,0,-1,0',
        'restsql,public,types,ok,12,bool,5,5,0,,1,,,12,,-1,4,,5,16,0,4,<oid>,0,-1,0',
        'restsql,public,types,created,11,timestamp,26,16,6,,1,,,11,,-1,5,,26,1114,0,5,<oid>,0,-1,0',
        'restsql,public,types,day,9,date,10,6,,,1,,,9,,-1,6,,10,1082,0,6,<oid>,0,-1,0',
        'restsql,public,types,uid,-11,uuid,37,16,,,1,,,-11,,-1,7,,36,2950,0,7,<oid>,0,-1,0',
        'restsql,public,types,label,12,varchar,255,255,,,1,,,12,,255,8,,255,1043,0,8,<oid>,0,-1,0',
        'restsql,public,types,note,12,json,255,255,,,1,,,12,,-1,9,,255,114,0,9,<oid>,0,-1,0',
      ],
    );
    // The OID is the same for every column of one table and differs between tables.
    await onBoth(async (t) => {
      const oids = new Map(columns.get(t)!.map((f) => [f[2], f[TABLE_OID]]));
      return [new Set(oids.values()).size, columns.get(t)!.every((f) => f[TABLE_OID] === oids.get(f[2]))];
    }, [3, true]);
  });
});

// --- SQLAlchemy ----------------------------------------------------------------------------------

describe('SQLAlchemy inspect() (postgresql+psycopg2, a plain create_engine)', () => {
  const py = new Map<Target, PythonRun>();
  before(async () => {
    await Promise.all(targets.map(async (t) => py.set(t, await pythonChecks('sqlalchemy_inspect.py', [t.host, String(t.port)], { home, password: t.password }))));
  });

  /** What check `name` printed against `t` (without its name), failing with the script's error and stderr if it has none. */
  function result(t: Target, name: string): Record<string, unknown> {
    const run = py.get(t)!;
    const line = run.checks.get(name);
    assert.ok(line, `${t.name}: sqlalchemy_inspect.py printed no "${name}" check (exit ${run.finished.code}); stderr:\n${run.finished.stderr}`);
    assert.equal(line.raised, undefined, `${t.name}: check "${name}" raised ${JSON.stringify(line.raised)}; stderr:\n${run.finished.stderr}`);
    const { check: _, ...rest } = line;
    return rest;
  }
  /** Check `name` printed `expected` against each target, PostgreSQL's first. */
  const printed = (name: string, expected: Record<string, unknown> | ((t: Target) => Record<string, unknown>)) => onBoth(async (t) => result(t, name), expected, name);

  test('connects (the dialect\'s select pg_catalog.version() parses as the server_version the client was told) and ends cleanly', async () => {
    await printed('connect', {});
    await printed('version', (t) => ({ server_version_info: [...t.version] }));
    await onBoth(async (t) => [py.get(t)!.checks.has('done'), py.get(t)!.finished.code], [true, 0]);
  });

  test('get_schema_names, default_schema_name, get_table_names (public and restsql), get_view_names', async () => {
    await printed('schemas', { default: 'public', names: ['information_schema', 'public', 'restsql'] });
    // SQLAlchemy 1.4 asks pg_class without ORDER BY: the order is PostgreSQL's, not part of the answer.
    await onBoth(
      async (t) => {
        const r = result(t, 'tables');
        return { public: (r['public'] as string[]).toSorted(), restsql: (r['restsql'] as string[]).toSorted(), views: r['views'] };
      },
      { public: ['big', 'items', 'slow', 'tags', 'types'], restsql: ['_configuration', 'sampling_status', 'system_sampling_status'], views: [] },
    );
  });

  test('get_columns: [name, type as the dialect writes it, its SQLAlchemy class, nullable, default] of every column', async () => {
    const varchar = (name: string) => [name, 'VARCHAR', 'VARCHAR', true, null];
    await printed('columns', {
      big: [['id', 'INTEGER', 'INTEGER', false, null], varchar('name'), ['score', 'DOUBLE PRECISION', 'DOUBLE_PRECISION', true, null], ['active', 'BOOLEAN', 'BOOLEAN', true, null], ['created', 'TIMESTAMP WITHOUT TIME ZONE', 'TIMESTAMP', true, null]],
      items: [['id', 'INTEGER', 'INTEGER', false, null], varchar('name'), varchar('region'), ['price', 'DOUBLE PRECISION', 'DOUBLE_PRECISION', true, null], varchar('address_city'), varchar('address_zip')],
      slow: [['id', 'INTEGER', 'INTEGER', false, null], varchar('v')],
      tags: [['items_id', 'INTEGER', 'INTEGER', false, null], ['position', 'INTEGER', 'INTEGER', false, null], varchar('tags')],
      types: [
        ['id', 'INTEGER', 'INTEGER', false, null],
        ['big', 'BIGINT', 'BIGINT', true, null],
        ['amount', 'DOUBLE PRECISION', 'DOUBLE_PRECISION', true, null],
        ['ok', 'BOOLEAN', 'BOOLEAN', true, null],
        ['created', 'TIMESTAMP WITHOUT TIME ZONE', 'TIMESTAMP', true, null],
        ['day', 'DATE', 'DATE', true, null],
        ['uid', 'UUID', 'UUID', true, null],
        varchar('label'),
        ['note', 'JSON', 'JSON', true, null],
      ],
      'restsql.sampling_status': [varchar('name'), varchar('uri'), ['success', 'BOOLEAN', 'BOOLEAN', true, null], ['http_status', 'INTEGER', 'INTEGER', true, null], varchar('message'), varchar('key_candidates')],
    });
  });

  test('get_pk_constraint: the key columns and the constraint name <table>_pkey', async () => {
    await printed('pk', {
      big: { constrained_columns: ['id'], name: 'big_pkey' },
      items: { constrained_columns: ['id'], name: 'items_pkey' },
      slow: { constrained_columns: ['id'], name: 'slow_pkey' },
      tags: { constrained_columns: ['items_id', 'position'], name: 'tags_pkey' },
      types: { constrained_columns: ['id'], name: 'types_pkey' },
    });
  });

  test('get_foreign_keys: tags.items_id -> items.id (tags_items_id_fkey), none elsewhere; no other indexes or unique constraints', async () => {
    await printed('fk', {
      big: [],
      items: [],
      slow: [],
      tags: [{ name: 'tags_items_id_fkey', constrained_columns: ['items_id'], referred_schema: null, referred_table: 'items', referred_columns: ['id'], options: {} }],
      types: [],
    });
    const empty = { big: [], items: [], slow: [], tags: [], types: [] };
    await printed('indexes', empty);
    await printed('unique', empty);
  });

  test('MetaData.reflect(): every table with its columns, primary key and foreign keys', async () => {
    await onBoth(async (t) => result(t, 'reflect')['tables'], {
      big: { columns: ['id', 'name', 'score', 'active', 'created'], primary_key: ['id'], foreign_keys: [] },
      items: { columns: ['id', 'name', 'region', 'price', 'address_city', 'address_zip'], primary_key: ['id'], foreign_keys: [] },
      slow: { columns: ['id', 'v'], primary_key: ['id'], foreign_keys: [] },
      tags: { columns: ['items_id', 'position', 'tags'], primary_key: ['items_id', 'position'], foreign_keys: ['items_id->items.id'] },
      types: { columns: ['id', 'big', 'amount', 'ok', 'created', 'day', 'uid', 'label', 'note'], primary_key: ['id'], foreign_keys: [] },
    });
  });
});

// --- node-postgres and postgres.js ---------------------------------------------------------------

/** Generous: a loaded machine is slow, and each wait ends as soon as its answer comes. */
const DEADLINE = 30_000;

describe('node-postgres: catalog queries with parameters', () => {
  const clients = new Map<Target, pg.Client>();
  before(async () => {
    for (const t of targets) {
      const client = new pg.Client({ host: t.host, port: t.port, user: 'tester', password: t.password, database: 'restsql', connectionTimeoutMillis: DEADLINE });
      clients.set(t, client);
      await within(DEADLINE, `pg connects to ${t.name}`, client.connect());
    }
  });
  after(() => Promise.all([...clients.values()].map((c) => c.end().catch(() => undefined))));

  const query = (t: Target, text: string, values: unknown[] = []) => within(DEADLINE, () => `${t.name}: pg: ${text}`, clients.get(t)!.query(text, values));
  /** Rows (and the type OIDs of the columns) of `text` with `values`, on each target. */
  const queried = (text: string, values: unknown[] = []) => async (t: Target) => {
    const r = await query(t, text, values);
    return { rows: r.rows as Record<string, unknown>[], oids: r.fields.map((f) => f.dataTypeID) };
  };

  test('version(), current_database(), current_schema(), current_user', async () => {
    await onBoth(
      async (t) => {
        const { rows, oids } = await queried('SELECT version() AS v, current_database() AS db, current_schema() AS s, current_user AS u')(t);
        return { ...rows[0], v: (rows[0]!['v'] as string).split(' ').slice(0, 2).join(' '), oids };
      },
      // name, name, name (current_user is a name too), after the text of version().
      (t) => ({ v: `PostgreSQL ${t.version.join('.')}`, db: 'restsql', s: 'public', u: 'tester', oids: [25, 19, 19, 19] }),
    );
  });

  test('pg_attribute with format_type for a table named by $1: the child table\'s columns, types and NOT NULL', async () => {
    await onBoth(
      queried(
        "SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        ['tags'],
      ),
      {
        rows: [
          { relname: 'tags', attname: 'items_id', type: 'integer', attnotnull: true },
          { relname: 'tags', attname: 'position', type: 'integer', attnotnull: true },
          { relname: 'tags', attname: 'tags', type: 'character varying', attnotnull: false },
        ],
        oids: [19, 19, 25, 16],
      },
    );
  });

  test('information_schema.columns for $1.$2: data_type of every type', async () => {
    await onBoth(
      async (t) => {
        const { rows, oids } = await queried('SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', ['public', 'types'])(t);
        return { rows: rows.map((x) => `${x['column_name']} ${x['data_type']} ${x['is_nullable']}`), oids };
      },
      {
        rows: ['id integer NO', 'big bigint YES', 'amount double precision YES', 'ok boolean YES', 'created timestamp without time zone YES', 'day date YES', 'uid uuid YES', 'label character varying YES', 'note json YES'],
        // sql_identifier is a domain over name, character_data and yes_or_no over varchar: RowDescription has the base types.
        oids: [19, 1043, 1043],
      },
    );
  });

  test('pg_constraint: the primary keys and the foreign key as pg_get_constraintdef writes them', async () => {
    await onBoth(
      async (t) => {
        const { rows } = await queried("SELECT conrelid::regclass::text AS tbl, conname, contype, pg_catalog.pg_get_constraintdef(oid) AS def FROM pg_catalog.pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2")(t);
        return rows.map((x) => `${x['tbl']}|${x['conname']}|${x['contype']}|${x['def']}`);
      },
      ['big|big_pkey|p|PRIMARY KEY (id)', 'items|items_pkey|p|PRIMARY KEY (id)', 'slow|slow_pkey|p|PRIMARY KEY (id)', 'tags|tags_items_id_fkey|f|FOREIGN KEY (items_id) REFERENCES items(id)', 'tags|tags_pkey|p|PRIMARY KEY (items_id, "position")', 'types|types_pkey|p|PRIMARY KEY (id)'],
    );
  });

  test('restsql: a statement mixing the catalog and an API table is refused with 0A000; the session goes on', async () => {
    await assert.rejects(query(restsql, 'SELECT i.id, c.relname FROM items i, pg_catalog.pg_class c WHERE c.relname = $1', ['items']), (e: Error & { code?: string }) => e.code === '0A000');
    const r = await query(restsql, 'SELECT count(*)::int AS n FROM items WHERE id <= $1', [5]);
    assert.deepEqual(r.rows, [{ n: 5 }]);
  });
});

describe('postgres.js: array types loaded at connect', () => {
  const connect = (t: Target) =>
    postgres({ host: t.host, port: t.port, user: 'tester', password: t.password, database: 'restsql', ssl: false, max: 1, connect_timeout: 30, idle_timeout: 0, onnotice: () => undefined });
  /** `f` with a new postgres.js client of `t`, ended after. */
  async function using<T>(t: Target, f: (sql: postgres.Sql) => Promise<T>): Promise<T> {
    const sql = connect(t);
    try {
      return await f(sql);
    } finally {
      // A query still waiting (a failed test) is given up after a second.
      await sql.end({ timeout: 1 });
    }
  }
  /**
   * The error `query` rejects with, undefined when it succeeds. PostgreSQL answers in milliseconds:
   * a shorter deadline, so that a client left waiting fails the test without taking the file's time.
   */
  const failure = (what: string, query: Promise<unknown>) => within(10_000, what, query.then(() => undefined, (e: unknown) => e as Error & { code?: string }));

  test('fetch_types (its default): pg_type\'s array types become parsers and serializers, element oid -> array oid', async () => {
    await onBoth(
      (t) =>
        using(t, async (sql) => {
          const r = await within(DEADLINE, `${t.name}: postgres.js first query`, sql`SELECT 1 AS one`);
          const map = (sql.options as unknown as { shared: { typeArrayMap: Record<number, number> } }).shared.typeArrayMap;
          return { rows: [...r], arrays: [23, 20, 25, 701, 16, 1043, 2950, 114, 1114, 1082, 1700].map((oid) => map[oid]), parser: typeof sql.options.parsers[1007] };
        }),
      // int4, int8, text, float8, bool, varchar, uuid, json, timestamp, date, numeric (PostgreSQL's fixed OIDs).
      { rows: [{ one: 1 }], arrays: [1007, 1016, 1009, 1022, 1000, 1015, 2951, 199, 1115, 1182, 1231], parser: 'function' },
    );
  });

  test('int4[] and varchar[] parameters round-trip through the loaded array types', async () => {
    await onBoth(
      (t) =>
        using(t, async (sql) => {
          // The types arrive with the first query; values are serialized when a query is made, so
          // the arrays go in the second: sql.array of numbers is text[] for postgres.js, cast to int4[].
          // (varchar[], not text[]: DuckDB has one string type, which restsql reports as varchar.)
          await within(DEADLINE, `${t.name}: postgres.js first query`, sql`SELECT 1`);
          const r = await within(DEADLINE, `${t.name}: postgres.js arrays`, sql`SELECT ${sql.array([1, 2, 3])}::int4[] AS a, ${sql.array(['x', 'y "z"', 'a,b'])}::varchar[] AS t`);
          return { rows: [...r], oids: r.columns.map((c) => c.type) };
        }),
      { rows: [{ a: [1, 2, 3], t: ['x', 'y "z"', 'a,b'] }], oids: [1007, 1015] },
    );
  });

  test('restsql: an int4[] parameter selects rows of an API table (= ANY)', async () => {
    const rows = await using(restsql, async (sql) => {
      await within(DEADLINE, 'postgres.js first query', sql`SELECT 1`);
      return [...(await within(DEADLINE, 'postgres.js = ANY(int4[])', sql`SELECT id, name FROM items WHERE id = ANY(${sql.array([1, 3])}::int4[]) ORDER BY id`))];
    });
    assert.deepEqual(rows, [{ id: 1, name: 'item-1' }, { id: 3, name: 'item-3' }]);
  });

  // postgres.js sends Parse, Describe and Flush for a statement with parameters, and waits for the
  // answer before Bind: an error there must reach it at the Flush, as PostgreSQL sends it.
  test('a catalog query with a parameter that fails at Parse: the error comes back (it does not hang), and the session goes on', async () => {
    await onBoth(
      (t) =>
        using(t, async (sql) => {
          const e = await failure(`${t.name}: postgres.js error`, sql`SELECT relname FROM pg_catalog.no_such_relation WHERE oid = ${1}`);
          const r = await within(DEADLINE, `${t.name}: postgres.js after the error`, sql`SELECT typname FROM pg_catalog.pg_type WHERE oid = ${23}`);
          return { code: e?.code, message: e?.message, rows: [...r] };
        }),
      { code: '42P01', message: 'relation "pg_catalog.no_such_relation" does not exist', rows: [{ typname: 'int4' }] },
    );
  });

  test('restsql: a statement with a parameter mixing the catalog and an API table: 0A000 comes back, it does not hang', async () => {
    const e = await using(restsql, (sql) => failure('postgres.js error', sql`SELECT i.id FROM items i, pg_catalog.pg_class c WHERE c.relname = ${'items'}`));
    assert.equal(e?.code, '0A000', String(e));
  });
});
