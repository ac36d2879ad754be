import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, type CopyOptions } from '../../../src/server/sql/command.js';
import { copyHeader, copyRowFormatter } from '../../../src/server/sql/copy-format.js';

/**
 * COPY TO output compared byte for byte with PostgreSQL's. The expected strings were produced once
 * (2026-12-03) by PostgreSQL 15.18 (Debian 15.18-0+deb12u1) with
 *   psql -c "COPY (<query>) TO STDOUT WITH (<options>)"
 * and the rows by json_agg over the same query; they are kept here as data.
 */

function optionsOf(withClause: string): CopyOptions {
  const c = classify(`COPY (SELECT 1) TO STDOUT WITH (${withClause})`);
  assert.equal(c.kind, 'copyOut');
  return (c as Extract<typeof c, { kind: 'copyOut' }>).options;
}

function render(withClause: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const options = optionsOf(withClause);
  const format = copyRowFormatter(options, columns);
  return (options.header ? copyHeader(columns, options) : '') + rows.map(format).join('');
}

// SELECT * FROM (VALUES (1, 'plain', 'a,b'), (2, E'tab\there', E'new\nline'), (3, E'back\\slash', 'say "hi"'),
//   (4, '', NULL), (5, E'\\.', E'cr\rx'), (6, E'\\.x', 'it''s'), (7, ' lead', E'\\N'),
//   (8, 'NULL', E'bs\\b\f\013v'), (9, 'é ünï', E'\\'), (10, E'\b\x01', 'semi;colon|pipe')) AS v(id, "Col A", "b,c")
const COLUMNS = ['id', 'Col A', 'b,c'];
const ROWS: (string | null)[][] = [["1", "plain", "a,b"], ["2", "tab\there", "new\nline"], ["3", "back\\slash", "say \"hi\""], ["4", "", null], ["5", "\\.", "cr\rx"], ["6", "\\.x", "it's"], ["7", " lead", "\\N"], ["8", "NULL", "bs\\b\f\u000bv"], ["9", "é ünï", "\\"], ["10", "\b\u0001", "semi;colon|pipe"]];
const CASES: [string, string][] = [
  ["FORMAT text", "1\tplain\ta,b\n2\ttab\\there\tnew\\nline\n3\tback\\\\slash\tsay \"hi\"\n4\t\t\\N\n5\t\\\\.\tcr\\rx\n6\t\\\\.x\tit's\n7\t lead\t\\\\N\n8\tNULL\tbs\\\\b\\f\\vv\n9\té ünï\t\\\\\n10\t\\b\u0001\tsemi;colon|pipe\n"],
  ["FORMAT text, HEADER", "id\tCol A\tb,c\n1\tplain\ta,b\n2\ttab\\there\tnew\\nline\n3\tback\\\\slash\tsay \"hi\"\n4\t\t\\N\n5\t\\\\.\tcr\\rx\n6\t\\\\.x\tit's\n7\t lead\t\\\\N\n8\tNULL\tbs\\\\b\\f\\vv\n9\té ünï\t\\\\\n10\t\\b\u0001\tsemi;colon|pipe\n"],
  ["FORMAT text, DELIMITER ',', NULL ''", "1,plain,a\\,b\n2,tab\\there,new\\nline\n3,back\\\\slash,say \"hi\"\n4,,\n5,\\\\.,cr\\rx\n6,\\\\.x,it's\n7, lead,\\\\N\n8,NULL,bs\\\\b\\f\\vv\n9,é ünï,\\\\\n10,\\b\u0001,semi;colon|pipe\n"],
  ["FORMAT text, DELIMITER '|', NULL 'x'", "1|plain|a,b\n2|tab\\there|new\\nline\n3|back\\\\slash|say \"hi\"\n4||x\n5|\\\\.|cr\\rx\n6|\\\\.x|it's\n7| lead|\\\\N\n8|NULL|bs\\\\b\\f\\vv\n9|é ünï|\\\\\n10|\\b\u0001|semi;colon\\|pipe\n"],
  ["FORMAT csv", "1,plain,\"a,b\"\n2,tab\there,\"new\nline\"\n3,back\\slash,\"say \"\"hi\"\"\"\n4,\"\",\n5,\\.,\"cr\rx\"\n6,\\.x,it's\n7, lead,\\N\n8,NULL,bs\\b\f\u000bv\n9,é ünï,\\\n10,\b\u0001,semi;colon|pipe\n"],
  ["FORMAT csv, HEADER", "id,Col A,\"b,c\"\n1,plain,\"a,b\"\n2,tab\there,\"new\nline\"\n3,back\\slash,\"say \"\"hi\"\"\"\n4,\"\",\n5,\\.,\"cr\rx\"\n6,\\.x,it's\n7, lead,\\N\n8,NULL,bs\\b\f\u000bv\n9,é ünï,\\\n10,\b\u0001,semi;colon|pipe\n"],
  ["FORMAT csv, HEADER, DELIMITER ';', NULL 'NULL'", "id;Col A;b,c\n1;plain;a,b\n2;tab\there;\"new\nline\"\n3;back\\slash;\"say \"\"hi\"\"\"\n4;;NULL\n5;\\.;\"cr\rx\"\n6;\\.x;it's\n7; lead;\\N\n8;\"NULL\";bs\\b\f\u000bv\n9;é ünï;\\\n10;\b\u0001;\"semi;colon|pipe\"\n"],
  ["FORMAT csv, QUOTE '''', ESCAPE '\\'", "1,plain,'a,b'\n2,tab\there,'new\nline'\n3,back\\slash,say \"hi\"\n4,'',\n5,\\.,'cr\rx'\n6,\\.x,'it\\'s'\n7, lead,\\N\n8,NULL,bs\\b\f\u000bv\n9,é ünï,\\\n10,\b\u0001,semi;colon|pipe\n"],
  ["FORMAT csv, FORCE_QUOTE *", "\"1\",\"plain\",\"a,b\"\n\"2\",\"tab\there\",\"new\nline\"\n\"3\",\"back\\slash\",\"say \"\"hi\"\"\"\n\"4\",\"\",\n\"5\",\"\\.\",\"cr\rx\"\n\"6\",\"\\.x\",\"it's\"\n\"7\",\" lead\",\"\\N\"\n\"8\",\"NULL\",\"bs\\b\f\u000bv\"\n\"9\",\"é ünï\",\"\\\"\n\"10\",\"\b\u0001\",\"semi;colon|pipe\"\n"],
  ["FORMAT csv, FORCE_QUOTE (id, \"b,c\")", "\"1\",plain,\"a,b\"\n\"2\",tab\there,\"new\nline\"\n\"3\",back\\slash,\"say \"\"hi\"\"\"\n\"4\",\"\",\n\"5\",\\.,\"cr\rx\"\n\"6\",\\.x,\"it's\"\n\"7\", lead,\"\\N\"\n\"8\",NULL,\"bs\\b\f\u000bv\"\n\"9\",é ünï,\"\\\"\n\"10\",\b\u0001,\"semi;colon|pipe\"\n"],
  ["FORMAT csv, DELIMITER '|', HEADER", "id|Col A|b,c\n1|plain|a,b\n2|tab\there|\"new\nline\"\n3|back\\slash|\"say \"\"hi\"\"\"\n4|\"\"|\n5|\\.|\"cr\rx\"\n6|\\.x|it's\n7| lead|\\N\n8|NULL|bs\\b\f\u000bv\n9|é ünï|\\\n10|\b\u0001|\"semi;colon|pipe\"\n"],
  ["FORMAT csv, NULL '\\N', HEADER", "id,Col A,\"b,c\"\n1,plain,\"a,b\"\n2,tab\there,\"new\nline\"\n3,back\\slash,\"say \"\"hi\"\"\"\n4,,\\N\n5,\\.,\"cr\rx\"\n6,\\.x,it's\n7, lead,\"\\N\"\n8,NULL,bs\\b\f\u000bv\n9,é ünï,\\\n10,\b\u0001,semi;colon|pipe\n"],
];

for (const [withClause, expected] of CASES) {
  test(`COPY TO STDOUT WITH (${withClause}) writes what PostgreSQL 15 writes`, () => {
    assert.equal(render(withClause, COLUMNS, ROWS), expected);
  });
}

// One column: a lone \. is quoted in CSV (it would read back as the end-of-data marker).
// SELECT "only" FROM (VALUES (E'\\.'), (E'\\.x'), (''), (NULL), (E'\b\x01\x7f')) AS v("only")
const SINGLE_ROWS: (string | null)[][] = [["\\."], ["\\.x"], [""], [null], ["\b\u0001\u007f"]];
const SINGLE_CASES: [string, string][] = [
  ["FORMAT csv, HEADER", "only\n\"\\.\"\n\\.x\n\"\"\n\n\b\u0001\u007f\n"],
  ["FORMAT text, HEADER", "only\n\\\\.\n\\\\.x\n\n\\N\n\\b\u0001\u007f\n"],
];

for (const [withClause, expected] of SINGLE_CASES) {
  test(`one-column COPY WITH (${withClause}) writes what PostgreSQL 15 writes`, () => {
    assert.equal(render(withClause, ['only'], SINGLE_ROWS), expected);
  });
}

// QUOTE and ESCAPE: inside quotes both are escaped; the escape character alone never forces quoting.
// SELECT * FROM (VALUES (1, E'a''\\b', E'x\\y'), (2, 'q"', NULL)) AS v(id, "it's", "x""y")
const ESCAPE_COLUMNS = ['id', "it's", 'x"y'];
const ESCAPE_ROWS: (string | null)[][] = [["1", "a'\\b", "x\\y"], ["2", "q\"", null]];
const ESCAPE_CASES: [string, string][] = [
  ["FORMAT csv, QUOTE '''', ESCAPE '\\', HEADER", "id,'it\\'s',x\"y\n1,'a\\'\\\\b',x\\y\n2,q\",\n"],
  ["FORMAT csv, ESCAPE '\\', HEADER", "id,it's,\"x\\\"y\"\n1,a'\\b,x\\y\n2,\"q\\\"\",\n"],
  ["FORMAT csv, ESCAPE '\\', FORCE_QUOTE *", "\"1\",\"a'\\\\b\",\"x\\\\y\"\n\"2\",\"q\\\"\",\n"],
  ["FORMAT text, HEADER", "id\tit's\tx\"y\n1\ta'\\\\b\tx\\\\y\n2\tq\"\t\\N\n"],
];

for (const [withClause, expected] of ESCAPE_CASES) {
  test(`COPY WITH (${withClause}) escapes as PostgreSQL 15 does`, () => {
    assert.equal(render(withClause, ESCAPE_COLUMNS, ESCAPE_ROWS), expected);
  });
}

// Header names are escaped (text) or quoted (csv) like values, and quoted when equal to the NULL string.
// SELECT 1 AS "a\b", 2 AS "c<tab>d", 3 AS "NULL", 4 AS "e""f"; and SELECT 'NULL' AS "NULL" with NULL 'NULL'
const HEADER_CASES: [string, string][] = [
  ["FORMAT text, HEADER", "a\\\\b\tc\\td\tNULL\te\"f\n1\t2\t3\t4\n"],
  ["FORMAT csv, HEADER", "a\\b,c\td,NULL,\"e\"\"f\"\n1,2,3,4\n"],
  ["FORMAT csv, HEADER, NULL 'NULL'", "\"NULL\"\n\"NULL\"\n"],
];

test('header names are written as PostgreSQL 15 writes them', () => {
  const [text, csv, nullHeader] = HEADER_CASES as [[string, string], [string, string], [string, string]];
  assert.equal(render(text[0], ['a\\b', 'c\td', 'NULL', 'e"f'], [['1', '2', '3', '4']]), text[1]);
  assert.equal(render(csv[0], ['a\\b', 'c\td', 'NULL', 'e"f'], [['1', '2', '3', '4']]), csv[1]);
  assert.equal(render(nullHeader[0], ['NULL'], [['NULL']]), nullHeader[1]);
});

test('FORCE_QUOTE naming a column the result does not have is an error', () => {
  assert.throws(
    () => copyRowFormatter(optionsOf('FORMAT csv, FORCE_QUOTE (b)'), ['a']),
    (e: unknown) => (e as { code: string; message: string }).code === 'QUERY_UNKNOWN_COLUMN' && (e as { message: string }).message === 'column "b" does not exist',
  );
});

test('FORCE_QUOTE never quotes a NULL', () => {
  assert.equal(copyRowFormatter(optionsOf('FORMAT csv, FORCE_QUOTE *'), ['a', 'b'])(['x', null]), '"x",\n');
});

// PostgreSQL 15.18: COPY (SELECT E'a\x01b', 'c') TO STDOUT WITH (DELIMITER E'\x01') writes a \ 001 b 001 c \n.
test('a control-character delimiter is backslash-escaped in text format', () => {
  const options: CopyOptions = { ...optionsOf('FORMAT text'), delimiter: '\x01' };
  assert.equal(copyRowFormatter(options)(['a\x01b', 'c']), 'a\\\x01b\x01c\n');
});

test('BINARY is refused by the formatter with a hint to use csv or text', () => {
  for (const f of [() => copyRowFormatter(optionsOf('FORMAT binary')), () => copyHeader(['a'], optionsOf('FORMAT binary'))]) {
    assert.throws(f, (e: unknown) => (e as { code: string; hint: string }).code === 'SERVER_UNSUPPORTED' && /csv/.test((e as { hint: string }).hint));
  }
});
