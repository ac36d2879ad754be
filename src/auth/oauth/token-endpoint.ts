import { RestSqlError, redactUrl, type Secret } from '../../errors/index.js';
import type { HttpClient, HttpResponse } from '../../http/contract.js';
import type { Logger } from '../../util/logger.js';

/** What restsql keeps of a token response. */
export interface TokenSet {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly refreshToken?: string;
  /** Epoch ms; absent when the server did not say (the token is then used until a 401). */
  readonly expiresAt?: number;
  readonly scope?: string;
  readonly obtainedAt: number;
}

/** How the client authenticates to the token endpoint (seed ClientCredentialsMode, inside our own names). */
export type ClientAuth = 'basic' | 'query' | 'body';

export interface TokenClient {
  readonly endpoint: string;
  readonly method: 'GET' | 'POST';
  readonly clientId: string;
  readonly clientSecret?: Secret;
  readonly clientAuth: ClientAuth;
}

/** ClientCredentialsMode 0 and 1: Basic; 2: URL query (non-standard); 3: POST body. */
export function clientAuthFromMode(mode: number): ClientAuth {
  return mode === 2 ? 'query' : mode === 3 ? 'body' : 'basic';
}

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

let warnedQueryCredentials = false;

/**
 * Adds the client's credentials to a request to the token endpoint (or to the revocation and
 * device endpoints, which authenticate the same way, RFC 7009 §2.1 and RFC 8628 §3.1). Exactly one
 * mechanism is used (RFC 6749 §2.3); a public client (no secret) sends `client_id` in the body
 * (§3.2.1).
 */
export function authenticateClient(client: TokenClient, form: URLSearchParams, headers: Record<string, string>, url: URL, logger: Logger): void {
  const secret = client.clientSecret?.reveal();
  if (secret === undefined) {
    // A public client names itself (RFC 6749 §3.2.1); a JWT bearer grant may come with no client at all (RFC 7523 §2.1).
    if (client.clientId) form.set('client_id', client.clientId);
  } else if (client.clientAuth === 'basic') {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    headers.authorization = 'Basic ' + Buffer.from(`${formEncode(client.clientId)}:${formEncode(secret)}`).toString('base64');
  } else if (client.clientAuth === 'query') {
    if (!warnedQueryCredentials) {
      warnedQueryCredentials = true;
      logger.warn('ClientCredentialsMode=2 sends the client secret in the token URL query, which RFC 6749 §2.3.1 forbids; prefer 0 (Basic) or 3 (Post).');
    }
    url.searchParams.set('client_id', client.clientId);
    url.searchParams.set('client_secret', secret);
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', secret);
  }
}

/**
 * Builds and sends a token request (RFC 6749 §3.2, §4.1.3, §6) to the configured endpoint with the
 * configured method, authenticating the client as ClientCredentialsMode says.
 */
export async function requestToken(http: HttpClient, client: TokenClient, params: Record<string, string>, logger: Logger): Promise<TokenSet> {
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = { accept: 'application/json' };
  const url = new URL(client.endpoint);
  authenticateClient(client, form, headers, url, logger);
  let response: HttpResponse;
  if (client.method === 'GET') {
    for (const [k, v] of form) url.searchParams.set(k, v);
    response = await http.send({ url: url.toString(), method: 'GET', headers, anyStatus: true });
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    response = await http.send({ url: url.toString(), method: 'POST', headers, body: form.toString(), anyStatus: true });
  }
  return parseTokenResponse(response, params.grant_type ?? 'unknown');
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * Reads a token response leniently, as real servers need: JSON or form-encoded bodies,
 * token_type missing or lower-case, expires_in as a string (RFC 6749 §5.1 is stricter).
 * Errors (RFC 6749 §5.2) become AUTH_TOKEN_ERROR with the server's error and description.
 */
export function parseTokenResponse(response: HttpResponse, grant: string, now = Date.now()): TokenSet {
  const text = response.body.toString('utf8');
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    if (/^[\w.~%+-]+=/.test(text)) body = Object.fromEntries(new URLSearchParams(text));
  }
  const error = asString(body.error);
  if (response.status < 200 || response.status > 299 || error) {
    const description = asString(body.error_description);
    throw new RestSqlError('AUTH_TOKEN_ERROR', `The token endpoint ${redactUrl(response.url)} refused the ${grant} request (HTTP ${response.status})${error ? `: ${error}` : ''}${description ? ` (${description})` : ''}.`, {
      hint:
        error === 'invalid_client' ? 'Check ClientID, ClientSecret and ClientCredentialsMode (how the client authenticates).'
        : error === 'invalid_grant' ? 'The code or refresh token is no longer valid; log in again (restsql login).'
        : 'Check the OAuth options (ClientID, ClientSecret, TokenURI, RedirectURI, Scope) against the server registration.',
      details: { status: response.status, ...(error ? { error } : {}), grant },
    });
  }
  const accessToken = asString(body.access_token);
  if (!accessToken) {
    throw new RestSqlError('AUTH_TOKEN_ERROR', `The token endpoint ${redactUrl(response.url)} answered the ${grant} request without an access_token.`, {
      hint: 'Check TokenURI: it must be the token endpoint, which answers with JSON holding access_token.',
      details: { status: response.status, grant },
    });
  }
  const rawType = asString(body.token_type) ?? 'Bearer';
  const expiresIn = Number(asString(body.expires_in) ?? asString(body.expires) ?? NaN);
  const refreshToken = asString(body.refresh_token);
  const scope = asString(body.scope);
  return {
    accessToken,
    tokenType: rawType.toLowerCase() === 'bearer' ? 'Bearer' : rawType,
    ...(refreshToken ? { refreshToken } : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: now + expiresIn * 1000 } : {}),
    ...(scope ? { scope } : {}),
    obtainedAt: now,
  };
}
