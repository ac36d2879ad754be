/** `restsql query`: runs SQL (argument, --file or standard input) and prints the result. */
import { createWriteStream, readFileSync } from 'node:fs';
import { RestSqlError } from '../../errors/index.js';
import { useConnection, type ConnFlags } from '../connect.js';
import { openFormatter, type Format, type FormatOptions, type Write } from '../format.js';
import type { CliContext, CliIo } from '../io.js';
import { outputOptions, type OutputFlags } from '../output-options.js';

export interface QueryFlags extends ConnFlags, OutputFlags {
  format: Format;
  output?: string;
  file?: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

function sqlFrom(args: string[], file: string | undefined, io: CliIo): Promise<string> | string {
  if (args.length > 0 && file) throw new RestSqlError('USAGE', 'Give the SQL as an argument or with --file, not both.', { hint: 'Drop one of them.' });
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new RestSqlError('USAGE', `Cannot read SQL file ${file}: ${(e as Error).message}`, { hint: 'Check the path given to --file.' });
    }
  }
  if (args.length > 0) return args.join(' ');
  if (io.stdin.isTTY) throw new RestSqlError('USAGE', 'No SQL given.', { hint: 'Pass the SQL as an argument, with --file FILE, or on standard input.' });
  return readAll(io.stdin);
}

/** A sink for results: --output FILE or stdout. Returns the writer and a function that flushes and closes. */
function outputSink(file: string | undefined, io: CliIo): { write: Write; done: () => Promise<void> } {
  if (!file) return { write: (t) => void io.stdout.write(t), done: async () => {} };
  const stream = createWriteStream(file, { mode: 0o644 });
  let failure: Error | undefined;
  stream.on('error', (e) => (failure = e));
  return {
    write: (t) => void stream.write(t),
    done: () =>
      new Promise<void>((resolve, reject) => {
        stream.end(() => (failure ? reject(new RestSqlError('USAGE', `Cannot write ${file}: ${failure.message}`, { hint: 'Check the --output path.' })) : resolve()));
      }),
  };
}

export async function runQuery(ctx: CliContext, args: string[], flags: QueryFlags): Promise<void> {
  const { io } = ctx;
  const sql = await sqlFrom(args, flags.file, io);
  const look: FormatOptions = outputOptions(flags, io);
  const stdinFree = args.length > 0 || flags.file !== undefined;
  await useConnection(
    ctx,
    flags,
    async (conn, clearProgress) => {
      const sink = outputSink(flags.output, io);
      // Rows are printed with this connection's secrets masked (an API may echo a credential).
      const out = { write: (t: string) => sink.write(conn.redact(t)), done: sink.done };
      if ((await conn.statementCount(sql)) === 1) {
        // One statement, run once: streamed, so csv/json/ndjson never hold the whole result. The
        // stream's first batch always comes (it carries the columns), rows or not.
        const f = await openFormatter(flags.format, out.write, { ...look, redact: (t) => conn.redact(t) });
        let begun = false;
        for await (const batch of conn.stream(sql)) {
          if (!begun) {
            clearProgress();
            f.begin(batch.columns);
          }
          begun = true;
          f.rows(batch.rows);
        }
        f.end();
      } else {
        const results = await conn.queryAll(sql);
        clearProgress();
        for (const r of results) {
          const f = await openFormatter(flags.format, out.write, { ...look, redact: (t) => conn.redact(t) });
          f.begin(r.columns);
          f.rows(r.rows);
          f.end();
        }
      }
      await out.done();
    },
    { stdinFree },
  );
}
