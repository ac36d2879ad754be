/**
 * Property test of the shell's statement buffer (src/cli/shell/statement-buffer.ts): a script
 * fed line by line gives the statements that sql/split.ts finds in the whole text, whatever the
 * lines hold (`;` inside quotes, dollar quotes, comments and BEGIN ATOMIC bodies; statements
 * spanning lines with and without `;`), and what is left pending is the unended statement.
 * Seeded; the seed is printed (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StatementBuffer } from '../../../../src/cli/shell/statement-buffer.js';
import { splitStatements } from '../../../../src/sql/split.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261217);

// Fragments that lex whole (every quote and comment closes within its fragment), some holding
// `;`s that end nothing and line breaks inside quotes.
const FRAGMENTS = [
  'select 1', 'x', ' ', ',', '(', ')', ';', ';', "'a;b'", "'line\nbreak;'", '"q;id"', '$$ a; b $$', '$t$ ; $t$',
  '-- c;\n', '/* c; */', '/* a /* b; */ c */', 'create function f() returns int begin atomic select 1; select 2; end',
  'case when 1 then 2 end', 'begin', 'end', '\n', '\n', 'values (1, 2)',
];

test(`a script fed line by line gives splitStatements's statements of the whole text (seed ${SEED})`, (t) => {
  t.diagnostic(`fast-check seed ${SEED} (RESTSQL_FC_SEED replays it)`);
  // Joined by spaces, so no fragment runs into the next (`end$$` would be one identifier).
  const script = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((p) => p.join(' '));
  const out = fc.check(
    fc.property(script, (text) => {
      const b = new StatementBuffer();
      const got: string[] = [];
      for (const line of text.split('\n')) got.push(...b.push(line));
      // The text up to its last ending `;` holds exactly the statements the buffer gave.
      assert.deepEqual([...got, ...splitStatements(b.pending).map((s) => s.sql)], splitStatements(text).map((s) => s.sql));
    }),
    { seed: SEED, numRuns: 400, endOnFailure: true },
  );
  if (out.failed) assert.fail(`property failure (replay with RESTSQL_FC_SEED=${SEED}): ${fc.defaultReportMessage(out)?.slice(0, 4000) ?? ''}`);
});

test('a statement of 20,000 lines is read once per line with a ;, not once per line (the whole statement comes back)', () => {
  const b = new StatementBuffer();
  const rows = Array.from({ length: 20_000 }, (_, i) => `  (${i}, 'name ${i}'),`);
  assert.deepEqual(b.push('insert into t values'), []);
  for (const r of rows) assert.deepEqual(b.push(r), []);
  const done = b.push("  (-1, 'last');");
  assert.equal(done.length, 1);
  assert.equal(done[0], ['insert into t values', ...rows, "  (-1, 'last')"].join('\n'));
  assert.equal(b.pending, '');
});
