import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { RestSqlError } from '../errors/index.js';

/** Who reads a secret file, for its messages: `restsql serve` and its password, `restsql mcp` and its token. */
export interface SecretFileUse {
  /** The flag that names the file (`--password-file`). */
  readonly option: string;
  /** What the first line is (`password`). */
  readonly what: string;
  /** The command that reads it (`restsql serve`). */
  readonly reader: string;
}

/**
 * The first line of `file` (a trailing CR/LF and a leading byte order mark are not part of it),
 * which on POSIX must not be accessible to group or others, as PostgreSQL requires of its key
 * files and libpq of `.pgpass` (PostgreSQL 15 "The Password File"). The file is opened once for
 * the checks and the read, so the file checked is the file read. An empty first line is an error,
 * never an empty secret.
 */
export function readSecretFile(file: string, use: SecretFileUse): string {
  const { option, what, reader } = use;
  const invalid = (message: string, hint: string, cause?: unknown) =>
    new RestSqlError('CONFIG_INVALID_VALUE', `${option}: ${message}`, { hint, details: { option, file }, ...(cause === undefined ? {} : { cause }) });
  let text: string;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw invalid(`${file} is a folder, not a file.`, `Point ${option} at a file whose first line is the ${what}.`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw invalid(`${file} is accessible to other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); ${reader} does not take its ${what} from a file others can read.`, `Run: chmod 600 ${file}`);
    }
    text = readFileSync(fd, 'utf8');
  } catch (e) {
    if (e instanceof RestSqlError) throw e;
    throw invalid(`cannot read ${file}: ${(e as Error).message}`, `Point ${option} at a readable file whose first line is the ${what}.`, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const newline = text.indexOf('\n');
  const secret = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '').replace(/^\uFEFF/, '');
  if (secret === '') {
    throw invalid(`the first line of ${file} is empty; ${reader} does not run without a ${what}.`, `Write the ${what} on the first line of ${file}, or leave out ${option} to have ${reader} generate one.`);
  }
  return secret;
}
