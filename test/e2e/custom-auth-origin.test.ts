/**
 * Custom authentication (29) steps: a value from a response ({/pointer}) may fill a step URL's
 * path or query, never its origin, so an API cannot steer restsql (and the step's credentials) to
 * another host.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const homeSeen: string[] = [];
const foreignSeen: string[] = [];
let home: Listening<Server> | undefined;
let foreign: Listening<Server> | undefined;
let homeUrl = '';
let foreignUrl = '';
const dir = tempDir(after, 'restsql-custom-origin-');
let files = 0;

before(async () => {
  foreign = await startHttpServer((req, res) => {
    foreignSeen.push(`${req.url} ${req.headers['x-api-key'] ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"token": "stolen"}');
  });
  foreignUrl = foreign.url;
  home = await startHttpServer((req, res) => {
    homeSeen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/login') return res.end(JSON.stringify({ next: `${foreignUrl}/grab`, path: '/second?step=2' }));
    if (req.url?.startsWith('/second')) return res.end('{"token": "t-home"}');
    res.end(req.headers.authorization === 'Bearer t-home' ? '[{"id": 1}]' : '[]');
  });
  homeUrl = home.url;
});
after(async () => {
  await home?.close();
  await foreign?.close();
});

function modelWith(step: string): string {
  const file = join(dir, `api-${++files}.rest`);
  writeFileSync(file, JSON.stringify({ '#authentication': ['x-api-key=k-secret', 'POST http://{serverName}/login', step, 'HEADER Authorization=Bearer {/token}'], items: { '#path': '/items', id: 'Integer,#key' } }));
  return file;
}

test('a step URL whose host comes from a response is refused before it is sent', async () => {
  const r = await runCli(['query', '-c', `RestConfigFile=${modelWith('GET {/next}')};HostName=${homeUrl};AuthenticationMethod=29`, 'SELECT count(*) FROM items']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error\[HTTP_ORIGIN_REFUSED\]: Custom authentication: the step "GET \{\/next\}" would go to 'http:\/\/127\.0\.0\.1:\d+\/?'/);
  assert.deepEqual(foreignSeen, [], 'the foreign host received nothing');
  assert.doesNotMatch(r.stderr, /k-secret/);
});

test('a response value may fill the path and query of a configured host', async () => {
  const r = await runCli(['query', '-c', `RestConfigFile=${modelWith('GET http://{serverName}{/path}')};HostName=${homeUrl};AuthenticationMethod=29`, '--format', 'csv', 'SELECT count(*) AS n FROM items']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'n\n1\n');
  assert.ok(homeSeen.includes('/second?step=2'));
  assert.deepEqual(foreignSeen, []);
});
