/**
 * Every HTTP request to `restsql mcp --http` passes here before the MCP transport sees it:
 *
 * - DNS rebinding (MCP specification 2025-06-18, Transports, "Security Warning"): a web page whose
 *   name resolves to 127.0.0.1 makes the browser send its own name as Host and its own origin as
 *   Origin; both must name loopback (Host is required; Origin may be absent, as non-browser
 *   clients send none), else 403.
 * - The bearer token (RFC 6750 §2.1 `Authorization: Bearer`), compared in constant time; missing
 *   or wrong, 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3).
 */
import { constantTimeEqual } from '../util/constant-time.js';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopback } from '../util/loopback.js';

export interface Refusal {
  readonly status: 401 | 403;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The host name of a Host header value (`127.0.0.1:8080`, `[::1]:8080`, `localhost`), or undefined when malformed. */
function hostOf(header: string): string | undefined {
  try {
    return new URL(`http://${header}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/** Whether an Origin header names a loopback http(s) origin. */
function loopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopback(u.hostname.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    return false;
  }
}

export class RequestGuard {
  readonly #expected: string;

  constructor(token: string) {
    this.#expected = token;
  }

  /** Why the request is refused, or undefined when it may pass. */
  check(headers: IncomingHttpHeaders): Refusal | undefined {
    const host = headers.host === undefined ? undefined : hostOf(headers.host);
    if (host === undefined || !isLoopback(host)) {
      return { status: 403, message: 'Forbidden: the Host header must name this machine (127.0.0.1, localhost or [::1]).' };
    }
    const origin = headers.origin;
    if (origin !== undefined && !loopbackOrigin(origin)) {
      return { status: 403, message: 'Forbidden: requests from web pages of other origins are refused (Origin must be loopback).' };
    }
    const auth = headers.authorization;
    const m = auth === undefined ? null : /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(auth);
    if (!m) {
      return { status: 401, message: 'Unauthorized: send the token as "Authorization: Bearer TOKEN".', headers: { 'www-authenticate': 'Bearer realm="restsql-mcp"' } };
    }
    if (!constantTimeEqual(m[1]!, this.#expected)) {
      return { status: 401, message: 'Unauthorized: the bearer token is wrong.', headers: { 'www-authenticate': 'Bearer realm="restsql-mcp", error="invalid_token"' } };
    }
    return undefined;
  }
}
