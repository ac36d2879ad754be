import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ElementSyntaxError, formatElement, parseElement } from '../../../src/model/element.js';
import { isRestSqlError } from '../../../src/index.js';
import { parseModelFile } from '../../../src/model/model-file.js';

const READ: [string, string[]][] = [
  ['data', ['data']],
  ['/data', ['data']],
  ['data/items', ['data', 'items']],
  ['data.items', ['data', 'items']],
  ['/result/items/', ['result', 'items']],
  [' paging / next_cursor ', ['paging', 'next_cursor']],
  ["'@odata.nextLink'", ['@odata.nextLink']],
  ["/'@odata.nextLink'", ['@odata.nextLink']],
  ["meta/'a/b.c'/next", ['meta', 'a/b.c', 'next']],
  ["meta.'x.y'", ['meta', 'x.y']],
  ["'it''s'", ["it's"]],
  ["it's", ["it's"]],
  ["''", ['']],
  ['', []],
];

for (const [raw, names] of READ) {
  test(`element ${JSON.stringify(raw)} reads as ${JSON.stringify(names)}`, () => {
    assert.deepEqual(parseElement(raw), names);
  });
}

const BAD: [string, RegExp][] = [
  ["'@odata.nextLink", /not closed/],
  ["'a'b", /text after the quoted name/],
];

for (const [raw, why] of BAD) {
  test(`element ${JSON.stringify(raw)} is refused`, () => {
    assert.throws(() => parseElement(raw), (e: unknown) => e instanceof ElementSyntaxError && why.test(e.message));
  });
}

test('a bad element in a model file names the key, line and column', () => {
  assert.throws(
    () => parseModelFile('{"t": {"#path": "https://api.test/t",\n "#nextPageElement": "\'@odata.nextLink", "id": "Integer"}}', 'bad.rest', { qualifyNames: 0 }),
    (e: unknown) => isRestSqlError(e) && /bad\.rest:2:22: #nextPageElement: the quote at position 1 .* is not closed/.test(e.message),
  );
});

test('plain names are written as before; names with / . quotes or edge spaces are quoted', () => {
  assert.equal(formatElement(['paging', 'next_cursor']), 'paging/next_cursor');
  assert.equal(formatElement(['@odata.nextLink']), "'@odata.nextLink'");
  assert.equal(formatElement(['a/b', "'q", ' s']), "'a/b'/'''q'/' s'");
});

test('formatElement and parseElement round-trip any member names', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }), (names) => {
      assert.deepEqual(parseElement(formatElement(names)), names);
    }),
    { numRuns: 500 },
  );
});
