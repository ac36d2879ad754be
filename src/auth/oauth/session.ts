import { join } from 'node:path';
import { RestSqlError, redactUrl } from '../../errors/index.js';
import type { HttpClient } from '../../http/contract.js';
import type { ConnectionOptions } from '../../options/index.js';
import type { AuthContext, LoginUi } from '../context.js';
import { FileTokenStore, type TokenKey, type TokenStore } from '../token-store/file-store.js';
import { buildAuthorizationUrl } from './authorize-url.js';
import { pollDeviceToken, requestDeviceCode } from './device.js';
import { resolveEndpoints, withOriginMetadata, type OAuthEndpoints } from './endpoints.js';
import { startCallbackListener } from './loopback-listener.js';
import { createPkce, createState } from './pkce.js';
import { revokeToken } from './revoke.js';
import { clientAuthFromMode, requestToken, type TokenClient, type TokenSet } from './token-endpoint.js';

export type { LoginUi };

export interface TokenStatus {
  readonly cached: boolean;
  readonly expiresAt?: number;
  readonly scope?: string;
  readonly hasRefreshToken: boolean;
  readonly tokenEndpoint: string;
  readonly clientId: string;
}

/** Refresh this long before expiry, but never more than a tenth of the token's lifetime. */
function isFresh(t: TokenSet, now: number): boolean {
  if (t.expiresAt === undefined) return true;
  const skew = Math.min(60_000, (t.expiresAt - t.obtainedAt) / 10);
  return t.expiresAt - now > skew;
}

const REFRESH_DEAD = new Set(['invalid_grant', 'invalid_token', 'unauthorized_client']);

/** How a session gets a new token when neither the cache nor refreshing helps. */
export type Grant = 'pkce' | 'code' | 'password' | 'client_credentials' | 'refresh_token' | 'jwt_bearer';

/**
 * The grant of an OAuth AuthenticationMethod. For 24 (OAuth2, DataDirect's legacy method) it is
 * inferred from the options given, in this order: OAuthCode -> authorization code; RefreshToken ->
 * refresh token; User + Password -> password; JWTCertStore -> JWT bearer; AuthURI + RedirectURI ->
 * browser login with PKCE; ClientSecret -> client credentials.
 */
export function grantFor(o: ConnectionOptions): Grant {
  switch (o.authenticationMethod) {
    case 56:
      return 'pkce';
    case 51:
      return 'code';
    case 52:
      return 'password';
    case 53:
      return 'client_credentials';
    case 50:
    case 54:
      return 'refresh_token';
    case 55:
      return 'jwt_bearer';
  }
  if (o.oauthCode) return 'code';
  if (o.refreshToken) return 'refresh_token';
  if (o.user && o.password) return 'password';
  if (o.jwtCertStore) return 'jwt_bearer';
  if ((o.authUri || o.issuerUri) && o.redirectUri) return 'pkce';
  if (o.clientSecret) return 'client_credentials';
  throw new RestSqlError('CONFIG_MISSING_OPTION', 'AuthenticationMethod=24 (OAuth2) cannot tell which grant to use from the options given.', {
    hint: 'Give OAuthCode, RefreshToken, User and Password, JWTCertStore, AuthURI and RedirectURI, or ClientID and ClientSecret, or pick the method directly (51-56).',
    details: { option: 'AuthenticationMethod' },
  });
}

let warnedPassword = false;

/**
 * One client's tokens for one authorization server: cached in the TokenStore, refreshed before
 * expiry and after a 401 (single-flight in the process, a file lock across processes), and a new
 * login (browser with PKCE, or device code) only when refreshing cannot help.
 */
export class OAuthSession {
  readonly key: TokenKey;
  readonly #options: ConnectionOptions;
  readonly #ctx: AuthContext;
  readonly #now: () => number;
  readonly #store: TokenStore;
  readonly #http: HttpClient;
  #endpoints?: Promise<OAuthEndpoints>;
  #current?: TokenSet;
  #inflight?: Promise<TokenSet>;
  readonly grant: Grant;
  /** OAuthCode is single-use: exchanged once per process at most. */
  #codeUsed = false;

  constructor(options: ConnectionOptions, ctx: AuthContext) {
    this.#options = options;
    this.#ctx = ctx;
    this.#now = ctx.now ?? Date.now;
    this.#store = ctx.store ?? new FileTokenStore(join(ctx.stateDir, 'tokens'));
    // Token requests are not retried: a code or a rotated refresh token must not be sent twice.
    // They go to the endpoints the options or the issuer's metadata name (which may be on other
    // origins than the API's), so the API's origin policy does not apply to them.
    this.#http = ctx.transport.derive({ retries: 0, origins: undefined });
    this.grant = grantFor(options);
    const subject = this.grant === 'password' ? options.user : this.grant === 'jwt_bearer' ? (options.claimsSubject ?? options.claimsIssuer ?? options.clientId) : undefined;
    this.key = {
      authUri: options.authUri ?? options.issuerUri ?? '',
      tokenUri: options.tokenUri ?? options.issuerUri ?? '',
      clientId: options.clientId ?? '',
      scope: options.scope ?? '',
      ...(subject !== undefined ? { subject } : {}),
    };
    // AuthenticationMethod=50 with a RefreshToken: the given access token is used until it is refused.
    if (options.accessToken) this.#current = { accessToken: options.accessToken.reveal(), tokenType: 'Bearer', obtainedAt: this.#now() };
  }

  #lockWaitMs(): number {
    return this.#options.loginTimeout * 1000 + 30_000;
  }

  /**
   * `fn` under the cross-process lock of this session's tokens. When another process holds it
   * (logging in, which may take up to LoginTimeout, or refreshing), the logger says so once: the
   * CLI prints it on stderr, so a command does not sit silent for minutes.
   */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.#store.withLock(this.key, this.#lockWaitMs(), fn, (waitMs) =>
      this.#ctx.logger.info(`waiting for another restsql process to finish logging in (up to ${Math.ceil(waitMs / 1000)} s; LoginTimeout)`),
    );
  }

  async endpoints(): Promise<OAuthEndpoints> {
    this.#endpoints ??= resolveEndpoints(this.#options, this.#ctx.transport, this.#ctx.signal);
    return this.#endpoints;
  }

  async #client(): Promise<TokenClient> {
    const e = await this.endpoints();
    return {
      endpoint: e.tokenEndpoint,
      method: e.tokenMethod,
      auth: clientAuthFromMode(this.#options.clientCredentialsMode, this.#options.clientId ?? '', this.#options.clientSecret, this.#ctx.logger),
    };
  }

  /** A usable access token: the one in hand, the cached one, a refreshed one, or a new login. */
  async accessToken(): Promise<TokenSet> {
    if (this.#current && isFresh(this.#current, this.#now())) return this.#current;
    return this.#singleFlight(async () => {
      const cached = (await this.#store.read(this.key))?.token;
      if (cached && isFresh(cached, this.#now())) return cached;
      if (cached?.refreshToken) return this.#refresh(cached);
      return this.#locked(() => this.#loginLocked(false));
    });
  }

  /** After the API answered 401 with `rejected`: refresh (or log in) once. */
  async afterRejection(rejected: TokenSet | undefined): Promise<void> {
    await this.#singleFlight(async () => {
      const cached = (await this.#store.read(this.key))?.token;
      const stale = rejected ?? cached;
      if (stale?.refreshToken) return this.#refresh(stale);
      if (cached?.refreshToken) return this.#refresh(cached);
      return this.#locked(() => this.#loginLocked(true));
    });
  }

  /** `restsql login`: always a new login, replacing what is cached. */
  async login(): Promise<TokenSet> {
    return this.#singleFlight(() => this.#locked(() => this.#loginLocked(true)));
  }

  /** `restsql logout`: revokes at the server when it advertises revocation (RFC 7009), then forgets. */
  async logout(): Promise<{ removed: boolean; revoked: boolean; revocationAdvertised: boolean }> {
    const cached = (await this.#store.read(this.key))?.token;
    let revoked = false;
    const endpoints = await withOriginMetadata(await this.endpoints(), this.#ctx.transport, this.#ctx.signal);
    if (cached && endpoints.revocationEndpoint) {
      const client = await this.#client();
      if (cached.refreshToken) revoked = await revokeToken(this.#http, endpoints.revocationEndpoint, client.auth, cached.refreshToken, 'refresh_token');
      revoked = (await revokeToken(this.#http, endpoints.revocationEndpoint, client.auth, cached.accessToken, 'access_token')) || revoked;
    }
    this.#current = undefined;
    const removed = await this.#store.remove(this.key);
    return { removed, revoked, revocationAdvertised: endpoints.revocationEndpoint !== undefined };
  }

  /** `restsql token`: what is cached, never the token itself. */
  async status(): Promise<TokenStatus> {
    const cached = (await this.#store.read(this.key))?.token;
    const e = await this.endpoints();
    return {
      cached: cached !== undefined,
      ...(cached?.expiresAt !== undefined ? { expiresAt: cached.expiresAt } : {}),
      ...(cached?.scope ? { scope: cached.scope } : {}),
      hasRefreshToken: Boolean(cached?.refreshToken),
      tokenEndpoint: redactUrl(e.tokenEndpoint),
      clientId: this.#options.clientId ?? '',
    };
  }

  /** Nothing to release: the transport belongs to the connection. */
  async close(): Promise<void> {}

  async #singleFlight(fn: () => Promise<TokenSet>): Promise<TokenSet> {
    if (this.#inflight) return this.#inflight;
    this.#inflight = fn()
      .then((t) => {
        this.#current = t;
        return t;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  /** RFC 6749 §6, under the cross-process lock; a rotated refresh token is saved at once. */
  async #refresh(stale: TokenSet): Promise<TokenSet> {
    return this.#locked(async () => {
      const cached = (await this.#store.read(this.key))?.token;
      // Another process may have refreshed (or logged in) while we waited for the lock.
      if (cached && cached.accessToken !== stale.accessToken && isFresh(cached, this.#now())) return cached;
      const refreshToken = cached?.refreshToken ?? stale.refreshToken;
      if (!refreshToken) return this.#loginLocked(true);
      try {
        const fresh = await requestToken(this.#http, await this.#client(), { grant_type: 'refresh_token', refresh_token: refreshToken }, this.#now());
        const merged: TokenSet = { ...fresh, ...(fresh.refreshToken ? {} : { refreshToken }) };
        await this.#store.write(this.key, merged);
        this.#ctx.logger.debug('oauth: access token refreshed');
        return merged;
      } catch (e) {
        const error = e instanceof RestSqlError ? e.details.error : undefined;
        if (typeof error !== 'string' || !REFRESH_DEAD.has(error)) throw e;
        this.#ctx.logger.info(`The refresh token is no longer accepted (${error}); a new login is needed.`);
        await this.#store.remove(this.key);
        return this.#loginLocked(true);
      }
    });
  }

  /** A new login, holding the lock. Unless forced, a login another process just finished is reused. */
  async #loginLocked(force: boolean): Promise<TokenSet> {
    if (!force) {
      const cached = (await this.#store.read(this.key))?.token;
      if (cached && isFresh(cached, this.#now())) return cached;
    }
    const token = await this.#obtain();
    await this.#store.write(this.key, token);
    return token;
  }

  /** A new token by the session's grant. */
  async #obtain(): Promise<TokenSet> {
    const o = this.#options;
    const ui = this.#ctx.ui;
    const scope: Record<string, string> = o.scope ? { scope: o.scope } : {};
    switch (this.grant) {
      case 'pkce':
        this.#interactiveOrFail();
        return ui.device ? this.#deviceLogin() : this.#browserLogin(true);
      case 'code':
        // RFC 6749 §4.1.3 with a code obtained out of band (OAuthCode); else, when allowed, a browser login.
        if (o.oauthCode && !this.#codeUsed) {
          this.#codeUsed = true;
          return this.#tokenRequest({ grant_type: 'authorization_code', code: o.oauthCode.reveal(), ...(o.redirectUri ? { redirect_uri: o.redirectUri } : {}) });
        }
        if (!o.enableLoginPrompt) {
          throw new RestSqlError('AUTH_LOGIN_REQUIRED', o.oauthCode ? 'The authorization code (OAuthCode) was used already and no cached token is left.' : 'The authorization code grant needs a code: OAuthCode is not set and EnableLoginPrompt is off.', {
            hint: 'Get a new code and set OAuthCode, or set EnableLoginPrompt=1 to log in in the browser.',
            details: { option: 'OAuthCode' },
          });
        }
        this.#interactiveOrFail();
        return ui.device ? this.#deviceLogin() : this.#browserLogin(o.usePkce);
      case 'password':
        // RFC 9700 §2.4: the password grant MUST NOT be used; it exists for legacy services.
        if (!warnedPassword) {
          warnedPassword = true;
          this.#ctx.logger.warn('AuthenticationMethod=52 (OAuth2-Password) gives the client your password; RFC 9700 §2.4 says not to use this grant. Prefer 56 (PKCE) where the server allows it.');
        }
        return this.#tokenRequest({ grant_type: 'password', username: o.user ?? '', password: o.password?.reveal() ?? '', ...scope });
      case 'client_credentials':
        return this.#tokenRequest({ grant_type: 'client_credentials', ...scope });
      case 'refresh_token':
        if (!o.refreshToken) {
          throw new RestSqlError('AUTH_LOGIN_REQUIRED', 'The access token was refused and there is no RefreshToken to get a new one.', {
            hint: 'Set RefreshToken (and TokenURI) so restsql can renew the access token, or give a fresh AccessToken.',
            details: { option: 'RefreshToken' },
          });
        }
        return this.#tokenRequest({ grant_type: 'refresh_token', refresh_token: o.refreshToken.reveal(), ...scope }, o.refreshToken.reveal());
      case 'jwt_bearer': {
        const e = await this.endpoints();
        const issuer = o.claimsIssuer ?? o.clientId ?? '';
        // Loaded when used: key handling (node-forge for PKCS#12) costs start-up time otherwise.
        const { createAssertion } = await import('./jwt-assertion.js');
        const assertion = await createAssertion({
          keyFile: o.jwtCertStore ?? '',
          ...(o.jwtCertPassword ? { password: o.jwtCertPassword } : {}),
          ...(o.jwtCertAlias ? { alias: o.jwtCertAlias } : {}),
          issuer,
          subject: o.claimsSubject ?? issuer,
          audience: e.tokenEndpoint,
          ...scope,
        }, this.#now());
        return this.#tokenRequest({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, ...scope });
      }
      default: {
        const unknown: never = this.grant;
        throw new RestSqlError('INTERNAL', `No way to obtain a token for grant ${String(unknown)}.`);
      }
    }
  }

  async #tokenRequest(params: Record<string, string>, keepRefreshToken?: string): Promise<TokenSet> {
    const t = await requestToken(this.#http, await this.#client(), params, this.#now());
    return t.refreshToken || !keepRefreshToken ? t : { ...t, refreshToken: keepRefreshToken };
  }

  #interactiveOrFail(): void {
    if (!this.#ctx.ui.interactive) {
      throw new RestSqlError('AUTH_LOGIN_REQUIRED', 'No usable token is cached for this connection, and this process may not start a login.', {
        hint: 'Run `restsql login` with the same connection options first.',
      });
    }
  }

  /** RFC 6749 §4.1 with PKCE (RFC 7636) and a loopback redirect (RFC 8252 §7.3). */
  async #browserLogin(usePkce: boolean): Promise<TokenSet> {
    const o = this.#options;
    const e = await this.endpoints();
    const redirectUri = o.redirectUri;
    if (!e.authorizationEndpoint || !redirectUri || !o.clientId) {
      throw new RestSqlError('CONFIG_MISSING_OPTION', 'A browser login needs AuthURI (or IssuerURI), RedirectURI and ClientID.', {
        hint: 'Set them in the connection string or DSN.',
        details: { option: !e.authorizationEndpoint ? 'AuthURI' : !redirectUri ? 'RedirectURI' : 'ClientID' },
      });
    }
    const ui = this.#ctx.ui;
    const pkce = await createPkce();
    const state = createState();
    // Loaded when used: certificate generation (selfsigned, @peculiar/x509) costs 0.15 s to load.
    const tls = redirectUri.toLowerCase().startsWith('https:') ? await (await import('./loopback-tls.js')).loopbackTls(this.#ctx.stateDir, { ...(o.redirectTlsCert ? { cert: o.redirectTlsCert } : {}), ...(o.redirectTlsKey ? { key: o.redirectTlsKey } : {}) }, ui.notify) : undefined;
    // Listen before anything is shown, so a busy port fails at once.
    const listener = await startCallbackListener({
      redirectUri,
      expect: { state, ...(e.issuer ? { issuer: e.issuer } : {}), authorizationEndpoint: e.authorizationEndpoint, issRequired: e.issRequired },
      timeoutMs: o.loginTimeout * 1000,
      ...(this.#ctx.signal ? { signal: this.#ctx.signal } : {}),
      ...(tls ? { tls } : {}),
    });
    const lines = ui.pastedLines?.()[Symbol.asyncIterator]();
    try {
      const url = buildAuthorizationUrl({ authorizationEndpoint: e.authorizationEndpoint, clientId: o.clientId, redirectUri, ...(o.scope ? { scope: o.scope } : {}), state, ...(usePkce ? { codeChallenge: pkce.challenge } : {}) });
      ui.notify(`To log in, open this URL in a browser:\n\n  ${url}\n`);
      let opened = false;
      if (ui.openBrowser) {
        try {
          await ui.openBrowser(url);
          opened = true;
        } catch (err) {
          ui.notify(`Could not open a browser (${(err as Error).message}); open the URL above yourself.`);
        }
      }
      if (lines) {
        ui.notify(opened
          ? `Waiting for the browser to return to ${redirectUri} ...`
          : `After logging in, the browser is sent to ${redirectUri}. If this machine cannot receive it, paste that whole address here and press Enter.`);
        void (async () => {
          for (let r = await lines.next(); !r.done; r = await lines.next()) {
            if (/^https?:\/\//i.test(r.value.trim())) return listener.deliver(r.value);
          }
        })().catch(() => {});
      } else {
        ui.notify(`Waiting for the browser to return to ${redirectUri} ...`);
      }
      const { code } = await listener.result;
      const token = await requestToken(this.#http, await this.#client(), { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...(usePkce ? { code_verifier: pkce.verifier } : {}) }, this.#now());
      ui.notify('Logged in.');
      return token;
    } finally {
      await listener.close();
      await lines?.return?.();
    }
  }

  /** RFC 8628, when the server advertises a device authorization endpoint. */
  async #deviceLogin(): Promise<TokenSet> {
    const e = await withOriginMetadata(await this.endpoints(), this.#ctx.transport, this.#ctx.signal);
    if (!e.deviceEndpoint) {
      throw new RestSqlError('CONFIG_UNSUPPORTED', 'The authorization server does not advertise a device authorization endpoint (RFC 8628), so --device cannot be used.', {
        hint: 'Set IssuerURI so restsql can read the server metadata, or log in with the browser (without --device).',
        details: { option: 'IssuerURI' },
      });
    }
    const client = await this.#client();
    const auth = await requestDeviceCode(this.#http, e.deviceEndpoint, client, this.#options.scope, this.#now());
    const ui = this.#ctx.ui;
    ui.notify(`To log in, open ${auth.verificationUri} and enter the code ${auth.userCode}` + (auth.verificationUriComplete ? `\n(or open ${auth.verificationUriComplete})` : ''));
    if (ui.openBrowser) {
      await ui.openBrowser(auth.verificationUriComplete ?? auth.verificationUri).catch(() => {});
    }
    const token = await pollDeviceToken(this.#http, client, auth, this.#now() + this.#options.loginTimeout * 1000, this.#ctx.signal, this.#now);
    ui.notify('Logged in.');
    return token;
  }
}
