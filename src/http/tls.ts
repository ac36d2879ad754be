/**
 * The TLS options of a connection (ValidateServerCertificate, TrustStore, TrustStorePassword,
 * HostNameInCertificate, CryptoProtocolVersion, EncryptionMethod, KeyStore, KeyStorePassword,
 * KeyPassword) as the `tls.connect` options every HTTPS connection the client opens gets: to the
 * API, to the token endpoint and the other OAuth endpoints, for Custom authentication steps, and
 * inside a proxy's CONNECT tunnel. Stores are read here, at connect, so a bad file or password
 * fails before any request.
 */
import { isIP } from 'node:net';
import { lazyRequire } from '../util/lazy-require.js';
import type { ConnectionOptions as TlsConnectOptions, SecureVersion } from 'node:tls';
import { RestSqlError, type Secret } from '../errors/index.js';
import { readKeyStore } from '../tls/key-store.js';
import { readTrustStore } from '../tls/trust-store.js';
import { didYouMean } from '../util/did-you-mean.js';

/** node:tls, loaded when a connection checks a certificate's name. */
const tlsModule = lazyRequire<typeof import('node:tls')>('node:tls');

/** What the options asked for, so a TLS failure can say which option to change. */
export interface TlsContext {
  /** ValidateServerCertificate. */
  readonly verify: boolean;
  readonly trustStore?: string;
  readonly hostName?: string;
  /** CryptoProtocolVersion as given. */
  readonly protocols?: string;
  /** The subject of the KeyStore certificate. */
  readonly clientCertificate?: string;
}

export interface TlsSettings {
  /** `tls.connect` options for every TLS connection (undici's `connect`, and `requestTls` in a proxy tunnel). */
  readonly connect: Readonly<TlsConnectOptions>;
  /** EncryptionMethod=1: a request to an http:// URL is refused. */
  readonly requireTls: boolean;
  readonly context: TlsContext;
  /** One line each, for the connection's warning channel at connect. */
  readonly warnings: readonly string[];
}

/** The TLS options as the client reads them (a subset of ConnectionOptions). */
export interface TlsOptions {
  readonly validateServerCertificate: boolean;
  readonly trustStore?: string | undefined;
  readonly trustStorePassword?: Secret | undefined;
  readonly hostNameInCertificate?: string | undefined;
  readonly cryptoProtocolVersion?: string | undefined;
  readonly encryptionMethod?: number | undefined;
  readonly keyStore?: string | undefined;
  readonly keyStorePassword?: Secret | undefined;
  readonly keyPassword?: Secret | undefined;
}

/** The vendor's spellings, lowest first; the usable ones map to Node's names. */
const PROTOCOLS: readonly { readonly names: readonly string[]; readonly node?: SecureVersion }[] = [
  { names: ['SSLv2'] },
  { names: ['SSLv3'] },
  { names: ['TLSv1', 'TLSv1.0'] },
  { names: ['TLSv1.1'] },
  { names: ['TLSv1.2'], node: 'TLSv1.2' },
  { names: ['TLSv1.3'], node: 'TLSv1.3' },
];

export interface ProtocolRange {
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  /** Listed versions Node cannot use (below TLS 1.2), as written. */
  readonly refused: readonly string[];
}

/**
 * CryptoProtocolVersion: a comma-separated list of the vendor's version names. Node takes a
 * range, so the range from the lowest to the highest usable version listed is used. OpenSSL 3,
 * which Node 20 ships, refuses TLS 1.0 and 1.1 at its default security level (and has no SSL at
 * all): those are named, not silently tried and failed.
 */
export function parseProtocolVersions(value: string): ProtocolRange {
  const items = value.split(/[\s,]+/).filter((s) => s !== '');
  const all = PROTOCOLS.flatMap((p) => p.names);
  const usable: number[] = [];
  const refused: string[] = [];
  for (const item of items) {
    const at = PROTOCOLS.findIndex((p) => p.names.some((n) => n.toLowerCase() === item.toLowerCase()));
    if (at < 0) {
      throw new RestSqlError('CONFIG_INVALID_VALUE', `CryptoProtocolVersion: '${item}' is not a protocol version.${didYouMean(item, all)}`, {
        hint: 'Give a comma-separated list of TLSv1.2 and TLSv1.3, for example CryptoProtocolVersion=TLSv1.2,TLSv1.3.',
        details: { option: 'CryptoProtocolVersion', value: item },
      });
    }
    if (PROTOCOLS[at]!.node) usable.push(at);
    else refused.push(item);
  }
  if (usable.length === 0) {
    throw new RestSqlError('CONFIG_UNSUPPORTED', items.length === 0 ? 'CryptoProtocolVersion is empty.' : `CryptoProtocolVersion=${value} allows only ${refused.join(', ')}, which Node's OpenSSL refuses: SSL is gone from it, and TLS 1.0 and 1.1 are below its security level.`, {
      hint: 'Use TLSv1.2 or TLSv1.3 (CryptoProtocolVersion=TLSv1.2,TLSv1.3). A server that speaks nothing newer than TLS 1.1 needs upgrading, or a TLS-terminating proxy in front of it.',
      details: { option: 'CryptoProtocolVersion', refused },
    });
  }
  return { minVersion: PROTOCOLS[Math.min(...usable)]!.node!, maxVersion: PROTOCOLS[Math.max(...usable)]!.node!, refused };
}

/** HostNameInCertificate: a DNS name or an IP address (checked against the certificate's IP SANs). */
function checkHostName(name: string): void {
  if (isIP(name) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/.test(name)) return;
  throw new RestSqlError('CONFIG_INVALID_VALUE', `HostNameInCertificate: '${name}' is not a host name.`, {
    hint: 'Give the name the server\'s certificate holds, without scheme, port or path: HostNameInCertificate=api.example.com',
    details: { option: 'HostNameInCertificate' },
  });
}

/**
 * Reads the TLS options into connect options. Following the driver: ValidateServerCertificate=0
 * ignores TrustStore and HostNameInCertificate (and warns, loudly, once); a TrustStore replaces
 * Node's built-in CA list; HostNameInCertificate replaces the URL's host in the name check (and
 * is sent as SNI, unless it is an IP address, which SNI cannot carry).
 */
export function tlsSettingsFor(o: TlsOptions): TlsSettings {
  const connect: TlsConnectOptions = {};
  const warnings: string[] = [];
  const context: { -readonly [K in keyof TlsContext]: TlsContext[K] } = { verify: o.validateServerCertificate };
  if (!o.validateServerCertificate) {
    connect.rejectUnauthorized = false;
    const ignored = [o.trustStore !== undefined ? 'TrustStore' : '', o.hostNameInCertificate !== undefined ? 'HostNameInCertificate' : ''].filter((s) => s !== '');
    warnings.push(`ValidateServerCertificate=0: server certificates are NOT checked on any request of this connection (API, token endpoint, proxy tunnels); anyone on the network path can intercept it and read its credentials and data${ignored.length ? ` (${ignored.join(' and ')} ignored)` : ''}. Use TrustStore=<CA file> instead.`);
  } else {
    if (o.trustStore !== undefined) {
      connect.ca = [...readTrustStore(o.trustStore, o.trustStorePassword).pem];
      context.trustStore = o.trustStore;
    }
    if (o.hostNameInCertificate !== undefined) {
      const name = o.hostNameInCertificate;
      checkHostName(name);
      if (isIP(name) === 0) connect.servername = name;
      connect.checkServerIdentity = (_host, cert) => tlsModule().checkServerIdentity(name, cert);
      context.hostName = name;
    }
  }
  if (o.cryptoProtocolVersion !== undefined) {
    const range = parseProtocolVersions(o.cryptoProtocolVersion);
    connect.minVersion = range.minVersion;
    connect.maxVersion = range.maxVersion;
    context.protocols = o.cryptoProtocolVersion;
    if (range.refused.length > 0) warnings.push(`CryptoProtocolVersion: ${range.refused.join(', ')} cannot be used (Node's OpenSSL refuses protocols below TLS 1.2); using ${range.minVersion === range.maxVersion ? range.minVersion : `${range.minVersion} to ${range.maxVersion}`}.`);
  }
  if (o.keyStore !== undefined) {
    const client = readKeyStore(o.keyStore, o.keyStorePassword, o.keyPassword);
    connect.key = client.key;
    connect.cert = client.cert;
    context.clientCertificate = client.subject;
  } else if (o.keyStorePassword !== undefined || o.keyPassword !== undefined) {
    warnings.push(`${o.keyStorePassword !== undefined ? 'KeyStorePassword' : 'KeyPassword'} is set but KeyStore is not, so no client certificate is sent.`);
  }
  return { connect, requireTls: o.encryptionMethod === 1, context, warnings };
}
