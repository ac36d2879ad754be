/**
 * Reading back what src/cli/erd/ writes, for the ERD tests: Mermaid erDiagram text parsed line by
 * line against the token shapes Mermaid 10 and 11 accept (a line that fits none fails), and the
 * text an SVG shows.
 */

export interface MermaidAttribute {
  readonly type: string;
  readonly name: string;
  readonly keys: readonly string[];
  /** The column's real name: the comment when there is one, else the attribute's word. */
  readonly realName: string;
}

export interface MermaidDiagram {
  readonly entities: { readonly name: string; readonly attributes: MermaidAttribute[] }[];
  readonly edges: { readonly parent: string; readonly child: string; readonly label: string }[];
}

/** A quoted entity name as Mermaid's lexer takes it: no `"`, `%`, `\`, CR, LF, VT or BS inside. */
const NAME = String.raw`"[^"%\r\n\v\b\\]+"`;
const WORD = '[A-Za-z_][A-Za-z0-9_]*';
const ENTITY = new RegExp(`^ {4}(${NAME})( \\{)?$`);
const ATTRIBUTE = new RegExp(`^ {8}(${WORD}) (${WORD})(?: (PK|FK|PK, FK))?(?: ("[^"]*"))?$`);
const EDGE = new RegExp(`^ {4}(${NAME}) \\|\\|--o\\{ (${NAME}) : (${NAME})$`);

/** Quoted Mermaid text as Mermaid shows it: `#NNN;` codes are the characters they number. */
export function mermaidShown(quoted: string): string {
  const inner = quoted.slice(1, -1);
  if (/#(?!\d+;)/.test(inner.replace(/#\d+;/g, ''))) throw new Error(`a '#' that is not an entity code in ${quoted}`);
  return inner.replace(/#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)));
}

export function parseMermaid(text: string): MermaidDiagram {
  const lines = text.split('\n');
  if (lines[0] !== 'erDiagram' || lines.at(-1) !== '') throw new Error('not an erDiagram ending in a newline');
  const entities: MermaidDiagram['entities'] = [];
  const edges: MermaidDiagram['edges'] = [];
  let open: MermaidDiagram['entities'][number] | undefined;
  for (const [i, line] of lines.slice(1, -1).entries()) {
    const fail = () => new Error(`line ${i + 2} is no erDiagram statement: ${JSON.stringify(line)}`);
    if (open) {
      if (line === '    }') {
        open = undefined;
        continue;
      }
      const a = ATTRIBUTE.exec(line);
      if (!a) throw fail();
      // Two `~` on a line make Mermaid read a generic type.
      if ((line.match(/~/g) ?? []).length > 1) throw fail();
      open.attributes.push({ type: a[1]!, name: a[2]!, keys: a[3] ? a[3].split(', ') : [], realName: a[4] ? mermaidShown(a[4]) : a[2]! });
      continue;
    }
    const e = ENTITY.exec(line);
    if (e) {
      const entity = { name: mermaidShown(e[1]!), attributes: [] };
      entities.push(entity);
      if (e[2]) open = entity;
      continue;
    }
    const r = EDGE.exec(line);
    if (!r) throw fail();
    edges.push({ parent: mermaidShown(r[1]!), child: mermaidShown(r[2]!), label: mermaidShown(r[3]!) });
  }
  if (open) throw new Error(`entity ${open.name} is not closed`);
  return { entities, edges };
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The content of every `<text>` element of an SVG, entities decoded, no-break spaces as spaces. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!
      .replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) =>
        dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : (XML_ENTITIES[name!] ?? whole),
      )
      .replace(/\u00a0/g, ' '),
  );
}
