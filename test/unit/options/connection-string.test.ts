import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConnectionString } from '../../../src/options/connection-string.js';
import { resolveOptions } from '../../../src/options/resolve.js';
import { RestSqlError } from '../../../src/errors/index.js';

const VALID: [string, [string, string][]][] = [
  ['RestSamplePath=https://x/y', [['RestSamplePath', 'https://x/y']]],
  ['a=1;b=2', [['a', '1'], ['b', '2']]],
  [' a = 1 ; b=2 ;', [['a', '1'], ['b', '2']]],
  ['a=1;;;b=2;', [['a', '1'], ['b', '2']]],
  ["ClientID='abc'", [['ClientID', 'abc']]],
  ["ClientID='a;b'", [['ClientID', 'a;b']]],
  ["x='it''s'", [['x', "it's"]]],
  ['x="dq;v"', [['x', 'dq;v']]],
  ['p={a;b}', [['p', 'a;b']]],
  ['p={a}}b};q=1', [['p', 'a}b'], ['q', '1']]],
  ['Password={{hello}}', [['Password', '{hello}']]],
  ['Password={{{hello}}}', [['Password', '{hello}']]],
  ['TokenURI=POST https://example.com/token', [['TokenURI', 'POST https://example.com/token']]],
  ['Scope=openid profile email', [['Scope', 'openid profile email']]],
  ['u=https://h/p?a=1&b=2', [['u', 'https://h/p?a=1&b=2']]],
  ['DRIVER=DataDirect 8.0 Autonomous REST Connector;am=15', [['DRIVER', 'DataDirect 8.0 Autonomous REST Connector'], ['am', '15']]],
  ['k=', [['k', '']]],
  ['', []],
];

for (const [input, expected] of VALID) {
  test(`parses ${JSON.stringify(input)}`, () => {
    assert.deepEqual(parseConnectionString(input).map((o) => [o.key, o.value]), expected);
  });
}

const INVALID: [string, RegExp][] = [
  ['justtext', /'justtext' at position 1 has no '='/],
  ['a=1;oops;b=2', /'oops' at position 5 has no '='/],
  ['=value', /option name is missing/],
  ["a='unterminated", /opens a quote at position 3 that is never closed/],
  ['a={unterminated;b=1', /opens a brace/],
];

for (const [input, message] of INVALID) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    assert.throws(() => parseConnectionString(input), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_SYNTAX' && message.test(e.message) && e.hint !== undefined);
  });
}

// What follows an unbraced ';' in a secret's value is most likely the rest of the value: errors
// name the position and the secret option, never the text.
const CUT_SECRETS: [string, RegExp][] = [
  ['Password=abc1;def2', /position 15, right after the value of Password, has no '='/],
  ['pwd=abc1;def2;Table=t', /right after the value of pwd/],
  ['ClientSecret=abc1;def2', /right after the value of ClientSecret/],
  ['x-api-key=abc1;def2', /right after the value of x-api-key/],
];
for (const [text, message] of CUT_SECRETS) {
  test(`a cut secret value is not echoed: ${text}`, () => {
    assert.throws(() => parseConnectionString(text), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_SYNTAX' && message.test(e.message) && !/def2|abc1/.test(`${e.message} ${e.hint} ${JSON.stringify(e.details)}`));
  });
}

test('the option after a secret records it, so an unknown key there is not echoed either', () => {
  const opts = parseConnectionString('Password=abc1;def2=x;Table=t');
  assert.equal(opts[1]!.afterSecret, 'Password');
  assert.equal(opts[2]!.afterSecret, undefined);
  assert.throws(() => resolveOptions({ layers: [opts] }), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_UNKNOWN_OPTION' && /right after the value of Password/.test(e.message) && !/def2/.test(`${e.message} ${e.hint} ${JSON.stringify(e.details)}`));
});
