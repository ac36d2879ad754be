/**
 * The tables as a Mermaid `erDiagram` (Mermaid 10 and 11), for Markdown. Entity names and labels
 * are quoted, with every character Mermaid's lexer or its text clean-up would take for syntax
 * written as a Mermaid entity code (`#34;` for `"`), which Mermaid shows as the character.
 * Attribute names and types must be plain words: other characters become `_`, and an attribute
 * whose name changed carries its real name as the attribute's comment.
 */
import type { TableInfo } from '../../index.js';
import { erdLinks, linkColumns, pairTexts } from './tables.js';

/**
 * Characters written as entity codes inside quoted text: the quote itself; `%` (comments and
 * directives) and `\`, which end a quoted entity name; `#` (entity codes); `<` and `>`
 * (Mermaid rewrites `<tag a="...">`); `:` (its style clean-up); `~` (generic types in attribute
 * blocks); `&`; and control and line-separator characters.
 */
const CODED = /["%\\#<>:&~\u0000-\u001f\u007f\u0085\u2028\u2029]/gu;

/** Lone surrogates cannot be shown; the replacement character stands for them. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const code = (ch: string) => `#${ch.codePointAt(0)};`;

/** Text inside a Mermaid double-quoted string. */
export function mermaidText(text: string): string {
  return (
    text
      .replace(LONE_SURROGATE, '\uFFFD')
      .replace(CODED, code)
      // Mermaid 11's lexer reads any line holding `direction` and whitespace before TB, BT, RL or LR as
      // a direction statement, even inside quotes: the whitespace after `direction` is written coded.
      .replace(/(direction)(\s)/giu, (_m, word: string, space: string) => word + code(space))
  );
}

/** `"text"`, quoted for an entity name or a relationship label. */
export function mermaidQuoted(text: string): string {
  return `"${mermaidText(text)}"`;
}

/**
 * An attribute's name or type as a Mermaid word (`[A-Za-z_][A-Za-z0-9_]*`, what Mermaid 10
 * accepts): runs of other characters become `_` (dropped at the ends: `DECIMAL(38,0)` is
 * `DECIMAL_38_0`); `PK`, `FK` and `UK` alone are key markers, so get a `_`.
 */
export function mermaidWord(text: string): string {
  let w = text.replace(/^[^A-Za-z0-9_]+|[^A-Za-z0-9_]+$/g, '').replace(/[^A-Za-z0-9_]+/g, '_');
  if (w === '' || /^[0-9]/.test(w)) w = `_${w}`;
  if (/^(pk|fk|uk)$/i.test(w)) w = `${w}_`;
  return w;
}

function attribute(column: TableInfo['columns'][number], links: ReadonlySet<string>): string {
  const name = mermaidWord(column.name);
  const keys = [column.key ? 'PK' : '', links.has(column.name) ? 'FK' : ''].filter(Boolean).join(', ');
  const comment = name === column.name ? '' : ` ${mermaidQuoted(column.name)}`;
  return `${mermaidWord(column.type)} ${name}${keys ? ` ${keys}` : ''}${comment}`;
}

/** The tables (with their columns, keys and links to their parents) as Mermaid `erDiagram` text. */
export function erdMermaid(tables: readonly TableInfo[]): string {
  const lines = ['erDiagram'];
  for (const t of tables) {
    if (t.columns.length === 0) {
      lines.push(`    ${mermaidQuoted(t.name)}`);
      continue;
    }
    const links = linkColumns(t);
    lines.push(`    ${mermaidQuoted(t.name)} {`, ...t.columns.map((c) => `        ${attribute(c, links)}`), '    }');
  }
  // Parent first: one parent row has zero or more child rows.
  for (const link of erdLinks(tables)) {
    const label = pairTexts(link).join(', ') || 'parent';
    lines.push(`    ${mermaidQuoted(link.parent.name)} ||--o{ ${mermaidQuoted(link.child.name)} : ${mermaidQuoted(label)}`);
  }
  return `${lines.join('\n')}\n`;
}
