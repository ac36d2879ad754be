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
  // DataDirect's JDBC URLs: properties straight after the prefix (any case), or a server first.
  ['jdbc:datadirect:autorest:Config=api.rest;User=u;', [['Config', 'api.rest'], ['User', 'u']]],
  ['JDBC:DataDirect:AutoRest:Sample=https://h/x', [['Sample', 'https://h/x']]],
  ['  jdbc:datadirect:autorest://api.example.com:8443;Config=a.rest', [['ServerName', 'https://api.example.com:8443'], ['Config', 'a.rest']]],
  ['jdbc:datadirect:autorest:https://example.com/;Config=C:/path/myrest.rest;', [['ServerName', 'https://example.com/'], ['Config', 'C:/path/myrest.rest']]],
  ['jdbc:datadirect:autorest:http://127.0.0.1:9/v1?a=b', [['ServerName', 'http://127.0.0.1:9/v1?a=b']]],
  ["jdbc:datadirect:autorest:Sample='https://h/x;y'", [['Sample', 'https://h/x;y']]],
  // Parentheses hold ';' for the options DataDirect writes that way, and for them only.
  ['SpyAttributes=(log=(file)spy.log;timestamp=yes);am=15', [['SpyAttributes', 'log=(file)spy.log;timestamp=yes'], ['am', '15']]],
  ['initializationstring = (SET a = 1;SET b = 2)', [['initializationstring', 'SET a = 1;SET b = 2']]],
  ['InitializationString=(SELECT 1) x;b=2', [['InitializationString', '(SELECT 1) x'], ['b', '2']]],
  ['Description=(one;Table=t)', [['Description', '(one'], ['Table', 't)']]],
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

test('a JDBC URL of another driver is refused without echoing the rest of it', () => {
  for (const text of ['jdbc:postgresql://u:hunter2@db:5432/x', 'JDBC:mysql:hunter2']) {
    assert.throws(
      () => parseConnectionString(text),
      (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_SYNTAX' && /another driver \(jdbc:(postgresql|mysql):/i.test(e.message) && !/hunter2/.test(`${e.message} ${e.hint}`),
    );
  }
});

test('the server of a JDBC URL and a ServerName property are the same option twice', () => {
  assert.throws(() => resolveOptions({ layers: [parseConnectionString('jdbc:datadirect:autorest://h;ServerName=https://h')] }), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_DUPLICATE_OPTION' && /HostName is given twice/.test(e.message));
});

test('the option after a secret records it, so an unknown key there is not echoed either', () => {
  const opts = parseConnectionString('Password=abc1;def2=x;Table=t');
  assert.equal(opts[1]!.afterSecret, 'Password');
  assert.equal(opts[2]!.afterSecret, undefined);
  assert.throws(() => resolveOptions({ layers: [opts] }), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_UNKNOWN_OPTION' && /right after the value of Password/.test(e.message) && !/def2/.test(`${e.message} ${e.hint} ${JSON.stringify(e.details)}`));
});
