import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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
    // The holder keeps the lock until the other store has found it held and is waiting (its
    // pause between looks is the event): exclusion is then shown, not hoped for by timing.
    let someoneWaits!: () => void;
    const waited = new Promise<void>((r) => (someoneWaits = r));
    const pause = async () => {
      someoneWaits();
      await new Promise((r) => setImmediate(r));
    };
    const a = new FileTokenStore(dir, { sleep: pause });
    const b = new FileTokenStore(dir, { sleep: pause });
    const events: string[] = [];
    const hold = (s: FileTokenStore, name: string) =>
      s.withLock(key, 5000, async () => {
        events.push(`${name}+`);
        await waited;
        events.push(`${name}-`);
      });
    await Promise.all([hold(a, 'a'), hold(b, 'b')]);
    assert.ok(events.join() === 'a+,a-,b+,b-' || events.join() === 'b+,b-,a+,a-', events.join());
    await assert.rejects(a.withLock(key, 1000, async () => { throw new Error('boom'); }), /boom/);
    await a.withLock(key, 1000, async () => events.push('after'));
    assert.equal(events.at(-1), 'after');
  });
});

test('withLock calls onWait once, with the longest wait, when another holder makes it wait; not at all when the lock is free', async () => {
  await withDir(async (dir) => {
    let holderIn!: () => void;
    const held = new Promise<void>((r) => (holderIn = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const holder = new FileTokenStore(dir).withLock(key, 5000, async () => {
      holderIn();
      await released;
    });
    await held;
    // The waiter's pauses are events, not time: the holder lets go after the third look.
    let looks = 0;
    const waiter = new FileTokenStore(dir, {
      sleep: async () => {
        if (++looks === 3) release();
        await new Promise((r) => setImmediate(r));
      },
    });
    const waits: number[] = [];
    assert.equal(await waiter.withLock(key, 45_000, async () => 'mine', (ms) => waits.push(ms)), 'mine');
    await holder;
    assert.ok(looks >= 3, `looked ${looks} times`);
    assert.deepEqual(waits, [45_000], 'told once, however many looks');
    const free: number[] = [];
    await waiter.withLock(key, 45_000, async () => {}, (ms) => free.push(ms));
    assert.deepEqual(free, [], 'a free lock: no notice');
  });
});

test('a lock left by a process that died is taken over at once; a live one only once older than the longest login', async () => {
  await withDir(async (dir) => {
    // The lock's age is judged by the store's clock, which the test moves instead of sleeping.
    const clock = { at: Date.now() };
    let looked!: () => void;
    const lookedOnce = new Promise<void>((r) => (looked = r));
    let release!: () => void;
    const moved = new Promise<void>((r) => (release = r));
    const store = new FileTokenStore(dir, {
      now: () => clock.at,
      sleep: async () => {
        looked();
        await moved;
      },
    });
    await store.write(key, token);
    const lock = join(dir, `${tokenKeyId(key)}.json.lock`);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(lock, JSON.stringify({ pid: Number(dead), at: Date.now() }));
    assert.equal(await store.withLock(key, 2000, async () => 'got it'), 'got it');
    // A live pid (this process) holds it: waited for, then taken over once it is older than the wait
    // (its login has timed out by then, or the pid was reused).
    writeFileSync(lock, JSON.stringify({ pid: process.pid, at: clock.at }));
    let entered = 0;
    const waiting = store.withLock(key, 600, async () => (entered = Date.now()));
    await lookedOnce;
    assert.equal(entered, 0, 'still waiting while the holder may be logging in');
    assert.ok(readFileSync(lock, 'utf8').includes(String(process.pid)));
    clock.at += 601;
    release();
    await waiting;
    assert.ok(entered > 0);
  });
});

test('many processes waiting on a lock left by a dead process take it over one at a time (single-flight refresh)', async () => {
  await withDir(async (dir) => {
    await new FileTokenStore(dir).write(key, token);
    const lock = join(dir, `${tokenKeyId(key)}.json.lock`);
    const log = join(dir, '..', 'refreshes.log');
    const go = join(dir, '..', 'go');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    // Each process: under the lock, refresh unless another already did (the log says so).
    const storeModule = new URL('../../../src/auth/token-store/file-store.js', import.meta.url).href;
    const script = `
      import { appendFileSync, existsSync, readFileSync } from 'node:fs';
      import { setTimeout as sleep } from 'node:timers/promises';
            import { FileTokenStore } from ${JSON.stringify(storeModule)};
      const log = ${JSON.stringify(log)};
      const seen = () => { try { return readFileSync(log, 'utf8'); } catch { return ''; } };
      process.stdout.write('ready');
      while (!existsSync(${JSON.stringify(go)})) await sleep(2);
      await new FileTokenStore(${JSON.stringify(dir)}).withLock(${JSON.stringify(key)}, 10000, async () => {
        appendFileSync(log, '+');
        if (!seen().includes('R')) { await sleep(50); appendFileSync(log, 'R'); }
        appendFileSync(log, '-');
      });`;
    // Three rounds: the race the takeover had to lose showed in most rounds, not every one.
    for (let round = 0; round < 3; round++) {
      writeFileSync(lock, JSON.stringify({ pid: Number(dead), at: Date.now() }));
      rmSync(log, { force: true });
      rmSync(go, { force: true });
      // All start together once every process is ready: the stale lock is seen by all at once.
      let ready = 0;
      let allReady: () => void;
      const started = new Promise<void>((r) => (allReady = r));
      const runs = Array.from({ length: 12 }, () => new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout.on('data', () => ++ready === 12 && allReady());
        child.on('close', (c) => resolve(c ?? -1));
      }));
      await started;
      writeFileSync(go, '');
      assert.deepEqual(await Promise.all(runs), Array(12).fill(0));
      const events = readFileSync(log, 'utf8');
      assert.equal(events.replaceAll('R', ''), '+-'.repeat(12), `one holder at a time: ${events}`);
      assert.equal(events.split('R').length - 1, 1, `one refresh: ${events}`);
    }
    assert.deepEqual(readdirSync(dir), [`${tokenKeyId(key)}.json`], 'no lock or temporary files left');
  });
});
