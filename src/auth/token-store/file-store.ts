import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RestSqlError } from '../../errors/index.js';
import type { TokenSet } from '../oauth/token-endpoint.js';

/** What identifies a cached login (issue: AuthURI + TokenURI + ClientID + Scope; never the secret). */
export interface TokenKey {
  readonly authUri: string;
  readonly tokenUri: string;
  readonly clientId: string;
  readonly scope: string;
  /** Whose tokens they are when the client alone does not say: the User of the password grant, the JWT subject. */
  readonly subject?: string;
}

export interface StoredToken {
  readonly key: TokenKey;
  readonly token: TokenSet;
}

/** Where tokens live between processes (docs/architecture.md "Contracts"). */
export interface TokenStore {
  read(key: TokenKey): Promise<StoredToken | undefined>;
  write(key: TokenKey, token: TokenSet): Promise<void>;
  remove(key: TokenKey): Promise<boolean>;
  /**
   * Runs `fn` holding a lock for `key` across processes (refresh and login are single-flight),
   * waiting up to `waitMs` for another holder. `onWait(waitMs)` is called once when it has to wait,
   * so the person at the keyboard can be told why nothing happens.
   */
  withLock<T>(key: TokenKey, waitMs: number, fn: () => Promise<T>, onWait?: (waitMs: number) => void): Promise<T>;
}

export function tokenKeyId(key: TokenKey): string {
  const parts = [key.authUri, key.tokenUri, key.clientId, key.scope, ...(key.subject !== undefined ? [key.subject] : [])];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Tokens as JSON files under `<dir>` (mode 0700), one per key, mode 0600, written atomically
 * (temporary file, fsync, rename) so a reader never sees half a file.
 */
export interface FileTokenStoreOptions {
  /** The clock lock ages are judged by (ms since the epoch; default Date.now). */
  readonly now?: () => number;
  /** How a waiter pauses between looks at a held lock (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class FileTokenStore implements TokenStore {
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly dir: string,
    options: FileTokenStoreOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  #file(key: TokenKey): string {
    return join(this.dir, `${tokenKeyId(key)}.json`);
  }

  async #ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.#checkDir();
  }

  /**
   * Refuses a token folder that others can write to, or that another user owns: anyone could
   * plant or swap a token file there, and restsql would send that token as the user's. restsql
   * makes the folder 0700; it does not repair one changed since, because what is in it can no
   * longer be trusted.
   */
  async #checkDir(): Promise<void> {
    let info;
    try {
      info = await stat(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const uid = process.getuid?.();
    const foreign = uid !== undefined && info.uid !== uid;
    if ((info.mode & 0o022) === 0 && !foreign) return;
    const why = foreign ? `is owned by another user (uid ${info.uid})` : `can be written by ${info.mode & 0o002 ? 'any user' : 'its group'} (mode ${(info.mode & 0o777).toString(8).padStart(3, '0')})`;
    throw new RestSqlError('CONFIG_INVALID_VALUE', `The token cache folder ${this.dir} ${why}; restsql does not use it, since a token planted there would be sent as yours.`, {
      hint: `Remove it (rm -r ${this.dir}; the next login makes it again, mode 0700), or if it is yours and untouched, chmod 700 ${this.dir}. Set RESTSQL_HOME to use another folder.`,
      details: { option: 'RESTSQL_HOME', path: this.dir },
    });
  }

  async read(key: TokenKey): Promise<StoredToken | undefined> {
    await this.#checkDir();
    let text: string;
    try {
      text = await readFile(this.#file(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as StoredToken;
      return parsed.token?.accessToken ? parsed : undefined;
    } catch {
      // A damaged cache is as good as none: the next login rewrites it.
      return undefined;
    }
  }

  async write(key: TokenKey, token: TokenSet): Promise<void> {
    await this.#ensureDir();
    const file = this.#file(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ key, token } satisfies StoredToken, null, 2) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  }

  async remove(key: TokenKey): Promise<boolean> {
    try {
      await unlink(this.#file(key));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** All cached logins (for `restsql token` without a connection, and tests). */
  async list(): Promise<StoredToken[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: StoredToken[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        out.push(JSON.parse(await readFile(join(this.dir, n), 'utf8')) as StoredToken);
      } catch {
        // skip damaged files
      }
    }
    return out;
  }

  /**
   * The lock is a file created whole (written aside, then hard-linked into place, which fails if
   * it exists), so it is never seen empty or half-written. A lock whose process is dead (or that is
   * older than `waitMs`) is taken over under a second, short-lived lock (`.takeover`), and removed
   * only if it still holds what was judged stale: waiters that all see the same stale lock remove
   * it once, and none removes the fresh lock another waiter has just made.
   */
  async withLock<T>(key: TokenKey, waitMs: number, fn: () => Promise<T>, onWait?: (waitMs: number) => void): Promise<T> {
    await this.#ensureDir();
    const lock = `${this.#file(key)}.lock`;
    const mine = JSON.stringify({ pid: process.pid, at: this.#now(), id: randomBytes(8).toString('hex') });
    const deadline = this.#now() + waitMs;
    let told = false;
    for (;;) {
      if (await createWhole(lock, mine)) break;
      if (await this.#takeOverStale(lock, waitMs)) continue;
      if (!told) {
        // Held by a live process: say so once, before the first pause.
        told = true;
        onWait?.(waitMs);
      }
      if (this.#now() > deadline) {
        throw new RestSqlError('AUTH_LOGIN_REQUIRED', `Another restsql process has been logging in or refreshing this token for too long (lock ${lock}).`, {
          hint: 'Finish or cancel the other login, or delete the lock file if no restsql process is running.',
        });
      }
      await this.#sleep(100);
    }
    try {
      return await fn();
    } finally {
      // Only our own: a lock taken over from us (we were too slow) belongs to someone else now.
      if ((await readText(lock)) === mine) await rm(lock, { force: true });
    }
  }

  /** True when the lock is gone or was removed as stale (try to create it again now). */
  async #takeOverStale(lock: string, maxAgeMs: number): Promise<boolean> {
    const seen = await readText(lock);
    if (seen === undefined) return true;
    if (!(await stale(lock, seen, maxAgeMs, this.#now()))) return false;
    const guard = `${lock}.takeover`;
    if (!(await createWhole(guard, JSON.stringify({ pid: process.pid, at: this.#now() })))) {
      // Another waiter is taking over (for milliseconds); a guard left by a process that died
      // in between goes after a while.
      const age = await ageMs(guard);
      if (age !== undefined && age > GUARD_STALE_MS) await rm(guard, { force: true });
      return false;
    }
    try {
      // Nobody can replace the lock while it exists, and only a guard holder removes it.
      if ((await readText(lock)) === seen) await rm(lock, { force: true });
    } finally {
      await rm(guard, { force: true });
    }
    return true;
  }
}

const GUARD_STALE_MS = 10_000;

/** Creates `path` holding `text` if it does not exist, whole: written aside, then linked into place. */
async function createWhole(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function ageMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** A lock whose process is dead or that is older than `maxAgeMs`; unreadable content (an older restsql's lock being written) only when old. */
async function stale(lock: string, text: string, maxAgeMs: number, now: number): Promise<boolean> {
  try {
    const info = JSON.parse(text) as { pid?: number; at?: number };
    if (typeof info.pid === 'number' && !alive(info.pid)) return true;
    return typeof info.at === 'number' && now - info.at > maxAgeMs;
  } catch {
    const age = await ageMs(lock);
    return age !== undefined && age > 5000;
  }
}
