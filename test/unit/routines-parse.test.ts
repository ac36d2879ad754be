/**
 * DataDirect's routine definitions (src/model/routine-parse.ts), table-driven: every clause and
 * its reading, every refusal with its code, construct and position; routineHead telling
 * DataDirect's syntax from DuckDB's own CREATE FUNCTION; a model file's routines with
 * file:line:column errors; and seeded properties (generated definitions read back exactly; any
 * text either reads or fails with a routine error).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isRestSqlError } from '../../src/errors/index.js';
import { parseModelFile } from '../../src/model/model-file.js';
import { parseRoutine, routineHead } from '../../src/model/routine-parse.js';
import type { FunctionDef, ProcedureDef, RoutineDef } from '../../src/model/types.js';
import { lex } from '../../src/sql/lexer.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261216);

function fn(src: string): FunctionDef {
  const d = parseRoutine(src);
  assert.equal(d.kind, 'function', src);
  return d as FunctionDef;
}

function proc(src: string): ProcedureDef {
  const d = parseRoutine(src);
  assert.equal(d.kind, 'procedure', src);
  return d as ProcedureDef;
}

test('the vendor examples read as written: name, parameters, types, characteristics, body', () => {
  const full = fn("CREATE FUNCTION fullName(first VARCHAR(50), last VARCHAR(50)) RETURNS VARCHAR(101) DETERMINISTIC RETURNS NULL ON NULL INPUT LANGUAGE SQL SPECIFIC fullName1 RETURN first || ' ' || last");
  assert.deepEqual(
    { name: full.name, params: full.params, returns: full.returns, deterministic: full.deterministic, nullOnNullInput: full.nullOnNullInput, specific: full.specific, body: full.body },
    {
      name: 'fullName',
      params: [
        { name: 'first', type: { written: 'VARCHAR(50)', sql: 'VARCHAR' } },
        { name: 'last', type: { written: 'VARCHAR(50)', sql: 'VARCHAR' } },
      ],
      returns: { kind: 'scalar', type: { written: 'VARCHAR(101)', sql: 'VARCHAR' } },
      deterministic: true,
      nullOnNullInput: true,
      specific: 'fullName1',
      body: "first || ' ' || last",
    },
  );
  const open = fn("CREATE FUNCTION openOrders(cust INTEGER) RETURNS TABLE (id INTEGER, total DOUBLE) READS SQL DATA RETURN TABLE (SELECT id, total FROM orders WHERE customer_id = cust AND status = 'open')");
  assert.deepEqual(open.returns, { kind: 'table', columns: [{ name: 'id', type: { written: 'INTEGER', sql: 'INTEGER' } }, { name: 'total', type: { written: 'DOUBLE', sql: 'DOUBLE' } }] });
  assert.equal(open.dataAccess, 'READS SQL DATA');
  assert.equal(open.nullOnNullInput, false);
  assert.equal(open.body, "SELECT id, total FROM orders WHERE customer_id = cust AND status = 'open'");
  const close = proc("CREATE PROCEDURE closeOrder(IN orderId INTEGER) MODIFIES SQL DATA BEGIN ATOMIC UPDATE orders SET status = 'closed' WHERE id = orderId; END");
  assert.deepEqual(close.params, [{ name: 'orderId', type: { written: 'INTEGER', sql: 'INTEGER' } }]);
  assert.deepEqual(close.statements, ["UPDATE orders SET status = 'closed' WHERE id = orderId"]);
  assert.equal(close.dataAccess, 'MODIFIES SQL DATA');
  assert.equal(close.source, "CREATE PROCEDURE closeOrder(IN orderId INTEGER) MODIFIES SQL DATA BEGIN ATOMIC UPDATE orders SET status = 'closed' WHERE id = orderId; END");
});

test('bodies: RETURN expr, RETURN (query), RETURN TABLE (query), BEGIN ATOMIC RETURN; one statement or a block; quotes, comments and CASE keep their ; and END', () => {
  const cases: [string, string | string[]][] = [
    ['create function f() returns int return 1 + 2', '1 + 2'],
    ['CREATE FUNCTION f() RETURNS INT RETURN (SELECT max(id) FROM t);', '(SELECT max(id) FROM t)'],
    ['CREATE FUNCTION f() RETURNS TABLE (a INT) RETURN (SELECT 1)', 'SELECT 1'],
    ['CREATE FUNCTION f() RETURNS TABLE (a INT) RETURN TABLE ( SELECT 1 ) ;', 'SELECT 1'],
    ["CREATE FUNCTION f(a INT) RETURNS VARCHAR BEGIN ATOMIC RETURN CASE WHEN a > 0 THEN 'p;END' ELSE 'n' END; END", "CASE WHEN a > 0 THEN 'p;END' ELSE 'n' END"],
    ['CREATE FUNCTION f() RETURNS TABLE (a INT) BEGIN ATOMIC RETURN TABLE (SELECT 1); END;', 'SELECT 1'],
    // The statement runs from its first token to its last: a trailing comment is not part of it.
    ["CREATE PROCEDURE p() SELECT ';' AS s -- end; here\n", ["SELECT ';' AS s"]],
    ['CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1);; SELECT CASE WHEN 1 = 1 THEN 2 END; /* ; END */ END', ['INSERT INTO t VALUES (1)', 'SELECT CASE WHEN 1 = 1 THEN 2 END']],
    ['CREATE PROCEDURE p() BEGIN ATOMIC DELETE FROM t WHERE x = $q$;END$q$; END', ['DELETE FROM t WHERE x = $q$;END$q$']],
    ['CREATE OR REPLACE PROCEDURE "My Proc"() CALL other(1, (2))', ['CALL other(1, (2))']],
  ];
  for (const [src, want] of cases) {
    const d = parseRoutine(src);
    assert.deepEqual(d.kind === 'function' ? d.body : d.statements, want, src);
  }
  assert.equal(parseRoutine('CREATE OR REPLACE PROCEDURE "My Proc"() CALL other(1, (2))').name, 'My Proc');
});

test('characteristics in any order, each once; DYNAMIC RESULT SETS for procedures', () => {
  const f = fn('CREATE FUNCTION f(IN a INT) RETURNS INT SPECIFIC f_1 CALLED ON NULL INPUT NO SQL NOT DETERMINISTIC PARAMETER STYLE SQL NEW SAVEPOINT LEVEL LANGUAGE SQL RETURN a');
  assert.deepEqual([f.specific, f.nullOnNullInput, f.dataAccess, f.deterministic], ['f_1', false, 'NO SQL', false]);
  assert.equal(fn('CREATE FUNCTION f() RETURNS INT CONTAINS SQL RETURN 1').dataAccess, 'CONTAINS SQL');
  const p = proc('CREATE PROCEDURE p() DYNAMIC RESULT SETS 1 READS SQL DATA SELECT 1');
  assert.deepEqual([p.resultSets, p.dataAccess], [1, 'READS SQL DATA']);
  assert.equal(proc('CREATE PROCEDURE p() SELECT 1').resultSets, 0);
});

test('types map to DuckDB types: sizes dropped, DECIMAL(p,s) kept, multi-word names, time zones', () => {
  const cases: [string, string][] = [
    ['VARCHAR(50)', 'VARCHAR'], ['CHARACTER VARYING(10)', 'VARCHAR'], ['CHAR(3)', 'VARCHAR'], ['LONGVARCHAR', 'VARCHAR'], ['CLOB(16M)', 'VARCHAR'], ['VARCHAR(20 CHARACTERS)', 'VARCHAR'], ['NATIONAL CHARACTER VARYING(5)', 'VARCHAR'], ['VARCHAR_IGNORECASE(9)', 'VARCHAR'],
    ['INTEGER', 'INTEGER'], ['int', 'INTEGER'], ['SMALLINT', 'SMALLINT'], ['TINYINT', 'TINYINT'], ['BIGINT', 'BIGINT'], ['HUGEINT', 'HUGEINT'],
    ['DOUBLE', 'DOUBLE'], ['DOUBLE PRECISION', 'DOUBLE'], ['FLOAT', 'DOUBLE'], ['REAL', 'DOUBLE'],
    ['DECIMAL(10,2)', 'DECIMAL(10,2)'], ['NUMERIC(5)', 'DECIMAL(5,0)'], ['DECIMAL', 'DOUBLE'], ['DECIMAL(38,38)', 'DECIMAL(38,38)'],
    ['BOOLEAN', 'BOOLEAN'], ['BIT', 'BOOLEAN'], ['DATE', 'DATE'], ['TIME(3)', 'TIME'], ['TIME WITH TIME ZONE', 'TIMETZ'], ['TIMESTAMP(0)', 'TIMESTAMP'], ['TIMESTAMP(6) WITH TIME ZONE', 'TIMESTAMPTZ'], ['TIMESTAMP WITHOUT TIME ZONE', 'TIMESTAMP'],
    ['VARBINARY(16)', 'BLOB'], ['BINARY LARGE OBJECT', 'BLOB'], ['BLOB', 'BLOB'], ['UUID', 'UUID'], ['JSON', 'JSON'],
  ];
  for (const [written, sql] of cases) {
    const d = fn(`CREATE FUNCTION f(a ${written}) RETURNS ${written} RETURN a`);
    assert.deepEqual(d.params[0]!.type, { written, sql }, written);
    assert.deepEqual(d.returns, { kind: 'scalar', type: { written, sql } }, written);
  }
});

/** [definition, code, construct (ROUTINE_UNSUPPORTED), message, the text at the error's position] */
const REFUSED: [string, string, string | undefined, RegExp, string][] = [
  ['CREATE PROCEDURE p(OUT x INT) SELECT 1', 'ROUTINE_UNSUPPORTED', 'OUT parameters', /OUT parameter 'x'/, 'OUT x'],
  ['CREATE PROCEDURE p(INOUT x INT) SELECT 1', 'ROUTINE_UNSUPPORTED', 'INOUT parameters', /INOUT parameter 'x'/, 'INOUT'],
  ['CREATE FUNCTION f(OUT x INT) RETURNS INT RETURN 1', 'ROUTINE_UNSUPPORTED', 'OUT parameters', /OUT parameter/, 'OUT'],
  ["CREATE FUNCTION f() RETURNS INT LANGUAGE JAVA EXTERNAL NAME 'C.m'", 'ROUTINE_UNSUPPORTED', 'LANGUAGE JAVA', /LANGUAGE JAVA/, 'LANGUAGE'],
  ["CREATE PROCEDURE p() EXTERNAL NAME 'CLASSPATH:C.m'", 'ROUTINE_UNSUPPORTED', 'EXTERNAL NAME', /EXTERNAL NAME/, 'EXTERNAL'],
  ['CREATE PROCEDURE p() PARAMETER STYLE JAVA SELECT 1', 'ROUTINE_UNSUPPORTED', 'PARAMETER STYLE JAVA', /PARAMETER STYLE JAVA/, 'PARAMETER'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC DECLARE x INT; END', 'ROUTINE_UNSUPPORTED', 'DECLARE', /DECLARE is a compound statement/, 'DECLARE'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; SET x = 1; END', 'ROUTINE_UNSUPPORTED', 'SET', /SET is a compound/, 'SET'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC IF 1 = 1 THEN SELECT 1; END IF; END', 'ROUTINE_UNSUPPORTED', 'IF', /IF is a compound/, 'IF'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC WHILE 1 = 1 DO SELECT 1; END WHILE; END', 'ROUTINE_UNSUPPORTED', 'WHILE', /WHILE/, 'WHILE'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC FOR SELECT 1 DO SELECT 2; END FOR; END', 'ROUTINE_UNSUPPORTED', 'FOR', /FOR/, 'FOR'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC LOOP SELECT 1; END LOOP; END', 'ROUTINE_UNSUPPORTED', 'LOOP', /LOOP/, 'LOOP'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC REPEAT SELECT 1; UNTIL 1 END REPEAT; END', 'ROUTINE_UNSUPPORTED', 'REPEAT', /REPEAT/, 'REPEAT'],
  ["CREATE PROCEDURE p() SIGNAL SQLSTATE '45000'", 'ROUTINE_UNSUPPORTED', 'SIGNAL', /SIGNAL/, 'SIGNAL'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC l1: SELECT 1; END', 'ROUTINE_UNSUPPORTED', 'labelled statement', /labelled statement 'l1:'/, 'l1'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC BEGIN ATOMIC SELECT 1; END; END', 'ROUTINE_UNSUPPORTED', 'nested BEGIN', /nested BEGIN/, 'BEGIN ATOMIC SELECT'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC RETURN; END', 'ROUTINE_UNSUPPORTED', 'RETURN in a procedure', /RETURN in a procedure/, 'RETURN'],
  ['CREATE FUNCTION f() RETURNS INT BEGIN ATOMIC DECLARE x INT; RETURN 1; END', 'ROUTINE_UNSUPPORTED', 'DECLARE', /DECLARE/, 'DECLARE'],
  ['CREATE FUNCTION f() RETURNS INT BEGIN ATOMIC RETURN 1; SET x = 2; END', 'ROUTINE_UNSUPPORTED', 'SET', /SET/, 'SET'],
  ['CREATE FUNCTION f() RETURN 1', 'ROUTINE_INVALID', undefined, /expected RETURNS, found 'RETURN'/, 'RETURN'],
  ['CREATE FUNCTION f(a INTEGR) RETURNS INT RETURN a', 'ROUTINE_INVALID', undefined, /unknown type 'INTEGR' for parameter 'a'\. Did you mean INTEGER\?/, 'INTEGR'],
  ['CREATE FUNCTION f() RETURNS DECIMAL(40,2) RETURN 1', 'ROUTINE_INVALID', undefined, /DECIMAL\(40,2\).*precision 1 to 38/, 'DECIMAL'],
  ['CREATE FUNCTION f() RETURNS DECIMAL(4,5) RETURN 1', 'ROUTINE_INVALID', undefined, /not a DECIMAL restsql can hold/, 'DECIMAL'],
  ['CREATE FUNCTION f() RETURNS VARCHAR(x) RETURN 1', 'ROUTINE_INVALID', undefined, /must be a whole number, found 'x'/, 'x'],
  ['CREATE FUNCTION f(a INT, A INT) RETURNS INT RETURN a', 'ROUTINE_INVALID', undefined, /parameter 'A' is declared twice/, 'A INT'],
  ['CREATE FUNCTION f() RETURNS TABLE (a INT, a INT) RETURN TABLE (SELECT 1, 2)', 'ROUTINE_INVALID', undefined, /column 'a' of RETURNS TABLE is declared twice/, 'a INT)'],
  ['CREATE FUNCTION f() RETURNS INT DETERMINISTIC NOT DETERMINISTIC RETURN 1', 'ROUTINE_INVALID', undefined, /NOT DETERMINISTIC after DETERMINISTIC/, 'NOT'],
  ['CREATE FUNCTION f() RETURNS INT NO SQL READS SQL DATA RETURN 1', 'ROUTINE_INVALID', undefined, /READS SQL DATA after NO SQL/, 'READS'],
  ['CREATE PROCEDURE p() RETURNS NULL ON NULL INPUT SELECT 1', 'ROUTINE_INVALID', undefined, /RETURNS NULL ON NULL INPUT is for functions/, 'RETURNS'],
  ['CREATE FUNCTION f() RETURNS INT DYNAMIC RESULT SETS 1 RETURN 1', 'ROUTINE_INVALID', undefined, /DYNAMIC RESULT SETS is for procedures/, 'DYNAMIC'],
  ['CREATE FUNCTION f() RETURNS INT LANGUAGE COBOL RETURN 1', 'ROUTINE_INVALID', undefined, /unknown language 'COBOL'/, 'COBOL'],
  ['CREATE FUNCTION f() RETURNS INT RETURN TABLE (SELECT 1)', 'ROUTINE_INVALID', undefined, /RETURN TABLE in a function that RETURNS a scalar type/, 'TABLE'],
  ['CREATE FUNCTION f() RETURNS TABLE (a INT) RETURN 1', 'ROUTINE_INVALID', undefined, /a table function returns RETURN TABLE \(query\), found '1'/, '1'],
  ['CREATE FUNCTION f() RETURNS TABLE (a INT) RETURN (SELECT 1) + 1', 'ROUTINE_INVALID', undefined, /unexpected '\+' after RETURN/, '+'],
  ['CREATE FUNCTION f() RETURNS TABLE (a INT) RETURN TABLE (SELECT 1', 'ROUTINE_INVALID', undefined, /not closed with '\)'/, '('],
  ['CREATE FUNCTION f() RETURNS INT RETURN 1 END', 'ROUTINE_INVALID', undefined, /END without BEGIN ATOMIC/, 'END'],
  ['CREATE FUNCTION f() RETURNS INT RETURN 1; SELECT 2', 'ROUTINE_INVALID', undefined, /body is one RETURN; found 'SELECT'/, 'SELECT'],
  ['CREATE FUNCTION f() RETURNS INT RETURN', 'ROUTINE_INVALID', undefined, /RETURN has no expression/, 'RETURN'],
  ['CREATE FUNCTION f() RETURNS INT', 'ROUTINE_INVALID', undefined, /the function has no body/, ''],
  ['CREATE FUNCTION f() RETURNS INT DETERMINSTIC RETURN 1', 'ROUTINE_INVALID', undefined, /found 'DETERMINSTIC'\. Did you mean DETERMINISTIC\?/, 'DETERMINSTIC'],
  ['CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END', 'ROUTINE_INVALID', undefined, /expected ATOMIC after BEGIN/, 'RETURN 1'],
  ['CREATE FUNCTION f() RETURNS INT BEGIN ATOMIC SELECT 1; END', 'ROUTINE_INVALID', undefined, /holds one RETURN statement, found 'SELECT'/, 'SELECT'],
  ['CREATE FUNCTION f() RETURNS INT BEGIN ATOMIC RETURN 1; END x', 'ROUTINE_INVALID', undefined, /unexpected 'x' after the routine's body/, 'x'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1;', 'ROUTINE_INVALID', undefined, /BEGIN ATOMIC is not closed with END/, 'BEGIN'],
  ['CREATE PROCEDURE p() BEGIN ATOMIC END', 'ROUTINE_INVALID', undefined, /holds no statement/, 'BEGIN'],
  ['CREATE PROCEDURE p() SELECT 1; SELECT 2', 'ROUTINE_INVALID', undefined, /more than one statement is written BEGIN ATOMIC/, 'SELECT 2'],
  ['CREATE PROCEDURE p()', 'ROUTINE_INVALID', undefined, /has no body/, ''],
  ['CREATE PROCEDURE p() 42', 'ROUTINE_INVALID', undefined, /found '42'/, '42'],
  ['CREATE PROCEDURE s.p() SELECT 1', 'ROUTINE_INVALID', undefined, /not qualified with a schema/, 's.p'],
  ['CREATE PROCEDURE p SELECT 1', 'ROUTINE_INVALID', undefined, /expected '\(' to open the parameter list/, 'SELECT'],
  ['CREATE PROCEDURE p(a INT b INT) SELECT 1', 'ROUTINE_INVALID', undefined, /expected '\)' or ',' after a parameter, found 'b'/, 'b INT'],
  ['CREATE VIEW v AS SELECT 1', 'ROUTINE_INVALID', undefined, /expected FUNCTION or PROCEDURE after CREATE, found 'VIEW'/, 'VIEW'],
  ["CREATE PROCEDURE p() SELECT 'open", 'ROUTINE_INVALID', undefined, /unterminated quoted string/, "'open"],
];

test('refusals: a stable code, the construct, a message naming the routine, a hint, and the position of the culprit', () => {
  for (const [src, code, construct, message, at] of REFUSED) {
    assert.throws(
      () => parseRoutine(src),
      (e: unknown) => {
        assert.ok(isRestSqlError(e), src);
        assert.equal(e.code, code, `${src}: ${e.message}`);
        assert.match(e.message, message, src);
        if (!/^routine definition/.test(e.message)) assert.match(e.message, /^routine '[^']+': /, src);
        assert.equal(e.details.construct, construct, src);
        assert.ok(typeof e.hint === 'string' && e.hint.length > 10, src);
        const position = e.details.position as number;
        assert.equal(src.slice(position - 1, position - 1 + at.length), at, `${src}: position ${position}`);
        return true;
      },
    );
  }
});

test("routineHead: DataDirect's syntax (RETURNS after the parameters, any PROCEDURE) versus DuckDB's CREATE FUNCTION ... AS", () => {
  const head = (sql: string) => routineHead(lex(sql));
  assert.deepEqual(head('CREATE FUNCTION f(a INT) RETURNS INT RETURN a'), { kind: 'function', name: 'f', replace: false });
  assert.deepEqual(head('create or replace function "F x"() returns table (a int) return table (select 1)'), { kind: 'function', name: 'F x', replace: true });
  assert.deepEqual(head('CREATE PROCEDURE p() SELECT 1'), { kind: 'procedure', name: 'p', replace: false });
  assert.deepEqual(head('CREATE PROCEDURE'), { kind: 'procedure', name: '', replace: false });
  for (const duck of ['CREATE FUNCTION f(a) AS a + 1', 'CREATE OR REPLACE TEMP FUNCTION f(a) AS a', 'CREATE MACRO m(a) AS TABLE SELECT a', 'CREATE FUNCTION f(a, b := 2) AS a + b', 'CREATE TABLE returns (x INT)', 'SELECT 1', 'CREATE FUNCTION f']) {
    assert.equal(head(duck), undefined, duck);
  }
});

test('a model file\'s routines (and #routines): read in order with their line; errors name file:line:column inside the entry', () => {
  const text = `{
  "t": {"#path": "http://127.0.0.1:9/t", "id": "Integer"},
  "#routines": [
    "CREATE FUNCTION one() RETURNS INT RETURN 1",
    "CREATE PROCEDURE two(IN a INT) SELECT a"
  ]
}`;
  const parsed = parseModelFile(text, 'm.rest', { qualifyNames: 0 });
  assert.deepEqual(parsed.routines.map((r: RoutineDef) => [r.kind, r.name, r.origin]), [
    ['function', 'one', { file: 'm.rest', line: 4, column: 5 }],
    ['procedure', 'two', { file: 'm.rest', line: 5, column: 5 }],
  ]);
  assert.deepEqual(parsed.tables.map((t) => t.name), ['t']);
  assert.deepEqual(parseModelFile('{"t": "http://127.0.0.1:9/t", "routines": []}', 'm.rest', { qualifyNames: 0 }).routines, []);
  const bad: [string, string, RegExp][] = [
    // Column 3 of line 5 is the string's quote, so the definition's first character is column 4.
    ['"routines": [\n  "CREATE FUNCTION ok() RETURNS INT RETURN 1",\n  "CREATE FUNCTION f(a INTEGR) RETURNS INT RETURN a"]', 'MODEL_INVALID', /^m\.rest:5:24: routine 'f': unknown type 'INTEGR'/],
    // An escape in the JSON string counts as the one character it stands for.
    ['"routines": [\n  "CREATE PROCEDURE p() BEGIN ATOMIC SELECT \\"x\\"; DECLARE y INT; END"]', 'CONFIG_UNSUPPORTED', /^m\.rest:4:52: routine 'p': DECLARE is a compound statement/],
    ['"routines": [\n  "CREATE PROCEDURE p(OUT x INT) SELECT 1"]', 'CONFIG_UNSUPPORTED', /^m\.rest:4:23: routine 'p': OUT parameter 'x'/],
    ['"routines": "CREATE FUNCTION f() RETURNS INT RETURN 1"', 'MODEL_INVALID', /^m\.rest:3:15: 'routines' must be an array of strings/],
    ['"#routines": [42]', 'MODEL_INVALID', /^m\.rest:3:17: each entry of '#routines' must be a string/],
    ['"routines": [\n  "CREATE FUNCTION f() RETURNS INT RETURN 1",\n  "CREATE PROCEDURE F() SELECT 1"]', 'MODEL_INVALID', /^m\.rest:5:3: routine 'F' is defined twice \(first at line 4\)/],
    ['"routines": [], "#routines": []', 'MODEL_INVALID', /^m\.rest:3:19: '#routines' repeats 'routines'/],
  ];
  for (const [entry, code, message] of bad) {
    const file = `{\n  "t": "http://127.0.0.1:9/t",\n  ${entry}\n}`;
    assert.throws(
      () => parseModelFile(file, 'm.rest', { qualifyNames: 0 }),
      (e: unknown) => isRestSqlError(e) && e.code === code && message.test(e.message) && typeof e.details.line === 'number',
      entry,
    );
  }
});

// ---- Properties ------------------------------------------------------------------------------

const NAME = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((n) => !['in', 'out', 'inout', 'returns', 'return', 'begin', 'end', 'table', 'as'].includes(n));
const TYPE = fc.constantFrom(...(['VARCHAR(20)', 'INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL(12,3)', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'VARBINARY(8)', 'UUID'] as const));
const SQL_OF: Record<string, string> = { 'VARCHAR(20)': 'VARCHAR', INTEGER: 'INTEGER', BIGINT: 'BIGINT', DOUBLE: 'DOUBLE', 'DECIMAL(12,3)': 'DECIMAL(12,3)', BOOLEAN: 'BOOLEAN', DATE: 'DATE', TIMESTAMP: 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ', 'VARBINARY(8)': 'BLOB', UUID: 'UUID' };
const CHARACTERISTIC = fc.constantFrom('DETERMINISTIC', 'NOT DETERMINISTIC', 'LANGUAGE SQL', 'READS SQL DATA', 'SPECIFIC s1');
/** Statement texts with ; and END inside literals, identifiers, comments and CASE. */
const STATEMENT = fc.constantFrom("SELECT ';' AS a", 'SELECT "end;" FROM t', 'UPDATE t SET x = CASE WHEN y THEN 1 END WHERE id = 2', "INSERT INTO t VALUES ($$;END$$, 'it''s')", 'DELETE FROM t /* ; END */ WHERE k = 1', 'CALL q(1, (2))');

function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void, numRuns: number): void {
  const out = fc.check(fc.property(arb, predicate), { seed: SEED, numRuns, endOnFailure: true });
  if (out.failed) assert.fail(`property failure (replay with RESTSQL_FC_SEED=${SEED}): ${fc.defaultReportMessage(out) ?? ''}`.slice(0, 4000));
}

test('property: generated definitions read back their names, types, characteristics and statements exactly', () => {
  const def = fc.record({
    name: NAME,
    params: fc.uniqueArray(fc.tuple(NAME, TYPE, fc.boolean()), { maxLength: 4, selector: ([n]) => n }),
    chars: fc.uniqueArray(CHARACTERISTIC, { maxLength: 3, selector: (c) => c.split(' ').pop()! }),
    statements: fc.array(STATEMENT, { minLength: 1, maxLength: 4 }),
    block: fc.boolean(),
    upper: fc.boolean(),
  });
  check(
    def,
    (d) => {
      const block = d.block || d.statements.length > 1;
      const kw = (s: string) => (d.upper ? s.toUpperCase() : s.toLowerCase());
      const src = `${kw('create procedure')} ${d.name}(${d.params.map(([n, t, mode]) => `${mode ? kw('in ') : ''}${n} ${t}`).join(', ')}) ${d.chars.join(' ')} ${block ? `${kw('begin atomic')} ${d.statements.join('; ')}; ${kw('end')}` : d.statements[0]}`;
      const p = parseRoutine(src) as ProcedureDef;
      assert.equal(p.name, d.name);
      assert.deepEqual(p.params, d.params.map(([n, t]) => ({ name: n, type: { written: t, sql: SQL_OF[t] } })));
      assert.deepEqual(p.statements, block ? d.statements : [d.statements[0]]);
      assert.equal(p.deterministic, d.chars.includes('DETERMINISTIC') ? true : d.chars.includes('NOT DETERMINISTIC') ? false : undefined);
      assert.equal(p.specific, d.chars.includes('SPECIFIC s1') ? 's1' : undefined);
    },
    300,
  );
});

test('property: any text either reads as a routine or fails with ROUTINE_INVALID or ROUTINE_UNSUPPORTED (never another error)', () => {
  const word = fc.constantFrom('CREATE', 'FUNCTION', 'PROCEDURE', 'f', '(', ')', ',', 'a', 'INT', 'VARCHAR(3)', 'RETURNS', 'TABLE', 'RETURN', 'BEGIN', 'ATOMIC', 'END', ';', 'CASE', 'WHEN', 'THEN', 'SELECT', '1', "'x'", '"q"', 'OUT', 'IN', 'DECLARE', 'LANGUAGE', 'SQL', 'JAVA', 'DETERMINISTIC', 'NOT', 'NULL', 'ON', 'INPUT', '--', '/*', '*/', '$$', '.', ':');
  check(
    fc.array(word, { maxLength: 24 }).map((w) => `CREATE ${w.join(' ')}`),
    (src) => {
      try {
        parseRoutine(src);
      } catch (e) {
        assert.ok(isRestSqlError(e) && (e.code === 'ROUTINE_INVALID' || e.code === 'ROUTINE_UNSUPPORTED'), `${src}: ${String(e)}`);
        assert.equal(typeof e.details.position, 'number', src);
      }
    },
    2000,
  );
});
