/**
 * `restsql serve`: the PostgreSQL-wire server on one hub, until SIGINT or SIGTERM. Reads the
 * serve flags, the password (RESTSQL_SERVE_PASSWORD, --password-file, else generated and printed
 * once) and the TLS material (--tls-cert/--tls-key, else a self-signed certificate kept in
 * $RESTSQL_HOME), then logs one line per session and per failed login to stderr.
 */
import { join } from 'node:path';
import { RestSqlError } from '../../errors/index.js';
import { openHub, type Hub } from '../../index.js';
import { resolveServePassword } from '../../server/auth/password.js';
import { PASSWORD_METHODS, type PasswordMethod } from '../../server/password-gate.js';
import { isLoopback, startServer, type RunningServer } from '../../server/server.js';
import { serverTls } from '../../server/tls.js';
import { stateDir } from '../../util/state-dir.js';
import { escapeMessage } from '../../util/terminal.js';
import { connectionSource, type ConnFlags } from '../connect.js';
import { integerFlag } from '../integer-flag.js';
import type { CliContext } from '../io.js';
import type { ServeFlags } from '../serve-flags.js';

export const SERVER_VERSION = '15.18 (restsql 0.1.0)';

const integer = (flag: string, text: string, min: number, max: number): number => integerFlag(flag, text, min, max, 10);

/** The serve flags, checked and read (see serveSettings). */
export interface ServeSettings {
  readonly flags: ServeFlags;
  readonly port: number;
  readonly method: PasswordMethod;
  readonly maxSessions: number;
  readonly maxMessageBytes: number;
  readonly startupTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/** Checks and reads the flags before anything is opened (a bad flag must not cost a login). */
export function serveSettings(flags: ServeFlags): ServeSettings {
  const settings: ServeSettings = {
    flags,
    port: integer('--port', flags.port, 0, 65535),
    method: flags.auth as PasswordMethod,
    maxSessions: integer('--max-sessions', flags.maxSessions, 1, 100_000),
    maxMessageBytes: integer('--max-message-size', flags.maxMessageSize, 4096, 1024 * 1024 * 1024),
    startupTimeoutMs: integer('--startup-timeout', flags.startupTimeout, 1, 3600) * 1000,
    idleTimeoutMs: integer('--idle-timeout', flags.idleTimeout, 0, 31 * 86400) * 1000,
  };
  if (!PASSWORD_METHODS.includes(flags.auth as PasswordMethod)) {
    throw new RestSqlError('USAGE', `--auth must be one of ${PASSWORD_METHODS.join(', ')}; got '${flags.auth}'.`, { hint: 'scram-sha-256 (the default) is what current PostgreSQL clients use.', details: { option: '--auth' } });
  }
  if (!flags.tls && (flags.tlsCert || flags.tlsKey)) throw new RestSqlError('USAGE', '--no-tls contradicts --tls-cert/--tls-key.', { hint: 'Drop one of them.' });
  if (!flags.tls && !isLoopback(flags.host)) {
    throw new RestSqlError('USAGE', `--host ${flags.host} is not a loopback address: restsql serve then requires TLS, and --no-tls turns it off.`, { hint: 'Drop --no-tls, or bind 127.0.0.1.', details: { option: '--host' } });
  }
  return settings;
}

/** Runs the server until `signal` aborts; resolves once it has stopped (sessions told, hub closed). */
export async function runServe(settings: ServeSettings, hub: Hub, io: { stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv }, signal: AbortSignal): Promise<void> {
  const { flags } = settings;
  const log = (line: string) => void io.stderr.write(`restsql serve: ${escapeMessage(line)}\n`);
  let server: RunningServer | undefined;
  try {
    const password = resolveServePassword({ env: io.env, ...(flags.passwordFile !== undefined ? { passwordFile: flags.passwordFile } : {}) });
    const tls = flags.tls ? await serverTls(stateDir(io.env), { ...(flags.tlsCert ? { cert: flags.tlsCert } : {}), ...(flags.tlsKey ? { key: flags.tlsKey } : {}) }, log, { altNames: isLoopback(flags.host) ? [] : [flags.host] }) : undefined;
    server = await startServer(hub, {
      host: flags.host,
      port: settings.port,
      password: password.password,
      method: settings.method,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      maxSessions: settings.maxSessions,
      limits: {
        maxMessageBytes: settings.maxMessageBytes,
        startupTimeoutMs: settings.startupTimeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        highWaterMark: 256 * 1024,
      },
      serverVersion: SERVER_VERSION,
      log,
    });
    const where = `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
    log(`listening on ${where} (PostgreSQL protocol 3.0, server_version ${SERVER_VERSION}; ${tls ? `TLS on SSLRequest${tls.generated ? `, self-signed certificate in ${join(stateDir(io.env), 'tls')}` : ''}` : 'TLS off'}; password method ${flags.auth})`);
    if (password.source === 'generated') {
      // Printed once, here: it is kept nowhere.
      io.stderr.write(`restsql serve: password (generated; set RESTSQL_SERVE_PASSWORD or --password-file to choose one): ${password.password}\n`);
    } else {
      log(`password from ${password.source === 'env' ? 'RESTSQL_SERVE_PASSWORD' : flags.passwordFile}`);
    }
    log(`connect with: psql "host=${server.host} port=${server.port} user=restsql dbname=restsql${tls ? ' sslmode=require' : ''}"`);
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    log(`stopping (${server.sessions} session(s) told)`);
  } finally {
    if (server) await server.close();
    else await hub.close();
  }
  log('stopped');
}

/** `restsql serve`: the flags checked before anything is opened, then the hub, then the server until a signal. */
export async function runServeCommand(ctx: CliContext, flags: ConnFlags & ServeFlags): Promise<void> {
  const settings = serveSettings(flags);
  const hub = await openHub(...connectionSource(flags, ctx.io, ctx.signal, true));
  // A signal is serve's normal end: it stops cleanly and exits 0.
  await runServe(settings, hub, ctx.io, ctx.signal);
}
