import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { bulkJsonPlan } from '../../../src/engine/bulk-json.js';
import { createEngine } from '../../../src/engine/duckdb.js';
import { inferTable } from '../../../src/model/sampler.js';
import { tablesOf } from '../../../src/model/types.js';

test('the spool folder is private (0700), loaded from by restsql only, and removed on close', async () => {
  const engine = await createEngine();
  const db = engine.database;
  const dir = db.spoolDir;
  const root = dirname(dir);
  try {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const table = inferTable('t', [{ id: 1, tags: ['a'] }], { qualifyNames: 0 });
    for (const t of tablesOf(table)) await engine.createTable(t);
    const batch = join(dir, 'scan-x');
    mkdirSync(batch);
    const file = join(batch, '00000000.json');
    writeFileSync(file, JSON.stringify([{ id: 7, tags: ['x', 'y'] }, { id: 8, tags: [] }]));
    const gen = db.newGeneration();
    const plan = bulkJsonPlan(table, (n) => db.storageName(n, gen))!;
    await db.load(gen, tablesOf(table), async (_append, bulk) => {
      assert.equal(await bulk(plan, [file], 1), 2);
    });
    // Loaded but not made available for a statement: reading raises rather than answering from a copy not meant for it.
    await assert.rejects(engine.run('SELECT * FROM tags'), /restsql:unfetched:tags|QUERY_TABLES_UNKNOWN|not fetched/);
    await engine.show(tablesOf(table).map((t) => t.name), gen);
    assert.deepEqual((await engine.run('SELECT * FROM tags ORDER BY position'))[0]!.rows, [{ t_id: 7, position: 0, tags: 'x' }, { t_id: 7, position: 1, tags: 'y' }]);
    // The pages are back in the spool folder, where user SQL cannot read them.
    assert.equal(statSync(root).mode & 0o777, 0o700);
    await assert.rejects(engine.run(`SELECT * FROM read_text('${file}')`), /Permission Error|not allowed|disabled/i);
    // Nor any other file.
    await assert.rejects(engine.run("SELECT * FROM read_text('/etc/hostname')"), /Permission Error|not allowed|disabled/i);
  } finally {
    await engine.close();
  }
  assert.equal(existsSync(dir), false);
  assert.equal(existsSync(root), false);
});
