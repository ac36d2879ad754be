/**
 * RFC 7523 §2.1: the JWT a client presents as an authorization grant (AuthenticationMethod=55),
 * signed with the key from JWTCertStore (PEM; PKCS#12 through node-forge).
 */
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RestSqlError, type Secret } from '../../errors/index.js';

export interface AssertionOptions {
  readonly keyFile: string;
  readonly password?: Secret;
  readonly alias?: string;
  readonly issuer: string;
  readonly subject: string;
  /** The token endpoint: the audience (RFC 7523 §3 item 3). */
  readonly audience: string;
  readonly scope?: string;
  readonly lifetimeSeconds?: number;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function bad(message: string, cause?: unknown): RestSqlError {
  return new RestSqlError('CONFIG_INVALID_VALUE', `JWTCertStore: ${message}`, {
    hint: 'Point JWTCertStore at a PEM private key (or a PKCS#12 file with JWTCertPassword), readable by this user.',
    details: { option: 'JWTCertStore' },
    ...(cause ? { cause } : {}),
  });
}

/** Reads the signing key: PEM (optionally encrypted) or PKCS#12. */
export async function loadSigningKey(file: string, password?: Secret, alias?: string): Promise<KeyObject> {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw bad(`cannot read ${file}: ${(e as Error).message}`, e);
  }
  const text = raw.toString('utf8');
  if (text.includes('-----BEGIN')) {
    try {
      return createPrivateKey({ key: text, format: 'pem', ...(password ? { passphrase: password.reveal() } : {}) });
    } catch (e) {
      throw bad(`${file} holds no usable private key (${(e as Error).message})${password ? '' : '; if it is encrypted, set JWTCertPassword'}.`, e);
    }
  }
  // PKCS#12: Node's crypto cannot read it; node-forge can.
  const forge = (await import('node-forge')).default;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(raw.toString('binary')));
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password?.reveal() ?? '');
    const shrouded = forge.pki.oids.pkcs8ShroudedKeyBag as string;
    const plain = forge.pki.oids.keyBag as string;
    const bags = [...(p12.getBags({ bagType: shrouded })[shrouded] ?? []), ...(p12.getBags({ bagType: plain })[plain] ?? [])];
    const bag = alias ? bags.find((b) => b.attributes?.friendlyName?.[0] === alias) : bags[0];
    if (!bag?.key) throw new Error(alias ? `no key named '${alias}' (JWTCertAlias)` : 'no private key in it');
    return createPrivateKey({ key: forge.pki.privateKeyToPem(bag.key), format: 'pem' });
  } catch (e) {
    throw bad(`cannot read ${file} as PKCS#12: ${(e as Error).message}${password ? '' : '; if it is protected, set JWTCertPassword'}.`, e);
  }
}

/** The signed assertion: RS256 for RSA keys, ES256/384/512 for EC keys, EdDSA for Ed25519. */
export async function createAssertion(o: AssertionOptions, now = Date.now()): Promise<string> {
  const key = await loadSigningKey(o.keyFile, o.password, o.alias);
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const alg = type === 'rsa' ? 'RS256' : type === 'ec' ? (curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256') : type === 'ed25519' ? 'EdDSA' : undefined;
  if (!alg) throw bad(`keys of type ${type} cannot sign a JWT; use RSA, EC or Ed25519.`);
  const iat = Math.floor(now / 1000);
  const header = { alg, typ: 'JWT', ...(o.alias ? { kid: o.alias } : {}) };
  const payload = { iss: o.issuer, sub: o.subject, aud: o.audience, iat, nbf: iat, exp: iat + (o.lifetimeSeconds ?? 300), jti: randomUUID(), ...(o.scope ? { scope: o.scope } : {}) };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const digest = alg === 'EdDSA' ? null : alg.endsWith('384') ? 'sha384' : alg.endsWith('512') ? 'sha512' : 'sha256';
  const signature = sign(digest, Buffer.from(input), type === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${b64url(signature)}`;
}
