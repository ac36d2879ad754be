/**
 * PostgreSQL's md5 password method and the cleartext one: fixed vectors, the formula computed
 * here from node:crypto, node-postgres's client as a second oracle, and refusals of near misses
 * of every length.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import fc from 'fast-check';
import { RestSqlError } from '../../../src/errors/index.js';
import { cleartextCheck, md5Check, md5Response } from '../../../src/server/auth/md5.js';

const pgUtils = createRequire(import.meta.url)('pg/lib/crypto/utils.js') as { postgresMd5PasswordHash(user: string, password: string, salt: Buffer): Promise<string> };

/** Fixed so a failure can be replayed; RESTSQL_FC_SEED explores others. */
const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20_250_714);

async function check<Ts extends unknown[]>(property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>, numRuns = 300): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`seed ${SEED} (replay with RESTSQL_FC_SEED=${SEED}): ${message}`, { cause: e });
  }
}

/** PostgreSQL 15 protocol-flow "MD5 password", written out here: md5 of (md5 hex of password + user) + salt. */
function byHand(password: string, user: string, salt: Buffer): string {
  const inner = createHash('md5').update(password + user, 'utf8').digest('hex');
  return `md5${createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')}`;
}

// Literal vectors, computed outside Node (Python hashlib). The inner step of the first,
// md5("postgrespostgres") = 3175bce1d3201d16594cebf9d7eb3f9d, is the well-known stored md5
// password of user postgres with password postgres.
const VECTORS: [string, string, Buffer, string][] = [
  ['postgres', 'postgres', Buffer.from([1, 2, 3, 4]), 'md568be9ed08db75f318087ab337aaea044'],
  ['pässword', 'alice', Buffer.from([0xde, 0xad, 0xbe, 0xef]), 'md508dcb5edb8ffa35a23d5bbc85e6a6cc5'],
];

for (const [password, user, salt, expected] of VECTORS) {
  test(`md5: fixed vector for user ${user}`, () => {
    assert.equal(byHand(password, user, salt), expected);
    assert.equal(md5Response(password, user, salt), expected);
    assert.equal(md5Check(password, user, salt, expected), true);
    assert.equal(md5Check(password, user, salt, Buffer.from(expected)), true);
  });
}

test('md5: near misses are refused', () => {
  const salt = Buffer.from([9, 8, 7, 6]);
  const good = byHand('secret', 'bob', salt);
  assert.equal(md5Check('secret', 'bob', salt, good), true);
  const refused: [string, string, string, Buffer, string][] = [
    ['wrong password', 'Secret', 'bob', salt, good],
    ['wrong user', 'secret', 'Bob', salt, good],
    ['wrong salt', 'secret', 'bob', Buffer.from([9, 8, 7, 7]), good],
    ['uppercase hex (PostgreSQL compares exactly)', 'secret', 'bob', salt, `md5${good.slice(3).toUpperCase()}`],
    ['no md5 prefix', 'secret', 'bob', salt, good.slice(3)],
    ['the inner hash only', 'secret', 'bob', salt, `md5${createHash('md5').update('secretbob').digest('hex')}`],
    ['the cleartext password', 'secret', 'bob', salt, 'secret'],
    ['one character short', 'secret', 'bob', salt, good.slice(0, -1)],
    ['one character more', 'secret', 'bob', salt, `${good}0`],
    ['trailing NUL', 'secret', 'bob', salt, `${good}\0`],
    ['empty', 'secret', 'bob', salt, ''],
  ];
  for (const [name, password, user, s, response] of refused) assert.equal(md5Check(password, user, s, response), false, name);
});

test('md5: a salt that is not 4 bytes is a bug, not a silent mismatch', () => {
  for (const n of [0, 3, 5]) assert.throws(() => md5Check('pw', 'u', Buffer.alloc(n), 'md5'), (e: unknown) => e instanceof RestSqlError && e.code === 'INTERNAL');
});

test('property: md5 matches the formula and node-postgres\'s client, and refuses another password', async () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 12 });
  const salt = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => Buffer.from(b));
  await check(
    fc.asyncProperty(text, text, salt, text, async (password, user, s, other) => {
      const client = await pgUtils.postgresMd5PasswordHash(user, password, s);
      assert.equal(md5Response(password, user, s), byHand(password, user, s));
      assert.equal(client, byHand(password, user, s));
      assert.equal(md5Check(password, user, s, client), true);
      if (other !== password) assert.equal(md5Check(password, user, s, await pgUtils.postgresMd5PasswordHash(user, other, s)), false);
    }),
  );
});

test('cleartext: the exact password only, whatever the length of the answer', () => {
  const pw = 'correct horse';
  assert.equal(cleartextCheck(pw, 'correct horse'), true);
  assert.equal(cleartextCheck(pw, Buffer.from('correct horse')), true);
  for (const wrong of ['', 'c', 'correct hors', 'correct horse ', 'correct horsf', 'Correct horse', 'correct horse\0', 'correct horsecorrect horse', 'x'.repeat(10_000)]) {
    assert.equal(cleartextCheck(pw, wrong), false, JSON.stringify(wrong.slice(0, 20)));
  }
  assert.equal(cleartextCheck('pässwörd', 'pässwörd'), true);
  // Byte for byte, like PostgreSQL's comparison: no SASLprep or Unicode normalization here.
  assert.equal(cleartextCheck('p\u00e4ss', 'pa\u0308ss'), false);
});

test('property: cleartextCheck(a, b) is a === b', async () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 16 });
  await check(
    fc.property(text, text, (a, b) => {
      assert.equal(cleartextCheck(a, b), a === b);
      assert.equal(cleartextCheck(a, a), true);
    }),
  );
});
