/**
 * The tables as a Graphviz DOT `digraph`: one node per table (an HTML-like label: the table's
 * name, then a row per column with its type and PK/FK marks) and one edge per child table, from
 * the child to its parent, labelled with the linking columns. Nodes have generated ids (`t1`,
 * `t2`, ...), so no name ever needs DOT's string quoting; names appear only in labels, as XML
 * text.
 */
import type { TableInfo } from '../../index.js';
import { erdLinks, linkColumns, pairTexts } from './tables.js';

/** Characters XML (and so an HTML-like label) cannot hold, lone surrogates included. */
const NOT_XML = /[\ufffe\uffff]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Control characters (C0, DEL, C1) and line separators, which a label would drop or show as spaces. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for an HTML-like label, shown as it is: XML's special characters as entities; a backslash
 * doubled, since Graphviz reads `\N`, `\G`, `\E` (the node, graph and edge names) and `\\` in label
 * text; characters XML cannot hold and control characters as U+FFFD.
 */
export function dotText(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(CONTROL, '\uFFFD')
    .replace(/\\/g, '\\\\')
    .replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch]!);
}

const HEADER = '#dbe7f4';
const KEY = '#f6f1d5';

/**
 * Where an edge meets a column's row: child tables sit left of their parents (rankdir=LR, edges
 * child to parent), so an edge leaves a link column's row on the right and enters the parent's key
 * column's row on the left. Ports are named by the column's position, since a name need not be a
 * valid port name.
 */
const rightPort = (index: number) => `r${index + 1}`;
const leftPort = (index: number) => `l${index + 1}`;

/** `t2:r1:e` / `t1:l1:w`: the node, the row of `column` and its side (the node alone when the table has no such column). */
function endpoint(id: string, t: TableInfo, column: string | undefined, side: 'from' | 'to'): string {
  const i = t.columns.findIndex((c) => c.name === column);
  if (i < 0) return id;
  return side === 'from' ? `${id}:${rightPort(i)}:e` : `${id}:${leftPort(i)}:w`;
}

function tableLabel(t: TableInfo): string {
  const links = linkColumns(t);
  const rows = t.columns.map((c, i) => {
    const marks = [c.key ? 'PK' : '', links.has(c.name) ? 'FK' : ''].filter(Boolean).join(', ');
    const bg = c.key ? ` BGCOLOR="${KEY}"` : '';
    return `<TR><TD ALIGN="LEFT"${bg} PORT="${leftPort(i)}">${dotText(c.name)}</TD><TD ALIGN="LEFT"${bg}>${dotText(c.type)}</TD><TD${bg} PORT="${rightPort(i)}">${marks}</TD></TR>`;
  });
  const head = `<TR><TD COLSPAN="3" BGCOLOR="${HEADER}"><B>${dotText(t.name)}</B></TD></TR>`;
  return `<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">${head}${rows.join('')}</TABLE>`;
}

/** The tables (with their columns, keys and links to their parents) as DOT text. */
export function erdDot(tables: readonly TableInfo[]): string {
  const ids = new Map(tables.map((t, i) => [t, `t${i + 1}`]));
  const out = [
    'digraph restsql {',
    '  graph [rankdir=LR, nodesep=0.5, ranksep=0.9, fontname="Helvetica"];',
    '  node [shape=plain, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, dir=both, arrowhead=tee, arrowtail=crow, color="#555555"];',
  ];
  for (const t of tables) out.push(`  ${ids.get(t)!} [label=<${tableLabel(t)}>];`);
  // Child to parent: many child rows point at one parent row through the parent's key.
  for (const link of erdLinks(tables)) {
    const label = pairTexts(link).map(dotText).join('<BR/>');
    const first = link.pairs[0];
    const from = endpoint(ids.get(link.child)!, link.child, first?.column, 'from');
    const to = endpoint(ids.get(link.parent)!, link.parent, first?.parentColumn, 'to');
    out.push(`  ${from} -> ${to}${label ? ` [label=<${label}>]` : ''};`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
