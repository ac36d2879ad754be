import { RestSqlError } from '../errors/index.js';
import type { Authenticator, HttpRequest, HttpResponse } from '../http/contract.js';
import { authMethodByCode, type ConnectionOptions } from '../options/index.js';
import { AwsSigV4Authenticator, serviceAndRegionFromHost, type AwsCredentials } from './aws-sigv4.js';
import { CustomAuthenticator, serverNameOf, type CustomSteps } from './custom.js';
import { DigestAuthenticator } from './digest.js';
import { StaticAuthenticator, basicCredentials } from './header-auth.js';
import type { AuthContext } from './context.js';
import { OAuthSession } from './oauth/session.js';
import type { TokenSet } from './oauth/token-endpoint.js';

export type { AuthContext };

/** The seed's AuthHeader/SecurityToken pair: an extra header on every API request, whatever the method. */
function extraHeaders(options: ConnectionOptions): Record<string, string> {
  return options.authHeader && options.securityToken ? { [options.authHeader]: options.securityToken.reveal() } : {};
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
  return new RestSqlError('CONFIG_UNSUPPORTED', `AuthenticationMethod=${options.authenticationMethod}${method ? ` (${method.name})` : ''} is not supported by this version of restsql.`, {
    hint: 'See `restsql options` for the AuthenticationMethod values this version supports.',
    details: { option: 'AuthenticationMethod', value: options.authenticationMethod },
  });
}

/** The OAuth session for methods that have one (for `restsql login`, `logout`, `token`). */
export function createOAuthSession(options: ConnectionOptions, ctx: AuthContext): OAuthSession {
  if (!OAUTH_METHODS.has(options.authenticationMethod) && !(options.authenticationMethod === 50 && options.refreshToken)) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `AuthenticationMethod=${options.authenticationMethod} has no OAuth login to manage.`, {
      hint: 'login, logout and token apply to the OAuth methods: 24 and 51-56 (and 50 with a RefreshToken).',
      details: { option: 'AuthenticationMethod' },
    });
  }
  return new OAuthSession(options, ctx);
}

/** The OAuth methods (a token endpoint, a token cache, refresh): 24, 50 with a RefreshToken, 51-56. */
const OAUTH_METHODS = new Set([24, 51, 52, 53, 54, 55, 56]);

function required(value: string | undefined, option: string, method: string): string {
  if (value === undefined || value === '') {
    throw new RestSqlError('CONFIG_MISSING_OPTION', `AuthenticationMethod=${method} needs ${option}.`, {
      hint: `Set ${option} in the connection string or DSN (secrets as \${NAME} to read them from the environment).`,
      details: { option },
    });
  }
  return value;
}

/** AWS credentials from the options, falling back to the standard AWS_* environment variables. */
function awsCredentials(options: ConnectionOptions, env: NodeJS.ProcessEnv, firstUrl: string | undefined): AwsCredentials {
  const fromHost = firstUrl ? serviceAndRegionFromHost(new URL(firstUrl).hostname) : {};
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? fromHost.region;
  const service = options.serviceName ?? fromHost.service;
  const sessionToken = options.sessionToken?.reveal() ?? env.AWS_SESSION_TOKEN;
  return {
    accessKey: required(options.accessKey ?? env.AWS_ACCESS_KEY_ID, 'AccessKey', '43 (AWS)'),
    secretKey: required(options.secretKey?.reveal() ?? env.AWS_SECRET_ACCESS_KEY, 'SecretKey', '43 (AWS)'),
    region: required(region, 'Region', '43 (AWS)'),
    service: required(service, 'ServiceName', '43 (AWS)'),
    ...(sessionToken ? { sessionToken } : {}),
  };
}

export function createAuthenticator(options: ConnectionOptions, ctx: AuthContext & { env?: NodeJS.ProcessEnv; firstUrl?: string; customSteps?: CustomSteps }): { authenticator: Authenticator; close(): Promise<void> } {
  const method = authMethodByCode(options.authenticationMethod);
  if (!method) throw unsupported(options);
  const none = async () => {};
  const secret = (v: { reveal(): string } | undefined) => v?.reveal();
  const m = options.authenticationMethod;
  if (OAUTH_METHODS.has(m) || (m === 50 && options.refreshToken && options.tokenUri)) {
    const session = new OAuthSession(options, ctx);
    return { authenticator: new OAuthAuthenticator(session, extraHeaders(options)), close: () => session.close() };
  }
  switch (m) {
    case 15:
      return { authenticator: new StaticAuthenticator(extraHeaders(options)), close: none };
    case 0: {
      // Basic (RFC 7617); AuthHeader names another header to carry it when the API wants one.
      const value = basicCredentials(required(options.user, 'User', '0 (Basic)'), required(secret(options.password), 'Password', '0 (Basic)'));
      const header = options.authHeader && options.authHeader.toLowerCase() !== 'authorization' ? options.authHeader : 'authorization';
      return { authenticator: new StaticAuthenticator({ [header]: value }), close: none };
    }
    case 34:
      return { authenticator: new StaticAuthenticator({ authorization: `Bearer ${required(secret(options.securityToken), 'SecurityToken', '34 (BearerToken)')}` }), close: none };
    case 25:
      return { authenticator: new StaticAuthenticator({ [required(options.authHeader, 'AuthHeader', '25 (HTTPHeader)')]: required(secret(options.securityToken), 'SecurityToken', '25 (HTTPHeader)') }), close: none };
    case 14:
      return { authenticator: new StaticAuthenticator({}, { [required(options.authParam, 'AuthParam', '14 (URLParameter)')]: required(secret(options.securityToken), 'SecurityToken', '14 (URLParameter)') }), close: none };
    case 30:
      return { authenticator: new DigestAuthenticator(required(options.user, 'User', '30 (Digest)'), required(secret(options.password), 'Password', '30 (Digest)'), extraHeaders(options)), close: none };
    case 50:
      return { authenticator: new StaticAuthenticator({ ...extraHeaders(options), authorization: `Bearer ${required(secret(options.accessToken), 'AccessToken', '50 (OAuth2-AccessToken)')}` }), close: none };
    case 29: {
      if (!ctx.customSteps?.authentication?.length) {
        throw new RestSqlError('CONFIG_MISSING_OPTION', 'AuthenticationMethod=29 (Custom) needs "#authentication" steps in the model file (RestConfigFile).', {
          hint: 'Add "#authentication": [...] to the model file; see docs/auth.md.',
          details: { option: 'RestConfigFile' },
        });
      }
      const params = options.customAuthParams?.reveal().split(';').map((x) => x.trim()) ?? [];
      const serverName = serverNameOf(options.hostName, options.portNumber);
      // Custom steps keep WSRetryCount; where they may go is checked by the authenticator itself (the origins the model file names).
      const custom = new CustomAuthenticator(ctx.customSteps, { ...(options.user ? { user: options.user } : {}), ...(options.password ? { password: options.password } : {}), ...(serverName ? { serverName } : {}), params }, ctx.transport.derive({ origins: undefined }), ctx.logger);
      return { authenticator: custom, close: none };
    }
    case 43:
      return { authenticator: new AwsSigV4Authenticator(awsCredentials(options, ctx.env ?? process.env, ctx.firstUrl), extraHeaders(options)), close: none };
    default:
      throw unsupported(options);
  }
}
