/**
 * The import graph of a set of TypeScript/JavaScript files, and the layer table that constrains it
 * (docs/architecture.md). Used by test/unit/architecture.test.ts and test/e2e/demo-package.test.ts.
 */
import { posix } from 'node:path';
import ts from 'typescript';

export interface ImportRef {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Every module a file names: static imports and re-exports, `import()` and `import('x').T` with a literal. */
export function parseImports(fileName: string, text: string): ImportRef[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const add = (lit: ts.Node, typeOnly: boolean) => {
    if (ts.isStringLiteralLike(lit)) refs.push({ specifier: lit.text, typeOnly, line: sf.getLineAndCharacterOfPosition(lit.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

export interface Edge {
  /** Repository-relative, POSIX separators: `src/scan/scan.ts`. */
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Edges between files, for relative specifiers only (packages and `node:` are not ours). `x.js` names `x.ts`. */
export function buildGraph(files: ReadonlyMap<string, string>): Edge[] {
  const edges: Edge[] = [];
  for (const [from, text] of files) {
    for (const ref of parseImports(from, text)) {
      if (!ref.specifier.startsWith('.')) continue;
      let to = posix.normalize(posix.join(posix.dirname(from), ref.specifier));
      if (to.endsWith('.js')) to = `${to.slice(0, -3)}.ts`;
      else if (!to.endsWith('.ts')) to = files.has(`${to}.ts`) ? `${to}.ts` : `${to}/index.ts`;
      edges.push({ from, to, typeOnly: ref.typeOnly, line: ref.line });
    }
  }
  return edges;
}

/** One concrete cycle (first node repeated at the end) per strongly connected component that has one. */
export function findCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const v of nodes) if (!index.has(v)) strong(v);
  const cycles: string[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = [...members].sort()[0]!;
    if (members.size === 1 && !(next.get(start) ?? []).includes(start)) continue;
    // Shortest way from start back to start inside the component (breadth first).
    const from = new Map<string, string>();
    const queue = [start];
    let found = false;
    while (queue.length > 0 && !found) {
      const v = queue.shift()!;
      for (const w of next.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(from.get(path[0]!)!);
          cycles.push([...path, start]);
          found = true;
          break;
        }
        if (!from.has(w)) {
          from.set(w, v);
          queue.push(w);
        }
      }
    }
  }
  return cycles;
}

/**
 * The layer table: the markdown table whose header is `| folder | may import |`. A row names a
 * folder of src/ (`scan`), a file in it (`model/sample.ts`) or a top-level file (`index.ts`); the
 * second cell lists what it may import, the same forms, comma-separated (`—` for nothing); an
 * entry `!model/sampler.ts` forbids that file (or folder) even where a wider entry allows it.
 */
export function parseLayerTable(markdown: string): Map<string, string[]> {
  const rules = new Map<string, string[]>();
  const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const lines = markdown.split('\n');
  const head = lines.findIndex((l) => /^\|\s*folder\s*\|\s*may import\s*\|/i.test(l.trim()));
  if (head < 0) throw new Error('no `| folder | may import |` table found');
  for (const line of lines.slice(head + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [key, allowed] = cells(line);
    if (!key || allowed === undefined) continue;
    const name = key.replaceAll('`', '').replace(/^src\//, '').replace(/\/$/, '');
    if (rules.has(name)) throw new Error(`layer table: ${name} appears twice`);
    rules.set(
      name,
      allowed
        .split(',')
        .map((x) => x.replaceAll('`', '').trim().replace(/^(!?)src\//, '$1').replace(/\/$/, ''))
        .filter((x) => x !== '' && x !== '—' && x !== '-'),
    );
  }
  return rules;
}

export interface Violation {
  readonly edge: Edge;
  /** The row that applied, or why none did. */
  readonly rule: string;
}

/** `src/scan/scan.ts` -> `scan/scan.ts`; undefined outside src/. */
function inSrc(file: string): string | undefined {
  return file.startsWith('src/') ? file.slice(4) : undefined;
}

/** The row that governs a file: its own row if it has one, else its folder's (top-level files: their own). */
function ruleFor(path: string, rules: ReadonlyMap<string, readonly string[]>): string | undefined {
  if (rules.has(path)) return path;
  const folder = path.split('/')[0]!;
  return rules.has(folder) ? folder : undefined;
}

/** Imports the layer table does not allow. A folder may always import itself. */
export function checkLayers(edges: readonly Edge[], rules: ReadonlyMap<string, readonly string[]>): Violation[] {
  const violations: Violation[] = [];
  for (const edge of edges) {
    const from = inSrc(edge.from);
    if (from === undefined) continue;
    const to = inSrc(edge.to);
    if (to === undefined) {
      violations.push({ edge, rule: 'src/ imports only from src/ (and packages): this file is not shipped with dist/src' });
      continue;
    }
    const row = ruleFor(from, rules);
    if (row === undefined) {
      violations.push({ edge, rule: `${from} has no row in the layer table` });
      continue;
    }
    const fromFolder = from.split('/')[0]!;
    const toFolder = to.includes('/') ? to.split('/')[0]! : undefined;
    if (toFolder !== undefined && toFolder === fromFolder) continue;
    const allowed = rules.get(row)!;
    const forbidden = allowed.filter((x) => x.startsWith('!')).map((x) => x.slice(1));
    if (forbidden.some((x) => x === to || x === toFolder)) {
      violations.push({ edge, rule: `${row} may not import ${to} (the layer table excludes it)` });
      continue;
    }
    if (allowed.includes(to) || (toFolder !== undefined && allowed.includes(toFolder))) continue;
    violations.push({ edge, rule: `${row} may import: ${allowed.join(', ') || 'nothing'}` });
  }
  return violations;
}
