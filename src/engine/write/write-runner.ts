/**
 * Runs an INSERT, UPDATE or DELETE on an API table as requests to the API (model-file `#insert`,
 * `#update`, `#delete`; docs/sql.md "Writes"). DuckDB does the SQL: the statement runs on a
 * private scratch copy of the table (the rows it inserts, or the current rows it changes, read
 * fresh from the API), and the rows it touches there become the requests. Nothing is kept
 * locally: the scratch tables are dropped, the table's cached rows are forgotten, and the
 * statement's row count is the number of rows the API confirmed.
 *
 * UPDATE and DELETE need to know their rows without reading the whole table: a WHERE that gives
 * every key column (or every `{placeholder}` of the write URL) with `=` or `IN`. When the write
 * needs nothing else (DELETE, or an UPDATE with `#sendOnlyUpdated` and constant values), the
 * requests are made from those values alone; otherwise the rows are read first, by the same
 * requests a SELECT with that WHERE would make, and only if those do not fetch the whole table
 * (AllowFullTableWrites=1 lifts both limits).
 */
import { RestSqlError, toRestSqlError } from '../../errors/index.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../http/contract.js';
import { convertCell } from '../../extract/convert.js';
import { valueAt } from '../../model/json-root.js';
import { tablesOf, type ColumnDef, type EndpointDef, type ResolvedModel, type TableDef, type WriteKind, type WriteOperation } from '../../model/types.js';
import { parseJson, stringifyJson } from '../../util/json.js';
import type { Logger } from '../../util/logger.js';
import { columnDefinitions, SQL_TYPE } from '../database.js';
import type { Engine, StatementResult, StatementShape } from '../duckdb.js';
import type { LoadCache } from '../load-cache.js';
import { ident, literal } from '../sql-text.js';
import type { JsonValue } from '../values.js';
import { inlineChildren, placeholderColumns, recordColumn, recordOf, writableColumn, writeUrl, type RowValues } from './write-body.js';
import { conjuncts, keyCondition, type Span, type WriteStatement } from './write-statement.js';

/** The connection options that govern writes. */
export interface WriteSettings {
  /** AllowFullTableWrites. */
  readonly allowFullTableWrites: boolean;
  /** WriteBatchSize: rows per array request. */
  readonly batchSize: number;
  /** TransactionMode: 1 (Ignore) sends writes made inside a transaction at once; otherwise they fail. */
  readonly transactionMode: number;
}

export const DEFAULT_WRITE_SETTINGS: WriteSettings = Object.freeze({ allowFullTableWrites: false, batchSize: 100, transactionMode: 3 });

/** What a write needs of its connection. */
export interface WriteHost {
  readonly engine: Engine;
  readonly cache: LoadCache;
  readonly http: HttpClient;
  readonly logger: Logger;
  readonly model: ResolvedModel;
  readonly settings: WriteSettings;
  readonly signal: AbortSignal;
}

/** A finished write: what the statement reports. */
export interface WriteDone {
  /** DuckDB's statement type: INSERT 2, UPDATE 3, DELETE 5. */
  readonly statementType: number;
  /** Rows the API confirmed. */
  readonly rowsChanged: number;
  /** RETURNING: the SELECT that gives the statement's rows (over the written rows). */
  readonly returning?: string;
}

const STATEMENT_TYPE: Record<WriteKind, number> = { insert: 2, update: 3, delete: 5 };

let scratchCounter = 0;
/** Per engine: the table holding the last write's RETURNING rows (dropped by the next write). */
const returnedTables = new WeakMap<Engine, string>();

/** The columns of a scratch table for `table`: its own, and a JSON column per inline child table. */
function scratchColumns(table: TableDef): string {
  return [columnDefinitions(table.columns), ...inlineChildren(table).map((c) => `${ident(c.name)} JSON`)].join(', ');
}

/** Drops a scratch table (a failure to drop one loses nothing: it is a temporary table of the session). */
function dropTemp(engine: Engine, name: string): Promise<void> {
  return engine.run(`DROP TABLE IF EXISTS temp.main.${ident(name)}`).then(
    () => undefined,
    () => undefined,
  );
}

/** The endpoint and table a write names. */
export function writeTarget(model: ResolvedModel, name: string): { endpoint: EndpointDef; table: TableDef } | undefined {
  for (const endpoint of model.endpoints) {
    const table = tablesOf(endpoint.table).find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (table) return { endpoint, table };
  }
  return undefined;
}

function notEnabled(table: TableDef, endpoint: EndpointDef, kind: WriteKind): RestSqlError {
  const verb = kind.toUpperCase();
  if (table.parent !== undefined) {
    const parent = tablesOf(endpoint.table).find((t) => t.name === table.parent);
    return new RestSqlError('WRITE_NOT_ENABLED', `${verb} on ${table.name}: it is a child table (an array inside ${table.parent}'s records), which the API writes with its parent.`, {
      hint: parent && inlineChildren(parent).includes(table) ? `Give the rows with the parent: INSERT INTO ${table.parent} (..., ${table.name}) VALUES (..., '[{...}]'), or UPDATE ${table.parent} SET ${table.name} = '[...]' WHERE ...` : `Write ${table.parent} instead.`,
      details: { table: table.name },
    });
  }
  const example = kind === 'insert' ? '"POST https://api.example.com/items"' : kind === 'update' ? '"PUT https://api.example.com/items/{id}"' : '"DELETE https://api.example.com/items/{id}"';
  return new RestSqlError('WRITE_NOT_ENABLED', `${verb} on ${table.name}: the model file's entry for ${table.name} has no #${kind}, so restsql does not know which request would do it; nothing was sent.`, {
    hint: `Add "#${kind}": ${example} to the entry (see docs/model-file.md "Writes").`,
    details: { table: table.name, directive: `#${kind}` },
  });
}

function readonlyColumn(table: TableDef, c: ColumnDef, kind: WriteKind, at?: number): RestSqlError {
  const why = c.readonly ? 'is #readonly' : c.key ? 'is the key (#key), which UPDATE does not change' : c.source === 'virtual' ? 'is virtual (a request value, not in the records)' : 'is made by restsql (parent link, position or row number), not by the API';
  return new RestSqlError('WRITE_READONLY_COLUMN', `${kind.toUpperCase()} on ${table.name}: column '${c.name}' ${why}; nothing was sent.`, {
    hint: kind === 'insert' ? `Leave ${c.name} out of the column list.` : `Remove ${c.name} from SET.`,
    details: { table: table.name, column: c.name, ...(at !== undefined ? { position: at + 1 } : {}) },
  });
}

/** Runs `stmt` (its text `sql`, parameters already written in as literals). */
export async function runWrite(host: WriteHost, stmt: WriteStatement, sql: string): Promise<WriteDone> {
  const target = writeTarget(host.model, stmt.table);
  if (!target) throw new RestSqlError('QUERY_UNKNOWN_TABLE', `Table '${stmt.table}' does not exist.`, { hint: 'Run `restsql tables` to list the tables.' });
  const { endpoint, table } = target;
  const op = endpoint.writes?.[stmt.kind];
  if (!op || table.parent !== undefined) throw notEnabled(table, endpoint, stmt.kind);
  if ((await host.engine.inTransaction()) && host.settings.transactionMode !== 1) {
    throw new RestSqlError('WRITE_IN_TRANSACTION', `${stmt.kind.toUpperCase()} on ${table.name} inside a transaction: the API cannot take part in it (the write could not wait for COMMIT nor be undone by ROLLBACK); nothing was sent.`, {
      hint: 'Run it outside BEGIN ... COMMIT (autocommit), or set TransactionMode=Ignore to send it at once.',
      details: { table: table.name, option: 'TransactionMode' },
    });
  }
  const run = new WriteRun(host, stmt, sql, endpoint, table, op);
  try {
    return await run.run();
  } finally {
    await run.cleanup();
  }
}

/** The rows of one request: one row, or a batch for an array (`[]`) directive. */
interface Batch {
  readonly url: string;
  readonly rows: RowValues[];
  readonly bodies: Record<string, unknown>[];
  /** 1-based number of the batch's first row among all rows. */
  readonly first: number;
}

class WriteRun {
  readonly #scratch: string[] = [];
  #sent = false;

  constructor(
    private readonly host: WriteHost,
    private readonly stmt: WriteStatement,
    private readonly sql: string,
    private readonly endpoint: EndpointDef,
    private readonly table: TableDef,
    private readonly op: WriteOperation,
  ) {}

  get #engine(): Engine {
    return this.host.engine;
  }

  /** Runs `sql` as a statement of the user (its API tables fetched first, when `prepare`). */
  async #query(sql: string, prepare = true): Promise<StatementResult> {
    const { engine, cache, signal } = this.host;
    if (prepare) await cache.prepare(engine, sql, [], signal);
    const results = await engine.run(sql, undefined, (t) => cache.fetchTable(engine, t, signal));
    return results[results.length - 1]!;
  }

  /** A new scratch table name (dropped by cleanup). */
  #newScratch(): string {
    const name = `restsql_write_${++scratchCounter}`;
    this.#scratch.push(name);
    return name;
  }

  async cleanup(): Promise<void> {
    for (const name of this.#scratch) await dropTemp(this.#engine, name);
    // The rows the API changed are no longer the cached ones (even when the write stopped half-way).
    if (this.#sent) await this.host.cache.invalidate(this.#engine, this.table.name).catch((e: unknown) => this.host.logger.debug(`write: forgetting ${this.table.name}'s rows failed: ${String(e)}`));
  }

  get #targetName(): string {
    return this.stmt.alias === undefined ? ` AS ${ident(this.table.name)}` : '';
  }

  /**
   * RETURNING of the scratch rows to send: every column, JSON columns and inline child rows as
   * their text (parsed when the body is made), so big integers in them keep every digit and a
   * JSON string stays a string.
   */
  #returningAll(): string {
    const columns = [...this.table.columns.map((c) => [c.name, c.type === 'JSON'] as const), ...inlineChildren(this.table).map((c) => [c.name, true] as const)];
    return `RETURNING ${columns.map(([name, json]) => (json ? `CAST(${ident(name)} AS VARCHAR) AS ${ident(name)}` : ident(name))).join(', ')}`;
  }

  /** The statement with its target replaced by `scratch` (aliased as the table when it had no alias), up to RETURNING (or its end: a trailing `;` or comment would swallow what is appended). */
  #onScratch(scratch: string): string {
    const s = this.stmt;
    return `${this.sql.slice(0, s.target.start)}${ident(scratch)}${this.#targetName}${this.sql.slice(s.target.end, s.returningAt ?? s.end)}`;
  }

  async run(): Promise<WriteDone> {
    const { kind, returning: ret } = this.stmt;
    // RETURNING is checked before anything is sent: a mistake in it must not follow a write.
    if (ret) {
      const check = this.#newScratch();
      await this.#engine.run(`CREATE TEMP TABLE ${ident(check)} (${columnDefinitions(this.table.columns)})`);
      await this.#engine.describe(`SELECT ${this.sql.slice(ret.start, ret.end)} FROM ${ident(check)} AS ${ident(this.stmt.alias ?? this.table.name)}`);
    }
    const done = kind === 'insert' ? await this.#insert() : await this.#changeOrDelete();
    let returning: string | undefined;
    try {
      returning = ret ? await this.#returning(done.rows) : undefined;
    } catch (e) {
      throw afterWrite(e, kind, this.table.name, done.count);
    }
    return { statementType: STATEMENT_TYPE[kind], rowsChanged: done.count, ...(returning !== undefined ? { returning } : {}) };
  }

  // ---- INSERT

  async #insert(): Promise<{ count: number; rows: RowValues[] }> {
    const { table, stmt } = this;
    const children = inlineChildren(table);
    const columns = new Map([...table.columns.map((c) => [c.name.toLowerCase(), c] as const)]);
    const childByName = new Map(children.map((c) => [c.name.toLowerCase(), c]));
    const named = stmt.columns;
    if (named) {
      for (const n of named) {
        const c = columns.get(n);
        if (c && !(writableColumn(c) || c.source === 'virtual')) throw readonlyColumn(table, c, 'insert');
        if (!c && !childByName.has(n)) {
          throw new RestSqlError('QUERY_UNKNOWN_COLUMN', `Column '${n}' of INSERT INTO ${table.name} does not exist.`, {
            hint: `${table.name}'s columns: ${table.columns.map((x) => x.name).join(', ')}${children.length ? `; child rows inline: ${children.map((x) => x.name).join(', ')}` : ''}.`,
            details: { table: table.name, column: n },
          });
        }
      }
    }
    const scratch = this.#newScratch();
    await this.#engine.run(`CREATE TEMP TABLE ${ident(scratch)} (${scratchColumns(table)})`);
    // DEFAULT VALUES takes no column list.
    const list = named || stmt.defaultValues ? '' : ` (${table.columns.map((c) => ident(c.name)).join(', ')})`;
    const s = stmt.source!;
    const source = this.sql.slice(s.start, s.end);
    // The rows' source is read like any SELECT (its API tables fetched with its conditions).
    if (/^\s*\(?\s*(select|with|from)\b/i.test(source)) await this.host.cache.prepare(this.#engine, source.trim().replace(/^\((.*)\)$/s, '$1'), [], this.host.signal);
    const insert = `${this.sql.slice(0, stmt.target.start)}${ident(scratch)}${this.sql.slice(stmt.target.end, s.start)}${list} ${source} ${this.#returningAll()}`;
    // VALUES may hold subqueries: their API tables are fetched as any statement's are.
    if (!/^\s*\(?\s*(select|with|from)\b/i.test(source) && /\bselect\b/i.test(source)) await this.host.cache.prepare(this.#engine, `SELECT * FROM (${source}) AS v`, [], this.host.signal);
    const rows = (await this.#query(insert, false)).rows;
    // Which columns the statement gives: those listed (none for DEFAULT VALUES: the API picks every value), else every column (NULL keys left to the API).
    const given = named ? new Set(named) : stmt.defaultValues ? new Set<string>() : undefined;
    const send = table.columns.filter((c) => writableColumn(c) && (given ? given.has(c.name.toLowerCase()) : true));
    const sendChildren = children.filter((c) => (given ? given.has(c.name.toLowerCase()) : false));
    if (!given) {
      for (const c of table.columns) {
        if (writableColumn(c) || c.source === 'virtual') continue;
        if (rows.some((r) => r[c.name] !== null && r[c.name] !== undefined)) throw readonlyColumn(table, c, 'insert');
      }
    }
    const bodyOf = (row: RowValues): Record<string, unknown> => {
      const cols = given ? send : send.filter((c) => !(c.key && row[c.name] === null));
      return recordOf(table, row, cols, sendChildren);
    };
    return this.#send(rows, bodyOf);
  }

  // ---- UPDATE and DELETE

  /** The columns that say which row a request writes: the URL's placeholders, else the key. */
  #addressColumns(): ColumnDef[] {
    const { table, op, stmt } = this;
    if (op.params.length > 0) return placeholderColumns(table, op, stmt.kind);
    const keys = table.columns.filter((c) => c.key && recordColumn(c));
    if (keys.length === 0) {
      throw new RestSqlError('WRITE_NOT_ENABLED', `${stmt.kind.toUpperCase()} on ${table.name}: the table has no #key column and #${stmt.kind} has no {placeholder}, so no request can say which row it means; nothing was sent.`, {
        hint: `Mark the API's id column with #key ("id": "Integer,#key"), or write the row's id into the URL: "#${stmt.kind}": "${op.method} ${op.url}/{id}".`,
        details: { table: table.name },
      });
    }
    return keys;
  }

  /** The values of constant expressions cast to `c`'s type (one statement for a whole IN list), or undefined when one is not a constant. */
  async #constants(exprs: readonly string[], c: ColumnDef): Promise<JsonValue[] | undefined> {
    const cast = (expr: string): string => {
      const typed = `CAST((${expr}) AS ${SQL_TYPE[c.type]})`;
      return c.type === 'JSON' ? `CAST(${typed} AS VARCHAR)` : typed;
    };
    const sql = `SELECT ${exprs.map((e, i) => `${cast(e)} AS v${i}`).join(', ')}`;
    try {
      await this.#engine.describe(sql);
    } catch {
      return undefined;
    }
    const row = (await this.#query(sql)).rows[0] ?? {};
    return exprs.map((_, i) => row[`v${i}`] ?? null);
  }

  /** `where`'s `key = v` and `key IN (...)` conditions: the values per address column, and whether every condition was one. */
  async #keyValues(address: readonly ColumnDef[]): Promise<{ values: Map<string, JsonValue[]>; onlyKeys: boolean }> {
    const { stmt, sql, table } = this;
    const values = new Map<string, JsonValue[]>();
    let onlyKeys = true;
    const names = new Set([table.name.toLowerCase(), ...(stmt.alias ? [stmt.alias] : [])]);
    for (const span of stmt.where ? conjuncts(sql, stmt.where) : []) {
      const k = keyCondition(sql.slice(span.start, span.end));
      const c = k && (k.qualifier === undefined || names.has(k.qualifier)) ? address.find((a) => a.name.toLowerCase() === k.column) : undefined;
      if (!k || !c) {
        onlyKeys = false;
        continue;
      }
      const evaluated = await this.#constants(k.values, c);
      const constant = evaluated !== undefined;
      const vs: JsonValue[] = [];
      for (const v of evaluated ?? []) if (v !== null && !vs.some((x) => JSON.stringify(x) === JSON.stringify(v))) vs.push(v);
      if (!constant) {
        onlyKeys = false;
        continue;
      }
      const before = values.get(c.name);
      values.set(c.name, before ? before.filter((b) => vs.some((x) => JSON.stringify(x) === JSON.stringify(b))) : vs);
    }
    return { values, onlyKeys };
  }

  async #changeOrDelete(): Promise<{ count: number; rows: RowValues[] }> {
    const { table, stmt, op, endpoint } = this;
    const kind = stmt.kind;
    const update = kind === 'update';
    const address = this.#addressColumns();
    const children = inlineChildren(table);
    // SET: the columns it assigns must be ones the API takes.
    const assigned: { column: ColumnDef | undefined; child: TableDef | undefined; expr: Span; at: number }[] = [];
    for (const a of stmt.assigned ?? []) {
      const column = table.columns.find((c) => c.name.toLowerCase() === a.column);
      const child = column ? undefined : children.find((c) => c.name.toLowerCase() === a.column);
      if (!column && !child) throw new RestSqlError('QUERY_UNKNOWN_COLUMN', `Column '${a.column}' in SET of UPDATE ${table.name} does not exist.`, { hint: `${table.name}'s columns: ${table.columns.map((x) => x.name).join(', ')}.`, details: { table: table.name, column: a.column, position: a.at + 1 } });
      if (column && (!writableColumn(column) || column.key)) throw readonlyColumn(table, column, 'update', a.at);
      assigned.push({ column, child, expr: a.expr, at: a.at });
    }
    const inTransaction = await this.#engine.inTransaction();
    // Probing expressions could fail a statement, which would abort the user's transaction: inside one, the rows are always read.
    const keyed = inTransaction ? { values: new Map<string, JsonValue[]>(), onlyKeys: false } : await this.#keyValues(address);
    const addressed = address.every((c) => keyed.values.has(c.name));
    const sendOnly = !update || endpoint.writes?.sendOnlyUpdated === true;
    // Without reading: the key values say which rows, and the write needs nothing else of them.
    // The statement still runs, on scratch rows holding just those keys: DuckDB's WHERE decides
    // which of them it means (1.7 is no INTEGER key), and SET is evaluated per row.
    if (addressed && keyed.onlyKeys && !stmt.joins && !stmt.returning && sendOnly && (await this.#constantSet(assigned))) {
      const scratch = this.#newScratch();
      await this.#engine.run(`CREATE TEMP TABLE ${ident(scratch)} (${scratchColumns(this.table)})`);
      const keyRows = product(address.map((c) => [c.name, keyed.values.get(c.name)!] as const));
      for (let i = 0; i < keyRows.length; i += 500) {
        const values = keyRows.slice(i, i + 500).map((r) => `(${address.map((c) => sqlValue(r[c.name], c)).join(', ')})`);
        await this.#engine.run(`INSERT INTO ${ident(scratch)} (${address.map((c) => ident(c.name)).join(', ')}) VALUES ${values.join(', ')}`);
      }
      const rows = await this.#runOnScratch(scratch);
      return this.#send(rows, (row) => this.#bodyFor(row, address, assigned));
    }
    // The rows are read first: by the requests a SELECT with this WHERE makes, unless that is the whole table.
    const from = `FROM ${this.sql.slice(stmt.target.start, stmt.target.end)}${stmt.alias ? ` AS ${ident(stmt.alias)}` : ''}`;
    const keyWhere = stmt.where && !stmt.joins ? this.sql.slice(stmt.where.start, stmt.where.end) : undefined;
    const read = `SELECT * ${from}${keyWhere !== undefined ? ` WHERE ${keyWhere}` : ''}`;
    if (!this.host.settings.allowFullTableWrites && (await this.host.cache.readsWholeTable(this.#engine, read, table.name))) {
      throw this.#needsKey(address, addressed, sendOnly);
    }
    // Current rows, not cached ones: the write is decided on what the API holds now.
    await this.host.cache.invalidate(this.#engine, table.name);
    const scratch = this.#newScratch();
    await this.host.cache.prepare(this.#engine, read, [], this.host.signal);
    const pseudo = children.map((c) => `, NULL::JSON AS ${ident(c.name)}`).join('');
    await this.#query(`CREATE TEMP TABLE ${ident(scratch)} AS SELECT q.*${pseudo} FROM (${read}) AS q`, false);
    // A whole-row UPDATE sends the records' arrays too: their current rows, read with the parents.
    if (update && !sendOnly) for (const child of children) await this.#fillChild(scratch, child);
    const rows = await this.#runOnScratch(scratch);
    return this.#send(rows, (row) => this.#bodyFor(row, address, assigned));
  }

  /** Whether every SET expression names no column (a describe, nothing runs: a sequence or a random value is not used up). */
  async #constantSet(assigned: readonly { expr: Span }[]): Promise<boolean> {
    for (const a of assigned) {
      try {
        await this.#engine.describe(`SELECT (${this.sql.slice(a.expr.start, a.expr.end)})`);
      } catch {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs the user's UPDATE or DELETE on `scratch` and returns the rows it touched. The API tables
   * its subqueries read (SET, WHERE) are fetched first as any statement's are; the target's own
   * name, standing for the scratch rows, does not count as a read of it.
   */
  async #runOnScratch(scratch: string): Promise<RowValues[]> {
    const statement = this.#onScratch(scratch);
    // Only a subquery or FROM/USING reads API tables here (a column named like a table does not).
    if (this.stmt.joins || /\bselect\b/i.test(statement)) await this.host.cache.prepare(this.#engine, this.#withoutTargetName(statement), [], this.host.signal);
    return (await this.#query(`${statement} ${this.#returningAll()}`, false)).rows;
  }

  /**
   * `text` with the target's name where it stands for the scratch rows (the alias given to the
   * scratch table, a qualifier `orders.col`) replaced, for finding the API tables it reads. A
   * reference missed here is still fetched when DuckDB reads it (outside a transaction).
   */
  #withoutTargetName(text: string): string {
    const alias = this.#targetName;
    const at = alias === '' ? -1 : text.indexOf(alias);
    const unaliased = at < 0 ? text : `${text.slice(0, at)} AS restsql_target${text.slice(at + alias.length)}`;
    const name = this.table.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return unaliased.replace(new RegExp(`(?:"${name}"|(?<![\\w$"])${name}(?![\\w$]))(?=\\s*\\.\\s*[\\w"])`, 'gi'), 'restsql_target');
  }

  /** Sets `child`'s column of the scratch rows to their current child rows (a JSON array in position order). */
  async #fillChild(scratch: string, child: TableDef): Promise<void> {
    const { table } = this;
    const links = child.columns.filter((c) => c.source === 'parent');
    const keys = table.columns.filter((c) => c.key);
    const position = child.columns.find((c) => c.source === 'position');
    if (links.length !== keys.length || links.length === 0) return;
    const parents = (await this.#query(`SELECT ${keys.map((k) => ident(k.name)).join(', ')} FROM ${ident(scratch)}`, false)).rows;
    if (parents.length === 0) return;
    const fields = child.columns.filter(recordColumn).map((c) => `${literal(c.name)}, c.${ident(c.name)}`).join(', ');
    const scalar = child.columns.filter(recordColumn).length === 1 && child.columns.find(recordColumn)!.path.length === 0;
    const element = scalar ? `c.${ident(child.columns.find(recordColumn)!.name)}` : `json_object(${fields})`;
    const order = position ? ` ORDER BY c.${ident(position.name)}` : '';
    const same = links.map((l, i) => `c.${ident(l.name)} = s.${ident(keys[i]!.name)}`).join(' AND ');
    // Read like a SELECT of the child rows of these parents (their keys reach the API as the
    // parent's would): one key is an IN list (a request per parent); a composite key is read
    // parent by parent (an OR of conjunctions would read the whole table).
    const groups =
      links.length === 1
        ? [{ match: `c.${ident(links[0]!.name)} IN (${parents.map((p) => sqlValue(p[keys[0]!.name], keys[0]!)).join(', ')})`, only: '' }]
        : parents.map((p) => ({
            match: links.map((l, i) => `c.${ident(l.name)} = ${sqlValue(p[keys[i]!.name], keys[i]!)}`).join(' AND '),
            only: ` WHERE ${keys.map((k) => `s.${ident(k.name)} = ${sqlValue(p[k.name], k)}`).join(' AND ')}`,
          }));
    for (const g of groups) {
      await this.host.cache.prepare(this.#engine, `SELECT * FROM ${ident(child.name)} AS c WHERE ${g.match}`, [], this.host.signal);
      await this.#query(`UPDATE ${ident(scratch)} AS s SET ${ident(child.name)} = (SELECT COALESCE(to_json(list(${element}${order})), '[]') FROM ${ident(child.name)} AS c WHERE ${same})${g.only}`, false);
    }
  }

  #needsKey(address: readonly ColumnDef[], addressed: boolean, sendOnly: boolean): RestSqlError {
    const { table, stmt } = this;
    const verb = stmt.kind.toUpperCase();
    const keys = address.map((c) => c.name).join(', ');
    const why = !addressed
      ? `its WHERE does not give ${address.length === 1 ? `the key ${keys}` : `every one of ${keys}`} with = or IN, so finding its rows means reading the whole table`
      : `it needs the current rows (${!sendOnly ? '#sendOnlyUpdated is false: the API gets whole rows' : stmt.returning ? 'RETURNING' : stmt.joins ? 'FROM/USING' : 'SET or WHERE reads other columns'}) and ${table.name} cannot be read by ${keys} alone: that would fetch the whole table`;
    return new RestSqlError('WRITE_NEEDS_KEY', `${verb} on ${table.name} was refused: ${why}; nothing was sent.`, {
      hint: !addressed
        ? `Add WHERE ${address[0]!.name} = ... (or IN (...)), or set AllowFullTableWrites=1 to let it read the table.`
        : `Give ${table.name} a #path that reads one row by ${keys}, listed before the others (e.g. ".../{${address[0]!.name}}"), ${stmt.kind === 'update' && !sendOnly ? 'set "#sendOnlyUpdated": true, ' : ''}or set AllowFullTableWrites=1.`,
      details: { table: table.name, option: 'AllowFullTableWrites' },
    });
  }

  /** The body of an UPDATE or DELETE request for `row`, or undefined for none. */
  #bodyFor(row: RowValues, address: readonly ColumnDef[], assigned: readonly { column: ColumnDef | undefined; child: TableDef | undefined }[]): Record<string, unknown> | undefined {
    const { table, op, stmt } = this;
    // The key goes in the body when the URL does not carry it.
    const keys = op.params.length === 0 ? address.filter(recordColumn) : [];
    if (stmt.kind === 'delete') return keys.length > 0 || op.array ? recordOf(table, row, keys, []) : undefined;
    const sendOnly = this.endpoint.writes?.sendOnlyUpdated === true;
    const set = new Set(assigned.flatMap((a) => (a.column ? [a.column] : [])));
    // A whole record leaves out what the API's record does not hold (NULL) unless SET gives it.
    const cols = sendOnly ? [...set] : table.columns.filter((c) => writableColumn(c) && !c.key && (set.has(c) || (row[c.name] !== null && row[c.name] !== undefined)));
    const children = sendOnly ? assigned.flatMap((a) => (a.child ? [a.child] : [])) : inlineChildren(table);
    return recordOf(table, row, [...keys, ...cols.filter((c) => !keys.includes(c))], children);
  }

  // ---- Requests

  /** Sends `rows` in order, one request each (or one per batch for `[]`), stopping at the first failure. */
  async #send(rows: RowValues[], bodyOf: (row: RowValues) => Record<string, unknown> | undefined): Promise<{ count: number; rows: RowValues[] }> {
    const { op, table, stmt } = this;
    const batches: Batch[] = [];
    rows.forEach((row, i) => {
      const url = writeUrl(table, op, row, stmt.kind);
      const body = bodyOf(row);
      const last = batches[batches.length - 1];
      if (op.array && last && last.url === url && last.rows.length < this.host.settings.batchSize) {
        last.rows.push(row);
        last.bodies.push(body ?? {});
        return;
      }
      batches.push({ url, rows: [row], bodies: body === undefined ? [] : [body], first: i + 1 });
    });
    let count = 0;
    const written: RowValues[] = [];
    for (const b of batches) {
      let response: HttpResponse;
      try {
        this.#sent = true;
        response = await this.host.http.send(this.#request(b));
      } catch (e) {
        throw this.#failed(e, b, count, rows.length);
      }
      if (response.zeroRows) continue;
      count += b.rows.length;
      written.push(...this.#returned(response, b));
    }
    this.host.logger.debug(`write: ${stmt.kind.toUpperCase()} ${table.name}: ${count} of ${rows.length} row(s) confirmed in ${batches.length} request(s)`);
    return { count, rows: written };
  }

  #request(b: Batch): HttpRequest {
    const { op, endpoint, stmt } = this;
    const body = op.array ? b.bodies : b.bodies[0];
    // The client adds content-type: application/json to a write with a body unless #headers sets one.
    const headers: Record<string, string> = { ...(endpoint.headers ?? {}) };
    return {
      url: b.url,
      method: op.method,
      headers,
      ...(body !== undefined ? { body: stringifyJson(body) } : {}),
      rules: endpoint.http ?? 'default',
      operation: stmt.kind === 'insert' ? 'INSERT' : stmt.kind === 'update' ? 'UPDATE' : 'DELETE',
      signal: this.host.signal,
    };
  }

  /** The error for a request that failed, saying how far the statement got. */
  #failed(e: unknown, b: Batch, written: number, total: number): RestSqlError {
    const err = toRestSqlError(e);
    if (err.code === 'ABORTED' || err.code === 'QUERY_TIMEOUT') {
      return new RestSqlError(err.code, `${err.message} ${written} row(s) of the ${this.stmt.kind.toUpperCase()} were written before it stopped; the request in flight may or may not have been applied.`, { hint: err.hint ?? '', details: { ...err.details, rowsWritten: written }, cause: e });
    }
    const status = typeof err.details?.['status'] === 'number' ? (err.details['status'] as number) : undefined;
    const code = err.code === 'AUTH_FAILED' || err.code === 'HTTP_WRITE_UNCERTAIN' ? err.code : status === 409 ? 'WRITE_CONFLICT' : status !== undefined && status >= 400 && status < 500 ? 'WRITE_REJECTED' : 'WRITE_FAILED';
    const which = b.rows.length === 1 ? `row ${b.first}` : `rows ${b.first}-${b.first + b.rows.length - 1} (one request)`;
    const after = total - (b.first - 1) - b.rows.length;
    const hint =
      code === 'WRITE_REJECTED' || code === 'WRITE_CONFLICT'
        ? `The API refused ${b.rows.length === 1 ? 'the row' : 'these rows'} (its message is above): fix ${b.rows.length === 1 ? 'it' : 'them'} and run the statement again for the rows not written${written > 0 ? `; the ${written} written before stay written` : ''}.`
        : code === 'WRITE_FAILED'
          ? `${err.hint ?? 'Try again later.'} Check the API for the failed row before sending it again${written > 0 ? `; the ${written} written before stay written` : ''}.`
          : (err.hint ?? '');
    // A hint about the #http rules (a status they do not list, a retry a rule could allow) still applies.
    const rules = err.hint !== undefined && /#(http|code|operation)/.test(err.hint) && hint !== err.hint ? ` ${err.hint}` : '';
    return new RestSqlError(code, `${this.stmt.kind.toUpperCase()} on ${this.table.name} stopped at ${which} of ${total}: ${written} row(s) before it were written${after > 0 ? `, ${after} after it were not sent` : ''}. ${err.message}`, {
      hint: hint + rules,
      details: { ...err.details, table: this.table.name, rowsWritten: written, failedRow: b.first, rows: total, cause: err.code },
      cause: e,
    });
  }

  /** The rows of RETURNING for a confirmed request: the API's answer over the rows as sent. */
  #returned(response: HttpResponse, b: Batch): RowValues[] {
    if (!this.stmt.returning) return [];
    let record: unknown;
    const text = response.body.length > 0 ? response.body.toString('utf8') : '';
    if (text.trim() !== '') {
      try {
        record = parseJson(text);
      } catch {
        record = undefined;
      }
    }
    if (record !== undefined && this.op.jsonRoot) record = valueAt(record, this.op.jsonRoot);
    const records: unknown[] = Array.isArray(record) ? (record.length === b.rows.length ? record : []) : b.rows.length === 1 && record !== null && typeof record === 'object' ? [record] : [];
    return b.rows.map((row, i) => {
      const r = records[i];
      if (r === null || typeof r !== 'object') return row;
      const out: Record<string, JsonValue> = { ...row };
      for (const c of this.table.columns) {
        if (!recordColumn(c)) continue;
        const v = valueAt(r, c.path);
        if (v === undefined) continue;
        const cell = convertCell(v, c, this.table.name, 0, response.url);
        out[c.name] = typeof cell === 'bigint' ? String(cell) : cell;
      }
      return out;
    });
  }

  /** A table of the written rows and the SELECT of RETURNING over it. */
  async #returning(rows: RowValues[]): Promise<string> {
    const { table, stmt } = this;
    const previous = returnedTables.get(this.#engine);
    if (previous) await dropTemp(this.#engine, previous);
    const name = `restsql_returning_${++scratchCounter}`;
    returnedTables.set(this.#engine, name);
    await this.#engine.run(`CREATE TEMP TABLE ${ident(name)} (${columnDefinitions(table.columns)})`);
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows.slice(i, i + 500).map((r) => `(${table.columns.map((c) => sqlValue(r[c.name], c)).join(', ')})`);
      await this.#engine.run(`INSERT INTO ${ident(name)} VALUES ${values.join(', ')}`);
    }
    return `SELECT ${this.sql.slice(stmt.returning!.start, stmt.returning!.end)} FROM ${ident(name)} AS ${ident(stmt.alias ?? table.name)}`;
  }
}

/** An error after the rows were sent (RETURNING): it says that the write itself happened. */
export function afterWrite(e: unknown, kind: WriteKind, table: string, count: number): RestSqlError {
  const err = toRestSqlError(e);
  return new RestSqlError(err.code, `${kind.toUpperCase()} on ${table} was sent and the API confirmed ${count} row(s), but RETURNING failed: ${err.message}`, {
    hint: `Do not run the ${kind.toUpperCase()} again: its rows are written. ${err.hint ?? ''}`.trim(),
    details: { ...err.details, table, rowsWritten: count },
    cause: e,
  });
}

/** A cell as a SQL literal of the column's type. */
function sqlValue(v: JsonValue | undefined, c: ColumnDef): string {
  if (v === undefined || v === null) return 'NULL';
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return `CAST(${literal(text)} AS ${SQL_TYPE[c.type]})`;
}

/** Every combination of the values per column. */
function product(columns: readonly (readonly [string, readonly JsonValue[]])[]): Record<string, JsonValue>[] {
  let rows: Record<string, JsonValue>[] = [{}];
  for (const [name, values] of columns) rows = rows.flatMap((r) => values.map((v) => ({ ...r, [name]: v })));
  return rows;
}

/**
 * The parameter and result types of a write on an API table, without running it: the statement
 * is prepared against an empty scratch copy of the table (nothing is fetched or sent).
 */
export async function describeWrite(engine: Engine, model: ResolvedModel, stmt: WriteStatement, sql: string): Promise<StatementShape> {
  const target = writeTarget(model, stmt.table);
  if (!target) throw new RestSqlError('QUERY_UNKNOWN_TABLE', `Table '${stmt.table}' does not exist.`, { hint: 'Run `restsql tables` to list the tables.' });
  const { table } = target;
  const children = inlineChildren(table);
  const scratch = `restsql_describe_${++scratchCounter}`;
  await engine.run(`CREATE TEMP TABLE ${ident(scratch)} (${scratchColumns(table)})`);
  try {
    const alias = stmt.alias === undefined && stmt.kind !== 'insert' ? ` AS ${ident(table.name)}` : '';
    const end = stmt.returningAt ?? sql.length;
    let text: string;
    if (stmt.kind === 'insert') {
      const list = stmt.columns || stmt.defaultValues ? '' : ` (${table.columns.map((c) => ident(c.name)).join(', ')})`;
      text = `${sql.slice(0, stmt.target.start)}${ident(scratch)}${sql.slice(stmt.target.end, stmt.source!.start)}${list} ${sql.slice(stmt.source!.start, end)}`;
    } else {
      text = `${sql.slice(0, stmt.target.start)}${ident(scratch)}${alias}${sql.slice(stmt.target.end, end)}`;
    }
    const shape = await engine.describe(text);
    if (!stmt.returning) return { ...shape, columns: [] };
    // RETURNING reads the written rows, which have the table's columns only.
    const returning = await engine.describe(`SELECT ${sql.slice(stmt.returning.start, stmt.returning.end)} FROM ${ident(scratch)} AS ${ident(stmt.alias ?? table.name)}`);
    const pseudo = new Set(children.map((c) => c.name.toLowerCase()));
    return { ...shape, columns: returning.columns.filter((c) => !pseudo.has(c.name.toLowerCase())) };
  } finally {
    await dropTemp(engine, scratch);
  }
}
