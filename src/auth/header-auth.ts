/**
 * The credential-in-every-request methods: 0 Basic, 34 BearerToken, 25 HTTPHeader, 14 URLParameter,
 * 50 OAuth2-AccessToken without a way to refresh, and 15 None with its optional AuthHeader/SecurityToken
 * header. Nothing can be renewed, so a 401 is final.
 */
import type { Authenticator, HttpRequest } from '../http/contract.js';
import { withQuery } from '../http/url.js';

/** A fixed set of headers and query parameters added to every API request. */
export class StaticAuthenticator implements Authenticator {
  constructor(
    private readonly headers: Readonly<Record<string, string>>,
    private readonly query: Readonly<Record<string, string>> = {},
  ) {}

  async authorize(req: HttpRequest): Promise<HttpRequest> {
    return { ...req, url: withQuery(req.url, this.query), headers: { ...req.headers, ...this.headers } };
  }

  async onUnauthorized(): Promise<boolean> {
    return false;
  }
}

/** RFC 7617: `Basic base64(user ":" password)`, UTF-8. */
export function basicCredentials(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}
