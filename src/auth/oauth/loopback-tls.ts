import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { RestSqlError } from '../../errors/index.js';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

async function readPem(path: string, option: string, kind: 'certificate' | 'private key'): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${option}: cannot read ${path}: ${(e as Error).message}`, {
      hint: `Point ${option} at a PEM file.`,
      details: { option },
      cause: e,
    });
  }
  // Checked here so a wrong file is a configuration error naming the option, not an OpenSSL
  // message from the TLS server later ("PEM routines::no start line").
  try {
    if (kind === 'certificate') new X509Certificate(text);
    else createPrivateKey(text);
  } catch (e) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `${option}: ${path} is not a PEM ${kind} (${(e as Error).message}).`, {
      hint: kind === 'certificate' ? `Point ${option} at a PEM file that starts with -----BEGIN CERTIFICATE-----.` : `Point ${option} at an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----).`,
      details: { option, file: path },
      cause: e,
    });
  }
  return text;
}

/**
 * TLS for an https:// RedirectURI (the seed's example is https://localhost:8080): the certificate
 * and key named by options, else a self-signed certificate for localhost, 127.0.0.1 and ::1 made
 * on first use and kept in `<stateDir>/tls` (key 0600). `notify` is told once, when it is made,
 * that browsers will warn about it.
 */
export async function loopbackTls(stateDir: string, files: { cert?: string; key?: string }, notify: (m: string) => void): Promise<TlsMaterial> {
  if (files.cert && files.key) return { cert: await readPem(files.cert, 'RedirectTLSCert', 'certificate'), key: await readPem(files.key, 'RedirectTLSKey', 'private key') };
  const dir = join(stateDir, 'tls');
  const certFile = join(dir, 'loopback-cert.pem');
  const keyFile = join(dir, 'loopback-key.pem');
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    if (new Date(new X509Certificate(cert).validTo).getTime() > Date.now() + 86_400_000) return { cert, key };
  } catch {
    // Absent or unreadable: make a new one below.
  }
  const pems = await generate([{ name: 'commonName', value: 'restsql loopback' }], {
    keyType: 'ec',
    // selfsigned signs with SHA-1 unless told otherwise.
    algorithm: 'sha256',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, pems.private, { mode: 0o600 });
  await writeFile(certFile, pems.cert, { mode: 0o644 });
  notify(`Made a self-signed certificate for the https RedirectURI (${certFile}). Your browser will warn about it when the login returns to restsql: that page is served by restsql on this machine, so it is safe to continue. Set RedirectTLSCert/RedirectTLSKey to use your own.`);
  return { cert: pems.cert, key: pems.private };
}
