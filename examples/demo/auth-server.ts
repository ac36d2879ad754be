/**
 * A real OAuth 2.0 authorization server on loopback (oidc-provider 9, in-memory, dev keys and login pages),
 * for `npm run demo` and the tests. Login pages accept any user with password "pw".
 */
import './quiet-oidc-provider.js';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import Provider, { errors, type ClientMetadata } from 'oidc-provider';
import { request } from 'undici';

export interface TokenRequestRecord {
  /** How the client authenticated: basic, post, query, or none (public client). */
  readonly mode: 'basic' | 'post' | 'query' | 'none';
  readonly grantType: string | undefined;
  readonly method: string;
  readonly status: number;
  readonly error: string | undefined;
  /** Parameter values seen (for leak tests): code, code_verifier, refresh_token. */
  readonly secrets: string[];
}

export interface AuthServer {
  readonly issuer: string;
  readonly provider: Provider;
  readonly tokenRequests: TokenRequestRecord[];
  /** Number of completed logins (authorization codes issued). */
  logins(): number;
  /** Whether an access token is valid (for the demo API). */
  verify(accessToken: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface AuthServerOptions {
  readonly port?: number;
  /** Public keys (PEM) that may sign JWT bearer assertions (RFC 7523), by the assertion's `iss`. */
  readonly jwtIssuers?: Readonly<Record<string, string>>;
  /** Access token lifetime in seconds (default 3600). */
  readonly accessTokenTtl?: number;
  readonly clients?: ClientMetadata[];
  /** Clients added to the defaults (e.g. a web client with an exact https://localhost:PORT redirect). */
  readonly extraClients?: ClientMetadata[];
}

/** The confidential client `npm run demo` uses. */
export const DEMO_CLIENT = { id: 'restsql-demo', secret: 'demo-secret-9f8e7d' } as const;

/**
 * Clients for the demo and the tests. For native clients, http loopback redirect URIs match any
 * port (RFC 8252 §7.3); oidc-provider refuses https://localhost for them, so an https RedirectURI
 * needs a web client registered with the exact URI (see `extraClients`).
 */
export const DEFAULT_CLIENTS: ClientMetadata[] = [
  {
    client_id: DEMO_CLIENT.id,
    client_secret: DEMO_CLIENT.secret,
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'native',
    redirect_uris: ['http://localhost', 'http://localhost/', 'http://127.0.0.1/callback', 'http://[::1]/callback'],
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
  },
  {
    client_id: 'cli-public',
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    redirect_uris: ['http://localhost', 'http://localhost/', 'http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
  },
  {
    client_id: 'legacy-code',
    client_secret: 'legacy-secret-1234',
    token_endpoint_auth_method: 'client_secret_post',
    application_type: 'native',
    redirect_uris: ['http://localhost', 'http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
  {
    // Machine clients: client credentials, and the legacy password grant (with refresh tokens).
    client_id: 'machine',
    client_secret: 'machine-secret-4711',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
  },
  {
    client_id: 'conf-post',
    client_secret: 'p@ss:w+rd/%&=',
    token_endpoint_auth_method: 'client_secret_post',
    application_type: 'native',
    redirect_uris: ['http://localhost', 'http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
];

async function replayAsPost(tokenUrl: string, params: URLSearchParams, authorization: string | undefined, res: ServerResponse): Promise<void> {
  try {
    const r = await request(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-test-original-method': 'GET', ...(authorization ? { authorization } : {}) },
      body: params.toString(),
    });
    const body = Buffer.from(await r.body.arrayBuffer());
    res.writeHead(r.statusCode, { 'content-type': String(r.headers['content-type'] ?? 'application/json') });
    res.end(body);
  } catch (e) {
    res.writeHead(502).end(String(e));
  }
}

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let codes = 0;
  const provider = new Provider(issuer, {
    clients: [...(options.clients ?? DEFAULT_CLIENTS), ...(options.extraClients ?? [])],
    // PKCE for every client but `legacy-code`, which stands for servers that predate it (OAuthCode obtained elsewhere, UsePKCE=0).
    pkce: { required: (_ctx, client) => client.clientId !== 'legacy-code' },
    scopes: ['openid', 'offline_access', 'api:read'],
    // Refresh tokens whenever the client may use the grant (the default also wants offline_access + consent).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      // A client may revoke or introspect only its own tokens.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
    },
    ttl: { AccessToken: options.accessTokenTtl ?? 3600, AuthorizationCode: 60, RefreshToken: 86400, Interaction: 600, Session: 3600, Grant: 86400, DeviceCode: 600, IdToken: 3600 },
    // Quieter dev pages: no external fonts.
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>error</title><pre>${JSON.stringify(out).replace(/</g, '&lt;')}</pre>`;
    },
  });
  provider.on('authorization_code.saved', () => void codes++);

  // Resource Owner Password Credentials (RFC 6749 §4.3) is not built in; any user with password "pw".
  const issue = async (ctx: Parameters<Parameters<Provider['registerGrantType']>[1]>[0], accountId: string, scope: string | undefined, gty: string) => {
    const client = ctx.oidc.client!;
    // A Grant records what the account allowed; refresh_token requests are checked against it.
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    if (scope) grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const at = new provider.AccessToken({ accountId, client, grantId, ...(scope ? { scope } : {}), gty } as never);
    const body: Record<string, unknown> = { access_token: await at.save(), token_type: 'Bearer', expires_in: at.expiration, ...(scope ? { scope } : {}) };
    if (client.grantTypeAllowed('refresh_token')) {
      const rt = new provider.RefreshToken({ accountId, client, grantId, ...(scope ? { scope } : {}), gty } as never);
      body.refresh_token = await rt.save();
    }
    ctx.body = body;
  };
  provider.registerGrantType('password', async (ctx) => {
    const { username, password, scope } = ctx.oidc.params as Record<string, string | undefined>;
    if (!username || password !== 'pw') throw new errors.InvalidGrant('invalid credentials');
    await issue(ctx, username, scope, 'password');
  }, ['username', 'password', 'scope']);
  // JWT bearer grant (RFC 7523): the assertion must be signed by a key registered for its iss,
  // name this token endpoint as audience, and be current.
  provider.registerGrantType('urn:ietf:params:oauth:grant-type:jwt-bearer', async (ctx) => {
    const { assertion, scope } = ctx.oidc.params as Record<string, string | undefined>;
    const claims = assertion ? decodeJwt(assertion) : undefined;
    const pem = claims?.iss ? options.jwtIssuers?.[claims.iss] : undefined;
    if (!assertion || !pem) throw new errors.InvalidGrant('unknown assertion issuer');
    const header = decodeProtectedHeader(assertion);
    try {
      await jwtVerify(assertion, await importSPKI(pem, header.alg!), { audience: `${issuer}/token`, maxTokenAge: '10m' });
    } catch (e) {
      throw new errors.InvalidGrant(`assertion rejected: ${(e as Error).message}`);
    }
    await issue(ctx, String(claims!.sub), scope, 'jwt-bearer');
  }, ['assertion', 'scope']);

  const tokenRequests: TokenRequestRecord[] = [];
  // Test-only leniency: accept client credentials in the token URL query (ClientCredentialsMode=2;
  // RFC 6749 §2.3.1 forbids it and oidc-provider rejects it) by turning them into Basic.
  provider.use(async (ctx, next) => {
    if (ctx.path === '/token' && ctx.query.client_secret && !ctx.get('authorization')) {
      const enc = (v: unknown) => encodeURIComponent(String(v)).replace(/%20/g, '+');
      ctx.req.headers.authorization = 'Basic ' + Buffer.from(`${enc(ctx.query.client_id)}:${enc(ctx.query.client_secret)}`).toString('base64');
      ctx.req.headers['x-test-client-auth'] = 'query';
    }
    await next();
  });
  // Record how each token request authenticated, so tests assert ClientCredentialsMode from the server's side.
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/token') return next();
    const mode = ctx.get('x-test-client-auth') === 'query' ? 'query' : /^basic /i.test(ctx.get('authorization')) ? 'basic' : undefined;
    await next();
    const p = (ctx.oidc?.params ?? {}) as Record<string, string | undefined>;
    tokenRequests.push({
      mode: mode ?? (p.client_secret ? 'post' : 'none'),
      grantType: p.grant_type,
      method: ctx.get('x-test-original-method') || ctx.method,
      status: ctx.status,
      error: (ctx.body as { error?: string } | undefined)?.error,
      secrets: [p.code, p.code_verifier, p.refresh_token].filter((x): x is string => typeof x === 'string'),
    });
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    // Test-only leniency: the seed's `TokenURI=GET https://...` sends the token request as a GET
    // with its parameters in the query; oidc-provider takes only POST, so replay it as one.
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/token' && url.search) {
      void replayAsPost(`${issuer}/token`, url.searchParams, req.headers.authorization, res);
      return;
    }
    handle(req, res);
  });
  return {
    issuer,
    provider,
    tokenRequests,
    logins: () => codes,
    async verify(accessToken) {
      const token = (await provider.AccessToken.find(accessToken)) ?? (await provider.ClientCredentials.find(accessToken));
      return Boolean(token && !token.isExpired);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

