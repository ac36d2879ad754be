import type { AuthorizationServer } from 'oauth4webapi';
import { RestSqlError, redactUrl } from '../../errors/index.js';
import type { HttpClient } from '../../http/contract.js';
import { fetchThrough } from '../../http/fetch.js';
import type { ConnectionOptions } from '../../options/index.js';

/** Where the OAuth conversation happens; from options, filled from RFC 8414 metadata when asked. */
export interface OAuthEndpoints {
  readonly authorizationEndpoint?: string;
  readonly tokenEndpoint: string;
  /** `POST` unless TokenURI says `GET ` (no prefix sends POST, as RFC 6749 §3.2 requires; docs/auth.md). */
  readonly tokenMethod: 'GET' | 'POST';
  readonly revocationEndpoint?: string;
  readonly deviceEndpoint?: string;
  /** The issuer identifier, when known (IssuerURI or metadata): `iss` of callbacks must equal it (RFC 9207 §2.4). */
  readonly issuer?: string;
  /** The server said it always sends `iss` (authorization_response_iss_parameter_supported). */
  readonly issRequired: boolean;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** Splits `POST https://...` / `GET https://...` / `https://...` (seed TokenURI syntax). */
export function parseTokenUri(value: string): { method: 'GET' | 'POST'; url: string } {
  const m = /^(GET|POST)\s+(\S+)$/i.exec(value.trim());
  return m ? { method: m[1]!.toUpperCase() as 'GET' | 'POST', url: m[2]! } : { method: 'POST', url: value.trim() };
}

/**
 * RFC 8414 §3: reads the authorization server metadata for `issuer`. Plain http is allowed only
 * for loopback issuers (tests, local servers); everything else must be https. The request goes
 * through `http` (oauth4webapi's customFetch), so it honours the connection's proxy, WSTimeout,
 * response limits and origin policy.
 */
export async function discover(issuer: string, http: HttpClient, signal?: AbortSignal): Promise<AuthorizationServer> {
  // Loaded when discovery runs, not at start-up.
  const oauth = await import('oauth4webapi');
  const url = new URL(issuer);
  const insecure = url.protocol === 'http:' && LOOPBACK.test(url.hostname);
  const opts = { [oauth.customFetch]: fetchThrough(http), ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}), ...(signal ? { signal } : {}) };
  try {
    let response = await oauth.discoveryRequest(url, { ...opts, algorithm: 'oauth2' });
    if (response.status === 404) response = await oauth.discoveryRequest(url, { ...opts, algorithm: 'oidc' });
    return await oauth.processDiscoveryResponse(url, response);
  } catch (e) {
    // A cancelled login stays cancelled; a timeout, an oversized or refused response is a discovery failure (the cause keeps its code).
    if (e instanceof RestSqlError && e.code === 'ABORTED') throw e;
    throw new RestSqlError('AUTH_DISCOVERY', `IssuerURI: cannot read the authorization server metadata of ${redactUrl(issuer)}: ${(e as Error).message}`, {
      hint: 'Check IssuerURI (the issuer identifier, without /.well-known/...), or set AuthURI and TokenURI directly.',
      details: { option: 'IssuerURI' },
      cause: e,
    });
  }
}

/** Endpoints from the options, with IssuerURI metadata filling what is not given. */
export async function resolveEndpoints(options: ConnectionOptions, http: HttpClient, signal?: AbortSignal): Promise<OAuthEndpoints> {
  const meta = options.issuerUri ? await discover(options.issuerUri, http, signal) : undefined;
  const token = options.tokenUri ? parseTokenUri(options.tokenUri) : meta?.token_endpoint ? { method: 'POST' as const, url: meta.token_endpoint } : undefined;
  if (!token) {
    throw new RestSqlError('CONFIG_MISSING_OPTION', 'TokenURI is not set and the issuer metadata names no token endpoint.', {
      hint: 'Set TokenURI=POST https://.../token.',
      details: { option: 'TokenURI' },
    });
  }
  const authorizationEndpoint = options.authUri ?? meta?.authorization_endpoint;
  return {
    ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
    tokenEndpoint: token.url,
    tokenMethod: token.method,
    ...(meta?.revocation_endpoint ? { revocationEndpoint: meta.revocation_endpoint } : {}),
    ...(meta?.device_authorization_endpoint ? { deviceEndpoint: meta.device_authorization_endpoint } : {}),
    ...(meta ? { issuer: meta.issuer } : {}),
    issRequired: meta?.authorization_response_iss_parameter_supported === true,
  };
}

/** Endpoints plus metadata learnt best-effort from the AuthURI's origin (for logout's revocation and --device). */
export async function withOriginMetadata(endpoints: OAuthEndpoints, http: HttpClient, signal?: AbortSignal): Promise<OAuthEndpoints> {
  if (endpoints.issuer || !endpoints.authorizationEndpoint) return endpoints;
  try {
    const meta = await discover(new URL(endpoints.authorizationEndpoint).origin, http, signal);
    return {
      ...endpoints,
      ...(meta.revocation_endpoint ? { revocationEndpoint: meta.revocation_endpoint } : {}),
      ...(meta.device_authorization_endpoint ? { deviceEndpoint: meta.device_authorization_endpoint } : {}),
    };
  } catch {
    return endpoints;
  }
}
