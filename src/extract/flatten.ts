import { valueAt } from '../model/json-root.js';
import type { TableDef } from '../model/types.js';
import { convertCell, type CellValue } from './convert.js';

export type Row = CellValue[];

/** Receives each row of each table, parents before their children. */
export type RowSink = (table: TableDef, row: Row) => void;

/** Running state across pages of one endpoint (the generated row number continues). */
export interface FlattenState {
  nextRowid: number;
  /** Values of virtual columns (model-file path parameters and `#virtual` columns) for these rows. */
  virtuals: Readonly<Record<string, string>>;
  /** The page the records came from, for error messages. */
  url?: string;
  /** The records came from a text format (CSV, XML): their values convert as text (convertCell). */
  text?: boolean;
}

export function newFlattenState(virtuals: Readonly<Record<string, string>> = {}): FlattenState {
  return { nextRowid: 1, virtuals };
}

/**
 * Turns one page of records into rows of the table and its child tables (README.md "How JSON becomes
 * tables"): nested members fill flattened columns, each array element becomes a child row that
 * carries its parent's key and its position.
 */
export function flattenRecords(table: TableDef, records: readonly unknown[], state: FlattenState, sink: RowSink): void {
  for (const record of records) {
    const rowNumber = state.nextRowid++;
    emit(table, record, [], 0, rowNumber, sink, state);
  }
}

function emit(table: TableDef, element: unknown, parentKey: readonly CellValue[], position: number, rowNumber: number, sink: RowSink, state: FlattenState, mapKey?: string): void {
  const { virtuals, url } = state;
  const text = state.text === true;
  const row: Row = [];
  let refIndex = 0;
  for (const column of table.columns) {
    switch (column.source) {
      case 'parent':
        row.push(parentKey[refIndex++] ?? null);
        break;
      case 'position':
        row.push(position);
        break;
      case 'rowid':
        row.push(BigInt(rowNumber));
        break;
      case 'virtual': {
        // The record may echo the value itself; otherwise it is the value the request was made with.
        const own = column.path.length > 0 ? valueAt(element, column.path) : undefined;
        const echoed = own !== undefined && own !== null;
        row.push(convertCell(echoed ? own : (virtuals[column.name] ?? null), column, table.name, rowNumber, url, echoed && text));
        break;
      }
      case 'mapkey':
        row.push(convertCell(mapKey ?? null, column, table.name, rowNumber, url));
        break;
      case 'json':
        row.push(convertCell(column.path.length === 0 ? element : valueAt(element, column.path), column, table.name, rowNumber, url, text));
        break;
      default: {
        const never: never = column.source;
        throw new Error(`unhandled column source ${String(never)}`);
      }
    }
  }
  sink(table, row);
  if (table.children.length === 0) return;
  const key: CellValue[] = [];
  table.columns.forEach((c, i) => {
    if (c.key) key.push(row[i] ?? null);
  });
  for (const child of table.children) {
    const items = valueAt(element, child.arrayPath);
    if (child.map) {
      if (items === null || typeof items !== 'object' || Array.isArray(items)) continue;
      Object.entries(items as Record<string, unknown>).forEach(([k, v], index) => emit(child, v, key, index, rowNumber, sink, state, k));
      continue;
    }
    if (!Array.isArray(items)) continue;
    items.forEach((item, index) => emit(child, item, key, index, rowNumber, sink, state));
  }
}
