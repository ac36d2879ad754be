/** Tool text: CSV quoting, close names for a mistyped table, redaction of structured content. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeNames } from '../../../src/mcp/close-names.js';
import { csvText } from '../../../src/mcp/csv-text.js';
import { errorResult, redactJson } from '../../../src/mcp/tool-result.js';
import { RestSqlError } from '../../../src/errors/index.js';

test('csvText quotes what CSV must quote, writes NULL empty and nested values as JSON', () => {
  assert.equal(
    csvText(['a', 'b,c'], [
      { a: 'x', 'b,c': 1 },
      { a: 'say "hi"', 'b,c': null },
      { a: 'two\nlines', 'b,c': [1, { k: 'v' }] },
      { a: ' padded', 'b,c': true },
    ]),
    'a,"b,c"\nx,1\n"say ""hi""",\n"two\nlines","[1,{""k"":""v""}]"\n" padded",true\n',
  );
});

test('closeNames: nearest first, substrings count, at most three, nothing when nothing is close', () => {
  const names = ['users', 'orders', 'order_items', 'items', 'tags'];
  assert.deepEqual(closeNames('ordrs', names), ['orders']);
  assert.deepEqual(closeNames('order', names), ['order_items', 'orders']);
  assert.deepEqual(closeNames('ITEM', names), ['items', 'order_items']);
  assert.deepEqual(closeNames('zzzzzz', names), []);
  assert.equal(closeNames('s', ['a', 'b', 'c', 'd', 'e']).length, 3);
});

test('structured content and errors are masked, keys included; the code stays', () => {
  const redact = (s: string) => s.replaceAll('sekrit', '***');
  assert.deepEqual(redactJson({ rows: [{ sekrit: 'a sekrit b', n: 1, z: null }] }, redact), { rows: [{ '***': 'a *** b', n: 1, z: null }] });
  const r = errorResult(new RestSqlError('HTTP_STATUS', 'GET /x?key=sekrit failed', { hint: 'check sekrit' }), redact);
  assert.equal(r.isError, true);
  assert.equal((r.content[0] as { text: string }).text, 'error[HTTP_STATUS]: GET /x?key=*** failed\nhint: check ***');
  assert.deepEqual(r._meta?.['restsql/error'], { code: 'HTTP_STATUS', message: 'GET /x?key=*** failed', hint: 'check ***' });
  assert.equal(r.structuredContent, undefined, 'clients check structuredContent against the outputSchema');
  const plain = errorResult(new Error('boom'), redact);
  assert.match((plain.content[0] as { text: string }).text, /^error\[INTERNAL\]: boom$/);
});
