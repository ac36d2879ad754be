/**
 * A small PKI for TLS tests: a CA, server certificates it signs (for 127.0.0.1/localhost or any
 * other name), a client certificate, and the same material as PKCS#12 and JKS stores, so tests
 * never depend on openssl or keytool being installed.
 */
import { createHash, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { generate } from 'selfsigned';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

const DAY = 86_400_000;

/** The CA is RSA so node-forge can put its certificate in a PKCS#12 store. */
export async function makeCa(name = 'restsql test CA'): Promise<KeyPair> {
  const p = await generate([{ name: 'commonName', value: name }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: p.cert, key: p.private };
}

/** A server certificate signed by `ca` for `names` (IP addresses or DNS names). */
export async function makeServerCert(ca: KeyPair, names: readonly string[] = ['127.0.0.1', 'localhost'], o: { notAfter?: Date; notBefore?: Date } = {}): Promise<KeyPair> {
  const altNames = names.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  const p = await generate([{ name: 'commonName', value: names[0]! }], {
    // selfsigned signs with the CA's key as if it had the leaf's type, so both are RSA.
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    ca: { key: ca.key, cert: ca.cert },
    notBeforeDate: o.notBefore ?? new Date(Date.now() - DAY),
    notAfterDate: o.notAfter ?? new Date(Date.now() + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: p.cert, key: p.private };
}

/** A client certificate (RSA, so node-forge can put it in a PKCS#12 store) signed by `ca`. */
export async function makeClientCert(ca: KeyPair, name = 'restsql test client'): Promise<KeyPair> {
  const p = await generate([{ name: 'commonName', value: name }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    ca: { key: ca.key, cert: ca.cert },
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { cert: p.cert, key: p.private };
}

/**
 * A PKCS#12 store (node-forge, which handles RSA keys and certificates only: the CA and the
 * client certificate are RSA). With `key` it holds the key and `certs` (its chain); without, the
 * certificates alone (a trust store).
 */
export function pkcs12Of(certs: readonly string[], password: string, o: { key?: string; algorithm?: 'aes256' | '3des' } = {}): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(o.key ? forge.pki.privateKeyFromPem(o.key) : null, certs.map((c) => forge.pki.certificateFromPem(c)), password, { algorithm: o.algorithm ?? 'aes256', ...(o.key ? { friendlyName: 'client' } : {}) });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * A JKS trust store (version 2) with one trusted-certificate entry per certificate, written from
 * the format's description: magic, version, count, entries, then SHA-1 over the password as
 * UTF-16BE, "Mighty Aphrodite" and the body.
 */
export function jksOf(certs: readonly string[], password: string): Buffer {
  const parts: Buffer[] = [];
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const utf = (s: string) => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);
  parts.push(u32(0xfeedfeed), u32(2), u32(certs.length));
  certs.forEach((pem, i) => {
    const der = new X509Certificate(pem).raw;
    const when = Buffer.alloc(8);
    when.writeBigUInt64BE(BigInt(Date.now()));
    parts.push(u32(2), utf(`ca-${i}`), when, utf('X.509'), u32(der.length), der);
  });
  const body = Buffer.concat(parts);
  const pw = Buffer.from(password, 'utf16le').swap16();
  const digest = createHash('sha1').update(pw).update(Buffer.from('Mighty Aphrodite', 'latin1')).update(body).digest();
  return Buffer.concat([body, digest]);
}
