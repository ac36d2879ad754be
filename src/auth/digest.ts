/**
 * HTTP Digest access authentication (RFC 7616), AuthenticationMethod=30: the first request goes
 * without credentials; the server's 401 challenge (realm, nonce, qop, algorithm) is answered on
 * the retry and on every request after it, with an increasing nonce count.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Authenticator, HttpRequest, HttpResponse } from '../http/contract.js';

interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly qop?: string;
  readonly algorithm: string;
  readonly userhash: boolean;
}

/** Parses `Digest realm="x", nonce="y", qop="auth,auth-int", algorithm=SHA-256` (RFC 7616 §3.3). */
export function parseDigestChallenge(header: string | readonly string[] | undefined): Challenge | undefined {
  const values = Array.isArray(header) ? header : header ? [header as string] : [];
  for (const value of values) {
    const m = /Digest\s+(.*)$/is.exec(value);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of m[1]!.matchAll(/([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/gi)) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
    if (!params.nonce || params.realm === undefined) continue;
    return {
      realm: params.realm,
      nonce: params.nonce,
      ...(params.opaque !== undefined ? { opaque: params.opaque } : {}),
      ...(params.qop !== undefined ? { qop: params.qop } : {}),
      algorithm: (params.algorithm ?? 'MD5').toUpperCase(),
      userhash: params.userhash === 'true',
    };
  }
  return undefined;
}

function hashFor(algorithm: string): (s: string) => string {
  const name = algorithm.replace(/-SESS$/, '') === 'SHA-256' ? 'sha256' : algorithm.replace(/-SESS$/, '') === 'SHA-512-256' ? 'sha512-256' : 'md5';
  return (s) => createHash(name).update(s, 'utf8').digest('hex');
}

/** The Authorization header value answering `c` for one request (RFC 7616 §3.4). */
export function digestAuthorization(c: Challenge, user: string, password: string, method: string, uri: string, nc: number, cnonce = randomBytes(12).toString('hex')): string {
  const H = hashFor(c.algorithm);
  const qop = c.qop?.split(',').map((s) => s.trim()).includes('auth') ? 'auth' : undefined;
  let ha1 = H(`${user}:${c.realm}:${password}`);
  if (c.algorithm.endsWith('-SESS')) ha1 = H(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = H(`${method}:${uri}`);
  const ncText = nc.toString(16).padStart(8, '0');
  const response = qop ? H(`${ha1}:${c.nonce}:${ncText}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${c.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const username = c.userhash ? H(`${user}:${c.realm}`) : user;
  return [
    `Digest username=${q(username)}`,
    `realm=${q(c.realm)}`,
    `nonce=${q(c.nonce)}`,
    `uri=${q(uri)}`,
    `algorithm=${c.algorithm}`,
    `response=${q(response)}`,
    ...(c.opaque !== undefined ? [`opaque=${q(c.opaque)}`] : []),
    ...(qop ? [`qop=${qop}`, `nc=${ncText}`, `cnonce=${q(cnonce)}`] : []),
    ...(c.userhash ? ['userhash=true'] : []),
  ].join(', ');
}

export class DigestAuthenticator implements Authenticator {
  #challenge?: Challenge;
  #nc = 0;
  #lastRejectedNonce?: string;

  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly extra: Readonly<Record<string, string>> = {},
  ) {}

  async authorize(req: HttpRequest): Promise<HttpRequest> {
    const headers = { ...req.headers, ...this.extra };
    if (!this.#challenge) return { ...req, headers };
    const u = new URL(req.url);
    const value = digestAuthorization(this.#challenge, this.user, this.password, req.method ?? 'GET', u.pathname + u.search, ++this.#nc);
    return { ...req, headers: { ...headers, authorization: value } };
  }

  /** A new challenge (or a stale nonce) is worth one more try; the same nonce refused twice is not. */
  async onUnauthorized(res: HttpResponse): Promise<boolean> {
    const c = parseDigestChallenge(res.headers['www-authenticate']);
    if (!c) return false;
    const stale = /stale\s*=\s*"?true/i.test(String(res.headers['www-authenticate']));
    if (this.#challenge && c.nonce === this.#lastRejectedNonce && !stale) return false;
    this.#lastRejectedNonce = c.nonce;
    this.#challenge = c;
    this.#nc = 0;
    return true;
  }
}
