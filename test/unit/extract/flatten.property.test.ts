import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { flattenRecords, newFlattenState, type Row } from '../../../src/extract/flatten.js';
import { inferTable } from '../../../src/model/sampler.js';
import { tablesOf, type TableDef } from '../../../src/model/types.js';

// Few member names so records share, and clash over, members; strings that are not dates or UUIDs
// (those are normalised on purpose and have their own unit tests).
const key = fc.constantFrom('a', 'b', 'c', 'a_b', 'id', 'position', 'B');
const scalar = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((d) => (Object.is(d, -0) ? 0 : d)),
  fc.boolean(),
  fc.string({ unit: fc.constantFrom('x', 'y', 'z', ' ', '_', 'é'), maxLength: 6 }),
  fc.constant(null),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('object'), tie('array')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  array: fc.array(tie('value'), { maxLength: 3 }),
}));
const records = fc.array(fc.oneof({ weight: 5, arbitrary: fc.dictionary(key, value, { maxKeys: 5 }) }, { weight: 1, arbitrary: value }), { minLength: 1, maxLength: 6 });

/** Every non-null scalar leaf, as a comparable string. */
function leaves(v: unknown, out: string[]): string[] {
  if (v === null || v === undefined) return out;
  if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (typeof v === 'object') Object.values(v as object).forEach((x) => leaves(x, out));
  else out.push(`${typeof v}:${String(v)}`);
  return out;
}

function flatten(recs: unknown[]) {
  const table = inferTable('root', recs, { qualifyNames: 0 });
  const rows = new Map<string, Row[]>();
  flattenRecords(table, recs, newFlattenState(), (t, r) => {
    const list = rows.get(t.name) ?? [];
    list.push(r);
    rows.set(t.name, list);
  });
  return { table, rows };
}

function cellLeaves(t: TableDef, row: Row, out: string[]): void {
  t.columns.forEach((c, i) => {
    if (c.source !== 'json') return;
    const v = row[i];
    if (v === null || v === undefined) return;
    if (c.type === 'JSON') leaves(JSON.parse(v as string), out);
    else if (typeof v === 'bigint') out.push(`number:${String(Number(v))}`);
    else out.push(`${typeof v}:${String(v)}`);
  });
}

test('property: every leaf value of the input appears exactly once in the output tables', () => {
  fc.assert(
    fc.property(records, (recs) => {
      const { table, rows } = flatten(recs);
      const out: string[] = [];
      for (const t of tablesOf(table)) for (const r of rows.get(t.name) ?? []) cellLeaves(t, r, out);
      assert.deepEqual(out.sort(), leaves(recs, []).sort());
    }),
    { numRuns: 400 },
  );
});

test('property: every child row references an existing parent row, and keys are unique', () => {
  fc.assert(
    fc.property(records, (recs) => {
      const { table, rows } = flatten(recs);
      const keyOf = (t: TableDef, r: Row) => JSON.stringify(t.columns.flatMap((c, i) => (c.key ? [String(r[i])] : [])));
      for (const t of tablesOf(table)) {
        const keys = (rows.get(t.name) ?? []).map((r) => keyOf(t, r));
        assert.equal(new Set(keys).size, keys.length, `duplicate key in ${t.name}`);
        for (const child of t.children) {
          const parents = new Set(keys);
          for (const r of rows.get(child.name) ?? []) {
            const ref = JSON.stringify(child.columns.flatMap((c, i) => (c.source === 'parent' ? [String(r[i])] : [])));
            assert.ok(parents.has(ref), `${child.name} row ${ref} has no parent in ${t.name}`);
          }
        }
      }
    }),
    { numRuns: 400 },
  );
});
