/** Where restsql mcp --http takes its bearer token from, and which tokens it refuses. */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RestSqlError } from '../../../src/errors/index.js';
import { resolveMcpToken } from '../../../src/mcp/token.js';
import { tempDir } from '../../support/temp-dir.js';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RestSqlError);
    return e.code;
  }
  return 'none';
};

test('RESTSQL_MCP_TOKEN first, then --token-file, else a generated one', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'token');
  writeFileSync(file, '\uFEFFfile-token-0123456789abc\r\nsecond line\n');
  chmodSync(file, 0o600);
  assert.deepEqual(resolveMcpToken({ env: { RESTSQL_MCP_TOKEN: 'env-token-0123456789abc' }, tokenFile: file }), { token: 'env-token-0123456789abc', source: 'env' });
  assert.deepEqual(resolveMcpToken({ env: {}, tokenFile: file }), { token: 'file-token-0123456789abc', source: 'file' });
  const a = resolveMcpToken({ env: {} });
  const b = resolveMcpToken({ env: {} });
  assert.equal(a.source, 'generated');
  assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a.token, b.token);
});

test('empty, short or unsendable tokens and files others can read are refused', (t) => {
  const dir = tempDir(t);
  const open = join(dir, 'open');
  writeFileSync(open, 'file-token-0123456789abc\n');
  chmodSync(open, 0o640);
  const empty = join(dir, 'empty');
  writeFileSync(empty, '\nfile-token-0123456789abc\n');
  chmodSync(empty, 0o600);
  for (const [name, fn] of [
    ['empty env', () => resolveMcpToken({ env: { RESTSQL_MCP_TOKEN: '' } })],
    ['short env', () => resolveMcpToken({ env: { RESTSQL_MCP_TOKEN: 'abc' } })],
    ['a space in the token', () => resolveMcpToken({ env: { RESTSQL_MCP_TOKEN: 'abcdefgh ijklmnopqrs' } })],
    ['a file others can read', () => resolveMcpToken({ env: {}, tokenFile: open })],
    ['an empty first line', () => resolveMcpToken({ env: {}, tokenFile: empty })],
    ['a missing file', () => resolveMcpToken({ env: {}, tokenFile: join(dir, 'nope') })],
    ['a folder', () => resolveMcpToken({ env: {}, tokenFile: dir })],
  ] as const) {
    assert.equal(code(fn), 'CONFIG_INVALID_VALUE', name);
  }
});
