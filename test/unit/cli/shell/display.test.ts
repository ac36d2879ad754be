import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatOptions, renderResult } from '../../../../src/cli/shell/display.js';

test('display: \\x and the terminal become the formatter options; the width only on a terminal', () => {
  assert.deepEqual(formatOptions({ format: 'table', expanded: 'on' }, { terminal: true, columns: 100 }), { expanded: true, terminal: true, maxWidth: 100 });
  assert.deepEqual(formatOptions({ format: 'table', expanded: 'off' }, { terminal: false, columns: 100 }), { expanded: false, terminal: false });
  assert.deepEqual(formatOptions({ format: 'table', expanded: 'auto' }, { terminal: true }), { expanded: 'auto', terminal: true });
});

test('display: a result is printed by the format chosen; a statement without columns prints OK in the table format only', () => {
  const result = { columns: [{ name: 'n', type: 'INTEGER' }], rows: [{ n: 1 }, { n: 22 }] };
  assert.deepEqual(JSON.parse(renderResult(result, { format: 'json', expanded: 'off' }, { terminal: false })), [{ n: 1 }, { n: 22 }]);
  assert.equal(renderResult(result, { format: 'ndjson', expanded: 'off' }, { terminal: false }), '{"n":1}\n{"n":22}\n');
  const table = renderResult(result, { format: 'table', expanded: 'off' }, { terminal: false });
  assert.match(table, /^ *22$/m);
  assert.match(table, /\(2 rows\)\n$/);
  assert.equal(renderResult({ columns: [], rows: [] }, { format: 'table', expanded: 'off' }, { terminal: false }), 'OK\n');
  assert.equal(renderResult({ columns: [], rows: [] }, { format: 'csv', expanded: 'off' }, { terminal: false }), '');
});
