/** `restsql login`, `logout` and `token`: the cached OAuth tokens of a connection. */
import { login, logout, tokenStatus, type TokenStatus } from '../../index.js';
import { connectionSource, type ConnFlags } from '../connect.js';
import { openFormatter, type Format } from '../format.js';
import type { CliContext } from '../io.js';

function describeExpiry(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return 'unknown (the server did not say)';
  const mins = Math.round((at - now) / 60_000);
  const when = new Date(at).toISOString();
  return at <= now ? `${when} (expired; it is refreshed on next use)` : `${when} (in ${mins < 120 ? `${mins} min` : `${Math.round(mins / 60)} h`})`;
}

function statusRows(s: TokenStatus): { field: string; value: string }[] {
  return [
    { field: 'cached', value: s.cached ? 'yes' : 'no (the next command logs in)' },
    ...(s.cached ? [{ field: 'expires', value: describeExpiry(s.expiresAt) }] : []),
    ...(s.cached ? [{ field: 'scope', value: s.scope ?? '(as requested)' }] : []),
    ...(s.cached ? [{ field: 'refresh token', value: s.hasRefreshToken ? 'yes' : 'no (a new login when the access token expires)' }] : []),
    { field: 'client', value: s.clientId },
    { field: 'token endpoint', value: s.tokenEndpoint },
  ];
}

export async function runLogin(ctx: CliContext, flags: ConnFlags): Promise<void> {
  const status = await login(...connectionSource(flags, ctx.io, ctx.signal, true));
  ctx.io.stderr.write(`restsql: tokens cached; access token expires ${describeExpiry(status.expiresAt)}.\n`);
}

export async function runLogout(ctx: CliContext, flags: ConnFlags): Promise<void> {
  const r = await logout(...connectionSource(flags, ctx.io, ctx.signal, true));
  const revoked = r.revoked ? ' and revoked at the server' : r.revocationAdvertised ? ' (the server did not confirm revocation)' : ' (the server advertises no revocation endpoint)';
  ctx.io.stderr.write(r.removed ? `restsql: logged out: cached tokens removed${revoked}.\n` : 'restsql: no tokens were cached for this connection.\n');
}

export async function runToken(ctx: CliContext, flags: ConnFlags & { format: Format }): Promise<void> {
  const status = await tokenStatus(...connectionSource(flags, ctx.io, ctx.signal, true));
  // Never cut, whatever the terminal's width: no maxWidth (a long line wraps on screen, whole).
  const f = await openFormatter(flags.format, (t) => void ctx.io.stdout.write(t), { terminal: ctx.io.stdout.isTTY === true });
  if (flags.format === 'table') {
    f.begin([
      { name: 'field', type: 'VARCHAR' },
      { name: 'value', type: 'VARCHAR' },
    ]);
    f.rows(statusRows(status));
  } else {
    f.begin([
      { name: 'cached', type: 'BOOLEAN' },
      { name: 'expires_at', type: 'VARCHAR' },
      { name: 'scope', type: 'VARCHAR' },
      { name: 'refresh_token', type: 'BOOLEAN' },
      { name: 'client_id', type: 'VARCHAR' },
      { name: 'token_endpoint', type: 'VARCHAR' },
    ]);
    f.rows([{ cached: status.cached, expires_at: status.expiresAt === undefined ? null : new Date(status.expiresAt).toISOString(), scope: status.scope ?? null, refresh_token: status.hasRefreshToken, client_id: status.clientId, token_endpoint: status.tokenEndpoint }]);
  }
  f.end();
}
