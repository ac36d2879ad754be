/**
 * real and double precision as PostgreSQL 15 prints them with extra_float_digits > 0 (the
 * default 1): the shortest decimal that reads back to the same value (PostgreSQL 15
 * datatype-numeric, 8.1.3 Floating-Point Types; chosen as its Ryu code chooses, see
 * shortestStrict), written like printf's %g: plain notation
 * when the decimal exponent is in [-4, 15) for float8 and [-4, 6) for float4, else `1e+20`,
 * `1.5e-07` (at least two exponent digits). `NaN`, `Infinity`, `-Infinity`, `-0`.
 */

/** The digits (no leading or trailing zeros) and decimal exponent of the first digit. */
interface Decimal {
  readonly digits: string;
  readonly exp: number;
}

/** Digits and exponent of a finite, non-zero number's JS text, which is its shortest round-trip form. */
function decimalOf(text: string): Decimal {
  let s = text.charCodeAt(0) === 45 ? text.slice(1) : text;
  let exp = 0;
  const e = s.indexOf('e');
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  const intLen = dot < 0 ? s.length : dot;
  let digits = dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1);
  let lead = 0;
  while (digits.charCodeAt(lead) === 48) lead++;
  digits = digits.slice(lead);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return { digits: digits.slice(0, end), exp: exp + intLen - 1 - lead };
}

function layout(negative: boolean, { digits, exp }: Decimal, plainBelow: number): string {
  const sign = negative ? '-' : '';
  const n = digits.length;
  if (exp >= -4 && exp < plainBelow) {
    if (exp >= n - 1) return sign + digits + '0'.repeat(exp - n + 1);
    if (exp >= 0) return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const a = Math.abs(exp);
  return `${sign}${digits[0]}${n > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

function special(x: number): string | undefined {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return undefined;
}

/**
 * The shortest-round-trip decimal as PostgreSQL's Ryu (d2s.c, f2s.c) picks it: the fewest digits
 * that lie STRICTLY inside the value's rounding interval (PostgreSQL builds Ryu with
 * acceptBounds false, so a decimal exactly halfway to a neighbour does not count), nearest to the
 * value, an exact tie going to the even digit. JS's own shortest form admits the halfway decimal
 * of an even-mantissa value and rounds ties up, so it can differ where those matter.
 *
 * `value`, `lowMid` and `highMid` are exact rationals n/d (the value and the midpoints to its
 * neighbours); `near(p)` is the value rounded to p digits (toPrecision, correct to the last digit).
 */
interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

function rationalOfDouble(x: number): Rational {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = exp - 1075;
  if (exp === 0) e = -1074;
  else m |= 1n << 52n;
  return e >= 0 ? { n: m << BigInt(e), d: 1n } : { n: m, d: 1n << BigInt(-e) };
}

function rationalOfDecimal(mantissa: bigint, exp10: number): Rational {
  return exp10 >= 0 ? { n: mantissa * 10n ** BigInt(exp10), d: 1n } : { n: mantissa, d: 10n ** BigInt(-exp10) };
}

/** Sign of a - b. */
function compare(a: Rational, b: Rational): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

function absDiff(a: Rational, b: Rational): Rational {
  const n = a.n * b.d - b.n * a.d;
  return { n: n < 0n ? -n : n, d: a.d * b.d };
}

function midpoint(a: Rational, b: Rational): Rational {
  return { n: a.n * b.d + b.n * a.d, d: 2n * a.d * b.d };
}

function shortestStrict(x: number, lowMid: Rational, highMid: Rational, maxDigits: number): Decimal {
  const value = rationalOfDouble(x);
  for (let p = 1; p <= maxDigits; p++) {
    const near = decimalOf(x.toPrecision(p));
    const unit = near.exp - p + 1;
    const m = BigInt(near.digits.padEnd(p, '0'));
    let best: { m: bigint; distance: Rational } | undefined;
    for (const c of [m - 1n, m, m + 1n]) {
      if (c <= 0n) continue;
      const r = rationalOfDecimal(c, unit);
      if (compare(r, lowMid) <= 0 || compare(r, highMid) >= 0) continue;
      const distance = absDiff(r, value);
      const order = best === undefined ? -1 : compare(distance, best.distance);
      if (order < 0 || (order === 0 && c % 2n === 0n)) best = { m: c, distance };
    }
    if (best !== undefined) return decimalOf(`${best.m}e${unit}`);
  }
  return decimalOf(x.toPrecision(maxDigits));
}

/** float8out: `0.1`, `1e+20`, `1.2345678901234568e+17`, `1e-05`. */
export function float8Text(x: number): string {
  const a = x < 0 ? -x : x;
  // Below 2^53 no decimal short enough to be the shortest lies exactly on a rounding boundary or
  // halfway between two candidates, so JS's shortest digits are PostgreSQL's; in [1e-4, 1e15)
  // its plain layout is PostgreSQL's too. Above 2^53 the boundaries are integers: checked exactly.
  if (a >= 1e-4 && a < 1e15) return String(x);
  const sp = special(x);
  if (sp !== undefined) return sp;
  if (a < 9007199254740992) return layout(x < 0, decimalOf(String(x)), 15);
  const value = rationalOfDouble(a);
  const down = rationalOfDouble(nextDown(a));
  const up = nextUp(a);
  const highMid = up === Infinity ? reflect(value, down) : midpoint(value, rationalOfDouble(up));
  return layout(x < 0, shortestStrict(a, midpoint(value, down), highMid, 17), 15);
}

/** value + (value - below) / 2: the upper midpoint of the largest finite value. */
function reflect(value: Rational, below: Rational): Rational {
  return { n: 3n * value.n * below.d - below.n * value.d, d: 2n * value.d * below.d };
}

function nextUp(a: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

function nextDown(a: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * The same choice for a float4 in plain doubles, which is exact there: a float4's midpoints are
 * doubles, and a decimal is above (below) a double exactly when the double nearest it is. Gives up
 * (undefined) when a candidate parses onto a midpoint or two candidates are nearly equally close,
 * for the exact rational search to settle.
 */
function float4Fast(a: number, lowMid: number, highMid: number): Decimal | undefined {
  // A p-digit decimal inside the interval is also a (p+1)-digit one, so the fewest digits can be
  // found by bisection; 9 digits always suffice for a float4.
  const at = (p: number): Decimal | null | undefined => {
    const near = decimalOf(a.toPrecision(p));
    const unit = near.exp - p + 1;
    const m = Number(near.digits.padEnd(p, '0'));
    let best = -1;
    let bestDistance = Infinity;
    for (const c of [m - 1, m, m + 1]) {
      if (c <= 0) continue;
      const v = Number(`${c}e${unit}`);
      if (v === lowMid || v === highMid) return undefined;
      if (v < lowMid || v > highMid) continue;
      const distance = Math.abs(v - a);
      if (best >= 0 && Math.abs(distance - bestDistance) <= 1e-7 * Math.max(distance, bestDistance) + 1e-15 * a) return undefined;
      if (distance < bestDistance) {
        best = c;
        bestDistance = distance;
      }
    }
    return best >= 0 ? decimalOf(`${best}e${unit}`) : null;
  };
  let lo = 1;
  let hi = 9;
  let found = at(hi);
  if (found === null || found === undefined) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = at(mid);
    if (r === undefined) return undefined;
    if (r === null) lo = mid + 1;
    else {
      hi = mid;
      found = r;
    }
  }
  return found;
}

/** float4out for a float32 value (as DuckDB hands a FLOAT): `0.1`, `1e+06`, `3.4028235e+38`. */
export function float4Text(x: number): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  const a = Math.abs(x);
  F32[0] = a;
  const bits = U32[0]!;
  U32[0] = bits + 1;
  const up = F32[0]!; // Infinity above the largest float
  U32[0] = bits - 1;
  const down = bits === 0 ? 0 : F32[0]!;
  const fast = up === Infinity ? undefined : float4Fast(a, (a + down) / 2, (a + up) / 2);
  if (fast !== undefined) return layout(x < 0, fast, 6);
  const value = rationalOfDouble(a);
  const below = rationalOfDouble(down);
  const highMid = up === Infinity ? reflect(value, below) : midpoint(value, rationalOfDouble(up));
  return layout(x < 0, shortestStrict(a, midpoint(value, below), highMid, 9), 6);
}
