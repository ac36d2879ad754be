/**
 * KeyStore: the client certificate and private key a connection presents to servers that ask for
 * one (TLS client authentication, "mutual TLS").
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { RestSqlError, type Secret } from '../errors/index.js';
import { Pkcs12Error, readPkcs12 } from './pkcs12.js';
import { detectStoreFormat, pemBlocks, readStoreFile } from './store-file.js';

export interface ClientCertificate {
  /** The private key, unencrypted PKCS#8 PEM (in memory only). */
  readonly key: string;
  /** The certificate chain as PEM, the key's own certificate first. */
  readonly cert: string;
  /** The subject of the key's certificate, for messages. */
  readonly subject: string;
}

const FORMATS_HINT = 'KeyStore takes a PEM file holding the private key and its certificate (chain), or a PKCS#12 (.p12/.pfx) store.';

function invalid(file: string, what: string, hint: string, option = 'KeyStore', cause?: unknown): RestSqlError {
  return new RestSqlError('CONFIG_INVALID_VALUE', `${option}: '${file}' ${what}.`, { hint, details: { option, file }, ...(cause !== undefined ? { cause } : {}) });
}

/** The chain with the certificate of `key` first; the others keep their order. */
function chainFor(file: string, key: KeyObject, certs: readonly X509Certificate[]): X509Certificate[] {
  const leaf = certs.find((c) => c.checkPrivateKey(key));
  if (!leaf) {
    throw invalid(file, certs.length === 0 ? 'holds a private key but no certificate' : 'holds no certificate for its private key', 'Put the client certificate issued for this key in the same file, with the private key.');
  }
  return [leaf, ...certs.filter((c) => c !== leaf)];
}

function fromPem(file: string, data: Buffer, storePassword: Secret | undefined, keyPassword: Secret | undefined): { key: KeyObject; certs: X509Certificate[] } {
  const blocks = pemBlocks(data.toString('latin1'));
  const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.label));
  if (keys.length === 0) throw invalid(file, 'holds no private key', `${FORMATS_HINT} A client certificate alone cannot authenticate.`);
  if (keys.length > 1) throw invalid(file, `holds ${keys.length} private keys`, 'Keep the one key for the client certificate in the file.');
  const password = keyPassword ?? storePassword;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keys[0]!.pem, format: 'pem', ...(password ? { passphrase: password.reveal() } : {}) });
  } catch (e) {
    const encrypted = /ENCRYPTED/.test(keys[0]!.label) || /Proc-Type: 4,ENCRYPTED/.test(keys[0]!.pem);
    if (encrypted) {
      const option = keyPassword ? 'KeyPassword' : storePassword ? 'KeyStorePassword' : 'KeyPassword';
      throw invalid(file, password ? `holds an encrypted private key that ${option} does not decrypt` : 'holds an encrypted private key and neither KeyPassword nor KeyStorePassword is set', `Set ${option} to the key's password.`, option, e);
    }
    throw invalid(file, `holds a private key that cannot be read (${(e as Error).message})`, FORMATS_HINT, 'KeyStore', e);
  }
  const certs: X509Certificate[] = [];
  for (const b of blocks) {
    if (b.label !== 'CERTIFICATE') continue;
    try {
      certs.push(new X509Certificate(b.pem));
    } catch (e) {
      throw invalid(file, `holds a certificate that cannot be read (${(e as Error).message})`, 'Check the file: each certificate must be complete, between its BEGIN and END lines.', 'KeyStore', e);
    }
  }
  return { key, certs };
}

function fromPkcs12(file: string, data: Buffer, storePassword: Secret | undefined, keyPassword: Secret | undefined): { key: KeyObject; certs: X509Certificate[] } {
  // A PKCS#12 store has one password (keytool refuses a separate key password for it).
  const password = storePassword ?? keyPassword;
  const option = storePassword ? 'KeyStorePassword' : keyPassword ? 'KeyPassword' : 'KeyStorePassword';
  let store: ReturnType<typeof readPkcs12>;
  try {
    store = readPkcs12(data, password?.reveal() ?? '');
  } catch (e) {
    if (e instanceof Pkcs12Error && e.problem === 'password') {
      throw invalid(file, password ? `cannot be opened: ${option} is wrong` : 'is protected and KeyStorePassword is not set', password ? `Set ${option} to the password of the PKCS#12 store.` : 'Set KeyStorePassword (write ${NAME} to read it from an environment variable).', option, e);
    }
    throw invalid(file, `is not a PKCS#12 store restsql can read (${(e as Error).message})`, FORMATS_HINT, 'KeyStore', e);
  }
  const first = store.keys[0];
  if (!first) throw invalid(file, 'holds no private key', `${FORMATS_HINT} A store of certificates alone cannot authenticate.`);
  const key = createPrivateKey(first.keyPem);
  // The key's certificate: the one with the same localKeyId, else the one its key matches.
  const paired = first.localKeyId ? store.certificates.filter((c) => c.localKeyId === first.localKeyId) : [];
  const ordered = [...paired, ...store.certificates.filter((c) => !paired.includes(c))].map((c) => c.certificate);
  return { key, certs: ordered };
}

/** Reads the client certificate KeyStore names; every problem is a CONFIG_* error naming the option at fault. */
export function readKeyStore(file: string, storePassword?: Secret, keyPassword?: Secret): ClientCertificate {
  const data = readStoreFile(file, 'KeyStore');
  const format = detectStoreFormat(data);
  let read: { key: KeyObject; certs: X509Certificate[] };
  switch (format) {
    case 'pem':
      read = fromPem(file, data, storePassword, keyPassword);
      break;
    case 'pkcs12':
      read = fromPkcs12(file, data, storePassword, keyPassword);
      break;
    case 'jks':
      throw new RestSqlError('CONFIG_UNSUPPORTED', `KeyStore: '${file}' is a Java key store (JKS/JCEKS); its private keys are sealed with a Sun-specific cipher restsql does not implement.`, {
        hint: `Convert it to PKCS#12 once and point KeyStore at the result: keytool -importkeystore -srckeystore '${file}' -destkeystore client.p12 -deststoretype PKCS12`,
        details: { option: 'KeyStore', file },
      });
    case 'der':
      throw invalid(file, 'is a certificate without its private key', FORMATS_HINT);
    case 'unknown':
      throw invalid(file, 'is neither PEM nor PKCS#12', FORMATS_HINT);
  }
  const chain = chainFor(file, read.key, read.certs);
  return {
    key: read.key.export({ format: 'pem', type: 'pkcs8' }) as string,
    cert: chain.map((c) => c.toString()).join(''),
    subject: chain[0]!.subject.replace(/\n/g, ', '),
  };
}
