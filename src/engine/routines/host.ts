/**
 * What routines need of the connection whose statements they run (engine/connection.ts supplies
 * it): its statement entries, so that a routine's statements go the way the user's own do
 * (escapes, fetching API tables, writes to the API, QueryTimeout, cancelling, masking secrets).
 */
import type { RestSqlError } from '../../errors/index.js';
import type { ResolvedModel } from '../../model/types.js';
import type { Engine, OpenStatement, Params, StatementResult, StatementShape } from '../duckdb.js';
import type { JsonValue, ResultColumn } from '../values.js';

/** A batch of rows as Connection.stream yields them. */
export interface RowBatch {
  readonly columns: ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
}

export interface RoutineHost {
  /** The model now (a new one after REFRESH MAP). */
  model(): ResolvedModel;
  /** The session's engine now: a new one after REFRESH MAP, which ends what the session defined. */
  engine(): Engine;
  queryAll(sql: string, params?: Params): Promise<StatementResult[]>;
  open(sql: string, params?: Params): Promise<OpenStatement>;
  stream(sql: string, params?: readonly unknown[]): AsyncGenerator<RowBatch>;
  describe(sql: string): Promise<StatementShape>;
  /** An error as the connection reports it (its secrets masked). */
  error(e: unknown): RestSqlError;
}

/**
 * What a routine statement leaves to run for its result: the statement giving it (in the mode
 * the caller asked for: all rows, open, streamed), or none (a statement without rows).
 */
export interface Final {
  /** The statement whose rows are the result; absent: no rows. */
  readonly sql?: string;
  readonly params?: Params;
  /** DuckDB's StatementType to report (CALL: 19; CREATE: 7; DROP: 15). */
  readonly statementType: number;
  /** Rows changed, to report instead of the final statement's own count. */
  readonly rowsChanged?: number;
  /** Maps an error of running `sql`. */
  readonly mapError?: (e: unknown) => unknown;
  /** Called once the result has been started or has failed. */
  readonly done?: () => void;
}
