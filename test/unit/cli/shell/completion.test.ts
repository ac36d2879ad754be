import assert from 'node:assert/strict';
import { test } from 'node:test';
import { complete, type CompletionCatalog } from '../../../../src/cli/shell/completion.js';

const CATALOG: CompletionCatalog = {
  tables: [
    { name: 'customers', columns: ['id', 'name', 'address_city'] },
    { name: 'orders', columns: ['customers_id', 'position', 'order_id', 'total'] },
  ],
};

const CASES: readonly [string, string[], string][] = [
  ['sel', ['select'], 'sel'],
  ['SEL', ['SELECT'], 'SEL'],
  ['select * fr', ['from'], 'fr'],
  ['select * from cus', ['customers', 'customers_id'], 'cus'],
  ['select * from CUS', ['CUStomers', 'CUStomers_id'], 'CUS'],
  ['select ord', ['order', 'order_id', 'orders'], 'ord'],
  ['select orders.', ['customers_id', 'order_id', 'position', 'total'], ''],
  ['select orders.to', ['total'], 'to'],
  ['select nope.x', [], 'x'],
  ['select address', ['address_city'], 'address'],
  ['select 1 ', [], ''],
  ['\\', ['\\?', '\\d', '\\dt', '\\format', '\\help', '\\i', '\\include', '\\o', '\\out', '\\pager', '\\q', '\\quit', '\\r', '\\refresh', '\\reset', '\\timing', '\\x'], '\\'],
  ['\\ti', ['\\timing'], '\\ti'],
  ['\\d ', ['customers', 'orders'], ''],
  ['\\d or', ['orders'], 'or'],
];

for (const [line, candidates, word] of CASES) {
  test(`complete ${JSON.stringify(line)}`, () => assert.deepEqual(complete(line, CATALOG), [candidates, word]));
}
