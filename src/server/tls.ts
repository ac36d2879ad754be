import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RestSqlError } from '../errors/index.js';

/** The PEM certificate (chain) and private key restsql serve answers SSLRequest with. */
export interface ServerTlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** True for restsql's own self-signed certificate (made now or earlier), false for --tls-cert/--tls-key. */
  readonly generated: boolean;
}

const CERT_OPTION = '--tls-cert';
const KEY_OPTION = '--tls-key';
const DAY_MS = 86_400_000;
/** A self-signed certificate is replaced when it has less than this left. */
const MIN_REMAINING_MS = DAY_MS;
/** 825 days: the longest validity common TLS clients accept for a server certificate. */
const VALIDITY_MS = 825 * DAY_MS;
/** Backdated by an hour so a client whose clock is a little behind does not see it as not yet valid. */
const BACKDATE_MS = 3_600_000;

/**
 * The TLS material of restsql serve (PostgreSQL 15 protocol-flow "SSL Session Encryption"):
 *
 * - the PEM certificate and key given by --tls-cert and --tls-key: both or neither; each is
 *   checked to be PEM of its kind and the key to be the certificate's, so a wrong file is a
 *   configuration error naming the option rather than an OpenSSL message when the first client
 *   asks for TLS;
 * - else a self-signed certificate made on first use and kept in `<stateDir>/tls/serve-cert.pem`
 *   and `serve-key.pem` (folder 0700, key 0600), reused while it is valid for more than a day,
 *   matches its key and names every host below; otherwise it is made again.
 *
 * The self-signed certificate's subjectAltName holds localhost, 127.0.0.1, ::1, this machine's
 * host name and `opts.altNames` (the --host the server listens on when it is not loopback; the
 * wildcard addresses 0.0.0.0 and :: name no host and are left out), so a client that trusts it
 * (libpq sslmode=verify-full with sslrootcert=<the cert file>) can verify the name it connects to.
 * `notify` is told once, when the certificate is made.
 */
export async function serverTls(
  stateDir: string,
  files: { cert?: string; key?: string },
  notify: (m: string) => void,
  opts: { altNames?: readonly string[] } = {},
): Promise<ServerTlsMaterial> {
  if (files.cert !== undefined || files.key !== undefined) return givenTls(files, notify);
  return selfSignedTls(stateDir, notify, opts.altNames ?? []);
}

async function givenTls(files: { cert?: string; key?: string }, notify: (m: string) => void): Promise<ServerTlsMaterial> {
  if (files.cert === undefined || files.key === undefined) {
    const [given, missing] = files.cert === undefined ? [KEY_OPTION, CERT_OPTION] : [CERT_OPTION, KEY_OPTION];
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${given} is given without ${missing}: restsql serve needs both the certificate and its private key.`, {
      hint: `Give both ${CERT_OPTION} and ${KEY_OPTION}, or neither to use a self-signed certificate.`,
      details: { option: missing },
    });
  }
  const certText = await readText(files.cert, CERT_OPTION);
  const keyText = await readText(files.key, KEY_OPTION);
  const x509 = parseCert(certText, files.cert);
  const key = parseKey(keyText, files.key);
  if (!x509.checkPrivateKey(key)) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${KEY_OPTION}: the private key in ${files.key} is not the key of the certificate in ${files.cert}.`, {
      hint: `Give ${CERT_OPTION} and ${KEY_OPTION} from the same pair (the key the certificate was issued for).`,
      details: { option: KEY_OPTION, file: files.key },
    });
  }
  if (new Date(x509.validTo).getTime() <= Date.now()) {
    notify(`The certificate in ${files.cert} (${CERT_OPTION}) expired on ${x509.validTo}; clients that verify the server (sslmode=verify-ca or verify-full) will refuse to connect.`);
  }
  return { cert: certText, key: keyText, generated: false };
}

async function readText(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${option}: cannot read ${path}: ${(e as Error).message}`, {
      hint: `Point ${option} at a readable PEM file.`,
      details: { option, file: path },
      cause: e,
    });
  }
}

function parseCert(text: string, path: string): X509Certificate {
  try {
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no -----BEGIN CERTIFICATE----- line');
    return new X509Certificate(text);
  } catch (e) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${CERT_OPTION}: ${path} is not a PEM certificate (${(e as Error).message}).`, {
      hint: `Point ${CERT_OPTION} at a PEM file that starts with -----BEGIN CERTIFICATE----- (the server certificate first, then any intermediates).`,
      details: { option: CERT_OPTION, file: path },
      cause: e,
    });
  }
}

function parseKey(text: string, path: string): KeyObject {
  try {
    if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text)) throw new Error('no -----BEGIN ... PRIVATE KEY----- line');
    return createPrivateKey(text);
  } catch (e) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${KEY_OPTION}: ${path} is not an unencrypted PEM private key (${(e as Error).message}).`, {
      hint: `Point ${KEY_OPTION} at an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----); decrypt it with: openssl pkey -in KEY -out KEY.pem`,
      details: { option: KEY_OPTION, file: path },
      cause: e,
    });
  }
}

/** The names the self-signed certificate covers: loopback, the machine's host name, the caller's. */
function certificateNames(altNames: readonly string[]): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname(), ...altNames]
    .map((n) => n.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '').toLowerCase())
    .filter((n) => n !== '' && n !== '0.0.0.0' && n !== '::');
  return [...new Set(names)];
}

function covers(x509: X509Certificate, name: string): boolean {
  return isIP(name) ? x509.checkIP(name) !== undefined : x509.checkHost(name, { wildcards: false }) !== undefined;
}

/** The kept certificate and key if they can still be used for `names`, else undefined. */
async function reusable(certFile: string, keyFile: string, names: readonly string[]): Promise<{ cert: string; key: string } | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const x509 = new X509Certificate(cert);
    if (new Date(x509.validTo).getTime() <= Date.now() + MIN_REMAINING_MS) return undefined;
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    if (!names.every((n) => covers(x509, n))) return undefined;
    return { cert, key };
  } catch {
    return undefined; // Absent, unreadable or not PEM: made again.
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode, flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

async function selfSignedTls(stateDir: string, notify: (m: string) => void, altNames: readonly string[]): Promise<ServerTlsMaterial> {
  const dir = join(stateDir, 'tls');
  const certFile = join(dir, 'serve-cert.pem');
  const keyFile = join(dir, 'serve-key.pem');
  const names = certificateNames(altNames);
  const kept = await reusable(certFile, keyFile, names);
  if (kept) return { ...kept, generated: true };

  // Loaded only here: selfsigned is slow to import and most starts reuse the kept certificate.
  const { generate } = await import('selfsigned');
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'restsql serve' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - BACKDATE_MS),
    notAfterDate: new Date(now + VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') await chmod(dir, 0o700);
    await writeAtomic(keyFile, pems.private, 0o600);
    await writeAtomic(certFile, pems.cert, 0o644);
  } catch (e) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `Cannot keep the self-signed TLS certificate of restsql serve in ${dir}: ${(e as Error).message}`, {
      hint: `Make ${stateDir} writable, or give ${CERT_OPTION} and ${KEY_OPTION}.`,
      details: { folder: dir },
      cause: e,
    });
  }
  notify(
    `Made a self-signed TLS certificate for restsql serve (${certFile}), for ${names.join(', ')}. ` +
      `Clients that verify the server need it as their trusted root (libpq: sslmode=verify-full sslrootcert=${certFile}); ` +
      `give ${CERT_OPTION} and ${KEY_OPTION} to use your own.`,
  );
  return { cert: pems.cert, key: pems.private, generated: true };
}
