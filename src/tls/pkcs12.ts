/**
 * PKCS#12 (.p12/.pfx) stores (RFC 7292), read with node-forge: Node's crypto cannot read them,
 * and OpenSSL 3 (under Node's TLS `pfx` option) refuses the RC2 and 3DES stores older tools write.
 * forge checks the store's MAC with the password and decrypts its safe contents.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';

type Forge = typeof import('node-forge');
let forgeModule: Forge | undefined;

/** node-forge, loaded on first use: it costs start-up time and most connections need no store. */
function forge(): Forge {
  forgeModule ??= createRequire(import.meta.url)('node-forge') as Forge;
  return forgeModule;
}

export interface Pkcs12Key {
  /** The private key as PKCS#8 PEM. */
  readonly keyPem: string;
  /** The bag's friendlyName attribute, when it has one. */
  readonly name?: string;
  /** The bag's localKeyId attribute (hex), which pairs it with its certificate. */
  readonly localKeyId?: string;
}

export interface Pkcs12Certificate {
  readonly certificate: X509Certificate;
  readonly localKeyId?: string;
}

export interface Pkcs12Store {
  readonly certificates: readonly Pkcs12Certificate[];
  readonly keys: readonly Pkcs12Key[];
}

export type Pkcs12Problem = 'malformed' | 'password';

export class Pkcs12Error extends Error {
  constructor(
    readonly problem: Pkcs12Problem,
    message: string,
  ) {
    super(message);
    this.name = 'Pkcs12Error';
  }
}

/** Whether `data` is DER that starts like a PFX: SEQUENCE { INTEGER 3, ... } (RFC 7292 §4). */
export function looksLikePkcs12(data: Buffer): boolean {
  if (data.length < 8 || data[0] !== 0x30) return false;
  // The outer length: short form (1 byte) or long form (0x8N then N bytes).
  const lenByte = data[1]!;
  const at = lenByte < 0x80 ? 2 : 2 + (lenByte & 0x7f);
  return data[at] === 0x02 && data[at + 1] === 0x01 && data[at + 2] === 0x03;
}

type Bag = { key?: unknown; cert?: unknown; asn1?: unknown; attributes?: Record<string, unknown[] | undefined> };

function attribute(bag: Bag, name: string): string | undefined {
  const v = bag.attributes?.[name]?.[0];
  return typeof v === 'string' ? v : undefined;
}

function hex(binary: string | undefined): string | undefined {
  return binary === undefined ? undefined : Buffer.from(binary, 'binary').toString('hex');
}

/**
 * Reads a PKCS#12 store. `password` opens it (an empty string for a store without one); a wrong
 * one is a `password` problem. RSA, EC and Ed25519 keys are returned alike: forge parses only RSA
 * keys itself, so every key goes through Node's crypto from its PKCS#8 bytes.
 */
export function readPkcs12(data: Buffer, password: string): Pkcs12Store {
  const f = forge();
  let p12: ReturnType<Forge['pkcs12']['pkcs12FromAsn1']>;
  try {
    const asn1 = f.asn1.fromDer(f.util.createBuffer(data.toString('binary')), false);
    p12 = f.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (e) {
    const message = (e as Error).message;
    // forge's words for a MAC that does not verify and for contents that do not decrypt.
    if (/MAC could not be verified|Invalid password|wrong password|decrypt/i.test(message)) throw new Pkcs12Error('password', 'the password is wrong (its integrity check or decryption fails)');
    throw new Pkcs12Error('malformed', message);
  }
  const oids = f.pki.oids;
  const bagsOf = (type: string): Bag[] => (p12.getBags({ bagType: type })[type] ?? []) as Bag[];
  const certificates: Pkcs12Certificate[] = [];
  for (const bag of bagsOf(oids.certBag as string)) {
    // forge parses only certificates with RSA keys; the others come as ASN.1, as DER is all Node needs.
    const asn1 = bag.cert ? f.pki.certificateToAsn1(bag.cert as Parameters<Forge['pki']['certificateToAsn1']>[0]) : bag.asn1;
    if (!asn1) continue;
    const der = Buffer.from(f.asn1.toDer(asn1 as Parameters<Forge['asn1']['toDer']>[0]).getBytes(), 'binary');
    const id = hex(attribute(bag, 'localKeyId'));
    certificates.push({ certificate: new X509Certificate(der), ...(id ? { localKeyId: id } : {}) });
  }
  const keys: Pkcs12Key[] = [];
  for (const bag of [...bagsOf(oids.pkcs8ShroudedKeyBag as string), ...bagsOf(oids.keyBag as string)]) {
    const info = bag.key ? f.pki.wrapRsaPrivateKey(f.pki.privateKeyToAsn1(bag.key as Parameters<Forge['pki']['privateKeyToAsn1']>[0])) : bag.asn1;
    if (!info) continue;
    const der = Buffer.from(f.asn1.toDer(info as Parameters<Forge['asn1']['toDer']>[0]).getBytes(), 'binary');
    const keyPem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string;
    const name = attribute(bag, 'friendlyName');
    const id = hex(attribute(bag, 'localKeyId'));
    keys.push({ keyPem, ...(name ? { name } : {}), ...(id ? { localKeyId: id } : {}) });
  }
  return { certificates, keys };
}
