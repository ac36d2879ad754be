/**
 * Reading the model file RestConfigFile names: bounded, and only a regular file.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { RestSqlError } from '../errors/index.js';

/** The largest model file read: model files are hand-written JSON, far smaller than this. */
export const MAX_MODEL_FILE_BYTES = 16 * 1024 * 1024;

function unreadable(file: string, why: string, hint = 'Check the path (relative paths are resolved from the current directory).'): RestSqlError {
  return new RestSqlError('MODEL_FILE_NOT_FOUND', `RestConfigFile: cannot read model file '${file}': ${why}.`, { hint, details: { option: 'RestConfigFile', file } });
}

/**
 * The text of the model file RestConfigFile names. Only a regular file is read, and at most
 * MAX_MODEL_FILE_BYTES of it: /dev/zero, a FIFO or a directory fails at once instead of hanging
 * (the file is opened non-blocking, so a FIFO without a writer does not wait either).
 */
export function readModelFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw unreadable(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isFIFO() ? 'a pipe' : stat.isSocket() ? 'a socket' : 'not a file';
      throw unreadable(file, `it is ${kind}, not a regular file`, 'Point RestConfigFile at a model file (.rest); to pass a model on stdin, write it to a file first.');
    }
    // The size is checked as the file is read too: some files (/proc) report 0 and others grow.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, piece, 0, piece.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_MODEL_FILE_BYTES) {
        throw new RestSqlError('MODEL_INVALID', `RestConfigFile: model file '${file}' is larger than ${MAX_MODEL_FILE_BYTES / 1024 / 1024} MiB, the most restsql reads.`, {
          hint: 'A model file describes endpoints and columns; check that RestConfigFile names the model file and not a data file.',
          details: { option: 'RestConfigFile', file, maxBytes: MAX_MODEL_FILE_BYTES },
        });
      }
      chunks.push(piece.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (e instanceof RestSqlError) throw e;
    throw unreadable(file, (e as Error).message);
  } finally {
    closeSync(fd);
  }
}
