/**
 * TrustStore: the certificate authorities a connection trusts for HTTPS. Like the driver's
 * truststore (Java's javax.net.ssl.trustStore, which it overrides), it replaces the default list:
 * only the CAs in it are trusted.
 */
import { X509Certificate } from 'node:crypto';
import { RestSqlError, type Secret } from '../errors/index.js';
import { JksError, readJavaKeyStore } from './jks.js';
import { Pkcs12Error, readPkcs12 } from './pkcs12.js';
import { detectStoreFormat, FORMAT_NAMES, pemBlocks, readStoreFile, type StoreFormat } from './store-file.js';

export interface TrustStore {
  readonly format: StoreFormat;
  readonly certificates: readonly X509Certificate[];
  /** The certificates as PEM, for Node's `ca` option. */
  readonly pem: readonly string[];
}

const FORMATS_HINT = 'TrustStore takes a PEM file or bundle (-----BEGIN CERTIFICATE-----), a DER certificate, a PKCS#12 (.p12/.pfx) or a JKS store.';

function invalid(file: string, what: string, hint: string, option = 'TrustStore', cause?: unknown): RestSqlError {
  return new RestSqlError('CONFIG_INVALID_VALUE', `${option}: '${file}' ${what}.`, { hint, details: { option, file }, ...(cause !== undefined ? { cause } : {}) });
}

function certificatesOf(file: string, data: Buffer, format: StoreFormat, password: Secret | undefined): X509Certificate[] {
  switch (format) {
    case 'pem': {
      const out: X509Certificate[] = [];
      for (const b of pemBlocks(data.toString('latin1'))) {
        if (b.label !== 'CERTIFICATE') continue;
        try {
          out.push(new X509Certificate(b.pem));
        } catch (e) {
          throw invalid(file, `holds a certificate that cannot be read (certificate ${out.length + 1}: ${(e as Error).message})`, 'Check the file: each certificate must be complete, between its BEGIN and END lines.', 'TrustStore', e);
        }
      }
      return out;
    }
    case 'der':
      return [new X509Certificate(data)];
    case 'pkcs12':
      try {
        return readPkcs12(data, password?.reveal() ?? '').certificates.map((c) => c.certificate);
      } catch (e) {
        if (e instanceof Pkcs12Error && e.problem === 'password') {
          throw invalid(file, `cannot be opened: ${password ? 'TrustStorePassword is wrong' : 'it is protected and TrustStorePassword is not set'}`, password ? 'Set TrustStorePassword to the password of the PKCS#12 store.' : 'Set TrustStorePassword (write ${NAME} to read it from an environment variable).', 'TrustStorePassword', e);
        }
        throw invalid(file, `is not a PKCS#12 store restsql can read (${(e as Error).message})`, FORMATS_HINT, 'TrustStore', e);
      }
    case 'jks':
      try {
        const store = readJavaKeyStore(data, password?.reveal());
        return store.entries.flatMap((e) => (e.kind === 'trusted' ? [e.certificate] : e.chain.slice(0, 1))).map((der) => new X509Certificate(der));
      } catch (e) {
        if (e instanceof JksError && e.problem === 'password') throw invalid(file, `fails its integrity check with TrustStorePassword: the password is wrong, or the file was changed`, 'Set TrustStorePassword to the store password (keytool -list -keystore FILE asks for the same one).', 'TrustStorePassword', e);
        throw invalid(file, `is not a Java key store restsql can read (${(e as Error).message})`, FORMATS_HINT, 'TrustStore', e);
      }
    case 'unknown':
      throw invalid(file, 'is not a certificate store: neither PEM, DER, PKCS#12 nor JKS', FORMATS_HINT);
  }
}

/** Reads the store TrustStore names; every problem is a CONFIG_INVALID_VALUE naming TrustStore or TrustStorePassword. */
export function readTrustStore(file: string, password?: Secret): TrustStore {
  const data = readStoreFile(file, 'TrustStore');
  const format = detectStoreFormat(data);
  const certificates = certificatesOf(file, data, format, password);
  if (certificates.length === 0) {
    throw invalid(file, `holds no certificate (read as ${FORMAT_NAMES[format]})`, `Put the CA certificate that signed the server's certificate in it. ${FORMATS_HINT}`);
  }
  return { format, certificates, pem: certificates.map((c) => c.toString()) };
}
