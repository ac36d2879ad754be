/**
 * The worker thread that holds the catalog's PostgreSQL (PGlite: PostgreSQL compiled to
 * WebAssembly, its files in memory only). PostgreSQL runs synchronously inside WebAssembly, so it
 * runs here, off the server's event loop; a statement past its deadline or cancelled is stopped by
 * terminating this thread (catalog.ts), the only way to stop WebAssembly mid-run.
 *
 * Messages in: `start` (the set-up scripts), `run` (protocol messages, answered with PostgreSQL's
 * reply bytes). Nothing here knows sessions or the model: catalog.ts composes the messages.
 */
import { parentPort } from 'node:worker_threads';
import { hasError } from './pg-messages.js';

export type WorkerRequest =
  | { readonly type: 'start'; readonly scripts: readonly string[] }
  | { readonly type: 'run'; readonly id: number; readonly steps: readonly (readonly Uint8Array[])[] };

export type WorkerReply =
  | { readonly type: 'started' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly replies: Uint8Array[] }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

interface PGliteLike {
  exec(sql: string): Promise<unknown>;
  execProtocolRaw(message: Uint8Array, options?: { syncToFs?: boolean }): Promise<Uint8Array>;
}

const port = parentPort;
if (!port) throw new Error('catalog-worker.js runs as a worker thread only');

let db: PGliteLike | undefined;

port.on('message', (m: WorkerRequest) => {
  void handle(m).then(
    (reply) => port.postMessage(reply),
    (e: unknown) => port.postMessage(m.type === 'run' ? { type: 'error', id: m.id, message: messageOf(e) } : { type: 'failed', message: messageOf(e) }),
  );
});

async function handle(m: WorkerRequest): Promise<WorkerReply> {
  if (m.type === 'start') {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = (await PGlite.create()) as unknown as PGliteLike;
    // One exec each: some statements (CREATE DATABASE) cannot share a transaction.
    for (const script of m.scripts) await pg.exec(script);
    db = pg;
    return { type: 'started' };
  }
  if (!db) throw new Error('the catalog was not started');
  const replies: Uint8Array[] = [];
  for (const step of m.steps) {
    // One message at a time, as PGlite's own query() sends them, and after an ErrorResponse only
    // the step's last one (Sync): PGlite mis-reads what follows an error in a buffer of several
    // messages.
    const parts: Uint8Array[] = [];
    let failed = false;
    for (let i = 0; i < step.length; i++) {
      if (failed && i < step.length - 1) continue;
      // PGlite's reply is a view of its output buffer, which the next call overwrites: copied.
      const reply = (await db.execProtocolRaw(step[i]!, { syncToFs: false })).slice();
      if (hasError(reply)) failed = true;
      parts.push(reply);
    }
    replies.push(concat(parts));
  }
  return { type: 'result', id: m.id, replies };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
