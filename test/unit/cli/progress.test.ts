import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { progressLine } from '../../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const w = Object.assign(new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), { isTTY });
  return { w, chunks };
}

test('the progress line shows on a terminal, throttled, and is erased; never on a pipe or with --quiet', async () => {
  const tty = sink(true);
  const p = progressLine(tty.w, true);
  p.onProgress!({ table: 'users', pages: 1, records: 2500, bytes: 500_000, elapsedMs: 100 });
  assert.equal(tty.chunks.length, 0, 'nothing in the first half second');
  p.onProgress!({ table: 'users', pages: 40, records: 100_000, bytes: 20_000_000, elapsedMs: 1000 });
  p.onProgress!({ table: 'users', pages: 41, records: 102_500, bytes: 20_500_000, elapsedMs: 1010 });
  assert.equal(tty.chunks.length, 1, 'at most five redraws a second');
  assert.match(tty.chunks[0]!, /^\r\x1b\[2Krestsql: users: 40 pages, 100,000 rows, 20\.0 MB, 20\.0 MB\/s$/);
  p.clear();
  assert.equal(tty.chunks.at(-1), '\r\x1b[2K');
  const pipe = sink(false);
  assert.equal(progressLine(pipe.w, true).onProgress, undefined);
  assert.equal(progressLine(tty.w, false).onProgress, undefined);
});
