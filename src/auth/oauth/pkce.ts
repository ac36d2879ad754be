import { randomBytes } from 'node:crypto';

export interface PkcePair {
  /** RFC 7636 §4.1: 32 random octets, base64url (43 characters). */
  readonly verifier: string;
  /** RFC 7636 §4.2: BASE64URL(SHA256(verifier)); only S256 is ever used. */
  readonly challenge: string;
  readonly method: 'S256';
}

/** A fresh verifier and S256 challenge for each login (RFC 7636 §4.1-4.2). */
export async function createPkce(): Promise<PkcePair> {
  // Loaded at a login, not at start-up: most commands never log in.
  const oauth = await import('oauth4webapi');
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier), method: 'S256' };
}

/** A fresh, unguessable state for each login (RFC 6749 §10.12). */
export function createState(): string {
  return randomBytes(32).toString('base64url');
}
