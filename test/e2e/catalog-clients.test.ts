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
 * Every expected value here is what the same client printed against a real PostgreSQL 15.18
 * (Debian) holding the equivalent schema, checked by hand:
 *
 *   CREATE ROLE restsql; CREATE SCHEMA restsql AUTHORIZATION restsql;
 *   CREATE TABLE types (id int4 PRIMARY KEY, big int8, amount float8, ok bool, created timestamp,
 *     day date, uid uuid, label varchar, note json);
 *   CREATE TABLE items (id int4 PRIMARY KEY, name varchar, region varchar, price float8,
 *     address_city varchar, address_zip varchar);
 *   CREATE TABLE tags (items_id int4 REFERENCES items (id), position int4, tags varchar,
 *     PRIMARY KEY (items_id, position));
 *   CREATE TABLE slow (id int4 PRIMARY KEY, v varchar);
 *   CREATE TABLE big (id int4 PRIMARY KEY, name varchar, score float8, active bool, created timestamp);
 *   CREATE TABLE restsql._configuration (configuration varchar);
 *   CREATE TABLE restsql.sampling_status (name varchar, uri varchar, success bool, http_status int4,
 *     message varchar, key_candidates varchar);
 *   -- every table OWNER TO restsql, SELECT granted to PUBLIC; connected as tester to database restsql
 *
 * Only what depends on the installation is left out (OIDs, \l's Collate and Ctype).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { within } from '../support/deadline.js';
import { serveFixture, type Served } from '../support/serve.js';
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
let served: Served;
let classpath: string;

before(async () => {
  // A missing client fails here, saying which Debian package to install (CI installs them all).
  requireProgram(PSQL, 'postgresql-client');
  requireProgram(ISQL, 'unixodbc');
  requireProgram(PSQLODBC, 'odbc-postgresql');
  requirePythonModules('sqlalchemy, psycopg2', 'python3-sqlalchemy python3-psycopg2');
  [classpath, served] = await Promise.all([compileWireClient(classes, home), serveFixture()]);
});
after(() => served?.close());

/** Lines of text as a client printed them (the last newline ends the last line). */
const lines = (...l: string[]) => `${l.join('\n')}\n`;

// --- psql ----------------------------------------------------------------------------------------

describe('psql describe commands', () => {
  /** psql -c `command` (aligned output, as a person sees it); stdout, failing on anything on stderr. */
  async function describeCommand(command: string, opts: { stderr?: string } = {}): Promise<string> {
    const r = await psql(served.conninfo(), ['-v', 'ON_ERROR_STOP=1', '-c', command], { home, password: served.password });
    assert.equal(r.code, 0, `psql ${command} exited ${r.code}: ${r.stderr}`);
    assert.equal(r.stderr, opts.stderr ?? '', `psql ${command} printed on stderr`);
    return r.stdout;
  }

  test('\\dt lists the API tables in public, owned by restsql (restsql\'s own tables are not on the search path)', async () => {
    assert.equal(
      await describeCommand('\\dt'),
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

  test('\\dt restsql.* lists restsql\'s _configuration and sampling_status', async () => {
    assert.equal(
      await describeCommand('\\dt restsql.*'),
      lines(
        '              List of relations',
        ' Schema  |      Name       | Type  |  Owner  ',
        '---------+-----------------+-------+---------',
        ' restsql | _configuration  | table | restsql',
        ' restsql | sampling_status | table | restsql',
        '(2 rows)',
        '',
      ),
    );
  });

  test('\\d types: every model type as its PostgreSQL type, the key NOT NULL, and the primary key index', async () => {
    assert.equal(
      await describeCommand('\\d types'),
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
    assert.equal(
      await describeCommand('\\d items'),
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
    assert.equal(
      await describeCommand('\\d tags'),
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
    assert.equal(
      await describeCommand('\\d+ tags'),
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
    assert.equal(
      await describeCommand('\\d+ items'),
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
    assert.equal(
      await describeCommand('\\di'),
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
    assert.equal(await describeCommand('\\dv', { stderr: 'Did not find any relations.\n' }), '');
    assert.equal(
      await describeCommand('\\df'),
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
    assert.equal(
      await describeCommand('\\dn'),
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
    const r = await psql(served.conninfo(), ['-v', 'ON_ERROR_STOP=1', '-A', '-0', '-c', '\\l'], { home, password: served.password });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const records = r.stdout.split('\0');
    assert.deepEqual(records.slice(0, 2), ['List of databases', 'Name|Owner|Encoding|Collate|Ctype|ICU Locale|Locale Provider|Access privileges'], r.stdout);
    const rows = records.slice(2, -2).map((l) => l.split('|')).map(([name, owner, encoding, , , icu, provider, acl]) => [name, owner, encoding, icu, provider, acl].join('|'));
    assert.deepEqual(rows, [
      'postgres|postgres|UTF8||libc|',
      'restsql|postgres|UTF8||libc|',
      'template0|postgres|UTF8||libc|=c/postgres\npostgres=CTc/postgres',
      'template1|postgres|UTF8||libc|=c/postgres\npostgres=CTc/postgres',
    ]);
    assert.deepEqual(records.slice(-2), ['(4 rows)', ''], r.stdout);
  });

  test('a client connected to another database name (dbname=analytics) finds that one in \\l and current_database()', async () => {
    // A keyword given twice in a libpq connection string: the last one counts.
    const r = await psql(served.conninfo('dbname=analytics'), ['-v', 'ON_ERROR_STOP=1', '-At', '-c', 'SELECT current_database()', '-c', 'SELECT datname FROM pg_catalog.pg_database ORDER BY 1'], { home, password: served.password });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, lines('analytics', 'analytics', 'postgres', 'template0', 'template1'));
  });
});

// --- pgjdbc --------------------------------------------------------------------------------------

describe('pgjdbc DatabaseMetaData', () => {
  /** WireClient's catalog scenario, run once (one JVM) for all the tests here. */
  let out: string[];
  before(async () => {
    const child = wireClient(classpath, [String(served.port), 'disable', 'catalog'], { home, password: served.password });
    child.proc.stdin.end();
    const r = await child.exit();
    assert.equal(r.code, 0, `WireClient catalog failed:\n${r.stdout}\n${r.stderr}`);
    out = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(out.at(-1), 'done', r.stdout);
  });

  /** Lines starting with `prefix `, without it. */
  const section = (prefix: string) => out.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1));

  test('getDatabaseProductName/Version and getUserName; getSchemas lists information_schema, pg_catalog, public, restsql', () => {
    assert.deepEqual(section('product'), ['PostgreSQL|15|18|tester']);
    assert.deepEqual(section('schemas'), ['information_schema|null', 'pg_catalog|null', 'public|null', 'restsql|null']);
  });

  test('getTables(TABLE): the API tables in public and restsql\'s in restsql (TABLE_CAT|SCHEM|NAME|TYPE|REMARKS); no views', () => {
    assert.deepEqual(section('tables'), [
      'null|public|big|TABLE|null',
      'null|public|items|TABLE|null',
      'null|public|slow|TABLE|null',
      'null|public|tags|TABLE|null',
      'null|public|types|TABLE|null',
      'null|restsql|_configuration|TABLE|null',
      'null|restsql|sampling_status|TABLE|null',
    ]);
    assert.deepEqual(section('views'), []);
  });

  test('getColumns: DATA_TYPE and TYPE_NAME of every column (SCHEM|TABLE|COLUMN|DATA_TYPE|TYPE_NAME|COLUMN_SIZE|DECIMAL_DIGITS|NULLABLE|IS_NULLABLE|ORDINAL|IS_AUTOINCREMENT)', () => {
    assert.deepEqual(section('columns'), [
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
      'restsql|sampling_status|name|VARCHAR|varchar|2147483647|0|1|YES|1|NO',
      'restsql|sampling_status|uri|VARCHAR|varchar|2147483647|0|1|YES|2|NO',
      'restsql|sampling_status|success|BIT|bool|1|0|1|YES|3|NO',
      'restsql|sampling_status|http_status|INTEGER|int4|10|0|1|YES|4|NO',
      'restsql|sampling_status|message|VARCHAR|varchar|2147483647|0|1|YES|5|NO',
      'restsql|sampling_status|key_candidates|VARCHAR|varchar|2147483647|0|1|YES|6|NO',
    ]);
  });

  test('getPrimaryKeys: one key column per root table, (items_id, position) for the child table, none for restsql.sampling_status', () => {
    assert.deepEqual(section('pk'), [
      'public|big|id|1|big_pkey',
      'public|items|id|1|items_pkey',
      'public|slow|id|1|slow_pkey',
      'public|tags|items_id|1|tags_pkey',
      'public|tags|position|2|tags_pkey',
      'public|types|id|1|types_pkey',
    ]);
  });

  test('getImportedKeys(tags) / getExportedKeys(items) / getCrossReference: tags.items_id -> items.id, and no other keys', () => {
    // PKTABLE_SCHEM|PKTABLE_NAME|PKCOLUMN_NAME|FKTABLE_SCHEM|FKTABLE_NAME|FKCOLUMN_NAME|KEY_SEQ|
    // UPDATE_RULE|DELETE_RULE (3: importedKeyNoAction)|FK_NAME|PK_NAME|DEFERRABILITY (7: importedKeyNotDeferrable)
    const fk = 'public|items|id|public|tags|items_id|1|3|3|tags_items_id_fkey|items_pkey|7';
    assert.deepEqual(section('imported tags'), [fk]);
    assert.deepEqual(section('exported items'), [fk]);
    assert.deepEqual(section('crossref'), [fk]);
    assert.deepEqual([section('imported items'), section('exported tags'), section('imported types'), section('exported types')], [[], [], [], []]);
  });

  test('getIndexInfo: the unique primary key indexes, column by column (SCHEM|TABLE|NON_UNIQUE|INDEX_NAME|TYPE|ORDINAL|COLUMN|ASC_OR_DESC)', () => {
    assert.deepEqual(section('index'), ['public|items|f|items_pkey|3|1|id|A', 'public|tags|f|tags_pkey|3|1|items_id|A', 'public|tags|f|tags_pkey|3|2|position|A']);
  });

  test('getTypeInfo: the PostgreSQL types behind the model types, with their JDBC types (TYPE_NAME|DATA_TYPE|PRECISION|LITERAL_PREFIX|NULLABLE|CASE_SENSITIVE|SEARCHABLE|UNSIGNED|AUTO_INCREMENT)', () => {
    const wanted = ['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'date', 'timestamp', 'timestamptz', 'uuid', 'json', 'jsonb', 'bytea', 'serial', 'bigserial', '_int4', '_text'];
    const types = section('type');
    assert.deepEqual(
      wanted.map((name) => types.filter((l) => l.startsWith(`${name}|`))),
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
  /** Fields of each line isql printed for `help` (SQLTables, 5 fields) and `help <table>` (SQLColumns, 26). */
  let tables: string[][];
  let columns: string[][];
  before(async () => {
    const env = clientEnv(home, odbcConfig(join(home, 'odbc'), { restsql: { Servername: '127.0.0.1', Port: served.port, Database: 'restsql', Username: 'tester', SSLmode: 'disable' } }));
    // -b batch mode, -d, fields separated by commas (no value here holds one).
    const r = await run(ISQL, ['-v', '-b', '-d,', 'restsql', 'tester', served.password], { env, stdin: 'help\nhelp items\nhelp tags\nhelp types\n' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(','));
    tables = rows.filter((f) => f.length === 5);
    columns = rows.filter((f) => f.length === 26);
    assert.equal(tables.length + columns.length, rows.length, r.stdout);
  });

  test('help (SQLTables): TABLE_QUALIFIER (the database) | TABLE_OWNER (the schema) | TABLE_NAME | TABLE_TYPE | REMARKS', () => {
    assert.deepEqual(tables.map((f) => f.join(',')), [
      'restsql,public,big,TABLE,',
      'restsql,public,items,TABLE,',
      'restsql,public,slow,TABLE,',
      'restsql,public,tags,TABLE,',
      'restsql,public,types,TABLE,',
      'restsql,restsql,_configuration,TABLE,',
      'restsql,restsql,sampling_status,TABLE,',
    ]);
  });

  test('help <table> (SQLColumns): ODBC DATA_TYPE, TYPE_NAME, precision, length, scale, NULLABLE, ordinal and the PostgreSQL type OID of each column', () => {
    // Field 22 is the table's OID (any); the rest as psqlODBC 13 gives them for PostgreSQL 15's
    // catalog (bool is SQL_VARCHAR, 12, with psqlODBC's default BoolsAsChar=1; uuid SQL_GUID, -11).
    const TABLE_OID = 22;
    assert.deepEqual(
      columns.map((f) => f.map((v, i) => (i === TABLE_OID ? '<oid>' : v)).join(',')),
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
    const oids = new Map(columns.map((f) => [f[2], f[TABLE_OID]]));
    assert.equal(new Set(oids.values()).size, 3, JSON.stringify([...oids]));
    for (const f of columns) assert.equal(f[TABLE_OID], oids.get(f[2]));
  });
});

// --- SQLAlchemy ----------------------------------------------------------------------------------

describe('SQLAlchemy inspect() (postgresql+psycopg2, a plain create_engine)', () => {
  let py: PythonRun;
  before(async () => {
    py = await pythonChecks('sqlalchemy_inspect.py', [served.host, String(served.port)], { home, password: served.password });
  });

  /** The result of check `name`, failing with the script's error and stderr if it has none. */
  function result(name: string): Record<string, unknown> {
    const line = py.checks.get(name);
    assert.ok(line, `sqlalchemy_inspect.py printed no "${name}" check (exit ${py.finished.code}); stderr:\n${py.finished.stderr}`);
    assert.equal(line.raised, undefined, `check "${name}" raised ${JSON.stringify(line.raised)}; stderr:\n${py.finished.stderr}`);
    return line;
  }

  test('connects (the dialect\'s select pg_catalog.version() parses as 15.18) and ends cleanly', () => {
    result('connect');
    assert.deepEqual(result('version')['server_version_info'], [15, 18]);
    assert.ok(py.checks.has('done'), py.finished.stdout + py.finished.stderr);
    assert.equal(py.finished.code, 0, py.finished.stderr);
  });

  test('get_schema_names, default_schema_name, get_table_names (public and restsql), get_view_names', () => {
    assert.deepEqual(result('schemas'), { check: 'schemas', default: 'public', names: ['information_schema', 'public', 'restsql'] });
    const t = result('tables');
    // SQLAlchemy 1.4 asks pg_class without ORDER BY: the order is PostgreSQL's, not part of the answer.
    assert.deepEqual((t['public'] as string[]).toSorted(), ['big', 'items', 'slow', 'tags', 'types']);
    assert.deepEqual((t['restsql'] as string[]).toSorted(), ['_configuration', 'sampling_status']);
    assert.deepEqual(t['views'], []);
  });

  test('get_columns: [name, type as the dialect writes it, its SQLAlchemy class, nullable, default] of every column', () => {
    const varchar = (name: string) => [name, 'VARCHAR', 'VARCHAR', true, null];
    const c = result('columns');
    delete c['check'];
    assert.deepEqual(c, {
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

  test('get_pk_constraint: the key columns and the constraint name <table>_pkey', () => {
    const pk = result('pk');
    delete pk['check'];
    assert.deepEqual(pk, {
      big: { constrained_columns: ['id'], name: 'big_pkey' },
      items: { constrained_columns: ['id'], name: 'items_pkey' },
      slow: { constrained_columns: ['id'], name: 'slow_pkey' },
      tags: { constrained_columns: ['items_id', 'position'], name: 'tags_pkey' },
      types: { constrained_columns: ['id'], name: 'types_pkey' },
    });
  });

  test('get_foreign_keys: tags.items_id -> items.id (tags_items_id_fkey), none elsewhere; no other indexes or unique constraints', () => {
    const fk = result('fk');
    delete fk['check'];
    assert.deepEqual(fk, {
      big: [],
      items: [],
      slow: [],
      tags: [{ name: 'tags_items_id_fkey', constrained_columns: ['items_id'], referred_schema: null, referred_table: 'items', referred_columns: ['id'], options: {} }],
      types: [],
    });
    const empty = { big: [], items: [], slow: [], tags: [], types: [] };
    assert.deepEqual(result('indexes'), { check: 'indexes', ...empty });
    assert.deepEqual(result('unique'), { check: 'unique', ...empty });
  });

  test('MetaData.reflect(): every table with its columns, primary key and foreign keys', () => {
    assert.deepEqual(result('reflect')['tables'], {
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
  let client: pg.Client;
  before(async () => {
    client = new pg.Client({ host: served.host, port: served.port, user: 'tester', password: served.password, database: 'restsql', connectionTimeoutMillis: DEADLINE });
    await within(DEADLINE, 'pg connects', client.connect());
  });
  after(() => client?.end().catch(() => undefined));

  const query = (text: string, values: unknown[] = []) => within(DEADLINE, () => `pg: ${text}`, client.query(text, values));

  test('version(), current_database(), current_schema(), current_user', async () => {
    const r = await query('SELECT version() AS v, current_database() AS db, current_schema() AS s, current_user AS u');
    assert.match(r.rows[0].v as string, /^PostgreSQL 15\.18 /);
    assert.deepEqual({ ...r.rows[0], v: undefined }, { v: undefined, db: 'restsql', s: 'public', u: 'tester' });
    // name, name, name (current_user is a name too), after the text of version().
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [25, 19, 19, 19]);
  });

  test('pg_attribute with format_type for a table named by $1: the child table\'s columns, types and NOT NULL', async () => {
    const r = await query(
      "SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      ['tags'],
    );
    assert.deepEqual(r.rows, [
      { relname: 'tags', attname: 'items_id', type: 'integer', attnotnull: true },
      { relname: 'tags', attname: 'position', type: 'integer', attnotnull: true },
      { relname: 'tags', attname: 'tags', type: 'character varying', attnotnull: false },
    ]);
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [19, 19, 25, 16]);
  });

  test('information_schema.columns for $1.$2: data_type of every type', async () => {
    const r = await query('SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', ['public', 'types']);
    assert.deepEqual(
      r.rows.map((x) => `${x.column_name} ${x.data_type} ${x.is_nullable}`),
      ['id integer NO', 'big bigint YES', 'amount double precision YES', 'ok boolean YES', 'created timestamp without time zone YES', 'day date YES', 'uid uuid YES', 'label character varying YES', 'note json YES'],
    );
    // sql_identifier is a domain over name, character_data and yes_or_no over varchar: RowDescription has the base types.
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [19, 1043, 1043]);
  });

  test('pg_constraint: the primary keys and the foreign key as pg_get_constraintdef writes them', async () => {
    const r = await query("SELECT conrelid::regclass::text AS tbl, conname, contype, pg_catalog.pg_get_constraintdef(oid) AS def FROM pg_catalog.pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2");
    assert.deepEqual(
      r.rows.map((x) => `${x.tbl}|${x.conname}|${x.contype}|${x.def}`),
      ['big|big_pkey|p|PRIMARY KEY (id)', 'items|items_pkey|p|PRIMARY KEY (id)', 'slow|slow_pkey|p|PRIMARY KEY (id)', 'tags|tags_items_id_fkey|f|FOREIGN KEY (items_id) REFERENCES items(id)', 'tags|tags_pkey|p|PRIMARY KEY (items_id, "position")', 'types|types_pkey|p|PRIMARY KEY (id)'],
    );
  });

  test('a statement mixing the catalog and an API table is refused with 0A000; the session goes on', async () => {
    await assert.rejects(query('SELECT i.id, c.relname FROM items i, pg_catalog.pg_class c WHERE c.relname = $1', ['items']), (e: Error & { code?: string }) => e.code === '0A000');
    const r = await query('SELECT count(*)::int AS n FROM items WHERE id <= $1', [5]);
    assert.deepEqual(r.rows, [{ n: 5 }]);
  });
});

describe('postgres.js: array types loaded at connect', () => {
  const connect = (o: postgres.Options<Record<string, postgres.PostgresType>> = {}) =>
    postgres({ host: served.host, port: served.port, user: 'tester', password: served.password, database: 'restsql', ssl: false, max: 1, connect_timeout: 30, idle_timeout: 0, onnotice: () => undefined, ...o });

  test('fetch_types (its default): pg_type\'s array types become parsers and serializers, element oid -> array oid', async () => {
    const sql = connect();
    try {
      const r = await within(DEADLINE, 'postgres.js first query', sql`SELECT 1 AS one`);
      assert.deepEqual([...r], [{ one: 1 }]);
      const map = (sql.options as unknown as { shared: { typeArrayMap: Record<number, number> } }).shared.typeArrayMap;
      // int4, int8, text, float8, bool, varchar, uuid, json, timestamp, date, numeric (PostgreSQL's fixed OIDs).
      assert.deepEqual([23, 20, 25, 701, 16, 1043, 2950, 114, 1114, 1082, 1700].map((oid) => map[oid]), [1007, 1016, 1009, 1022, 1000, 1015, 2951, 199, 1115, 1182, 1231]);
      assert.equal(typeof sql.options.parsers[1007], 'function');
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  test('int4[] and varchar[] parameters round-trip through the loaded array types, and select rows of an API table', async () => {
    const sql = connect();
    try {
      // The types arrive with the first query; values are serialized when a query is made, so the
      // arrays go in the second: sql.array of numbers is text[] for postgres.js, cast to int4[].
      // (varchar[], not text[]: DuckDB has one string type, which restsql reports as varchar.)
      await within(DEADLINE, 'postgres.js first query', sql`SELECT 1`);
      const r = await within(DEADLINE, 'postgres.js arrays', sql`SELECT ${sql.array([1, 2, 3])}::int4[] AS a, ${sql.array(['x', 'y "z"', 'a,b'])}::varchar[] AS t`);
      assert.deepEqual([...r], [{ a: [1, 2, 3], t: ['x', 'y "z"', 'a,b'] }]);
      assert.deepEqual(r.columns.map((c) => c.type), [1007, 1015]);
      const rows = await within(DEADLINE, 'postgres.js = ANY(int4[])', sql`SELECT id, name FROM items WHERE id = ANY(${sql.array([1, 3])}::int4[]) ORDER BY id`);
      assert.deepEqual([...rows], [{ id: 1, name: 'item-1' }, { id: 3, name: 'item-3' }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  test('a catalog query with a parameter: its error (0A000 for a mix with an API table) comes back, it does not hang', async () => {
    const sql = connect();
    try {
      // postgres.js sends Parse, Describe and Flush, and waits for the answer before Bind:
      // an error there must be sent at the Flush, as PostgreSQL does.
      const e = await within(DEADLINE, 'postgres.js error', sql`SELECT i.id FROM items i, pg_catalog.pg_class c WHERE c.relname = ${'items'}`.then(() => undefined, (err: unknown) => err));
      assert.equal((e as { code?: string } | undefined)?.code, '0A000', String(e));
      const r = await within(DEADLINE, 'postgres.js after the error', sql`SELECT typname FROM pg_catalog.pg_type WHERE oid = ${23}`);
      assert.deepEqual([...r], [{ typname: 'int4' }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
