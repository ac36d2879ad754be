/**
 * A scan that stops early (LIMIT met) cancels the requests it has in flight: the next page
 * requested ahead is aborted on the wire, not left to run (and hold a connection and a host slot)
 * until the API answers or WSTimeout passes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from '../../src/index.js';
import { within, signal } from '../support/deadline.js';
import { startHttpServer } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

test('LIMIT met while later pages are in flight: the scan ends without waiting for them, and they are aborted (the API sees them closed while the connection stays open)', async (t) => {
  const asked = signal();
  const closed = signal();
  const api = await startHttpServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
    if (page >= 3) {
      // Never answers: only a client that gives up ends this request.
      if (page === 3) {
        asked.resolve();
        req.socket.once('close', () => closed.resolve());
      }
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ meta: { total_pages: 4 }, results: [1, 2].map((i) => ({ id: (page - 1) * 2 + i })) }));
  });
  t.after(() => api.close());
  const model = join(tempDir(t), 'api.rest');
  writeFileSync(model, JSON.stringify({ items: { '#path': `${api.url}/items /results`, '#maximumPageSize': 2, '#pageNumberParameter': 'page', '#firstPageNumber': 1, '#totalPagesElement': 'meta/total_pages', id: 'Integer,#key' } }));
  // Pages 2, 3 and 4 are asked for at once; page 2 makes the LIMIT, pages 3 and 4 never answer.
  const conn = await connect(`RestConfigFile=${model};PageConcurrency=3;WSTimeout=120`);
  t.after(() => conn.close());
  const result = await within(30_000, 'the LIMIT query ends without waiting for pages it does not need', conn.query('SELECT id FROM items LIMIT 3'));
  assert.deepEqual(result.rows.map((r) => r.id), [1, 2, 3]);
  await within(30_000, 'the page requested ahead was asked for', asked.promise);
  await within(30_000, 'the page requested ahead was cancelled while the connection is open', closed.promise);
  // The connection is still usable after the cancelled request.
  assert.deepEqual((await conn.query('SELECT 42 AS n')).rows, [{ n: 42 }]);
});
