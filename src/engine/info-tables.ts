/**
 * restsql's own informational tables, local tables answered without requests:
 * - `_configuration`: the resolved model as .rest text, in column `content` (the column
 *   DataDirect's driver documents) and in `configuration` (restsql's name before it, kept);
 * - `sampling_status`: how sampling each endpoint went (restsql's columns);
 * - `system_sampling_status`: the same, with the columns of DataDirect's
 *   `INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS`; SQL naming it so reaches it through
 *   engine/odbc-escapes.ts, since DuckDB's own information_schema cannot hold a table.
 * Each is also `restsql.<table>` and `autorest.<table>` (engine/database.ts).
 */
import type { Redactor } from '../errors/index.js';
import type { Row } from '../extract/flatten.js';
import { writeRestModel } from '../model/rest-writer.js';
import { allTables, type ColumnType, type ResolvedModel, type SamplingStatus, type TableDef } from '../model/types.js';
import type { Database } from './database.js';

/** The info table DataDirect's `INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS` names. */
export const VENDOR_STATUS_TABLE = 'system_sampling_status';

/** The info tables' names (each made unless an API table has the name). */
export const INFO_TABLE_NAMES: readonly string[] = Object.freeze(['_configuration', 'sampling_status', VENDOR_STATUS_TABLE]);

/** One info table: its columns and how a sampling record fills a row (status tables). */
interface InfoTable {
  readonly name: string;
  readonly columns: readonly (readonly [string, ColumnType])[];
}

const CONFIGURATION: InfoTable = {
  name: '_configuration',
  columns: [
    ['configuration', 'VARCHAR'],
    ['content', 'VARCHAR'],
  ],
};

const STATUS: InfoTable = {
  name: 'sampling_status',
  columns: [
    ['name', 'VARCHAR'],
    ['uri', 'VARCHAR'],
    ['success', 'BOOLEAN'],
    ['http_status', 'INTEGER'],
    ['message', 'VARCHAR'],
    ['key_candidates', 'VARCHAR'],
  ],
};

/**
 * DataDirect's documented columns, in its order: the endpoint's name in the model, the HTTP
 * response message, the URI sampled, whether sampling succeeded, the HTTP status, and the ranked
 * primary key candidates (best first).
 */
const VENDOR_STATUS: InfoTable = {
  name: VENDOR_STATUS_TABLE,
  columns: [
    ['endpoint_name', 'VARCHAR'],
    ['message', 'VARCHAR'],
    ['sample_uri', 'VARCHAR'],
    ['success', 'BOOLEAN'],
    ['http_status', 'INTEGER'],
    ['primary_key_candidates', 'VARCHAR'],
  ],
};

function tableDef(t: InfoTable): TableDef {
  return { name: t.name, columns: t.columns.map(([name, type]) => ({ name, path: [], type, key: false, source: 'json' as const })), arrayPath: [], children: [] };
}

/** The sampling records of `model`; without any (a model file), one row per endpoint that has no #path list. */
function samplingOf(model: ResolvedModel): readonly SamplingStatus[] {
  return (
    model.sampling ??
    model.endpoints
      .filter((e) => !e.paths)
      .map((e) => ({ table: e.table.name, uri: e.url, success: true, httpStatus: 200, message: 'sampled', keyCandidates: e.table.columns.filter((c) => c.key && c.source === 'json').map((c) => c.name).join(', ') }))
  );
}

/**
 * Creates and fills the info tables, except any whose name an API table already has; every
 * session shows them (pinned). Qualified, they are `restsql.<table>` (API tables are `public.<table>`).
 */
export async function createInfoTables(db: Database, model: ResolvedModel, redactor: Redactor): Promise<void> {
  const names = new Set(allTables(model).map((t) => t.name.toLowerCase()));
  const rest = redactor.text(writeRestModel(model));
  const sampling = samplingOf(model);
  const rows: [InfoTable, unknown[][]][] = [
    [CONFIGURATION, [[rest, rest]]],
    [STATUS, sampling.map((s) => [s.table, redactor.url(s.uri), s.success, s.httpStatus, redactor.text(s.message), s.keyCandidates])],
    [VENDOR_STATUS, sampling.map((s) => [s.table, redactor.text(s.message), redactor.url(s.uri), s.success, s.httpStatus, s.keyCandidates])],
  ];
  for (const [info, data] of rows) {
    if (names.has(info.name)) continue;
    const table = tableDef(info);
    await db.defineTable(table, 'restsql');
    const gen = db.newGeneration();
    await db.load(gen, [table], async (append) => {
      for (const r of data) append(table, r as Row);
    });
    // Every session shows it, for good.
    db.pin(table.name, gen);
  }
}
