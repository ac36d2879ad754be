/**
 * Numbers from the API keep every digit (issue: integers past 2^53 came back rounded): random
 * JSON numbers, written as an API writes them, through sampling and through declared columns
 * with bulk and row-by-row loading. Integers come back digit for digit; a column type that cannot
 * hold a value is DATA_TYPE_MISMATCH on both loading paths, never a rounded value. Seeded and
 * bounded; the seed is printed on failure (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { connect, isRestSqlError } from '../../src/index.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { ownSpoolFolders, tempDir } from '../support/temp-dir.js';

let texts: string[] = [];
let server: Listening<Server> | undefined;
let base = '';
const dir = tempDir(after, 'restsql-numbers-');

before(async () => {
  server = await startHttpServer((req, res) => {
    // Pages of 3 with a total, so declared tables load in bulk (several pages) as well as row by row.
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? texts.length);
    const page = texts.slice(offset, offset + limit).map((t, i) => `{"id": ${offset + i + 1}, "v": ${t}}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"total": ${texts.length}, "items": [${page.join(', ')}]}`);
  });
  base = server.url;
});
after(async () => {
  await server?.close();
  assert.deepEqual(ownSpoolFolders(), [], 'every connection closed: no spool folder of this process is left');
});

const integerText = fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 45 })).chain(([neg, len]) =>
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: len - 1, maxLength: len - 1 })).map(([d, ds]) => `${neg ? '-' : ''}${d}${ds.join('')}`),
);
const smallInteger = fc.integer({ min: -3000, max: 3000 }).map(String);
const floatText = fc.oneof(
  fc.tuple(smallInteger, fc.integer({ min: 0, max: 99 })).map(([i, f]) => `${i}.${f}`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -5, max: 25 })).map(([m, e]) => `${m}.0e${e}`),
);
const numberText = fc.oneof({ weight: 3, arbitrary: integerText }, { weight: 2, arbitrary: smallInteger }, { weight: 1, arbitrary: floatText });

const INT64 = 2n ** 63n;
const INT128 = 2n ** 127n;
const isInteger = (t: string) => /^-?\d+$/.test(t);

/** The type sampling must infer for these values (docs/sql.md "Numbers from the API"). */
function expectedType(values: readonly string[]): string {
  if (values.some((t) => isInteger(t) && (BigInt(t) >= INT128 || BigInt(t) < -INT128))) return 'JSON';
  if (values.some((t) => !isInteger(t))) return 'DOUBLE';
  const v = values.map(BigInt);
  if (v.every((x) => x >= -(2n ** 31n) && x < 2n ** 31n)) return 'INTEGER';
  if (v.every((x) => x >= -INT64 && x < INT64)) return 'BIGINT';
  return 'HUGEINT';
}

/** A result value as the text of the integer it holds. */
const digits = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : JSON.stringify(v));

test('integers keep every digit through sampling and declared columns, bulk and row by row', async () => {
  const seed = Number(process.env.RESTSQL_FC_SEED ?? 20261204);
  let declaredFailures = 0;
  let declaredSuccesses = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(numberText, { minLength: 1, maxLength: 10 }), fc.constantFrom('BigInt', 'HugeInt', 'Integer'), async (values, declared) => {
      texts = values;
      const sampled = await connect(`RestSamplePath=${base}/items`);
      try {
        const type = (await sampled.tables())[0]!.columns.find((c) => c.name === 'v')!.type;
        assert.equal(type, expectedType(values), `sampled type of ${values.join(', ')}`);
        const rows = (await sampled.query('SELECT v FROM items ORDER BY id')).rows;
        // Integers digit for digit (in a JSON column too); other numbers as the double they are.
        assert.deepEqual(
          rows.map((r, i) => (type !== 'DOUBLE' && isInteger(values[i]!) ? digits(r.v) : Number(r.v))),
          values.map((t) => (type !== 'DOUBLE' && isInteger(t) ? t : Number(t))),
          'every digit',
        );
      } finally {
        await sampled.close();
      }
      // Declared: both loading paths give the same exact values, or both refuse what does not fit.
      const file = join(dir, 'n.rest');
      writeFileSync(file, `{"items": {"#path": "${base}/items /items", "#maximumPageSize": 3, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset", "#totalRowsElement": "total", "id": "Integer,#key", "v": "${declared}"}}`);
      const outcomes: unknown[] = [];
      for (const bulk of [1, 0]) {
        const conn = await connect(`RestConfigFile=${file};BulkLoad=${bulk}`);
        try {
          outcomes.push((await conn.query('SELECT v FROM items ORDER BY id')).rows.map((r) => digits(r.v)));
        } catch (e) {
          if (!isRestSqlError(e) || e.code !== 'DATA_TYPE_MISMATCH') throw e;
          outcomes.push('DATA_TYPE_MISMATCH');
        } finally {
          await conn.close();
        }
      }
      assert.deepEqual(outcomes[0], outcomes[1], 'bulk and row by row agree');
      const [lo, hi] = declared === 'Integer' ? [-(2n ** 31n), 2n ** 31n] : declared === 'BigInt' ? [-INT64, INT64] : [-INT128, INT128];
      // Integer text is taken as written; a float-written value only when it is an integer a double holds exactly (2.0, 3.0e5).
      const exact = values.map((t) => (isInteger(t) ? BigInt(t) : Number.isSafeInteger(Number(t)) ? BigInt(Number(t)) : undefined));
      const fits = exact.every((x) => x !== undefined && x >= lo && x < hi);
      if (fits) {
        declaredSuccesses++;
        assert.deepEqual(outcomes[0], exact.map(String));
      } else {
        declaredFailures++;
        assert.equal(outcomes[0], 'DATA_TYPE_MISMATCH', `${values.join(', ')} in ${declared}`);
      }
    }),
    { seed, numRuns: 60, endOnFailure: true },
  );
  assert.ok(declaredSuccesses > 5 && declaredFailures > 5, `${declaredSuccesses} fitting and ${declaredFailures} refused samples: both kinds must be exercised`);
});
