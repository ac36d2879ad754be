/**
 * SASLprep (RFC 4013) as PostgreSQL applies it to SCRAM passwords: the RFC's examples, the
 * mapping, prohibition and bidi steps, PostgreSQL's ASCII fast path and raw fallback, and the
 * stringprep table lookup against a linear scan.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { saslprep, saslprepOrRaw } from '../../../src/server/auth/saslprep.js';
import { inTable, L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED_OUTPUT, RAND_AL_CAT, UNASSIGNED } from '../../../src/server/auth/stringprep-tables.js';

/** Fixed so a failure can be replayed; RESTSQL_FC_SEED explores others. */
const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20_250_714);

function check<Ts extends unknown[]>(property: fc.IProperty<Ts>, numRuns = 300): void {
  try {
    fc.assert(property, { seed: SEED, numRuns });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`seed ${SEED} (replay with RESTSQL_FC_SEED=${SEED}): ${message}`, { cause: e });
  }
}

// RFC 4013 section 3, "Examples", then more rows for each step. `undefined`: not valid for SASLprep.
const ROWS: [string, string, string | undefined][] = [
  ['RFC 4013 #1: SOFT HYPHEN mapped to nothing', 'I\u00adX', 'IX'],
  ['RFC 4013 #2: no transformation', 'user', 'user'],
  ['RFC 4013 #3: case preserved', 'USER', 'USER'],
  ['RFC 4013 #4: output is NFKC (U+00AA)', '\u00aa', 'a'],
  ['RFC 4013 #5: output is NFKC (U+2168), matches #1', '\u2168', 'IX'],
  // The RFC prohibits U+0007; PostgreSQL passes pure ASCII through unchanged, which gives the
  // same key as its fallback to the raw bytes would.
  ['RFC 4013 #6: ASCII control character, PostgreSQL fast path', '\u0007', '\u0007'],
  ['RFC 4013 #6: the control character in a non-ASCII string is prohibited', '\u00e9\u0007', undefined],
  ['RFC 4013 #7: bidi check (RandALCat first, not last)', '\u0627\u0031', undefined],
  ['non-ASCII spaces mapped to SPACE', 'a\u00a0b\u2003c\u3000d', 'a b c d'],
  ['ZERO WIDTH SPACE is in C.1.2 and B.1: mapped to SPACE first, as PostgreSQL does', 'a\u200bb', 'a b'],
  ['variation selector and BOM mapped to nothing', 'x\ufe0fy\ufeffz', 'xyz'],
  ['mapped to nothing only: empty, refused', '\u00ad\u200d', undefined],
  ['NFKC: ligature', '\ufb01le', 'file'],
  ['NFKC: composes e + COMBINING ACUTE', 'e\u0301t\u00e9', '\u00e9t\u00e9'],
  ['NFKC: full-width', '\uff30\uff57', 'Pw'],
  ['Latin-1 unchanged', 'pässwörd', 'pässwörd'],
  ['private use (C.3)', 'a\ue000', undefined],
  ['non-character (C.4)', 'a\ufdd0', undefined],
  ['non-ASCII control character (C.2.2)', 'a\u0085', undefined],
  ['change display property (C.8)', 'a\u200eb', undefined],
  ['tagging character (C.9)', 'a\u{e0001}', undefined],
  ['unassigned in Unicode 3.2 (A.1): U+0221', 'a\u0221', undefined],
  ['unassigned in Unicode 3.2 (A.1): an emoji', 'a\u{1f600}', undefined],
  ['bidi: all RandALCat', '\u0627\u0628', '\u0627\u0628'],
  ['bidi: RandALCat at both ends, neutral inside', '\u0627 1 \u0628', '\u0627 1 \u0628'],
  ['bidi: RandALCat with an LCat character', '\u0627a\u0628', undefined],
  ['bidi: RandALCat last but not first', '1\u0627', undefined],
  ['lone surrogate: not UTF-8', 'a\ud800b', undefined],
];

for (const [name, input, expected] of ROWS) {
  test(`saslprep: ${name}`, () => {
    assert.equal(saslprep(input), expected);
  });
}

test('saslprepOrRaw: the prepared UTF-8 bytes, or the raw UTF-8 bytes when SASLprep refuses', () => {
  assert.deepEqual(saslprepOrRaw('\u2168'), Buffer.from('IX'));
  assert.deepEqual(saslprepOrRaw('\u0627\u0031'), Buffer.from('\u0627\u0031', 'utf8'));
  assert.deepEqual(saslprepOrRaw('a\ue000'), Buffer.from([0x61, 0xee, 0x80, 0x80]));
});

test('property: pure ASCII is returned unchanged (PostgreSQL fast path)', () => {
  check(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (s) => assert.equal(saslprep(s), s)));
});

test('property: an accepted result is NFKC, and holds no non-ASCII space and nothing mapped to nothing', () => {
  const unit = fc.oneof(fc.constantFrom('\u00a0', '\u00ad', '\u200b', '\u3000', '\ufe0f', '\u2168', '\ufb01', 'e\u0301', 'a'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));
  check(
    fc.property(fc.array(unit, { minLength: 1, maxLength: 10 }), (parts) => {
      const out = saslprep(`é${parts.join('')}`);
      if (out === undefined) return;
      assert.equal(out, out.normalize('NFKC'));
      for (const ch of out) {
        const code = ch.codePointAt(0) as number;
        assert.ok(!inTable(MAPPED_TO_NOTHING, code) && !inTable(NON_ASCII_SPACE, code), `U+${code.toString(16)} in ${JSON.stringify(out)}`);
      }
    }),
  );
});

const TABLES: [string, readonly number[]][] = [
  ['NON_ASCII_SPACE', NON_ASCII_SPACE],
  ['MAPPED_TO_NOTHING', MAPPED_TO_NOTHING],
  ['PROHIBITED_OUTPUT', PROHIBITED_OUTPUT],
  ['UNASSIGNED', UNASSIGNED],
  ['RAND_AL_CAT', RAND_AL_CAT],
  ['L_CAT', L_CAT],
];

test('stringprep tables: sorted, disjoint, inclusive ranges within Unicode', () => {
  for (const [name, table] of TABLES) {
    assert.equal(table.length % 2, 0, name);
    for (let i = 0; i < table.length; i += 2) {
      const [first, last] = [table[i] as number, table[i + 1] as number];
      assert.ok(first <= last && last <= 0x10ffff, `${name}[${i}]`);
      if (i > 0) assert.ok(first > (table[i - 1] as number), `${name}[${i}] overlaps or is out of order`);
    }
  }
});

test('stringprep tables: entries the RFC 3454 appendices list', () => {
  const rows: [readonly number[], number, boolean][] = [
    [NON_ASCII_SPACE, 0x00a0, true],
    [NON_ASCII_SPACE, 0x200b, true],
    [NON_ASCII_SPACE, 0x0020, false],
    [MAPPED_TO_NOTHING, 0x00ad, true],
    [MAPPED_TO_NOTHING, 0xfe0f, true],
    [PROHIBITED_OUTPUT, 0x0000, true],
    [PROHIBITED_OUTPUT, 0x007f, true],
    [PROHIBITED_OUTPUT, 0xe0001, true],
    [PROHIBITED_OUTPUT, 0x10fffd, true],
    [PROHIBITED_OUTPUT, 0x0041, false],
    [UNASSIGNED, 0x0221, true],
    [UNASSIGNED, 0x0220, false],
    [UNASSIGNED, 0xefffd, true],
    [UNASSIGNED, 0x4e00, false],
    [RAND_AL_CAT, 0x05be, true],
    [RAND_AL_CAT, 0xfefc, true],
    [RAND_AL_CAT, 0x0041, false],
    [L_CAT, 0x0041, true],
    [L_CAT, 0x0030, false],
    [L_CAT, 0x05d0, false],
  ];
  for (const [table, code, expected] of rows) assert.equal(inTable(table, code), expected, `U+${code.toString(16)}`);
});

test('property: inTable (binary search) agrees with a linear scan of the ranges', () => {
  const linear = (table: readonly number[], code: number) => {
    for (let i = 0; i < table.length; i += 2) if (code >= (table[i] as number) && code <= (table[i + 1] as number)) return true;
    return false;
  };
  // Range ends and their neighbours, where an off-by-one would show, plus random code points.
  const edges = TABLES.flatMap(([, t]) => t.flatMap((c) => [c - 1, c, c + 1]));
  const code = fc.oneof(fc.constantFrom(...edges), fc.integer({ min: 0, max: 0x10ffff }));
  check(fc.property(code, (c) => {
    for (const [name, table] of TABLES) assert.equal(inTable(table, c), linear(table, c), `${name} U+${c.toString(16)}`);
  }), 2000);
});
