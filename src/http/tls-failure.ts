/**
 * A failed TLS handshake as an HTTP_TLS error that names the option to set: TrustStore for an
 * unknown issuer, HostNameInCertificate for a name mismatch, CryptoProtocolVersion for a protocol
 * version, KeyStore for a client certificate the server wants or refuses. Such failures are never
 * retried: the next try would meet the same certificate.
 */
import { RestSqlError, redactText, redactUrl } from '../errors/index.js';
import type { TlsContext } from './tls.js';

export type TlsFailureKind = 'untrusted' | 'host-name' | 'dates' | 'revoked' | 'protocol' | 'not-tls' | 'client-certificate' | 'other';

/** Node's and OpenSSL's codes (verify errors keep OpenSSL's X509_V_ERR_ names without the prefix). */
const KINDS: ReadonlyMap<string, TlsFailureKind> = new Map([
  ...['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY'].map((c) => [c, 'untrusted'] as const),
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'host-name'],
  ['CERT_HAS_EXPIRED', 'dates'],
  ['CERT_NOT_YET_VALID', 'dates'],
  ['CERT_REVOKED', 'revoked'],
  ...['ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_VERSION_TOO_LOW', 'ERR_SSL_UNSUPPORTED_SSL_VERSION'].map((c) => [c, 'protocol'] as const),
  ...['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST'].map((c) => [c, 'not-tls'] as const),
  ...['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'].map((c) => [c, 'client-certificate'] as const),
]);

/** The kind of a TLS failure, or undefined when `code` is no TLS failure. */
export function tlsFailureKind(code: string): TlsFailureKind | undefined {
  return KINDS.get(code) ?? (/^ERR_(SSL|TLS)_/.test(code) ? 'other' : undefined);
}

const LAST_RESORT = 'Only as a last resort, on a network you trust: ValidateServerCertificate=0 turns the checks off (restsql then warns that the connection can be intercepted).';

function hintFor(kind: TlsFailureKind, ctx: TlsContext): { what: string; hint: string; option: string } {
  switch (kind) {
    case 'untrusted':
      return ctx.trustStore !== undefined
        ? { what: "the server's certificate is not issued by a CA in TrustStore", hint: `Add the CA that signed the server's certificate (or the self-signed certificate itself) to TrustStore=${ctx.trustStore}; it replaces Node's built-in CA list, so public CAs must be in it too when they are needed. ${LAST_RESORT}`, option: 'TrustStore' }
        : { what: "the server's certificate is not issued by a trusted CA (self-signed, or a private CA)", hint: `Set TrustStore to a file holding the CA that signed it (PEM, PKCS#12 or JKS; the format is read from the content). ${LAST_RESORT}`, option: 'TrustStore' };
    case 'host-name':
      return ctx.hostName !== undefined
        ? { what: `the server's certificate is not for HostNameInCertificate=${ctx.hostName}`, hint: 'Set HostNameInCertificate to a name the certificate holds (its subjectAltName), or remove it to check the URL\'s host.', option: 'HostNameInCertificate' }
        : { what: "the server's certificate is for another host name than the URL's", hint: 'Use the host name the certificate is for in the URL, or, when the server is reached under another name (an IP address, an alias), set HostNameInCertificate to the name in the certificate.', option: 'HostNameInCertificate' };
    case 'dates':
      return { what: "the server's certificate has expired or is not valid yet", hint: `The server's certificate must be renewed (or this machine's clock is wrong). ${LAST_RESORT}`, option: 'ValidateServerCertificate' };
    case 'revoked':
      return { what: "the server's certificate has been revoked", hint: 'The server needs a new certificate; do not turn certificate checks off for it.', option: 'ValidateServerCertificate' };
    case 'protocol':
      return ctx.protocols !== undefined
        ? { what: `the server accepts none of the TLS versions CryptoProtocolVersion=${ctx.protocols} allows`, hint: 'Allow the version the server speaks (CryptoProtocolVersion=TLSv1.2,TLSv1.3); servers limited to TLS 1.0 or 1.1 cannot be reached from Node and need upgrading.', option: 'CryptoProtocolVersion' }
        : { what: 'the server and restsql share no TLS version (restsql speaks TLS 1.2 and 1.3)', hint: 'A server limited to TLS 1.0 or 1.1 cannot be reached from Node: it needs upgrading, or a TLS-terminating proxy in front of it.', option: 'CryptoProtocolVersion' };
    case 'not-tls':
      return { what: 'the server does not answer TLS on this port', hint: 'Check the URL: an https:// URL needs a port where the server speaks TLS (http:// for a plain-HTTP port).', option: 'EncryptionMethod' };
    case 'client-certificate':
      return ctx.clientCertificate !== undefined
        ? { what: `the server refused the client certificate from KeyStore (${ctx.clientCertificate}), or the handshake failed`, hint: 'Check that the KeyStore certificate is issued by a CA the server trusts and is still valid.', option: 'KeyStore' }
        : { what: 'the server asks for a client certificate (mutual TLS), or the handshake failed', hint: 'Set KeyStore to a PEM file (private key and certificate) or a PKCS#12 store holding the client certificate; KeyStorePassword for a protected one.', option: 'KeyStore' };
    case 'other':
      return { what: 'the TLS handshake failed', hint: `Check the TLS options (TrustStore, HostNameInCertificate, CryptoProtocolVersion, KeyStore) against what the server expects.`, option: 'TrustStore' };
  }
}

/** The error's code, looking through undici's wrapper for a proxy tunnel's TLS failure. */
function codeOf(err: NodeJS.ErrnoException): { code: string; error: NodeJS.ErrnoException } {
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  if (err.code === 'UND_ERR_PRX_TLS' && cause?.code) return { code: cause.code, error: cause };
  return { code: err.code ?? cause?.code ?? '', error: err.code ? err : (cause ?? err) };
}

/** The HTTP_TLS error for a failed try, or undefined when the failure was no TLS failure. */
export function tlsFailure(err: NodeJS.ErrnoException, shown: string, url: string, ctx: TlsContext): RestSqlError | undefined {
  const { code, error } = codeOf(err);
  const kind = tlsFailureKind(code);
  if (!kind) return undefined;
  const { what, hint, option } = hintFor(kind, ctx);
  // Node's own words add the specifics (the names the certificate holds, the alert).
  // OpenSSL's are trimmed to the reason ("tlsv13 alert certificate required"), without the
  // error queue's numbers and source file.
  const detail = redactText(error.message || code)
    .replace(/^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:/, '')
    .replace(/:\.\.\/deps\/[\s\S]*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  // A name mismatch: the names the certificate does hold (Node's message lists none for an IP host).
  const names = kind === 'host-name' ? (error as { cert?: { subjectaltname?: string } }).cert?.subjectaltname : undefined;
  const held = names ? ` The certificate is for ${names}.` : '';
  return new RestSqlError('HTTP_TLS', `${shown} failed: ${what}: ${detail} (${code}).${held}`, {
    hint,
    details: { url: redactUrl(url), code, kind, option },
    cause: err,
  });
}
