import { RestSqlError } from '../errors/index.js';
import type { Authenticator, HttpRequest, HttpResponse } from '../http/client.js';
import { authMethodByCode, type ConnectionOptions } from '../options/index.js';
import type { Logger } from '../util/logger.js';
import { OAuthSession, type LoginUi } from './oauth/session.js';
import type { TokenSet } from './oauth/token-endpoint.js';
import type { TokenStore } from './token-store/file-store.js';

export interface AuthContext {
  readonly stateDir: string;
  readonly ui: LoginUi;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly store?: TokenStore;
}

/** The seed's AuthHeader/SecurityToken pair: an extra header on every API request, whatever the method. */
function extraHeaders(options: ConnectionOptions): Record<string, string> {
  return options.authHeader && options.securityToken ? { [options.authHeader]: options.securityToken.reveal() } : {};
}

/** AuthenticationMethod=15 (None), plus the optional AuthHeader/SecurityToken header. */
class HeaderAuthenticator implements Authenticator {
  constructor(private readonly extra: Readonly<Record<string, string>>) {}

  async authorize(req: HttpRequest): Promise<HttpRequest> {
    if (Object.keys(this.extra).length === 0) return req;
    return { ...req, headers: { ...req.headers, ...this.extra } };
  }

  async onUnauthorized(): Promise<boolean> {
    return false;
  }
}

/**
 * OAuth 2.0 bearer tokens (RFC 6750 §2.1) from an OAuthSession, plus the AuthHeader/SecurityToken
 * header (the seed's tenant-header case). A 401 makes the session refresh or log in once.
 */
export class OAuthAuthenticator implements Authenticator {
  #last: TokenSet | undefined;

  constructor(
    readonly session: OAuthSession,
    private readonly extra: Readonly<Record<string, string>>,
  ) {}

  async authorize(req: HttpRequest): Promise<HttpRequest> {
    const token = await this.session.accessToken();
    this.#last = token;
    return { ...req, headers: { ...req.headers, ...this.extra, authorization: `${token.tokenType} ${token.accessToken}` } };
  }

  async onUnauthorized(_res: HttpResponse): Promise<boolean> {
    await this.session.afterRejection(this.#last);
    return true;
  }
}

function unsupported(options: ConnectionOptions): RestSqlError {
  const method = authMethodByCode(options.authenticationMethod);
  return new RestSqlError('CONFIG_UNSUPPORTED', `AuthenticationMethod=${options.authenticationMethod}${method ? ` (${method.name})` : ''} is not supported by this version of restsql yet.`, {
    hint: 'Supported now: 15 (None) and 56 (OAuth2-PKCE); see `restsql options`.',
    details: { option: 'AuthenticationMethod', value: options.authenticationMethod },
  });
}

/** The OAuth session for methods that have one (for `restsql login`, `logout`, `token`). */
export function createOAuthSession(options: ConnectionOptions, ctx: AuthContext): OAuthSession {
  if (options.authenticationMethod !== 56) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `AuthenticationMethod=${options.authenticationMethod} has no OAuth login to manage.`, {
      hint: 'login, logout and token apply to OAuth methods such as AuthenticationMethod=56 (OAuth2-PKCE).',
      details: { option: 'AuthenticationMethod' },
    });
  }
  return new OAuthSession(options, ctx);
}

export function createAuthenticator(options: ConnectionOptions, ctx: AuthContext): { authenticator: Authenticator; close(): Promise<void> } {
  const method = authMethodByCode(options.authenticationMethod);
  if (!method || !method.implemented) throw unsupported(options);
  switch (options.authenticationMethod) {
    case 15:
      return { authenticator: new HeaderAuthenticator(extraHeaders(options)), close: async () => {} };
    case 56: {
      const session = new OAuthSession(options, ctx);
      return { authenticator: new OAuthAuthenticator(session, extraHeaders(options)), close: () => session.close() };
    }
    default:
      throw unsupported(options);
  }
}
