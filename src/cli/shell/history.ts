/**
 * The shell's history file: `$RESTSQL_HOME/shell_history` (util/state-dir.ts), one line per
 * entry, the newest last, at most `limit` entries. The file is mode 0600 (its folder, when made here,
 * 0700) and replaced whole on each write (a temporary file renamed
 * over it). Each line is masked before it is kept: the connection's secrets (`redact`, every
 * form they travel in) and credentials in URLs and Authorization-style values (redactText).
 */
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomicSync } from '../../util/atomic-file.js';
import { redactText } from '../../errors/index.js';
import { stateDir } from '../../util/state-dir.js';

export const HISTORY_FILE = 'shell_history';
export const HISTORY_LIMIT = 1000;

/** Values of name=value pairs whose name says secret (password=..., client_secret: ...), masked. */
const SECRET_ASSIGNMENT = /\b([A-Za-z_]*(?:password|passwd|pwd|secret|token|apikey|api_key)[A-Za-z_]*)(\s*[=:]\s*)('[^']*'|"[^"]*"|\{[^}]*\}|[^\s;,'")]+)/gi;

export class History {
  readonly #file: string;
  readonly #limit: number;
  readonly #redact: (text: string) => string;
  readonly #warn: (message: string) => void;
  #warned = false;
  #lines: string[];

  /** Reads the history of `env`'s state folder; `redact` masks a connection's secrets. */
  constructor(env: NodeJS.ProcessEnv, redact: (text: string) => string, warn: (message: string) => void, limit = HISTORY_LIMIT) {
    this.#file = join(stateDir(env), HISTORY_FILE);
    this.#limit = limit;
    this.#redact = redact;
    this.#warn = warn;
    this.#lines = readLines(this.#file).slice(-limit);
  }

  get file(): string {
    return this.#file;
  }

  /** The entries, oldest first. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** `line` as it is kept: secrets masked. */
  mask(line: string): string {
    return redactText(this.#redact(line)).replace(SECRET_ASSIGNMENT, '$1$2***');
  }

  /**
   * Adds `line` (masked; blank lines and a repeat of the newest entry are not kept) and writes
   * the file. A file that cannot be written is said once (`warn`); the entries stay in memory.
   */
  add(line: string): void {
    if (line.trim() === '') return;
    const masked = this.mask(line).replace(/\r?\n/g, ' ');
    if (this.#lines[this.#lines.length - 1] === masked) return;
    this.#lines.push(masked);
    if (this.#lines.length > this.#limit) this.#lines = this.#lines.slice(-this.#limit);
    try {
      writeHistory(this.#file, this.#lines);
    } catch (e) {
      // Said once; the shell goes on with the history in memory.
      if (!this.#warned) this.#warn(`cannot write the history file ${this.#file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; history is kept for this session only`);
      this.#warned = true;
    }
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

function writeHistory(file: string, lines: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(file, lines.join('\n') + '\n', 0o600);
  // The mode given at creation passes through the umask; 0600 is set outright.
  chmodSync(file, 0o600);
}
