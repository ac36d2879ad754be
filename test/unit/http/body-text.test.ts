import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { test } from 'node:test';
import { bodyText } from '../../../src/http/response-body.js';
import { isRestSqlError } from '../../../src/errors/index.js';

test('a body longer than the longest string is HTTP_TOO_LARGE naming the URL, never read as text', () => {
  // Pieces that only say how long they are: nothing that size is allocated.
  const huge = { url: 'https://api.test/items?page=2', chunks: [{ length: constants.MAX_STRING_LENGTH } as Buffer, { length: 1 } as Buffer], get body(): Buffer { throw new Error('the body must not be joined'); } };
  assert.throws(() => bodyText(huge), (e: unknown) => isRestSqlError(e) && e.code === 'HTTP_TOO_LARGE' && e.message.startsWith('https://api.test/items?page=2 returned'));
  assert.equal(bodyText({ url: 'https://api.test/x', chunks: [Buffer.from('{"a":'), Buffer.from('1}')], body: Buffer.from('{"a":1}') }), '{"a":1}');
});
