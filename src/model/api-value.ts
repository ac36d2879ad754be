/**
 * A WHERE constant as an API reads it, for the column it is compared with: booleans `true` /
 * `false`, dates `2024-01-05`, timestamps ISO 8601 in UTC (`2024-01-05T10:00:00Z`), numbers in
 * plain decimal digits, strings as they are. Only a constant whose value is exactly the value
 * DuckDB compares the column with is rendered; anything else (a fraction against an integer
 * column, a zoned timestamp, a float with more digits than a double keeps) answers undefined and
 * stays with DuckDB, which checks every row anyway.
 */
import type { SqlConstant } from './condition.js';
import { UUID_RE, isIsoDate, isIsoTimestamp } from './infer.js';
import type { ColumnType, FilterOp } from './types.js';

const RANGE: Partial<Record<ColumnType, readonly [bigint, bigint]>> = {
  INTEGER: [-(2n ** 31n), 2n ** 31n - 1n],
  BIGINT: [-(2n ** 63n), 2n ** 63n - 1n],
  HUGEINT: [-(2n ** 127n), 2n ** 127n - 1n],
};
const ORDERED: ReadonlySet<ColumnType> = new Set(['INTEGER', 'BIGINT', 'HUGEINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR']);
// DuckDB's timestamp text: date, 'T' or space, time with optional seconds and fraction, UTC or no zone.
const TIMESTAMP_PARTS = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:Z|[+-]00(?::?00)?)?)?$/i;

/** Decimal text without a needless sign, leading or trailing zeros. */
function canonicalDecimal(text: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return out === '0' ? '0' : `${m[1]}${out}`;
}

function significantDigits(decimal: string): number {
  return decimal.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;
}

/** A finite double in plain decimal digits (JavaScript writes 1e21 and 1e-7 with exponents). */
function plainNumber(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2]! + (m[3] ?? '');
  const exp = Number(m[4]);
  if (exp < 0) return `${m[1]}0.${'0'.repeat(-exp - 1)}${digits}`;
  return digits.length <= exp + 1 ? m[1] + digits + '0'.repeat(exp + 1 - digits.length) : `${m[1]}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

function integerText(k: SqlConstant, type: ColumnType): string | undefined {
  // An integer literal, a decimal literal with a zero fraction (compared as 12.00 = 12), or
  // integer text (DuckDB casts '12' to the column's type).
  const text = k.kind === 'number' ? canonicalDecimal(k.text) : k.kind === 'string' && /^-?\d+$/.test(k.text) ? canonicalDecimal(k.text) : undefined;
  if (text === undefined || text.includes('.')) return undefined;
  const [min, max] = RANGE[type]!;
  const v = BigInt(text);
  return v >= min && v <= max ? text : undefined;
}

function doubleText(k: SqlConstant): string | undefined {
  if (k.kind === 'double') return plainNumber(Number(k.text));
  const text = k.kind === 'number' || (k.kind === 'string' && /^-?\d+(\.\d+)?$/.test(k.text)) ? canonicalDecimal(k.text) : undefined;
  // More digits than a double keeps: DuckDB's conversion and the API's parse may round apart.
  return text !== undefined && significantDigits(text) <= 15 ? text : undefined;
}

function timestampText(k: SqlConstant): string | undefined {
  if (k.kind !== 'string' && k.kind !== 'timestamp' && k.kind !== 'date') return undefined;
  const m = TIMESTAMP_PARTS.exec(k.text);
  if (!m || !(m[2] === undefined ? isIsoDate(m[1]!) : isIsoTimestamp(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}`))) return undefined;
  const [, date, h = '00', mi = '00', s = '00', frac] = m;
  return `${date}T${h}:${mi}:${s}${frac ? '.' + frac : ''}Z`;
}

/**
 * The text to send for constant `k` compared with `op` on a column of `type`, or undefined when
 * it must not be pushed. `contains` takes the text of a `LIKE '%text%'` pattern.
 */
export function apiValue(k: SqlConstant, type: ColumnType, op: FilterOp): string | undefined {
  if ((op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') && !ORDERED.has(type)) return undefined;
  if (op === 'contains') return type === 'VARCHAR' && k.kind === 'string' ? k.text : undefined;
  switch (type) {
    case 'VARCHAR':
      return k.kind === 'string' ? k.text : undefined;
    case 'INTEGER':
    case 'BIGINT':
    case 'HUGEINT':
      return integerText(k, type);
    case 'DOUBLE':
      return doubleText(k);
    case 'BOOLEAN':
      if (k.kind === 'boolean' || k.kind === 'string') {
        const t = k.text.toLowerCase();
        if (t === 't' || t === 'true') return 'true';
        if (t === 'f' || t === 'false') return 'false';
      }
      return undefined;
    case 'DATE':
      return (k.kind === 'date' || k.kind === 'string') && isIsoDate(k.text) ? k.text : undefined;
    case 'TIMESTAMP':
      return timestampText(k);
    case 'UUID':
      return k.kind === 'string' && UUID_RE.test(k.text) ? k.text.toLowerCase() : undefined;
    case 'JSON':
      return undefined;
    default: {
      const never: never = type;
      throw new Error(`unhandled column type ${String(never)}`);
    }
  }
}
