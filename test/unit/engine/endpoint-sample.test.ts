/**
 * Connection.sampleEndpoint: another endpoint of the API sampled on the open connection (its
 * credentials), relative to HostName or absolute on the API's origins; other origins refused
 * before anything is sent; the connection's tables unchanged; secrets masked in the model text.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import { connect } from '../../../src/index.js';
import { RestSqlError } from '../../../src/errors/index.js';
import { apiOrigins } from '../../../src/engine/endpoint-sample.js';
import { startHttpServer, type Listening } from '../../support/loopback-server.js';

const KEY = 'sample-key-77120';
let api: Listening<Server>;
let other: Listening<Server>;
const seen: string[] = [];
const otherSeen: string[] = [];

before(async () => {
  api = await startHttpServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url?.startsWith('/v1/users') ? '[{"id":1,"name":"a"}]' : '{"data":[{"sku":"x","qty":2,"bins":["a"]}]}');
  });
  other = await startHttpServer((req, res) => {
    otherSeen.push(req.url ?? '');
    res.end('[]');
  });
});
after(async () => {
  await api?.close();
  await other?.close();
});

test('samples a path relative to HostName and an absolute URL on the API, with the connection\'s credentials', async () => {
  const conn = await connect(`HostName=${api.url}/v1;RestSamplePath=users;AuthenticationMethod=34;SecurityToken=${KEY}`);
  try {
    const relative = await conn.sampleEndpoint('stock', 'inventory');
    assert.match(relative, /"inventory"/);
    assert.match(relative, /"qty"/);
    assert.equal(seen.at(-1), `/v1/stock Bearer ${KEY}`);
    const absolute = await conn.sampleEndpoint(`${api.url}/v1/stock?key=${KEY}`);
    assert.ok(!absolute.includes(KEY), absolute);
    assert.deepEqual((await conn.tables()).map((t) => t.name), ['users'], 'the connection\'s tables did not change');
    const before = otherSeen.length;
    for (const url of [`${other.url}/v1/users`, 'file:///etc/passwd', 'ftp://127.0.0.1/x', `https://${api.url.slice('http://'.length)}/v1/users`]) {
      await assert.rejects(conn.sampleEndpoint(url), (e: unknown) => e instanceof RestSqlError && e.code === 'HTTP_ORIGIN_REFUSED' && e.message.includes(api.url), url);
    }
    assert.equal(otherSeen.length, before, 'nothing was sent elsewhere');
  } finally {
    await conn.close();
  }
});

test('apiOrigins: HostName (with PortNumber), RestSamplePath and the model\'s endpoints', () => {
  const model = { endpoints: [{ url: 'https://a.example/v1/x' }, { url: 'https://b.example:8443/y' }, { url: 'https://a.example/v2/z' }] } as never;
  assert.deepEqual(apiOrigins({ hostName: 'https://h.example/base', portNumber: 8080, restSamplePath: 'http://s.example/items' } as never, model), ['https://a.example', 'https://b.example:8443', 'https://h.example:8080', 'http://s.example']);
  assert.deepEqual(apiOrigins({ restSamplePath: 'relative/path' } as never, { endpoints: [] }), []);
});
