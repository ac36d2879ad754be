import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { RestSqlError, Secret, redactForm, redactHeaders, redactText, redactUrl } from '../../../src/errors/index.js';
import { ERROR_CODES, exitStatusFor } from '../../../src/errors/codes.js';

test('Secret never prints its value', () => {
  const s = new Secret('hunter2-very-secret');
  assert.equal(String(s), '***');
  assert.equal(`${s}`, '***');
  assert.equal(JSON.stringify({ s }), '{"s":"***"}');
  assert.doesNotMatch(inspect({ s }), /hunter2/);
  assert.equal(s.reveal(), 'hunter2-very-secret');
});

test('URLs: user-info and credential query parameters are masked, others kept', () => {
  const r = redactUrl('https://user:pw@api.example.com/x?page=2&access_token=abc&api_key=k&client_secret=s&code=c');
  assert.match(r, /page=2/);
  for (const v of ['abc', '=k', 'client_secret=s', 'code=c', 'user:pw']) assert.ok(!r.includes(v), `${v} in ${r}`);
});

test('headers and forms', () => {
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer x', 'X-Api-Key': 'k', Accept: 'application/json' }), { Authorization: '***', 'X-Api-Key': '***', Accept: 'application/json' });
  const f = redactForm('grant_type=authorization_code&code=abc&code_verifier=v&client_id=app&client_secret=s');
  assert.match(f, /grant_type=authorization_code/);
  assert.match(f, /client_id=app/);
  assert.doesNotMatch(f, /=abc|=v&|=s$/);
});

test('known secret values are scrubbed from any text, also URL-encoded', () => {
  new Secret('p@ss w0rd/x');
  assert.equal(redactText('login failed for p@ss w0rd/x'), 'login failed for ***');
  assert.equal(redactText('q=' + encodeURIComponent('p@ss w0rd/x')), 'q=***');
});

test('RestSqlError redacts its message, hides cause and attachments from JSON', () => {
  new Secret('tok-123456');
  const e = new RestSqlError('HTTP_STATUS', 'GET https://h/x?token=tok-123456 failed', { hint: 'h', cause: new Error('inner tok-123456') }).attach('response', { body: 'tok-123456' });
  const json = JSON.stringify(e);
  assert.doesNotMatch(json + e.message, /tok-123456/);
  assert.equal(e.code, 'HTTP_STATUS');
  assert.equal(e.exitStatus, 1);
});

test('every code maps to an exit status and a 5-character SQLSTATE', () => {
  for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
    assert.ok([1, 2, 3].includes(exitStatusFor(code)), code);
    assert.match(ERROR_CODES[code].sqlState, /^[0-9A-Z]{5}$/, code);
  }
  assert.equal(exitStatusFor('CONFIG_UNKNOWN_OPTION'), 2);
  assert.equal(exitStatusFor('AUTH_FAILED'), 3);
  assert.equal(exitStatusFor('QUERY_SYNTAX'), 1);
});
