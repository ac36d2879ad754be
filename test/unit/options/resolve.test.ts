import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadOptions } from '../../../src/options/load.js';
import { RestSqlError, Secret } from '../../../src/errors/index.js';
import type { ErrorCode } from '../../../src/errors/index.js';

const env = { API_SECRET: 's3cr3t-value', EMPTY: '' };

test('defaults, case-insensitive keys, aliases and JDBC names', () => {
  const o = loadOptions({ connect: 'rsp=https://api.example.com/v1/things;AM=None;wstimeout=5', env });
  assert.equal(o.restSamplePath, 'https://api.example.com/v1/things');
  assert.equal(o.authenticationMethod, 15);
  assert.equal(o.wsTimeout, 5);
  assert.equal(o.clientCredentialsMode, 0);
  assert.equal(o.qualifyNormalizedNames, 0);
  const j = loadOptions({ connect: 'Sample=https://h/x;Config=', env });
  assert.equal(j.restSamplePath, 'https://h/x');
  assert.equal(j.restConfigFile, undefined);
});

test('JDBC true/false and enum names wherever ODBC takes numbers; LoginTimeout=0 keeps the default deadline', () => {
  const o = loadOptions({ connect: 'rsp=https://h/x;BulkLoad=false;FilterPushdown=TRUE;UsePKCE=false;TransactionMode=noTransactions;ReportCodepageConversionErrors=ReturnWarning;ConvertNull=0;QualifyNormalizedNames=Parent;ClientCredentialsMode=Post;SQLEngineMode=Direct;LoginTimeout=0', env });
  assert.equal(o.bulkLoad, false);
  assert.equal(o.filterPushdown, true);
  assert.equal(o.usePkce, false);
  assert.equal(o.transactionMode, 0);
  assert.equal(o.reportCodepageConversionErrors, 2);
  assert.equal(o.convertNull, 0);
  assert.equal(o.qualifyNormalizedNames, 1);
  assert.equal(o.clientCredentialsMode, 3);
  assert.equal(o.sqlEngineMode, 2);
  assert.equal(o.loginTimeout, 300);
  assert.equal(loadOptions({ connect: 'rsp=https://h/x;lt=45', env }).loginTimeout, 45);
});

test('DataSourceName (or DSN) in a connection string names the DSN; Description and Driver are accepted', () => {
  const o = loadOptions({ connect: 'Description=mine;DRIVER={DataDirect 8.0 Autonomous REST Connector};rsp=https://h/x', env });
  assert.equal(o.description, 'mine');
  assert.equal(o.driver, 'DataDirect 8.0 Autonomous REST Connector');
  assert.throws(() => loadOptions({ connect: 'DataSourceName=Nowhere', odbcIni: '/nonexistent/odbc.ini', env }), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_DSN_NOT_FOUND' && /Nowhere/.test(e.message));
});

test('an unknown option suggests among every name, the new ones included', () => {
  for (const [typo, suggestion] of [['WSFetchSze', 'WSFetchSize'], ['TransactionMod', 'TransactionMode'], ['SpyAtributes', 'SpyAttributes'], ['InitialisationString', 'InitializationString']] as const) {
    assert.throws(() => loadOptions({ connect: `rsp=https://h/x;${typo}=1`, env }), (e: unknown) => e instanceof RestSqlError && e.code === 'CONFIG_UNKNOWN_OPTION' && e.message.includes(`'${typo}'`) && e.message.includes(suggestion), typo);
  }
});

test('AuthenticationMethod by number or JDBC name', () => {
  for (const [value, code] of [['56', 56], ['OAuth2-PKCE', 56], ['oauth2pkce', 56], ['BearerToken', 34], ['0', 0]] as const) {
    const extra = code === 56 ? ';ClientID=c;AuthURI=https://a/auth;TokenURI=https://a/token;RedirectURI=http://localhost:8080' : code === 34 ? ';SecurityToken=t' : ';User=u;Password=p';
    assert.equal(loadOptions({ connect: `AuthenticationMethod=${value}${extra}`, env }).authenticationMethod, code);
  }
});

test('${NAME} reads the environment; $${ is literal; secrets are wrapped', () => {
  const o = loadOptions({ connect: 'ClientSecret=${API_SECRET};Scope=$${x} a', env });
  assert.ok(o.clientSecret instanceof Secret);
  assert.equal(o.clientSecret?.reveal(), 's3cr3t-value');
  assert.equal(String(o.clientSecret), '***');
  assert.equal(JSON.stringify({ s: o.clientSecret }), '{"s":"***"}');
  assert.equal(o.scope, '${x} a');
});

test('TokenURI accepts a POST/GET prefix', () => {
  assert.equal(loadOptions({ connect: 'TokenURI=POST https://a/token', env }).tokenUri, 'POST https://a/token');
  assert.equal(loadOptions({ connect: 'o2tu=GET https://a/token', env }).tokenUri, 'GET https://a/token');
});

const BAD: [string, ErrorCode, RegExp][] = [
  ['RestSampelPath=https://x', 'CONFIG_UNKNOWN_OPTION', /Unknown option 'RestSampelPath'.*Did you mean RestSamplePath\?/],
  ['Colour=red', 'CONFIG_UNKNOWN_OPTION', /Unknown option 'Colour'/],
  ['am=15;AuthenticationMethod=15', 'CONFIG_DUPLICATE_OPTION', /AuthenticationMethod is given twice/],
  ['WSTimeout=soon', 'CONFIG_INVALID_VALUE', /WSTimeout .*'soon' is not a whole number/],
  ['WSTimeout=-1', 'CONFIG_INVALID_VALUE', /WSTimeout .*out of range/],
  ['AuthenticationMethod=57', 'CONFIG_INVALID_VALUE', /AuthenticationMethod .*'57' is not a valid value/],
  ['AuthenticationMethod=OAuth2-PKSE', 'CONFIG_INVALID_VALUE', /Did you mean OAuth2-PKCE\?/],
  ['EnableLoginPrompt=maybe', 'CONFIG_INVALID_VALUE', /EnableLoginPrompt .*not a boolean/],
  ['TokenURI=ftp://x/token', 'CONFIG_INVALID_VALUE', /TokenURI .*scheme 'ftp:'/],
  ['AuthURI=not a url', 'CONFIG_INVALID_VALUE', /AuthURI .*not an absolute URL/],
  ['ClientSecret=${NOPE_NOT_SET}', 'CONFIG_ENV_VAR_MISSING', /ClientSecret refers to environment variable NOPE_NOT_SET/],
  ['AuthHeader=X-Tenant', 'CONFIG_MISSING_OPTION', /AuthHeader is set but SecurityToken is not/],
  ['AuthenticationMethod=56;ClientID=c', 'CONFIG_MISSING_OPTION', /needs AuthURI, TokenURI, RedirectURI/],
  ['AuthenticationMethod=0;User=u', 'CONFIG_MISSING_OPTION', /needs Password/],
  ['RestSamplePath=https://x/y;RestConfigFile=a.rest', 'CONFIG_CONFLICT', /both set/],
  ['ProxyPort=8080', 'CONFIG_MISSING_OPTION', /ProxyPort is set but ProxyHost is not/],
];

for (const [input, code, message] of BAD) {
  test(`rejects ${input}`, () => {
    assert.throws(
      () => loadOptions({ connect: input, env }),
      (e: unknown) => e instanceof RestSqlError && e.code === code && message.test(e.message) && typeof e.hint === 'string' && e.exitStatus === 2,
    );
  });
}

test('an error about a secret option never shows its value', () => {
  try {
    loadOptions({ connect: 'ClientSecret=topsecretvalue;AuthHeader=X', env });
    assert.fail('expected an error');
  } catch (e: unknown) {
    if (!(e instanceof RestSqlError)) throw e;
    assert.doesNotMatch(JSON.stringify(e) + e.message + (e.hint ?? ''), /topsecretvalue/);
  }
});
