/**
 * The TLS options as connect options (http/tls.ts), the HTTP_TLS errors a failed handshake
 * becomes (http/tls-failure.ts), and the per-origin record of TLS alerts (http/tls-alerts.ts).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { join } from 'node:path';
import { test } from 'node:test';
import { RestSqlError, Secret } from '../../../src/errors/index.js';
import { createTlsAlerts } from '../../../src/http/tls-alerts.js';
import { tlsFailure, tlsFailureKind } from '../../../src/http/tls-failure.js';
import { parseProtocolVersions, tlsSettingsFor, type TlsContext } from '../../../src/http/tls.js';
import { ROOT } from '../../support/cli.js';

const DATA = join(ROOT, 'test', 'data', 'tls');

function failure(fn: () => unknown): RestSqlError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RestSqlError, String(e));
    return e;
  }
  assert.fail('no error');
}

test('CryptoProtocolVersion: the vendor spellings to a Node range; versions below TLS 1.2 named, never tried', () => {
  const cases: [string, string][] = [
    ['TLSv1.2', 'TLSv1.2..TLSv1.2 refused='],
    ['TLSv1.3', 'TLSv1.3..TLSv1.3 refused='],
    ['TLSv1.2,TLSv1.3', 'TLSv1.2..TLSv1.3 refused='],
    [' tlsv1.3 , TLSV1.2 ', 'TLSv1.2..TLSv1.3 refused='],
    ['TLSv1,TLSv1.1,TLSv1.2', 'TLSv1.2..TLSv1.2 refused=TLSv1,TLSv1.1'],
    ['SSLv3,TLSv1.0,TLSv1.3', 'TLSv1.3..TLSv1.3 refused=SSLv3,TLSv1.0'],
  ];
  for (const [value, expected] of cases) {
    const r = parseProtocolVersions(value);
    assert.equal(`${r.minVersion}..${r.maxVersion} refused=${r.refused.join(',')}`, expected, value);
  }
  const only = failure(() => parseProtocolVersions('TLSv1,TLSv1.1'));
  assert.equal(only.code, 'CONFIG_UNSUPPORTED');
  assert.equal(only.details.option, 'CryptoProtocolVersion');
  assert.match(only.message, /allows only TLSv1, TLSv1\.1, which Node's OpenSSL refuses/);
  const typo = failure(() => parseProtocolVersions('TLSv1.2,TLS1.3'));
  assert.equal(typo.code, 'CONFIG_INVALID_VALUE');
  assert.match(typo.message, /'TLS1\.3' is not a protocol version\. Did you mean TLSv1\.3\?/);
});

test('tlsSettingsFor: no options leave Node\'s defaults; each option sets its connect option', () => {
  assert.deepEqual(tlsSettingsFor({ validateServerCertificate: true }), { connect: {}, requireTls: false, context: { verify: true }, warnings: [] });
  const s = tlsSettingsFor({
    validateServerCertificate: true,
    trustStore: join(DATA, 'truststore.jks'),
    trustStorePassword: new Secret('changeit'),
    hostNameInCertificate: 'api.example.com',
    cryptoProtocolVersion: 'TLSv1.3',
    encryptionMethod: 1,
    keyStore: join(DATA, 'client.p12'),
    keyStorePassword: new Secret('changeit'),
  });
  assert.equal(s.connect.ca?.length, 1);
  assert.equal(s.connect.servername, 'api.example.com');
  assert.equal(s.connect.minVersion, 'TLSv1.3');
  assert.equal(s.connect.maxVersion, 'TLSv1.3');
  assert.match(String(s.connect.key), /BEGIN PRIVATE KEY/);
  assert.match(String(s.connect.cert), /BEGIN CERTIFICATE/);
  assert.equal(s.requireTls, true);
  assert.deepEqual(s.context, { verify: true, trustStore: join(DATA, 'truststore.jks'), hostName: 'api.example.com', protocols: 'TLSv1.3', clientCertificate: 'CN=restsql fixture client' });
  assert.deepEqual(s.warnings, []);
  // The identity check is against HostNameInCertificate, whatever host the URL named.
  const cert = { subject: { CN: 'x' }, subjectaltname: 'DNS:api.example.com' } as unknown as PeerCertificate;
  assert.equal(s.connect.checkServerIdentity!('10.0.0.1', cert), undefined);
  assert.equal((checkServerIdentity('10.0.0.1', cert) as NodeJS.ErrnoException | undefined)?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('HostNameInCertificate: an IP address is checked but not sent as SNI; a URL is refused', () => {
  const ip = tlsSettingsFor({ validateServerCertificate: true, hostNameInCertificate: '10.1.2.3' });
  assert.equal(ip.connect.servername, undefined);
  assert.ok(ip.connect.checkServerIdentity);
  for (const bad of ['https://api.example.com', 'api.example.com:443', 'a b']) {
    const e = failure(() => tlsSettingsFor({ validateServerCertificate: true, hostNameInCertificate: bad }));
    assert.equal(e.code, 'CONFIG_INVALID_VALUE', bad);
    assert.equal(e.details.option, 'HostNameInCertificate');
  }
});

test('ValidateServerCertificate=0: checks off, TrustStore and HostNameInCertificate ignored (not even read), one loud warning', () => {
  const s = tlsSettingsFor({ validateServerCertificate: false, trustStore: join(DATA, 'absent.pem'), hostNameInCertificate: 'api.example.com' });
  assert.deepEqual(s.connect, { rejectUnauthorized: false });
  assert.deepEqual(s.context, { verify: false });
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0]!, /^ValidateServerCertificate=0: server certificates are NOT checked .*intercept.*\(TrustStore and HostNameInCertificate ignored\)/);
  assert.doesNotMatch(s.warnings[0]!, /\n/);
});

test('a key store password without KeyStore is a warning, not a silent no-op', () => {
  const s = tlsSettingsFor({ validateServerCertificate: true, keyPassword: new Secret('x') });
  assert.deepEqual(s.warnings, ['KeyPassword is set but KeyStore is not, so no client certificate is sent.']);
});

test('TLS failures: each kind names the option to set, with what the connection already set', () => {
  const none: TlsContext = { verify: true };
  const set: TlsContext = { verify: true, trustStore: '/etc/ca.pem', hostName: 'api.internal', protocols: 'TLSv1.3', clientCertificate: 'CN=me' };
  const err = (code: string, message = `boom ${code}`) => Object.assign(new Error(message), { code });
  const cases: [string, TlsContext, string, RegExp, RegExp][] = [
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', none, 'TrustStore', /not issued by a trusted CA/, /Set TrustStore to a file .*ValidateServerCertificate=0/],
    ['SELF_SIGNED_CERT_IN_CHAIN', set, 'TrustStore', /not issued by a CA in TrustStore/, /to TrustStore=\/etc\/ca\.pem; it replaces Node's built-in CA list/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', none, 'HostNameInCertificate', /for another host name than the URL's/, /set HostNameInCertificate to the name in the certificate/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', set, 'HostNameInCertificate', /not for HostNameInCertificate=api\.internal/, /Set HostNameInCertificate to a name the certificate holds/],
    ['CERT_HAS_EXPIRED', none, 'ValidateServerCertificate', /has expired or is not valid yet/, /renewed .*clock/],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', set, 'CryptoProtocolVersion', /none of the TLS versions CryptoProtocolVersion=TLSv1\.3 allows/, /CryptoProtocolVersion=TLSv1\.2,TLSv1\.3/],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', none, 'CryptoProtocolVersion', /share no TLS version/, /TLS 1\.0 or 1\.1 cannot be reached/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', none, 'EncryptionMethod', /does not answer TLS on this port/, /http:\/\/ for a plain-HTTP port/],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', none, 'KeyStore', /asks for a client certificate/, /Set KeyStore to a PEM file/],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', set, 'KeyStore', /refused the client certificate from KeyStore \(CN=me\)/, /issued by a CA the server trusts/],
    ['ERR_SSL_SOMETHING_NEW', none, 'TrustStore', /the TLS handshake failed/, /Check the TLS options/],
  ];
  for (const [code, ctx, option, message, hint] of cases) {
    const e = tlsFailure(err(code), 'GET https://api.example.com/x', 'https://api.example.com/x', ctx);
    assert.ok(e, code);
    assert.equal(e.code, 'HTTP_TLS', code);
    assert.equal(e.details.option, option, code);
    assert.match(e.message, /^GET https:\/\/api\.example\.com\/x failed: /, code);
    assert.match(e.message, message, code);
    assert.match(e.message, new RegExp(`\\(${code}\\)\\.$`), code);
    assert.match(e.hint ?? '', hint, code);
  }
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'ETIMEDOUT', '']) assert.equal(tlsFailureKind(code), undefined, code);
  assert.equal(tlsFailure(err('ECONNRESET'), 'GET x', 'https://x/', none), undefined);
});

test('TLS failures: OpenSSL messages are trimmed to their reason; a proxy tunnel wrapper is looked through', () => {
  const openssl = Object.assign(new Error('80AC4D3A4D7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  const e = tlsFailure(openssl, 'GET https://a/x', 'https://a/x', { verify: true })!;
  assert.match(e.message, /: tlsv13 alert certificate required \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\)\.$/);
  const inner = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', cert: { subjectaltname: 'DNS:a.internal, DNS:b.internal' } });
  const wrapped = Object.assign(new Error('secure proxy connection failed'), { code: 'UND_ERR_PRX_TLS', cause: inner });
  const w = tlsFailure(wrapped, 'GET https://a/x', 'https://a/x', { verify: true })!;
  assert.equal(w.details.option, 'HostNameInCertificate');
  assert.match(w.message, /\(ERR_TLS_CERT_ALTNAME_INVALID\)\. The certificate is for DNS:a\.internal, DNS:b\.internal\.$/);
});

test('TLS alerts are kept per origin and only count for a try that started before them', () => {
  const alerts = createTlsAlerts(() => 1000);
  const socket = new EventEmitter();
  let handed: unknown;
  const connect = alerts.watch('https://a.example', ((_opts: unknown, cb: (e: Error | null, s: unknown) => void) => cb(null, socket)) as never);
  connect({} as never, ((e: Error | null, s: unknown) => (handed = s)) as never);
  assert.equal(handed, socket, 'the socket is handed on');
  socket.emit('error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  assert.equal(alerts.since('https://a.example', 0), undefined, 'not a TLS error');
  const alert = Object.assign(new Error('tlsv13 alert certificate required'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  socket.emit('error', alert);
  assert.equal(alerts.since('https://a.example/items?x=1', 900), alert);
  assert.equal(alerts.since('https://a.example', 1000), alert);
  assert.equal(alerts.since('https://a.example', 1001), undefined, 'a try that started later');
  assert.equal(alerts.since('https://b.example', 0), undefined, 'another origin');
});
