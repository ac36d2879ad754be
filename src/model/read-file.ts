/**
 * Reading the model file RestConfigFile names: bounded, and only a regular file.
 */
import { RestSqlError } from '../errors/index.js';
import { BoundedFileError, readBoundedFile } from '../util/bounded-file.js';

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
  try {
    return readBoundedFile(file, MAX_MODEL_FILE_BYTES).toString('utf8');
  } catch (e) {
    if (!(e instanceof BoundedFileError)) throw e;
    if (e.problem === 'too-large') {
      throw new RestSqlError('MODEL_INVALID', `RestConfigFile: model file '${file}' is larger than ${MAX_MODEL_FILE_BYTES / 1024 / 1024} MiB, the most restsql reads.`, {
        hint: 'A model file describes endpoints and columns; check that RestConfigFile names the model file and not a data file.',
        details: { option: 'RestConfigFile', file, maxBytes: MAX_MODEL_FILE_BYTES },
      });
    }
    if (e.problem === 'not-a-file') throw unreadable(file, e.message, 'Point RestConfigFile at a model file (.rest); to pass a model on stdin, write it to a file first.');
    throw unreadable(file, e.message);
  }
}
