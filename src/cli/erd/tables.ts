/**
 * What an entity-relationship diagram of the tables shows, whatever it is drawn as: which tables
 * (all, or one with its ancestors and descendants), which columns are keys or link to the parent,
 * and one link per child table, from its link columns to its parent's key columns.
 */
import type { TableInfo } from '../../index.js';

/** A child table's link to its parent: the child's columns and the parent columns they hold, pair by pair. */
export interface ErdLink {
  readonly child: TableInfo;
  readonly parent: TableInfo;
  readonly pairs: readonly { readonly column: string; readonly parentColumn: string }[];
}

/** The formats `restsql describe --erd` writes. */
export const ERD_FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type ErdFormat = (typeof ERD_FORMATS)[number];

export function isErdFormat(value: string): value is ErdFormat {
  return (ERD_FORMATS as readonly string[]).includes(value);
}

/** `table` with the tables above it (its parent, the parent's parent, ...) and every table below it, in `tables`' order. */
export function relatedTables(tables: readonly TableInfo[], table: TableInfo): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const above = ancestors(byName, table);
  return tables.filter((t) => t.name === table.name || above.includes(t.name) || ancestors(byName, t).includes(table.name));
}

/** The names of the tables above `t`, nearest first. */
function ancestors(byName: ReadonlyMap<string, TableInfo>, t: TableInfo): string[] {
  const out: string[] = [];
  for (let up = t.parent; up !== null && !out.includes(up); up = byName.get(up)?.parent ?? null) out.push(up);
  return out;
}

/** One link per child table whose parent is among `tables`. */
export function erdLinks(tables: readonly TableInfo[]): ErdLink[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  return tables.flatMap((child) => {
    const parent = child.parent === null ? undefined : byName.get(child.parent);
    return parent ? [{ child, parent, pairs: child.parentKey }] : [];
  });
}

/** The columns of `t` that hold its parent's key (marked FK). */
export function linkColumns(t: TableInfo): ReadonlySet<string> {
  return new Set(t.parentKey.map((p) => p.column));
}

/** A link's columns as a join condition reads them: `orders_id = id`, one per pair. */
export function pairTexts(link: ErdLink): string[] {
  return link.pairs.map((p) => `${p.column} = ${p.parentColumn}`);
}

/** `tables` with every name passed through `mask` (a connection's redactor), links included; types are restsql's own words. */
export function maskedTables(tables: readonly TableInfo[], mask: (text: string) => string): TableInfo[] {
  return tables.map((t) => ({
    ...t,
    name: mask(t.name),
    parent: t.parent === null ? null : mask(t.parent),
    columns: t.columns.map((c) => ({ ...c, name: mask(c.name) })),
    parentKey: t.parentKey.map((p) => ({ column: mask(p.column), parentColumn: mask(p.parentColumn) })),
  }));
}
