/**
 * restsql's own informational tables: `_configuration` (the resolved model as .rest text) and
 * `sampling_status` (how sampling each endpoint went): local tables, answered without requests.
 */
import type { Redactor } from '../errors/index.js';
import type { Row } from '../extract/flatten.js';
import { writeRestModel } from '../model/rest-writer.js';
import { allTables, type ColumnType, type ResolvedModel, type TableDef } from '../model/types.js';
import type { Database } from './database.js';

/** The info tables' names (each made unless an API table has the name). */
export const INFO_TABLE_NAMES: readonly string[] = Object.freeze(['_configuration', 'sampling_status']);

/**
 * Creates and fills the info tables, except any whose name an API table already has; every
 * session shows them (pinned). Qualified, they are `restsql.<table>` (API tables are `public.<table>`).
 */
export async function createInfoTables(db: Database, model: ResolvedModel, redactor: Redactor): Promise<void> {
  const names = new Set(allTables(model).map((t) => t.name.toLowerCase()));
  const config: TableDef = { name: '_configuration', columns: [{ name: 'configuration', path: [], type: 'VARCHAR', key: false, source: 'json' }], arrayPath: [], children: [] };
  const statusCols: [string, ColumnType][] = [['name', 'VARCHAR'], ['uri', 'VARCHAR'], ['success', 'BOOLEAN'], ['http_status', 'INTEGER'], ['message', 'VARCHAR'], ['key_candidates', 'VARCHAR']];
  const status: TableDef = { name: 'sampling_status', columns: statusCols.map(([name, type]) => ({ name, path: [], type, key: false, source: 'json' as const })), arrayPath: [], children: [] };
  const rows: [TableDef, unknown[][]][] = [
    [config, [[redactor.text(writeRestModel(model))]]],
    [
      status,
      (model.sampling ?? model.endpoints.filter((e) => !e.paths).map((e) => ({ table: e.table.name, uri: e.url, success: true, httpStatus: 200, message: 'sampled', keyCandidates: e.table.columns.filter((c) => c.key && c.source === 'json').map((c) => c.name).join(', ') }))).map((s) => [s.table, redactor.url(s.uri), s.success, s.httpStatus, redactor.text(s.message), s.keyCandidates]),
    ],
  ];
  for (const [table, data] of rows) {
    if (names.has(table.name)) continue;
    await db.defineTable(table, 'restsql');
    const gen = db.newGeneration();
    await db.load(gen, [table], async (append) => {
      for (const r of data) append(table, r as Row);
    });
    // Every session shows it, for good.
    db.pin(table.name, gen);
  }
}
