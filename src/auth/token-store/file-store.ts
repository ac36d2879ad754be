import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
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

/** DESIGN.md `TokenStore`: where tokens live between processes. */
export interface TokenStore {
  read(key: TokenKey): Promise<StoredToken | undefined>;
  write(key: TokenKey, token: TokenSet): Promise<void>;
  remove(key: TokenKey): Promise<boolean>;
  /** Runs `fn` holding a lock for `key` across processes (refresh and login are single-flight). */
  withLock<T>(key: TokenKey, waitMs: number, fn: () => Promise<T>): Promise<T>;
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
export class FileTokenStore implements TokenStore {
  constructor(private readonly dir: string) {}

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

  async withLock<T>(key: TokenKey, waitMs: number, fn: () => Promise<T>): Promise<T> {
    await this.#ensureDir();
    const lock = `${this.#file(key)}.lock`;
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const h = await open(lock, 'wx', 0o600);
        await h.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() }));
        await h.close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (await this.#stale(lock, waitMs)) {
          await rm(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new RestSqlError('AUTH_LOGIN_REQUIRED', `Another restsql process has been logging in or refreshing this token for too long (lock ${lock}).`, {
            hint: 'Finish or cancel the other login, or delete the lock file if no restsql process is running.',
          });
        }
        await sleep(100);
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }

  async #stale(lock: string, maxAgeMs: number): Promise<boolean> {
    try {
      const info = JSON.parse(await readFile(lock, 'utf8')) as { pid?: number; at?: number };
      if (typeof info.pid === 'number' && !alive(info.pid)) return true;
      return typeof info.at === 'number' && Date.now() - info.at > maxAgeMs;
    } catch {
      // Unreadable or just being written: stale only if old.
      try {
        return Date.now() - (await stat(lock)).mtimeMs > 5000;
      } catch {
        return true;
      }
    }
  }
}
