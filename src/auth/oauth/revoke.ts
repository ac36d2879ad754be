import type { HttpClient } from '../../http/contract.js';
import { postForm, type ClientAuth } from './token-endpoint.js';

/**
 * RFC 7009 §2.1: asks the server to revoke a token. Returns whether the server accepted it (200);
 * any failure leaves the local logout to go on.
 */
export async function revokeToken(http: HttpClient, endpoint: string, auth: ClientAuth, token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean> {
  try {
    const res = await postForm(http, endpoint, 'POST', { token, token_type_hint: hint }, auth);
    return res.status === 200;
  } catch {
    return false;
  }
}
