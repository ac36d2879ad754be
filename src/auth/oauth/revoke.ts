import type { HttpClient } from '../../http/contract.js';
import type { Logger } from '../../util/logger.js';
import { authenticateClient, type TokenClient } from './token-endpoint.js';

/**
 * RFC 7009 §2.1: asks the server to revoke a token. Returns whether the server accepted it (200);
 * any failure leaves the local logout to go on.
 */
export async function revokeToken(http: HttpClient, endpoint: string, client: TokenClient, token: string, hint: 'refresh_token' | 'access_token', logger: Logger): Promise<boolean> {
  const form = new URLSearchParams({ token, token_type_hint: hint });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const url = new URL(endpoint);
  authenticateClient(client, form, headers, url, logger);
  try {
    const res = await http.send({ url: url.toString(), method: 'POST', headers, body: form.toString(), anyStatus: true });
    return res.status === 200;
  } catch {
    return false;
  }
}
