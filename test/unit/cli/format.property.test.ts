/**
 * Property test of the table formats (src/cli/table-layout.ts, expanded.ts): for random results
 * (text mixing ASCII, CJK, Hangul, full-width, combining marks, emoji sequences, control
 * characters and line breaks; NULLs and empty strings; 1-6 columns), every line of a table or
 * expanded display fitted to `maxWidth` is at most `maxWidth` columns wide by string-width (when
 * maxWidth leaves each column its minimum), and without a maxWidth every cell's full escaped text
 * is in its row's line. Seeded; the seed is printed (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { createFormatter, type FormatOptions } from '../../../src/cli/format.js';
import { MIN_COLUMN_WIDTH, SEPARATOR_WIDTH } from '../../../src/cli/table-layout.js';
import type { JsonValue, ResultColumn } from '../../../src/engine/values.js';
import { escapeControls } from '../../../src/util/terminal.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261704);

function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  const out = fc.check(fc.property(arb, (v) => predicate(v)), { seed: SEED, numRuns, endOnFailure: true });
  if (out.failed) {
    const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(`property failure (replay with RESTSQL_FC_SEED=${SEED}): ${why}\n${(fc.defaultReportMessage(out) ?? '').slice(0, 4000)}`);
  }
}

const PIECES = ['a', 'Z', '0', ' ', '|', '-', 'é', 'e\u0301', 'a\u0300\u0301', '漢', '字', '한', 'ｱ', 'Ａ', '😀', '👍🏽', '👨‍👩‍👧', '🇯🇵', '\n', '\r\n', '\t', '\x1b[31m', '\x00', '\u200b', 'ß', 'Ω'];
const text = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 30 }).map((p) => p.join(''));
const value: fc.Arbitrary<JsonValue> = fc.oneof(text, fc.constant(null), fc.constant(''), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

const result = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    columns: fc.uniqueArray(text.filter((t) => t.length > 0), { minLength: n, maxLength: n }).chain((names) =>
      fc.tuple(...names.map((name) => fc.constantFrom('VARCHAR', 'INTEGER', 'DOUBLE').map((type): ResultColumn => ({ name, type })))),
    ),
    rows: fc.array(fc.array(value, { minLength: n, maxLength: n }), { maxLength: 8 }),
  }),
);

function render(columns: readonly ResultColumn[], values: JsonValue[][], options: FormatOptions): string {
  let out = '';
  const f = createFormatter('table', (t) => void (out += t), options);
  f.begin(columns);
  f.rows(values.map((vs) => Object.fromEntries(columns.map((c, i) => [c.name, vs[i]!]))));
  f.end();
  return out;
}

/** The smallest maxWidth that leaves every column its minimum (and room for the row count and record rules). */
const least = (n: number) => Math.max(n * MIN_COLUMN_WIDTH + SEPARATOR_WIDTH * (n - 1), 2 * MIN_COLUMN_WIDTH + SEPARATOR_WIDTH + 10, 20);

test(`every line fits maxWidth by string-width, table, expanded and auto (seed ${SEED})`, (t) => {
  t.diagnostic(`fast-check seed ${SEED} (RESTSQL_FC_SEED replays it)`);
  check(
    fc.tuple(result, fc.integer({ min: 0, max: 120 }), fc.constantFrom<FormatOptions['expanded']>(false, true, 'auto')),
    ([{ columns, rows }, extra, expanded]) => {
      const maxWidth = least(columns.length) + extra;
      const out = render(columns, rows, { maxWidth, expanded, terminal: true });
      for (const line of out.split('\n')) assert.ok(stringWidth(line) <= maxWidth, `${stringWidth(line)} > ${maxWidth}: ${JSON.stringify(line)}`);
    },
    300,
  );
});

const escaped = (v: JsonValue) => escapeControls((typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)).replace(/\r?\n/g, '\\n'));

test(`without maxWidth every cell's full escaped text is in its line (seed ${SEED})`, (t) => {
  t.diagnostic(`fast-check seed ${SEED} (RESTSQL_FC_SEED replays it)`);
  check(
    result,
    ({ columns, rows }) => {
      const lines = render(columns, rows, {}).split('\n');
      rows.forEach((vs, r) => {
        for (const v of vs) if (v !== null) assert.ok(lines[r + 2]!.includes(escaped(v).trimEnd()), `row ${r}: ${JSON.stringify(escaped(v))} not in ${JSON.stringify(lines[r + 2])}`);
      });
      const blocks = render(columns, rows, { expanded: true });
      for (const vs of rows) for (const v of vs) if (v !== null) assert.ok(blocks.includes(escaped(v).trimEnd()));
    },
    300,
  );
});
