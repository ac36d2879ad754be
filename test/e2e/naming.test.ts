/**
 * Child-table naming through the real CLI: sampling an endpoint and reading a model file name the
 * same tables the same way under each QualifyNormalizedNames value (README.md "How JSON becomes tables").
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

// users -> orders[] -> items[]: the grandchild is where QualifyNormalizedNames=2 needs the root's name.
const USERS = [
  { id: 1, name: 'ann', orders: [{ no: 'a1', items: [{ sku: 'x', qty: 2 }, { sku: 'y', qty: 1 }] }] },
  { id: 2, name: 'bob', orders: [{ no: 'b1', items: [] }, { no: 'b2', items: [{ sku: 'z', qty: 5 }] }] },
];

let server: Listening<Server> | undefined;
let baseUrl: string;
const dir = tempDir(after, 'restsql-naming-');

before(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url !== '/users') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(USERS));
  });
  baseUrl = server.url;
});
after(() => server?.close());

async function tables(connect: string): Promise<[string, string | null, number][]> {
  const r = await runCli(['tables', '--connect', connect, '-f', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { name: string; parent: string | null; columns: number }[]).map((t) => [t.name, t.parent, t.columns]);
}

const EXPECTED: Record<0 | 1 | 2, [string, string | null, number][]> = {
  0: [['users', null, 2], ['orders', 'users', 3], ['items', 'orders', 5]],
  1: [['users', null, 2], ['users_orders', 'users', 3], ['users_orders_items', 'users_orders', 5]],
  2: [['users', null, 2], ['users_orders', 'users', 3], ['users_orders_items', 'users_orders', 5]],
};

for (const q of [0, 1, 2] as const) {
  test(`QualifyNormalizedNames=${q}: sampling and a model file list the same child tables`, async () => {
    const sampled = await tables(`RestSamplePath=${baseUrl}/users;QualifyNormalizedNames=${q}`);
    assert.deepEqual(sampled, EXPECTED[q]);
    // Bare "orders[]" and "items[]": the reader names them by the rule, as sampling does.
    const file = join(dir, `users-${q}.rest`);
    writeFileSync(file, JSON.stringify({ users: { '#path': `${baseUrl}/users`, id: 'Integer,#key', name: 'VarChar', 'orders[]': { no: 'VarChar', 'items[]': { sku: 'VarChar', qty: 'Integer' } } } }));
    assert.deepEqual(await tables(`RestConfigFile=${file};QualifyNormalizedNames=${q}`), sampled);
  });
}
