/**
 * XML responses as the JSON shape the rest of restsql reads (DataDirect "Mapping XML responses"):
 * the document element is the one member of the top object, and each element becomes
 *
 * - its text, when it has no attributes and no child elements (an empty element is null, as is
 *   one with xsi:nil="true");
 * - else an object: attributes (by local name), then child elements in document order, a name
 *   that repeats holding an array; text beside attributes or children goes in member `text`. On a
 *   clash the child element keeps the name: an attribute becomes `<name>_attr`, the text
 *   `text_value`.
 *
 * Names are local (namespace prefixes dropped, xmlns declarations not kept). CDATA is text. Only
 * XML's five predefined entities and character references are read: a document that declares
 * entities (a DTD internal subset with <!ENTITY>) is refused before anything is expanded, and any
 * other entity reference is a parse error, so entity expansion ("billion laughs") and external
 * entities (XXE) never happen. Depth and element count are bounded.
 *
 * How an element reads is decided over the whole response, per element path (the names from the
 * document element down): a name that repeats under one parent anywhere is an array everywhere;
 * an element that has attributes or children anywhere is an object everywhere (its text in
 * `text`); an attribute is renamed where a child element of the same name occurs anywhere. At load
 * time alignToModel makes each page fit the sampled model (a single element where the model has a
 * child table is an array of one), so the same data always lands in the same tables.
 */
import type sax from 'sax';
import { lazyRequire } from '../util/lazy-require.js';
import { RestSqlError } from '../errors/index.js';
import { valueAt } from '../model/json-root.js';
import type { PathStep, TableDef } from '../model/types.js';

/** sax, loaded when an XML response is first read. */
const saxModule = lazyRequire<typeof sax>('sax');

/** How deeply elements may nest (the walkers that sample and flatten recurse once per level). */
export const XML_MAX_DEPTH = 256;
/** How many elements one response may hold. */
export const XML_MAX_ELEMENTS = 2_000_000;
/** The member that holds an element's own text beside attributes or child elements. */
export const XML_TEXT = 'text';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** An element as parsed, before it becomes a JSON value. */
interface XmlNode {
  readonly name: string;
  readonly attributes: [string, string][];
  readonly children: XmlNode[];
  text: string;
  readonly nil: boolean;
}

/** What the whole document shows at one element path (names from the document element down). */
interface Sig {
  /** Some occurrence has attributes, child elements or is an object for another reason: all are objects. */
  complex: boolean;
  /** Child element names, and whether one repeats under one parent in any occurrence. */
  readonly children: Map<string, { repeats: boolean; sig: Sig }>;
  /** Attribute names seen. */
  readonly attributes: Set<string>;
}

const newSig = (): Sig => ({ complex: false, children: new Map(), attributes: new Set() });

function malformed(message: string, line: number, column: number): RestSqlError {
  return new RestSqlError('HTTP_MALFORMED_BODY', `the XML body breaks at line ${line}, column ${column}: ${message}.`, {
    hint: 'The response must be one well-formed XML document. If the endpoint does not return XML, set "#format" for the table (or ResponseFormat).',
    details: { format: 'xml', line, column },
  });
}

function survey(node: XmlNode, sig: Sig): void {
  if (node.attributes.length > 0 || node.children.length > 0) sig.complex = true;
  for (const [a] of node.attributes) sig.attributes.add(a);
  const counts = new Map<string, number>();
  for (const c of node.children) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  for (const c of node.children) {
    let entry = sig.children.get(c.name);
    if (!entry) {
      entry = { repeats: false, sig: newSig() };
      sig.children.set(c.name, entry);
    }
    if (counts.get(c.name)! > 1) entry.repeats = true;
    survey(c, entry.sig);
  }
}

/** The text member's name at `sig`: `text`, or `text_value` when an attribute or child takes `text`. */
const textKey = (sig: Sig) => (sig.children.has(XML_TEXT) || sig.attributes.has(XML_TEXT) ? `${XML_TEXT}_value` : XML_TEXT);

function build(node: XmlNode, sig: Sig): unknown {
  if (node.nil) return null;
  if (!sig.complex) return node.text.trim() === '' ? null : node.text;
  if (node.attributes.length === 0 && node.children.length === 0 && node.text.trim() === '') return null;
  // No prototype: elements and attributes named constructor, toString or __proto__ are data.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of node.attributes) {
    let key = sig.children.has(name) ? `${name}_attr` : name;
    // The same local name twice (attributes of two namespaces), or a child named like the renamed one.
    for (let k = 2; Object.hasOwn(out, key) || sig.children.has(key); k++) key = `${name}_attr${k}`;
    out[key] = value;
  }
  for (const c of node.children) {
    const entry = sig.children.get(c.name)!;
    const value = build(c, entry.sig);
    if (entry.repeats) ((out[c.name] ??= []) as unknown[]).push(value);
    else out[c.name] = value;
  }
  const text = node.text.trim();
  if (text !== '') out[textKey(sig)] = text;
  return out;
}

/** Parses an XML document into `{ <document element>: value }` (see the file comment); `limits` are for tests. */
export function parseXml(text: string, limits: { readonly depth: number; readonly elements: number } = { depth: XML_MAX_DEPTH, elements: XML_MAX_ELEMENTS }): Record<string, unknown> {
  // strictEntities: only XML's five entities (not HTML's), never a DTD's.
  const parser = saxModule().parser(true, { xmlns: true, strictEntities: true, position: true, trim: false, normalize: false } as sax.SAXOptions);
  const stack: XmlNode[] = [];
  let elements = 0;
  let root: XmlNode | undefined;
  const at = () => ({ line: parser.line + 1, column: parser.column + 1 });
  parser.onerror = (e: Error) => {
    const { line, column } = at();
    throw malformed(e.message.split('\n')[0]!.replace(/\.$/, ''), line, column);
  };
  parser.ondoctype = (doctype: string) => {
    if (/<!ENTITY/i.test(doctype)) {
      const { line, column } = at();
      throw new RestSqlError('HTTP_BODY_REFUSED', `the XML body declares entities in its DOCTYPE (line ${line}): restsql does not expand entities, which protects against entity expansion ("billion laughs") and external entity (XXE) attacks.`, {
        hint: 'Ask the API for the document without a DTD (most APIs send none), or for JSON.',
        details: { format: 'xml', line, column },
      });
    }
  };
  parser.onopentag = (tag) => {
    if (++elements > limits.elements) {
      throw new RestSqlError('HTTP_TOO_LARGE', `the XML body holds more than ${limits.elements} elements (restsql's limit for one response).`, {
        hint: 'Ask for smaller pages (a page-size parameter in the model file).',
        details: { format: 'xml', limit: limits.elements, ...at() },
      });
    }
    if (stack.length >= limits.depth) {
      throw new RestSqlError('HTTP_TOO_LARGE', `the XML body nests elements more than ${limits.depth} levels deep (at line ${at().line}).`, {
        hint: `restsql reads XML nested up to ${limits.depth} levels; ask the API for a flatter representation.`,
        details: { format: 'xml', limit: limits.depth, ...at() },
      });
    }
    const t = tag as sax.QualifiedTag;
    const attributes: [string, string][] = [];
    let nil = false;
    for (const a of Object.values(t.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      if (a.uri === XSI) {
        if (a.local === 'nil') nil = /^\s*(true|1)\s*$/.test(a.value);
        continue;
      }
      attributes.push([a.local, a.value]);
    }
    const node: XmlNode = { name: t.local, attributes, children: [], text: '', nil };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else if (root) throw malformed('a second document element (a document has one)', at().line, at().column);
    else root = node;
    stack.push(node);
  };
  parser.ontext = (s: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += s;
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => {
    stack.pop();
  };
  parser.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).close();
  if (!root) throw malformed('the document has no element', at().line, at().column);
  const sig = newSig();
  survey(root, sig);
  const doc = Object.create(null) as Record<string, unknown>;
  doc[root.name] = build(root, sig);
  return doc;
}

function setIn(record: unknown, path: readonly PathStep[], f: (v: unknown) => unknown): void {
  const parent = path.length > 1 ? valueAt(record, path.slice(0, -1)) : record;
  const key = path[path.length - 1]!;
  // A position (`field[1]` in the model) indexes an array; a name, an object's own member.
  if (typeof key === 'number') {
    if (Array.isArray(parent) && key < parent.length) parent[key] = f(parent[key]);
    return;
  }
  if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return;
  const obj = parent as Record<string, unknown>;
  if (Object.hasOwn(obj, key)) obj[key] = f(obj[key]);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A scalar column met an element that has attributes on this page: its text. */
const unwrapText = (v: unknown) => (isObject(v) && Object.hasOwn(v, XML_TEXT) ? v[XML_TEXT] : v);

/**
 * Records read from XML, made to fit the model's table (in place): a page may show an element
 * differently from the pages sampled. A single element where the table has a child table is an
 * array of one; an element without attributes where the table reads `<element>_text` (its text
 * beside attributes) is `{text: ...}`; an element with attributes where the table has a plain
 * column for it gives its text.
 */
export function alignToModel(table: TableDef, records: unknown[]): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    for (const c of table.columns) {
      if (c.source !== 'json') continue;
      if (c.path.length === 0) {
        if (c.type !== 'JSON') records[i] = unwrapText(record);
      } else if (c.path[c.path.length - 1] === XML_TEXT && c.path.length > 1) {
        setIn(record, c.path.slice(0, -1), (v) => (typeof v === 'string' ? { [XML_TEXT]: v } : v));
      } else if (c.type !== 'JSON') {
        setIn(record, c.path, unwrapText);
      }
    }
    for (const child of table.children) {
      if (child.map) continue;
      setIn(record, child.arrayPath, (v) => (v === null || Array.isArray(v) ? v : [v]));
      const items = valueAt(record, child.arrayPath);
      if (Array.isArray(items)) alignToModel(child, items);
    }
  }
}

/**
 * Where the records of an XML document are: the first element list found breadth first (a name
 * repeated under one parent), else the document element's only child element when it has just
 * one, else the document element itself (one record).
 */
export function detectXmlRoot(doc: Record<string, unknown>): string[] {
  const top = Object.keys(doc)[0];
  if (top === undefined) return [];
  let level: { path: string[]; value: unknown }[] = [{ path: [top], value: doc[top] }];
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: { path: string[]; value: unknown }[] = [];
    for (const { path, value } of level) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (Array.isArray(v)) return [...path, k];
        next.push({ path: [...path, k], value: v });
      }
    }
    level = next;
  }
  const root = doc[top];
  if (root !== null && typeof root === 'object' && !Array.isArray(root)) {
    const entries = Object.entries(root as Record<string, unknown>);
    if (entries.length === 1 && entries[0]![1] !== null && typeof entries[0]![1] === 'object') return [top, entries[0]![0]];
  }
  return [top];
}
