/**
 * Which origins a connection's requests may go to. Credentials never leave the origins the
 * connection was configured for (the endpoints', HostName's, HealthURI's, the OAuth endpoints'),
 * and nothing the API sends (a next-page link in the body, a Link header) can point restsql
 * anywhere else: a request to another origin is refused before it is sent. AllowedOrigins names
 * extra origins that get requests without credentials; CredentialedOrigins extra origins that get
 * them with credentials. Only http: and https: are ever fetched.
 *
 * Origins are compared as browsers compare them (RFC 6454 §4, computed by the WHATWG URL parser,
 * the same parser undici sends with): scheme, host and port, so `//host`, `/\host`, backslashes,
 * userinfo, IDNA and default ports (`:443`, `:80`) all come out as the origin really requested.
 */
import { RestSqlError, redactUrl } from '../errors/index.js';
import { originOf } from './url.js';

/** How a request to an origin may go: with the connection's credentials, or without. */
export type OriginAccess = 'credentials' | 'anonymous';

export interface OriginPolicy {
  /** Adds `url`'s origin (a URL the connection was configured with). Ignores URLs that are not http(s). */
  allow(url: string, access?: OriginAccess): void;
  /** How a request to `url` may be sent; throws HTTP_ORIGIN_REFUSED when it may not be sent at all. */
  check(url: string, method?: string): OriginAccess;
  /** The origins allowed so far, in the order added. */
  readonly origins: ReadonlyMap<string, OriginAccess>;
}

/** Whether `a` and `b` are URLs of the same http(s) origin. */
export function sameOrigin(a: string, b: string): boolean {
  const oa = originOf(a);
  return oa !== undefined && oa === originOf(b);
}

/**
 * Reads AllowedOrigins / CredentialedOrigins: comma- or space-separated http(s) origins. A path
 * is not allowed (it would suggest a narrower rule than the origin-wide one applied).
 */
export function parseOriginList(value: string | undefined, option: string): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const item of value.split(/[\s,]+/).filter((s) => s !== '')) {
    const origin = originOf(item);
    let path = '';
    try {
      const u = new URL(item);
      path = u.pathname === '/' ? '' : u.pathname;
      path += u.search + u.hash;
    } catch {
      // Not a URL: reported below.
    }
    if (origin === undefined || path !== '' || /@/.test(item)) {
      throw new RestSqlError('CONFIG_INVALID_VALUE', `${option}: '${redactUrl(item)}' is not an http(s) origin.`, {
        hint: `Write origins as scheme://host[:port], separated by commas: ${option}=https://cdn.example.com,https://api2.example.com:8443`,
        details: { option, value: item },
      });
    }
    out.push(origin);
  }
  return out;
}

export function createOriginPolicy(extra: { allowed?: readonly string[]; credentialed?: readonly string[] } = {}): OriginPolicy {
  const origins = new Map<string, OriginAccess>();
  const add = (origin: string, access: OriginAccess) => {
    // Credentials win: an origin both configured and listed in AllowedOrigins keeps them.
    if (origins.get(origin) !== 'credentials') origins.set(origin, access);
  };
  for (const o of extra.credentialed ?? []) add(o, 'credentials');
  for (const o of extra.allowed ?? []) add(o, 'anonymous');
  return {
    origins,
    allow(url, access = 'credentials') {
      const origin = originOf(url);
      if (origin !== undefined) add(origin, access);
    },
    check(url, method = 'GET') {
      const origin = originOf(url);
      const access = origin === undefined ? undefined : origins.get(origin);
      if (access !== undefined) return access;
      // Quoted: error messages pass through the URL redactor, which would take a following comma or parenthesis for part of the URL.
      const configured = [...origins.keys()].map((o) => `'${o}'`).join(', ') || 'none';
      const shown = `${method} ${redactUrl(url)}`;
      if (origin === undefined) {
        throw new RestSqlError('HTTP_ORIGIN_REFUSED', `${shown} was refused before it was sent: restsql fetches only http: and https: URLs (this connection's origins: ${configured}).`, {
          hint: 'The API (a next-page link, say) pointed at a URL that is not http(s); nothing was fetched. Check the model file\'s paging elements, or report it to the API\'s owner.',
          details: { url: redactUrl(url), configured: [...origins.keys()] },
        });
      }
      throw new RestSqlError('HTTP_ORIGIN_REFUSED', `${shown} was refused before it was sent: its origin '${origin}' is not one this connection is configured for (${configured}), so it gets neither the credentials nor a request.`, {
        hint: `If the API really serves pages from '${origin}', add it to AllowedOrigins (requests without credentials) or CredentialedOrigins (requests with the connection's credentials): AllowedOrigins=${origin}`,
        details: { url: redactUrl(url), origin, configured: [...origins.keys()] },
      });
    },
  };
}
