/**
 * The escape rewriter (src/engine/odbc-escapes.ts), table-driven: what each escape becomes, what
 * is left alone (DuckDB's own braces, literals, identifiers, comments), the errors with their
 * codes and positions; and docs/sql.md's function table, generated from the function table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRestSqlError } from '../../../src/errors/index.js';
import { rewriteEscapes } from '../../../src/engine/odbc-escapes.js';
import { odbcFunctionTable } from '../../../src/engine/odbc-functions.js';
import { ROOT } from '../../support/cli.js';

const REWRITES: [input: string, output: string][] = [
  ["SELECT {d '2024-01-31'}", "SELECT DATE '2024-01-31'"],
  ["SELECT {D'2024-01-31'}", "SELECT DATE '2024-01-31'"],
  ["SELECT {t '13:45:00'}", "SELECT TIME '13:45:00'"],
  ["SELECT {ts '2024-01-31 13:45:00.123'}", "SELECT TIMESTAMP '2024-01-31 13:45:00.123'"],
  ["SELECT {ts '2024-01-31 13:45:00.123456789'}", "SELECT TIMESTAMP_NS '2024-01-31 13:45:00.123456789'"],
  ["SELECT {guid '0b1f2e7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b'}", "SELECT CAST('0b1f2e7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b' AS UUID)"],
  ["SELECT x{d '2024-01-31'}", "SELECT x DATE '2024-01-31'"],
  ['SELECT * FROM {oj a LEFT OUTER JOIN b ON a.id = b.id}', 'SELECT * FROM a LEFT OUTER JOIN b ON a.id = b.id'],
  ["SELECT * FROM t WHERE s LIKE 'a\\_%' {escape '\\'}", "SELECT * FROM t WHERE s LIKE 'a\\_%' ESCAPE '\\'"],
  ['SELECT * FROM t {limit 5 offset 2}', 'SELECT * FROM t LIMIT 5 offset 2'],
  ["SELECT {interval '1' day}", "SELECT INTERVAL '1' day"],
  ['SELECT {fn UCASE(name)} FROM t', 'SELECT upper((name)) FROM t'],
  ['SELECT {FN ucase ( name )} FROM t', 'SELECT upper((name)) FROM t'],
  ['SELECT {fn UCASE({fn LCASE(name)})} FROM t', 'SELECT upper((lower((name)))) FROM t'],
  ['SELECT {fn PI()}', 'SELECT pi()'],
  ['SELECT {fn LOG(x)}, {fn DAYOFWEEK(d)}', 'SELECT ln((x)), (dayofweek((d)) + 1)'],
  ['SELECT {fn LOCATE(a, b)}', 'SELECT instr((b), (a))'],
  ['SELECT {fn CONVERT(x, SQL_VARCHAR)}, {fn convert(x, integer)}', 'SELECT CAST((x) AS VARCHAR), CAST((x) AS INTEGER)'],
  ['SELECT {fn EXTRACT(YEAR FROM d)}, {fn POSITION(a IN b)}', 'SELECT extract(YEAR FROM d), position(a IN b)'],
  ['SELECT {fn TIMESTAMPDIFF(SQL_TSI_MONTH, a, b)}', "SELECT date_diff('month', CAST((a) AS TIMESTAMP), CAST((b) AS TIMESTAMP))"],
  ["SELECT {fn UCASE('}{')}", "SELECT upper(('}{'))"],
  ['SELECT {fn UCASE(f(a, (b), [c]))}', 'SELECT upper((f(a, (b), [c])))'],
  ['SELECT * FROM INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS', 'SELECT * FROM restsql.system_sampling_status'],
  ['SELECT * FROM "information_schema" . "SYSTEM_SAMPLING_STATUS" s', 'SELECT * FROM restsql.system_sampling_status s'],
  ['{call p(1, {d \'2024-01-31\'})}', "CALL p(1, DATE '2024-01-31')"],
  ['{ CALL closeOrder }', 'CALL closeOrder'],
  ['{?= call f(?, $2)}', 'SELECT f(?, $2)'],
  ['{? = CALL "Full Name"}', 'SELECT "Full Name"()'],
];

const UNCHANGED = [
  "SELECT {'a': 1}, {a: 2}, {d: 3}, {fn: 4}, MAP {1: 2}, [1, 2]",
  "SELECT '{fn UCASE(x)}', E'\\'{d 1}', $${oj x}$$, $q${call x}$q$, \"{fn X()}\"",
  "SELECT 1 -- {fn NOPE()}\n/* {d 'x'} /* {call} */ {t} */",
  'SELECT a$b, $1, ? FROM t',
  'SELECT * FROM memory.information_schema.system_sampling_status',
  'SELECT * FROM information_schema.tables',
];

const ERRORS: [input: string, code: string, position: number, message: RegExp][] = [
  ['SELECT {fn NOPE(1)}', 'QUERY_BAD_ESCAPE', 12, /NOPE.*not an ODBC scalar function/],
  ["SELECT {fn LEFT('a')}", 'QUERY_BAD_ESCAPE', 12, /takes 2 arguments, not 1/],
  ['SELECT {fn PI(1)}', 'QUERY_BAD_ESCAPE', 12, /takes 0 arguments/],
  ['SELECT {fn UCASE(a, )}', 'QUERY_BAD_ESCAPE', 20, /empty argument/],
  ['SELECT {fn UCASE x}', 'QUERY_BAD_ESCAPE', 18, /parentheses/],
  ['SELECT {fn UCASE(x)', 'QUERY_BAD_ESCAPE', 8, /not closed/],
  ['SELECT {fn UCASE(x', 'QUERY_BAD_ESCAPE', 8, /not closed/],
  ['SELECT {fn UCASE(x) + 1}', 'QUERY_BAD_ESCAPE', 21, /should close/],
  ["SELECT {d '2024-02-30'}", 'QUERY_BAD_ESCAPE', 11, /not a date of the calendar/],
  ["SELECT {d '2024-1-3'}", 'QUERY_BAD_ESCAPE', 11, /not a date literal/],
  ["SELECT {t '24:00:00'}", 'QUERY_BAD_ESCAPE', 11, /not a time of day/],
  ["SELECT {ts '2024-01-31'}", 'QUERY_BAD_ESCAPE', 12, /not a timestamp literal/],
  ['SELECT {d 20240131}', 'QUERY_BAD_ESCAPE', 11, /needs a quoted literal/],
  ["SELECT {d '2024-01-31}", 'QUERY_BAD_ESCAPE', 8, /not closed/],
  ["SELECT a LIKE b {escape 'ab'}", 'QUERY_BAD_ESCAPE', 25, /one character/],
  ['SELECT {vendor thing}', 'QUERY_BAD_ESCAPE', 8, /not an ODBC\/JDBC escape/],
  ['SELECT {fn TIMESTAMPADD(SQL_TSI_EON, 1, x)}', 'QUERY_BAD_ESCAPE', 25, /SQL_TSI_EON/],
  ['SELECT {fn CONVERT(x, SQL_INTERVAL_DAY)}', 'QUERY_BAD_ESCAPE', 22, /SQL_INTERVAL_ types are not supported/],
  ['SELECT {fn EXTRACT(x)}', 'QUERY_BAD_ESCAPE', 20, /FROM value/],
  ['SELECT {fn CURRENT_TIMESTAMP(12)}', 'QUERY_BAD_ESCAPE', 30, /precision from 0 to 9/],
  ['SELECT {oj }', 'QUERY_BAD_ESCAPE', 8, /empty/],
  ['{call }', 'QUERY_BAD_ESCAPE', 1, /needs the name of a routine/],
  ['SELECT 1; {? = call (1)}', 'QUERY_BAD_ESCAPE', 11, /needs the name of a routine/],
  ['{call p(1)', 'QUERY_BAD_ESCAPE', 1, /not closed/],
];

test('each escape becomes its DuckDB SQL', () => {
  for (const [input, output] of REWRITES) assert.equal(rewriteEscapes(input), output, input);
});

test("DuckDB's own braces, literals, identifiers and comments are left alone", () => {
  for (const sql of UNCHANGED) assert.equal(rewriteEscapes(sql), sql);
});

test('malformed escapes: a stable code, the 1-based position, a message saying what is wrong', () => {
  for (const [input, code, position, message] of ERRORS) {
    assert.throws(
      () => rewriteEscapes(input),
      (e: unknown) => isRestSqlError(e) && e.code === code && (e.details as { position?: number }).position === position && message.test(e.message) && typeof e.hint === 'string' && e.hint !== '',
      input,
    );
  }
});

test("docs/sql.md's ODBC function table is generated from the function table (paste the expected block when this fails)", () => {
  const doc = readFileSync(join(ROOT, 'docs', 'sql.md'), 'utf8');
  const block = /<!-- odbc-functions:start -->\n([\s\S]*?)\n<!-- odbc-functions:end -->/.exec(doc)?.[1];
  assert.equal(block, odbcFunctionTable(), `docs/sql.md between the odbc-functions markers should be:\n${odbcFunctionTable()}`);
});
