import { trimPgSpace } from './pg-space.js';

/**
 * PostgreSQL numeric, for DuckDB's exact numbers (DECIMAL(w,s) as a scaled bigint, HUGEINT and
 * friends as bigints): the text form and the binary form of numeric_send/numeric_recv, which is
 * base-10000 digits after a header of four int16: ndigits, weight (the power of 10000 of the
 * first digit), sign (0x0000, 0x4000 negative, 0xC000 NaN, 0xD000 Infinity, 0xF000 -Infinity)
 * and dscale (digits shown after the point). PostgreSQL 15 datatype-numeric and
 * protocol-message-formats (binary formats are those of each type's send function).
 */

/** A numeric read from a client: an exact scaled integer, or one of the three special values. */
export type NumericValue = { readonly kind: 'finite'; readonly value: bigint; readonly scale: number } | { readonly kind: 'nan' | 'inf' | '-inf' };

const SIGN_POS = 0x0000;
const SIGN_NEG = 0x4000;
const SIGN_NAN = 0xc000;
const SIGN_PINF = 0xd000;
const SIGN_NINF = 0xf000;

/** `value / 10^scale` with every scale digit written: `1.50`, `-0.05`, `0.00`, `12`. */
export function decimalText(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  let s = (negative ? -value : value).toString();
  if (s.length <= scale) s = '0'.repeat(scale - s.length + 1) + s;
  const cut = s.length - scale;
  return `${negative ? '-' : ''}${s.slice(0, cut)}.${s.slice(cut)}`;
}

/** numeric_send of `value / 10^scale`. */
export function numericBinary(value: bigint, scale: number): Buffer {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  const groups: number[] = [];
  let weight = 0;
  if (digits !== '0') {
    const intLen = digits.length - scale;
    const intPart = intLen > 0 ? digits.slice(0, intLen) : '';
    const fracPart = intLen > 0 ? digits.slice(intLen) : '0'.repeat(-intLen) + digits;
    const intPadded = '0'.repeat((4 - (intPart.length % 4)) % 4) + intPart;
    const fracPadded = fracPart + '0'.repeat((4 - (fracPart.length % 4)) % 4);
    const all = intPadded + fracPadded;
    weight = intPadded.length / 4 - 1;
    for (let i = 0; i < all.length; i += 4) groups.push(Number(all.slice(i, i + 4)));
    let first = 0;
    while (groups[first] === 0) first++;
    let last = groups.length;
    while (last > first && groups[last - 1] === 0) last--;
    weight -= first;
    groups.splice(last);
    groups.splice(0, first);
  }
  const buf = Buffer.allocUnsafe(8 + 2 * groups.length);
  buf.writeInt16BE(groups.length, 0);
  buf.writeInt16BE(groups.length === 0 ? 0 : weight, 2);
  buf.writeUInt16BE(negative && groups.length > 0 ? SIGN_NEG : SIGN_POS, 4);
  buf.writeInt16BE(scale, 6);
  for (let i = 0; i < groups.length; i++) buf.writeInt16BE(groups[i]!, 8 + 2 * i);
  return buf;
}

/**
 * numeric_recv: the value of a binary numeric, or a message saying what is wrong with it (the
 * caller words the error). Digits past dscale are cut off, as PostgreSQL does (trunc_var).
 */
export function numericFromBinary(data: Buffer): NumericValue | string {
  if (data.length < 8) return `a binary numeric needs at least 8 bytes, got ${data.length}`;
  const ndigits = data.readInt16BE(0);
  const weight = data.readInt16BE(2);
  const sign = data.readUInt16BE(4);
  const dscale = data.readInt16BE(6);
  if (ndigits < 0 || data.length !== 8 + 2 * ndigits) return `invalid length in external "numeric" value (${ndigits} digits in ${data.length} bytes)`;
  if (sign === SIGN_NAN) return { kind: 'nan' };
  if (sign === SIGN_PINF) return { kind: 'inf' };
  if (sign === SIGN_NINF) return { kind: '-inf' };
  if (sign !== SIGN_POS && sign !== SIGN_NEG) return `invalid sign in external "numeric" value (0x${sign.toString(16)})`;
  if (dscale < 0 || dscale > 0x3fff) return `invalid scale in external "numeric" value (${dscale})`;
  let b = 0n;
  for (let i = 0; i < ndigits; i++) {
    const d = data.readInt16BE(8 + 2 * i);
    if (d < 0 || d > 9999) return `invalid digit in external "numeric" value (${d})`;
    b = b * 10000n + BigInt(d);
  }
  const e = 4 * (weight - ndigits + 1) + dscale;
  let value = e >= 0 ? b * 10n ** BigInt(e) : b / 10n ** BigInt(-e);
  if (sign === SIGN_NEG) value = -value;
  return { kind: 'finite', value, scale: dscale };
}

const NUMERIC_TEXT = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;
const SPECIAL_TEXT: Readonly<Record<string, NumericValue>> = {
  nan: { kind: 'nan' },
  infinity: { kind: 'inf' },
  '+infinity': { kind: 'inf' },
  '-infinity': { kind: '-inf' },
  inf: { kind: 'inf' },
  '+inf': { kind: 'inf' },
  '-inf': { kind: '-inf' },
};

/**
 * numeric_in: `1.50`, ` -3 `, `.5`, `1e-3`, `NaN`, `Infinity`, `-inf` (case-insensitive), or
 * undefined for text that is not a number. The scale is the digits written after the point
 * (less the exponent), as PostgreSQL keeps it: `1.50` is 150 at scale 2.
 */
export function numericFromText(text: string): NumericValue | undefined {
  const t = trimPgSpace(text);
  const m = NUMERIC_TEXT.exec(t);
  if (m === null) return SPECIAL_TEXT[t.toLowerCase()];
  const body = m[2]!;
  const dot = body.indexOf('.');
  const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 100000) return undefined;
  let scale = (dot < 0 ? 0 : body.length - dot - 1) - exp;
  let value = BigInt(digits);
  if (scale < 0) {
    value *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { kind: 'finite', value: m[1] === '-' ? -value : value, scale };
}
