/**
 * The TLS options through the real CLI against loopback HTTPS APIs signed by a test CA:
 * ValidateServerCertificate, TrustStore (PEM, PKCS#12, JKS) and TrustStorePassword,
 * HostNameInCertificate, CryptoProtocolVersion, EncryptionMethod, and a client certificate
 * (KeyStore, KeyStorePassword) for mutual TLS; for API requests, an OAuth token request (query and
 * `restsql login`) and requests through a CONNECT proxy alike.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { runCli, type CliResult } from '../support/cli.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { listenLoopback, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';
import { jksOf, makeCa, makeClientCert, makeServerCert, pkcs12Of, type KeyPair } from '../support/tls-pki.js';

const ROWS = JSON.stringify([
  { id: 1, name: 'alpha' },
  { id: 2, name: 'beta' },
]);

const dir = tempDir(after, 'restsql-tls-');
let ca: KeyPair;
let server: KeyPair;
const files: Record<string, string> = {};
const closers: (() => Promise<void>)[] = [];

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** An HTTPS API on loopback answering every GET with ROWS (and `handler` first, when given). */
async function httpsApi(options: ServerOptions, handler?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<Listening<ReturnType<typeof createServer>> & { https: string }> {
  const s = await listenLoopback(
    createServer(options, (req, res) => {
      if (handler?.(req, res)) return;
      res.setHeader('content-type', 'application/json');
      res.end(ROWS);
    }),
  );
  closers.push(() => s.close());
  return { ...s, https: s.url.replace('http:', 'https:') };
}

function query(conn: string, sql = 'SELECT id, name FROM items ORDER BY id'): Promise<CliResult> {
  return runCli(['query', '-c', conn, '--format', 'json', sql]);
}

function assertRows(r: CliResult): void {
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    { id: 1, name: 'alpha' },
    { id: 2, name: 'beta' },
  ]);
}

function assertTlsError(r: CliResult, message: RegExp, hint: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /restsql: error\[HTTP_TLS\]/);
  assert.match(r.stderr, message);
  assert.match(r.stderr, hint);
}

let api: Awaited<ReturnType<typeof httpsApi>>;

before(async () => {
  ca = await makeCa();
  server = await makeServerCert(ca);
  files.caPem = file('ca.pem', ca.cert);
  files.caP12 = file('ca.p12', pkcs12Of([ca.cert], 'p12-pass'));
  files.caJks = file('truststore.jks', jksOf([ca.cert], 'jks-pass'));
  api = await httpsApi({ cert: server.cert, key: server.key });
});

after(async () => {
  for (const c of closers) await c();
});

test('without TLS options a private CA fails with HTTP_TLS, whose hint names TrustStore (ValidateServerCertificate=0 as the last resort)', async () => {
  const r = await query(`RestSamplePath=${api.https}/items`);
  assertTlsError(r, /GET https:\/\/127\.0\.0\.1:\d+\/items failed: the server's certificate is not issued by a trusted CA .*\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/, /hint: Set TrustStore to a file holding the CA .*ValidateServerCertificate=0/);
  // Not retried: a handshake that failed once fails again.
  assert.doesNotMatch(r.stderr, /tries/);
});

test('TrustStore: a PEM CA, a PKCS#12 store with TrustStorePassword, a JKS store (long and short names); a wrong password names TrustStorePassword', async () => {
  assertRows(await query(`RestSamplePath=${api.https}/items;TrustStore=${files.caPem}`));
  assertRows(await query(`RestSamplePath=${api.https}/items;TrustStore=${files.caP12};TrustStorePassword=p12-pass`));
  assertRows(await query(`RestSamplePath=${api.https}/items;ts=${files.caJks};tsp=jks-pass`));
  // A JKS store without its password is read unchecked, as Java reads it.
  assertRows(await query(`RestSamplePath=${api.https}/items;TrustStore=${files.caJks}`));
  for (const store of [files.caP12, files.caJks]) {
    const bad = await query(`RestSamplePath=${api.https}/items;TrustStore=${store};TrustStorePassword=wrong`);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /error\[CONFIG_INVALID_VALUE\]: TrustStorePassword: .* (TrustStorePassword is wrong|fails its integrity check with TrustStorePassword)/);
    assert.doesNotMatch(bad.stderr, /wrong;|=wrong/);
  }
});

test('TrustStore replaces the built-in CAs: a store holding another CA does not trust the API', async () => {
  const other = await makeCa('another CA');
  const r = await query(`RestSamplePath=${api.https}/items;TrustStore=${file('other.pem', other.cert)}`);
  assertTlsError(r, /not issued by a CA in TrustStore/, /Add the CA that signed the server's certificate .* to TrustStore=.*other\.pem/);
});

test('a TrustStore that is no store fails at connect with CONFIG_INVALID_VALUE naming TrustStore', async () => {
  const r = await query(`RestSamplePath=${api.https}/items;TrustStore=${file('notes.txt', 'not a certificate\n')}`);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /error\[CONFIG_INVALID_VALUE\]: TrustStore: '.*notes\.txt' is not a certificate store/);
  const missing = await query(`RestSamplePath=${api.https}/items;TrustStore=${join(dir, 'absent.pem')}`);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /TrustStore: cannot read '.*absent\.pem': it does not exist/);
});

test('ValidateServerCertificate=0 works and warns, once, on stderr that the connection can be intercepted', async () => {
  const r = await query(`RestSamplePath=${api.https}/items;ValidateServerCertificate=0`);
  assertRows(r);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('restsql: warning: ValidateServerCertificate=0'));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0]!, /NOT checked on any request .*intercept/);
  // vsc is its short name.
  assertRows(await query(`RestSamplePath=${api.https}/items;vsc=0`));
});

test('HostNameInCertificate: a certificate for api.test.internal served on 127.0.0.1 fails without it and works with it', async () => {
  const named = await makeServerCert(ca, ['api.test.internal']);
  const other = await httpsApi({ cert: named.cert, key: named.key });
  const base = `RestSamplePath=${other.https}/items;TrustStore=${files.caPem}`;
  assertTlsError(await query(base), /certificate is for another host name than the URL's: .*\(ERR_TLS_CERT_ALTNAME_INVALID\)\. The certificate is for DNS:api\.test\.internal\./, /set HostNameInCertificate to the name in the certificate/);
  assertRows(await query(`${base};HostNameInCertificate=api.test.internal`));
  assertTlsError(await query(`${base};hnic=other.test.internal`), /not for HostNameInCertificate=other\.test\.internal/, /Set HostNameInCertificate to a name the certificate holds/);
});

test('CryptoProtocolVersion: TLSv1.3 against a TLS 1.2 server fails naming the option, TLSv1.2 works; TLS 1.1 alone is refused at connect, beside 1.2 it is dropped with a warning', async () => {
  const old = await httpsApi({ cert: server.cert, key: server.key, maxVersion: 'TLSv1.2' });
  const base = `RestSamplePath=${old.https}/items;TrustStore=${files.caPem}`;
  assertTlsError(await query(`${base};CryptoProtocolVersion=TLSv1.3`), /accepts none of the TLS versions CryptoProtocolVersion=TLSv1\.3 allows/, /CryptoProtocolVersion=TLSv1\.2,TLSv1\.3/);
  assertRows(await query(`${base};CryptoProtocolVersion=TLSv1.2`));
  const refused = await query(`${base};cpv=TLSv1.1`);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /error\[CONFIG_UNSUPPORTED\]: CryptoProtocolVersion=TLSv1\.1 allows only TLSv1\.1, which Node's OpenSSL refuses/);
  const mixed = await query(`${base};CryptoProtocolVersion=TLSv1.1, TLSv1.2`);
  assertRows(mixed);
  assert.match(mixed.stderr, /restsql: warning: CryptoProtocolVersion: TLSv1\.1 cannot be used .*using TLSv1\.2/);
  const typo = await query(`${base};CryptoProtocolVersion=TLSv1.4`);
  assert.equal(typo.code, 2, typo.stderr);
  assert.match(typo.stderr, /error\[CONFIG_INVALID_VALUE\]: CryptoProtocolVersion: 'TLSv1\.4' is not a protocol version/);
});

test('EncryptionMethod: SSL with an https:// URL works; with an http:// URL it fails at connect naming the option', async () => {
  assertRows(await query(`RestSamplePath=${api.https}/items;TrustStore=${files.caPem};EncryptionMethod=SSL`));
  // NoEncryption does not turn TLS off: the URL's scheme decides, as in the driver.
  assertRows(await query(`RestSamplePath=${api.https}/items;TrustStore=${files.caPem};em=0`));
  const r = await query('RestSamplePath=http://127.0.0.1:9/items;EncryptionMethod=1');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /error\[CONFIG_CONFLICT\]: EncryptionMethod=1 \(SSL\) asks for TLS on every request, but GET http:\/\/127\.0\.0\.1:9\/items is a plain http:\/\/ URL/);
});

test('mutual TLS: a server that requires a client certificate fails without KeyStore and works with a PEM and with a PKCS#12 KeyStore', async () => {
  const client = await makeClientCert(ca);
  const seen: string[] = [];
  const mtls = await httpsApi({ cert: server.cert, key: server.key, ca: [ca.cert], requestCert: true, rejectUnauthorized: true }, (req) => {
    seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''));
    return false;
  });
  const base = `RestSamplePath=${mtls.https}/items;TrustStore=${files.caPem}`;
  assertTlsError(await query(base), /the server asks for a client certificate/, /Set KeyStore to a PEM file/);
  const pem = file('client.pem', client.key + client.cert);
  assertRows(await query(`${base};KeyStore=${pem}`));
  const p12 = file('client.p12', pkcs12Of([client.cert, ca.cert], 'ks-pass', { key: client.key }));
  assertRows(await query(`${base};KeyStore=${p12};KeyStorePassword=ks-pass`));
  assertRows(await query(`${base};ks=${p12};ksp=ks-pass`));
  assert.deepEqual(seen, ['restsql test client', 'restsql test client', 'restsql test client']);
  const wrong = await query(`${base};KeyStore=${p12};KeyStorePassword=nope`);
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /error\[CONFIG_INVALID_VALUE\]: KeyStorePassword: .*client\.p12' cannot be opened: KeyStorePassword is wrong/);
});

test('OAuth: the token request to an HTTPS token endpoint needs the TrustStore too (query and restsql login)', async () => {
  const token = await httpsApi({ cert: server.cert, key: server.key }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ access_token: 'tls-token', token_type: 'Bearer', expires_in: 3600 }));
    return true;
  });
  const guarded = await httpsApi({ cert: server.cert, key: server.key }, (req, res) => {
    if (req.headers.authorization === 'Bearer tls-token') return false;
    res.statusCode = 401;
    res.end('{}');
    return true;
  });
  const conn = `RestSamplePath=${guarded.https}/items;AuthenticationMethod=53;ClientID=app;ClientSecret=s3cret;TokenURI=${token.https}/token`;
  const untrusted = await query(conn);
  assertTlsError(untrusted, new RegExp(`POST ${token.https.replace(/\./g, '\\.')}/token failed: the server's certificate is not issued by a trusted CA`), /TrustStore/);
  assertRows(await query(`${conn};TrustStore=${files.caPem}`));
  const home = join(dir, 'home');
  const login = await runCli(['login', '-c', `${conn};TrustStore=${files.caJks}`], { env: { RESTSQL_HOME: home } });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stderr, /tokens cached/);
  const loginUntrusted = await runCli(['login', '-c', conn], { env: { RESTSQL_HOME: home } });
  assert.equal(loginUntrusted.code, 1, loginUntrusted.stderr);
  assert.match(loginUntrusted.stderr, /error\[HTTP_TLS\]/);
});

test('through a CONNECT proxy, the API behind the tunnel is checked against the TrustStore', async () => {
  const proxy = await startConnectProxy();
  closers.push(() => proxy.close());
  const base = `RestSamplePath=${api.https}/items;ProxyHost=127.0.0.1;ProxyPort=${proxy.port}`;
  assertTlsError(await query(base), /not issued by a trusted CA/, /TrustStore/);
  assertRows(await query(`${base};TrustStore=${files.caP12};TrustStorePassword=p12-pass`));
  assert.ok(proxy.tunnels.length >= 2, 'both queries went through the proxy');
  assert.ok(proxy.tunnels.every((t) => t.target === `127.0.0.1:${api.port}`));
  // The proxy from the environment (EnvHttpProxyAgent) gets the same settings.
  const env = await runCli(['query', '-c', `RestSamplePath=${api.https}/items;TrustStore=${files.caPem}`, '--format', 'json', 'SELECT id, name FROM items ORDER BY id'], { env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` } });
  assertRows(env);
});
