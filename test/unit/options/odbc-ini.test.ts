import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RestSqlError } from '../../../src/errors/index.js';
import { loadOptions } from '../../../src/options/load.js';
import { parseOdbcIni, odbcIniCandidates } from '../../../src/options/odbc-ini.js';
import { tempDir } from '../../support/temp-dir.js';

const dir = tempDir(after, 'restsql-ini-');
const ini = join(dir, 'odbc.ini');
// The seed's odbc.ini shape: Driver and Description lines, then options.
writeFileSync(
  ini,
  `[ODBC Data Sources]
Spotify=DataDirect 8.0 Autonomous REST Connector

; a comment
# another comment
[Spotify]
Driver=ODBCHOME/lib/ivautorestxx.so
Description=My Autonomous REST Data Source
RestSamplePath=https://api.example.com/v1/things
WSTimeout = 12
Scope='a b;c'
ClientSecret=\${DSN_SECRET}

[Other]
RestSamplePath=https://other.example.com/x
`,
);

test('reads a DSN with the seed odbc.ini keys; the connection string overrides it', () => {
  const o = loadOptions({ dsn: 'spotify', odbcIni: ini, connect: 'WSTimeout=7', env: { DSN_SECRET: 'xyz-secret' } });
  assert.equal(o.restSamplePath, 'https://api.example.com/v1/things');
  assert.equal(o.wsTimeout, 7);
  assert.equal(o.scope, 'a b;c');
  assert.equal(o.clientSecret?.reveal(), 'xyz-secret');
});

test('DSN= inside the connection string names the DSN; ODBCINI is honoured', () => {
  const o = loadOptions({ connect: 'DSN=Other', env: { ODBCINI: ini } });
  assert.equal(o.restSamplePath, 'https://other.example.com/x');
});

test('lookup order: --odbc-ini, $ODBCINI, ~/.odbc.ini, /etc/odbc.ini', () => {
  assert.deepEqual(odbcIniCandidates({ file: '/x.ini' }), ['/x.ini']);
  assert.deepEqual(odbcIniCandidates({ env: { ODBCINI: '/a.ini', HOME: '/h' } }), ['/a.ini', '/h/.odbc.ini', '/etc/odbc.ini']);
});

const BAD: [string, string, RegExp][] = [
  ['missing DSN', 'Nope', /DSN 'Nope' is not defined in .*odbc\.ini/],
  ['near miss', 'Spotifi', /Did you mean Spotify\?/],
];
for (const [what, dsn, message] of BAD) {
  test(`error: ${what}`, () => {
    assert.throws(() => loadOptions({ dsn, odbcIni: ini, env: {} }), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_DSN_NOT_FOUND' && message.test(e.message) && e.exitStatus === 2);
  });
}

test('error: missing odbc.ini file names the paths looked at', () => {
  assert.throws(
    () => loadOptions({ dsn: 'X', odbcIni: join(dir, 'absent.ini'), env: {} }),
    (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_DSN_NOT_FOUND' && /absent\.ini/.test(e.message),
  );
});

const BAD_FILES: [string, RegExp][] = [
  ['[Broken\nx=1\n', /:1: section header/],
  ['x=1\n', /:1: Key=value line before any/],
  ['[A]\njust words\n', /:2: 'just words' is not a Key=value line/],
  // '=value' may be a secret's value: the line is named, its text is not echoed.
  ['[A]\n=pw-leak-1234\n', /^f\.ini:2: a line with no option name before its '=' is not a Key=value line\.$/],
];
for (const [text, message] of BAD_FILES) {
  test(`malformed odbc.ini ${JSON.stringify(text)} names the line`, () => {
    assert.throws(() => parseOdbcIni(text, 'f.ini'), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_DSN_SYNTAX' && message.test(e.message));
  });
}

test('unknown option in a DSN names file and line', () => {
  const bad = join(dir, 'bad.ini');
  writeFileSync(bad, '[D]\nRestSamplePath=https://x/y\nTimeOut=3\n');
  assert.throws(() => loadOptions({ dsn: 'D', odbcIni: bad, env: {} }), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_UNKNOWN_OPTION' && /bad\.ini:3/.test(e.message));
});
