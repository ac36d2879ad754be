import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileTokenStore, tokenKeyId } from '../../../src/auth/token-store/file-store.js';

const key = { authUri: 'https://as/a', tokenUri: 'POST https://as/t', clientId: 'c', scope: 's' };
const token = { accessToken: 'at', tokenType: 'Bearer', refreshToken: 'rt', obtainedAt: 1, expiresAt: 2 };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'restsql-store-'));
  try {
    await fn(join(dir, 'tokens'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('tokens are written 0600 in a 0700 directory, atomically, and keyed by AuthURI+TokenURI+ClientID+Scope', async () => {
  await withDir(async (dir) => {
    const store = new FileTokenStore(dir);
    assert.equal(await store.read(key), undefined);
    await store.write(key, token);
    await store.write(key, { ...token, accessToken: 'at2' });
    const files = readdirSync(dir);
    assert.deepEqual(files, [`${tokenKeyId(key)}.json`], 'no temporary files left');
    assert.equal(statSync(join(dir, files[0]!)).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal((await store.read(key))?.token.accessToken, 'at2');
    for (const k of ['authUri', 'tokenUri', 'clientId', 'scope'] as const) assert.notEqual(tokenKeyId({ ...key, [k]: 'other' }), tokenKeyId(key), k);
    assert.equal(await store.remove(key), true);
    assert.equal(await store.remove(key), false);
  });
});

test('a damaged cache file reads as no token', async () => {
  await withDir(async (dir) => {
    const store = new FileTokenStore(dir);
    await store.write(key, token);
    writeFileSync(join(dir, `${tokenKeyId(key)}.json`), '{"token": {');
    assert.equal(await store.read(key), undefined);
  });
});

test('withLock excludes concurrent holders and frees the lock after a failure', async () => {
  await withDir(async (dir) => {
    const a = new FileTokenStore(dir);
    const b = new FileTokenStore(dir);
    const events: string[] = [];
    const hold = (s: FileTokenStore, name: string) =>
      s.withLock(key, 5000, async () => {
        events.push(`${name}+`);
        await sleep(150);
        events.push(`${name}-`);
      });
    await Promise.all([hold(a, 'a'), hold(b, 'b')]);
    assert.ok(events.join() === 'a+,a-,b+,b-' || events.join() === 'b+,b-,a+,a-', events.join());
    await assert.rejects(a.withLock(key, 1000, async () => { throw new Error('boom'); }), /boom/);
    await a.withLock(key, 1000, async () => events.push('after'));
    assert.equal(events.at(-1), 'after');
  });
});

test('a lock left by a process that died is taken over at once; a live one only once older than the longest login', async () => {
  await withDir(async (dir) => {
    const store = new FileTokenStore(dir);
    await store.write(key, token);
    const lock = join(dir, `${tokenKeyId(key)}.json.lock`);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(lock, JSON.stringify({ pid: Number(dead), at: Date.now() }));
    assert.equal(await store.withLock(key, 2000, async () => 'got it'), 'got it');
    // A live pid (this process) holds it: waited for, then taken over once it is older than the wait
    // (its login has timed out by then, or the pid was reused).
    writeFileSync(lock, JSON.stringify({ pid: process.pid, at: Date.now() }));
    let entered = 0;
    const waiting = store.withLock(key, 600, async () => (entered = Date.now()));
    await sleep(300);
    assert.equal(entered, 0, 'still waiting while the holder may be logging in');
    assert.ok(readFileSync(lock, 'utf8').includes(String(process.pid)));
    await waiting;
    assert.ok(entered > 0);
  });
});
