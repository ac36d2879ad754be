/**
 * Reading a TrustStore or KeyStore file and telling its format from its content (never from its
 * extension: a ".crt" may be PEM or DER, a ".jks" may really be PKCS#12, as keytool writes
 * since Java 9).
 */
import { X509Certificate } from 'node:crypto';
import { RestSqlError } from '../errors/index.js';
import { BoundedFileError, readBoundedFile } from '../util/bounded-file.js';
import { isJavaKeyStore } from './jks.js';
import { looksLikePkcs12 } from './pkcs12.js';

/** Far more than a CA bundle (Mozilla's is about 220 KiB) or a key store holds. */
export const MAX_STORE_BYTES = 8 * 1024 * 1024;

export type StoreFormat = 'pem' | 'der' | 'pkcs12' | 'jks' | 'unknown';

export const FORMAT_NAMES: Readonly<Record<StoreFormat, string>> = {
  pem: 'PEM',
  der: 'DER certificate',
  pkcs12: 'PKCS#12',
  jks: 'Java key store',
  unknown: 'unknown',
};

export function detectStoreFormat(data: Buffer): StoreFormat {
  if (isJavaKeyStore(data)) return 'jks';
  // PEM may follow a byte-order mark, comments or "Bag Attributes" lines (openssl pkcs12 output).
  if (data.subarray(0, 64 * 1024).toString('latin1').includes('-----BEGIN ')) return 'pem';
  if (looksLikePkcs12(data)) return 'pkcs12';
  if (data[0] === 0x30) {
    try {
      new X509Certificate(data);
      return 'der';
    } catch {
      // Not a certificate either.
    }
  }
  return 'unknown';
}

/** The bytes of the file `option` names, or a CONFIG_INVALID_VALUE naming the option. */
export function readStoreFile(file: string, option: string): Buffer {
  try {
    return readBoundedFile(file, MAX_STORE_BYTES);
  } catch (e) {
    const why = e instanceof BoundedFileError ? e.message : (e as Error).message;
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${option}: cannot read '${file}': ${why}.`, {
      hint: `Point ${option} at the store file (relative paths are resolved from the current directory).`,
      details: { option, file },
      cause: e,
    });
  }
}

/**
 * Every `-----BEGIN <label>-----` ... `-----END <label>-----` block of a PEM text, in order, up to
 * the first block that is not closed (one pass over the text, whatever it holds).
 */
export function pemBlocks(text: string): { label: string; pem: string }[] {
  const out: { label: string; pem: string }[] = [];
  const begin = /-----BEGIN ([A-Z0-9 ]{1,64})-----/g;
  for (let m = begin.exec(text); m !== null; m = begin.exec(text)) {
    const end = `-----END ${m[1]!}-----`;
    const at = text.indexOf(end, begin.lastIndex);
    if (at < 0) break;
    out.push({ label: m[1]!, pem: text.slice(m.index, at + end.length) });
    begin.lastIndex = at + end.length;
  }
  return out;
}
