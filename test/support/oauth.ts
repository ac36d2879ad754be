import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientMetadata } from 'oidc-provider';
import { startDemoApi, type DemoApi } from '../../examples/demo/api-server.js';
import { DEMO_CLIENT, startAuthServer, type AuthServer } from '../../examples/demo/auth-server.js';
import { BIN, ROOT, runCli, type CliResult } from './cli.js';

export const STAND_IN = join(ROOT, 'dist', 'examples', 'demo', 'browser-stand-in.js');

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT'));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * A port for RedirectURI, which must be known before the authorization request, so restsql binds
 * it itself, each login anew. A port the kernel hands out (listen on 0) would be free now but could
 * be handed to any other process's listen-on-0 or outgoing connection before restsql binds it. This
 * one is chosen below the kernel's ephemeral range (ip_local_port_range), which the kernel never
 * assigns on its own: only a process asking for this very port can take it.
 */
export async function redirectPort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152; 32768 is below both.
  }
  const from = Math.min(20_000, low - 1000);
  for (let tries = 0; tries < 50; tries++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if ((await bindable(port, '127.0.0.1')) && (await bindable(port, '::1'))) return port;
  }
  throw new Error(`no free loopback port between ${from} and ${low}`);
}

/**
 * A real authorization server (oidc-provider) guarding the demo API, a fresh $RESTSQL_HOME, and a
 * browser stand-in as $BROWSER: everything a CLI login needs, on loopback.
 */
export interface OAuthWorld {
  readonly auth: AuthServer;
  readonly api: DemoApi;
  readonly home: string;
  readonly standInLog: string;
  readonly redirectPort: number;
  /** The seed-shaped connection string; `set` replaces or adds options, `undefined` removes one. */
  conn(set?: Record<string, string | undefined>): string;
  /** Environment for the CLI: RESTSQL_HOME, BROWSER (the stand-in), the client secret variable. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  cli(args: readonly string[], extra?: NodeJS.ProcessEnv & { stdin?: string }): Promise<CliResult>;
  /** Lines the stand-in logged (`open URL`, `callback code`, `listener 200`, failures). */
  standIn(): string[];
  /**
   * Waits until the stand-in's last line matches `re` (default: it has answered the listener's
   * page, or failed). The stand-in is a separate process restsql launches and does not wait for:
   * the CLI may exit before the stand-in has read the listener's answer and logged it.
   */
  standInUntil(re?: RegExp): Promise<string[]>;
  /** The token cache files under $RESTSQL_HOME/tokens. */
  cacheFiles(): string[];
  /**
   * Makes the cached access token look expired, as it would be once its lifetime has passed
   * (the cache is restsql's own JSON file): the next command must refresh it for real.
   */
  expireCachedToken(): void;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly accessTokenTtl?: number;
  readonly extraClients?: ClientMetadata[];
  readonly jwtIssuers?: Readonly<Record<string, string>>;
}

export async function startOAuthWorld(o: WorldOptions = {}): Promise<OAuthWorld> {
  const auth = await startAuthServer({ ...(o.accessTokenTtl ? { accessTokenTtl: o.accessTokenTtl } : {}), ...(o.extraClients ? { extraClients: o.extraClients } : {}), ...(o.jwtIssuers ? { jwtIssuers: o.jwtIssuers } : {}) });
  const api = await startDemoApi({ verifyToken: (t) => auth.verify(t) });
  const home = await mkdtemp(join(tmpdir(), 'restsql-oauth-test-'));
  const standInLog = join(home, 'stand-in.log');
  const port = await redirectPort();
  const base: Record<string, string> = {
    RestSamplePath: `${api.baseUrl}/v1/customers`,
    Table: 'customers',
    AuthenticationMethod: '56',
    ClientID: DEMO_CLIENT.id,
    ClientSecret: '${TEST_CLIENT_SECRET}',
    AuthURI: `${auth.issuer}/auth`,
    TokenURI: `POST ${auth.issuer}/token`,
    RedirectURI: `http://localhost:${port}`,
    Scope: "'openid api:read'",
    // A stand-in that fails must not leave a test waiting the default 300 s.
    LoginTimeout: '30',
  };
  const world: OAuthWorld = {
    auth,
    api,
    home,
    standInLog,
    redirectPort: port,
    conn(set = {}) {
      const all: Record<string, string | undefined> = { ...base, ...set };
      return Object.entries(all)
        .filter((e): e is [string, string] => e[1] !== undefined)
        .map(([k, v]) => `${k}=${v}`)
        .join(';');
    },
    env(extra = {}) {
      return { RESTSQL_HOME: home, BROWSER: `'${process.execPath}' '${STAND_IN}'`, RESTSQL_STANDIN_LOG: standInLog, TEST_CLIENT_SECRET: DEMO_CLIENT.secret, ...extra };
    },
    cli(args, extra = {}) {
      const { stdin, ...env } = extra;
      return runCli(args, { env: world.env(env), ...(stdin !== undefined ? { stdin } : {}) });
    },
    standIn() {
      return existsSync(standInLog) ? readFileSync(standInLog, 'utf8').split('\n').filter(Boolean) : [];
    },
    async standInUntil(re = /^(listener \d+|device done|browser stand-in failed)/) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const lines = world.standIn();
        if (lines.length > 0 && re.test(lines.at(-1)!)) return lines;
        if (Date.now() > deadline) throw new Error(`the browser stand-in never logged ${re}: ${lines.join(' | ')}`);
        await sleep(20);
      }
    },
    expireCachedToken() {
      const files = world.cacheFiles();
      if (files.length !== 1) throw new Error(`expected one cached token, found ${files.length}`);
      const stored = JSON.parse(readFileSync(files[0]!, 'utf8')) as { token: { obtainedAt: number; expiresAt?: number } };
      // Expired a second ago; obtainedAt moves back by the same amount so the lifetime stays what the server gave.
      const lifetime = (stored.token.expiresAt ?? Date.now()) - stored.token.obtainedAt;
      stored.token.expiresAt = Date.now() - 1000;
      stored.token.obtainedAt = stored.token.expiresAt - lifetime;
      writeFileSync(files[0]!, JSON.stringify(stored, null, 2) + '\n');
    },
    cacheFiles() {
      const dir = join(home, 'tokens');
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f)) : [];
    },
    async close() {
      await api.close();
      await auth.close();
      await rm(home, { recursive: true, force: true });
    },
  };
  return world;
}

/** Starts the CLI and leaves its stdin open (for the headless paste test). */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; stderrUntil(re: RegExp): Promise<RegExpExecArray>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(stderr);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrUntil: (re) =>
      new Promise((resolve, reject) => {
        const m = re.exec(stderr);
        if (m) return resolve(m);
        waiters.push({ re, resolve });
        void done.then((r) => reject(new Error(`CLI exited (${r.code}) before printing ${re}: ${r.stderr}`)));
      }),
  };
}

/** Parses `field | value` rows of `restsql token`. */
export function tokenFields(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n').slice(2)) {
    const m = /^(.+?)\s+\|\s(.*)$/.exec(line);
    if (m) out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}
