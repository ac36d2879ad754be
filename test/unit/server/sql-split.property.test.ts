import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { splitStatements } from '../../../src/sql/split.js';

/**
 * Random statement lists joined with semicolons split back to the same list. Statements are built
 * from fragments that may hide semicolons, quotes, dollar signs and comment starts inside strings,
 * dollar quotes, quoted identifiers and comments; fragments are separated by whitespace or
 * comments, statements by `;` with whitespace, comments and empty statements around it.
 */

const SEED = 20261203;

// Characters that matter to the lexer, plus non-ASCII ones (é, and 😀 outside the BMP).
const tricky = fc.string({ unit: fc.constantFrom(';', "'", '"', '$', '\\', '-', '/', '*', '\n', '\r', ' ', 'a', 'Z', '0', 'é', '😀'), maxLength: 8 });

const word = fc.stringMatching(/^[a-z_][a-z0-9_$]{0,5}$/);
const standardString = tricky.map((s) => `'${s.replace(/'/g, "''")}'`);
const escapeString = tricky.map((s) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const dollarQuote = fc
  .tuple(fc.constantFrom('', 'a', 'tag_1', 'é'), tricky)
  .filter(([tag, body]) => !`${body}$`.includes(`$${tag}$`))
  .map(([tag, body]) => `$${tag}$${body}$${tag}$`);
const quotedIdent = tricky.filter((s) => s.length > 0).map((s) => `"${s.replace(/"/g, '""')}"`);
const number = fc.constantFrom('1', '42', '1.5', '.5', '3e7');
const operator = fc.constantFrom('=', '+', '(', ')', ',', '::', '<>', '*');
const fragment = fc.oneof(word, word, standardString, escapeString, dollarQuote, quotedIdent, number, operator);

// Block comment bodies lose * and / so they cannot close or open early; nesting is built explicitly.
const blockComment = tricky.map((s) => `/*${s.replace(/[*/]/g, '')}*/`);
const nestedComment = fc.tuple(blockComment, blockComment).map(([a, b]) => `/* ${a} ${b} */`);
const lineComment = tricky.map((s) => `--${s.replace(/[\n\r]/g, '')}\n`);
const gap = fc.oneof(fc.constantFrom(' ', '\n', '\t', '\r\n'), blockComment.map((c) => ` ${c} `), nestedComment.map((c) => ` ${c} `), lineComment.map((c) => ` ${c}`));

const statement = fc.array(fc.tuple(fragment, gap), { minLength: 1, maxLength: 6 }).map((parts) => parts.map(([f, g], i) => (i === parts.length - 1 ? f : f + g)).join(''));
// What may stand between statements: whitespace, comments and extra (empty) statements.
const joiner = fc.array(fc.oneof(gap, fc.constant(';')), { maxLength: 3 }).map((g) => `;${g.join('')}`);
const edge = fc.array(gap, { maxLength: 2 }).map((g) => g.join(''));

test('statements joined with semicolons split back to the same statements and offsets', () => {
  const property = fc.property(edge, fc.array(fc.tuple(statement, joiner), { minLength: 1, maxLength: 5 }), edge, (head, list, tail) => {
    let text = head;
    const expected: { sql: string; offset: number }[] = [];
    list.forEach(([sql, join], i) => {
      expected.push({ sql, offset: [...text].length });
      text += sql + (i === list.length - 1 ? '' : join);
    });
    text += tail;
    assert.deepEqual(splitStatements(text), expected, `text: ${JSON.stringify(text)}`);
  });
  try {
    fc.assert(property, { seed: SEED, numRuns: 300 });
  } catch (e) {
    console.error(`property failed with seed ${SEED}`);
    throw e;
  }
});
