/**
 * Property tests (fast-check, seeded and bounded; a failure prints its seed and counterexample):
 * numeric, int8, timestamps, intervals and text arrays written and read back, with DuckDB's own
 * rendering as the oracle where it writes the same format as PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { binaryEncoder, decodeParam, jsonEncoder, textEncoder, timeZone } from '../../../src/server/types/index.js';

const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
const D = duckdb;

const SEED = 1504;
const RUNS = 300;

let instance: DuckDBInstance;
let conn: DuckDBConnection;

before(async () => {
  instance = await D.DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});
after(() => {
  conn.closeSync();
  instance.closeSync();
});

/** No lone surrogate (UTF-8 cannot carry one). */
const wellFormed = (s: string) => !/\p{Cs}/u.test(s);

/** DuckDB's VARCHAR of a bound value. */
async function duckText(value: DuckDBValue, type: DuckDBType): Promise<string> {
  const p = await conn.prepare('SELECT CAST($1 AS VARCHAR)');
  p.bind([value], [type]);
  return (await p.runAndReadAll()).getRows()[0]![0] as string;
}

const tenTo = (n: number) => 10n ** BigInt(n);

/** A DECIMAL(width, scale) value: width 1..38, scale 0..width, any value that fits, 0 and negatives included. */
const decimalArb = fc
  .integer({ min: 1, max: 38 })
  .chain((width) => fc.tuple(fc.constant(width), fc.integer({ min: 0, max: width })))
  .chain(([width, scale]) =>
    fc.tuple(fc.constant(width), fc.constant(scale), fc.oneof(fc.constant(0n), fc.constant(tenTo(width) - 1n), fc.constant(1n - tenTo(width)), fc.bigInt({ min: 1n - tenTo(width), max: tenTo(width) - 1n }))),
  );

test('numeric: text is DuckDB\'s own decimal text, and text and binary read back to the same value', async () => {
  await fc.assert(
    fc.asyncProperty(decimalArb, async ([width, scale, v]) => {
      const type = D.DECIMAL(width, scale);
      const value = new D.DuckDBDecimalValue(v, width, scale);
      const text = textEncoder(type)(value);
      // DuckDB writes a DECIMAL(w,w) without its leading zero (.5); PostgreSQL writes 0.5.
      assert.equal(text, (await duckText(value, type)).replace(/^(-?)\./, '$10.'));
      for (const [format, data] of [[0, Buffer.from(text)], [1, binaryEncoder(type)!(value)]] as const) {
        const back = decodeParam(data, format, 1700).value as InstanceType<typeof D.DuckDBDecimalValue>;
        assert.equal(back.scale, scale, `format ${format} keeps the scale`);
        assert.equal(back.value, v, `format ${format}`);
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('numeric: a HUGEINT of any size is written with every digit and reads back (as VARCHAR past 38 digits)', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 127n), max: 2n ** 127n - 1n }), (v) => {
      assert.equal(textEncoder(D.HUGEINT)(v), v.toString());
      const back = decodeParam(binaryEncoder(D.HUGEINT)!(v), 1, 1700);
      const digits = back.value instanceof D.DuckDBDecimalValue ? back.value.value.toString() : String(back.value);
      assert.equal(digits, v.toString());
    }),
    { seed: SEED + 1, numRuns: RUNS },
  );
});

test('int8: extremes and everything between read back from text and binary', () => {
  const int8 = fc.oneof(fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 1n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
  fc.assert(
    fc.property(int8, fc.constantFrom('', ' ', '\t', '\n '), (v, pad) => {
      const text = textEncoder(D.BIGINT)(v);
      assert.equal(decodeParam(Buffer.from(pad + text + pad), 0, 20).value, v);
      assert.equal(decodeParam(binaryEncoder(D.BIGINT)!(v), 1, 20).value, v);
    }),
    { seed: SEED + 2, numRuns: RUNS },
  );
});

const MICROS_PER_DAY = 86400000000n;
/** 4713-01-01 BC .. 9999-12-31 23:59:59.999999, with the microsecond anywhere. */
const timestampArb = fc.bigInt({ min: -2440588n * MICROS_PER_DAY - 366n * MICROS_PER_DAY, max: 2932897n * MICROS_PER_DAY - 1n });

/** DuckDB writes `0044-03-15 (BC) 12:00:00`; PostgreSQL `0044-03-15 12:00:00 BC`. */
const asPostgres = (duck: string) => (duck.includes(' (BC)') ? `${duck.replace(' (BC)', '')} BC` : duck);

test('timestamps from 4713 BC to 9999 AD: text is DuckDB\'s calendar in PostgreSQL\'s layout, and reads back', async () => {
  await fc.assert(
    fc.asyncProperty(timestampArb, async (us) => {
      const value = new D.DuckDBTimestampValue(us);
      const text = textEncoder(D.TIMESTAMP)(value);
      assert.equal(text, asPostgres(await duckText(value, D.TIMESTAMP)));
      assert.equal((decodeParam(Buffer.from(text), 0, 1114).value as InstanceType<typeof D.DuckDBTimestampValue>).micros, us);
      assert.equal((decodeParam(binaryEncoder(D.TIMESTAMP)!(value), 1, 1114).value as InstanceType<typeof D.DuckDBTimestampValue>).micros, us);
      const day = us / MICROS_PER_DAY - (us % MICROS_PER_DAY < 0n ? 1n : 0n);
      const date = new D.DuckDBDateValue(Number(day));
      const dateText = textEncoder(D.DATE)(date);
      assert.equal(dateText, asPostgres(await duckText(date, D.DATE)));
      assert.equal((decodeParam(Buffer.from(dateText), 0, 1082).value as InstanceType<typeof D.DuckDBDateValue>).days, Number(day));
    }),
    { seed: SEED + 3, numRuns: RUNS },
  );
});

test('timestamptz in any of several zones reads back to the same instant', () => {
  const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/London', 'Pacific/Chatham', 'America/St_Johns', 'UTC+5', '-3'];
  fc.assert(
    fc.property(timestampArb, fc.constantFrom(...zones), (us, zone) => {
      const value = new D.DuckDBTimestampTZValue(us);
      const text = textEncoder(D.TIMESTAMPTZ, { timeZone: zone })(value);
      const back = decodeParam(Buffer.from(text), 0, 1184, { timeZone: timeZone(zone) }).value as InstanceType<typeof D.DuckDBTimestampTZValue>;
      assert.equal(back.micros, us, `${zone}: ${text}`);
    }),
    { seed: SEED + 4, numRuns: RUNS },
  );
});

test('intervals with negative and mixed parts read back from text and binary', () => {
  const int32 = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -2147483647, max: 2147483647 }));
  const micros = fc.oneof(fc.bigInt({ min: -100000000000n, max: 100000000000n }), fc.bigInt({ min: -9223372036854775807n, max: 9223372036854775807n }), fc.constant(0n));
  fc.assert(
    fc.property(int32, int32, micros, (months, days, us) => {
      const value = new D.DuckDBIntervalValue(months, days, us);
      const text = textEncoder(D.INTERVAL)(value);
      for (const [format, data] of [[0, Buffer.from(text)], [1, binaryEncoder(D.INTERVAL)!(value)]] as const) {
        const back = decodeParam(data, format, 1186).value as InstanceType<typeof D.DuckDBIntervalValue>;
        assert.deepEqual([back.months, back.days, back.micros], [months, days, us], `format ${format}: ${text}`);
      }
    }),
    { seed: SEED + 5, numRuns: RUNS },
  );
});

/**
 * A small reader of one-dimensional array literals, written apart from the one in src: a quoted
 * element ends at its unescaped quote, an unquoted one at ',' or '}', NULL unquoted is NULL.
 */
function readArray(text: string): (string | null)[] {
  assert.ok(text.startsWith('{') && text.endsWith('}'), text);
  const body = text.slice(1, -1);
  const out: (string | null)[] = [];
  if (body === '') return out;
  let i = 0;
  for (;;) {
    if (body[i] === '"') {
      let s = '';
      for (i++; body[i] !== '"'; i++) s += body[i] === '\\' ? body[++i] : body[i];
      out.push(s);
      i++;
    } else {
      const end = body.indexOf(',', i) < 0 ? body.length : body.indexOf(',', i);
      const s = body.slice(i, end);
      assert.doesNotMatch(s, /[{}"\\\s]/, `unquoted ${s}`);
      out.push(s === 'NULL' ? null : s);
      i = end;
    }
    if (i >= body.length) return out;
    assert.equal(body[i], ',');
    i++;
  }
}

test('text arrays of any Unicode write an array literal that reads back to the same strings', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', 'NULL', 'null', ' ', 'a,b', '{}', '"', '\\', 'a b', '\t', 'é', '🎉'),
    fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', ',', '{', '}', 'N', 'U', 'L', '\n') }),
  ).filter((s) => wellFormed(s) && !s.includes('\u0000'));
  const type = D.LIST(D.VARCHAR);
  fc.assert(
    fc.property(fc.array(fc.option(text, { nil: null }), { maxLength: 8 }), (items) => {
      const literal = textEncoder(type)(new D.DuckDBListValue(items));
      assert.deepEqual(readArray(literal), items, literal);
      const back = decodeParam(Buffer.from(literal), 0, 1015).value as InstanceType<typeof D.DuckDBListValue>;
      assert.deepEqual(back.items, items, literal);
      const binary = decodeParam(binaryEncoder(type)!(new D.DuckDBListValue(items)), 1, 1015).value as InstanceType<typeof D.DuckDBListValue>;
      assert.deepEqual(binary.items, items);
    }),
    { seed: SEED + 6, numRuns: RUNS },
  );
});

test('structs of any strings, numbers and lists are valid JSON holding the same values', () => {
  const type = D.STRUCT({ s: D.VARCHAR, n: D.DOUBLE, l: D.LIST(D.INTEGER), m: D.MAP(D.VARCHAR, D.BIGINT) });
  const str = fc.string({ unit: 'binary' }).filter(wellFormed);
  fc.assert(
    fc.property(str, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.array(fc.option(fc.integer(), { nil: null })), fc.uniqueArray(fc.tuple(str, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), { selector: (e) => e[0], maxLength: 4 }), (s, n, l, m) => {
      const value = new D.DuckDBStructValue({ s, n, l: new D.DuckDBListValue(l), m: new D.DuckDBMapValue(m.map(([key, v]) => ({ key, value: v }))) });
      const json = jsonEncoder(type, timeZone('UTC'))(value);
      const parsed = JSON.parse(json) as { s: string; n: number; l: (number | null)[]; m: Record<string, number> };
      assert.equal(parsed.s, s);
      assert.ok(Object.is(parsed.n, n) || (n === 0 && parsed.n === 0));
      assert.deepEqual(parsed.l, l);
      assert.deepEqual(Object.keys(parsed.m), m.map(([k]) => k));
      for (const [k, v] of m) {
        const entry = `${JSON.stringify(k)}:${v}`; // every digit of the bigint, not a rounded double
        const at = json.indexOf(entry);
        assert.ok(at >= 0 && /[,}]/.test(json[at + entry.length] ?? ''), `${entry} in ${json}`);
      }
    }),
    { seed: SEED + 7, numRuns: RUNS },
  );
});
