/**
 * Where restsql serve's password comes from: RESTSQL_SERVE_PASSWORD, else --password-file (first
 * line, private to its owner), else generated; never empty.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { RestSqlError } from '../../../src/errors/index.js';
import { resolveServePassword } from '../../../src/server/auth/password.js';

const dir = mkdtempSync(join(tmpdir(), 'restsql-serve-password-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const posix = process.platform !== 'win32';
let n = 0;
/** A new file in the temp folder with `text`, chmod'ed to `mode`. */
function file(text: string, mode = 0o600): string {
  const path = join(dir, `pw-${n++}`);
  writeFileSync(path, text, { mode });
  chmodSync(path, mode); // writeFileSync's mode is filtered by the umask
  return path;
}

function refused(fn: () => unknown, option: string, pattern: RegExp): RestSqlError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof RestSqlError, `expected CONFIG_INVALID_VALUE, got ${inspect(caught)}`);
  assert.equal(caught.code, 'CONFIG_INVALID_VALUE');
  assert.equal(caught.details.option, option);
  assert.match(caught.message, pattern);
  return caught;
}

test('the environment variable wins over the file', () => {
  const f = file('from-file\n');
  assert.deepEqual(resolveServePassword({ env: { RESTSQL_SERVE_PASSWORD: 'from-env' }, passwordFile: f }), { password: 'from-env', source: 'env' });
  assert.deepEqual(resolveServePassword({ env: { RESTSQL_SERVE_PASSWORD: 'from-env' } }), { password: 'from-env', source: 'env' });
});

test('an empty environment variable is an error, even with a file to fall back on', () => {
  const err = refused(() => resolveServePassword({ env: { RESTSQL_SERVE_PASSWORD: '' }, passwordFile: file('pw\n') }), 'RESTSQL_SERVE_PASSWORD', /RESTSQL_SERVE_PASSWORD is set but empty/);
  assert.equal(err.exitStatus, 2);
});

const FILES: [string, string, string][] = [
  ['first line, trailing newline trimmed', 's3cret\n', 's3cret'],
  ['no trailing newline', 's3cret', 's3cret'],
  ['CRLF', 's3cret\r\n', 's3cret'],
  ['only the first line', 'line one\nline two\n', 'line one'],
  ['spaces are part of the password', '  two  spaces  \n', '  two  spaces  '],
  ['a byte order mark is not', '\ufeffs3cret\n', 's3cret'],
  ['UTF-8', 'pässwörd\n', 'pässwörd'],
];
for (const [name, text, expected] of FILES) {
  test(`password file: ${name}`, () => {
    assert.deepEqual(resolveServePassword({ env: {}, passwordFile: file(text) }), { password: expected, source: 'file' });
  });
}

for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602, 0o660]) {
  test(`password file with mode ${mode.toString(8)} is refused with the chmod hint`, { skip: !posix && 'POSIX file modes' }, () => {
    const f = file('do-not-leak-me\n', mode);
    const err = refused(() => resolveServePassword({ env: {}, passwordFile: f }), '--password-file', /accessible to other users/);
    assert.match(err.message, new RegExp(`mode 0${mode.toString(8)}`));
    assert.equal(err.hint, `Run: chmod 600 ${f}`);
    assert.ok(![err.message, err.hint, JSON.stringify(err), err.stack].join('\n').includes('do-not-leak-me'));
  });
}

test('password file with mode 0400 is accepted', { skip: !posix && 'POSIX file modes' }, () => {
  assert.equal(resolveServePassword({ env: {}, passwordFile: file('ro\n', 0o400) }).password, 'ro');
});

for (const [name, text] of [['empty', ''], ['a newline only', '\n'], ['CRLF only', '\r\n'], ['empty first line, password on the second', '\nsecond-line\n']] as const) {
  test(`password file that is ${name} is refused`, () => {
    const err = refused(() => resolveServePassword({ env: {}, passwordFile: file(text) }), '--password-file', /first line of .* is empty/);
    assert.ok(!(err.message + (err.hint ?? '')).includes('second-line'));
  });
}

test('a password file that does not exist or is a folder is refused, naming --password-file', () => {
  refused(() => resolveServePassword({ env: {}, passwordFile: join(dir, 'absent') }), '--password-file', /cannot read .*absent/);
  const folder = join(dir, 'a-folder');
  mkdirSync(folder, { mode: 0o700 });
  refused(() => resolveServePassword({ env: {}, passwordFile: folder }), '--password-file', /is a folder/);
});

test('without env or file, a password is generated: 24 random bytes in base64url, new each time', () => {
  const a = resolveServePassword({ env: {} });
  const b = resolveServePassword({ env: {} });
  assert.equal(a.source, 'generated');
  assert.match(a.password, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(Buffer.from(a.password, 'base64url').length, 24);
  assert.notEqual(a.password, b.password);
  // Other variables do not count.
  assert.equal(resolveServePassword({ env: { PGPASSWORD: 'x', RESTSQL_SERVE_PASSWORD_FILE: 'y' } }).source, 'generated');
});
