/**
 * Issue 15, Deliver 1: DataDirect users' connection strings, JDBC URLs and DSNs work unchanged.
 * Every catalog option, under every one of its names, reaches a loopback API through the CLI;
 * options accepted without effect print one notice line each, and none at their default.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isRestSqlError } from '../../src/index.js';
import { OPTION_CATALOG, type OptionSpec } from '../../src/options/catalog.js';
import { inertNotice } from '../../src/options/effects.js';
import { runCli, type CliResult } from '../support/cli.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { items, startFixtureApi, type FixtureApi } from '../support/fixture-api.js';
import { startHttpServer } from '../support/loopback-server.js';
import { ownSpoolFolders, tempDir } from '../support/temp-dir.js';

const dir = tempDir(after, 'restsql-migration-');
const DATA = items(23);
const SECRETS = { PW: 'pw-secret-8812', TOKEN: 'token-secret-5531' };
let api: FixtureApi;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
let model: string;
let ini: string;

before(async () => {
  api = await startFixtureApi(DATA);
  proxy = await startConnectProxy({ authorization: 'Basic ' + Buffer.from('proxy-user:proxy-pass').toString('base64') });
  model = join(dir, 'api.rest');
  writeFileSync(model, JSON.stringify({ items: { '#path': '/plain/items', id: 'Integer,#key', name: 'VarChar', status: 'VarChar' } }));
  ini = join(dir, 'odbc.ini');
  writeFileSync(ini, '[ODBC Data Sources]\nMig=DataDirect 8.0 Autonomous REST Connector\n\n[Mig]\nDriver=/opt/Progress/DataDirect/ODBC_80_64bit/lib/ddautorest28.so\n');
});
after(async () => {
  await proxy?.close();
  await api?.close();
  assert.deepEqual(ownSpoolFolders(), [], 'every connection closed: no spool folder of this process is left');
});

/** Options other engineers own in issue 15 (TLS, the map's life cycle): their tests cover them. */
const OWNED_ELSEWHERE = new Set(['createmap', 'schemamap', 'samplingfailuretolerance']);
const isMine = (s: OptionSpec) => s.group !== ('TLS' as OptionSpec['group']) && !OWNED_ELSEWHERE.has(s.name.toLowerCase());

/**
 * A valid value for every option: `at` is the default (options without effect print no notice
 * there), `off` a value that differs (they print one). Options with an effect get one value.
 */
function values(): Record<string, { at?: string; off: string }> {
  const p = String(proxy.port);
  const port = new URL(api.baseUrl).port;
  return {
    // Connection (RestSamplePath and RestConfigFile take turns; the source is set per run).
    Table: { off: 'items' },
    HostName: { off: 'http://127.0.0.1' },
    PortNumber: { off: port },
    HealthURI: { off: '/plain/items?health=1' },
    DataSourceName: { off: 'Mig' },
    Description: { off: 'Migrated from DataDirect' },
    Driver: { off: '{DataDirect 8.0 Autonomous REST Connector}' },
    // Authentication (None: the rest are accepted and wait for their method)
    AuthenticationMethod: { off: 'None' },
    User: { off: 'alice' },
    Password: { off: '${PW}' },
    AuthHeader: { off: 'X-Tenant' },
    AuthParam: { off: 'api_key' },
    SecurityToken: { off: '${TOKEN}' },
    CustomAuthParams: { off: '{key-1;acme}' },
    AccessToken: { off: '${TOKEN}' },
    RefreshToken: { off: '${TOKEN}' },
    ClientID: { off: 'client-1' },
    ClientSecret: { off: '${PW}' },
    AuthURI: { off: 'http://127.0.0.1:9/authorize' },
    TokenURI: { off: 'POST http://127.0.0.1:9/token' },
    RedirectURI: { off: 'http://localhost:8080' },
    IssuerURI: { off: 'http://127.0.0.1:9' },
    LoginTimeout: { off: '0' },
    RedirectTLSCert: { off: join(dir, 'cert.pem') },
    RedirectTLSKey: { off: join(dir, 'key.pem') },
    Scope: { off: 'read write' },
    OAuthCode: { off: 'code-1' },
    ClientCredentialsMode: { off: 'Post' },
    UsePKCE: { off: 'true' },
    JWTCertStore: { off: join(dir, 'jwt.pem') },
    JWTCertPassword: { off: '${PW}' },
    JWTCertAlias: { off: 'key-1' },
    ClaimsIssuer: { off: 'issuer' },
    ClaimsSubject: { off: 'subject' },
    EnableLoginPrompt: { off: 'false' },
    // Mapping
    QualifyNormalizedNames: { off: 'Field' },
    MaxColumns: { off: '1000' },
    FilterPushdown: { off: '1' },
    ResponseFormat: { off: 'Auto' },
    // HTTP
    WSTimeout: { off: '60' },
    WSRetryCount: { off: '2' },
    WSFetchSize: { at: '2000', off: '500' },
    WSPoolSize: { at: '1', off: '4' },
    MaxPages: { off: '1000' },
    MaxResponseSize: { off: '64' },
    MaxCompressionRatio: { off: '500' },
    CacheTTL: { off: '60' },
    PageConcurrency: { off: '2' },
    BulkLoad: { off: 'false' },
    HostConcurrency: { off: '4' },
    AllowedOrigins: { off: 'https://cdn.example.com' },
    CredentialedOrigins: { off: 'https://api2.example.com' },
    // AWS
    AccessKey: { off: 'AKIDEXAMPLE' },
    SecretKey: { off: '${PW}' },
    SessionToken: { off: '${TOKEN}' },
    Region: { off: 'us-east-1' },
    ServiceName: { off: 'execute-api' },
    // Proxy: every request goes through the loopback CONNECT proxy
    ProxyHost: { off: '127.0.0.1' },
    ProxyPort: { off: p },
    ProxyUser: { off: 'proxy-user' },
    ProxyPassword: { off: 'proxy-pass' },
    // Engine
    SQLEngineMode: { at: '0', off: 'Direct' },
    JVMArgs: { off: '-Xmx256m' },
    JVMClasspath: { off: '/opt/Progress/DataDirect/java/lib/autorest.jar' },
    ServerPortNumber: { off: '19928' },
    // Statements
    QueryTimeout: { off: '120' },
    InitializationString: { off: '(CREATE TEMP TABLE init_marker AS SELECT 42 AS v;SELECT 1)' },
    FetchSize: { at: '100', off: '0' },
    TransactionMode: { at: '3', off: 'Ignore' },
    AllowFullTableWrites: { at: '0', off: '1' },
    WriteBatchSize: { at: '100', off: '10' },
    ApplicationUsingThreads: { at: '1', off: '0' },
    IANAAppCodePage: { off: '106' },
    ReportCodepageConversionErrors: { at: '0', off: '2' },
    ConvertNull: { at: '1', off: '0' },
    InsensitiveResultSetBufferSize: { at: '2048', off: '-1' },
    ImportStatementPool: { off: join(dir, 'pool.txt') },
    MaxPooledStatements: { at: '0', off: '20' },
    RegisterStatementPoolMonitorMBean: { at: 'false', off: 'true' },
    // Logging
    LogConfigFile: { off: join(dir, 'log4j.properties') },
    SpyAttributes: { off: '(log=(file)spy.log;timestamp=yes)' },
  };
}

const SOURCES = new Set(['restsamplepath', 'restconfigfile']);

/**
 * Run k: every option under name number k (wrapping), RestSamplePath for runs 0-2 and
 * RestConfigFile for 3-5, options without effect at their default in even runs. Returns the
 * connection string and the notices it must print.
 */
function run(k: number): { conn: string; notices: string[] } {
  const v = values();
  const parts: string[] = [];
  const notices: string[] = [];
  for (const spec of (OPTION_CATALOG as readonly OptionSpec[]).filter(isMine)) {
    const names = [spec.name, ...spec.aliases];
    const name = names[k % names.length]!;
    if (SOURCES.has(spec.name.toLowerCase())) {
      const source = k < 3 ? 'restsamplepath' : 'restconfigfile';
      if (spec.name.toLowerCase() === source) parts.push(`${name}=${source === 'restsamplepath' ? '/plain/items' : model}`);
      continue;
    }
    const value = v[spec.name];
    assert.ok(value, `the test has a value for ${spec.name}`);
    const useDefault = k % 2 === 0 && value.at !== undefined;
    parts.push(`${name}=${useDefault ? value.at : value.off}`);
    if (spec.effect?.kind === 'none' && !spec.effect.quiet && !useDefault) notices.push(inertNotice(spec));
  }
  return { conn: parts.join(';'), notices };
}

const noticeLines = (stderr: string) => stderr.split('\n').filter((l) => l.includes('has no effect in restsql'));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await runCli(args, { env: { ...SECRETS, ...env } });
  for (const s of Object.values(SECRETS)) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'no secret is printed');
  return r;
}

for (const k of [0, 1, 2, 3, 4, 5]) {
  test(`every option (run ${k}: ${['long', 'short', 'JDBC'][k % 3]} names, ${k < 3 ? 'RestSamplePath' : 'RestConfigFile'}, ${k % 2 === 0 ? 'defaults' : 'changed values'}) connects and answers`, async () => {
    const { conn, notices } = run(k);
    const tunnels = proxy.tunnels.length;
    const r = await cli(['query', '-c', conn, '--odbc-ini', ini, '--format', 'csv', 'SELECT count(*) AS n, max(id) AS top, (SELECT v FROM init_marker) AS init FROM items']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'n,top,init\n23,23,42\n');
    assert.ok(proxy.tunnels.length > tunnels, 'the requests went through ProxyHost');
    const lines = noticeLines(r.stderr);
    assert.deepEqual(lines.map((l) => l.replace(/^restsql: warning: /, '')).sort(), [...notices].sort(), r.stderr);
    assert.ok(lines.every((l) => l.startsWith('restsql: warning: ')), 'notices go to the warning channel');
    if (k % 2 === 0) assert.ok(!lines.some((l) => /^restsql: warning: (WSPoolSize|TransactionMode|FetchSize|WSFetchSize)/.test(l)), 'none for options at their default');
    else assert.ok(lines.length >= 10, `run ${k} changes every option without effect`);
  });
}

test('every name of every option is used by one of the runs above', () => {
  const used = new Set<string>();
  for (let k = 0; k < 6; k++) for (const part of run(k).conn.split(/;(?=[A-Za-z0-9]+=)/)) used.add(part.slice(0, part.indexOf('=')).toLowerCase());
  for (const spec of (OPTION_CATALOG as readonly OptionSpec[]).filter(isMine)) for (const n of [spec.name, ...spec.aliases]) assert.ok(used.has(n.toLowerCase()), n);
});

test('a DataDirect DSN with a dozen vendor options connects; the options without effect each print one notice', async () => {
  const file = join(dir, 'vendor.ini');
  writeFileSync(
    file,
    [
      '[ODBC Data Sources]',
      'Vendor=DataDirect 8.0 Autonomous REST Connector',
      '',
      '[Vendor]',
      'Driver=/opt/Progress/DataDirect/ODBC_80_64bit/lib/ddautorest28.so',
      'Description=Items API, migrated unchanged',
      `HostName=http://127.0.0.1`,
      `PortNumber=${new URL(api.baseUrl).port}`,
      'RESTSamplePath=/plain/items',
      'AuthenticationMethod=15',
      'WSTimeout=120',
      'WSRetryCount=5',
      'WSFetchSize=2000',
      'WSPoolSize=1',
      'TransactionMode=3',
      'LoginTimeout=0',
      'FetchSize=100',
      'ApplicationUsingThreads=1',
      'SQLEngineMode=0',
      'IANAAppCodePage=106',
      'JVMArgs=-Xmx256m',
      'LogConfigFile=/opt/Progress/DataDirect/ODBC_80_64bit/java/logging.properties',
      'ReportCodepageConversionErrors=0',
      '',
    ].join('\n'),
  );
  const r = await cli(['query', '--dsn', 'vendor', '--odbc-ini', file, '--format', 'csv', "SELECT count(*) AS n FROM items WHERE status = 'open'"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `n\n${DATA.filter((x) => x.status === 'open').length}\n`);
  assert.deepEqual(noticeLines(r.stderr).map((l) => /warning: (\w+) has no effect/.exec(l)?.[1]).sort(), ['IANAAppCodePage', 'JVMArgs', 'LogConfigFile']);
});

test('the JDBC URL form through --connect, --connect-file and a DSN-less RESTSQL_CONNECT', async () => {
  const sql = 'SELECT count(*) AS n FROM items';
  const withServer = `jdbc:datadirect:autorest:${api.baseUrl}/;Sample=plain/items;Table=items;BulkLoad=false;`;
  const a = await cli(['query', '-c', withServer, '--format', 'csv', sql]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, 'n\n23\n');
  const file = join(dir, 'conn.txt');
  writeFileSync(file, `JDBC:DataDirect:AutoRest:Config=${model};ServerName=${api.baseUrl};AuthenticationMethod=None;FilterPushdown=true\n`);
  const b = await cli(['query', '--connect-file', file, '--format', 'csv', sql]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, 'n\n23\n');
  const c = await cli(['query', '--format', 'csv', sql], { RESTSQL_CONNECT: `jdbc:datadirect:autorest:Sample=${api.baseUrl}/plain/items;Table=items;SpyAttributes=(log=(file)spy.log;linelimit=80)` });
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, 'n\n23\n');
  assert.equal(noticeLines(c.stderr).length, 1, c.stderr);
  assert.match(c.stderr, /warning: SpyAttributes has no effect in restsql: in DataDirect's driver it turns on DataDirect Spy/);
});

test('the JDBC URL form through the library\'s connect()', async () => {
  const conn = await connect(`jdbc:datadirect:autorest:${api.baseUrl};Config=${model};ConvertNull=1;InsensitiveResultSetBufferSize=2048`);
  try {
    const { rows } = await conn.query("SELECT name FROM items WHERE id = 3");
    assert.deepEqual(rows, [{ name: DATA[2]!.name }]);
  } finally {
    await conn.close();
  }
});

test('an unknown option still fails with CONFIG_UNKNOWN_OPTION and a did-you-mean, a JDBC URL too', async () => {
  const r = await cli(['query', '-c', `jdbc:datadirect:autorest:Sample=${api.baseUrl}/plain/items;WSFetchSze=100`, 'SELECT 1']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /error\[CONFIG_UNKNOWN_OPTION\]: Unknown option 'WSFetchSze' \(connection string, position \d+\)\. Did you mean WSFetchSize\?/);
  const other = await cli(['query', '-c', 'jdbc:postgresql://db/x', 'SELECT 1']);
  assert.equal(other.code, 2, other.stderr);
  assert.match(other.stderr, /error\[CONFIG_SYNTAX\]: .*another driver \(jdbc:postgresql:/);
});

test('QueryTimeout cancels a statement whose fetch runs past it; InitializationString that fails fails the connection', async () => {
  const slow = await startHttpServer(() => {
    // Never answers: only QueryTimeout ends the wait (WSTimeout is far longer).
  });
  try {
    const file = join(dir, 'slow.rest');
    writeFileSync(file, JSON.stringify({ slow: { '#path': `${slow.url}/slow`, id: 'Integer,#key' } }));
    const started = Date.now();
    const r = await cli(['query', '-c', `RestConfigFile=${file};QueryTimeout=1;WSTimeout=60`, 'SELECT count(*) FROM slow']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error\[QUERY_TIMEOUT\]: The statement ran longer than QueryTimeout \(1 s\) and was cancelled\./);
    assert.ok(Date.now() - started < 30_000, 'cancelled at the timeout, not at WSTimeout');
  } finally {
    await slow.close();
  }
  const bad = await cli(['query', '-c', `RestConfigFile=${model};HostName=${api.baseUrl};InitializationString=(SELECT * FROM no_such_table)`, 'SELECT 1']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /error\[\w+\]: InitializationString failed: .*no_such_table/);
  await assert.rejects(connect(`RestConfigFile=${model};HostName=${api.baseUrl};InitializationString=(SELECT * FROM no_such_table)`), (e: unknown) => isRestSqlError(e) && /InitializationString failed/.test(e.message));
});
