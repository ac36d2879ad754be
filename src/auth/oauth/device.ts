import { setTimeout as sleep } from 'node:timers/promises';
import { RestSqlError, redactUrl } from '../../errors/index.js';
import type { HttpClient } from '../../http/contract.js';
import { postForm, requestToken, type TokenClient, type TokenSet } from './token-endpoint.js';

export interface DeviceAuthorization {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  readonly intervalSeconds: number;
  readonly expiresAt: number;
}

/** RFC 8628 §3.1-3.2: asks for a device code. */
export async function requestDeviceCode(http: HttpClient, endpoint: string, client: TokenClient, scope: string | undefined, now = Date.now()): Promise<DeviceAuthorization> {
  const res = await postForm(http, endpoint, 'POST', scope ? { scope } : {}, client.auth);
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // handled below
  }
  if (res.status !== 200 || typeof body.device_code !== 'string' || typeof body.user_code !== 'string' || typeof body.verification_uri !== 'string') {
    throw new RestSqlError('AUTH_TOKEN_ERROR', `The device authorization endpoint ${redactUrl(endpoint)} refused the request (HTTP ${res.status})${typeof body.error === 'string' ? `: ${body.error}` : ''}.`, {
      hint: 'Check that the client may use the device grant, or log in with the browser instead (without --device).',
      details: { status: res.status },
    });
  }
  const interval = Number(body.interval ?? 5);
  return {
    deviceCode: body.device_code,
    userCode: body.user_code,
    verificationUri: body.verification_uri,
    ...(typeof body.verification_uri_complete === 'string' ? { verificationUriComplete: body.verification_uri_complete } : {}),
    intervalSeconds: Number.isFinite(interval) && interval > 0 ? interval : 5,
    expiresAt: now + Number(body.expires_in ?? 600) * 1000,
  };
}

/** RFC 8628 §3.4-3.5: polls the token endpoint until the user approves, declines, or time runs out. */
export async function pollDeviceToken(http: HttpClient, client: TokenClient, auth: DeviceAuthorization, deadline: number, signal?: AbortSignal, now: () => number = Date.now): Promise<TokenSet> {
  let interval = auth.intervalSeconds;
  for (;;) {
    if (now() > Math.min(deadline, auth.expiresAt)) {
      throw new RestSqlError('AUTH_TIMEOUT', 'The device login was not approved in time.', { hint: 'Run the login again and enter the code promptly, or raise LoginTimeout.', details: { option: 'LoginTimeout' } });
    }
    await sleep(interval * 1000, undefined, signal ? { signal } : undefined);
    try {
      return await requestToken(http, client, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.deviceCode }, now());
    } catch (e) {
      const error = e instanceof RestSqlError ? e.details.error : undefined;
      if (error === 'authorization_pending') continue;
      if (error === 'slow_down') {
        interval += 5;
        continue;
      }
      if (error === 'access_denied') {
        throw new RestSqlError('AUTH_DENIED', 'The device login was declined.', { hint: 'Run the login again and approve access.', cause: e });
      }
      throw e;
    }
  }
}
