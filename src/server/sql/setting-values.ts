import { RestSqlError } from '../../errors/index.js';

/**
 * How PostgreSQL 15 reads and prints the values of its settings (guc.c: parse_bool, parse_int,
 * config_enum_lookup_by_name, _ShowOption), for the settings restsql serve models. The errors
 * carry PostgreSQL's messages; their code is QUERY_BAD_PARAMETER (22P02) where PostgreSQL answers
 * 22023 invalid_parameter_value, until the catalog has a code for it.
 */

export function invalidValue(name: string, value: string, hint?: string): RestSqlError {
  return new RestSqlError('SETTING_INVALID_VALUE', `invalid value for parameter "${name}": "${value}"`, {
    details: { parameter: name },
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * A Boolean as PostgreSQL reads one: a non-empty prefix of true, false, yes or no, on, of(f), or
 * 1 / 0, any case; printed as on / off.
 */
export function parseBoolean(name: string, value: string): boolean {
  const v = value.toLowerCase();
  const prefixOf = (word: string, min = 1): boolean => v.length >= min && v.length <= word.length && word.startsWith(v);
  if (prefixOf('true') || prefixOf('yes') || v === 'on' || v === '1') return true;
  if (prefixOf('false') || prefixOf('no') || prefixOf('off', 2) || v === '0') return false;
  throw new RestSqlError('SETTING_INVALID_VALUE', `parameter "${name}" requires a Boolean value`, {
    details: { parameter: name },
    hint: 'Use on or off (true/false, yes/no and 1/0 are read too).',
  });
}

export function showBoolean(b: boolean): string {
  return b ? 'on' : 'off';
}

/** One of a fixed set of names, any case; printed in its canonical spelling. */
export function parseEnum(name: string, value: string, allowed: readonly string[]): string {
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw invalidValue(name, value, `Available values: ${allowed.join(', ')}.`);
  return found;
}

/** Rounds half to even, like C's rint() in the default rounding mode. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const MS_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
  ['ms', 1],
  ['us', 0.001],
];

const INT_MAX = 2_147_483_647;

/**
 * An integer setting, read as parse_int does: C strtol with base 0 (so 0x1F is hex and 010 is
 * octal), a fraction or exponent read as a float and rounded half to even, then, for settings in
 * milliseconds, an optional unit (us, ms, s, min, h, d; case-sensitive) after optional spaces.
 */
export function parseInteger(name: string, value: string, range: readonly [number, number], unit: 'ms' | undefined): number {
  const m = /^[ \t\n\r\f\v]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(value);
  if (m === null) throw invalidValue(name, value);
  let rest = value.slice(m[0].length);
  let n: number;
  if (/^[.eE]/.test(rest)) {
    const f = /^[ \t\n\r\f\v]*[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?/.exec(value);
    if (f === null) throw invalidValue(name, value);
    n = Number(f[0].trim());
    rest = value.slice(f[0].length);
  } else {
    const digits = m[2] as string;
    const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : parseInt(digits, 10);
    n = m[1] === '-' ? -magnitude : magnitude;
  }
  rest = rest.replace(/^[ \t\n\r\f\v]+/, '');
  if (rest !== '') {
    const u = /^(\S+)[ \t\n\r\f\v]*$/.exec(rest);
    const factor = unit === undefined || u === null ? undefined : MS_UNITS.find(([s]) => s === u[1])?.[1];
    if (factor === undefined) {
      throw invalidValue(name, value, unit === undefined ? undefined : `Valid units for this parameter are ${MS_UNITS.map(([s]) => `"${s}"`).reverse().join(', ').replace(/, ("d")$/, ', and $1')}.`);
    }
    n *= factor;
  }
  n = rint(n);
  if (!Number.isFinite(n) || Math.abs(n) > INT_MAX) {
    throw new RestSqlError('SETTING_INVALID_VALUE', `invalid value for parameter "${name}": "${value}"`, { details: { parameter: name }, hint: 'Value exceeds integer range.' });
  }
  const [min, max] = range;
  if (n < min || n > max) {
    throw new RestSqlError('SETTING_INVALID_VALUE', `${n}${unit === undefined ? '' : ` ${unit}`} is outside the valid range for parameter "${name}" (${min} .. ${max})`, {
      details: { parameter: name },
    });
  }
  return n;
}

/** Milliseconds as SHOW prints them: 0, else in the largest unit that divides them (1500ms, 5s, 1min). */
export function showMilliseconds(ms: number): string {
  if (ms === 0) return '0';
  for (const [suffix, factor] of MS_UNITS) {
    if (factor >= 1 && ms % factor === 0) return `${ms / factor}${suffix}`;
  }
  return `${ms}ms`;
}

/** A timeout setting: 0 (off) to INT_MAX milliseconds. */
export function parseTimeout(name: string, value: string): number {
  return parseInteger(name, value, [0, INT_MAX], 'ms');
}
