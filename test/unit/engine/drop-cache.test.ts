import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isRestSqlError, openHub } from '../../../src/index.js';
import { startHttpServer, type Listening } from '../../support/loopback-server.js';
import { tempDir } from '../../support/temp-dir.js';

// Connection.dropCache (the shell's \refresh): every cached table is fetched again by the next
// statement, the page sampling kept included; never inside a transaction.
let api: Listening<Server>;
const seen: string[] = [];
let version = 1;
const dir = tempDir(after, 'restsql-drop-cache-');

before(async () => {
  api = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([{ id: 1, v: version }, { id: 2, v: version }]));
  });
});
after(() => api.close());

function model(): string {
  const file = join(dir, `m${Math.random().toString(36).slice(2)}.rest`);
  writeFileSync(file, JSON.stringify({ a: { '#path': `${api.url}/a`, id: 'Integer,#key', v: 'Integer' }, b: { '#path': `${api.url}/b`, id: 'Integer,#key', v: 'Integer' } }));
  return file;
}

test('dropCache: the next statement fetches every table again and sees the new rows', async () => {
  const conn = await connect(`RestConfigFile=${model()}`);
  try {
    const mark = seen.length;
    const sql = 'SELECT max(a.v)::INTEGER AS v FROM a JOIN b USING (id)';
    assert.deepEqual((await conn.query(sql)).rows, [{ v: version }]);
    assert.deepEqual((await conn.query(sql)).rows, [{ v: version }]);
    assert.deepEqual(seen.slice(mark).sort(), ['/a', '/b'], 'fetched once for two statements');
    version++;
    await conn.dropCache();
    assert.deepEqual((await conn.query(sql)).rows, [{ v: version }]);
    assert.deepEqual(seen.slice(mark).sort(), ['/a', '/a', '/b', '/b']);
  } finally {
    await conn.close();
  }
});

test("dropCache: the page sampling kept is not used again", async () => {
  const mark = seen.length;
  const conn = await connect(`RestSamplePath=${api.url}/sampled`);
  try {
    assert.equal(seen.slice(mark).length, 1, 'sampling fetched the page');
    version++;
    await conn.dropCache();
    assert.deepEqual((await conn.query('SELECT max(v)::INTEGER AS v FROM sampled')).rows, [{ v: version }], 'the page is fetched again, not the sampled one served');
    assert.equal(seen.slice(mark).length, 2);
  } finally {
    await conn.close();
  }
});

test('dropCache: refused inside a transaction (CACHE_DROP_IN_TRANSACTION), allowed after it', async () => {
  const conn = await connect(`RestConfigFile=${model()}`);
  try {
    await conn.query('BEGIN TRANSACTION');
    await conn.query('SELECT count(*) FROM a');
    await assert.rejects(conn.dropCache(), (e: unknown) => isRestSqlError(e) && e.code === 'CACHE_DROP_IN_TRANSACTION' && /COMMIT or ROLLBACK/.test(e.hint ?? ''));
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM a')).rows, [{ n: 2 }], 'the transaction goes on');
    await conn.query('ROLLBACK');
    await conn.dropCache();
  } finally {
    await conn.close();
  }
});

test("dropCache on one session: another session of the hub fetches again at its next statement", async () => {
  const hub = await openHub(`RestConfigFile=${model()}`);
  try {
    const [s1, s2] = [await hub.session(), await hub.session()];
    const mark = seen.length;
    await s1.query('SELECT * FROM a');
    await s2.query('SELECT * FROM a');
    assert.deepEqual(seen.slice(mark), ['/a']);
    await s1.dropCache();
    await s2.query('SELECT * FROM a');
    assert.deepEqual(seen.slice(mark), ['/a', '/a']);
  } finally {
    await hub.close();
  }
});
