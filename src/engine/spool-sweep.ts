/**
 * Spool folders left by restsql processes that died without cleaning up (SIGKILL, a crash, a
 * power cut). Each folder's name records the PID that made it (`restsql-spool-<pid>-XXXXXX`);
 * at start, folders of ours whose process is gone are removed. A folder of another user, of a
 * live process, or without a PID in its name is left alone.
 */
import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const SPOOL_PREFIX = 'restsql-spool-';
const NAME = /^restsql-spool-(\d+)-[A-Za-z0-9]{6}$/;

/** Whether process `pid` exists (EPERM: it does, as another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Removes the spool folders in `dir` of dead restsql processes owned by this user; returns their paths. */
export function sweepSpools(dir: string): string[] {
  const uid = process.getuid?.();
  if (uid === undefined) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(NAME.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory() || st.uid !== uid || alive(pid)) continue;
      removeSpoolFolder(path);
      removed.push(path);
    } catch {
      // Gone meanwhile, or not ours to remove: left alone.
    }
  }
  return removed;
}

/** Removes a private folder, its unlistable load folder (mode 0300) made listable first. */
export function removeSpoolFolder(root: string): void {
  try {
    chmodSync(join(root, 'load'), 0o700);
  } catch {
    // Absent, or not ours: rmSync reports what matters.
  }
  rmSync(root, { recursive: true, force: true });
}
