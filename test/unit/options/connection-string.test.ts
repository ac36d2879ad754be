import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConnectionString } from '../../../src/options/connection-string.js';
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
