import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestSqlError } from '../../../../src/errors/index.js';
import { META_HELP, metaWords, parseMeta, type MetaCommand } from '../../../../src/cli/shell/meta-commands.js';

const GOOD: readonly [string, MetaCommand][] = [
  ['\\dt', { kind: 'tables' }],
  ['\\d', { kind: 'tables' }],
  ['  \\d orders  ', { kind: 'describe', table: 'orders' }],
  ['\\d "my table"', { kind: 'describe', table: 'my table' }],
  ['\\x', { kind: 'expanded', mode: 'toggle' }],
  ['\\x on', { kind: 'expanded', mode: 'on' }],
  ['\\x OFF', { kind: 'expanded', mode: 'off' }],
  ['\\x auto', { kind: 'expanded', mode: 'auto' }],
  ['\\timing', { kind: 'timing', mode: 'toggle' }],
  ['\\timing on', { kind: 'timing', mode: 'on' }],
  ['\\pager off', { kind: 'pager', mode: 'off' }],
  ['\\format', { kind: 'format', format: undefined }],
  ['\\format CSV', { kind: 'format', format: 'csv' }],
  ['\\format ndjson', { kind: 'format', format: 'ndjson' }],
  ['\\o', { kind: 'output', file: undefined }],
  ["\\o '/tmp/a b.txt'", { kind: 'output', file: '/tmp/a b.txt' }],
  ['\\i q.sql', { kind: 'include', file: 'q.sql' }],
  ['\\include q.sql', { kind: 'include', file: 'q.sql' }],
  ['\\refresh', { kind: 'refresh' }],
  ['\\r', { kind: 'reset' }],
  ['\\?', { kind: 'help' }],
  ['\\help', { kind: 'help' }],
  ['\\q', { kind: 'quit' }],
  ['\\quit', { kind: 'quit' }],
];

for (const [line, expected] of GOOD) {
  test(`parseMeta ${JSON.stringify(line)}`, () => assert.deepEqual(parseMeta(line), expected));
}

const BAD: readonly [string, RegExp][] = [
  ['\\dx', /Unknown meta-command \\dx\. Did you mean/],
  ['\\bogus', /Unknown meta-command \\bogus/],
  ['\\x maybe', /\\x takes on, off, auto or nothing, not 'maybe'/],
  ['\\timing auto', /\\timing takes on, off or nothing/],
  ['\\format xml', /Unknown format 'xml'/],
  ['\\i', /\\i needs a file name/],
  ['\\dt extra', /\\dt takes no argument; got 1/],
  ['\\d a b', /\\d takes one argument/],
  ["\\o 'unclosed", /Unterminated quote/],
];

for (const [line, message] of BAD) {
  test(`parseMeta ${JSON.stringify(line)} is a usage error`, () => {
    assert.throws(
      () => parseMeta(line),
      (e: unknown) => isRestSqlError(e) && e.code === 'USAGE' && message.test(e.message) && (e.hint ?? '') !== '',
    );
  });
}

test('metaWords: quotes and doubled quotes', () => {
  assert.deepEqual(metaWords(` a 'b c' "d ""e""" 'it''s'`), ['a', 'b c', 'd "e"', "it's"]);
});

test('help lists every meta-command', () => {
  for (const name of ['\\dt', '\\d [TABLE]', '\\x [on|off|auto]', '\\timing', '\\format', '\\o [FILE]', '\\i FILE', '\\refresh', '\\pager', '\\?', '\\q']) assert.ok(META_HELP.includes(name), name);
});
