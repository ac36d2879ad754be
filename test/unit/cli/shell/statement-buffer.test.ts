import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metaStart, StatementBuffer } from '../../../../src/cli/shell/statement-buffer.js';

/** Lines pushed one by one -> the statements each push returned, and what is left pending. */
const CASES: readonly { name: string; lines: string[]; out: string[][]; pending: string }[] = [
  { name: 'one statement', lines: ['select 1;'], out: [['select 1']], pending: '' },
  { name: 'several on one line', lines: ['select 1; select 2;select 3;'], out: [['select 1', 'select 2', 'select 3']], pending: '' },
  { name: 'spanning lines', lines: ['select', '  1 as a,', '  2 as b', ';'], out: [[], [], [], ['select\n  1 as a,\n  2 as b']], pending: '' },
  { name: 'text after the last ; waits', lines: ['select 1; select', '2;'], out: [['select 1'], ['select\n2']], pending: '' },
  { name: '; inside a string', lines: ["select 'a;b' as x;"], out: [["select 'a;b' as x"]], pending: '' },
  { name: 'a string spanning lines', lines: ["select 'a;", "b';"], out: [[], ["select 'a;\nb'"]], pending: '' },
  { name: 'doubled quote', lines: ["select 'it''s;' ;"], out: [["select 'it''s;'"]], pending: '' },
  { name: 'escape string', lines: ["select E'a\\';b';"], out: [["select E'a\\';b'"]], pending: '' },
  { name: 'quoted identifier', lines: ['select 1 as "x;y";'], out: [['select 1 as "x;y"']], pending: '' },
  { name: 'dollar quote', lines: ['select $$a;', 'b$$;'], out: [[], ['select $$a;\nb$$']], pending: '' },
  { name: 'tagged dollar quote', lines: ['select $t$ $$; $t$;'], out: [['select $t$ $$; $t$']], pending: '' },
  { name: 'line comment', lines: ['select 1 -- a ; here', ';'], out: [[], ['select 1']], pending: '' },
  { name: 'block comment', lines: ['select /* ; ', ' ; */ 1;'], out: [[], ['select /* ; \n ; */ 1']], pending: '' },
  { name: 'a comment alone is dropped', lines: ['-- nothing here'], out: [[]], pending: '' },
  { name: 'a comment after ; is dropped', lines: ['select 1; -- done'], out: [['select 1']], pending: '' },
  { name: 'empty statements', lines: [';;', 'select 1;;'], out: [[], ['select 1']], pending: '' },
  { name: 'unfinished statement stays', lines: ['select 1', 'from t'], out: [[], []], pending: 'select 1\nfrom t' },
  { name: 'BEGIN ATOMIC body keeps its ;', lines: ['create function f() returns int begin atomic select 1; end;'], out: [['create function f() returns int begin atomic select 1; end']], pending: '' },
  { name: 'a "" identifier: the text up to ; goes as one, for the engine to report', lines: ['select "" ;'], out: [['select ""']], pending: '' },
];

for (const c of CASES) {
  test(`statement buffer: ${c.name}`, () => {
    const b = new StatementBuffer();
    assert.deepEqual(c.lines.map((l) => b.push(l)), c.out);
    assert.equal(b.pending, c.pending);
  });
}

test('statement buffer: inQuote tells a meta-command from a line of a string', () => {
  const b = new StatementBuffer();
  b.push("select 'open");
  assert.equal(b.inQuote, true);
  assert.deepEqual(b.push('\\dt'), []);
  assert.deepEqual(b.push("';"), ["select 'open\n\\dt\n'"]);
  assert.equal(b.inQuote, false);
  b.push('select 1');
  assert.equal(b.inQuote, false);
  b.clear();
  assert.equal(b.pending, '');
});

const META_START: readonly [string, number][] = [
  ['\\dt', 0],
  ['  \\x on', 2],
  ['select 1; \\x', 10],
  ["select '\\x' as a; \\q", 18],
  ["select E'\\\\' as a;", -1],
  ['select 1 -- \\q', -1],
  ['select $$ \\q $$;', -1],
  ['select "a\\b";', -1],
  ["select 'open \\q", -1],
  ['select 1;', -1],
];

for (const [line, index] of META_START) {
  test(`metaStart ${JSON.stringify(line)}`, () => assert.equal(metaStart(line), index));
}
