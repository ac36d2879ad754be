/**
 * The output formats (src/cli/format.ts and the files it puts together): display widths of wide,
 * full-width, combining and emoji text; cutting that never splits a grapheme; tables fitted to a
 * width with every line measured by string-width; NULL apart from ''; expanded display and its
 * 'auto'; CSV line ends; the flags' parsing. Widths are checked with string-width itself, imported
 * here, not with the code under test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import stringWidth from 'string-width';
import { csvField } from '../../../src/cli/data-formats.js';
import { displayWidth, loadDisplayWidth, padToWidth, truncateToWidth } from '../../../src/cli/display-width.js';
import { createFormatter, openFormatter, type Format, type FormatOptions } from '../../../src/cli/format.js';
import { outputOptions } from '../../../src/cli/output-options.js';
import { fitWidths, MIN_COLUMN_WIDTH } from '../../../src/cli/table-layout.js';
import type { JsonValue, ResultColumn } from '../../../src/engine/values.js';
import { isRestSqlError } from '../../../src/errors/index.js';

type Row = Record<string, JsonValue>;

function render(format: Format, columns: ResultColumn[], rows: Row[], options: FormatOptions = {}): string {
  let out = '';
  const f = createFormatter(format, (t) => void (out += t), options);
  f.begin(columns);
  f.rows(rows);
  f.end();
  return out;
}

const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((x) => x.segment);

const WIDTHS: [what: string, text: string, width: number][] = [
  ['ASCII', 'hello', 5],
  ['Latin-1 accented (precomposed)', 'café', 4],
  ['combining acute accent', 'e\u0301te\u0301', 3],
  ['several combining marks on one base', 'a\u0300\u0301\u0302', 1],
  ['CJK ideographs', '漢字', 4],
  ['Hangul syllables', '한국어', 6],
  ['Hiragana and Katakana', 'ひらがなカタカナ', 16],
  ['full-width Latin', 'ＡＢＣ１', 8],
  ['half-width Katakana', 'ｶﾀｶﾅ', 4],
  ['emoji', '😀', 2],
  ['emoji with skin tone', '👍🏽', 2],
  ['emoji ZWJ sequence (family)', '👨‍👩‍👧‍👦', 2],
  ['flag (regional indicators)', '🇯🇵', 2],
  ['mixed', 'a漢b😀c', 7],
];

test('display width: wide, full-width, combining and emoji text measured as a terminal shows it', () => {
  for (const [what, text, width] of WIDTHS) {
    assert.equal(displayWidth(text), width, what);
    assert.equal(stringWidth(text), width, `${what} (string-width agrees)`);
  }
});

const CUTS: [what: string, text: string, width: number, expected: string][] = [
  ['ASCII', 'abcdefgh', 5, 'abcd…'],
  ['fits: unchanged', 'abc', 3, 'abc'],
  ['CJK: a wide character that does not fit is dropped whole', '漢字漢字', 4, '漢…'],
  ['CJK: exact', '漢字漢字', 5, '漢字…'],
  ['combining marks stay on their base', 'e\u0301e\u0301e\u0301e\u0301', 3, 'e\u0301e\u0301…'],
  ['surrogate pairs stay whole', '😀😀😀', 4, '😀…'],
  ['ZWJ sequences stay whole', '👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 5, '👨‍👩‍👧👨‍👩‍👧…'],
  ['a flag is one cluster', '🇯🇵🇯🇵🇯🇵', 3, '🇯🇵…'],
  ['Hangul', '한국어텍스트', 7, '한국어…'],
  ['width 1: only the ellipsis', '漢字', 1, '…'],
];

test('truncateToWidth: cuts between grapheme clusters, ends in …, never wider than asked', () => {
  for (const [what, text, width, expected] of CUTS) {
    const cut = truncateToWidth(text, width);
    assert.equal(cut, expected, what);
    assert.ok(stringWidth(cut) <= width, `${what}: ${stringWidth(cut)} > ${width}`);
    const kept = cut.endsWith('…') && cut !== text ? cut.slice(0, -1) : cut;
    assert.deepEqual(graphemes(kept), graphemes(text).slice(0, graphemes(kept).length), `${what}: whole clusters`);
  }
});

test('padToWidth pads by display width', () => {
  assert.equal(padToWidth('漢字', 6, 'left'), '漢字  ');
  assert.equal(padToWidth('e\u0301', 3, 'right'), '  e\u0301');
});

const COLS: ResultColumn[] = [
  { name: 'id', type: 'INTEGER' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'note', type: 'VARCHAR' },
];
const ROWS: Row[] = [
  { id: 1, name: '漢字のなまえ', note: 'e\u0301te\u0301 👨‍👩‍👧 '.repeat(6) },
  { id: 22, name: '한국어', note: null },
  { id: 333, name: 'ＡＢＣ', note: '' },
  { id: 4, name: 'plain', note: 'line one\nline two\ttab \x1b[31mred' },
];

/** Column start offsets (display columns) of each line, found from the ' | ' separators in the rule line. */
function assertAligned(table: string, maxWidth?: number): void {
  const lines = table.trimEnd().split('\n');
  const body = lines.slice(0, -1);
  const rule = lines[1]!;
  const starts = [...rule.matchAll(/-\+-/g)].map((m) => m.index! + 1);
  for (const line of body) {
    if (maxWidth !== undefined) assert.ok(stringWidth(line) <= maxWidth, `line wider than ${maxWidth}: ${stringWidth(line)}: ${line}`);
    if (line === rule) continue;
    // The '|' of each separator sits at the same display column in every line.
    const bars: number[] = [];
    let col = 0;
    for (const g of graphemes(line)) {
      if (g === '|') bars.push(col);
      col += stringWidth(g);
    }
    for (const s of starts) assert.ok(bars.includes(s), `no '|' at column ${s} in: ${line}`);
  }
  assert.match(lines.at(-1)!, /^\(\d+ rows?\)$/);
}

test('table without a width: nothing cut, aligned by display width, NULL apart from the empty string, controls escaped', () => {
  const t = render('table', COLS, ROWS);
  assertAligned(t);
  assert.ok(t.includes('e\u0301te\u0301 👨‍👩‍👧 '.repeat(6).trimEnd()), 'the long cell is whole');
  assert.ok(t.includes('line one\\nline two\\x09tab \\x1b[31mred'), 'line breaks and controls escaped');
  const lines = t.split('\n');
  assert.match(lines[3]!, /^ 22 \| 한국어\s+\| NULL$/);
  assert.match(lines[4]!, /^333 \| ＡＢＣ\s+\|$/, "'' shows empty");
  assert.equal(lines[2]!.slice(0, 6), '  1 | ', 'numbers right-aligned');
  assert.equal(lines.at(-2), '(4 rows)');
});

test('table fitted to a width: every line fits, the widest column gives way, cells end in …', () => {
  for (const maxWidth of [60, 40, 30, 24]) {
    const t = render('table', COLS, ROWS, { maxWidth });
    assertAligned(t, maxWidth);
    assert.ok(t.includes('…'), `something was cut at ${maxWidth}`);
    assert.ok(t.includes('333'), 'the narrow number column keeps its width');
  }
});

test('--null text, and the terminal escaping of bidirectional controls', () => {
  const t = render('table', COLS, ROWS.slice(1, 3), { nullText: '∅' });
  assert.match(t, /한국어\s+\| ∅\n/);
  const evil: Row[] = [{ id: 1, name: 'abc\u202etxt.exe', note: 'x' }];
  assert.ok(render('table', COLS, evil, { terminal: true }).includes('abc\\u202etxt.exe'));
  assert.ok(render('table', COLS, evil, { terminal: false }).includes('abc\u202etxt.exe'));
});

test('fitWidths: unchanged when they fit; the widest lose most; never below the minimum; uses the whole budget', () => {
  assert.deepEqual(fitWidths([3, 10, 4], 20), [3, 10, 4]);
  assert.deepEqual(fitWidths([3, 50, 40], 40), [3, 19, 18]);
  assert.deepEqual(fitWidths([30, 30], 21), [11, 10]);
  assert.deepEqual(fitWidths([2, 100, 100, 100], 10), [2, MIN_COLUMN_WIDTH, MIN_COLUMN_WIDTH, MIN_COLUMN_WIDTH], 'minimums when nothing fits');
  for (const [natural, budget] of [[[9, 8, 7, 50], 40], [[100, 1, 100], 57]] as const) {
    const w = fitWidths(natural, budget);
    assert.equal(w.reduce((a, b) => a + b, 0), budget);
    w.forEach((x, i) => assert.ok(x <= natural[i]!));
  }
});

test('expanded display: one block per row, values cut to the width, NULL and empty apart', () => {
  const rows: Row[] = [
    { id: 1, name: '漢字', note: null },
    { id: 2, name: '', note: 'x'.repeat(100) },
  ];
  assert.equal(
    render('table', COLS, rows, { expanded: true, maxWidth: 30 }),
    ['-[ RECORD 1 ]-----------------', 'id   | 1', 'name | 漢字', 'note | NULL', '-[ RECORD 2 ]-----------------', 'id   | 2', 'name |', `note | ${'x'.repeat(22)}…`, '(2 rows)', ''].join('\n'),
  );
  const whole = render('table', COLS, rows, { expanded: true });
  assert.ok(whole.includes(`note | ${'x'.repeat(100)}\n`), 'no width: nothing cut');
  assert.equal(render('table', COLS, [], { expanded: true }), '(0 rows)\n');
});

test("expanded 'auto': a table that fits stays a table; one that does not becomes blocks", () => {
  const narrow: Row[] = [{ id: 1, name: 'a', note: 'b' }];
  assert.match(render('table', COLS, narrow, { expanded: 'auto', maxWidth: 40 }), /^id \| name \| note\n/);
  const wide: Row[] = [{ id: 1, name: 'a', note: 'b'.repeat(60) }];
  const out = render('table', COLS, wide, { expanded: 'auto', maxWidth: 40 });
  assert.match(out, /^-\[ RECORD 1 \]-+\n/);
  for (const line of out.split('\n')) assert.ok(stringWidth(line) <= 40, line);
  assert.match(render('table', COLS, wide, { expanded: 'auto' }), /^id \| name \| note/, 'no width: never expanded');
});

test('CSV: LF by default, CRLF when asked; NULL unquoted, an empty string quoted; --null', () => {
  const cols: ResultColumn[] = [
    { name: 'a', type: 'VARCHAR' },
    { name: 'b', type: 'VARCHAR' },
    { name: 'c', type: 'INTEGER' },
  ];
  const rows: Row[] = [
    { a: null, b: '', c: 1 },
    { a: 'x,y', b: 'say "hi"\nbye', c: null },
    { a: 'NULL', b: 'N', c: 2 },
  ];
  assert.equal(render('csv', cols, rows), 'a,b,c\n,"",1\n"x,y","say ""hi""\nbye",\nNULL,N,2\n');
  assert.equal(render('csv', cols, rows.slice(0, 1), { csvEol: '\r\n' }), 'a,b,c\r\n,"",1\r\n');
  assert.equal(render('csv', cols, rows, { nullText: 'NULL' }), 'a,b,c\nNULL,,1\n"x,y","say ""hi""\nbye",NULL\n"NULL",N,2\n');
  assert.equal(csvField({ k: [1] }, ''), '"{""k"":[1]}"');
});

test('json and ndjson ignore the table options', () => {
  const cols: ResultColumn[] = [{ name: 'a', type: 'VARCHAR' }];
  assert.equal(render('json', cols, [{ a: null }], { nullText: 'x', maxWidth: 3 }), '[\n{"a":null}\n]\n');
  assert.equal(render('ndjson', cols, [{ a: 'é漢' }], { maxWidth: 3 }), '{"a":"é漢"}\n');
});

test('openFormatter gives the same output as createFormatter', async () => {
  await loadDisplayWidth();
  let out = '';
  const f = await openFormatter('table', (t) => void (out += t), { maxWidth: 30 });
  f.begin(COLS);
  f.rows(ROWS);
  f.end();
  assert.equal(out, render('table', COLS, ROWS, { maxWidth: 30 }));
});

const stdout = (isTTY: boolean, columns?: number) => ({ stdout: { isTTY, columns } as never, env: {} });

test('outputOptions: the terminal width on a terminal, no limit into a pipe or -o FILE, --max-width chooses (0: none)', () => {
  const cases: [what: string, flags: Parameters<typeof outputOptions>[0], io: ReturnType<typeof stdout>, expected: FormatOptions][] = [
    ['terminal of 60 columns', {}, stdout(true, 60), { terminal: true, maxWidth: 60 }],
    ['pipe', {}, stdout(false), { terminal: false }],
    ['-o FILE from a terminal', { output: 'x.txt' }, stdout(true, 60), { terminal: false }],
    ['--max-width into a pipe', { maxWidth: '100' }, stdout(false), { terminal: false, maxWidth: 100 }],
    ['--max-width 0 on a terminal', { maxWidth: '0' }, stdout(true, 60), { terminal: true }],
    ['all the rest', { null: '∅', crlf: true, expanded: true }, stdout(false), { terminal: false, nullText: '∅', csvEol: '\r\n', expanded: true }],
  ];
  for (const [what, flags, io, expected] of cases) assert.deepEqual(outputOptions(flags, io), expected, what);
  assert.deepEqual(outputOptions({}, { stdout: { isTTY: true } as never, env: { COLUMNS: '132' } }), { terminal: true, maxWidth: 132 }, 'a terminal that does not say: $COLUMNS');
  for (const bad of ['abc', '-1', '12.5', '', '10x']) {
    assert.throws(() => outputOptions({ maxWidth: bad }, stdout(false)), (e: unknown) => isRestSqlError(e) && e.code === 'USAGE' && e.message.includes('--max-width'), bad);
  }
});

test('redact masks each cell before it is measured and cut: no part of a secret survives a cut, and masked columns stay aligned', () => {
  const secret = 'tok-SECRET-123456';
  const redact = (t: string) => t.replaceAll(secret, '***');
  const columns: ResultColumn[] = [{ name: 'id', type: 'INTEGER' }, { name: 'seen', type: 'VARCHAR' }];
  const rows: Row[] = [{ id: 1, seen: `Bearer ${secret}` }, { id: 2, seen: 'plain' }];
  for (const options of [{ maxWidth: 20, terminal: true }, { maxWidth: 18, terminal: true, expanded: true as const }, {}]) {
    const out = render('table', columns, rows, { ...options, redact });
    assert.doesNotMatch(out, /tok-|SECRET|123456/, JSON.stringify(options));
    assert.match(out, /Bearer \*\*\*/, JSON.stringify(options));
    if (options.expanded) continue;
    const lines = out.split('\n').slice(0, 4);
    // Aligned: every separator at the same column, the table as wide as its masked cells.
    assert.equal(new Set(lines.map((l) => l.search(/[|+]/))).size, 1, out);
    assert.equal(lines[1]!.length, 'id | Bearer ***'.length, out);
  }
});
