/**
 * The worker thread that holds the catalog's PostgreSQL (PGlite: PostgreSQL compiled to
 * WebAssembly, its files in memory only). PostgreSQL runs synchronously inside WebAssembly, so it
 * runs here, off the server's event loop; a statement past its deadline or cancelled is stopped by
 * terminating this thread (catalog.ts), the only way to stop WebAssembly mid-run.
 *
 * `build` makes the catalog as PostgreSQL's superuser (the set-up scripts) and answers with the
 * data folder as an image; catalog.ts runs it in a thread of its own, which then ends (its memory
 * goes with it). `start` starts PostgreSQL from the image logged in as `user` (to `database`,
 * where the scripts made the catalog), a role that is not a superuser: nothing a client's
 * statement does can become the superuser, whose session a client could otherwise reach
 * (PostgreSQL lets a session that logged in as superuser switch back to it). A start from the
 * image takes under 1 s.
 *
 * Messages in: `build`, `start`, `run` (protocol messages, answered with PostgreSQL's reply bytes). Nothing
 * here knows sessions or the model: catalog.ts composes the messages.
 */
import { parentPort } from 'node:worker_threads';
import { executeMessage, hasError, holds } from './pg-messages.js';

export type WorkerRequest =
  | { readonly type: 'build'; readonly scripts: readonly string[] }
  | { readonly type: 'start'; readonly user: string; readonly database: string; readonly image: ArrayBuffer }
  | {
      readonly type: 'run';
      readonly id: number;
      readonly steps: readonly (readonly Uint8Array[])[];
      /** Bytes of rows an Execute may bring back before it is stopped. */
      readonly maxBytes: number;
    };

export type WorkerReply =
  | { readonly type: 'built'; readonly image: ArrayBuffer }
  | { readonly type: 'started' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly replies: Uint8Array[]; readonly tooLarge: boolean }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

interface PGliteLike {
  exec(sql: string): Promise<unknown>;
  execProtocolRaw(message: Uint8Array, options?: { syncToFs?: boolean }): Promise<Uint8Array>;
  dumpDataDir(compression?: 'none' | 'gzip' | 'auto'): Promise<Blob>;
  close(): Promise<void>;
}
interface PGliteModule {
  PGlite: { create(options?: { loadDataDir?: Blob; username?: string; database?: string }): Promise<unknown> };
}

/** Rows per Execute: an answer is read in pieces, so its size is checked as it grows. */
const ROWS_PER_EXECUTE = 500;
const EXECUTE = 0x45;
const PORTAL_SUSPENDED = 0x73;

const port = parentPort;
if (!port) throw new Error('catalog-worker.js runs as a worker thread only');

let db: PGliteLike | undefined;

port.on('message', (m: WorkerRequest) => {
  void handle(m).then(
    (reply) => port.postMessage(reply, reply.type === 'built' ? [reply.image] : []),
    (e: unknown) => port.postMessage(m.type === 'run' ? { type: 'error', id: m.id, message: messageOf(e) } : { type: 'failed', message: messageOf(e) }),
  );
});

async function handle(m: WorkerRequest): Promise<WorkerReply> {
  if (m.type === 'build') {
    const { PGlite } = (await import('@electric-sql/pglite')) as unknown as PGliteModule;
    const admin = (await PGlite.create()) as PGliteLike;
    // One exec each: some statements (CREATE DATABASE) cannot share a transaction.
    for (const script of m.scripts) await admin.exec(script);
    const image = await (await admin.dumpDataDir('none')).arrayBuffer();
    await admin.close();
    return { type: 'built', image };
  }
  if (m.type === 'start') {
    const { PGlite } = (await import('@electric-sql/pglite')) as unknown as PGliteModule;
    db = (await PGlite.create({ loadDataDir: new Blob([m.image]), username: m.user, database: m.database })) as PGliteLike;
    return { type: 'started' };
  }
  if (!db) throw new Error('the catalog was not started');
  const replies: Uint8Array[] = [];
  let tooLarge = false;
  for (const step of m.steps) {
    // One message at a time, as PGlite's own query() sends them, and after an ErrorResponse only
    // the step's last one (Sync): PGlite mis-reads what follows an error in a buffer of several
    // messages.
    const parts: Uint8Array[] = [];
    let failed = false;
    for (let i = 0; i < step.length; i++) {
      if ((failed || tooLarge) && i < step.length - 1) continue;
      const message = step[i]!;
      if (message[0] !== EXECUTE) {
        const reply = await send(db, message);
        if (hasError(reply)) failed = true;
        parts.push(reply);
        continue;
      }
      // Execute in pieces of ROWS_PER_EXECUTE rows until the portal is done, the answer passes
      // maxBytes (then the rest is not read: Sync closes the portal), or an error.
      let bytes = 0;
      for (;;) {
        const reply = await send(db, executeMessage(ROWS_PER_EXECUTE));
        parts.push(reply);
        bytes += reply.length;
        if (hasError(reply)) {
          failed = true;
          break;
        }
        if (!holds(reply, PORTAL_SUSPENDED)) break;
        if (bytes > m.maxBytes) {
          tooLarge = true;
          break;
        }
      }
    }
    replies.push(Buffer.concat(parts));
  }
  return { type: 'result', id: m.id, replies, tooLarge };
}

/** PGlite's reply is a view of its output buffer, which the next call overwrites: copied. */
async function send(pg: PGliteLike, message: Uint8Array): Promise<Uint8Array> {
  return (await pg.execProtocolRaw(message, { syncToFs: false })).slice();
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
