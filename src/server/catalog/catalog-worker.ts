/**
 * The worker thread that holds the catalog's PostgreSQL (PGlite: PostgreSQL compiled to
 * WebAssembly, its files in memory only). PostgreSQL runs synchronously inside WebAssembly, so it
 * runs here, off the server's event loop; a statement past its deadline or cancelled is stopped by
 * terminating this thread (catalog.ts), the only way to stop WebAssembly mid-run.
 *
 * Messages in: `start` (the set-up script), `run` (protocol messages, answered with PostgreSQL's
 * reply bytes). Nothing here knows sessions or the model: catalog.ts composes the messages.
 */
import { parentPort } from 'node:worker_threads';

export type WorkerRequest =
  | { readonly type: 'start'; readonly script: string }
  | { readonly type: 'run'; readonly id: number; readonly steps: readonly Uint8Array[] };

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
    await pg.exec(m.script);
    db = pg;
    return { type: 'started' };
  }
  if (!db) throw new Error('the catalog was not started');
  const replies: Uint8Array[] = [];
  // Each step is one or more whole frontend messages; the reply to each is kept apart.
  // PGlite's reply is a view of its output buffer, which the next call overwrites: copied.
  for (const step of m.steps) replies.push((await db.execProtocolRaw(step, { syncToFs: false })).slice());
  return { type: 'result', id: m.id, replies };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
