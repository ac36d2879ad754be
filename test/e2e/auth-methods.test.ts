/**
 * Every authentication method but PKCE (its own file) through `restsql query`: small real servers
 * for Basic, Digest, header, URL parameter, bearer and AWS SigV4; oidc-provider for the OAuth grants.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import forge from 'node-forge';
import { httpBrowser } from '../../examples/demo/browser-stand-in.js';
import { runCli, type CliResult } from '../support/cli.js';
import { CREDENTIALS, CUSTOM, startAuthApi, type AuthApi } from '../support/auth-api.js';
import { startOAuthWorld, type OAuthWorld } from '../support/oauth.js';
import { startConnectProxy } from '../support/connect-proxy.js';

let api: AuthApi;
const outputs: string[] = [];
const SECRETS = { PW: CREDENTIALS.password, KEY: CREDENTIALS.apiKey, TOKEN: CREDENTIALS.bearer, AWS_SECRET: CREDENTIALS.aws.secretKey, MACHINE: 'machine-secret-4711', LEGACY: 'legacy-secret-1234' };

before(async () => {
  api = await startAuthApi();
});
after(async () => {
  await api.close();
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await runCli(args, { env: { ...SECRETS, RESTSQL_DEBUG: '1', ...env } });
  outputs.push(r.stdout, r.stderr);
  return r;
}

const SIMPLE: { method: string; path: string; options: string }[] = [
  { method: '0 Basic', path: 'basic', options: 'AuthenticationMethod=0;User=alice;Password=${PW}' },
  { method: 'Basic by name', path: 'basic', options: 'AuthenticationMethod=Basic;User=alice;Password=${PW}' },
  { method: '30 Digest (RFC 7616, SHA-256)', path: 'digest', options: 'AuthenticationMethod=30;User=alice;Password=${PW}' },
  { method: '25 HTTPHeader', path: 'header', options: 'AuthenticationMethod=25;AuthHeader=X-Api-Key;SecurityToken=${KEY}' },
  { method: '14 URLParameter', path: 'query', options: 'AuthenticationMethod=14;AuthParam=api_key;SecurityToken=${KEY}' },
  { method: '34 BearerToken', path: 'bearer', options: 'AuthenticationMethod=34;SecurityToken=${TOKEN}' },
  { method: '50 OAuth2-AccessToken', path: 'bearer', options: 'AuthenticationMethod=50;AccessToken=${TOKEN}' },
  { method: '43 AWS SigV4', path: 'aws', options: `AuthenticationMethod=43;AccessKey=${CREDENTIALS.aws.accessKey};SecretKey=\${AWS_SECRET};Region=${CREDENTIALS.aws.region};ServiceName=${CREDENTIALS.aws.service}` },
];

for (const m of SIMPLE) {
  test(`${m.method}: the right credentials answer, wrong ones exit 3`, async () => {
    const conn = `RestSamplePath=${api.baseUrl}/${m.path}/items;Table=items;${m.options}`;
    const ok = await cli(['query', '-c', conn, '--format', 'csv', 'SELECT id, name FROM items ORDER BY id']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'id,name\n1,one\n2,two\n');
    const wrong = await cli(['query', '-c', conn, 'SELECT 1'], { PW: 'nope', KEY: 'nope', TOKEN: 'nope', AWS_SECRET: 'nope' });
    assert.equal(wrong.code, 3, wrong.stderr);
    assert.match(wrong.stderr, /error\[AUTH_FAILED\]: GET http:\/\/127\.0\.0\.1:\d+\/\S+ answered 401/);
  });
}

test('Digest answers the challenge on the retry and reuses it with a growing nonce count', async () => {
  const before = api.seen.length;
  const r = await cli(['query', '-c', `RestSamplePath=${api.baseUrl}/digest/items;AuthenticationMethod=30;User=alice;Password=\${PW}`, 'SELECT count(*) FROM items']);
  assert.equal(r.code, 0, r.stderr);
  const seen = api.seen.slice(before);
  assert.deepEqual(seen.map((s) => s.ok), [false, true], 'one challenge, then accepted');
  assert.match(seen[1]!.authorization!, /^Digest username="alice", realm="restsql-test", nonce="[0-9a-f]+", uri="\/digest\/items", algorithm=SHA-256, response="[0-9a-f]{64}", opaque="op4que", qop=auth, nc=00000001, cnonce="[0-9a-f]+"$/);
});

test('AWS credentials also come from the standard AWS_* variables; region and service from the host when it is AWS-shaped', async () => {
  const r = await cli(['query', '-c', `RestSamplePath=${api.baseUrl}/aws/items;AuthenticationMethod=AWS;ServiceName=execute-api`, 'SELECT count(*) AS n FROM items'], { AWS_ACCESS_KEY_ID: CREDENTIALS.aws.accessKey, AWS_SECRET_ACCESS_KEY: CREDENTIALS.aws.secretKey, AWS_REGION: CREDENTIALS.aws.region });
  assert.equal(r.code, 0, r.stderr);
  const missing = await cli(['query', '-c', `RestSamplePath=${api.baseUrl}/aws/items;AuthenticationMethod=43;AccessKey=x;SecretKey=y`, 'SELECT 1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /error\[CONFIG_MISSING_OPTION\]: AuthenticationMethod=43 \(AWS\) needs Region\./);
});

const MISSING: { options: string; option: RegExp }[] = [
  { options: 'AuthenticationMethod=0;User=alice', option: /Password/ },
  { options: 'AuthenticationMethod=0;Password=x', option: /User/ },
  { options: 'AuthenticationMethod=30;User=alice', option: /Password/ },
  { options: 'AuthenticationMethod=34', option: /SecurityToken/ },
  { options: 'AuthenticationMethod=25;SecurityToken=x', option: /AuthHeader/ },
  { options: 'AuthenticationMethod=14;SecurityToken=x', option: /AuthParam/ },
  { options: 'AuthenticationMethod=50', option: /AccessToken/ },
  { options: 'AuthenticationMethod=52;User=u;Password=p', option: /TokenURI/ },
  { options: 'AuthenticationMethod=53;ClientID=c;TokenURI=http://127.0.0.1:9/t', option: /ClientSecret/ },
  { options: 'AuthenticationMethod=54;ClientID=c;TokenURI=http://127.0.0.1:9/t', option: /RefreshToken/ },
  { options: 'AuthenticationMethod=55;TokenURI=http://127.0.0.1:9/t', option: /JWTCertStore/ },
  { options: 'AuthenticationMethod=51;ClientID=c;TokenURI=http://127.0.0.1:9/t', option: /RedirectURI/ },
  { options: 'AuthenticationMethod=24', option: /TokenURI/ },
];

test('missing options: exit 2 naming the option, before any request', async () => {
  const before = api.seen.length;
  for (const m of MISSING) {
    const r = await cli(['query', '-c', `RestSamplePath=${api.baseUrl}/basic/items;${m.options}`, 'SELECT 1']);
    assert.equal(r.code, 2, `${m.options}: ${r.stderr}`);
    assert.match(r.stderr, /^restsql: error\[CONFIG_[A-Z_]+\]: /, m.options);
    assert.match(r.stderr.split('\n')[0]!, m.option, m.options);
  }
  assert.equal(api.seen.length, before);
});

// ---- OAuth grants against oidc-provider, guarding the demo API.

let world: OAuthWorld;
let keyDir: string;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
// RS256 needs at least 2048 bits (RFC 7518 §3.3); Node makes the key quickly, forge wraps it in PKCS#12.
const rsaNode = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa = {
  privateKey: forge.pki.privateKeyFromPem(rsaNode.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
  publicKey: forge.pki.publicKeyFromPem(rsaNode.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
};

before(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'restsql-jwt-'));
  writeFileSync(join(keyDir, 'ec.pem'), ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  // A PKCS#12 file with a password and a friendly name, as key stores export them.
  const cert = forge.pki.createCertificate();
  cert.publicKey = rsa.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'svc-reports' }]);
  cert.setIssuer([{ name: 'commonName', value: 'svc-reports' }]);
  cert.sign(rsa.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(rsa.privateKey, [cert], 'p12-pass', { friendlyName: 'svc-key', algorithm: '3des' });
  writeFileSync(join(keyDir, 'svc.p12'), Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  world = await startOAuthWorld({
    jwtIssuers: {
      'ec-issuer': ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      'rsa-issuer': forge.pki.publicKeyToPem(rsa.publicKey),
    },
  });
});
after(async () => {
  await world.close();
  await rm(keyDir, { recursive: true, force: true });
});

function grantConn(options: string): string {
  return `RestSamplePath=${world.api.baseUrl}/v1/customers;Table=customers;TokenURI=POST ${world.auth.issuer}/token;${options}`;
}

async function grantQuery(options: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return cli(['query', '-c', grantConn(options), 'SELECT count(*) AS n FROM customers'], { ...world.env(), ...env });
}

test('53 client credentials, with each ClientCredentialsMode as the server recorded', async (t) => {
  for (const [mode, recorded] of [['0', 'basic'], ['2', 'query'], ['3', 'post']] as const) {
    const home = await mkdtemp(join(tmpdir(), 'restsql-cc-'));
    t.after(() => rm(home, { recursive: true, force: true }));
    const r = await grantQuery(`AuthenticationMethod=53;ClientID=machine;ClientSecret=\${MACHINE};Scope=api:read;ClientCredentialsMode=${mode}`, { RESTSQL_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([world.auth.tokenRequests.at(-1)!.grantType, world.auth.tokenRequests.at(-1)!.mode, world.auth.tokenRequests.at(-1)!.status], ['client_credentials', recorded, 200]);
  }
});

test('52 password (warns, RFC 9700), then 54 refresh token and 50 with a refresh token reuse its refresh token', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'restsql-pw-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const pw = await grantQuery('AuthenticationMethod=52;User=bob;Password=${PWG};ClientID=machine;ClientSecret=${MACHINE};Scope=api:read', { RESTSQL_HOME: home, PWG: 'pw' });
  assert.equal(pw.code, 0, pw.stderr);
  assert.match(pw.stderr, /warning: AuthenticationMethod=52 \(OAuth2-Password\) gives the client your password; RFC 9700 §2\.4/);
  assert.equal(world.auth.tokenRequests.at(-1)!.grantType, 'password');
  const file = readFileSync(join(home, 'tokens', (await import('node:fs')).readdirSync(join(home, 'tokens')).find((f) => f.endsWith('.json'))!), 'utf8');
  const rt = (JSON.parse(file) as { token: { refreshToken: string } }).token.refreshToken;
  assert.ok(rt);
  assert.ok(!file.includes('machine-secret') && !file.includes('"pw"'), 'neither the client secret nor the password is cached');

  const home2 = await mkdtemp(join(tmpdir(), 'restsql-rt-'));
  t.after(() => rm(home2, { recursive: true, force: true }));
  const viaRefresh = await grantQuery('AuthenticationMethod=54;RefreshToken=${RT};ClientID=machine;ClientSecret=${MACHINE}', { RESTSQL_HOME: home2, RT: rt });
  assert.equal(viaRefresh.code, 0, viaRefresh.stderr);
  assert.deepEqual([world.auth.tokenRequests.at(-1)!.grantType, world.auth.tokenRequests.at(-1)!.status], ['refresh_token', 200]);

  // 50 with a dead access token and a RefreshToken: the 401 leads to one refresh.
  const newRt = (JSON.parse(readFileSync(join(home2, 'tokens', (await import('node:fs')).readdirSync(join(home2, 'tokens')).find((f) => f.endsWith('.json'))!), 'utf8')) as { token: { refreshToken: string } }).token.refreshToken;
  const home3 = await mkdtemp(join(tmpdir(), 'restsql-at-'));
  t.after(() => rm(home3, { recursive: true, force: true }));
  const at = await grantQuery('AuthenticationMethod=50;AccessToken=${DEAD};RefreshToken=${RT};ClientID=machine;ClientSecret=${MACHINE}', { RESTSQL_HOME: home3, RT: newRt, DEAD: 'expired-access-token' });
  assert.equal(at.code, 0, at.stderr);
  assert.equal(world.auth.tokenRequests.at(-1)!.grantType, 'refresh_token');
});

test('55 JWT bearer (RFC 7523) with a PEM EC key and with a password-protected PKCS#12 RSA key', async () => {
  const pem = await grantQuery(`AuthenticationMethod=55;JWTCertStore=${join(keyDir, 'ec.pem')};ClaimsIssuer=ec-issuer;ClaimsSubject=svc-reports;ClientID=machine;ClientSecret=\${MACHINE}`);
  assert.equal(pem.code, 0, 'pem: ' + pem.stderr);
  assert.deepEqual([world.auth.tokenRequests.at(-1)!.grantType, world.auth.tokenRequests.at(-1)!.status], ['urn:ietf:params:oauth:grant-type:jwt-bearer', 200]);
  const p12 = await grantQuery(`AuthenticationMethod=55;JWTCertStore=${join(keyDir, 'svc.p12')};JWTCertPassword=\${P12};JWTCertAlias=svc-key;ClaimsIssuer=rsa-issuer;ClientID=machine;ClientSecret=\${MACHINE}`, { P12: 'p12-pass' });
  assert.equal(p12.code, 0, 'p12: ' + p12.stderr);
  const badPass = await grantQuery(`AuthenticationMethod=55;JWTCertStore=${join(keyDir, 'svc.p12')};JWTCertPassword=\${P12};ClaimsIssuer=rsa-issuer;ClientID=machine;ClientSecret=\${MACHINE}`, { P12: 'wrong', RESTSQL_HOME: join(keyDir, 'h2') });
  assert.equal(badPass.code, 2, badPass.stderr);
  assert.match(badPass.stderr, /error\[CONFIG_INVALID_VALUE\]: JWTCertStore: cannot read .*svc\.p12 as PKCS#12/);
  const unknownIssuer = await grantQuery(`AuthenticationMethod=55;JWTCertStore=${join(keyDir, 'ec.pem')};ClaimsIssuer=stranger;ClientID=machine;ClientSecret=\${MACHINE}`, { RESTSQL_HOME: join(keyDir, 'h3') });
  assert.equal(unknownIssuer.code, 3);
  assert.match(unknownIssuer.stderr, /invalid_grant/);
});

test('51 authorization code: an OAuthCode obtained elsewhere, or the browser with PKCE (or without, UsePKCE=0)', async (t) => {
  const redirect = `http://127.0.0.1:${world.redirectPort}/callback`;
  const authorize = `${world.auth.issuer}/auth?response_type=code&client_id=legacy-code&redirect_uri=${encodeURIComponent(redirect)}&scope=openid&state=s1`;
  const got = await httpBrowser(authorize, { stopAt: redirect });
  const code = got.redirect!.searchParams.get('code')!;
  const home = await mkdtemp(join(tmpdir(), 'restsql-code-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const legacy = `AuthenticationMethod=51;ClientID=legacy-code;ClientSecret=\${LEGACY};RedirectURI=${redirect};AuthURI=${world.auth.issuer}/auth;Scope=openid`;
  const withCode = await grantQuery(`${legacy};OAuthCode=\${CODE}`, { RESTSQL_HOME: home, CODE: code });
  assert.equal(withCode.code, 0, withCode.stderr);
  assert.deepEqual([world.auth.tokenRequests.at(-1)!.grantType, world.auth.tokenRequests.at(-1)!.mode], ['authorization_code', 'basic']);
  const noCode = await grantQuery(legacy, { RESTSQL_HOME: join(home, 'other') });
  assert.equal(noCode.code, 3);
  assert.match(noCode.stderr, /error\[AUTH_LOGIN_REQUIRED\]: The authorization code grant needs a code/);

  const prompt = await grantQuery(`${legacy};EnableLoginPrompt=1`, { RESTSQL_HOME: join(home, 'p1') });
  assert.equal(prompt.code, 0, prompt.stderr);
  assert.match(world.standIn().filter((l) => l.startsWith('open ')).at(-1)!, /code_challenge_method=S256/);
  const noPkce = await grantQuery(`${legacy};EnableLoginPrompt=1;UsePKCE=0`, { RESTSQL_HOME: join(home, 'p2') });
  assert.equal(noPkce.code, 0, noPkce.stderr);
  assert.doesNotMatch(world.standIn().filter((l) => l.startsWith('open ')).at(-1)!, /code_challenge/);
});

test('24 OAuth2 infers the grant from the options: User+Password -> password, ClientSecret alone -> client credentials', async () => {
  const pw = await grantQuery('AuthenticationMethod=24;User=carol;Password=${PWG};ClientID=machine;ClientSecret=${MACHINE}', { PWG: 'pw', RESTSQL_HOME: join(keyDir, 'h24a') });
  assert.equal(pw.code, 0, pw.stderr);
  assert.equal(world.auth.tokenRequests.at(-1)!.grantType, 'password');
  const cc = await grantQuery('AuthenticationMethod=OAuth2;ClientID=machine;ClientSecret=${MACHINE};Scope=api:read', { RESTSQL_HOME: join(keyDir, 'h24b') });
  assert.equal(cc.code, 0, cc.stderr);
  assert.equal(world.auth.tokenRequests.at(-1)!.grantType, 'client_credentials');
});

test('ProxyHost/ProxyPort/ProxyUser/ProxyPassword carry both the token request and the API requests', async () => {
  const proxy = await startConnectProxy({ authorization: 'Basic ' + Buffer.from('proxy-user:proxy-pass').toString('base64') });
  const { port, tunnels } = proxy;
  try {
    const r = await grantQuery(`AuthenticationMethod=53;ClientID=machine;ClientSecret=\${MACHINE};Scope=api:read;ProxyHost=127.0.0.1;ProxyPort=${port};ProxyUser=proxy-user;ProxyPassword=\${PP}`, { PP: 'proxy-pass', RESTSQL_HOME: join(keyDir, 'proxy') });
    assert.equal(r.code, 0, r.stderr);
    const targets = new Set(tunnels.map((t) => t.target));
    assert.ok(targets.has(new URL(world.auth.issuer).host), 'the token request went through the proxy');
    assert.ok(targets.has(new URL(world.api.baseUrl).host), 'the API requests went through the proxy');
    assert.ok(!r.stderr.includes('proxy-pass'));
  } finally {
    await proxy.close();
  }
});

test('29 Custom: the model file #authentication steps log in; #reauthentication runs on a 401', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'restsql-custom-'));
  const file = join(dir, 'api.rest');
  writeFileSync(file, JSON.stringify({
    '#authentication': [
      'api-key={customAuthParams[1]}',
      { credentials: { username: '{user}', password: '{password}', company: '{customAuthParams[2]}' } },
      'POST http://{serverName}/login',
      'HEADER Authentication=Bearer {/data/access_token}',
    ],
    '#reauthentication': [{ refresh_token: '{/data/refresh_token}' }, 'POST http://{serverName}/refresh', 'HEADER Authentication=Bearer {/data/access_token}'],
    a: { '#path': '/custom/items', id: 'Integer,#key', name: 'VarChar' },
    b: { '#path': '/custom/items?b=1', id: 'Integer,#key' },
    c: { '#path': '/custom/items?c=1', id: 'Integer,#key' },
    d: { '#path': '/custom/items?d=1', id: 'Integer,#key' },
  }));
  try {
    const before = api.seen.length;
    const conn = `RestConfigFile=${file};HostName=${api.baseUrl};AuthenticationMethod=29;User=alice;Password=\${PW};CustomAuthParams={\${CAP}}`;
    // Four tables: the token is good for three requests, so the fourth meets a 401 and re-authenticates.
    const r = await cli(['query', '-c', conn, '--format', 'csv', 'SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c) + (SELECT count(*) FROM d) AS n'], { CAP: `${CUSTOM.apiKey};${CUSTOM.company}` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'n\n8\n');
    const seen = api.seen.slice(before).map((s) => `${s.path}:${s.ok}`);
    assert.deepEqual(seen, ['/login:true', '/custom/items:true', '/custom/items:true', '/custom/items:true', '/custom/items:false', '/refresh:true', '/custom/items:true']);
    const bad = await cli(['query', '-c', conn, 'SELECT count(*) FROM a'], { CAP: `wrong-key;${CUSTOM.company}` });
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /error\[AUTH_FAILED\]: Custom authentication: POST http:\/\/127\.0\.0\.1:\d+\/login answered 403/);
    assert.ok(!bad.stderr.includes('wrong-key') && !r.stderr.includes(CUSTOM.apiKey));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('secret leak across every method: no password, key, token, secret or assertion in any output (debug on)', () => {
  const all = outputs.join('\n');
  assert.match(all, /restsql: debug: http: /);
  const secrets = [...Object.values(SECRETS), 'p12-pass', 'proxy-pass', CUSTOM.apiKey, 'rt-custom', Buffer.from(`alice:${CREDENTIALS.password}`).toString('base64'), ...world.auth.tokenRequests.flatMap((t) => t.secrets)];
  for (const s of secrets) assert.ok(!all.includes(s), `a secret (${s.slice(0, 3)}…) leaked`);
  assert.doesNotMatch(all, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/, 'no JWT (the assertion) in the output');
});
