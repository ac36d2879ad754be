/**
 * The shell's read-eval-print loop on one open Connection: lines (node:readline) go into the
 * statement buffer; each statement it completes runs on the connection, so tables fetched once
 * serve later statements within CacheTTL; lines starting with `\` are meta-commands.
 *
 * On a terminal: prompts (`restsql=> `, `restsql-> ` inside a statement), history
 * (history.ts), tab completion (completion.ts), a pager for long results (pager.ts), and
 * Ctrl-C cancelling the running statement (its fetches too) or, at the prompt, the line typed.
 * Without one (a script on standard input): no prompt or banner, and the first failed statement
 * or meta-command stops the shell with its exit status unless `continueOnError`.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import type { Connection } from '../../engine/connection.js';
import { RestSqlError } from '../../errors/index.js';
import { renderError } from '../errors.js';
import type { Format } from '../format.js';
import type { CliContext } from '../io.js';
import { findTable, tableList } from '../table-list.js';
import { complete, type CompletionCatalog } from './completion.js';
import { renderResult, type DisplaySettings, type ResultLike } from './display.js';
import { History } from './history.js';
import { META_HELP, parseMeta, type MetaCommand } from './meta-commands.js';
import { needsPager, pagerCommand, runPager } from './pager.js';
import { metaStart, StatementBuffer } from './statement-buffer.js';

export const PROMPT = 'restsql=> ';
export const CONTINUATION_PROMPT = 'restsql-> ';
/** How deep `\i` may nest (a file including itself stops here). */
const MAX_INCLUDE_DEPTH = 16;

export interface ShellOptions {
  readonly format: Format;
  readonly continueOnError: boolean;
}

/** What handling input asks of the loop: go on, quit (`\q`), or stop at an error. */
type Outcome = 'continue' | 'quit' | 'stop';

export class Shell {
  readonly #ctx: CliContext;
  readonly #conn: Connection;
  readonly #clearProgress: () => void;
  readonly #settings: DisplaySettings;
  /** Standard input is a terminal: prompts, history, and errors do not stop the shell. */
  readonly #interactive: boolean;
  /** readline drives the terminal (both ends are one). */
  readonly #terminal: boolean;
  readonly #stopOnError: boolean;
  readonly #buffer = new StatementBuffer();
  #timing = false;
  #pager = true;
  #output: { fd: number; file: string } | undefined;
  #catalog: CompletionCatalog = { tables: [] };
  #rl: Interface | undefined;
  #running = false;
  #paging = false;
  /** Ctrl-C during this line's work: what is left of it (statements, an \i file) is dropped. */
  #cancelled = false;
  #status = 0;

  constructor(ctx: CliContext, conn: Connection, clearProgress: () => void, options: ShellOptions) {
    this.#ctx = ctx;
    this.#conn = conn;
    this.#clearProgress = clearProgress;
    this.#settings = { format: options.format, expanded: 'off' };
    this.#interactive = ctx.io.stdin.isTTY === true;
    this.#terminal = this.#interactive && ctx.io.stdout.isTTY === true;
    this.#stopOnError = !this.#interactive && !options.continueOnError;
  }

  /** Runs until `\q`, the end of input, a stopping error or a stop signal; returns the exit status. */
  async run(): Promise<number> {
    const { io } = this.#ctx;
    await this.#loadCatalog();
    const history = this.#interactive ? new History(io.env, (t) => this.#conn.redact(t), (m) => void io.stderr.write(`restsql: warning: ${m}\n`)) : undefined;
    const rl = createInterface({
      input: io.stdin,
      ...(this.#terminal ? { output: io.stdout } : {}),
      terminal: this.#terminal,
      crlfDelay: Infinity,
      ...(this.#terminal
        ? {
            completer: (line: string) => complete(line, this.#catalog),
            history: [...(history?.lines ?? [])].reverse(),
            historySize: history ? 1000 : 0,
            removeHistoryDuplicates: true,
          }
        : {}),
    });
    this.#rl = rl;
    rl.on('SIGINT', () => void this.#interrupt());
    this.#ctx.takeInterrupts?.(() => this.#interrupt());
    // SIGTERM, SIGHUP (or SIGINT the shell did not take): the loop ends, and main() reports it.
    const onAbort = () => rl.close();
    this.#ctx.signal.addEventListener('abort', onAbort);
    if (this.#ctx.signal.aborted) rl.close();
    try {
      if (this.#terminal) io.stdout.write(`restsql shell: ${this.#catalog.tables.length} table${this.#catalog.tables.length === 1 ? '' : 's'}. Type \\? for help, \\q to quit.\n`);
      this.#prompt();
      let outcome: Outcome = 'continue';
      for await (const line of rl) {
        this.#cancelled = false;
        history?.add(line);
        outcome = await this.#line(line, 0);
        if (outcome !== 'continue') break;
        this.#prompt();
      }
      // The end of a script: a last statement without `;` runs, as psql runs it.
      if (outcome === 'continue' && !this.#interactive && !this.#ctx.signal.aborted) await this.#flush(this.#buffer);
      if (outcome === 'continue' && this.#terminal) io.stdout.write('\n');
    } finally {
      this.#ctx.signal.removeEventListener('abort', onAbort);
      this.#ctx.takeInterrupts?.(undefined);
      rl.close();
      this.#closeOutput();
    }
    this.#ctx.signal.throwIfAborted();
    return this.#status;
  }

  #prompt(): void {
    if (!this.#terminal || !this.#rl) return;
    this.#rl.setPrompt(this.#buffer.pending === '' ? PROMPT : CONTINUATION_PROMPT);
    this.#rl.prompt();
  }

  /**
   * Ctrl-C (readline's SIGINT on a terminal, the process's SIGINT otherwise): cancels the
   * running statement, or on a terminal forgets the line and statement typed. False when the
   * shell should stop (a script that is not running a statement).
   */
  #interrupt(): boolean {
    if (this.#paging) return true;
    if (this.#running) {
      this.#cancelled = true;
      this.#conn.interrupt();
      return true;
    }
    if (!this.#interactive) return false;
    this.#buffer.clear();
    if (this.#terminal && this.#rl) {
      this.#rl.write(null, { ctrl: true, name: 'e' });
      this.#rl.write(null, { ctrl: true, name: 'u' });
      this.#ctx.io.stdout.write('^C\n');
      this.#prompt();
    }
    return true;
  }

  /** One line of input (typed, piped, or from an `\i` file at `depth`). */
  async #line(line: string, depth: number, buffer: StatementBuffer = this.#buffer): Promise<Outcome> {
    // A backslash outside quotes starts a meta-command (the SQL before it goes first); without
    // one in the line, the buffer need not be read.
    const meta = line.includes('\\') && !buffer.inQuote ? metaStart(line) : -1;
    const sqlText = meta < 0 ? line : line.slice(0, meta);
    if (meta < 0 || sqlText.trim() !== '') {
      for (const sql of buffer.push(sqlText)) {
        if (this.#cancelled) return this.#afterCancel();
        if (!(await this.#statement(sql))) return 'stop';
      }
    }
    if (this.#cancelled) return this.#afterCancel();
    if (meta < 0) return 'continue';
    let cmd: MetaCommand;
    try {
      cmd = parseMeta(line.slice(meta));
    } catch (e) {
      return this.#failed(e);
    }
    return this.#meta(cmd, depth, buffer);
  }

  /** Runs what is left in `buffer` (the end of a script or `\i` file). */
  async #flush(buffer: StatementBuffer): Promise<Outcome> {
    const rest = buffer.pending;
    buffer.clear();
    if (rest.trim() === '') return 'continue';
    for (const sql of new StatementBuffer().push(`${rest}\n;`)) {
      if (this.#cancelled) return this.#afterCancel();
      if (!(await this.#statement(sql))) return 'stop';
    }
    return 'continue';
  }

  /**
   * What follows a Ctrl-C (SIGINT) that cancelled a statement, or came while its results printed:
   * the rest of the line is dropped; a script that stops at errors stops with 130.
   */
  #afterCancel(): Outcome {
    if (!this.#stopOnError) return 'continue';
    this.#status = 130;
    this.#ctx.setExitStatus?.(130);
    return 'stop';
  }

  /** Prints `e`; 'stop' when the shell stops at errors (with the error's exit status). */
  #failed(e: unknown): Outcome {
    this.#clearProgress();
    const { text, status } = renderError(e, this.#ctx.io.env);
    this.#ctx.io.stderr.write(text);
    if (!this.#stopOnError) return 'continue';
    // A statement cancelled by Ctrl-C (SIGINT) stops a script as SIGINT stops a command: 130.
    this.#status = this.#cancelled ? 130 : status;
    this.#ctx.setExitStatus?.(this.#status);
    return 'stop';
  }

  /** Runs one statement and prints its results; false when the shell stops at this failure. */
  async #statement(sql: string): Promise<boolean> {
    const started = performance.now();
    this.#running = true;
    try {
      const results = await this.#conn.queryAll(sql);
      this.#clearProgress();
      for (const r of results) await this.#print(r);
    } catch (e) {
      return this.#failed(e) !== 'stop';
    } finally {
      this.#running = false;
      await this.#loadCatalog();
    }
    if (this.#timing) this.#ctx.io.stdout.write(`Time: ${(performance.now() - started).toFixed(3)} ms\n`);
    return true;
  }

  /** Writes a result to `\o`'s file or standard output (through the pager when long, on a terminal). */
  async #print(result: ResultLike): Promise<void> {
    const { stdout } = this.#ctx.io;
    const toTerminal = this.#output === undefined && stdout.isTTY === true;
    const text = this.#conn.redact(renderResult(result, this.#settings, { terminal: toTerminal, redact: (t) => this.#conn.redact(t), ...(stdout.columns ? { columns: stdout.columns } : {}) }));
    await this.#write(text);
  }

  async #write(text: string): Promise<void> {
    if (this.#output) {
      writeSync(this.#output.fd, text);
      return;
    }
    const { stdout, stdin, env } = this.#ctx.io;
    const pager = this.#pager && this.#terminal ? pagerCommand(env) : undefined;
    if (pager === undefined || !needsPager(text, (stdout as { rows?: number }).rows)) {
      stdout.write(text);
      return;
    }
    // The pager reads the keyboard: readline stops reading, and the terminal leaves raw mode.
    const tty = stdin as NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => void };
    this.#rl?.pause();
    tty.setRawMode?.(false);
    this.#paging = true;
    try {
      if (!(await runPager(pager, text, env))) stdout.write(text);
    } finally {
      this.#paging = false;
      tty.setRawMode?.(true);
      this.#rl?.resume();
    }
  }

  /** Status messages (`\x`, `\timing`...) go to stderr, so standard output holds results only. */
  #say(message: string): void {
    this.#ctx.io.stderr.write(`${message}\n`);
  }

  async #meta(cmd: MetaCommand, depth: number, buffer: StatementBuffer): Promise<Outcome> {
    try {
      switch (cmd.kind) {
        case 'quit':
          return 'quit';
        case 'help':
          this.#ctx.io.stdout.write(META_HELP);
          return 'continue';
        case 'tables':
          await this.#print(await this.#tablesResult());
          return 'continue';
        case 'describe':
          await this.#describe(cmd.table);
          return 'continue';
        case 'expanded': {
          const next = cmd.mode === 'toggle' ? (this.#settings.expanded === 'on' ? 'off' : 'on') : cmd.mode;
          this.#settings.expanded = next;
          this.#say(next === 'auto' ? 'Expanded display is used automatically.' : `Expanded display is ${next}.`);
          return 'continue';
        }
        case 'timing':
          this.#timing = cmd.mode === 'toggle' ? !this.#timing : cmd.mode === 'on';
          this.#say(`Timing is ${this.#timing ? 'on' : 'off'}.`);
          return 'continue';
        case 'pager':
          this.#pager = cmd.mode === 'toggle' ? !this.#pager : cmd.mode === 'on';
          this.#say(`Pager ${this.#pager ? 'is used for long output' : 'usage is off'}.`);
          return 'continue';
        case 'format':
          if (cmd.format !== undefined) this.#settings.format = cmd.format;
          this.#say(`Output format is ${this.#settings.format}.`);
          return 'continue';
        case 'output':
          this.#setOutput(cmd.file);
          return 'continue';
        case 'include':
          return await this.#include(cmd.file, depth);
        case 'refresh':
          await this.#conn.dropCache();
          this.#say('Cached tables dropped: the next statement fetches them again.');
          return 'continue';
        case 'reset':
          buffer.clear();
          this.#say('Query buffer reset (cleared).');
          return 'continue';
        default: {
          const never: never = cmd;
          throw new Error(`unhandled meta-command ${String(never)}`);
        }
      }
    } catch (e) {
      return this.#failed(e);
    }
  }

  #setOutput(file: string | undefined): void {
    this.#closeOutput();
    if (file === undefined) return;
    try {
      this.#output = { fd: openSync(file, 'w', 0o644), file };
    } catch (e) {
      throw new RestSqlError('USAGE', `Cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { hint: 'Check the path given to \\o.', details: { file } });
    }
  }

  #closeOutput(): void {
    if (this.#output) closeSync(this.#output.fd);
    this.#output = undefined;
  }

  /** `\i FILE`: its lines as if typed, in a statement buffer of their own; a last statement without `;` runs at its end. */
  async #include(file: string, depth: number): Promise<Outcome> {
    if (depth >= MAX_INCLUDE_DEPTH) throw new RestSqlError('USAGE', `\\i is nested more than ${MAX_INCLUDE_DEPTH} deep (at ${file}).`, { hint: 'A file that includes itself never ends: remove the \\i.' });
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new RestSqlError('USAGE', `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { hint: 'Check the path given to \\i.', details: { file } });
    }
    const buffer = new StatementBuffer();
    for (const line of text.split(/\r?\n/)) {
      if (this.#cancelled) return this.#afterCancel();
      const outcome = await this.#line(line, depth + 1, buffer);
      if (outcome !== 'continue') return outcome;
    }
    return this.#flush(buffer);
  }

  async #loadCatalog(): Promise<void> {
    try {
      this.#catalog = { tables: (await this.#conn.tables()).map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name) })) };
    } catch {
      // A closed connection: completion keeps the names it had.
    }
  }

  async #tablesResult(): Promise<ResultLike> {
    return tableList(await this.#conn.tables());
  }

  /** `\d TABLE`: its columns (type, key, the parent column a link column holds); in the table format, its parent, children and endpoint. */
  async #describe(name: string): Promise<void> {
    const tables = await this.#conn.tables();
    const t = findTable(tables, name, '\\dt lists the tables.');
    const links = new Map(t.parentKey.map((k) => [k.column, k.parentColumn]));
    await this.#print({
      columns: [
        { name: 'column', type: 'VARCHAR' },
        { name: 'type', type: 'VARCHAR' },
        { name: 'key', type: 'BOOLEAN' },
        { name: 'references', type: 'VARCHAR' },
      ],
      rows: t.columns.map((c) => ({ column: c.name, type: c.type, key: c.key, references: links.has(c.name) ? `${t.parent}.${links.get(c.name)}` : null })),
    });
    if (this.#settings.format !== 'table') return;
    const children = tables.filter((x) => x.parent === t.name).map((x) => x.name);
    const lines = [
      ...(t.parent ? [`Parent table: ${t.parent} (${t.parentKey.map((k) => `${k.column} -> ${t.parent}.${k.parentColumn}`).join(', ')})`] : []),
      ...(children.length > 0 ? [`Child tables: ${children.join(', ')}`] : []),
      `Endpoint: ${t.endpoint}`,
    ];
    await this.#write(this.#conn.redact(lines.join('\n') + '\n'));
  }
}
