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

/**
 * Adds the client's credentials to a form request (token, revocation and device authorization
 * endpoints authenticate clients alike: RFC 6749 §2.3, RFC 7009 §2.1, RFC 8628 §3.1): to the
 * headers, the form, or the URL. Modelled on oauth4webapi's ClientSecretBasic / ClientSecretPost /
 * None; exactly one mechanism per request (RFC 6749 §2.3).
 */
export type ClientAuth = (form: URLSearchParams, headers: Record<string, string>, url: URL) => void;

/** Where a client's requests go and how it authenticates. */
export interface TokenClient {
  readonly endpoint: string;
  readonly method: 'GET' | 'POST';
  readonly auth: ClientAuth;
}

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** RFC 6749 §2.3.1: `Authorization: Basic`, the id and secret form-urlencoded before Basic encoding. */
export function clientSecretBasic(clientId: string, secret: Secret): ClientAuth {
  return (_form, headers) => {
    headers.authorization = 'Basic ' + Buffer.from(`${formEncode(clientId)}:${formEncode(secret.reveal())}`).toString('base64');
  };
}

/** RFC 6749 §2.3.1: `client_id` and `client_secret` in the form body. */
export function clientSecretPost(clientId: string, secret: Secret): ClientAuth {
  return (form) => {
    form.set('client_id', clientId);
    form.set('client_secret', secret.reveal());
  };
}

let warnedQueryCredentials = false;

/** ClientCredentialsMode=2: id and secret as URL query parameters, which RFC 6749 §2.3.1 forbids (the seed allows it; warned once). */
export function clientSecretQuery(clientId: string, secret: Secret, logger: Logger): ClientAuth {
  return (_form, _headers, url) => {
    if (!warnedQueryCredentials) {
      warnedQueryCredentials = true;
      logger.warn('ClientCredentialsMode=2 sends the client secret in the token URL query, which RFC 6749 §2.3.1 forbids; prefer 0 (Basic) or 3 (Post).');
    }
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('client_secret', secret.reveal());
  };
}

/** A public client names itself in the body (RFC 6749 §3.2.1); a JWT bearer grant may come with no client at all (RFC 7523 §2.1). */
export function publicClient(clientId: string | undefined): ClientAuth {
  return (form) => {
    if (clientId) form.set('client_id', clientId);
  };
}

/** ClientCredentialsMode 0 and 1: Basic; 2: URL query (non-standard); 3: POST body. Without a secret: a public client. */
export function clientAuthFromMode(mode: number, clientId: string, secret: Secret | undefined, logger: Logger): ClientAuth {
  if (secret === undefined) return publicClient(clientId);
  return mode === 2 ? clientSecretQuery(clientId, secret, logger) : mode === 3 ? clientSecretPost(clientId, secret) : clientSecretBasic(clientId, secret);
}

/**
 * Sends a client-authenticated form to `endpoint` (RFC 6749 §3.2, RFC 7009 §2.1, RFC 8628 §3.1):
 * POST with an application/x-www-form-urlencoded body, or (TokenURI `GET ...`) the form as query
 * parameters. Any status comes back: the caller reads the protocol's errors.
 */
export async function postForm(http: HttpClient, endpoint: string, method: 'GET' | 'POST', params: Readonly<Record<string, string>>, auth: ClientAuth): Promise<HttpResponse> {
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = { accept: 'application/json' };
  const url = new URL(endpoint);
  auth(form, headers, url);
  if (method === 'GET') {
    for (const [k, v] of form) url.searchParams.set(k, v);
    return http.send({ url: url.toString(), method: 'GET', headers, anyStatus: true });
  }
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return http.send({ url: url.toString(), method: 'POST', headers, body: form.toString(), anyStatus: true });
}

/** A token request (RFC 6749 §3.2, §4.1.3, §6) to the client's endpoint with its method and authentication. */
export async function requestToken(http: HttpClient, client: TokenClient, params: Record<string, string>, now = Date.now()): Promise<TokenSet> {
  const response = await postForm(http, client.endpoint, client.method, params, client.auth);
  return parseTokenResponse(response, params.grant_type ?? 'unknown', now);
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
