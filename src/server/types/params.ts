import type { DuckDBBlobValue, DuckDBDateValue, DuckDBType, DuckDBUUIDValue, DuckDBValue } from '@duckdb/node-api';
import { isUtf8 } from 'node:buffer';
import { RestSqlError } from '../../errors/index.js';
import { parseArrayText, type ArrayTextNode } from './array-text.js';
import { MICROS_PER_SECOND } from './datetime-text.js';
import { parseDateText, parseTimestampText, parseTimeText } from './datetime-parse.js';
import { duckdb } from '../../engine/duckdb-api.js';
import { parseIntervalText } from './interval-parse.js';
import { decimalText, numericFromBinary, numericFromText, type NumericValue } from './numeric.js';
import { PG_OID, pgTypeByOid, pgTypeDisplayName } from './oids.js';
import { trimPgSpace } from './pg-space.js';
import { zoneOf, type FormatOptions } from './text-format.js';
import type { TimeZone } from './time-zone.js';

const D = duckdb;

/**
 * Reading Bind parameters (PostgreSQL 15 protocol-message-formats, Bind; protocol-overview 55.1.3
 * Formats and Format Codes): the bytes a client sent for a parameter, in text (0) or binary (1),
 * with the oid it declared in Parse (0 when it left the type to the server), into a DuckDB value
 * and the DuckDB type to bind it as (`prepared.bind(values, types)`).
 *
 * Text follows each type's PostgreSQL input function where clients need it (integers with
 * surrounding spaces, the boolean spellings, bytea hex and escape forms, ISO dates, intervals,
 * arrays); text of an unspecified, unknown or string type, and of a type restsql does not know,
 * is bound as VARCHAR, which DuckDB casts to what the statement needs, as PostgreSQL resolves an
 * unknown literal. Binary follows each type's recv function.
 */
export interface BoundParam {
  readonly value: DuckDBValue;
  readonly type: DuckDBType;
}

const JSON_TYPE = D.DuckDBVarCharType.create('JSON');

/** DuckDB's finite DATE and TIMESTAMP ranges (days; microseconds). */
const MIN_DAYS = -2147483646;
const MAX_DAYS = 2147483646;
const MIN_MICROS = -9223372022400000000n;
const MAX_MICROS = 9223372036854775806n;
const PG_EPOCH_DAYS = 10957;
const PG_EPOCH_MICROS = 946684800000000n;

/** A parameter value in an error message: quoted and cut at 100 characters. */
function shown(text: string): string {
  return `"${text.length > 100 ? `${text.slice(0, 100)}...` : text}"`;
}

function badText(oid: number, text: string, hint: string, why?: string): RestSqlError {
  return new RestSqlError('QUERY_BAD_PARAMETER', `invalid input syntax for type ${pgTypeDisplayName(oid)}: ${shown(text)}${why === undefined ? '' : ` (${why})`}`, { hint, details: { oid } });
}

function outOfRange(oid: number, text: string, hint: string): RestSqlError {
  return new RestSqlError('QUERY_BAD_PARAMETER', `value ${shown(text)} is out of range for type ${pgTypeDisplayName(oid)}`, { hint, details: { oid } });
}

function badBinary(oid: number, message: string, hint = 'Send the parameter in text format, or fix the client that encodes it.'): RestSqlError {
  return new RestSqlError('QUERY_BAD_PARAMETER', `binary value for type ${pgTypeDisplayName(oid)} is malformed: ${message}`, { hint, details: { oid } });
}

function wrongLength(oid: number, got: number, want: number): RestSqlError {
  return new RestSqlError('QUERY_BAD_PARAMETER', `binary value for type ${pgTypeDisplayName(oid)} has ${got} bytes; it must have ${want}`, {
    hint: `Send ${want} bytes as PostgreSQL's ${pgTypeDisplayName(oid)} binary format does, or send the parameter in text format.`,
    details: { oid, length: got },
  });
}

/** UTF-8 text of a parameter, refused when it is not valid UTF-8 or holds NUL (as PostgreSQL refuses it). */
function utf8(data: Buffer, oid: number): string {
  if (!isUtf8(data)) {
    throw new RestSqlError('QUERY_BAD_PARAMETER', `invalid byte sequence for encoding "UTF8" in a parameter of type ${pgTypeDisplayName(oid)}`, {
      hint: 'Send parameters in UTF-8 (client_encoding is UTF8).',
      details: { oid },
    });
  }
  if (data.includes(0)) {
    throw new RestSqlError('QUERY_BAD_PARAMETER', `invalid byte sequence for encoding "UTF8": 0x00 in a parameter of type ${pgTypeDisplayName(oid)}`, {
      hint: 'Text cannot hold NUL characters; send such data as bytea.',
      details: { oid },
    });
  }
  return data.toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Scalars. Each reads one value of one PostgreSQL type; numeric is apart (its DuckDB type depends
// on the value).

interface Scalar {
  readonly type: DuckDBType;
  text(s: string, oid: number, zone: TimeZone): DuckDBValue;
  binary?(b: Buffer, oid: number): DuckDBValue;
}

const INT_RE = /^[+-]?\d+$/;

function intText(bits: 16 | 32, hint: string) {
  const max = bits === 16 ? 32767 : 2147483647;
  return (s: string, oid: number): number => {
    const t = trimPgSpace(s);
    if (!INT_RE.test(t)) throw badText(oid, s, hint);
    const n = Number(t);
    if (n > max || n < -max - 1) throw outOfRange(oid, s, hint);
    return n;
  };
}

function fixed(oid: number, b: Buffer, n: number): void {
  if (b.length !== n) throw wrongLength(oid, b.length, n);
}

const BOOL_HINT = "Send one of t, true, yes, on, 1 or f, false, no, off, 0.";

/** parse_bool: any unique prefix of true/false/yes/no, on/off (two letters at least), 1/0, any case. */
function boolText(s: string, oid: number): boolean {
  const t = trimPgSpace(s).toLowerCase();
  const n = t.length;
  if (n > 0) {
    if ('true'.startsWith(t) || 'yes'.startsWith(t) || (n >= 2 && 'on'.startsWith(t)) || t === '1') return true;
    if ('false'.startsWith(t) || 'no'.startsWith(t) || (n >= 2 && 'off'.startsWith(t)) || t === '0') return false;
  }
  throw badText(oid, s, BOOL_HINT);
}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT_SPECIAL: Readonly<Record<string, number>> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
};

/** float8in/float4in: decimal or exponent notation, NaN, Infinity, inf; out of range when it overflows or underflows to 0. */
function floatText(single: boolean) {
  const hint = "Send a number such as 1.5, -2e-3, 'NaN' or 'Infinity'.";
  return (s: string, oid: number): number => {
    const t = trimPgSpace(s);
    const special = FLOAT_SPECIAL[t.toLowerCase()];
    if (special !== undefined) return special;
    if (!FLOAT_RE.test(t)) throw badText(oid, s, hint);
    const v = single ? Math.fround(Number(t)) : Number(t);
    if (v === Infinity || v === -Infinity || (v === 0 && /[1-9]/.test(t.replace(/[eE].*$/, '')))) {
      throw new RestSqlError('QUERY_BAD_PARAMETER', `${shown(s)} is out of range for type ${pgTypeDisplayName(oid)}`, { hint, details: { oid } });
    }
    return v;
  };
}

const BYTEA_HINT = "Send bytea as hex ('\\x0a0b') or in escape format ('a\\\\b\\001').";

function byteaError(message: string): RestSqlError {
  return new RestSqlError('QUERY_BAD_PARAMETER', message, { hint: BYTEA_HINT, details: { oid: PG_OID.bytea } });
}

/** byteain: `\x` then hex digit pairs (white space between pairs allowed), or the escape format. */
function byteaText(s: string, oid: number): DuckDBBlobValue {
  if (s.startsWith('\\x')) {
    const hex = s.slice(2);
    if (/^[0-9a-fA-F]*$/.test(hex) && hex.length % 2 === 0) return new D.DuckDBBlobValue(Buffer.from(hex, 'hex'));
    const out: number[] = [];
    for (let i = 0; i < hex.length; ) {
      const c = hex[i];
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
        i++;
        continue;
      }
      const pair = hex.slice(i, i + 2);
      if (pair.length < 2 && /^[0-9a-fA-F]$/.test(pair)) throw byteaError('invalid hexadecimal data: odd number of digits');
      const bad = /[^0-9a-fA-F]/.exec(pair);
      if (bad !== null) throw byteaError(`invalid hexadecimal digit: "${bad[0]}"`);
      out.push(parseInt(pair, 16));
      i += 2;
    }
    return new D.DuckDBBlobValue(Buffer.from(out));
  }
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== 92) {
      bytes.push(c);
      continue;
    }
    if (raw[i + 1] === 92) {
      bytes.push(92);
      i++;
      continue;
    }
    const oct = raw.subarray(i + 1, i + 4).toString('latin1');
    if (!/^[0-3][0-7][0-7]$/.test(oct)) throw badText(oid, s, BYTEA_HINT, 'a backslash must start \\\\ or three octal digits');
    bytes.push(parseInt(oct, 8));
    i += 3;
  }
  return new D.DuckDBBlobValue(Buffer.from(bytes));
}

const UUID_HINT = "Send a UUID as 32 hex digits, optionally in groups of four split by '-' and inside braces: a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11.";

/** uuid_in (string_to_uuid): optional braces, 32 hex digits, a '-' allowed after any group of four. */
function uuidText(s: string, oid: number): DuckDBUUIDValue {
  let i = 0;
  const braces = s[0] === '{';
  if (braces) i++;
  let hex = '';
  for (let byte = 0; byte < 16; byte++) {
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw badText(oid, s, UUID_HINT);
    hex += pair;
    i += 2;
    if (s[i] === '-' && byte % 2 === 1 && byte < 15) i++;
  }
  if (braces) {
    if (s[i] !== '}') throw badText(oid, s, UUID_HINT);
    i++;
  }
  if (i !== s.length) throw badText(oid, s, UUID_HINT);
  return D.DuckDBUUIDValue.fromUint128(BigInt(`0x${hex}`));
}

function uuidBinary(b: Buffer, oid: number): DuckDBUUIDValue {
  fixed(oid, b, 16);
  return D.DuckDBUUIDValue.fromUint128((b.readBigUInt64BE(0) << 64n) | b.readBigUInt64BE(8));
}

function jsonText(s: string, oid: number): string {
  try {
    JSON.parse(s);
  } catch (cause) {
    throw new RestSqlError('QUERY_BAD_PARAMETER', `invalid input syntax for type ${pgTypeDisplayName(oid)}: ${shown(s)}`, {
      hint: 'Send valid JSON (RFC 8259).',
      details: { oid, reason: cause instanceof Error ? cause.message : String(cause) },
    });
  }
  return s;
}

const DATE_HINT = "Send a date as YYYY-MM-DD (with ' BC' for years before 1 AD), 'infinity' or '-infinity'.";
const TIMESTAMP_HINT = "Send a timestamp as YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]] (ISO 8601, 'T' allowed between date and time, ' BC' after), 'infinity' or '-infinity'.";
const TIME_HINT = 'Send a time as HH:MM[:SS[.ffffff]] (with +HH[:MM] for time with time zone).';
const INTERVAL_HINT = "Send an interval as PostgreSQL writes it ('1 year 2 mons 3 days 04:05:06.5', '-1.5 hours', '@ 2 days ago') or in ISO 8601 ('P1Y2M3DT4H5M6.5S').";

/** PostgreSQL's words for a month 13 or a 25 o'clock. */
function fieldOutOfRange(oid: number, s: string, hint: string): RestSqlError {
  return new RestSqlError('QUERY_BAD_PARAMETER', `date/time field value out of range: ${shown(s)}`, { hint, details: { oid } });
}

/** PostgreSQL's words for a date or timestamp past the type's range (here DuckDB's). */
function pastRange(oid: number, s: string, hint: string): RestSqlError {
  return new RestSqlError('QUERY_BAD_PARAMETER', `${oid === PG_OID.date ? 'date' : 'timestamp'} out of range: ${shown(s)}`, { hint, details: { oid } });
}

function dateValue(days: number, oid: number, s: string): DuckDBDateValue {
  if (days < MIN_DAYS || days > MAX_DAYS) throw pastRange(oid, s, DATE_HINT);
  return new D.DuckDBDateValue(days);
}

function dateText(s: string, oid: number): DuckDBDateValue {
  const r = parseDateText(s);
  if (r === 'infinity') return D.DuckDBDateValue.PosInf;
  if (r === '-infinity') return D.DuckDBDateValue.NegInf;
  if (typeof r !== 'number') throw r.error.includes('range') ? fieldOutOfRange(oid, s, DATE_HINT) : badText(oid, s, DATE_HINT);
  return dateValue(r, oid, s);
}

/** Microseconds since the epoch (UTC for timestamptz: a written offset, else the session zone). */
function timestampMicros(s: string, oid: number, zone: TimeZone | undefined): bigint | 'infinity' | '-infinity' {
  const r = parseTimestampText(s);
  if (r === 'infinity' || r === '-infinity') return r;
  if ('error' in r) throw r.error.includes('range') ? fieldOutOfRange(oid, s, TIMESTAMP_HINT) : badText(oid, s, TIMESTAMP_HINT);
  let us = r.micros;
  if (zone !== undefined) {
    // timestamptz: the written offset, else the session zone's at that wall-clock time
    if (r.offset !== undefined) us -= BigInt(r.offset) * MICROS_PER_SECOND;
    else {
      const wallSeconds = Number((us - (((us % MICROS_PER_SECOND) + MICROS_PER_SECOND) % MICROS_PER_SECOND)) / MICROS_PER_SECOND);
      us -= BigInt(wallSeconds - zone.toUtc(wallSeconds)) * MICROS_PER_SECOND;
    }
  }
  if (us < MIN_MICROS || us > MAX_MICROS) throw pastRange(oid, s, TIMESTAMP_HINT);
  return us;
}

function timeText(s: string, oid: number): { micros: number; offset: number | undefined } {
  const r = parseTimeText(s);
  if ('error' in r) throw r.error.includes('range') ? fieldOutOfRange(oid, s, TIME_HINT) : badText(oid, s, TIME_HINT);
  return r;
}

function timeMicros(b: Buffer, oid: number, at: number): bigint {
  const us = b.readBigInt64BE(at);
  if (us < 0n || us > 86400000000n) throw badBinary(oid, `time ${us} is not between 0 and 24:00:00 in microseconds`);
  return us;
}

function timestampBinary(b: Buffer, oid: number): bigint | 'infinity' | '-infinity' {
  fixed(oid, b, 8);
  const raw = b.readBigInt64BE(0);
  if (raw === 9223372036854775807n) return 'infinity';
  if (raw === -9223372036854775808n) return '-infinity';
  const us = raw + PG_EPOCH_MICROS;
  if (us < MIN_MICROS || us > MAX_MICROS) throw badBinary(oid, 'timestamp out of range');
  return us;
}

const SCALARS: ReadonlyMap<number, Scalar> = new Map<number, Scalar>([
  [PG_OID.bool, { type: D.BOOLEAN, text: boolText, binary: (b, oid) => (fixed(oid, b, 1), b[0] !== 0) }],
  [PG_OID.int2, { type: D.SMALLINT, text: intText(16, 'Send an integer from -32768 to 32767.'), binary: (b, oid) => (fixed(oid, b, 2), b.readInt16BE(0)) }],
  [PG_OID.int4, { type: D.INTEGER, text: intText(32, 'Send an integer from -2147483648 to 2147483647.'), binary: (b, oid) => (fixed(oid, b, 4), b.readInt32BE(0)) }],
  [
    PG_OID.int8,
    {
      type: D.BIGINT,
      text: (s, oid) => {
        const hint = 'Send an integer from -9223372036854775808 to 9223372036854775807.';
        const t = trimPgSpace(s);
        if (!INT_RE.test(t)) throw badText(oid, s, hint);
        const n = BigInt(t);
        if (n > 9223372036854775807n || n < -9223372036854775808n) throw outOfRange(oid, s, hint);
        return n;
      },
      binary: (b, oid) => (fixed(oid, b, 8), b.readBigInt64BE(0)),
    },
  ],
  [
    PG_OID.oid,
    {
      type: D.UINTEGER,
      text: (s, oid) => {
        const t = trimPgSpace(s);
        if (!/^\+?\d+$/.test(t)) throw badText(oid, s, 'Send an oid: an integer from 0 to 4294967295.');
        const n = Number(t);
        if (n > 4294967295) throw outOfRange(oid, s, 'Send an oid: an integer from 0 to 4294967295.');
        return n;
      },
      binary: (b, oid) => (fixed(oid, b, 4), b.readUInt32BE(0)),
    },
  ],
  [PG_OID.float4, { type: D.FLOAT, text: floatText(true), binary: (b, oid) => (fixed(oid, b, 4), b.readFloatBE(0)) }],
  [PG_OID.float8, { type: D.DOUBLE, text: floatText(false), binary: (b, oid) => (fixed(oid, b, 8), b.readDoubleBE(0)) }],
  [PG_OID.bytea, { type: D.BLOB, text: byteaText, binary: (b) => new D.DuckDBBlobValue(Buffer.from(b)) }],
  [PG_OID.uuid, { type: D.UUID, text: uuidText, binary: uuidBinary }],
  [PG_OID.json, { type: JSON_TYPE, text: jsonText, binary: (b, oid) => jsonText(utf8(b, oid), oid) }],
  [
    PG_OID.jsonb,
    {
      type: JSON_TYPE,
      text: jsonText,
      binary: (b, oid) => {
        if (b.length < 1 || b[0] !== 1) throw badBinary(oid, b.length < 1 ? 'no version byte' : `unsupported jsonb version number ${b[0]}`);
        return jsonText(utf8(b.subarray(1), oid), oid);
      },
    },
  ],
  [
    PG_OID.date,
    {
      type: D.DATE,
      text: dateText,
      binary: (b, oid) => {
        fixed(oid, b, 4);
        const raw = b.readInt32BE(0);
        if (raw === 0x7fffffff) return D.DuckDBDateValue.PosInf;
        if (raw === -0x80000000) return D.DuckDBDateValue.NegInf;
        const days = raw + PG_EPOCH_DAYS;
        if (days < MIN_DAYS || days > MAX_DAYS) throw badBinary(oid, 'date out of range');
        return new D.DuckDBDateValue(days);
      },
    },
  ],
  [
    PG_OID.time,
    {
      type: D.TIME,
      text: (s, oid) => new D.DuckDBTimeValue(BigInt(timeText(s, oid).micros)),
      binary: (b, oid) => (fixed(oid, b, 8), new D.DuckDBTimeValue(timeMicros(b, oid, 0))),
    },
  ],
  [
    PG_OID.timetz,
    {
      type: D.TIMETZ,
      text: (s, oid, zone) => {
        const r = timeText(s, oid);
        // No offset written: PostgreSQL takes the session zone's offset on the current date.
        const offset = r.offset ?? zone.offsetAt(Math.floor(Date.now() / 1000));
        if (Math.abs(offset) > D.DuckDBTimeTZValue.MaxOffset) throw outOfRange(oid, s, TIME_HINT);
        return D.DuckDBTimeTZValue.fromMicrosAndOffset(BigInt(r.micros), offset);
      },
      binary: (b, oid) => {
        fixed(oid, b, 12);
        const us = timeMicros(b, oid, 0);
        const west = b.readInt32BE(8);
        if (Math.abs(west) > D.DuckDBTimeTZValue.MaxOffset) throw badBinary(oid, `time zone displacement ${west} s is out of range`);
        return D.DuckDBTimeTZValue.fromMicrosAndOffset(us, -west);
      },
    },
  ],
  [
    PG_OID.timestamp,
    {
      type: D.TIMESTAMP,
      text: (s, oid) => {
        const us = timestampMicros(s, oid, undefined);
        return us === 'infinity' ? D.DuckDBTimestampValue.PosInf : us === '-infinity' ? D.DuckDBTimestampValue.NegInf : new D.DuckDBTimestampValue(us);
      },
      binary: (b, oid) => {
        const us = timestampBinary(b, oid);
        return us === 'infinity' ? D.DuckDBTimestampValue.PosInf : us === '-infinity' ? D.DuckDBTimestampValue.NegInf : new D.DuckDBTimestampValue(us);
      },
    },
  ],
  [
    PG_OID.timestamptz,
    {
      type: D.TIMESTAMPTZ,
      text: (s, oid, zone) => {
        const us = timestampMicros(s, oid, zone);
        return us === 'infinity' ? D.DuckDBTimestampTZValue.PosInf : us === '-infinity' ? D.DuckDBTimestampTZValue.NegInf : new D.DuckDBTimestampTZValue(us);
      },
      binary: (b, oid) => {
        const us = timestampBinary(b, oid);
        return us === 'infinity' ? D.DuckDBTimestampTZValue.PosInf : us === '-infinity' ? D.DuckDBTimestampTZValue.NegInf : new D.DuckDBTimestampTZValue(us);
      },
    },
  ],
  [
    PG_OID.interval,
    {
      type: D.INTERVAL,
      text: (s, oid) => {
        const r = parseIntervalText(s);
        if (typeof r === 'string') throw r.includes('range') ? outOfRange(oid, s, INTERVAL_HINT) : badText(oid, s, INTERVAL_HINT, r);
        return new D.DuckDBIntervalValue(r.months, r.days, r.micros);
      },
      binary: (b, oid) => (fixed(oid, b, 16), new D.DuckDBIntervalValue(b.readInt32BE(12), b.readInt32BE(8), b.readBigInt64BE(0))),
    },
  ],
]);

/** Types whose text is bound as it is (VARCHAR), and whose binary form is their UTF-8 text. */
const STRING_OIDS = new Set<number>([0, PG_OID.unknown, PG_OID.text, PG_OID.varchar, PG_OID.bpchar, PG_OID.name, PG_OID.char]);
const STRING: Scalar = { type: D.VARCHAR, text: (s) => s, binary: utf8 };

function scalarOf(oid: number): Scalar | undefined {
  return SCALARS.get(oid) ?? (STRING_OIDS.has(oid) ? STRING : undefined);
}

// ---------------------------------------------------------------------------------------------
// numeric: DECIMAL(p,s) exactly when it fits DuckDB's 38 digits, else VARCHAR (every digit kept,
// DuckDB casts it where the statement needs a number); NaN and infinities as DOUBLE, the only
// DuckDB type that has them.

const NUMERIC_HINT = "Send a number such as 1.50, -3, 1e-3, 'NaN' or 'Infinity'.";
const MAX_WIDTH = 38;

function digitCount(v: bigint): number {
  return (v < 0n ? -v : v).toString().length;
}

function numericValueText(n: NumericValue): string {
  return n.kind === 'finite' ? decimalText(n.value, n.scale) : n.kind === 'nan' ? 'NaN' : n.kind === 'inf' ? 'Infinity' : '-Infinity';
}

/** One DuckDB type for a set of numerics (a numeric array's elements), and each value in it. */
function bindNumerics(values: readonly (NumericValue | null)[]): { type: DuckDBType; convert: (n: NumericValue) => DuckDBValue } {
  let scale = 0;
  let intDigits = 0;
  let special = false;
  for (const n of values) {
    if (n === null) continue;
    if (n.kind !== 'finite') {
      special = true;
      continue;
    }
    scale = Math.max(scale, n.scale);
    intDigits = Math.max(intDigits, digitCount(n.value) - n.scale);
  }
  if (special) return { type: D.DOUBLE, convert: (n) => Number(numericValueText(n)) };
  const width = Math.max(intDigits + scale, 1);
  if (width > MAX_WIDTH) return { type: D.VARCHAR, convert: numericValueText };
  return {
    type: D.DECIMAL(width, scale),
    convert: (n) => {
      const f = n as Extract<NumericValue, { kind: 'finite' }>;
      return new D.DuckDBDecimalValue(f.value * 10n ** BigInt(scale - f.scale), width, scale);
    },
  };
}

function numericText(s: string, oid: number): NumericValue {
  const n = numericFromText(s);
  if (n === undefined) throw badText(oid, s, NUMERIC_HINT);
  return n;
}

function numericBinary(b: Buffer, oid: number): NumericValue {
  const n = numericFromBinary(b);
  if (typeof n === 'string') throw badBinary(oid, n);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Arrays: LIST of the element type (LIST of LIST for more dimensions).

function listType(element: DuckDBType, depth: number): DuckDBType {
  let t = element;
  for (let i = 0; i < depth; i++) t = D.LIST(t);
  return t;
}

/** Leaves of a nested array (depth-first), and a rebuild of the nesting as DuckDB lists. */
function leaves<T>(node: readonly unknown[], out: T[]): T[] {
  for (const x of node) {
    if (Array.isArray(x)) leaves(x, out);
    else out.push(x as T);
  }
  return out;
}

function rebuild<T>(node: readonly unknown[], convert: (leaf: T) => DuckDBValue): DuckDBValue {
  return new D.DuckDBListValue(node.map((x) => (Array.isArray(x) ? rebuild(x, convert) : convert(x as T))));
}

function depthOf(node: readonly unknown[]): number {
  let d = 1;
  let cur: unknown = node[0];
  while (Array.isArray(cur)) {
    d++;
    cur = cur[0];
  }
  return d;
}

function arrayFromNode(node: ArrayTextNode, elemOid: number, zone: TimeZone): BoundParam {
  const depth = depthOf(node);
  if (elemOid === PG_OID.numeric) {
    const parsed = leaves<string | null>(node, []).map((s) => (s === null ? null : numericText(s, elemOid)));
    const { type, convert } = bindNumerics(parsed);
    let i = 0;
    const value = rebuild<string | null>(node, () => {
      const n = parsed[i++]!;
      return n === null ? null : convert(n);
    });
    return { value, type: listType(type, depth) };
  }
  const scalar = scalarOf(elemOid) ?? STRING;
  return { value: rebuild<string | null>(node, (s) => (s === null ? null : scalar.text(s, elemOid, zone))), type: listType(scalar.type, depth) };
}

/** array_recv: ndim, has-NULLs flag, element oid, (size, lower bound) per dimension, then each element's length (-1 NULL) and bytes. */
function arrayBinary(b: Buffer, oid: number, elemOid: number): BoundParam {
  const fail = (why: string): RestSqlError => badBinary(oid, why);
  if (b.length < 12) throw fail(`an array needs at least 12 bytes, got ${b.length}`);
  const ndim = b.readInt32BE(0);
  const flags = b.readInt32BE(4);
  const sentElem = b.readUInt32BE(8);
  if (ndim < 0 || ndim > 6) throw fail(`invalid number of dimensions: ${ndim}`);
  if (flags !== 0 && flags !== 1) throw fail('invalid array flags');
  if (sentElem !== elemOid) throw fail(`binary data has array element type ${sentElem} (${pgTypeDisplayName(sentElem)}) instead of expected ${elemOid} (${pgTypeDisplayName(elemOid)})`);
  const dims: number[] = [];
  let at = 12;
  for (let d = 0; d < ndim; d++) {
    if (b.length < at + 8) throw fail('truncated dimensions');
    const size = b.readInt32BE(at);
    if (size < 0) throw fail(`negative dimension size ${size}`);
    dims.push(size);
    at += 8;
  }
  const count = ndim === 0 ? 0 : dims.reduce((a, x) => a * x, 1);
  if (count > b.length) throw fail(`${count} elements cannot fit in ${b.length} bytes`);
  const raw: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) {
    if (b.length < at + 4) throw fail('truncated element length');
    const len = b.readInt32BE(at);
    at += 4;
    if (len === -1) {
      raw.push(null);
      continue;
    }
    if (len < 0 || b.length < at + len) throw fail(`element ${i + 1} claims ${len} bytes`);
    raw.push(b.subarray(at, at + len));
    at += len;
  }
  if (at !== b.length) throw fail(`${b.length - at} bytes left after the last element`);
  const shape = (items: unknown[], level: number): unknown[] => {
    if (level >= dims.length - 1) return items;
    const out: unknown[] = [];
    const inner = dims.slice(level + 1).reduce((a, x) => a * x, 1);
    for (let i = 0; i < items.length; i += inner) out.push(shape(items.slice(i, i + inner), level + 1));
    return out;
  };
  const depth = Math.max(ndim, 1);
  const node = shape(raw, 0);
  if (elemOid === PG_OID.numeric) {
    const parsed = raw.map((x) => (x === null ? null : numericBinary(x, elemOid)));
    const { type, convert } = bindNumerics(parsed);
    let i = 0;
    const value = rebuild<Buffer | null>(node, () => {
      const n = parsed[i++]!;
      return n === null ? null : convert(n);
    });
    return { value, type: listType(type, depth) };
  }
  const scalar = scalarOf(elemOid);
  if (scalar?.binary === undefined) throw unsupportedBinary(elemOid);
  return { value: rebuild<Buffer | null>(node, (x) => (x === null ? null : scalar.binary!(x, elemOid))), type: listType(scalar.type, depth) };
}

function unsupportedBinary(oid: number): RestSqlError {
  const what = oid === 0 ? 'a parameter of unspecified type' : `type ${pgTypeDisplayName(oid)} (oid ${oid})`;
  return new RestSqlError('SERVER_UNSUPPORTED', `restsql serve cannot read ${what} in binary format`, {
    hint: oid === 0 ? 'Declare the parameter type in Parse, or send the value in text format.' : 'Send this parameter in text format (format code 0).',
    details: { oid },
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * A Bind parameter as a DuckDB value and type. `data` null is SQL NULL (bound with the declared
 * type's DuckDB type). Text that does not read as its type is QUERY_BAD_PARAMETER (22P02) in
 * PostgreSQL's words (`invalid input syntax for type integer: "abc"`), as is a binary value of the
 * wrong length; a binary parameter of a type with no binary reader here is SERVER_UNSUPPORTED.
 * `options.timeZone` is the session TimeZone, which a timestamptz without an offset is read in.
 */
export function decodeParam(data: Buffer | null, format: 0 | 1, oid: number, options?: FormatOptions): BoundParam {
  const info = pgTypeByOid(oid);
  const elemOid = info?.category === 'A' ? info.elemOid : undefined;
  if (data === null) return { value: null, type: nullType(oid, elemOid) };
  if (format === 1) {
    if (elemOid !== undefined) return arrayBinary(data, oid, elemOid);
    if (oid === PG_OID.numeric) return numericBound(numericBinary(data, oid));
    const scalar = scalarOf(oid);
    if (scalar?.binary === undefined || oid === 0) throw unsupportedBinary(oid);
    return { value: scalar.binary(data, oid), type: scalar.type };
  }
  const text = utf8(data, oid);
  const zone = zoneOf(options);
  if (elemOid !== undefined) {
    const node = parseArrayText(text);
    if (typeof node === 'string') {
      throw new RestSqlError('QUERY_BAD_PARAMETER', `malformed array literal: ${shown(text)} (${node})`, {
        hint: 'Send an array as PostgreSQL writes it: {1,2,NULL} or {"a b","c\\"d"}.',
        details: { oid },
      });
    }
    return arrayFromNode(node, elemOid, zone);
  }
  if (oid === PG_OID.numeric) return numericBound(numericText(text, oid));
  const scalar = scalarOf(oid) ?? STRING;
  return { value: scalar.text(text, oid, zone), type: scalar.type };
}

function numericBound(n: NumericValue): BoundParam {
  const { type, convert } = bindNumerics([n]);
  return { value: convert(n), type };
}

function nullType(oid: number, elemOid: number | undefined): DuckDBType {
  if (elemOid !== undefined) return D.LIST(nullType(elemOid, undefined));
  if (oid === PG_OID.numeric) return D.DECIMAL(MAX_WIDTH, 10);
  return (scalarOf(oid) ?? STRING).type;
}
