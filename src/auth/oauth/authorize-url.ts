/**
 * RFC 6749 §4.1.1 + RFC 7636 §4.3: the authorization request. `redirect_uri` is sent exactly as
 * configured (it must match the registered value character for character), scope exactly as given.
 */
export function buildAuthorizationUrl(p: {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  state: string;
  /** Absent only when PKCE is turned off (UsePKCE=0, authorization code grant). */
  codeChallenge?: string;
}): string {
  const url = new URL(p.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  if (p.scope) url.searchParams.set('scope', p.scope);
  url.searchParams.set('state', p.state);
  if (p.codeChallenge !== undefined) {
    url.searchParams.set('code_challenge', p.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}
