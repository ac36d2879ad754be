import { RestSqlError } from '../errors/index.js';
import type { Authenticator, HttpRequest } from '../http/client.js';
import { authMethodByCode, type ConnectionOptions } from '../options/index.js';

/**
 * AuthenticationMethod=15 (None), plus the seed's optional AuthHeader/SecurityToken pair, which is
 * sent on every API request whatever the method (tenant IDs and the like).
 */
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

export function createAuthenticator(options: ConnectionOptions): Authenticator {
  const method = authMethodByCode(options.authenticationMethod);
  if (!method || !method.implemented) {
    throw new RestSqlError('CONFIG_UNSUPPORTED', `AuthenticationMethod=${options.authenticationMethod}${method ? ` (${method.name})` : ''} is not supported by this version of restsql yet.`, {
      hint: 'Use AuthenticationMethod=15 (None) for now; see `restsql options` for the methods this build supports.',
      details: { option: 'AuthenticationMethod', value: options.authenticationMethod },
    });
  }
  const extra: Record<string, string> = {};
  if (options.authHeader && options.securityToken) extra[options.authHeader] = options.securityToken.reveal();
  return new HeaderAuthenticator(extra);
}
