/**
 * Property tests of the write-statement reader (src/engine/write/write-statement.ts), on random
 * statements whose expressions hide the words and characters it cuts at (AND, WHERE, RETURNING,
 * SET, commas, semicolons, parentheses, `=`) inside string literals ('...', E'...', $q$...$q$),
 * quoted identifiers, comments (line, nested block), function arguments and nested parentheses:
 * - conjuncts() gives back exactly the AND-ed conditions the WHERE was built from;
 * - keyCondition() gives the column and the value expressions exactly, and never takes a
 *   condition whose value is followed by an operator that binds less tightly (`id = 1 OR x`);
 * - readWriteStatement() finds the target, alias, columns, SET, source, WHERE and RETURNING as
 *   the very pieces the statement was assembled from, whatever trails it (`;`, comments).
 *   A second statement after it is refused, never read as part of the first.
 * Seeded and bounded; the seed is printed on failure (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { conjuncts, keyCondition, readWriteStatement, type Span } from '../../src/engine/write/write-statement.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261216);

function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns = 300): void {
  const out = fc.check(fc.property(arb, predicate), { seed: SEED, numRuns, endOnFailure: true });
  if (out.failed) {
    const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(`property failure (replay with RESTSQL_FC_SEED=${SEED}): ${why}\n${(fc.defaultReportMessage(out) ?? '').slice(0, 4000)}`);
  }
}

// ---- Pieces ----------------------------------------------------------------------------------

/** What the reader cuts at, and some harmless text. */
const TRICKY = [' AND ', ' and ', ' OR ', 'WHERE', 'returning', 'SET', 'FROM', 'USING', 'BETWEEN', 'IN', 'ON CONFLICT', ',', ';', '(', ')', '[', ']', '=', "'", '"', '--', '/*', '*/', '$', '\\', 'é', '😀', 'x', ' ', '\n', '\t'];
const piece = (exclude: readonly string[] = []): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...TRICKY.filter((t) => !exclude.some((x) => t.includes(x)))), { maxLength: 6 }).map((a) => a.join(''));

/** Whitespace between tokens. */
const ws = fc.constantFrom(' ', '  ', '\n', '\t', ' \n ');
/** A keyword in a random case. */
const kw = (word: string): fc.Arbitrary<string> => fc.constantFrom(word.toUpperCase(), word.toLowerCase(), word[0]!.toUpperCase() + word.slice(1).toLowerCase());

/** Literals that are not words (TRUE, NULL and DATE '...' start with one, which reads like a column). */
const plainLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.nat({ max: 99999 }).map(String),
  fc.constantFrom('1.5', '1e10', "'x'"),
  piece().map((p) => `'${p.replaceAll("'", "''")}'`),
  piece(['\\']).map((p) => `E'${p.replaceAll("'", "\\'")}'`),
  piece().map((p) => `$q$${p}$q$`),
);
const literal: fc.Arbitrary<string> = fc.oneof(
  fc.nat({ max: 99999 }).map(String),
  fc.constantFrom('1.5', '1e10', 'TRUE', 'NULL', "DATE '2026-12-03'"),
  piece().map((p) => `'${p.replaceAll("'", "''")}'`),
  piece(['\\']).map((p) => `E'${p.replaceAll("'", "\\'")}'`),
  piece().map((p) => `$q$${p}$q$`),
);

/** A column name (never a keyword): plain, quoted (with the reader's words inside), or qualified. */
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,4}$/).map((s) => `c_${s}`);
const quotedName = piece(['"']).map((p) => `"Q${p}"`);
const column: fc.Arbitrary<{ text: string; folded: string; qualifier?: string }> = fc.oneof(
  name.map((n) => ({ text: n, folded: n })),
  fc.tuple(name, kw('c_upper')).map(([n]) => ({ text: n.toUpperCase(), folded: n })),
  quotedName.map((q) => ({ text: q, folded: q.slice(1, -1).replaceAll('""', '"').toLowerCase() })),
  fc.tuple(fc.constantFrom('o', 'T'), name).map(([q, n]) => ({ text: `${q}.${n}`, folded: n, qualifier: q.toLowerCase() })),
);

/** A comment inside an expression (never at its edges). */
const comment: fc.Arbitrary<string> = fc.oneof(
  piece(['/*', '*/']).map((p) => ` /*${p}*/ `),
  fc.tuple(piece(['/*', '*/']), piece(['/*', '*/'])).map(([a, b]) => ` /* ${a} /* ${b} */ ${a} */ `),
  piece(['\n']).map((p) => ` --${p}\n`),
);

/**
 * `operand`: an expression with no top-level AND, OR, comparison, comma or keyword (everything of
 * that kind sits inside literals, identifiers, comments or parentheses).
 */
const { operand } = fc.letrec<{ operand: string; atom: string; cond: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    column.map((c) => c.text),
    fc.tuple(name, fc.array(tie('operand'), { maxLength: 3 })).map(([f, args]) => `f_${f}(${args.join(', ')})`),
    tie('cond').map((c) => `(${c})`),
    fc.array(tie('operand'), { minLength: 1, maxLength: 3 }).map((a) => `[${a.join(', ')}]`),
    fc.tuple(column, fc.nat({ max: 9 })).map(([c, i]) => `${c.text}[${i}]`),
    tie('operand').map((o) => `CAST(${o} AS VARCHAR)`),
  ),
  operand: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('atom'),
    fc.tuple(tie('atom'), fc.constantFrom('+', '*', '||', '-', '/'), fc.option(comment, { nil: '' }), tie('atom')).map(([a, op, c, b]) => `${a} ${op}${c} ${b}`),
    fc.tuple(tie('atom'), fc.constantFrom('::INTEGER', '::VARCHAR')).map(([a, t]) => `${a}${t}`),
  ),
  // Only ever inside parentheses: may hold anything.
  cond: fc.oneof(
    tie('operand'),
    fc.tuple(tie('operand'), fc.constantFrom('AND', 'OR', '=', '<>', '<=', 'IS NOT DISTINCT FROM', 'LIKE'), tie('operand')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(tie('operand'), tie('operand'), tie('operand')).map(([a, b, c]) => `${a} BETWEEN ${b} AND ${c}`),
    fc.tuple(kw('select'), tie('operand'), name).map(([s, a, t]) => `${s} ${a} FROM ${t} WHERE ${a} = 1`),
  ),
})) as { operand: fc.Arbitrary<string> };

/** A condition with no top-level AND but BETWEEN's. */
const conjunct: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(column, operand).map(([c, o]) => `${c.text} = ${o}`),
  fc.tuple(column, fc.array(operand, { minLength: 1, maxLength: 4 })).map(([c, os]) => `${c.text} IN (${os.join(', ')})`),
  fc.tuple(column, fc.constantFrom('BETWEEN', 'NOT BETWEEN', 'between'), operand, kw('and'), operand).map(([c, b, x, and, y]) => `${c.text} ${b} ${x} ${and} ${y}`),
  fc.tuple(operand, operand, operand).map(([a, b, c]) => `(${a} OR ${b} AND ${c})`),
  fc.tuple(column, literal).map(([c, l]) => `${c.text} LIKE ${l}`),
  fc.tuple(column, fc.constantFrom('IS NULL', 'IS NOT NULL')).map(([c, n]) => `${c.text} ${n}`),
  fc.tuple(operand, fc.constantFrom('<', '>=', '<>')).chain(([o, op]) => operand.map((p) => `${o} ${op} ${p}`)),
);

/** WHERE text from conjuncts, joined by AND in any case with any whitespace. */
const where = fc.array(fc.tuple(conjunct, ws, kw('and'), ws), { minLength: 1, maxLength: 4 }).map((parts) => ({
  parts: parts.map(([c]) => c),
  text: parts.map(([c, a, and, b], i) => (i === 0 ? c : `${a}${and}${b}${c}`)).join(''),
}));

const returning = fc.oneof(
  fc.constant('*'),
  fc.array(fc.tuple(operand, fc.option(name, { nil: undefined })), { minLength: 1, maxLength: 3 }).map((items) => items.map(([o, a]) => (a ? `${o} AS ${a}` : o)).join(', ')),
);

/** The target: the API table `orders` as it may be written. */
const target = fc.constantFrom('orders', 'Orders', 'ORDERS', '"orders"', '"Orders"', 'public.orders', 'main."ORDERS"', 'restsql.Orders', 'memory.main.orders');
const alias = fc.option(fc.constantFrom({ text: 'o', folded: 'o' }, { text: 'AS o', folded: 'o' }, { text: 'as "O"', folded: 'o' }, { text: 'x_1', folded: 'x_1' }), { nil: undefined });
/** What may trail a statement: nothing, a semicolon, comments. */
const trailer = fc.constantFrom('', ';', ' ; ', ' -- done', ';\n-- next\n', ' /* end */ ;', '\n');

const isApi = (n: string): boolean => n === 'orders';
const text = (sql: string, s: Span | undefined): string | undefined => (s === undefined ? undefined : sql.slice(s.start, s.end).trim());

// ---- Properties ------------------------------------------------------------------------------

test('conjuncts: exactly the AND-ed conditions the WHERE was built from, in order', () => {
  check(fc.tuple(where, trailer), ([w, tail]) => {
    const sql = `DELETE FROM orders WHERE ${w.text}${tail}`;
    const span = { start: sql.indexOf(w.text), end: sql.indexOf(w.text) + w.text.length };
    assert.deepEqual(
      conjuncts(sql, span).map((s) => sql.slice(s.start, s.end).trim()),
      w.parts,
    );
  });
});

test('keyCondition: the column and the value expressions, exactly, in every form', () => {
  const form = fc.oneof(
    fc.tuple(column, operand, fc.nat({ max: 2 })).map(([c, o, parens]) => ({ text: `${'('.repeat(parens)}${c.text} = ${o}${')'.repeat(parens)}`, column: c, values: [o] })),
    fc.tuple(column, fc.array(operand, { minLength: 1, maxLength: 5 }), kw('in')).map(([c, os, inWord]) => ({ text: `${c.text} ${inWord} (${os.join(', ')})`, column: c, values: os })),
    // value = column: the value starts with a literal, so it is not itself a column followed by `=`.
    fc.tuple(plainLiteral, fc.option(operand, { nil: undefined }), column).map(([l, o, c]) => {
      const value = o === undefined ? l : `${l} || ${o}`;
      return { text: `${value} = ${c.text}`, column: c, values: [value] };
    }),
  );
  check(form, (f) => {
    const k = keyCondition(f.text);
    assert.deepEqual(k, { column: f.column.folded, ...(f.column.qualifier ? { qualifier: f.column.qualifier } : {}), values: f.values }, f.text);
  });
});

test('keyCondition: never a key when the value is followed by an operator that binds less tightly', () => {
  const looser = fc.constantFrom('OR', 'or', 'AND', 'IS', 'IS NOT', '=', '<>', '!=', '<', '>=', 'LIKE', 'NOT LIKE', 'ILIKE', 'IN', 'BETWEEN', 'NOT BETWEEN', 'IS DISTINCT FROM', 'ISNULL OR', 'GLOB');
  check(fc.tuple(column, operand, looser, operand, fc.boolean()), ([c, o, op, p, reversed]) => {
    const condition = reversed ? `${o} ${op} ${p} = ${c.text}` : `${c.text} = ${o} ${op} ${p}`;
    assert.equal(keyCondition(condition), undefined, condition);
  });
});

test('UPDATE: target, alias, each SET column and expression, WHERE, RETURNING and the end are the pieces it was built from', () => {
  const assignment = fc.tuple(column, operand);
  check(
    fc.record({
      update: kw('update'),
      target,
      alias,
      set: kw('set'),
      assignments: fc.array(assignment, { minLength: 1, maxLength: 4 }),
      where: fc.option(where, { nil: undefined }),
      returning: fc.option(returning, { nil: undefined }),
      ws,
      tail: trailer,
    }),
    (s) => {
      const statement =
        `${s.update}${s.ws}${s.target}${s.alias ? ` ${s.alias.text}` : ''}${s.ws}${s.set}${s.ws}` +
        s.assignments.map(([c, e]) => `${c.text}${s.ws}=${s.ws}${e}`).join(`,${s.ws}`) +
        (s.where ? `${s.ws}WHERE${s.ws}${s.where.text}` : '') +
        (s.returning ? `${s.ws}RETURNING${s.ws}${s.returning}` : '');
      const sql = statement + s.tail;
      const w = readWriteStatement(sql, isApi);
      assert.ok(w, sql);
      assert.equal(w.kind, 'update');
      assert.equal(w.table, 'orders');
      assert.equal(sql.slice(w.target.start, w.target.end), s.target);
      assert.equal(w.alias, s.alias?.folded);
      assert.deepEqual(
        w.assigned!.map((a) => [a.column, text(sql, a.expr)]),
        s.assignments.map(([c, e]) => [c.folded, e]),
      );
      assert.deepEqual(
        w.assigned!.map((a) => sql.slice(a.at, a.at + 1)),
        s.assignments.map(([c]) => c.text[0]),
      );
      assert.equal(text(sql, w.where), s.where?.text);
      assert.equal(text(sql, w.returning), s.returning);
      assert.equal(sql.slice(0, w.end), statement);
      if (w.returningAt !== undefined) assert.equal(sql.slice(w.returningAt, w.returningAt + 9), 'RETURNING');
    },
  );
});

test('DELETE: target, alias, USING, WHERE, RETURNING and the end are the pieces it was built from', () => {
  check(
    fc.record({
      target,
      alias,
      using: fc.option(name, { nil: undefined }),
      where: fc.option(where, { nil: undefined }),
      returning: fc.option(returning, { nil: undefined }),
      ws,
      tail: trailer,
    }),
    (s) => {
      const statement =
        `DELETE FROM ${s.target}${s.alias ? ` ${s.alias.text}` : ''}` +
        (s.using ? `${s.ws}USING${s.ws}${s.using}` : '') +
        (s.where ? `${s.ws}where${s.ws}${s.where.text}` : '') +
        (s.returning ? `${s.ws}returning${s.ws}${s.returning}` : '');
      const sql = statement + s.tail;
      const w = readWriteStatement(sql, isApi);
      assert.ok(w, sql);
      assert.equal(w.kind, 'delete');
      assert.equal(sql.slice(w.target.start, w.target.end), s.target);
      assert.equal(w.alias, s.alias?.folded);
      assert.equal(text(sql, w.joins), s.using);
      assert.equal(text(sql, w.where), s.where?.text);
      assert.equal(text(sql, w.returning), s.returning);
      assert.equal(sql.slice(0, w.end), statement);
    },
  );
});

test('INSERT: target, column list, source (VALUES or SELECT), RETURNING and the end are the pieces it was built from', () => {
  const values = fc.array(fc.array(operand, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }).map((rows) => `VALUES ${rows.map((r) => `(${r.join(', ')})`).join(', ')}`);
  const select = fc.tuple(fc.array(operand, { minLength: 1, maxLength: 3 }), name, fc.option(where, { nil: undefined })).map(([cols, from, w]) => `SELECT ${cols.join(', ')} FROM ${from}${w ? ` WHERE ${w.text}` : ''}`);
  check(
    fc.record({
      target,
      columns: fc.option(fc.array(column.filter((c) => c.qualifier === undefined), { minLength: 1, maxLength: 4 }), { nil: undefined }),
      source: fc.oneof(values, select, select.map((q) => `(${q})`)),
      returning: fc.option(returning, { nil: undefined }),
      ws,
      tail: trailer,
    }),
    (s) => {
      const statement = `INSERT INTO ${s.target}${s.columns ? `${s.ws}(${s.columns.map((c) => c.text).join(`,${s.ws}`)})` : ''}${s.ws}${s.source}${s.returning ? `${s.ws}RETURNING ${s.returning}` : ''}`;
      const sql = statement + s.tail;
      const w = readWriteStatement(sql, isApi);
      assert.ok(w, sql);
      assert.equal(w.kind, 'insert');
      assert.equal(sql.slice(w.target.start, w.target.end), s.target);
      assert.deepEqual(w.columns, s.columns?.map((c) => c.folded));
      assert.equal(text(sql, w.source), s.source);
      assert.equal(text(sql, w.returning), s.returning);
      assert.equal(sql.slice(0, w.end), statement);
    },
  );
});

test('a write followed by another statement in the same text is refused, wherever the semicolon hides in it', () => {
  check(
    fc.tuple(target, where, fc.option(returning, { nil: undefined }), ws, fc.constantFrom('SELECT 1', 'DELETE FROM mine', "INSERT INTO orders VALUES (1)", '-- c\nUPDATE mine SET a = 1')),
    ([t, w, r, space, second]) => {
      const sql = `DELETE FROM ${t} WHERE ${w.text}${r ? ` RETURNING ${r}` : ''};${space}${second}`;
      assert.throws(
        () => readWriteStatement(sql, isApi),
        (e: unknown) => (e as { code?: string }).code === 'WRITE_UNSUPPORTED' && /followed by another statement/.test((e as Error).message),
        sql,
      );
    },
    100,
  );
});

test('statements whose target is not the API table are never taken for writes to it', () => {
  const other = fc.constantFrom('mine', '"orders x"', 'lake.orders', 'memory.lake.orders', 'c_orders');
  check(
    fc.tuple(other, where, fc.constantFrom('update', 'delete', 'insert')),
    ([t, w, verb]) => {
      const sql = verb === 'update' ? `UPDATE ${t} SET c_a = 1 WHERE ${w.text}` : verb === 'delete' ? `DELETE FROM ${t} WHERE ${w.text}` : `INSERT INTO ${t} SELECT * FROM orders WHERE ${w.text}`;
      assert.equal(readWriteStatement(sql, isApi), undefined, sql);
    },
    100,
  );
});
