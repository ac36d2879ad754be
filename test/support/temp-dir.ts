/**
 * Temporary folders for tests that remove themselves: `tempDir(t)` inside a test (removed when
 * that test ends, passed or failed), `tempDir(after)` at the top of a file (removed after the
 * file's last test). And a check that this process left none of restsql's spool folders behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Hook = (fn: () => void | Promise<void>) => void;

/** A new folder under the system's temporary folder, removed by the hook `owner` registers it with. */
export function tempDir(owner: Hook | { after: Hook }, prefix = 'restsql-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // A few retries: a child process that is still being killed may add a file while the folder goes.
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  if (typeof owner === 'function') owner(remove);
  else owner.after(remove);
  return dir;
}

/**
 * restsql's spool folders (`restsql-spool-<pid>-XXXXXX`, one per open connection) that this
 * process owns in `dir`. Once every connection of a test file is closed there must be none.
 * Other processes' folders (colleagues' test runs share the temporary folder) are not counted.
 */
export function ownSpoolFolders(dir = tmpdir()): string[] {
  return readdirSync(dir).filter((d) => d.startsWith(`restsql-spool-${process.pid}-`)).map((d) => join(dir, d));
}
