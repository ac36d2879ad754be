import { trimPgSpace } from './pg-space.js';

/**
 * Reading an interval parameter (PostgreSQL 15 datatype-datetime, 8.5.4 Interval Input): the
 * postgres style PostgreSQL prints and clients write (`1 year 2 mons 3 days 04:05:06.5`,
 * `@ 1 hour ago`, pgjdbc's `0 years 0 mons 1 days 2 hours 3 mins 4.5 secs`, `-1.5 hours`, a bare
 * number of seconds), the SQL standard `1-2` (years-months) and `3 4:05:06` (days then time),
 * and ISO 8601 designators (`P1Y2M3DT4H5M6.5S`). Fractions spill into the smaller fields as
 * PostgreSQL spills them: a fraction of a year into months (rounded), of a month into days of
 * 30, of a week into days, of a day or smaller into seconds.
 */
export interface IntervalParts {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

type Unit = 'us' | 'ms' | 's' | 'min' | 'h' | 'd' | 'w' | 'mon' | 'y' | 'decade' | 'century' | 'millennium';

const UNITS: Readonly<Record<string, Unit>> = {};
const alias = (unit: Unit, names: string): void => {
  for (const n of names.split(' ')) (UNITS as Record<string, Unit>)[n] = unit;
};
alias('us', 'microsecond microseconds microsecon us usec usecs useconds');
alias('ms', 'millisecond milliseconds millisecon ms msec msecs mseconds');
alias('s', 's sec secs second seconds');
alias('min', 'm min mins minute minutes');
alias('h', 'h hr hrs hour hours');
alias('d', 'd day days');
alias('w', 'w week weeks');
alias('mon', 'mon mons month months');
alias('y', 'y yr yrs year years');
alias('decade', 'dec decs decade decades');
alias('century', 'c cent century centuries');
alias('millennium', 'mil mils millennia millennium');

/** C's rint: to the nearest integer, ties to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The fields PostgreSQL's DecodeInterval adds into, in its units. */
class Accumulator {
  months = 0;
  days = 0;
  seconds = 0;
  micros = 0;

  /** AdjustFractSeconds: a fraction of a `scale`-second unit into seconds and microseconds. */
  fractSeconds(frac: number, scale: number): void {
    if (frac === 0) return;
    const f = frac * scale;
    const sec = Math.trunc(f);
    this.seconds += sec;
    this.micros += rint((f - sec) * 1e6);
  }

  /** AdjustFractDays: a fraction of a `scale`-day unit into days, then seconds. */
  fractDays(frac: number, scale: number): void {
    if (frac === 0) return;
    const f = frac * scale;
    const d = Math.trunc(f);
    this.days += d;
    this.fractSeconds(f - d, 86400);
  }

  add(value: number, unit: Unit): void {
    const whole = Math.trunc(value);
    const frac = value - whole;
    switch (unit) {
      case 'us':
        this.micros += rint(value);
        break;
      case 'ms':
        this.micros += rint(value * 1000);
        break;
      case 's':
        this.seconds += whole;
        this.micros += rint(frac * 1e6);
        break;
      case 'min':
        this.seconds += whole * 60;
        this.fractSeconds(frac, 60);
        break;
      case 'h':
        this.seconds += whole * 3600;
        this.fractSeconds(frac, 3600);
        break;
      case 'd':
        this.days += whole;
        this.fractSeconds(frac, 86400);
        break;
      case 'w':
        this.days += whole * 7;
        this.fractDays(frac, 7);
        break;
      case 'mon':
        this.months += whole;
        this.fractDays(frac, 30);
        break;
      case 'y':
        this.months += whole * 12 + rint(frac * 12);
        break;
      case 'decade':
        this.months += whole * 120 + rint(frac * 120);
        break;
      case 'century':
        this.months += whole * 1200 + rint(frac * 1200);
        break;
      case 'millennium':
        this.months += whole * 12000 + rint(frac * 12000);
        break;
    }
  }

  /** hh:mm[:ss[.ffffff]] (or mm:ss.fff), signed as a whole. */
  addTime(negative: boolean, a: number, b: number, c: number | undefined, frac: string | undefined, minutesFirst: boolean): void {
    const sign = negative ? -1 : 1;
    const [h, m, s] = minutesFirst ? [0, a, b] : [a, b, c ?? 0];
    this.seconds += sign * (h * 3600 + m * 60 + s);
    if (frac !== undefined && frac !== '') this.micros += sign * rint(Number(`0.${frac}`) * 1e6);
  }

  result(negate: boolean): IntervalParts | string {
    const sign = negate ? -1 : 1;
    const micros = (BigInt(this.seconds) * 1000000n + BigInt(this.micros)) * BigInt(sign);
    const months = this.months * sign + 0;
    const days = this.days * sign + 0;
    if (!fitsInt32(months) || !fitsInt32(days) || micros > 9223372036854775807n || micros < -9223372036854775807n) return 'interval out of range';
    return { months, days, micros };
  }
}

function fitsInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const NUMBER_UNIT = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z]+)$/;
const TIME = /^([+-]?)(\d+):(\d+)(?::(\d+))?(?:\.(\d*))?$/;
const YEAR_MONTH = /^([+-]?)(\d+)-(\d+)$/;

/** An interval's months, days and microseconds, or a message saying why the text is not one. */
export function parseIntervalText(text: string): IntervalParts | string {
  const t = trimPgSpace(text).toLowerCase();
  if (t.length === 0) return 'invalid input syntax';
  if (t.startsWith('p')) return parseIso(t);
  const tokens = t.split(/[ \t\n\v\f\r]+/);
  const acc = new Accumulator();
  let ago = false;
  let sawField = false;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '@' && i === 0) continue;
    if (tok === 'ago' && i === tokens.length - 1 && sawField) {
      ago = true;
      continue;
    }
    sawField = true;
    const time = TIME.exec(tok);
    if (time !== null) {
      const [, sign, a, b, c, frac] = time;
      // one colon and a fraction is mm:ss.fff; otherwise hh:mm[:ss]
      acc.addTime(sign === '-', Number(a), Number(b), c === undefined ? undefined : Number(c), frac, c === undefined && frac !== undefined);
      continue;
    }
    const ym = YEAR_MONTH.exec(tok);
    if (ym !== null) {
      const months = Number(ym[2]) * 12 + Number(ym[3]);
      acc.months += ym[1] === '-' ? -months : months;
      continue;
    }
    let value: number;
    let unitName: string | undefined;
    const attached = NUMBER_UNIT.exec(tok);
    if (attached !== null) {
      value = Number(attached[1]);
      unitName = attached[2];
    } else if (NUMBER.test(tok)) {
      value = Number(tok);
      const next = tokens[i + 1];
      if (next !== undefined && UNITS[next] !== undefined) {
        unitName = next;
        i++;
      } else if (next !== undefined && TIME.test(next)) {
        unitName = 'd'; // SQL standard: days, then the time
      } else if (next === undefined || next === 'ago') {
        unitName = 's'; // a bare number is seconds
      } else {
        return `invalid input syntax (unknown unit "${next}")`;
      }
    } else {
      return `invalid input syntax (unexpected "${tok}")`;
    }
    const unit = UNITS[unitName!];
    if (unit === undefined) return `invalid input syntax (unknown unit "${unitName}")`;
    acc.add(value, unit);
  }
  if (!sawField) return 'invalid input syntax';
  return acc.result(ago);
}

const ISO_DATE_UNITS: Readonly<Record<string, Unit>> = { y: 'y', m: 'mon', w: 'w', d: 'd' };
const ISO_TIME_UNITS: Readonly<Record<string, Unit>> = { h: 'h', m: 'min', s: 's' };

/** ISO 8601 with designators: `P1Y2M3W4DT5H6M7.5S`, each number optionally signed and fractional. */
function parseIso(t: string): IntervalParts | string {
  const m = /^p((?:[+-]?(?:\d+\.?\d*|\.\d+)[ymwd])*)(?:t((?:[+-]?(?:\d+\.?\d*|\.\d+)[hms])+))?$/.exec(t);
  if (m === null || (m[1] === '' && m[2] === undefined)) return 'invalid input syntax for an ISO 8601 interval (PnYnMnDTnHnMnS expected)';
  const acc = new Accumulator();
  for (const [part, units] of [[m[1] ?? '', ISO_DATE_UNITS], [m[2] ?? '', ISO_TIME_UNITS]] as const) {
    for (const f of part.matchAll(/([+-]?(?:\d+\.?\d*|\.\d+))([a-z])/g)) acc.add(Number(f[1]), units[f[2]!]!);
  }
  return acc.result(false);
}
