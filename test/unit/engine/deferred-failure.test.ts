import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isRestSqlError } from '../../../src/index.js';
import { items, startFixtureApi, type FixtureApi } from '../../support/fixture-api.js';
import { tempDir } from '../../support/temp-dir.js';

// A child table bulk-loaded later (when first named) that DuckDB cannot read as declared fails,
// and keeps failing: it is never served as an empty table afterwards.
let api: FixtureApi;
const dir = tempDir(after, 'restsql-deferred-');
before(async () => {
  api = await startFixtureApi(items());
});
after(async () => {
  await api?.close();
});

test('a deferred child table whose load failed fails again on the next query, never answers from an empty copy', async () => {
  const file = join(dir, 'm.rest');
  writeFileSync(file, `{"t": {"#path": "/offset1/items /values", "#maximumPageSize": 5, "#pageSizeParameter": "maxResults", "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total", "id": "Integer,#key", "tags[]": "Integer"}}`);
  const conn = await connect(`RestConfigFile=${file};HostName=${api.baseUrl}`);
  try {
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM t')).rows, [{ n: 23 }]);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(conn.query('SELECT count(*)::INTEGER AS n FROM tags'), (e: unknown) => isRestSqlError(e) && e.code === 'DATA_TYPE_MISMATCH', `query ${i + 1}`);
    }
    // The parent is still right.
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM t')).rows, [{ n: 23 }]);
  } finally {
    await conn.close();
  }
});
