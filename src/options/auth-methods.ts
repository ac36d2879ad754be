/**
 * AuthenticationMethod values: the ODBC number and the JDBC name (docs/auth.md).
 * `requires` lists the options each method cannot work without (`A|B`: either will do). Every method listed is implemented.
 */
export interface AuthMethodSpec {
  readonly code: number;
  readonly name: string;
  readonly requires: readonly string[];
  readonly doc: string;
}

export const AUTH_METHODS = [
  { code: 15, name: 'None', requires: [], doc: 'No authentication.' },
  { code: 0, name: 'Basic', requires: ['User', 'Password'], doc: 'HTTP Basic authentication with User and Password.' },
  { code: 34, name: 'BearerToken', requires: ['SecurityToken'], doc: 'A fixed bearer token (SecurityToken) in the Authorization header.' },
  { code: 25, name: 'HTTPHeader', requires: ['AuthHeader', 'SecurityToken'], doc: 'SecurityToken sent in the header named by AuthHeader.' },
  { code: 14, name: 'URLParameter', requires: ['AuthParam', 'SecurityToken'], doc: 'SecurityToken sent as the URL query parameter named by AuthParam.' },
  { code: 30, name: 'Digest', requires: ['User', 'Password'], doc: 'HTTP Digest authentication (RFC 7616).' },
  { code: 24, name: 'OAuth2', requires: ['TokenURI|IssuerURI'], doc: 'OAuth 2.0 with the grant inferred from the options given.' },
  { code: 50, name: 'OAuth2-AccessToken', requires: ['AccessToken'], doc: 'A ready OAuth 2.0 access token.' },
  { code: 51, name: 'OAuth2-AuthorizationCode', requires: ['ClientID', 'TokenURI|IssuerURI', 'RedirectURI'], doc: 'OAuth 2.0 authorization code grant.' },
  { code: 56, name: 'OAuth2-PKCE', requires: ['ClientID', 'AuthURI|IssuerURI', 'TokenURI|IssuerURI', 'RedirectURI'], doc: 'OAuth 2.0 authorization code grant with PKCE (RFC 7636): a browser login.' },
  { code: 52, name: 'OAuth2-Password', requires: ['User', 'Password', 'TokenURI|IssuerURI'], doc: 'OAuth 2.0 resource owner password grant.' },
  { code: 53, name: 'OAuth2-ClientCredentials', requires: ['ClientID', 'ClientSecret', 'TokenURI|IssuerURI'], doc: 'OAuth 2.0 client credentials grant.' },
  { code: 54, name: 'OAuth2-RefreshToken', requires: ['RefreshToken', 'ClientID', 'TokenURI|IssuerURI'], doc: 'OAuth 2.0 refresh token grant.' },
  { code: 55, name: 'OAuth2-JWTBearer', requires: ['TokenURI|IssuerURI', 'JWTCertStore'], doc: 'OAuth 2.0 JWT bearer grant (RFC 7523): an assertion signed with JWTCertStore.' },
  { code: 29, name: 'Custom', requires: ['RestConfigFile'], doc: 'Custom authentication steps from the model file.' },
  { code: 43, name: 'AWS', requires: [], doc: 'AWS Signature Version 4.' },
] as const satisfies readonly AuthMethodSpec[];

export type AuthMethodCode = (typeof AUTH_METHODS)[number]['code'];

export function authMethodByCode(code: number): AuthMethodSpec | undefined {
  return AUTH_METHODS.find((m) => m.code === code);
}
