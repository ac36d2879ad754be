import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestSqlError, type ErrorCode } from '../../../src/errors/index.js';
import { parseStartupOptions, SessionSettings, type SessionSettingsInit } from '../../../src/server/sql/settings.js';

/**
 * Expected values marked "PG" were read from PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on
 * 2026-12-03 with the same SET / SHOW / RESET; the others are restsql serve's documented choices.
 */

const VERSION = '15.18 (restsql 0.1.0)';

function settings(extra: Partial<SessionSettingsInit> = {}): SessionSettings {
  return new SessionSettings({ user: 'alice', database: 'db', serverVersion: VERSION, timeZone: 'UTC', ...extra });
}

function startup(entries: Record<string, string>): SessionSettings {
  return settings({ startupOptions: new Map(Object.entries(entries)) });
}

function throwsWith(f: () => unknown, code: ErrorCode, message: string | RegExp, hint?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof RestSqlError, `not a RestSqlError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    if (hint !== undefined) assert.match(e.hint ?? '', hint);
    return true;
  });
}

test('reported(): the ParameterStatus list in PostgreSQL 15 order', () => {
  assert.deepEqual(settings().reported(), [
    ['application_name', ''],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
    ['integer_datetimes', 'on'],
    ['IntervalStyle', 'postgres'],
    ['is_superuser', 'off'],
    ['server_encoding', 'UTF8'],
    ['server_version', VERSION],
    ['session_authorization', 'alice'],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', 'UTC'],
  ]);
});

test('without a time zone the host zone is the default, in its IANA spelling', () => {
  const s = new SessionSettings({ user: 'u', database: 'd', serverVersion: VERSION });
  assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: s.timeZone }));
});

test('startup parameters are applied as SETs: options first, then the named parameters', () => {
  const s = startup({
    user: 'alice',
    database: 'db',
    replication: 'false',
    _pq_: 'x',
    '_pq_.extension': 'y',
    // PG: options are read first and named parameters override them (statement_timeout ends as 2s).
    options: '-c search_path=x,y -c statement_timeout=1s --lock-timeout=1s -cextra_float_digits=3 -c datestyle=ISO,\\ DMY -c application_name=a\\\\b',
    statement_timeout: '2s',
    TimeZone: 'europe/paris',
    client_encoding: 'utf-8',
  });
  assert.equal(s.value('search_path'), 'x,y');
  assert.equal(s.value('statement_timeout'), '2s');
  assert.equal(s.statementTimeoutMs, 2000);
  assert.equal(s.lockTimeoutMs, 1000);
  assert.equal(s.extraFloatDigits, 3);
  assert.equal(s.value('DateStyle'), 'ISO, DMY');
  assert.equal(s.applicationName, 'a\\b');
  assert.equal(s.timeZone, 'Europe/Paris');
  assert.equal(s.clientEncoding, 'UTF8');
  // _pq_ itself is a name like any other; only the _pq_. protocol options are skipped.
  assert.equal(s.value('_pq_'), 'x');
  assert.throws(() => s.show('_pq_.extension'), /unrecognized configuration parameter/);
  assert.throws(() => s.show('replication'), /unrecognized configuration parameter/);
});

test('startup application_name is cleaned as PostgreSQL 15 cleans it (PG: é -> ??)', () => {
  assert.equal(startup({ application_name: 'é' }).applicationName, '??');
  assert.equal(settings({ applicationName: 'psql' }).reported()[0]?.[1], 'psql');
});

test('RESET returns to the value the startup packet set', () => {
  const s = startup({ DateStyle: 'ISO, DMY', TimeZone: 'Europe/Paris' });
  s.set('DateStyle', 'YMD');
  s.set('TimeZone', 'UTC');
  assert.deepEqual(s.reset('DateStyle'), [['DateStyle', 'ISO, DMY']]);
  assert.deepEqual(s.reset('ALL'), [['TimeZone', 'Europe/Paris']]);
});

const BAD_STARTUP: readonly (readonly [entries: Record<string, string>, code: ErrorCode, message: string | RegExp])[] = [
  [{ TimeZone: 'Nowhere/X' }, 'SETTING_INVALID_VALUE', 'invalid value for parameter "TimeZone": "Nowhere/X"'],
  [{ server_version: '9' }, 'SETTING_READ_ONLY', 'parameter "server_version" cannot be changed'],
  [{ is_superuser: 'off' }, 'SETTING_READ_ONLY', 'parameter "is_superuser" cannot be changed'],
  [{ client_encoding: 'LATIN1' }, 'SERVER_UNSUPPORTED', /^client_encoding "LATIN1" is not supported: restsql serve speaks UTF8 only/],
  [{ DateStyle: 'SQL' }, 'SERVER_UNSUPPORTED', /^DateStyle "SQL" is not supported/],
  [{ options: '-x' }, 'QUERY_SYNTAX', 'invalid command-line argument for server process: -x'],
  [{ options: '-c search_path' }, 'QUERY_SYNTAX', '-c search_path requires a value'],
  [{ options: '-c' }, 'QUERY_SYNTAX', '-c requires a value'],
];

for (const [entries, code, message] of BAD_STARTUP) {
  test(`startup ${JSON.stringify(entries)} is refused`, () => {
    throwsWith(() => startup(entries), code, message);
  });
}

test('parseStartupOptions reads -c, -cname, --name and backslash escapes', () => {
  assert.deepEqual(parseStartupOptions('  -c a=1   -cb=2 --c-d=3 -c e=x\\ y\\\\z -c f=  '), [
    ['a', '1'],
    ['b', '2'],
    ['c_d', '3'],
    ['e', 'x y\\z'],
    ['f', ''],
  ]);
  assert.deepEqual(parseStartupOptions(''), []);
});

// name, value given to SET, what SHOW answers afterwards.
const SET_SHOW: readonly (readonly [name: string, value: string, shown: string])[] = [
  ['DateStyle', 'ISO, DMY', 'ISO, DMY'], // PG
  ['datestyle', 'iso,ymd', 'ISO, YMD'], // PG
  ['DATESTYLE', 'euro', 'ISO, DMY'], // PG
  ['DateStyle', 'US', 'ISO, MDY'], // PG
  ['DateStyle', 'YMD', 'ISO, YMD'], // the output style stays
  ['DateStyle', '', 'ISO, MDY'], // PG: an empty list keeps both parts
  ['DateStyle', 'default', 'ISO, MDY'], // PG
  ['DateStyle', '"ISO" , "DMY"', 'ISO, DMY'],
  ['TimeZone', 'utc', 'UTC'], // PG
  ['timezone', 'europe/paris', 'Europe/Paris'], // PG
  ['TimeZone', 'Etc/UTC', 'Etc/UTC'], // PG
  ['TimeZone', 'GMT', 'GMT'], // PG
  ['TimeZone', 'Asia/Calcutta', 'Asia/Calcutta'], // PG: an alias stays as written
  ['TimeZone', 'US/Eastern', 'US/Eastern'], // an alias written in its spelling stays
  // PG answers America/Argentina/Buenos_Aires; an alias written in lower case cannot be re-spelled, so the canonical name.
  ['TimeZone', 'america/argentina/buenos_aires', 'America/Buenos_Aires'],
  ['extra_float_digits', '2.5', '2'], // PG: rounded half to even
  ['extra_float_digits', '-2.5', '-2'], // PG
  ['extra_float_digits', '-15', '-15'],
  ['statement_timeout', '5s', '5s'], // PG
  ['statement_timeout', '1500', '1500ms'], // PG
  ['statement_timeout', '1min', '1min'], // PG
  ['statement_timeout', '60000', '1min'], // PG
  ['statement_timeout', '2h', '2h'], // PG
  ['statement_timeout', '1.5s', '1500ms'], // PG
  ['statement_timeout', '100us', '0'], // PG
  ['statement_timeout', '1d', '1d'], // PG
  ['statement_timeout', '3 s', '3s'], // PG
  ['statement_timeout', '0x10', '16ms'], // PG: strtol base 0
  ['statement_timeout', '010', '8ms'], // PG: octal
  ['lock_timeout', '250ms', '250ms'],
  ['idle_in_transaction_session_timeout', '10min', '10min'],
  ['default_transaction_read_only', 'true', 'on'], // PG
  ['default_transaction_read_only', 'yes', 'on'], // PG
  ['default_transaction_read_only', '1', 'on'], // PG
  ['default_transaction_read_only', 'T', 'on'], // PG
  ['default_transaction_read_only', 'of', 'off'], // PG
  ['default_transaction_read_only', 'n', 'off'],
  ['default_transaction_isolation', 'SERIALIZABLE', 'serializable'], // PG
  ['default_transaction_isolation', 'read uncommitted', 'read uncommitted'],
  ['application_name', 'é'.repeat(64), '?'.repeat(62)], // PG: cut to 63 bytes, then cleaned
  ['application_name', 'abcdefghijklmnopqrstuvwxyz'.repeat(3), 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'], // PG
  ['application_name', 'a\tb', 'a?b'], // PG
  ['application_name', '42', '42'], // PG
  ['search_path', '"$user", public, "My Schema"', '"$user", public, "My Schema"'],
  ['client_encoding', 'UTF-8', 'UTF8'], // PG
  ['client_encoding', 'utf_8', 'UTF8'], // PG
  ['client_encoding', 'Unicode', 'UTF8'], // PG
  ['client_encoding', 'sql_ascii', 'SQL_ASCII'],
  ['IntervalStyle', 'POSTGRES', 'postgres'], // PG
  ['bytea_output', 'HEX', 'hex'], // PG
  ['standard_conforming_strings', 'true', 'on'],
  ['xmloption', 'DOCUMENT', 'document'],
  ['lc_messages', 'en_US.UTF-8', 'en_US.UTF-8'],
  ['session_authorization', 'alice', 'alice'], // the session's own user
  ['role', 'none', 'none'],
  ['x.y', 'Some Value', 'Some Value'], // PG: a custom (dotted) name
  ['jit', 'off', 'off'], // a PostgreSQL setting restsql serve only stores
];

for (const [name, value, shown] of SET_SHOW) {
  test(`SET ${name} = ${JSON.stringify(value)}; SHOW answers ${JSON.stringify(shown)}`, () => {
    const s = settings();
    s.set(name, value);
    assert.equal(s.value(name), shown);
    assert.equal(s.value(name.toUpperCase()), shown);
  });
}

// name, value, code, message, hint. PostgreSQL answers 22023 where these say QUERY_BAD_PARAMETER.
const SET_ERRORS: readonly (readonly [name: string, value: string, code: ErrorCode, message: string | RegExp, hint?: RegExp])[] = [
  ['TimeZone', 'Nowhere/X', 'SETTING_INVALID_VALUE', 'invalid value for parameter "TimeZone": "Nowhere/X"', /IANA/], // PG message
  ['TimeZone', 'UTC+2', 'SETTING_INVALID_VALUE', 'invalid value for parameter "TimeZone": "UTC+2"'],
  ['TimeZone', '+02:00', 'SETTING_INVALID_VALUE', 'invalid value for parameter "TimeZone": "+02:00"'],
  ['TimeZone', '2', 'SETTING_INVALID_VALUE', 'invalid value for parameter "TimeZone": "2"'],
  ['TimeZone', 'Z', 'SETTING_INVALID_VALUE', 'invalid value for parameter "TimeZone": "Z"'], // PG refuses it too
  ['extra_float_digits', '4', 'SETTING_INVALID_VALUE', '4 is outside the valid range for parameter "extra_float_digits" (-15 .. 3)'], // PG
  ['extra_float_digits', '3.5', 'SETTING_INVALID_VALUE', '4 is outside the valid range for parameter "extra_float_digits" (-15 .. 3)'], // PG
  ['extra_float_digits', '-16', 'SETTING_INVALID_VALUE', '-16 is outside the valid range for parameter "extra_float_digits" (-15 .. 3)'], // PG
  ['extra_float_digits', 'abc', 'SETTING_INVALID_VALUE', 'invalid value for parameter "extra_float_digits": "abc"'], // PG
  ['extra_float_digits', '2s', 'SETTING_INVALID_VALUE', 'invalid value for parameter "extra_float_digits": "2s"'],
  ['statement_timeout', '-1', 'SETTING_INVALID_VALUE', '-1 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)'], // PG
  ['statement_timeout', 'x', 'SETTING_INVALID_VALUE', 'invalid value for parameter "statement_timeout": "x"'], // PG
  ['statement_timeout', 'on', 'SETTING_INVALID_VALUE', 'invalid value for parameter "statement_timeout": "on"'], // PG
  ['statement_timeout', '.5s', 'SETTING_INVALID_VALUE', 'invalid value for parameter "statement_timeout": ".5s"'],
  ['statement_timeout', '5 S', 'SETTING_INVALID_VALUE', 'invalid value for parameter "statement_timeout": "5 S"', /^Valid units for this parameter are "us", "ms", "s", "min", "h", and "d"\.$/], // PG
  ['statement_timeout', '99999999999', 'SETTING_INVALID_VALUE', 'invalid value for parameter "statement_timeout": "99999999999"', /integer range/],
  ['default_transaction_read_only', 'maybe', 'SETTING_INVALID_VALUE', 'parameter "default_transaction_read_only" requires a Boolean value'], // PG
  ['default_transaction_read_only', 'o', 'SETTING_INVALID_VALUE', 'parameter "default_transaction_read_only" requires a Boolean value'], // PG
  ['default_transaction_read_only', '', 'SETTING_INVALID_VALUE', 'parameter "default_transaction_read_only" requires a Boolean value'], // PG
  ['default_transaction_isolation', 'bogus', 'SETTING_INVALID_VALUE', 'invalid value for parameter "default_transaction_isolation": "bogus"', /^Available values: serializable, repeatable read, read committed, read uncommitted\.$/], // PG
  ['DateStyle', 'ISO DMY', 'SETTING_INVALID_VALUE', 'invalid value for parameter "DateStyle": "ISO DMY"', /^List syntax is invalid\.$/], // PG
  ['DateStyle', 'ISO, SQL', 'SETTING_INVALID_VALUE', 'invalid value for parameter "DateStyle": "ISO, SQL"', /^Conflicting "datestyle" specifications\.$/], // PG
  ['DateStyle', 'dmy, mdy', 'SETTING_INVALID_VALUE', 'invalid value for parameter "DateStyle": "dmy, mdy"', /^Conflicting "datestyle" specifications\.$/], // PG
  ['DateStyle', 'bogus', 'SETTING_INVALID_VALUE', 'invalid value for parameter "DateStyle": "bogus"', /^Unrecognized key word: "bogus"\.$/], // PG
  ['DateStyle', 'ISO,', 'SETTING_INVALID_VALUE', 'invalid value for parameter "DateStyle": "ISO,"', /List syntax/],
  ['DateStyle', 'SQL', 'SERVER_UNSUPPORTED', /^DateStyle "SQL" is not supported: restsql serve writes dates in the ISO style only/, /SET DateStyle = 'ISO, MDY'/],
  ['DateStyle', 'German', 'SERVER_UNSUPPORTED', /^DateStyle "German" is not supported/, /'ISO, DMY'/],
  ['DateStyle', 'Postgres, DMY', 'SERVER_UNSUPPORTED', /^DateStyle "Postgres, DMY" is not supported/],
  ['client_encoding', 'latin1', 'SERVER_UNSUPPORTED', /^client_encoding "latin1" is not supported/, /UTF8/],
  ['IntervalStyle', 'iso_8601', 'SERVER_UNSUPPORTED', /^IntervalStyle "iso_8601" is not supported/],
  ['IntervalStyle', 'bogus', 'SETTING_INVALID_VALUE', 'invalid value for parameter "IntervalStyle": "bogus"', /^Available values: postgres, postgres_verbose, sql_standard, iso_8601\.$/], // PG hint
  ['bytea_output', 'escape', 'SERVER_UNSUPPORTED', /^bytea_output "escape" is not supported/],
  ['bytea_output', 'bogus', 'SETTING_INVALID_VALUE', 'invalid value for parameter "bytea_output": "bogus"', /^Available values: escape, hex\.$/], // PG hint
  ['standard_conforming_strings', 'off', 'SERVER_UNSUPPORTED', /^standard_conforming_strings "off" is not supported/],
  ['session_authorization', 'bob', 'SERVER_UNSUPPORTED', 'restsql serve cannot change the session user to "bob"'],
  ['role', 'bob', 'SETTING_INVALID_VALUE', 'role "bob" does not exist'], // PG message
  ...['server_version', 'server_version_num', 'server_encoding', 'is_superuser', 'integer_datetimes', 'max_identifier_length', 'lc_collate', 'lc_ctype', 'in_hot_standby', 'block_size'].map(
    (name) => [name, '1', 'SETTING_READ_ONLY', `parameter "${name}" cannot be changed`] as const, // PG message (55P02)
  ),
];

for (const [name, value, code, message, hint] of SET_ERRORS) {
  test(`SET ${name} = ${JSON.stringify(value)} is refused with ${code}`, () => {
    const s = settings();
    const before = s.show('ALL');
    throwsWith(() => s.set(name, value), code, message, hint);
    assert.deepEqual(s.show('ALL'), before, 'a refused SET changes nothing');
  });
}

test('SHOW of an unknown name: PostgreSQL\'s "unrecognized configuration parameter", with a suggestion', () => {
  const s = settings();
  throwsWith(() => s.show('foo'), 'SETTING_UNKNOWN', 'unrecognized configuration parameter "foo"');
  throwsWith(() => s.show('datestle'), 'SETTING_UNKNOWN', 'unrecognized configuration parameter "datestle"', /Did you mean DateStyle\?/);
});

test('SHOW names its column with PostgreSQL\'s spelling; a custom name keeps the spelling it was set with', () => {
  const s = settings();
  assert.deepEqual(s.show('datestyle'), { columns: ['DateStyle'], rows: [['ISO, MDY']] }); // PG
  assert.deepEqual(s.show('TIMEZONE'), { columns: ['TimeZone'], rows: [['UTC']] });
  assert.deepEqual(s.show('is_superuser'), { columns: ['is_superuser'], rows: [['off']] });
  assert.deepEqual(s.show('server_version_num'), { columns: ['server_version_num'], rows: [['150018']] });
  assert.deepEqual(s.show('max_identifier_length'), { columns: ['max_identifier_length'], rows: [['63']] });
  assert.deepEqual(s.show('transaction_isolation'), { columns: ['transaction_isolation'], rows: [['repeatable read']] });
  s.set('My.Setting', 'v');
  assert.deepEqual(s.show('my.setting'), { columns: ['My.Setting'], rows: [['v']] });
});

test('SHOW ALL: name, setting, description, sorted ignoring case, without the hidden and custom settings', () => {
  const s = settings();
  s.set('x.y', '1');
  const all = s.show('ALL');
  assert.deepEqual(all.columns, ['name', 'setting', 'description']);
  const names = all.rows.map((r) => r[0] as string);
  assert.deepEqual(names, [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
  for (const hidden of ['is_superuser', 'session_authorization', 'role', 'x.y']) assert.ok(!names.includes(hidden), hidden);
  assert.deepEqual(
    all.rows.find((r) => r[0] === 'DateStyle'),
    ['DateStyle', 'ISO, MDY', 'Sets the display format for date and time values.'], // PG
  );
  assert.ok(names.indexOf('client_encoding') < names.indexOf('DateStyle') && names.indexOf('DateStyle') < names.indexOf('default_transaction_deferrable'));
});

test('SET reports exactly the reported settings whose value changed', () => {
  const s = settings();
  s.reported();
  assert.deepEqual(s.set('DateStyle', 'ISO'), []); // PG: no ParameterStatus, the value is still ISO, MDY
  assert.deepEqual(s.set('DateStyle', 'ISO, DMY'), [['DateStyle', 'ISO, DMY']]); // PG
  assert.deepEqual(s.set('extra_float_digits', '3'), []); // not a reported setting
  assert.deepEqual(s.set('application_name', 'psql'), [['application_name', 'psql']]);
  assert.deepEqual(s.set('application_name', 'psql'), []);
  assert.deepEqual(s.set('default_transaction_read_only', 'true'), [['default_transaction_read_only', 'on']]); // PG
  assert.deepEqual(s.set('client_encoding', 'unicode'), []); // PG: still UTF8
  assert.deepEqual(s.set('TimeZone', 'Europe/Paris'), [['TimeZone', 'Europe/Paris']]);
  // PG: RESET ALL reports each changed reported setting, in order.
  assert.deepEqual(s.reset('ALL'), [
    ['application_name', ''],
    ['DateStyle', 'ISO, MDY'],
    ['default_transaction_read_only', 'off'],
    ['TimeZone', 'UTC'],
  ]);
  assert.equal(s.extraFloatDigits, 1);
  assert.deepEqual(s.reset('ALL'), []);
});

test('SET name TO DEFAULT and RESET name', () => {
  const s = settings();
  s.set('search_path', 'a');
  s.set('search_path', 'DEFAULT');
  assert.equal(s.value('search_path'), '"$user", public'); // PG
  s.set('session_authorization', 'DEFAULT');
  assert.equal(s.value('session_authorization'), 'alice');
  s.set('x.y', 'a');
  s.reset('x.y');
  assert.equal(s.value('x.y'), ''); // PG: the custom name stays, empty
  assert.deepEqual(s.reset('not_known_anywhere'), []);
});

test('a transaction: COMMIT keeps SET, ends SET LOCAL (PG)', () => {
  const s = settings();
  s.beginTransaction();
  s.set('x.y', 'a');
  s.set('x.z', 'b', true);
  assert.equal(s.value('x.z'), 'b');
  assert.deepEqual(s.endTransaction(true), []);
  assert.equal(s.value('x.z'), '');
  assert.equal(s.value('x.y'), 'a');
});

test('a transaction: ROLLBACK undoes SET and reports what it restores (PG)', () => {
  const s = settings();
  s.beginTransaction();
  s.set('x.w', 'a');
  assert.deepEqual(s.set('DateStyle', 'DMY'), [['DateStyle', 'ISO, DMY']]);
  assert.deepEqual(s.endTransaction(false), [['DateStyle', 'ISO, MDY']]);
  assert.equal(s.value('x.w'), '');
  assert.equal(s.inTransaction, false);
});

test('SET LOCAL lasts to the end of the transaction and is reported both ways (PG); outside one it does nothing', () => {
  const s = settings();
  assert.deepEqual(s.set('DateStyle', 'DMY', true), []);
  assert.equal(s.value('DateStyle'), 'ISO, MDY');
  s.beginTransaction();
  assert.deepEqual(s.set('DateStyle', 'DMY', true), [['DateStyle', 'ISO, DMY']]);
  assert.deepEqual(s.endTransaction(true), [['DateStyle', 'ISO, MDY']]);
});

test('savepoints: ROLLBACK TO undoes the SETs after it, RELEASE keeps them', () => {
  const s = settings();
  s.beginTransaction();
  s.set('x.a', '1');
  s.savepoint('s1');
  s.set('x.a', '2');
  s.savepoint('s2');
  s.set('x.a', '3');
  s.rollbackToSavepoint('s1');
  assert.equal(s.value('x.a'), '1');
  s.set('x.a', '4');
  s.rollbackToSavepoint('s1'); // the savepoint stays after a rollback to it
  assert.equal(s.value('x.a'), '1');
  throwsWith(() => s.rollbackToSavepoint('s2'), 'SAVEPOINT_UNKNOWN', 'savepoint "s2" does not exist');
  s.set('x.a', '5');
  s.releaseSavepoint('s1');
  throwsWith(() => s.releaseSavepoint('s1'), 'SAVEPOINT_UNKNOWN', 'savepoint "s1" does not exist');
  s.endTransaction(true);
  assert.equal(s.value('x.a'), '5');
});

test('transaction characteristics: defaults outside a transaction, BEGIN modes inside (PG)', () => {
  const s = settings();
  assert.equal(s.value('transaction_isolation'), 'repeatable read');
  assert.equal(s.transactionReadOnly, false);
  s.set('transaction_isolation', 'serializable'); // PG: outside a transaction it changes nothing
  assert.equal(s.value('transaction_isolation'), 'repeatable read');
  s.set('default_transaction_isolation', 'serializable');
  assert.equal(s.value('transaction_isolation'), 'serializable');
  s.beginTransaction({ isolation: 'read committed', readOnly: true, deferrable: true });
  assert.equal(s.isolationLevel, 'read committed');
  assert.equal(s.value('transaction_read_only'), 'on');
  assert.equal(s.value('transaction_deferrable'), 'on');
  assert.equal(s.transactionReadOnly, true);
  s.set('transaction_isolation', 'repeatable read'); // PG: SET TRANSACTION ISOLATION LEVEL inside one
  assert.equal(s.value('transaction_isolation'), 'repeatable read');
  s.reset('transaction_isolation'); // RESET TRANSACTION ISOLATION LEVEL: back to the session default
  assert.equal(s.value('transaction_isolation'), 'serializable');
  s.set('transaction_read_only', 'DEFAULT');
  assert.equal(s.value('transaction_read_only'), 'off');
  s.endTransaction(true);
  assert.equal(s.value('transaction_read_only'), 'off');
  assert.equal(s.value('transaction_isolation'), 'serializable');
});

test('BEGIN without modes takes default_transaction_read_only', () => {
  const s = settings();
  s.set('default_transaction_read_only', 'on');
  assert.equal(s.readOnlyDefault, true);
  s.beginTransaction();
  assert.equal(s.transactionReadOnly, true);
  s.endTransaction(false);
  s.beginTransaction({ readOnly: false });
  assert.equal(s.transactionReadOnly, false);
});

test('SET SESSION CHARACTERISTICS sets the defaults and reports default_transaction_read_only (PG); SET TRANSACTION outside one does nothing', () => {
  const s = settings();
  assert.deepEqual(s.setTransactionModes({ readOnly: true, isolation: 'serializable' }, true), [['default_transaction_read_only', 'on']]);
  assert.equal(s.value('default_transaction_isolation'), 'serializable');
  assert.deepEqual(s.setTransactionModes({ readOnly: false }, false), []);
  assert.equal(s.transactionReadOnly, true);
  s.beginTransaction();
  s.setTransactionModes({ readOnly: false, deferrable: true }, false);
  assert.equal(s.transactionReadOnly, false);
  assert.equal(s.value('transaction_deferrable'), 'on');
});

test('accessors the session reads', () => {
  const s = settings();
  assert.equal(s.statementTimeoutMs, 0);
  s.set('statement_timeout', '1.5s');
  s.set('idle_in_transaction_session_timeout', '1min');
  s.set('lock_timeout', '20');
  s.set('extra_float_digits', '-3');
  s.set('application_name', 'tool');
  s.set('TimeZone', 'asia/tokyo');
  assert.equal(s.statementTimeoutMs, 1500);
  assert.equal(s.idleInTransactionSessionTimeoutMs, 60_000);
  assert.equal(s.lockTimeoutMs, 20);
  assert.equal(s.extraFloatDigits, -3);
  assert.equal(s.applicationName, 'tool');
  assert.equal(s.timeZone, 'Asia/Tokyo');
  assert.equal(s.readOnlyDefault, false);
});
