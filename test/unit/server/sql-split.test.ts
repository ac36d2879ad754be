import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestSqlError } from '../../../src/errors/index.js';
import { firstWords, splitStatements } from '../../../src/sql/split.js';

type Case = readonly [name: string, text: string, expected: readonly (readonly [sql: string, offset: number])[]];

const CASES: readonly Case[] = [
  [
    "psqlODBC's first message",
    "SET DateStyle = 'ISO';SET extra_float_digits = 2;show transaction_isolation",
    [
      ["SET DateStyle = 'ISO'", 0],
      ['SET extra_float_digits = 2', 22],
      ['show transaction_isolation', 49],
    ],
  ],
  ['one statement, no semicolon', 'SELECT 1', [['SELECT 1', 0]]],
  ['trailing semicolon and whitespace', '  SELECT 1 ;  \n', [['SELECT 1', 2]]],
  ['empty statements dropped', ';; SELECT 1;;;SELECT 2;', [['SELECT 1', 3], ['SELECT 2', 14]]],
  ['only whitespace', ' \t\r\n ', []],
  ['only comments and semicolons', '/* only */ ;; ; -- done', []],
  ['empty text', '', []],
  ["';' in a standard string, with '' inside", "SELECT 'a;''b'; SELECT 2", [["SELECT 'a;''b'", 0], ['SELECT 2', 16]]],
  ['a backslash is literal in a standard string', "SELECT 'a\\'; SELECT 2", [["SELECT 'a\\'", 0], ['SELECT 2', 13]]],
  ["E'' string: \\' does not end it", "SELECT E'a\\';b'; SELECT 2", [["SELECT E'a\\';b'", 0], ['SELECT 2', 17]]],
  ["e'' string, \\\\ then the closing quote", "SELECT e'a\\\\'; SELECT 2", [["SELECT e'a\\\\'", 0], ['SELECT 2', 15]]],
  ["U&'' string", "SELECT U&'d\\0061t;a'; SELECT 2", [["SELECT U&'d\\0061t;a'", 0], ['SELECT 2', 22]]],
  ["B'' and X'' strings", "SELECT B'1;0', X'1F;'; SELECT 2", [["SELECT B'1;0', X'1F;'", 0], ['SELECT 2', 23]]],
  ['dollar quote', 'SELECT $$a;b$$; SELECT 2', [['SELECT $$a;b$$', 0], ['SELECT 2', 16]]],
  ['tagged dollar quote holding another tag and $$', 'SELECT $fn$ $x$ ; $$ ; $x$ $fn$; SELECT 2', [['SELECT $fn$ $x$ ; $$ ; $x$ $fn$', 0], ['SELECT 2', 33]]],
  ['$ inside an identifier starts no dollar quote', 'SELECT a$b$ FROM t; SELECT 2', [['SELECT a$b$ FROM t', 0], ['SELECT 2', 20]]],
  ['a parameter $1 starts no dollar quote', 'SELECT $1; SELECT $2', [['SELECT $1', 0], ['SELECT $2', 11]]],
  ['quoted identifier with ; and ""', 'SELECT "a;""b"; SELECT 2', [['SELECT "a;""b"', 0], ['SELECT 2', 16]]],
  ['line comment holding ;', 'SELECT 1 -- x;y\n; SELECT 2', [['SELECT 1', 0], ['SELECT 2', 18]]],
  ['line comment ended by \\r', 'SELECT 1 -- x;y\r; SELECT 2', [['SELECT 1', 0], ['SELECT 2', 18]]],
  ['nested block comment holding ;', 'SELECT /* a /* b; */ c; */ 1; SELECT 2', [['SELECT /* a /* b; */ c; */ 1', 0], ['SELECT 2', 30]]],
  ['leading and trailing comments are not part of the statement', '/* hint */ SELECT 1 /* tail */ -- end\n; -- x\nSELECT 2 -- y', [['SELECT 1', 11], ['SELECT 2', 45]]],
  ['-- inside an operator starts a comment', 'SELECT 1 +-- c;\n 2; SELECT 3', [['SELECT 1 +-- c;\n 2', 0], ['SELECT 3', 20]]],
  ['a statement spanning lines', 'SELECT\n  1,\n  2;\nSELECT 3', [['SELECT\n  1,\n  2', 0], ['SELECT 3', 17]]],
  [
    "a routine's BEGIN ATOMIC ... END keeps its ; (CASE ... END counted); BEGIN alone is a transaction",
    'CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; SELECT CASE WHEN 1 = 1 THEN 2 END; END; BEGIN; CALL p()',
    [
      ['CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; SELECT CASE WHEN 1 = 1 THEN 2 END; END', 0],
      ['BEGIN', 84],
      ['CALL p()', 91],
    ],
  ],
  // Positions count characters (code points), as PostgreSQL's do: 😀 is two UTF-16 units, one character.
  ['offset in characters after an emoji', "SELECT '😀'; SELECT 2", [["SELECT '😀'", 0], ['SELECT 2', 12]]],
];

for (const [name, text, expected] of CASES) {
  test(`splitStatements: ${name}`, () => {
    assert.deepEqual(
      splitStatements(text).map((s) => [s.sql, s.offset]),
      expected.map(([sql, offset]) => [sql, offset]),
    );
  });
}

test('splitStatements: the offset locates the statement in the text (BMP text)', () => {
  const text = "  SET a.b = 1 ; /* c */ SHOW x.y;\n\nBEGIN";
  for (const s of splitStatements(text)) assert.equal(text.slice(s.offset, s.offset + s.sql.length), s.sql);
});

// Lexical errors end the whole string before any statement runs, with PostgreSQL 15.18's
// message and 1-based character position (checked against the server).
const LEXICAL_ERRORS: readonly (readonly [text: string, message: string, position: number])[] = [
  ["select 1; select 'abc", 'unterminated quoted string at or near "\'abc"', 18],
  ["select 1; select E'abc\\'", 'unterminated quoted string at or near "E\'abc\\\'"', 18],
  ['select /* a /* b */ c', 'unterminated /* comment at or near "/* a /* b */ c"', 8],
  ['select $x$ abc $y$', 'unterminated dollar-quoted string at or near "$x$ abc $y$"', 8],
  ['select 1; select $$', 'unterminated dollar-quoted string at or near "$$"', 18],
  ['select "abc', 'unterminated quoted identifier at or near ""abc"', 8],
  ['select ""', 'zero-length delimited identifier at or near """"', 8],
  ["select 'é', 'x", 'unterminated quoted string at or near "\'x"', 13],
];

for (const [text, message, position] of LEXICAL_ERRORS) {
  test(`splitStatements refuses ${JSON.stringify(text)}`, () => {
    assert.throws(
      () => splitStatements(text),
      (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_SYNTAX' && e.sqlState === '42601' && e.message === message && e.details.position === position,
    );
  });
}

const WORDS: readonly (readonly [sql: string, n: number, words: readonly string[]])[] = [
  ['begin work', 2, ['BEGIN', 'WORK']],
  ['  /* c */ -- x\n Start  Transaction read only', 3, ['START', 'TRANSACTION', 'READ']],
  ['COPY (SELECT 1) TO STDOUT', 3, ['COPY']],
  ['SET "DateStyle" = ISO', 2, ['SET']],
  ['select 1', 5, ['SELECT']],
  ['rollback', 0, []],
  ['', 2, []],
  ['-- nothing', 1, []],
  // Text after the words it needs is never read, so an unterminated string there is no error.
  ["select 'abc", 5, ['SELECT']],
  ['show /* unterminated', 1, ['SHOW']],
  ['sélect x', 1, ['SéLECT']],
];

for (const [sql, n, words] of WORDS) {
  test(`firstWords(${JSON.stringify(sql)}, ${n})`, () => {
    assert.deepEqual(firstWords(sql, n), words);
  });
}
