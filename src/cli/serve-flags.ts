/** The flags of `restsql serve` and their defaults (shown in --help without loading the server). */
export interface ServeFlags {
  host: string;
  port: string;
  passwordFile?: string;
  auth: string;
  tls: boolean;
  tlsCert?: string;
  tlsKey?: string;
  maxSessions: string;
  maxMessageSize: string;
  startupTimeout: string;
  idleTimeout: string;
}

/** The serve flags' defaults (also shown in --help). */
export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: '5433',
  auth: 'scram-sha-256',
  maxSessions: '64',
  maxMessageSize: String(64 * 1024 * 1024),
  startupTimeout: '10',
  idleTimeout: '28800',
} as const;
