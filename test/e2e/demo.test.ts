import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/cli.js';
import { within } from '../support/deadline.js';

test('npm run demo: logs in once through the local OAuth server, then runs the real CLI with the cached token', async (t) => {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'examples', 'demo', 'run.js')], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  // A demo that hangs fails the test (and is killed) instead of holding the run.
  t.after(() => void child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await within(180_000, () => `the demo finished (stderr so far: ${err})`, new Promise((r) => child.on('close', r)));
  assert.equal(code, 0, err);
  // The seed's connection-string shape, with the secret read from the environment.
  assert.match(out, /AuthenticationMethod=56;ClientID=restsql-demo;ClientSecret=\$\{RESTSQL_DEMO_CLIENT_SECRET\};AuthURI=http:\/\/127\.0\.0\.1:\d+\/auth;TokenURI=POST http:\/\/127\.0\.0\.1:\d+\/token;RedirectURI=http:\/\/localhost:\d+/);
  assert.match(err, /To log in, open this URL in a browser/);
  assert.equal(err.match(/Logged in\./g)?.length, 1, 'exactly one login: later processes use the cache');
  assert.match(out, /101 \| Ada Lovelace +\| Boston +\| 02134 +\| true/);
  assert.match(out, /refresh token +\| yes/);
  assert.match(out, /"name":"John Backus"/);
  assert.match(out, /A-001,Widget,9\.5,20,2/);
  assert.match(err, /logged out: cached tokens removed and revoked at the server/);
  assert.match(out, /Demo finished: 8 commands, 1 browser login, 1 token requests, 6 API requests/);
  assert.doesNotMatch(out + err, /demo-secret-9f8e7d/, 'the client secret is never printed');
  assert.doesNotMatch(out + err, /oidc-provider WARNING/);
});
