import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestSqlError, type ErrorCode } from '../../../src/errors/index.js';
import { classify, type Command, type CopyOptions } from '../../../src/server/sql/command.js';
import { SessionSettings } from '../../../src/server/sql/settings.js';
import { splitStatements } from '../../../src/sql/split.js';

/**
 * Error messages and positions marked "PG" are PostgreSQL 15.18's for the same statement (read on
 * 2026-12-03); PostgreSQL's SQLSTATE for each is noted where restsql's code differs.
 */

const set = (name: string, value: string, local = false): Command => ({ kind: 'set', tag: 'SET', name, value, local });

const CLASSIFY: readonly (readonly [sql: string, expected: Command])[] = [
  // SET
  ["SET DateStyle = 'ISO'", set('datestyle', 'ISO')],
  ['set extra_float_digits = 2', set('extra_float_digits', '2')],
  ['SET DateStyle = ISO, MDY', set('datestyle', 'iso, mdy')], // PG flattens the list so; SessionSettings prints ISO, MDY
  ["SET DateStyle = 'ISO', 'DMY'", set('datestyle', 'ISO, DMY')],
  ['  set   application_name   TO   psql  ', set('application_name', 'psql')],
  ['/* c */ SET -- x\n x.y = 1 ;', set('x.y', '1')],
  ['SET SESSION statement_timeout = 5000', set('statement_timeout', '5000')],
  ['SET LOCAL lock_timeout = \'1s\'', set('lock_timeout', '1s', true)],
  ['SET x.y TO DEFAULT', set('x.y', 'DEFAULT')],
  ['SET x.y = default', set('x.y', 'DEFAULT')],
  ['SET x.y = Bare', set('x.y', 'bare')], // PG folds a bare word
  ['SET x.y = "Quoted Id"', set('x.y', 'Quoted Id')],
  ['SET "X"."Y" = 1', set('X.Y', '1')],
  ['SET x.y = true', set('x.y', 'true')],
  ['SET x.y = ON', set('x.y', 'on')],
  ['SET x.y = -1', set('x.y', '-1')],
  ['SET x.y = +1', set('x.y', '1')], // PG
  ['SET x.y = 007', set('x.y', '7')], // PG
  ['SET x.y = 1e3', set('x.y', '1e3')], // PG
  ['SET x.y = -0.50', set('x.y', '-0.50')], // PG
  ['SET x.y = 99999999999', set('x.y', '99999999999')], // PG
  ["SET x.y = E'a\\\\tb'", set('x.y', 'a\\tb')], // PG
  ["SET x.y = E'it\\'s'", set('x.y', "it's")],
  ["SET x.y = U&'\\0041'", set('x.y', 'A')], // PG
  ["SET x.y = 'a'\n'b'", set('x.y', 'ab')], // PG: SQL-standard string continuation
  ["SET x.y = 'a' -- c\n 'b'", set('x.y', 'ab')],
  ['SET x.y = $$it;s$$', set('x.y', 'it;s')],
  ['SET search_path = a, "B", public', set('search_path', 'a, "B", public')], // PG
  ["SET search_path TO 'a, b'", set('search_path', '"a, b"')], // PG
  ["SET search_path = ''", set('search_path', '""')], // PG
  ['SET search_path = "$user", public', set('search_path', '"$user", public')],
  ['SET search_path = $$x$$', set('search_path', 'x')], // PG
  ["SET TIME ZONE 'Europe/Paris'", set('timezone', 'Europe/Paris')],
  ['SET TIME ZONE "Europe/Paris"', set('timezone', 'Europe/Paris')],
  ['SET TIME ZONE utc', set('timezone', 'utc')],
  ['SET TIME ZONE LOCAL', set('timezone', 'DEFAULT')],
  ['set time zone default', set('timezone', 'DEFAULT')],
  ['SET TIME ZONE -3.5', set('timezone', '-3.5')],
  ['SET LOCAL TIME ZONE \'UTC\'', set('timezone', 'UTC', true)],
  ["SET NAMES 'utf8'", set('client_encoding', 'utf8')],
  ['SET NAMES', set('client_encoding', 'DEFAULT')],
  ['SET NAMES DEFAULT', set('client_encoding', 'DEFAULT')],
  ["SET SCHEMA 'a b'", set('search_path', '"a b"')],
  ["SET SCHEMA 'abc'", set('search_path', 'abc')], // PG
  ['SET ROLE none', set('role', 'none')],
  ["SET ROLE 'alice'", set('role', 'alice')],
  ['SET role = alice', set('role', 'alice')],
  ['SET SESSION AUTHORIZATION alice', set('session_authorization', 'alice')],
  ['SET SESSION AUTHORIZATION DEFAULT', set('session_authorization', 'DEFAULT')],
  ['SET XML OPTION document', set('xmloption', 'document')],
  ['SET seed TO 0.5', set('seed', '0.5')],
  ['SET TRANSACTION READ ONLY', { kind: 'setTransaction', tag: 'SET', session: false, modes: { readOnly: true } }],
  ['SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', { kind: 'setTransaction', tag: 'SET', session: false, modes: { isolation: 'repeatable read' } }],
  [
    'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE',
    { kind: 'setTransaction', tag: 'SET', session: true, modes: { isolation: 'serializable', readOnly: false } },
  ],
  ['SET VARIABLE x = 1', { kind: 'engine' }], // DuckDB's
  // RESET / SHOW
  ['RESET ALL', { kind: 'reset', tag: 'RESET', name: 'ALL' }],
  ['reset DateStyle', { kind: 'reset', tag: 'RESET', name: 'datestyle' }],
  ['RESET TIME ZONE', { kind: 'reset', tag: 'RESET', name: 'timezone' }],
  ['RESET SESSION AUTHORIZATION', { kind: 'reset', tag: 'RESET', name: 'session_authorization' }],
  ['RESET TRANSACTION ISOLATION LEVEL', { kind: 'reset', tag: 'RESET', name: 'transaction_isolation' }],
  ['RESET "X".y', { kind: 'reset', tag: 'RESET', name: 'X.y' }],
  ['RESET VARIABLE x', { kind: 'engine' }],
  ['show transaction_isolation', { kind: 'show', tag: 'SHOW', name: 'transaction_isolation' }],
  ['SHOW ALL', { kind: 'show', tag: 'SHOW', name: 'ALL' }],
  ['SHOW TIME ZONE', { kind: 'show', tag: 'SHOW', name: 'timezone' }],
  ['show transaction isolation level', { kind: 'show', tag: 'SHOW', name: 'transaction_isolation' }],
  ['SHOW SESSION AUTHORIZATION', { kind: 'show', tag: 'SHOW', name: 'session_authorization' }],
  ['SHOW TABLES', { kind: 'engine' }], // DuckDB's
  ['SHOW ALL TABLES', { kind: 'engine' }],
  // Transactions
  ['BEGIN', { kind: 'begin', tag: 'BEGIN', readOnly: false, modes: {} }],
  ['begin work', { kind: 'begin', tag: 'BEGIN', readOnly: false, modes: {} }],
  ['BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY', { kind: 'begin', tag: 'BEGIN', readOnly: true, modes: { isolation: 'serializable', readOnly: true } }],
  ['BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE NOT DEFERRABLE', { kind: 'begin', tag: 'BEGIN', readOnly: false, modes: { isolation: 'read committed', readOnly: false, deferrable: false } }],
  ['begin read only, read write', { kind: 'begin', tag: 'BEGIN', readOnly: false, modes: { readOnly: false } }], // PG: the later mode wins
  ['BEGIN DEFERRABLE ISOLATION LEVEL READ UNCOMMITTED', { kind: 'begin', tag: 'BEGIN', readOnly: false, modes: { isolation: 'read uncommitted', deferrable: true } }],
  ['START TRANSACTION', { kind: 'begin', tag: 'START TRANSACTION', readOnly: false, modes: {} }],
  ['start transaction read only', { kind: 'begin', tag: 'START TRANSACTION', readOnly: true, modes: { readOnly: true } }],
  ['COMMIT', { kind: 'commit', tag: 'COMMIT', chain: false }],
  ['commit work;', { kind: 'commit', tag: 'COMMIT', chain: false }],
  ['COMMIT AND NO CHAIN', { kind: 'commit', tag: 'COMMIT', chain: false }],
  ['COMMIT TRANSACTION AND CHAIN', { kind: 'commit', tag: 'COMMIT', chain: true }],
  ['END', { kind: 'commit', tag: 'COMMIT', chain: false }],
  ['end transaction', { kind: 'commit', tag: 'COMMIT', chain: false }],
  ['ROLLBACK', { kind: 'rollback', tag: 'ROLLBACK', chain: false }],
  ['rollback and chain', { kind: 'rollback', tag: 'ROLLBACK', chain: true }],
  ['ABORT WORK', { kind: 'rollback', tag: 'ROLLBACK', chain: false }],
  ['SAVEPOINT s1', { kind: 'savepoint', tag: 'SAVEPOINT', name: 's1' }],
  ['savepoint "S2"', { kind: 'savepoint', tag: 'SAVEPOINT', name: 'S2' }],
  ['RELEASE SAVEPOINT S1', { kind: 'release', tag: 'RELEASE', name: 's1' }],
  ['release s1', { kind: 'release', tag: 'RELEASE', name: 's1' }],
  ['ROLLBACK TO SAVEPOINT "S2"', { kind: 'rollbackTo', tag: 'ROLLBACK', name: 'S2' }],
  ['rollback transaction to s2', { kind: 'rollbackTo', tag: 'ROLLBACK', name: 's2' }],
  ['ROLLBACK WORK TO SAVEPOINT x', { kind: 'rollbackTo', tag: 'ROLLBACK', name: 'x' }],
  // Prepared statements and session state
  ['DEALLOCATE stmt1', { kind: 'deallocate', tag: 'DEALLOCATE', name: 'stmt1' }],
  ['DEALLOCATE PREPARE "S_1"', { kind: 'deallocate', tag: 'DEALLOCATE', name: 'S_1' }],
  ['deallocate prepare all', { kind: 'deallocate', tag: 'DEALLOCATE ALL', name: 'ALL' }], // PG tag
  ['DISCARD ALL', { kind: 'discard', tag: 'DISCARD ALL', what: 'ALL' }],
  ['discard plans', { kind: 'discard', tag: 'DISCARD PLANS', what: 'PLANS' }],
  ['DISCARD SEQUENCES', { kind: 'discard', tag: 'DISCARD SEQUENCES', what: 'SEQUENCES' }],
  ['discard temporary', { kind: 'discard', tag: 'DISCARD TEMP', what: 'TEMP' }], // PG tag
  ['DISCARD TEMP', { kind: 'discard', tag: 'DISCARD TEMP', what: 'TEMP' }],
  ['LISTEN chan', { kind: 'listen', tag: 'LISTEN', channel: 'chan' }],
  ['UNLISTEN *', { kind: 'unlisten', tag: 'UNLISTEN', channel: '*' }],
  ['unlisten "Chan"', { kind: 'unlisten', tag: 'UNLISTEN', channel: 'Chan' }],
  ["NOTIFY chan, 'hello'", { kind: 'notify', tag: 'NOTIFY', channel: 'chan', payload: 'hello' }],
  ['NOTIFY chan', { kind: 'notify', tag: 'NOTIFY', channel: 'chan', payload: '' }],
  // COPY FROM
  ['COPY t FROM STDIN', { kind: 'copyIn' }],
  ['copy public.t (a, b) from stdin with (format csv)', { kind: 'copyIn' }],
  // The engine's, and empty statements
  ['SELECT 1', { kind: 'engine' }],
  ['  with x as (select 1) select * from x', { kind: 'engine' }],
  ['(SELECT 1)', { kind: 'engine' }],
  ['PREPARE p AS SELECT 1', { kind: 'engine' }],
  ['EXECUTE p', { kind: 'engine' }],
  ['settings', { kind: 'engine' }],
  ['constructor', { kind: 'engine' }],
  ["SELECT 'unterminated", { kind: 'engine' }], // the engine reports its own errors
  ['', { kind: 'empty' }],
  ['  ;; -- nothing', { kind: 'empty' }],
];

for (const [sql, expected] of CLASSIFY) {
  test(`classify(${JSON.stringify(sql)})`, () => {
    assert.deepEqual(classify(sql), expected);
  });
}

const text = (extra: Partial<CopyOptions> = {}): CopyOptions => ({ format: 'text', delimiter: '\t', null: '\\N', header: false, quote: '"', escape: '"', forceQuote: [], ...extra });
const csv = (extra: Partial<CopyOptions> = {}): CopyOptions => ({ format: 'csv', delimiter: ',', null: '', header: false, quote: '"', escape: '"', forceQuote: [], ...extra });

const COPY: readonly (readonly [sql: string, query: string, options: CopyOptions])[] = [
  ['COPY t TO STDOUT', 'SELECT * FROM t', text()],
  ['copy public.t to stdout', 'SELECT * FROM public.t', text()],
  ['COPY "My Table" ("Id", name) TO STDOUT', 'SELECT "Id", name FROM "My Table"', text()],
  ['COPY (SELECT a, (b) FROM t WHERE c = \';\') TO STDOUT', "SELECT a, (b) FROM t WHERE c = ';'", text()],
  ['copy (values (1)) to stdout', 'values (1)', text()],
  ['COPY t TO STDIN', 'SELECT * FROM t', text()], // PG: TO STDIN writes to the client as well
  ['COPY t TO STDOUT WITH', 'SELECT * FROM t', text()],
  ['COPY t TO STDOUT (FORMAT csv, HEADER)', 'SELECT * FROM t', csv({ header: true })],
  ['COPY t TO STDOUT WITH (format csv, header true, force_quote *)', 'SELECT * FROM t', csv({ header: true, forceQuote: '*' })],
  ['COPY t TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE (id, "V"))', 'SELECT * FROM t', csv({ header: true, forceQuote: ['id', 'V'] })],
  ['COPY t TO STDOUT (Format CSV)', 'SELECT * FROM t', csv()], // PG: a bare word is folded ('CSV' in quotes is not recognized)
  ["COPY t TO STDOUT (format 'csv')", 'SELECT * FROM t', csv()], // PG
  ['COPY t TO STDOUT (FORMAT csv, HEADER 1)', 'SELECT * FROM t', csv({ header: true })], // PG
  ['COPY t TO STDOUT (FORMAT csv, HEADER off)', 'SELECT * FROM t', csv()],
  ["COPY t TO STDOUT (FORMAT csv, DELIMITER E'\\t', NULL 'NULL')", 'SELECT * FROM t', csv({ delimiter: '\t', null: 'NULL' })],
  ["COPY t TO STDOUT (FORMAT csv, QUOTE '''', ESCAPE '\\')", 'SELECT * FROM t', csv({ quote: "'", escape: '\\' })],
  ["COPY t TO STDOUT (FORMAT csv, QUOTE '''')", 'SELECT * FROM t', csv({ quote: "'", escape: "'" })], // escape defaults to the quote
  ['COPY t TO STDOUT (FORMAT csv, FREEZE)', 'SELECT * FROM t', csv()], // PG accepts FREEZE with COPY TO
  ["COPY t TO STDOUT (ENCODING 'utf-8')", 'SELECT * FROM t', text({ encoding: 'UTF8' })],
  ['COPY t TO STDOUT (FORMAT binary)', 'SELECT * FROM t', text({ format: 'binary' })],
  // Legacy (pre-9.0) syntax
  ['copy t (id, "Name") to stdout with csv header', 'SELECT id, "Name" FROM t', csv({ header: true })],
  ['COPY t TO STDOUT WITH CSV FORCE QUOTE v', 'SELECT * FROM t', csv({ forceQuote: ['v'] })],
  ['COPY t TO STDOUT CSV FORCE QUOTE *', 'SELECT * FROM t', csv({ forceQuote: '*' })],
  ["COPY t TO STDOUT DELIMITER ',' NULL 'NULL'", 'SELECT * FROM t', text({ delimiter: ',', null: 'NULL' })],
  ["COPY t TO STDOUT WITH DELIMITER AS '|' NULL AS ''", 'SELECT * FROM t', text({ delimiter: '|', null: '' })],
  ["copy t to stdout csv quote '''' escape '\\'", 'SELECT * FROM t', csv({ quote: "'", escape: '\\' })],
  ["COPY t TO STDOUT USING DELIMITERS ','", 'SELECT * FROM t', text({ delimiter: ',' })],
  ['COPY BINARY t TO STDOUT', 'SELECT * FROM t', text({ format: 'binary' })],
  ['COPY t TO STDOUT WITH BINARY', 'SELECT * FROM t', text({ format: 'binary' })],
  [
    'copy t (id) to stdout csv header force quote id quote as \'"\' escape as \'"\' null as \'n\' delimiter as \';\'',
    'SELECT id FROM t',
    csv({ header: true, forceQuote: ['id'], null: 'n', delimiter: ';' }),
  ],
  ["COPY (SELECT 1) TO STDOUT WITH CSV HEADER DELIMITER ','", 'SELECT 1', csv({ header: true })],
];

for (const [sql, query, options] of COPY) {
  test(`classify(${JSON.stringify(sql)}) is copyOut`, () => {
    assert.deepEqual(classify(sql), { kind: 'copyOut', query, options });
  });
}

/** [statement, code, message, position (1-based, characters) or undefined when PostgreSQL gives none]. */
const ERRORS: readonly (readonly [sql: string, code: ErrorCode, message: string, position: number | undefined])[] = [
  ['set', 'QUERY_SYNTAX', 'syntax error at end of input', 4], // PG
  ['set x', 'QUERY_SYNTAX', 'syntax error at end of input', 6], // PG
  ['set x =', 'QUERY_SYNTAX', 'syntax error at end of input', 8], // PG
  ['set x =   ', 'QUERY_SYNTAX', 'syntax error at end of input', 11], // PG
  ['set timezone to', 'QUERY_SYNTAX', 'syntax error at end of input', 16], // PG
  ['set x = 1 2', 'QUERY_SYNTAX', 'syntax error at or near "2"', 11], // PG
  ['set x.y = (1)', 'QUERY_SYNTAX', 'syntax error at or near "("', 11], // PG
  ['set x.y = a b', 'QUERY_SYNTAX', 'syntax error at or near "b"', 13], // PG
  ['set = 1', 'QUERY_SYNTAX', 'syntax error at or near "="', 5], // PG (at 27 after "SET datestyle = ISO;  ")
  ["set x.y = B'101'", 'QUERY_SYNTAX', 'syntax error at or near "B\'101\'"', 11], // PG
  ["set x.y = 'a' 'b'", 'QUERY_SYNTAX', 'syntax error at or near "\'b\'"', 15], // PG: no continuation without a newline
  ['set x.y = 0x10', 'QUERY_SYNTAX', 'trailing junk after numeric literal at or near "0x10"', 11], // PG
  ["set x.y = 'é' junk", 'QUERY_SYNTAX', 'syntax error at or near "junk"', 15], // PG: positions count characters
  ['set x.y = -', 'QUERY_SYNTAX', 'syntax error at end of input', 12], // PG
  ['set x.y = 1,', 'QUERY_SYNTAX', 'syntax error at end of input', 13], // PG
  ['set x.y = 1, 2', 'SETTING_INVALID_VALUE', 'SET x.y takes only one argument', undefined], // PG (22023)
  ["set application_name = 'a', 'b'", 'SETTING_INVALID_VALUE', 'SET application_name takes only one argument', undefined], // PG (22023)
  ["set catalog 'x'", 'SERVER_UNSUPPORTED', 'current database cannot be changed', 13], // PG
  ['set x.y from current', 'SERVER_UNSUPPORTED', 'restsql serve does not support SET ... FROM CURRENT', undefined],
  ["SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE", 'SERVER_UNSUPPORTED', 'restsql serve does not support SET TIME ZONE INTERVAL', undefined],
  ["SET TRANSACTION SNAPSHOT '0001'", 'SERVER_UNSUPPORTED', 'restsql serve does not support SET TRANSACTION SNAPSHOT', undefined],
  ['SET TRANSACTION', 'QUERY_SYNTAX', 'syntax error at end of input', 16], // PG
  ['SET XML OPTION x', 'QUERY_SYNTAX', 'syntax error at or near "x"', 16], // PG
  ['show', 'QUERY_SYNTAX', 'syntax error at end of input', 5], // PG
  ['show a b', 'QUERY_SYNTAX', 'syntax error at or near "b"', 8], // PG
  ['reset', 'QUERY_SYNTAX', 'syntax error at end of input', 6], // PG
  ['begin read', 'QUERY_SYNTAX', 'syntax error at end of input', 11], // PG
  ['begin isolation level bogus', 'QUERY_SYNTAX', 'syntax error at or near "bogus"', 23], // PG
  ['begin foo', 'QUERY_SYNTAX', 'syntax error at or near "foo"', 7], // PG
  ['begin read only,', 'QUERY_SYNTAX', 'syntax error at end of input', 17], // PG
  ['start', 'QUERY_SYNTAX', 'syntax error at end of input', 6], // PG
  ['commit foo', 'QUERY_SYNTAX', 'syntax error at or near "foo"', 8], // PG
  ['commit and', 'QUERY_SYNTAX', 'syntax error at end of input', 11], // PG
  ['abort to x', 'QUERY_SYNTAX', 'syntax error at or near "to"', 7], // PG
  ['savepoint', 'QUERY_SYNTAX', 'syntax error at end of input', 10], // PG
  ['deallocate', 'QUERY_SYNTAX', 'syntax error at end of input', 11], // PG
  ['discard bogus', 'QUERY_SYNTAX', 'syntax error at or near "bogus"', 9], // PG
  ["commit prepared 'x'", 'SERVER_UNSUPPORTED', 'restsql serve does not support two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED)', undefined],
  ["ROLLBACK PREPARED 'x'", 'SERVER_UNSUPPORTED', 'restsql serve does not support two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED)', undefined],
  ["PREPARE TRANSACTION 'x'", 'SERVER_UNSUPPORTED', 'restsql serve does not support two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED)', undefined],
  ["set x.y = 'unterminated", 'QUERY_SYNTAX', 'unterminated quoted string at or near "\'unterminated"', 11],
  // COPY
  ["copy t to stdout (delimiter 'ab')", 'SERVER_UNSUPPORTED', 'COPY delimiter must be a single one-byte character', undefined], // PG (0A000)
  ["copy t to stdout (format csv, delimiter 'é')", 'SERVER_UNSUPPORTED', 'COPY delimiter must be a single one-byte character', undefined], // PG
  ["copy t to stdout (format text, quote '\"')", 'SERVER_UNSUPPORTED', 'COPY quote available only in CSV mode', undefined], // PG
  ["copy t to stdout (format csv, delimiter '\"')", 'SETTING_INVALID_VALUE', 'COPY delimiter and quote must be different', undefined], // PG (22023)
  ['copy t to stdout (format bogus)', 'SETTING_INVALID_VALUE', 'COPY format "bogus" not recognized', 19], // PG (22023)
  ['copy t to stdout (format "CSV")', 'SETTING_INVALID_VALUE', 'COPY format "CSV" not recognized', 19], // PG
  ["copy t to stdout (format 'CSV')", 'SETTING_INVALID_VALUE', 'COPY format "CSV" not recognized', 19], // PG
  ['copy t to stdout (bogus 1)', 'QUERY_SYNTAX', 'option "bogus" not recognized', 19], // PG
  ['copy t to stdout ("FORMAT" csv)', 'QUERY_SYNTAX', 'option "FORMAT" not recognized', 19], // PG
  ['copy t to stdout (header, header)', 'QUERY_SYNTAX', 'conflicting or redundant options', 27], // PG
  ['copy t to stdout with csv csv', 'QUERY_SYNTAX', 'conflicting or redundant options', 27], // PG
  ['copy binary t to stdout with csv', 'QUERY_SYNTAX', 'conflicting or redundant options', 30], // PG
  ["copy t to stdout with (format csv, delimiter ',', delimiter ',')", 'QUERY_SYNTAX', 'conflicting or redundant options', 51], // PG
  ['copy (select 1) to stdout (format csv, force_quote ("?column?"), force_quote *)', 'QUERY_SYNTAX', 'conflicting or redundant options', 66], // PG
  ["copy t to stdout (format text, delimiter '\\')", 'SETTING_INVALID_VALUE', 'COPY delimiter cannot be "\\"', undefined], // PG
  ["copy t to stdout (format text, delimiter 'a')", 'SETTING_INVALID_VALUE', 'COPY delimiter cannot be "a"', undefined], // PG
  ["copy t to stdout (delimiter E'\\n')", 'SETTING_INVALID_VALUE', 'COPY delimiter cannot be newline or carriage return', undefined], // PG
  ["copy t to stdout (null E'a\\nb')", 'SETTING_INVALID_VALUE', 'COPY null representation cannot use newline or carriage return', undefined], // PG
  ['copy t to stdout (format csv, header match)', 'SERVER_UNSUPPORTED', 'cannot use "match" with HEADER in COPY TO', undefined], // PG
  ['copy t to stdout (format csv, header yes)', 'QUERY_SYNTAX', 'header requires a Boolean value or "match"', undefined], // PG
  ['copy t to stdout (format csv, header 2)', 'QUERY_SYNTAX', 'header requires a Boolean value or "match"', undefined], // PG
  ["copy t to stdout (freeze 'x')", 'QUERY_SYNTAX', 'freeze requires a Boolean value', undefined], // PG
  ['copy t to stdout (null)', 'QUERY_SYNTAX', 'null requires a parameter', undefined], // PG
  ['copy t to stdout (format)', 'QUERY_SYNTAX', 'format requires a parameter', undefined], // PG
  ['copy t to stdout (format csv, force_quote)', 'SETTING_INVALID_VALUE', 'argument to option "force_quote" must be a list of column names', 31], // PG
  ['copy t to stdout (format text, force_quote *)', 'SERVER_UNSUPPORTED', 'COPY force quote available only in CSV mode', undefined], // PG
  ['copy t to stdout (format csv, force_not_null (v))', 'SERVER_UNSUPPORTED', 'COPY force not null only available using COPY FROM', undefined], // PG
  ["copy t to stdout (format csv, null 'a,b')", 'SERVER_UNSUPPORTED', 'COPY delimiter must not appear in the NULL specification', undefined], // PG
  ["copy t to stdout (format csv, null 'a\"b')", 'SERVER_UNSUPPORTED', 'CSV quote character must not appear in the NULL specification', undefined], // PG
  ["copy t to stdout (format csv, escape '')", 'SERVER_UNSUPPORTED', 'COPY escape must be a single one-byte character', undefined], // PG
  ["copy t to stdout (format text, escape '\\')", 'SERVER_UNSUPPORTED', 'COPY escape available only in CSV mode', undefined], // PG
  ["copy t to stdout (format csv, quote 'ab')", 'SERVER_UNSUPPORTED', 'COPY quote must be a single one-byte character', undefined], // PG
  ['copy t to stdout (format binary, header)', 'SERVER_UNSUPPORTED', 'cannot specify HEADER in BINARY mode', undefined], // PG
  ["copy t to stdout (format binary, delimiter ',')", 'QUERY_SYNTAX', 'cannot specify DELIMITER in BINARY mode', undefined], // PG
  ["copy t to stdout (format binary, null 'x')", 'QUERY_SYNTAX', 'cannot specify NULL in BINARY mode', undefined], // PG
  ["copy t to stdout (encoding 'LATIN1')", 'SERVER_UNSUPPORTED', 'COPY encoding "LATIN1" is not supported: restsql serve writes UTF8 only', 19],
  ['copy t to stdout ()', 'QUERY_SYNTAX', 'syntax error at or near ")"', 19], // PG
  ['copy t() to stdout', 'QUERY_SYNTAX', 'syntax error at or near ")"', 8], // PG
  ['copy t to stdout with oids', 'QUERY_SYNTAX', 'syntax error at or near "oids"', 23], // PG
  ['copy t to stdout where id > 1', 'QUERY_SYNTAX', 'WHERE clause not allowed with COPY TO', 18], // PG
  ['copy (select 1;) to stdout', 'QUERY_SYNTAX', 'syntax error at or near ";"', 15], // PG
  ['copy (select 1) from stdin', 'QUERY_SYNTAX', 'syntax error at or near "from"', 17], // PG
  ['copy (select 1) to stdout with (format csv) extra', 'QUERY_SYNTAX', 'syntax error at or near "extra"', 45], // PG
  ['copy () to stdout', 'QUERY_SYNTAX', 'syntax error at or near ")"', 7], // PG
  // PG parses the query and stops at "to" (16); restsql only balances the parentheses around it.
  ['copy (select 1 to stdout', 'QUERY_SYNTAX', 'syntax error at end of input', 25],
  ['copy t', 'QUERY_SYNTAX', 'syntax error at end of input', 7], // PG
  ["copy t to '/tmp/x'", 'QUERY_NOT_ALLOWED', 'COPY to or from a file or program is not allowed in restsql serve', undefined],
  ["copy t to program 'cat'", 'QUERY_NOT_ALLOWED', 'COPY to or from a file or program is not allowed in restsql serve', undefined],
  ["copy t from '/etc/passwd'", 'QUERY_NOT_ALLOWED', 'COPY to or from a file or program is not allowed in restsql serve', undefined],
  ["copy (select 1) to '/tmp/x'", 'QUERY_NOT_ALLOWED', 'COPY to or from a file or program is not allowed in restsql serve', undefined],
  ['listen', 'QUERY_SYNTAX', 'syntax error at end of input', 7], // PG
  ['notify x,', 'QUERY_SYNTAX', 'syntax error at end of input', 10], // PG
];

for (const [sql, code, message, position] of ERRORS) {
  test(`classify(${JSON.stringify(sql)}) throws ${code}: ${message}`, () => {
    assert.throws(
      () => classify(sql),
      (e: unknown) => {
        assert.ok(e instanceof RestSqlError, String(e));
        assert.equal(e.code, code);
        assert.equal(e.message, message);
        assert.equal(e.details.position, position);
        return true;
      },
    );
  });
}

test('syntax errors say what the command looks like', () => {
  assert.throws(() => classify('SET x'), (e: unknown) => e instanceof RestSqlError && /SET name = value/.test(e.hint ?? ''));
  assert.throws(() => classify('begin foo'), (e: unknown) => e instanceof RestSqlError && /ISOLATION LEVEL/.test(e.hint ?? ''));
  assert.throws(() => classify('copy t'), (e: unknown) => e instanceof RestSqlError && /TO STDOUT/.test(e.hint ?? ''));
});

test("psqlODBC's first message runs through split, classify and the settings", () => {
  const settings = new SessionSettings({ user: 'odbc', database: 'db', serverVersion: '15.18 (restsql 0.1.0)', timeZone: 'UTC' });
  const answers: string[] = [];
  for (const { sql } of splitStatements("SET DateStyle = 'ISO';SET extra_float_digits = 2;show transaction_isolation")) {
    const c = classify(sql);
    if (c.kind === 'set') {
      assert.deepEqual(settings.set(c.name, c.value, c.local), []);
      answers.push(c.tag);
    } else if (c.kind === 'show') {
      answers.push(`${settings.show(c.name).columns.join()}=${settings.value(c.name)}`);
    } else {
      assert.fail(`unexpected ${c.kind}`);
    }
  }
  assert.deepEqual(answers, ['SET', 'SET', 'transaction_isolation=repeatable read']);
  assert.equal(settings.extraFloatDigits, 2);
});

test('SET DateStyle = ISO, DMY through classify and the settings shows ISO, DMY', () => {
  const settings = new SessionSettings({ user: 'u', database: 'db', serverVersion: '15.18', timeZone: 'UTC' });
  const c = classify('SET DateStyle = ISO, DMY');
  assert.equal(c.kind, 'set');
  if (c.kind !== 'set') return;
  assert.deepEqual(settings.set(c.name, c.value, c.local), [['DateStyle', 'ISO, DMY']]);
  assert.deepEqual(settings.show(c.name), { columns: ['DateStyle'], rows: [['ISO, DMY']] });
});
