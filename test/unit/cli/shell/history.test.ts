import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { History, HISTORY_FILE } from '../../../../src/cli/shell/history.js';
import { tempDir } from '../../../support/temp-dir.js';

const noSecrets = (t: string) => t;

test('history: file under RESTSQL_HOME, mode 0600, bounded, newest last, read back', (t) => {
  const home = join(tempDir(t), 'home');
  const env = { RESTSQL_HOME: home };
  const warnings: string[] = [];
  const h = new History(env, noSecrets, (m) => warnings.push(m), 3);
  assert.equal(h.file, join(home, HISTORY_FILE));
  for (const l of ['select 1;', 'select 2;', '', 'select 2;', 'select 3;', 'select 4;']) h.add(l);
  assert.deepEqual(h.lines, ['select 2;', 'select 3;', 'select 4;'], 'blank lines and repeats are not kept; the oldest go');
  assert.equal(readFileSync(h.file, 'utf8'), 'select 2;\nselect 3;\nselect 4;\n');
  assert.equal(statSync(h.file).mode & 0o777, 0o600);
  assert.equal(statSync(home).mode & 0o777, 0o700);
  assert.deepEqual(new History(env, noSecrets, (m) => warnings.push(m), 2).lines, ['select 3;', 'select 4;']);
  assert.deepEqual(warnings, []);
});

test('history: a file that was wider than 0600 is narrowed on write', (t) => {
  const home = tempDir(t);
  writeFileSync(join(home, HISTORY_FILE), 'old\n');
  chmodSync(join(home, HISTORY_FILE), 0o644);
  const h = new History({ RESTSQL_HOME: home }, noSecrets, () => undefined);
  h.add('new');
  assert.equal(statSync(h.file).mode & 0o777, 0o600);
  assert.equal(readFileSync(h.file, 'utf8'), 'old\nnew\n');
});

test("history: the connection's secrets, URL credentials, bearer tokens and password=... are masked", (t) => {
  const home = tempDir(t);
  const h = new History({ RESTSQL_HOME: home }, (s) => s.replaceAll('tok-9f8e7d', '***'), () => undefined);
  h.add("select * from t where k = 'tok-9f8e7d';");
  h.add("select 'https://ann:hunter22@api.example.com/x' as u;");
  h.add("select 'Authorization: Bearer abcdefghijklmnop' as h;");
  h.add("-- Password=pa55word;ClientSecret='xyz secret'");
  const text = readFileSync(h.file, 'utf8');
  for (const secret of ['tok-9f8e7d', 'hunter22', 'abcdefghijklmnop', 'pa55word', 'xyz secret']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
  assert.match(text, /k = '\*\*\*'/);
  assert.match(text, /Password=\*\*\*;ClientSecret=\*\*\*/);
});

test('history: a file that cannot be written is said once; the shell goes on', (t) => {
  const dir = tempDir(t);
  const blocker = join(dir, 'file');
  writeFileSync(blocker, '');
  const warnings: string[] = [];
  const h = new History({ RESTSQL_HOME: join(blocker, 'home') }, noSecrets, (m) => warnings.push(m));
  h.add('select 1;');
  h.add('select 2;');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /cannot write the history file .*: ENOTDIR/);
  assert.deepEqual(h.lines, ['select 1;', 'select 2;']);
});
