/**
 * `restsql serve` for tests: a loopback REST API with typed rows, nested records (child tables), a
 * table whose requests wait until the test lets them go, and a generated table of any size; a
 * model file for it; and the wire server on a free loopback port, in this process, with a known
 * password. Real clients (psql, isql, pgjdbc, psycopg, node-postgres, postgres.js) connect to it.
 */
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHub, type Hub } from '../../src/index.js';
import type { PasswordMethod } from '../../src/server/password-gate.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { serverTls } from '../../src/server/tls.js';
import { startHttpServer, type Listening } from './loopback-server.js';

/** One row per interesting type: the same values the wire tests expect back. */
export const TYPED_ROWS = [
  { id: 1, big: '9007199254740993', amount: 12.5, ok: true, created: '2024-01-02T03:04:05.123456', day: '2024-02-29', uid: '6f1c5c66-2b8e-4a8f-9d2e-7f1e0c7d5a10', label: 'plain', note: null },
  { id: 2, big: '-42', amount: -0.25, ok: false, created: '1999-12-31T23:59:59', day: '1970-01-01', uid: '00000000-0000-0000-0000-000000000000', label: 'tab\there "quoted", new\nline \\ back', note: { k: [1, 2] } },
  { id: 3, big: '0', amount: 1e21, ok: null, created: null, day: null, uid: null, label: 'héllo wörld 日本語 🎉', note: null },
] as const;

export interface WireApi {
  readonly url: string;
  /** Request paths in order. */
  readonly seen: string[];
  /** Holds requests to /slow until the returned function is called. */
  holdSlow(): () => void;
  close(): Promise<void>;
}

export async function startWireApi(): Promise<WireApi> {
  const seen: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  const api: Listening<Server> = await startHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/types') {
      // Big integers are written as JSON numbers with every digit.
      res.end(`[${TYPED_ROWS.map((r) => JSON.stringify({ ...r, big: 0 }).replace('"big":0', `"big":${r.big}`)).join(',')}]`);
      return;
    }
    if (url.pathname === '/items') {
      res.end(JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `item-${i + 1}`, region: i % 2 ? 'north' : 'south', price: (i + 1) * 1.5, address: { city: ['Boston', 'Austin'][i % 2], zip: `0${2100 + i}` }, tags: i % 2 ? ['odd'] : ['even', `t${i % 4}`] }))));
      return;
    }
    if (url.pathname === '/slow') {
      await gate;
      res.end(JSON.stringify([{ id: 1, v: 'late' }]));
      return;
    }
    if (url.pathname === '/big') {
      const n = Number(url.searchParams.get('n') ?? 1000);
      const parts: string[] = [];
      for (let i = 1; i <= n; i++) parts.push(`{"id":${i},"name":"name-${i}","score":${(i * 7) % 1000}.5,"active":${i % 3 === 0},"created":"2024-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00"}`);
      res.end(`[${parts.join(',')}]`);
      return;
    }
    res.statusCode = 404;
    res.end('{"error":"not found"}');
  });
  return {
    url: api.url,
    seen,
    holdSlow() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return release;
    },
    close: () => api.close(),
  };
}

/** The model file over a WireApi: typed tables, a sampled nested one, a slow one, a big one. */
export function wireModel(api: WireApi, bigRows = 1000): string {
  return JSON.stringify({
    types: { '#path': `${api.url}/types`, id: 'Integer,#key', big: 'BigInt', amount: 'Double', ok: 'Boolean', created: 'Timestamp', day: 'Date', uid: 'UUID', label: 'VarChar', note: 'JSON' },
    items: `${api.url}/items`,
    slow: { '#path': `${api.url}/slow`, id: 'Integer,#key', v: 'VarChar' },
    big: { '#path': `${api.url}/big?n=${bigRows}`, id: 'Integer,#key', name: 'VarChar', score: 'Double', active: 'Boolean', created: 'Timestamp' },
  });
}

export interface Served {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly password: string;
  readonly api: WireApi;
  readonly hub: Hub;
  readonly server: RunningServer;
  /** The server's log lines. */
  readonly log: string[];
  /** The self-signed certificate (PEM) when TLS is on. */
  readonly cert?: string;
  /** A libpq connection string for this server (sslmode=disable unless TLS). */
  conninfo(extra?: string): string;
  close(): Promise<void>;
}

export interface ServeFixtureOptions {
  readonly tls?: boolean;
  readonly method?: PasswordMethod;
  readonly maxSessions?: number;
  readonly maxMessageBytes?: number;
  readonly startupTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly bigRows?: number;
  /** Extra connection options (`;Key=value`). */
  readonly extra?: string;
}

export const TEST_PASSWORD = 'wire-test-pässword';

export async function serveFixture(o: ServeFixtureOptions = {}): Promise<Served> {
  const api = await startWireApi();
  const dir = mkdtempSync(join(tmpdir(), 'restsql-serve-'));
  const model = join(dir, 'wire.rest');
  writeFileSync(model, wireModel(api, o.bigRows));
  let hub: Hub | undefined;
  try {
    hub = await openHub(`RestConfigFile=${model}${o.extra ?? ''}`);
    const tls = o.tls ? await serverTls(join(dir, 'state'), {}, () => {}) : undefined;
    const log: string[] = [];
    const server = await startServer(hub, {
      host: '127.0.0.1',
      port: 0,
      password: TEST_PASSWORD,
      method: o.method ?? 'scram-sha-256',
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      maxSessions: o.maxSessions ?? 32,
      limits: { maxMessageBytes: o.maxMessageBytes ?? 16 * 1024 * 1024, startupTimeoutMs: o.startupTimeoutMs ?? 10_000, idleTimeoutMs: o.idleTimeoutMs ?? 0, highWaterMark: 256 * 1024 },
      serverVersion: '15.18 (restsql test)',
      log: (l) => log.push(l),
    });
    const h = hub;
    return {
      host: '127.0.0.1',
      port: server.port,
      password: TEST_PASSWORD,
      api,
      hub: h,
      server,
      log,
      ...(tls ? { cert: tls.cert } : {}),
      conninfo: (extra = '') => `host=127.0.0.1 port=${server.port} user=tester dbname=restsql ${tls ? 'sslmode=require' : 'sslmode=disable'} ${extra}`.trim(),
      async close() {
        await server.close();
        await api.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await hub?.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
