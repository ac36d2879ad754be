import { randomBytes } from 'node:crypto';
import { RestSqlError } from '../../errors/index.js';
import { readSecretFile } from '../../util/secret-file.js';

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
  return readSecretFile(file, { option: FILE_OPTION, what: 'password', reader: 'restsql serve' });
}
