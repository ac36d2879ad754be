/**
 * Reading a small file a user names (a certificate, a key store): only a regular file, and at most
 * `maxBytes` of it, so /dev/zero, a FIFO or a directory fails at once instead of hanging or
 * filling memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type BoundedFileProblem = 'missing' | 'not-a-file' | 'too-large' | 'unreadable';

/** Why a file could not be read; callers turn it into an error naming their option. */
export class BoundedFileError extends Error {
  constructor(
    readonly problem: BoundedFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'BoundedFileError';
  }
}

export function readBoundedFile(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    // Non-blocking, so a FIFO without a writer does not wait.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BoundedFileError(missing ? 'missing' : 'unreadable', missing ? 'it does not exist' : (e as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isFIFO() ? 'a pipe' : stat.isSocket() ? 'a socket' : 'not a file';
      throw new BoundedFileError('not-a-file', `it is ${kind}, not a regular file`);
    }
    // The size is checked as the file is read too: some files (/proc) report 0 and others grow.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, piece, 0, piece.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new BoundedFileError('too-large', `it is larger than ${Math.round(maxBytes / 1024)} KiB, the most read`);
      chunks.push(piece.subarray(0, n));
    }
    return Buffer.concat(chunks);
  } catch (e) {
    if (e instanceof BoundedFileError) throw e;
    throw new BoundedFileError('unreadable', (e as Error).message);
  } finally {
    closeSync(fd);
  }
}
