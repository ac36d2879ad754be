/**
 * Java key stores (JKS, and JCEKS, which shares its layout), read far enough for trust: the
 * certificates of trusted-certificate entries and of private-key entries. The private keys
 * themselves are protected with a proprietary Sun cipher and are never decrypted here.
 *
 * Layout (big-endian): magic (0xFEEDFEED JKS, 0xCECECECE JCEKS), version (1 or 2), entry count,
 * then the entries, then a 20-byte SHA-1 over the password (UTF-16BE), the ASCII words
 * "Mighty Aphrodite" and every byte before the digest. An entry is a tag (1 private key,
 * 2 trusted certificate, 3 JCEKS secret key), an alias (u16 length + modified UTF-8), a
 * millisecond timestamp (u64) and:
 *   tag 1: the protected key (u32 length + bytes), then a chain count and the chain's certificates;
 *   tag 2: one certificate.
 * A certificate is (version 2 only: its type as u16 length + UTF-8, "X.509") u32 length + DER.
 * A tag 3 entry is a serialized Java object whose length only Java's deserializer knows.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;
const DIGEST_BYTES = 20;
/** More entries than any real store has; a corrupt count fails here instead of looping. */
const MAX_ENTRIES = 100_000;

export type JavaKeyStoreEntry =
  | { readonly kind: 'trusted'; readonly alias: string; readonly certificate: Buffer }
  | { readonly kind: 'key'; readonly alias: string; readonly chain: readonly Buffer[] };

export interface JavaKeyStore {
  readonly format: 'JKS' | 'JCEKS';
  readonly entries: readonly JavaKeyStoreEntry[];
  /** Whether the integrity digest was checked (a password was given). */
  readonly verified: boolean;
}

export type JksProblem = 'malformed' | 'password' | 'unsupported';

export class JksError extends Error {
  constructor(
    readonly problem: JksProblem,
    message: string,
  ) {
    super(message);
    this.name = 'JksError';
  }
}

/** Whether `data` starts like a JKS or JCEKS store. */
export function isJavaKeyStore(data: Buffer): boolean {
  if (data.length < 4) return false;
  const magic = data.readUInt32BE(0);
  return magic === JKS_MAGIC || magic === JCEKS_MAGIC;
}

/** The keyed digest that ends a store: SHA-1(password as UTF-16BE, "Mighty Aphrodite", body). */
export function javaKeyStoreDigest(body: Buffer, password: string): Buffer {
  const pw = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  return createHash('sha1').update(pw).update('Mighty Aphrodite', 'utf8').update(body).digest();
}

class Reader {
  #at = 0;
  constructor(private readonly data: Buffer) {}
  get at(): number {
    return this.#at;
  }
  #need(n: number, what: string): void {
    if (n < 0 || this.#at + n > this.data.length) throw new JksError('malformed', `the store ends inside ${what}`);
  }
  u16(what: string): number {
    this.#need(2, what);
    const v = this.data.readUInt16BE(this.#at);
    this.#at += 2;
    return v;
  }
  u32(what: string): number {
    this.#need(4, what);
    const v = this.data.readUInt32BE(this.#at);
    this.#at += 4;
    return v;
  }
  bytes(n: number, what: string): Buffer {
    this.#need(n, what);
    const v = this.data.subarray(this.#at, this.#at + n);
    this.#at += n;
    return v;
  }
  /** Java's writeUTF: u16 length + modified UTF-8 (read as UTF-8: aliases are plain text). */
  utf(what: string): string {
    return this.bytes(this.u16(what), what).toString('utf8');
  }
}

/**
 * Reads a JKS or JCEKS store. With a password the integrity digest is checked first, and a
 * mismatch is a `password` problem (a wrong password and a tampered file look the same); without
 * one the entries are read unchecked, as Java's KeyStore.load(stream, null) does.
 */
export function readJavaKeyStore(data: Buffer, password?: string): JavaKeyStore {
  if (!isJavaKeyStore(data)) throw new JksError('malformed', 'it does not start with the JKS or JCEKS magic number');
  if (data.length < 12 + DIGEST_BYTES) throw new JksError('malformed', 'it is too short to be a key store');
  const format = data.readUInt32BE(0) === JKS_MAGIC ? 'JKS' : 'JCEKS';
  const body = data.subarray(0, data.length - DIGEST_BYTES);
  if (password !== undefined) {
    const expected = javaKeyStoreDigest(body, password);
    if (!timingSafeEqual(expected, data.subarray(data.length - DIGEST_BYTES))) {
      throw new JksError('password', 'its integrity check fails: the password is wrong, or the file was changed');
    }
  }
  const r = new Reader(body);
  r.u32('the magic number');
  const version = r.u32('the version');
  if (version !== 1 && version !== 2) throw new JksError('malformed', `version ${version} is not a JKS version (1 or 2)`);
  const count = r.u32('the entry count');
  if (count > MAX_ENTRIES) throw new JksError('malformed', `it claims ${count} entries`);
  const certificate = (what: string): Buffer => {
    if (version === 2) {
      const type = r.utf(`the certificate type of ${what}`);
      if (type !== 'X.509') throw new JksError('unsupported', `${what} holds a ${JSON.stringify(type)} certificate; only X.509 is read`);
    }
    return r.bytes(r.u32(`the certificate length of ${what}`), `the certificate of ${what}`);
  };
  const entries: JavaKeyStoreEntry[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.u32(`entry ${i + 1}`);
    const alias = r.utf(`the alias of entry ${i + 1}`);
    const what = `entry '${alias}'`;
    r.bytes(8, `the date of ${what}`);
    if (tag === 1) {
      r.bytes(r.u32(`the key length of ${what}`), `the key of ${what}`);
      const n = r.u32(`the chain length of ${what}`);
      if (n > MAX_ENTRIES) throw new JksError('malformed', `${what} claims ${n} certificates`);
      const chain: Buffer[] = [];
      for (let c = 0; c < n; c++) chain.push(certificate(what));
      entries.push({ kind: 'key', alias, chain });
    } else if (tag === 2) {
      entries.push({ kind: 'trusted', alias, certificate: certificate(what) });
    } else if (tag === 3 && format === 'JCEKS') {
      throw new JksError('unsupported', `${what} is a JCEKS secret-key entry, which only Java can read past`);
    } else {
      throw new JksError('malformed', `${what} has the unknown tag ${tag}`);
    }
  }
  if (r.at !== body.length) throw new JksError('malformed', `${body.length - r.at} bytes follow the last entry`);
  return { format, entries, verified: password !== undefined };
}
