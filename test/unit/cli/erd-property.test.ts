/**
 * Property test of the ERD writers (src/cli/erd/): for random table trees with random names
 * (any Unicode, and fragments that are syntax somewhere: quotes, `<>&`, `%%`, `--`, backslashes,
 * `#NN;`, `direction TB`), the DOT always lays out in Graphviz (WebAssembly) with every table and
 * column name drawn as written and one edge per child table, and the Mermaid text keeps its
 * structure: each entity once, every edge between existing entities, every name read back.
 * Seeded; the seed is printed (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import fc from 'fast-check';
import { erdDot } from '../../../src/cli/erd/dot.js';
import { erdMermaid } from '../../../src/cli/erd/mermaid.js';
import type { TableInfo } from '../../../src/index.js';
import { COLUMN_TYPES } from '../../../src/model/types.js';
import { parseMermaid, svgTexts } from './erd-structure.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261217);

async function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void | Promise<void>, numRuns: number): Promise<void> {
  const out = await fc.check(fc.asyncProperty(arb, async (v) => predicate(v)), { seed: SEED, numRuns, endOnFailure: true });
  if (out.failed) {
    const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(`property failure (replay with RESTSQL_FC_SEED=${SEED}): ${why}\n${(fc.defaultReportMessage(out) ?? '').slice(0, 4000)}`);
  }
}

const FRAGMENTS = ['"', "'", '<', '>', '&', '&amp;', '%%', '%', '--', '\\', '\\N', '#', '#35;', ';', ':', '{', '}', '|', '[', ']', '(', ')', '~', ' ', '  ', '\t', '\n', 'direction TB', 'style', 'pk', 'end', 'é', 'e\u0301', '名前', '😀', '\u200b', 'a', '1'];
const name = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.join(''));

/** A table tree: table i > 0 is a child of an earlier table; each child holds its parent's key columns. */
const tree: fc.Arbitrary<TableInfo[]> = fc
  .record({
    names: fc.uniqueArray(name, { minLength: 1, maxLength: 6 }),
    columns: fc.array(fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), { minLength: 6, maxLength: 6 }),
    parents: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    types: fc.array(fc.constantFrom(...COLUMN_TYPES), { minLength: 40, maxLength: 40 }),
  })
  .map(({ names, columns, parents, types }) => {
    const tables: TableInfo[] = [];
    names.forEach((n, i) => {
      const own = columns[i]!.map((c, j) => ({ name: c, type: types[(i * 5 + j) % types.length]!, key: j === 0 }));
      const parent = i === 0 ? undefined : tables[parents[i]! % i]!;
      // The parent's key columns, copied under names of their own (suffixes keep them unique).
      const links = (parent?.columns.filter((c) => c.key) ?? []).map((k, j) => ({ column: `${k.name}#${j}`, parentColumn: k.name }));
      tables.push({
        name: n,
        parent: parent?.name ?? null,
        endpoint: 'https://api.test/',
        columns: [...links.map((l) => ({ name: l.column, type: 'INTEGER' as const, key: true })), ...own.filter((c) => !links.some((l) => l.column === c.name))],
        parentKey: links,
      });
    });
    return tables;
  });

/** What a picture shows for a name: controls and lone surrogates as U+FFFD. */
const shown = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

test(`random names: Graphviz lays out the DOT and draws every name; Mermaid's structure survives (seed ${SEED})`, async (t) => {
  t.diagnostic(`fast-check seed ${SEED} (RESTSQL_FC_SEED replays it)`);
  const graphviz = await Graphviz.load();
  await check(
    tree,
    (tables) => {
      const children = tables.filter((x) => x.parent !== null).length;
      const svg = graphviz.dot(erdDot(tables));
      assert.equal((svg.match(/class="node"/g) ?? []).length, tables.length, 'a node per table');
      assert.equal((svg.match(/class="edge"/g) ?? []).length, children, 'an edge per child table');
      const texts = new Set(svgTexts(svg));
      for (const x of tables) {
        assert.ok(texts.has(shown(x.name)), `table ${JSON.stringify(x.name)} drawn`);
        for (const c of x.columns) assert.ok(texts.has(shown(c.name)), `column ${JSON.stringify(c.name)} drawn`);
      }

      const m = parseMermaid(erdMermaid(tables));
      const entities = m.entities.map((e) => e.name);
      assert.deepEqual(entities, tables.map((x) => wellFormed(x.name)), 'each table once, as written');
      assert.equal(new Set(entities).size, entities.length, 'no entity twice');
      assert.equal(m.edges.length, children);
      for (const e of m.edges) assert.ok(entities.includes(e.parent) && entities.includes(e.child), `edge ${JSON.stringify(e)} between entities`);
      m.entities.forEach((e, i) => assert.deepEqual(e.attributes.map((a) => a.realName), tables[i]!.columns.map((c) => wellFormed(c.name))));
    },
    150,
  );
});
