import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/cli.js';

test('npm run demo: the demo runs the real CLI against the local API and prints correct results', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'examples', 'demo', 'run.js')], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0, err);
  assert.match(out, /101 \| Ada Lovelace +\| Boston +\| 02134 +\| true/);
  assert.match(out, /"name":"John Backus"/);
  assert.match(out, /A-001,Widget,9\.5,20,2/);
  assert.match(out, /Demo finished: 6 commands/);
});
