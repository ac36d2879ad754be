import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { RestSqlError } from '../../errors/index.js';

/** The environment variable that gives restsql serve its password. */
export const SERVE_PASSWORD_ENV = 'RESTSQL_SERVE_PASSWORD';
const FILE_OPTION = '--password-file';
const GENERATED_BYTES = 24;

export interface ServePassword {
  readonly password: string;
  /** Where it came from; a generated password is printed once by the caller, the others never. */
  readonly source: 'env' | 'file' | 'generated';
}

/**
 * The password every client of restsql serve must give, from the first of:
 *
 * 1. the `RESTSQL_SERVE_PASSWORD` environment variable;
 * 2. the first line of the `--password-file` file (a trailing CR/LF and a leading byte order mark
 *    are not part of it), which on POSIX must not be accessible to group or others, as
 *    PostgreSQL requires of its key files and libpq of `.pgpass` (PostgreSQL 15 "The Password
 *    File");
 * 3. 24 random bytes, base64url (32 characters), which the caller prints once.
 *
 * A password that is given but empty is an error, never a server without a password.
 */
export function resolveServePassword(opts: { env: Readonly<Record<string, string | undefined>>; passwordFile?: string }): ServePassword {
  const fromEnv = opts.env[SERVE_PASSWORD_ENV];
  if (fromEnv !== undefined) {
    if (fromEnv === '') {
      throw new RestSqlError('CONFIG_INVALID_VALUE', `${SERVE_PASSWORD_ENV} is set but empty; restsql serve does not run without a password.`, {
        hint: `Set ${SERVE_PASSWORD_ENV} to a password, or unset it to have restsql serve generate one.`,
        details: { option: SERVE_PASSWORD_ENV },
      });
    }
    return { password: fromEnv, source: 'env' };
  }
  if (opts.passwordFile !== undefined) return { password: readPasswordFile(opts.passwordFile), source: 'file' };
  return { password: randomBytes(GENERATED_BYTES).toString('base64url'), source: 'generated' };
}

function readPasswordFile(file: string): string {
  const invalid = (message: string, hint: string, cause?: unknown) =>
    new RestSqlError('CONFIG_INVALID_VALUE', `${FILE_OPTION}: ${message}`, { hint, details: { option: FILE_OPTION, file }, ...(cause === undefined ? {} : { cause }) });
  let text: string;
  let fd: number | undefined;
  try {
    // One open file for the checks and the read, so the file checked is the file read.
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw invalid(`${file} is a folder, not a file.`, `Point ${FILE_OPTION} at a file whose first line is the password.`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw invalid(`${file} is accessible to other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); restsql serve does not take its password from a file others can read.`, `Run: chmod 600 ${file}`);
    }
    text = readFileSync(fd, 'utf8');
  } catch (e) {
    if (e instanceof RestSqlError) throw e;
    throw invalid(`cannot read ${file}: ${(e as Error).message}`, `Point ${FILE_OPTION} at a readable file whose first line is the password.`, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const newline = text.indexOf('\n');
  const password = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '').replace(/^\uFEFF/, '');
  if (password === '') {
    throw invalid(`the first line of ${file} is empty; restsql serve does not run without a password.`, `Write the password on the first line of ${file}, or leave out ${FILE_OPTION} to have restsql serve generate one.`);
  }
  return password;
}
