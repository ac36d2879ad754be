import * as oauth from 'oauth4webapi';
import { RestSqlError, redactUrl } from '../../errors/index.js';
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
 * for loopback issuers (tests, local servers); everything else must be https.
 */
export async function discover(issuer: string, signal?: AbortSignal): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  const insecure = url.protocol === 'http:' && LOOPBACK.test(url.hostname);
  const opts = { ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}), ...(signal ? { signal } : {}) };
  try {
    let response = await oauth.discoveryRequest(url, { ...opts, algorithm: 'oauth2' });
    if (response.status === 404) response = await oauth.discoveryRequest(url, { ...opts, algorithm: 'oidc' });
    return await oauth.processDiscoveryResponse(url, response);
  } catch (e) {
    throw new RestSqlError('AUTH_DISCOVERY', `IssuerURI: cannot read the authorization server metadata of ${redactUrl(issuer)}: ${(e as Error).message}`, {
      hint: 'Check IssuerURI (the issuer identifier, without /.well-known/...), or set AuthURI and TokenURI directly.',
      details: { option: 'IssuerURI' },
      cause: e,
    });
  }
}

/** Endpoints from the options, with IssuerURI metadata filling what is not given. */
export async function resolveEndpoints(options: ConnectionOptions, signal?: AbortSignal): Promise<OAuthEndpoints> {
  const meta = options.issuerUri ? await discover(options.issuerUri, signal) : undefined;
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
export async function withOriginMetadata(endpoints: OAuthEndpoints, signal?: AbortSignal): Promise<OAuthEndpoints> {
  if (endpoints.issuer || !endpoints.authorizationEndpoint) return endpoints;
  try {
    const meta = await discover(new URL(endpoints.authorizationEndpoint).origin, signal);
    return {
      ...endpoints,
      ...(meta.revocation_endpoint ? { revocationEndpoint: meta.revocation_endpoint } : {}),
      ...(meta.device_authorization_endpoint ? { deviceEndpoint: meta.device_authorization_endpoint } : {}),
    };
  } catch {
    return endpoints;
  }
}
