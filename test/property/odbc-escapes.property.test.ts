/**
 * Property tests of the ODBC/JDBC escape rewriter (src/engine/odbc-escapes.ts):
 * - for random SQL made of string literals ('...', E'...', $tag$...$tag$), quoted identifiers,
 *   comments (line, nested block), plain text and escape sequences (nested ones too): the text of
 *   every literal, identifier and comment comes out byte for byte, in order; SQL without escapes
 *   comes back unchanged; rewriting its own output changes nothing;
 * - differential: every ODBC scalar function, run through DuckDB for generated arguments, gives the
 *   value computed independently in JavaScript from ODBC's definition.
 * Seeded and bounded; the seed is printed on failure (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { createEngine, type Engine } from '../../src/engine/duckdb.js';
import { rewriteEscapes } from '../../src/engine/odbc-escapes.js';
import { ODBC_FUNCTIONS } from '../../src/engine/odbc-functions.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261215);

async function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void | Promise<void>, numRuns: number): Promise<void> {
  const out = await fc.check(fc.asyncProperty(arb, async (v) => predicate(v)), { seed: SEED, numRuns, endOnFailure: true });
  if (out.failed) {
    const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(`property failure (replay with RESTSQL_FC_SEED=${SEED}): ${why}\n${(fc.defaultReportMessage(out) ?? '').slice(0, 4000)}`);
  }
}

// ---- Part 1: what the rewriter leaves alone --------------------------------------------------

/** Characters that matter to the scanner, and some that do not. */
const TRICKY = ['{', '}', "'", '"', '$', '-', '/', '*', '\\', '(', ')', ',', '\n', ' ', 'a', 'E', 'fn', 'd', 'ts', 'oj', '?', ':', 'é', '😀', '{fn UCASE(x)}', "{d '2024-01-01'}", '--', '/*', '*/', '$$', '$a$'];
const piece = (exclude: readonly string[]) => fc.array(fc.constantFrom(...TRICKY.filter((t) => !exclude.some((x) => t.includes(x)))), { maxLength: 8 }).map((a) => a.join(''));

interface Segment {
  readonly text: string;
  /** Copied byte for byte (a literal, a quoted identifier or a comment). */
  readonly opaque: boolean;
  readonly escape: boolean;
}

const single = fc.array(fc.constantFrom(...TRICKY), { maxLength: 8 }).map((a): Segment => ({ text: `'${a.join('').replaceAll("'", "''")}'`, opaque: true, escape: false }));
const eString = fc.array(fc.constantFrom(...TRICKY), { maxLength: 8 }).map((a): Segment => ({ text: `E'${a.join('').replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`, opaque: true, escape: false }));
const dollar = fc.tuple(fc.constantFrom('', 'q', 'tag_1'), piece(['$'])).map(([tag, body]): Segment => ({ text: `$${tag}$${body}$${tag}$`, opaque: true, escape: false }));
const quotedId = fc.array(fc.constantFrom(...TRICKY), { minLength: 1, maxLength: 8 }).map((a): Segment => ({ text: `"${a.join('').replaceAll('"', '""')}"`, opaque: true, escape: false }));
const lineComment = piece(['\n']).map((body): Segment => ({ text: `--${body}\n`, opaque: true, escape: false }));
const blockBody = piece(['/', '*']);
const blockComment = fc.tuple(blockBody, fc.option(blockBody, { nil: undefined }), blockBody).map(([a, inner, b]): Segment => ({ text: `/*${a}${inner === undefined ? '' : `/*${inner}*/`}${b}*/`, opaque: true, escape: false }));
const opaque = fc.oneof(single, eString, dollar, quotedId, lineComment, blockComment);
const plain = fc.constantFrom('SELECT', 'x', 'FROM t', '1 + 2', ',', '(a)', 'WHERE', 'b = 3', '[1, 2]', "{'k': 1}", '{k: 2}', 'MAP {1: 2}', '$1', '?', 'a$b').map((text): Segment => ({ text, opaque: false, escape: false }));
const kw = (word: string) => fc.constantFrom(word, word.toUpperCase(), word[0]!.toUpperCase() + word.slice(1));
const escapeArb: fc.Arbitrary<Segment[]> = fc.letrec<{ esc: Segment[] }>((tie) => ({
  esc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(kw('fn'), fc.constantFrom('ucase', 'LCASE', 'Ltrim'), fc.oneof(single, quotedId)).map(([k, name, arg]) => [{ text: `{${k} ${name}(`, opaque: false, escape: true }, arg, { text: ')}', opaque: false, escape: true }]),
    fc.tuple(kw('fn'), single, single).map(([k, a, b]) => [{ text: `{${k} CONCAT(`, opaque: false, escape: true }, a, { text: ', ', opaque: false, escape: true }, b, { text: ')}', opaque: false, escape: true }]),
    fc.tuple(kw('d'), fc.constantFrom('2024-01-31', '1999-12-31', '2000-02-29')).map(([k, d]) => [{ text: `{${k} '${d}'}`, opaque: false, escape: true }]),
    fc.tuple(kw('ts'), fc.constantFrom('2024-01-31 13:45:00', '2024-01-31 13:45:00.123')).map(([k, d]) => [{ text: `{${k} '${d}'}`, opaque: false, escape: true }]),
    fc.tuple(kw('t'), fc.constantFrom('13:45:00', '00:00:59')).map(([k, d]) => [{ text: `{${k} '${d}'}`, opaque: false, escape: true }]),
    fc.tuple(kw('escape'), fc.constantFrom('\\', '!', "''")).map(([k, c]) => [{ text: `{${k} '${c}'}`, opaque: false, escape: true }]),
    fc.tuple(kw('oj'), opaque).map(([k, o]) => [{ text: `{${k} a LEFT OUTER JOIN b ON `, opaque: false, escape: true }, o, { text: ' = 1}', opaque: false, escape: true }]),
    // Nested: {fn UCASE(<escape>)}.
    fc.tuple(kw('fn'), tie('esc')).map(([k, inner]) => [{ text: `{${k} UCASE(`, opaque: false, escape: true }, ...inner, { text: ')}', opaque: false, escape: true }]),
  ),
})).esc;

const segmentsArb = (withEscapes: boolean) =>
  fc.array(withEscapes ? fc.oneof(opaque.map((s) => [s]), plain.map((s) => [s]), escapeArb) : fc.oneof(opaque.map((s) => [s]), plain.map((s) => [s])), { maxLength: 12 }).map((parts) => parts.flat());

/** Joined with blanks, so no segment runs into its neighbour (`E` before a literal would make an E-string). */
const joined = (segments: readonly Segment[]) => segments.map((s) => s.text).join(' ');

test('escapes are rewritten, and nothing inside literals, quoted identifiers or comments is touched', async () => {
  let rewrites = 0;
  await check(
    segmentsArb(true),
    (segments) => {
      const sql = joined(segments);
      const out = rewriteEscapes(sql);
      // (a) Every literal, identifier and comment, byte for byte and in order.
      let at = 0;
      for (const s of segments.filter((x) => x.opaque)) {
        const found = out.indexOf(s.text, at);
        assert.ok(found >= 0, `${JSON.stringify(s.text)} lost in ${JSON.stringify(out)}`);
        at = found + s.text.length;
      }
      // No escape survives: a rewritten statement holds no escape keyword after a brace outside what was copied.
      if (segments.some((s) => s.escape)) {
        rewrites++;
        assert.notEqual(out, sql);
      }
      // (c) Idempotent.
      assert.equal(rewriteEscapes(out), out, `not idempotent on ${JSON.stringify(out)}`);
    },
    300,
  );
  assert.ok(rewrites > 50, `only ${rewrites} inputs had escapes`);
});

test('SQL without escapes comes back unchanged (identity), and so does its rewriting (idempotence)', async () => {
  await check(
    segmentsArb(false),
    (segments) => {
      const sql = joined(segments);
      assert.equal(rewriteEscapes(sql), sql);
    },
    300,
  );
});

// ---- Part 2: the functions, differentially ---------------------------------------------------

let engine: Engine;
before(async () => {
  engine = await createEngine();
});
after(async () => {
  await engine.close();
});

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const chars = (s: string) => [...s];

/** American Soundex as its definition reads, letter by letter (independent of the SQL). */
function soundex(s: string): string {
  const letters = s.toUpperCase().replace(/[^A-Z]/g, '');
  if (letters === '') return '';
  const code = (c: string) => (/[BFPV]/.test(c) ? '1' : /[CGJKQSXZ]/.test(c) ? '2' : /[DT]/.test(c) ? '3' : c === 'L' ? '4' : /[MN]/.test(c) ? '5' : c === 'R' ? '6' : /[HW]/.test(c) ? '' : '0');
  let out = letters[0]!;
  let last = code(letters[0]!);
  for (const c of letters.slice(1)) {
    const k = code(c);
    if (k === '') continue; // H, W: neither coded nor separating
    if (k !== '0' && k !== last) out += k;
    last = k;
  }
  return (out + '000').slice(0, 4);
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace('Z', '');
const dayOfYear = (d: Date) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
const sundayWeek = (ms: number) => Math.floor((Math.floor(ms / 86_400_000) - 3) / 7);
function addMonths(ms: number, n: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
  const y = Math.floor(total / 12);
  const m = total - y * 12;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}
/** x (a decimal k/8) rounded or cut at `places`, exactly, as a number. */
function decimalAt(x: number, places: number, mode: 'round' | 'trunc'): number {
  const scale = 10 ** Math.abs(places);
  const v = places >= 0 ? x * scale : x / scale;
  const r = mode === 'trunc' ? Math.trunc(v) : Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
  return places >= 0 ? r / scale : r * scale;
}

/** 1-based character position of the first `sought` in `s` at or after position `start`; 0 when absent. */
function locate(sought: string, s: string, start: number): number {
  const [x, c] = [chars(sought), chars(s)];
  for (let i = start - 1; i + x.length <= c.length; i++) if (x.every((ch, j) => c[i + j] === ch)) return i + 1;
  return 0;
}

type Gen = fc.Arbitrary<readonly unknown[]>;
interface Case {
  /** The argument SQL for generated values. */
  readonly args: Gen;
  readonly sql: (a: readonly unknown[]) => string[];
  readonly expect: (a: readonly unknown[]) => unknown;
  /** The result cast for comparison (timestamps as text). */
  readonly cast?: string;
  readonly approx?: boolean;
}

const str = fc.array(fc.constantFrom('a', 'B', 'c', ' ', 'é', 'x', 'Y', 'sh', 'ck', 'ph', 'r', 'o'), { maxLength: 7 }).map((a) => a.join(''));
const nonEmpty = str.filter((s) => s.length > 0);
const smallInt = fc.integer({ min: 0, max: 9 });
const eighths = fc.integer({ min: -160, max: 160 }).map((k) => k / 8);
const positive = fc.integer({ min: 1, max: 400 }).map((k) => k / 8);
const unit = fc.integer({ min: -8, max: 8 }).map((k) => k / 8);
const dayMs = fc.integer({ min: Date.UTC(1901, 0, 1) / 86_400_000, max: Date.UTC(2099, 11, 31) / 86_400_000 }).map((d) => d * 86_400_000);
const tsMs = fc.tuple(dayMs, fc.integer({ min: 0, max: 86_399 })).map(([d, s]) => d + s * 1000);
const dateSql = (ms: unknown) => `{d '${iso(ms as number).slice(0, 10)}'}`;
const tsSql = (ms: unknown) => `{ts '${iso(ms as number)}'}`;
const s1 = (a: readonly unknown[]) => [sqlString(a[0] as string)];
const n1 = (a: readonly unknown[]) => [String(a[0])];
const TSI = ['FRAC_SECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;

const CASES: Record<string, Case> = {
  ASCII: { args: fc.tuple(nonEmpty), sql: s1, expect: (a) => (a[0] as string).codePointAt(0) },
  BIT_LENGTH: { args: fc.tuple(str), sql: s1, expect: (a) => Buffer.byteLength(a[0] as string) * 8 },
  CHAR: { args: fc.tuple(fc.integer({ min: 32, max: 126 })), sql: n1, expect: (a) => String.fromCharCode(a[0] as number) },
  CHAR_LENGTH: { args: fc.tuple(str), sql: s1, expect: (a) => chars(a[0] as string).length },
  CHARACTER_LENGTH: { args: fc.tuple(str), sql: s1, expect: (a) => chars(a[0] as string).length },
  CONCAT: { args: fc.tuple(str, str), sql: (a) => a.map((x) => sqlString(x as string)), expect: (a) => `${a[0]}${a[1]}` },
  DIFFERENCE: {
    args: fc.tuple(nonEmpty, nonEmpty),
    sql: (a) => a.map((x) => sqlString(x as string)),
    expect: (a) => {
      const [x, y] = [soundex(a[0] as string), soundex(a[1] as string)];
      return x === '' || y === '' ? 0 : [0, 1, 2, 3].filter((i) => x[i] === y[i]).length;
    },
  },
  INSERT: {
    args: str.chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 1, max: chars(s).length + 1 }), fc.integer({ min: 0, max: chars(s).length + 1 }), str)),
    sql: (a) => [sqlString(a[0] as string), String(a[1]), String(a[2]), sqlString(a[3] as string)],
    expect: (a) => {
      const c = chars(a[0] as string);
      return c.slice(0, (a[1] as number) - 1).join('') + (a[3] as string) + c.slice((a[1] as number) - 1 + (a[2] as number)).join('');
    },
  },
  LCASE: { args: fc.tuple(str), sql: s1, expect: (a) => (a[0] as string).toLowerCase() },
  LEFT: { args: fc.tuple(str, smallInt), sql: (a) => [sqlString(a[0] as string), String(a[1])], expect: (a) => chars(a[0] as string).slice(0, a[1] as number).join('') },
  LENGTH: { args: fc.tuple(str), sql: s1, expect: (a) => chars((a[0] as string).replace(/ +$/, '')).length },
  LOCATE: {
    args: fc.tuple(nonEmpty, str, fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined })),
    sql: (a) => [sqlString(a[0] as string), sqlString(a[1] as string), ...(a[2] === undefined ? [] : [String(a[2])])],
    expect: (a) => locate(a[0] as string, a[1] as string, (a[2] as number | undefined) ?? 1),
  },
  LTRIM: { args: fc.tuple(str), sql: s1, expect: (a) => (a[0] as string).replace(/^ +/, '') },
  OCTET_LENGTH: { args: fc.tuple(str), sql: s1, expect: (a) => Buffer.byteLength(a[0] as string) },
  POSITION: { args: fc.tuple(nonEmpty, str), sql: (a) => [`${sqlString(a[0] as string)} IN ${sqlString(a[1] as string)}`], expect: (a) => locate(a[0] as string, a[1] as string, 1) },
  REPEAT: { args: fc.tuple(str, fc.integer({ min: 0, max: 3 })), sql: (a) => [sqlString(a[0] as string), String(a[1])], expect: (a) => (a[0] as string).repeat(a[1] as number) },
  REPLACE: { args: fc.tuple(str, nonEmpty, str), sql: (a) => a.map((x) => sqlString(x as string)), expect: (a) => (a[0] as string).split(a[1] as string).join(a[2] as string) },
  RIGHT: { args: fc.tuple(str, smallInt), sql: (a) => [sqlString(a[0] as string), String(a[1])], expect: (a) => ((n) => (n === 0 ? '' : chars(a[0] as string).slice(-n).join('')))(a[1] as number) },
  RTRIM: { args: fc.tuple(str), sql: s1, expect: (a) => (a[0] as string).replace(/ +$/, '') },
  SOUNDEX: { args: fc.tuple(fc.oneof(str, fc.constantFrom('Robert', 'Rupert', 'Ashcraft', 'Tymczak', 'Pfister', 'Honeyman', 'Washington', 'Lee', 'Gutierrez', 'Jackson'))), sql: s1, expect: (a) => soundex(a[0] as string) },
  SPACE: { args: fc.tuple(smallInt), sql: n1, expect: (a) => ' '.repeat(a[0] as number) },
  SUBSTRING: {
    args: fc.tuple(str, fc.integer({ min: -3, max: 9 }), fc.integer({ min: 0, max: 9 })),
    sql: (a) => [sqlString(a[0] as string), String(a[1]), String(a[2])],
    expect: (a) => {
      const c = chars(a[0] as string);
      const [st, n] = [a[1] as number, a[2] as number];
      // Positions st .. st+n-1 that exist (1 .. length).
      return c.filter((_, i) => i + 1 >= st && i + 1 <= st + n - 1).join('');
    },
  },
  UCASE: { args: fc.tuple(str), sql: s1, expect: (a) => (a[0] as string).toUpperCase() },

  ABS: { args: fc.tuple(eighths), sql: n1, expect: (a) => Math.abs(a[0] as number), approx: true },
  ACOS: { args: fc.tuple(unit), sql: n1, expect: (a) => Math.acos(a[0] as number), approx: true },
  ASIN: { args: fc.tuple(unit), sql: n1, expect: (a) => Math.asin(a[0] as number), approx: true },
  ATAN: { args: fc.tuple(eighths), sql: n1, expect: (a) => Math.atan(a[0] as number), approx: true },
  ATAN2: { args: fc.tuple(eighths, eighths), sql: (a) => a.map(String), expect: (a) => Math.atan2(a[0] as number, a[1] as number), approx: true },
  CEILING: { args: fc.tuple(eighths), sql: n1, expect: (a) => Math.ceil(a[0] as number), approx: true },
  COS: { args: fc.tuple(eighths), sql: n1, expect: (a) => Math.cos(a[0] as number), approx: true },
  COT: { args: fc.tuple(positive), sql: n1, expect: (a) => 1 / Math.tan(a[0] as number), approx: true },
  DEGREES: { args: fc.tuple(eighths), sql: n1, expect: (a) => ((a[0] as number) * 180) / Math.PI, approx: true },
  EXP: { args: fc.tuple(unit), sql: n1, expect: (a) => Math.exp(a[0] as number), approx: true },
  FLOOR: { args: fc.tuple(eighths), sql: n1, expect: (a) => Math.floor(a[0] as number), approx: true },
  LOG: { args: fc.tuple(positive), sql: n1, expect: (a) => Math.log(a[0] as number), approx: true },
  LOG10: { args: fc.tuple(positive), sql: n1, expect: (a) => Math.log10(a[0] as number), approx: true },
  MOD: { args: fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 9 }).chain((b) => fc.constantFrom(b, -b))), sql: (a) => a.map(String), expect: (a) => (a[0] as number) % (a[1] as number) },
  PI: { args: fc.constant([]), sql: () => [], expect: () => Math.PI, approx: true },
  POWER: { args: fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 6 })), sql: (a) => a.map(String), expect: (a) => (a[0] as number) ** (a[1] as number), approx: true },
  RADIANS: { args: fc.tuple(eighths), sql: n1, expect: (a) => ((a[0] as number) * Math.PI) / 180, approx: true },
  ROUND: { args: fc.tuple(eighths, fc.integer({ min: -2, max: 3 }), fc.boolean()), sql: (a) => [a[2] ? `CAST(${a[0]} AS DOUBLE)` : String(a[0]), String(a[1])], expect: (a) => decimalAt(a[0] as number, a[1] as number, 'round'), cast: 'DOUBLE', approx: true },
  SIGN: { args: fc.tuple(eighths), sql: n1, expect: (a) => Math.sign(a[0] as number) || 0, approx: true },
  SIN: { args: fc.tuple(eighths), sql: n1, expect: (a) => Math.sin(a[0] as number), approx: true },
  SQRT: { args: fc.tuple(positive), sql: n1, expect: (a) => Math.sqrt(a[0] as number), approx: true },
  TAN: { args: fc.tuple(unit), sql: n1, expect: (a) => Math.tan(a[0] as number), approx: true },
  TRUNCATE: { args: fc.tuple(eighths, fc.integer({ min: -2, max: 3 }), fc.boolean()), sql: (a) => [a[2] ? `CAST(${a[0]} AS DOUBLE)` : String(a[0]), String(a[1])], expect: (a) => decimalAt(a[0] as number, a[1] as number, 'trunc'), cast: 'DOUBLE', approx: true },

  DAYNAME: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => DAY_NAMES[new Date(a[0] as number).getUTCDay()] },
  DAYOFMONTH: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => new Date(a[0] as number).getUTCDate() },
  DAYOFWEEK: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => new Date(a[0] as number).getUTCDay() + 1 },
  DAYOFYEAR: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => dayOfYear(new Date(a[0] as number)) },
  EXTRACT: { args: fc.tuple(tsMs, fc.constantFrom('YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND')), sql: (a) => [`${a[1]} FROM ${tsSql(a[0])}`], expect: (a) => ((d) => ({ YEAR: d.getUTCFullYear(), MONTH: d.getUTCMonth() + 1, DAY: d.getUTCDate(), HOUR: d.getUTCHours(), MINUTE: d.getUTCMinutes(), SECOND: d.getUTCSeconds() })[a[1] as 'YEAR'])(new Date(a[0] as number)) },
  HOUR: { args: fc.tuple(tsMs), sql: (a) => [tsSql(a[0])], expect: (a) => new Date(a[0] as number).getUTCHours() },
  MINUTE: { args: fc.tuple(tsMs), sql: (a) => [tsSql(a[0])], expect: (a) => new Date(a[0] as number).getUTCMinutes() },
  MONTH: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => new Date(a[0] as number).getUTCMonth() + 1 },
  MONTHNAME: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => MONTH_NAMES[new Date(a[0] as number).getUTCMonth()] },
  QUARTER: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => Math.floor(new Date(a[0] as number).getUTCMonth() / 3) + 1 },
  SECOND: { args: fc.tuple(tsMs), sql: (a) => [tsSql(a[0])], expect: (a) => new Date(a[0] as number).getUTCSeconds() },
  TIMESTAMPADD: {
    args: fc.tuple(fc.constantFrom(...TSI), fc.integer({ min: -30, max: 30 }), tsMs),
    sql: (a) => [`SQL_TSI_${a[0]}`, String(a[1]), tsSql(a[2])],
    cast: 'VARCHAR',
    expect: (a) => {
      const [u, n, t] = [a[0] as (typeof TSI)[number], a[1] as number, a[2] as number];
      const ms = { FRAC_SECOND: t + n / 1e6, SECOND: t + n * 1000, MINUTE: t + n * 60_000, HOUR: t + n * 3_600_000, DAY: t + n * 86_400_000, WEEK: t + n * 7 * 86_400_000, MONTH: addMonths(t, n), QUARTER: addMonths(t, 3 * n), YEAR: addMonths(t, 12 * n) }[u];
      // FRAC_SECOND: n billionths are below a microsecond here, so nothing is added.
      return iso(u === 'FRAC_SECOND' ? t : ms);
    },
  },
  TIMESTAMPDIFF: {
    args: fc.tuple(fc.constantFrom(...TSI), tsMs, tsMs),
    sql: (a) => [`SQL_TSI_${a[0]}`, tsSql(a[1]), tsSql(a[2])],
    expect: (a) => {
      const [u, t1, t2] = [a[0] as (typeof TSI)[number], a[1] as number, a[2] as number];
      const [d1, d2] = [new Date(t1), new Date(t2)];
      const months = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
      const at = (ms: number, unitMs: number) => Math.floor(ms / unitMs);
      return {
        FRAC_SECOND: BigInt(t2 - t1) * 1_000_000n,
        SECOND: at(t2, 1000) - at(t1, 1000),
        MINUTE: at(t2, 60_000) - at(t1, 60_000),
        HOUR: at(t2, 3_600_000) - at(t1, 3_600_000),
        DAY: at(t2, 86_400_000) - at(t1, 86_400_000),
        WEEK: sundayWeek(t2) - sundayWeek(t1),
        MONTH: months(d2) - months(d1),
        QUARTER: Math.floor(months(d2) / 3) - Math.floor(months(d1) / 3),
        YEAR: d2.getUTCFullYear() - d1.getUTCFullYear(),
      }[u];
    },
  },
  WEEK: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => ((d) => Math.floor((dayOfYear(d) - 1 + new Date(Date.UTC(d.getUTCFullYear(), 0, 1)).getUTCDay()) / 7) + 1)(new Date(a[0] as number)) },
  YEAR: { args: fc.tuple(dayMs), sql: (a) => [dateSql(a[0])], expect: (a) => new Date(a[0] as number).getUTCFullYear() },

  IFNULL: { args: fc.tuple(fc.option(str, { nil: null }), str), sql: (a) => [a[0] === null ? 'NULL' : sqlString(a[0] as string), sqlString(a[1] as string)], expect: (a) => a[0] ?? a[1] },
  CONVERT: {
    args: fc.oneof(
      fc.tuple(fc.integer({ min: -1000, max: 1000 }).map(String), fc.constantFrom('SQL_INTEGER', 'SQL_BIGINT', 'SQL_SMALLINT', 'INTEGER')).map(([v, t]) => [sqlString(v), t, Number(v)]),
      fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom('SQL_VARCHAR', 'SQL_CHAR', 'SQL_WVARCHAR', 'VARCHAR')).map(([v, t]) => [String(v), t, String(v)]),
      fc.tuple(dayMs, fc.constantFrom('SQL_DATE', 'SQL_TYPE_DATE', 'DATE')).map(([v, t]) => [sqlString(iso(v).slice(0, 10)), t, iso(v).slice(0, 10)]),
      fc.tuple(eighths.filter((v) => !Number.isInteger(v)), fc.constantFrom('SQL_DOUBLE', 'SQL_FLOAT', 'DOUBLE')).map(([v, t]) => [sqlString(String(v)), t, v]),
    ),
    sql: (a) => [a[0] as string, a[1] as string],
    expect: (a) => a[2],
  },
};

test('every ODBC scalar function has a differential case (or a reason it has none)', () => {
  // Functions of the clock, the session and chance are checked by their own properties below.
  const own = new Set(['CURDATE', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURTIME', 'NOW', 'RAND', 'DATABASE', 'USER']);
  assert.deepEqual(Object.keys(ODBC_FUNCTIONS).filter((f) => !CASES[f] && !own.has(f)), []);
});

test('every ODBC function through DuckDB equals its ODBC meaning computed in JavaScript', async () => {
  const names = Object.keys(CASES);
  const all = fc.tuple(...names.map((n) => CASES[n]!.args));
  await check(
    all,
    async (argsPerFunction) => {
      const columns = names.map((n, i) => {
        const c = CASES[n]!;
        const call = `{fn ${n}(${c.sql(argsPerFunction[i]!).join(', ')})}`;
        return `CAST(${call} AS ${c.cast ?? (c.approx ? 'DOUBLE' : 'VARCHAR')}) AS c${i}`;
      });
      const sql = rewriteEscapes(`SELECT ${columns.join(', ')}`);
      const row = (await engine.run(sql))[0]!.rows[0]!;
      names.forEach((n, i) => {
        const c = CASES[n]!;
        const want = c.expect(argsPerFunction[i]!);
        const got = row[`c${i}`];
        const where = `{fn ${n}(${c.sql(argsPerFunction[i]!).join(', ')})}`;
        if (c.approx) {
          assert.equal(typeof got, 'number', `${where}: ${String(got)}`);
          assert.ok(Math.abs((got as number) - (want as number)) <= 1e-9 * Math.max(1, Math.abs(want as number)), `${where}: DuckDB ${String(got)}, ODBC ${String(want)}`);
        } else {
          assert.equal(got, want === null ? null : String(want), where);
        }
      });
    },
    60,
  );
});

test('the clock, session and chance functions: their types and their properties', async () => {
  const r = (
    await engine.run(
      rewriteEscapes(
        `SELECT {fn CURDATE()} = current_date AS d1, {fn CURRENT_DATE()} = current_date AS d2,
          abs(epoch({fn NOW()}) - epoch(localtimestamp)) < 5 AS n1, abs(epoch({fn CURRENT_TIMESTAMP()}) - epoch(localtimestamp)) < 5 AS n2,
          microsecond({fn CURRENT_TIMESTAMP(0)}) % 1000000 = 0 AS p0, typeof({fn CURTIME()}) AS t1, typeof({fn CURRENT_TIME(3)}) AS t2,
          {fn RAND(7)} = {fn RAND(7)} AS same, {fn RAND(7)} <> {fn RAND(8)} AS differ, {fn RAND()} >= 0 AND {fn RAND()} < 1 AS unit,
          {fn RAND(7)} >= 0 AND {fn RAND(7)} < 1 AS unit7, {fn DATABASE()} AS db, {fn USER()} AS who`,
      ),
    )
  )[0]!.rows[0]!;
  assert.deepEqual(r, { d1: true, d2: true, n1: true, n2: true, p0: true, t1: 'TIME', t2: 'TIME', same: true, differ: true, unit: true, unit7: true, db: 'memory', who: 'duckdb' });
});
