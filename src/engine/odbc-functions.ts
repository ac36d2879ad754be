/**
 * The ODBC scalar functions (`{fn NAME(args)}`, ODBC 3.8 appendix E; JDBC's escape list is the
 * same) as DuckDB SQL, as data: engine/odbc-escapes.ts rewrites a call through this table, and
 * docs/sql.md's function table is generated from it (`odbcFunctionTable`).
 *
 * Where ODBC and DuckDB differ, the DuckDB SQL implements ODBC's meaning: LOG is the natural
 * logarithm (DuckDB's `log` is base 10), LOCATE takes the text sought first, DAYOFWEEK counts
 * Sunday as 1, LENGTH leaves out trailing blanks, SUBSTRING before position 1 counts the positions
 * before the string as SQL does (DuckDB would count from the end), TRUNCATE cuts toward zero at a
 * number of decimal places. Where ODBC leaves a case undefined (a negative count, a start before
 * 1), the SQL raises an error naming the function rather than guess.
 *
 * An argument used more than once is bound once (`bind`: DuckDB's list_transform over a one-item
 * list, a "let"), so it is evaluated once and a `?` parameter in it stays one parameter.
 */

export type OdbcCategory = 'string' | 'numeric' | 'time/date' | 'system' | 'conversion';

/** One argument of a call: its text (escapes in it already rewritten) and that text as an expression. */
export interface OdbcArg {
  /** The argument as written (trimmed), escapes rewritten. */
  readonly text: string;
  /** `(text)`: safe anywhere an expression goes. */
  readonly expr: string;
}

/** A problem with an argument, raised by a mapping; the rewriter adds the SQL position. */
export class OdbcArgError extends Error {
  constructor(
    message: string,
    /** 0-based index of the argument at fault. */
    readonly arg: number,
  ) {
    super(message);
  }
}

export interface OdbcFunction {
  readonly category: OdbcCategory;
  /** How many arguments: [at least, at most]. */
  readonly arity: readonly [number, number];
  /** ODBC's signature, for the docs. */
  readonly signature: string;
  /** What it returns, in ODBC's meaning (for the docs). */
  readonly doc: string;
  /** The DuckDB SQL for a call with these arguments. */
  readonly sql: (args: readonly OdbcArg[]) => string;
  /** The argument list is one piece of SQL, passed as written (EXTRACT(field FROM x), POSITION(a IN b)). */
  readonly raw?: boolean;
}

/** `body` over the arguments bound once each (see the file comment). */
function bind(args: readonly string[], body: (...refs: string[]) => string): string {
  if (args.length === 1) return `list_transform([${args[0]}], lambda restsql_arg: ${body('restsql_arg')})[1]`;
  const fields = args.map((a, i) => `a${i + 1} := ${a}`).join(', ');
  return `list_transform([struct_pack(${fields})], lambda restsql_arg: ${body(...args.map((_, i) => `restsql_arg.a${i + 1}`))})[1]`;
}

/** A runtime error for an argument ODBC leaves undefined. */
function refuse(fn: string, what: string): string {
  return `error('{fn ${fn}}: ${what}')`;
}

/** Standard American Soundex of `s` (letters A-Z only; '' when there is none). */
function soundex(s: string): string {
  // Letters only, upper case; H and W dropped before coding (letters they separate code once);
  // vowels and Y code 0 and separate equal codes; runs of one code collapse; the first letter is
  // kept and its code starts the run; zeros go; padded with 0 or cut to three digits.
  const letters = `regexp_replace(upper(${s}), '[^A-Z]', '', 'g')`;
  return bind([letters], (u) => {
    const codes = `translate(${u}, 'AEIOUYBFPVCGJKQSXZDTLMNRHW', '000000111122222222334556')`;
    const collapsed = bind([codes], (c) => `array_to_string(list_filter(str_split(${c}, ''), lambda restsql_ch, restsql_i: restsql_i = 1 OR restsql_ch <> ${c}[restsql_i - 1]), '')`);
    // The first letter's code is the collapsed run's first character; an H or W first letter has no code.
    const digits = `CASE WHEN left(${u}, 1) IN ('H', 'W') THEN ${collapsed} ELSE substring(${collapsed}, 2) END`;
    return `CASE WHEN ${u} = '' THEN '' ELSE left(${u}, 1) || rpad(replace(${digits}, '0', ''), 3, '0') END`;
  });
}

const SQL_TSI = ['FRAC_SECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
type TsiUnit = (typeof SQL_TSI)[number];

/** SQL_TSI_<unit> (the prefix may be left out, as some JDBC drivers allow); the unit. */
function tsiUnit(arg: OdbcArg, index: number, fn: string): TsiUnit {
  const word = arg.text.replace(/^SQL_TSI_/i, '').toUpperCase();
  const unit = SQL_TSI.find((u) => u === word);
  if (!unit) throw new OdbcArgError(`{fn ${fn}} takes an interval SQL_TSI_FRAC_SECOND, SQL_TSI_SECOND, SQL_TSI_MINUTE, SQL_TSI_HOUR, SQL_TSI_DAY, SQL_TSI_WEEK, SQL_TSI_MONTH, SQL_TSI_QUARTER or SQL_TSI_YEAR, not '${arg.text}'.`, index);
  return unit;
}

const ts = (a: OdbcArg) => `CAST(${a.expr} AS TIMESTAMP)`;
/** Weeks counted from a Sunday (1970-01-04): two dates in the same Sunday-to-Saturday week have the same number. */
const sundayWeek = (t: string) => `CAST(floor(date_diff('day', DATE '1970-01-04', CAST(${t} AS DATE)) / 7) AS BIGINT)`;

function timestampAdd(unit: TsiUnit, n: string, t: string): string {
  const count = (type: string) => `CAST(${n} AS ${type})`;
  switch (unit) {
    case 'FRAC_SECOND':
      // Billionths of a second; DuckDB timestamps hold microseconds.
      return `(${t} + to_microseconds(${count('BIGINT')} // 1000))`;
    case 'SECOND':
      return `(${t} + to_seconds(${count('BIGINT')}))`;
    case 'MINUTE':
      return `(${t} + to_minutes(${count('BIGINT')}))`;
    case 'HOUR':
      return `(${t} + to_hours(${count('BIGINT')}))`;
    case 'DAY':
      return `(${t} + to_days(${count('INTEGER')}))`;
    case 'WEEK':
      return `(${t} + to_days(7 * ${count('INTEGER')}))`;
    case 'MONTH':
      return `(${t} + to_months(${count('INTEGER')}))`;
    case 'QUARTER':
      return `(${t} + to_months(3 * ${count('INTEGER')}))`;
    case 'YEAR':
      return `(${t} + to_years(${count('INTEGER')}))`;
  }
}

function timestampDiff(unit: TsiUnit, a: string, b: string): string {
  switch (unit) {
    case 'FRAC_SECOND':
      return `(date_diff('microsecond', ${a}, ${b}) * 1000)`;
    case 'WEEK':
      // Sunday boundaries crossed, as the other units count their boundaries.
      return `(${sundayWeek(b)} - ${sundayWeek(a)})`;
    default:
      return `date_diff('${unit.toLowerCase()}', ${a}, ${b})`;
  }
}

/** CONVERT's target types: ODBC's SQL_ names and JDBC's names (the same without the prefix). */
export const CONVERT_TYPES: Readonly<Record<string, string>> = {
  BIGINT: 'BIGINT',
  BINARY: 'BLOB',
  BIT: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  CHAR: 'VARCHAR',
  DATE: 'DATE',
  DECIMAL: 'DECIMAL(38, 10)',
  DOUBLE: 'DOUBLE',
  FLOAT: 'DOUBLE',
  GUID: 'UUID',
  INTEGER: 'INTEGER',
  LONGVARBINARY: 'BLOB',
  LONGVARCHAR: 'VARCHAR',
  LONGNVARCHAR: 'VARCHAR',
  NCHAR: 'VARCHAR',
  NUMERIC: 'DECIMAL(38, 10)',
  NVARCHAR: 'VARCHAR',
  REAL: 'REAL',
  SMALLINT: 'SMALLINT',
  TIME: 'TIME',
  TIMESTAMP: 'TIMESTAMP',
  TINYINT: 'TINYINT',
  TYPE_DATE: 'DATE',
  TYPE_TIME: 'TIME',
  TYPE_TIMESTAMP: 'TIMESTAMP',
  VARBINARY: 'BLOB',
  VARCHAR: 'VARCHAR',
  WCHAR: 'VARCHAR',
  WLONGVARCHAR: 'VARCHAR',
  WVARCHAR: 'VARCHAR',
};

/** CURRENT_TIMESTAMP/CURRENT_TIME's optional precision (0 to 9 fractional digits). */
function precision(args: readonly OdbcArg[], fn: string): number | undefined {
  if (args.length === 0) return undefined;
  const p = args[0]!.text;
  if (!/^\d$/.test(p)) throw new OdbcArgError(`{fn ${fn}} takes a precision from 0 to 9, not '${p}'.`, 0);
  return Number(p);
}

/** The local timestamp cut to `p` fractional digits (DuckDB keeps 6). */
function nowAt(p: number | undefined): string {
  if (p === undefined || p >= 6) return 'localtimestamp';
  return `make_timestamp(epoch_us(localtimestamp) // ${10 ** (6 - p)} * ${10 ** (6 - p)})`;
}

const f = (category: OdbcCategory, signature: string, doc: string, arity: readonly [number, number], sql: (a: readonly OdbcArg[]) => string, raw?: boolean): OdbcFunction => ({ category, signature, doc, arity, sql, ...(raw ? { raw } : {}) });
const fn1 = (name: string) => (a: readonly OdbcArg[]) => `${name}(${a[0]!.expr})`;
const fn2 = (name: string) => (a: readonly OdbcArg[]) => `${name}(${a[0]!.expr}, ${a[1]!.expr})`;
const constant = (sql: string) => () => sql;

/** Every ODBC scalar function, by upper-case name. */
export const ODBC_FUNCTIONS: Readonly<Record<string, OdbcFunction>> = Object.freeze({
  // String functions
  ASCII: f('string', 'ASCII(s)', 'code of the first character', [1, 1], fn1('ascii')),
  BIT_LENGTH: f('string', 'BIT_LENGTH(s)', 'length in bits (UTF-8 bytes times 8)', [1, 1], (a) => `(strlen(${a[0]!.expr}) * 8)`),
  CHAR: f('string', 'CHAR(code)', 'the character with that code', [1, 1], (a) => `chr(CAST(${a[0]!.expr} AS INTEGER))`),
  CHAR_LENGTH: f('string', 'CHAR_LENGTH(s)', 'length in characters, trailing blanks included', [1, 1], fn1('length')),
  CHARACTER_LENGTH: f('string', 'CHARACTER_LENGTH(s)', 'as CHAR_LENGTH', [1, 1], fn1('length')),
  CONCAT: f('string', 'CONCAT(s1, s2)', 's1 followed by s2 (NULL when either is NULL)', [2, 2], (a) => `(${a[0]!.expr} || ${a[1]!.expr})`),
  DIFFERENCE: f('string', 'DIFFERENCE(s1, s2)', 'how many of the 4 SOUNDEX characters agree (0 to 4)', [2, 2], (a) =>
    bind([soundex(a[0]!.expr), soundex(a[1]!.expr)], (x, y) => `CASE WHEN ${x} = '' OR ${y} = '' THEN 0 ELSE CAST(${x}[1] = ${y}[1] AS INTEGER) + CAST(${x}[2] = ${y}[2] AS INTEGER) + CAST(${x}[3] = ${y}[3] AS INTEGER) + CAST(${x}[4] = ${y}[4] AS INTEGER) END`),
  ),
  INSERT: f('string', 'INSERT(s, start, n, s2)', 's with n characters from position start (1-based) replaced by s2', [4, 4], (a) =>
    bind(
      a.map((x) => x.expr),
      (s, st, n, s2) => `CASE WHEN ${st} < 1 THEN ${refuse('INSERT', 'start must be 1 or more')} WHEN ${n} < 0 THEN ${refuse('INSERT', 'length must not be negative')} ELSE substring(${s}, 1, ${st} - 1) || ${s2} || substring(${s}, ${st} + ${n}) END`,
    ),
  ),
  LCASE: f('string', 'LCASE(s)', 'lower case', [1, 1], fn1('lower')),
  LEFT: f('string', 'LEFT(s, n)', 'the first n characters', [2, 2], (a) => bind([a[0]!.expr, a[1]!.expr], (s, n) => `CASE WHEN ${n} < 0 THEN ${refuse('LEFT', 'count must not be negative')} ELSE left(${s}, ${n}) END`)),
  LENGTH: f('string', 'LENGTH(s)', 'length in characters, trailing blanks left out', [1, 1], (a) => `length(rtrim(${a[0]!.expr}, ' '))`),
  LOCATE: f('string', 'LOCATE(sought, s[, start])', 'position (1-based) of the first sought in s, from position start; 0 when absent', [2, 3], (a) =>
    a.length === 2
      ? `instr(${a[1]!.expr}, ${a[0]!.expr})`
      : bind(
          [a[0]!.expr, a[1]!.expr, a[2]!.expr],
          (x, s, st) => `CASE WHEN ${st} < 1 THEN ${refuse('LOCATE', 'start must be 1 or more')} WHEN instr(substring(${s}, ${st}), ${x}) = 0 THEN 0 ELSE instr(substring(${s}, ${st}), ${x}) + ${st} - 1 END`,
        ),
  ),
  LTRIM: f('string', 'LTRIM(s)', 's without leading blanks', [1, 1], (a) => `ltrim(${a[0]!.expr}, ' ')`),
  OCTET_LENGTH: f('string', 'OCTET_LENGTH(s)', 'length in bytes (UTF-8)', [1, 1], fn1('strlen')),
  POSITION: f('string', 'POSITION(sought IN s)', 'position (1-based) of sought in s; 0 when absent', [1, 1], (a) => `position(${a[0]!.text})`, true),
  REPEAT: f('string', 'REPEAT(s, n)', 's repeated n times', [2, 2], (a) => bind([a[0]!.expr, a[1]!.expr], (s, n) => `CASE WHEN ${n} < 0 THEN ${refuse('REPEAT', 'count must not be negative')} ELSE repeat(${s}, ${n}) END`)),
  REPLACE: f('string', 'REPLACE(s, old, new)', 'every old in s replaced by new', [3, 3], (a) => `replace(${a[0]!.expr}, ${a[1]!.expr}, ${a[2]!.expr})`),
  RIGHT: f('string', 'RIGHT(s, n)', 'the last n characters', [2, 2], (a) => bind([a[0]!.expr, a[1]!.expr], (s, n) => `CASE WHEN ${n} < 0 THEN ${refuse('RIGHT', 'count must not be negative')} ELSE right(${s}, ${n}) END`)),
  RTRIM: f('string', 'RTRIM(s)', 's without trailing blanks', [1, 1], (a) => `rtrim(${a[0]!.expr}, ' ')`),
  SOUNDEX: f('string', 'SOUNDEX(s)', 'American Soundex code (letter and 3 digits; letters A-Z only)', [1, 1], (a) => soundex(a[0]!.expr)),
  SPACE: f('string', 'SPACE(n)', 'n blanks', [1, 1], (a) => bind([a[0]!.expr], (n) => `CASE WHEN ${n} < 0 THEN ${refuse('SPACE', 'count must not be negative')} ELSE repeat(' ', ${n}) END`)),
  SUBSTRING: f('string', 'SUBSTRING(s, start[, n])', 'n characters (all when n is left out) from position start (1-based; positions before 1 count, as in SQL)', [2, 3], (a) =>
    a.length === 2
      ? bind([a[0]!.expr, a[1]!.expr], (s, st) => `substring(${s}, greatest(${st}, 1))`)
      : bind(
          a.map((x) => x.expr),
          (s, st, n) => `CASE WHEN ${n} < 0 THEN ${refuse('SUBSTRING', 'length must not be negative')} WHEN ${st} >= 1 THEN substring(${s}, ${st}, ${n}) ELSE substring(${s}, 1, greatest(${st} + ${n} - 1, 0)) END`,
        ),
  ),
  UCASE: f('string', 'UCASE(s)', 'upper case', [1, 1], fn1('upper')),

  // Numeric functions
  ABS: f('numeric', 'ABS(x)', 'absolute value', [1, 1], fn1('abs')),
  ACOS: f('numeric', 'ACOS(x)', 'arccosine, in radians', [1, 1], fn1('acos')),
  ASIN: f('numeric', 'ASIN(x)', 'arcsine, in radians', [1, 1], fn1('asin')),
  ATAN: f('numeric', 'ATAN(x)', 'arctangent, in radians', [1, 1], fn1('atan')),
  ATAN2: f('numeric', 'ATAN2(y, x)', 'arctangent of y/x, in radians, in the quadrant of (x, y) (first argument y, as JDBC and every ODBC driver take it)', [2, 2], fn2('atan2')),
  CEILING: f('numeric', 'CEILING(x)', 'smallest integer not below x', [1, 1], fn1('ceil')),
  COS: f('numeric', 'COS(x)', 'cosine of x radians', [1, 1], fn1('cos')),
  COT: f('numeric', 'COT(x)', 'cotangent of x radians', [1, 1], fn1('cot')),
  DEGREES: f('numeric', 'DEGREES(x)', 'x radians in degrees', [1, 1], fn1('degrees')),
  EXP: f('numeric', 'EXP(x)', 'e to the power x', [1, 1], fn1('exp')),
  FLOOR: f('numeric', 'FLOOR(x)', 'largest integer not above x', [1, 1], fn1('floor')),
  LOG: f('numeric', 'LOG(x)', 'natural logarithm', [1, 1], fn1('ln')),
  LOG10: f('numeric', 'LOG10(x)', 'base-10 logarithm', [1, 1], fn1('log10')),
  MOD: f('numeric', 'MOD(a, b)', 'remainder of a divided by b (the sign of a)', [2, 2], (a) => `(${a[0]!.expr} % ${a[1]!.expr})`),
  PI: f('numeric', 'PI()', 'π', [0, 0], constant('pi()')),
  POWER: f('numeric', 'POWER(x, y)', 'x to the power y', [2, 2], fn2('pow')),
  RADIANS: f('numeric', 'RADIANS(x)', 'x degrees in radians', [1, 1], fn1('radians')),
  RAND: f('numeric', 'RAND([seed])', 'a random number in [0, 1); with a seed, the same number for the same seed', [0, 1], (a) =>
    a.length === 0 ? 'random()' : `(CAST(hash(CAST(${a[0]!.expr} AS BIGINT)) >> 11 AS DOUBLE) / 9007199254740992.0)`,
  ),
  ROUND: f('numeric', 'ROUND(x, places)', 'x rounded to places decimal places (negative: left of the point), halves away from zero', [1, 2], (a) =>
    // A DECIMAL is widened first: DuckDB 1.5 rounds DECIMAL(3,2) -9.25 to -1 places as 0 (no room for -10).
    a.length === 1 ? `round(${a[0]!.expr})` : `round(${a[0]!.expr} + CAST(0 AS DECIMAL(38, 0)), ${a[1]!.expr})`,
  ),
  SIGN: f('numeric', 'SIGN(x)', '-1, 0 or 1', [1, 1], fn1('sign')),
  SIN: f('numeric', 'SIN(x)', 'sine of x radians', [1, 1], fn1('sin')),
  SQRT: f('numeric', 'SQRT(x)', 'square root', [1, 1], fn1('sqrt')),
  TAN: f('numeric', 'TAN(x)', 'tangent of x radians', [1, 1], fn1('tan')),
  TRUNCATE: f('numeric', 'TRUNCATE(x, places)', 'x cut toward zero to places decimal places (negative: left of the point)', [2, 2], fn2('trunc')),

  // Time and date functions
  CURDATE: f('time/date', 'CURDATE()', 'the current date', [0, 0], constant('current_date')),
  CURRENT_DATE: f('time/date', 'CURRENT_DATE()', 'the current date', [0, 0], constant('current_date')),
  CURRENT_TIME: f('time/date', 'CURRENT_TIME([precision])', 'the current local time', [0, 1], (a) => `CAST(${nowAt(precision(a, 'CURRENT_TIME'))} AS TIME)`),
  CURRENT_TIMESTAMP: f('time/date', 'CURRENT_TIMESTAMP([precision])', 'the current local timestamp', [0, 1], (a) => nowAt(precision(a, 'CURRENT_TIMESTAMP'))),
  CURTIME: f('time/date', 'CURTIME()', 'the current local time', [0, 0], constant('CAST(localtimestamp AS TIME)')),
  DAYNAME: f('time/date', 'DAYNAME(d)', 'the day\'s name in English (Sunday ... Saturday)', [1, 1], fn1('dayname')),
  DAYOFMONTH: f('time/date', 'DAYOFMONTH(d)', 'day of the month, 1 to 31', [1, 1], fn1('dayofmonth')),
  DAYOFWEEK: f('time/date', 'DAYOFWEEK(d)', 'day of the week, 1 (Sunday) to 7 (Saturday)', [1, 1], (a) => `(dayofweek(${a[0]!.expr}) + 1)`),
  DAYOFYEAR: f('time/date', 'DAYOFYEAR(d)', 'day of the year, 1 to 366', [1, 1], fn1('dayofyear')),
  EXTRACT: f('time/date', 'EXTRACT(field FROM d)', 'YEAR, MONTH, DAY, HOUR, MINUTE or SECOND of d', [1, 1], (a) => {
    const m = /^\s*(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)\s+FROM\s/is.exec(a[0]!.text);
    if (!m) throw new OdbcArgError("{fn EXTRACT} takes 'YEAR|MONTH|DAY|HOUR|MINUTE|SECOND FROM value'.", 0);
    return `extract(${a[0]!.text})`;
  }, true),
  HOUR: f('time/date', 'HOUR(t)', 'hour, 0 to 23', [1, 1], fn1('hour')),
  MINUTE: f('time/date', 'MINUTE(t)', 'minute, 0 to 59', [1, 1], fn1('minute')),
  MONTH: f('time/date', 'MONTH(d)', 'month, 1 to 12', [1, 1], fn1('month')),
  MONTHNAME: f('time/date', 'MONTHNAME(d)', 'the month\'s name in English', [1, 1], fn1('monthname')),
  NOW: f('time/date', 'NOW()', 'the current local timestamp', [0, 0], constant('localtimestamp')),
  QUARTER: f('time/date', 'QUARTER(d)', 'quarter, 1 to 4', [1, 1], fn1('quarter')),
  SECOND: f('time/date', 'SECOND(t)', 'second, 0 to 59', [1, 1], fn1('second')),
  TIMESTAMPADD: f('time/date', 'TIMESTAMPADD(SQL_TSI_unit, n, ts)', 'ts plus n units (FRAC_SECOND: billionths, kept to microseconds); month ends are clamped (Jan 31 + 1 month = Feb 28/29)', [3, 3], (a) =>
    timestampAdd(tsiUnit(a[0]!, 0, 'TIMESTAMPADD'), a[1]!.expr, ts(a[2]!)),
  ),
  TIMESTAMPDIFF: f('time/date', 'TIMESTAMPDIFF(SQL_TSI_unit, ts1, ts2)', 'how many unit boundaries lie from ts1 to ts2 (negative when ts2 is earlier; weeks start on Sunday)', [3, 3], (a) =>
    timestampDiff(tsiUnit(a[0]!, 0, 'TIMESTAMPDIFF'), ts(a[1]!), ts(a[2]!)),
  ),
  WEEK: f('time/date', 'WEEK(d)', 'week of the year: week 1 holds January 1, weeks start on Sunday (1 to 54)', [1, 1], (a) =>
    bind([a[0]!.expr], (d) => `((dayofyear(${d}) - 1 + dayofweek(make_date(year(${d}), 1, 1))) // 7 + 1)`),
  ),
  YEAR: f('time/date', 'YEAR(d)', 'year', [1, 1], fn1('year')),

  // System functions
  DATABASE: f('system', 'DATABASE()', "the database's name (DuckDB's catalog, `memory`)", [0, 0], constant('current_database()')),
  IFNULL: f('system', 'IFNULL(x, otherwise)', 'x, or otherwise when x is NULL', [2, 2], fn2('coalesce')),
  USER: f('system', 'USER()', "the database user's name (DuckDB's, `duckdb`)", [0, 0], constant('current_user')),

  // Conversion
  CONVERT: f('conversion', 'CONVERT(x, SQL_type)', 'x cast to the type (see the CONVERT table)', [2, 2], (a) => {
    const name = a[1]!.text.toUpperCase().replace(/^SQL_/, '');
    const type = CONVERT_TYPES[name];
    if (!type) {
      const hint = /^INTERVAL/.test(name) ? ' (SQL_INTERVAL_ types are not supported: use TIMESTAMPADD, or DuckDB intervals)' : '';
      throw new OdbcArgError(`{fn CONVERT} cannot convert to '${a[1]!.text}'${hint}; types: ${Object.keys(CONVERT_TYPES).map((t) => `SQL_${t}`).join(', ')}.`, 1);
    }
    return `CAST(${a[0]!.expr} AS ${type})`;
  }),
});

/** docs/sql.md's table of the functions above (Markdown), by category. */
export function odbcFunctionTable(): string {
  const rows = Object.entries(ODBC_FUNCTIONS).map(([, d]) => `| ${d.category} | \`${d.signature}\` | ${d.doc} |`);
  return ['| kind | function | returns |', '|---|---|---|', ...rows].join('\n');
}
