/**
 * The import graph of src/ against the layer table in docs/architecture.md: no cycle among src/
 * files, and no import from a folder to one the table does not let it import. Type-only imports
 * count (a type import up the layers is still a wrong arrow), and so do `export ... from` and
 * `import('literal')`. The table is parsed from the doc, so the doc and this check cannot drift.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildGraph, checkLayers, findCycles, parseLayerTable, type Violation } from '../support/import-graph.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function srcFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.set(relative(ROOT, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

const show = (v: Violation) => `${v.edge.from}:${v.edge.line} -> ${v.edge.to}${v.edge.typeOnly ? ' (type-only)' : ''}\n    rule: ${v.rule}`;

test('src/ has no import cycle', () => {
  const cycles = findCycles(buildGraph(srcFiles(join(ROOT, 'src'))));
  assert.deepEqual(cycles.map((c) => c.join(' -> ')), [], `import cycles:\n${cycles.map((c) => `  ${c.join(' -> ')}`).join('\n')}`);
});

test('src/ imports follow the layer table in docs/architecture.md', () => {
  const rules = parseLayerTable(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
  const violations = checkLayers(buildGraph(srcFiles(join(ROOT, 'src'))), rules);
  assert.equal(violations.length, 0, `imports against the layer table (docs/architecture.md):\n${violations.map((v) => `  ${show(v)}`).join('\n')}`);
});

test('every src/ folder has a row in the layer table', () => {
  const rules = parseLayerTable(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
  const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).map((e) => (e.isDirectory() ? e.name : e.name.endsWith('.ts') ? e.name : undefined));
  for (const f of folders) if (f !== undefined) assert.ok(rules.has(f), `src/${f} has no row in the layer table of docs/architecture.md`);
});

test('the check fails on a synthetic graph with a cycle and a wrong arrow', () => {
  const files = new Map<string, string>([
    ['src/errors/codes.ts', "import type { Kind } from '../model/types.js';\nexport const X = 1;"],
    ['src/model/types.ts', "export type Kind = 'a';\nexport { X } from '../errors/codes.js';"],
    ['src/scan/a.ts', "import { b } from './b.js';\nexport const a = () => import('./c.js');"],
    ['src/scan/b.ts', "import { a } from './a.js';\nimport { helper } from '../../examples/x.js';"],
    ['src/scan/d.ts', "import type { Kind } from '../model/types.js';"],
    ['src/scan/c.ts', "// import { nothing } from './a.js'\nimport 'node:fs';\nexport type T = import('./c.js').T;"],
    ['src/auth/x.ts', "import type { HttpClient } from '../http/contract.js';\nimport { createHttpClient } from '../http/client.js';"],
  ]);
  const edges = buildGraph(files);
  assert.ok(edges.some((e) => e.from === 'src/errors/codes.ts' && e.to === 'src/model/types.ts' && e.typeOnly), 'type-only imports are edges');
  assert.ok(!edges.some((e) => e.from === 'src/scan/c.ts' && e.to === 'src/scan/a.ts'), 'a commented-out import is no edge');
  const cycles = findCycles(edges).map((c) => c.join(' -> '));
  assert.deepEqual(cycles.sort(), [
    'src/errors/codes.ts -> src/model/types.ts -> src/errors/codes.ts',
    'src/scan/a.ts -> src/scan/b.ts -> src/scan/a.ts',
    'src/scan/c.ts -> src/scan/c.ts',
  ]);
  const rules = parseLayerTable(['| folder | may import |', '|---|---|', '| `errors` | — |', '| model | errors |', '| scan | model, errors, !model/types.ts |', '| auth | errors, `http/contract.ts` |'].join('\n'));
  const wrong = checkLayers(edges, rules).map((v) => `${v.edge.from} -> ${v.edge.to}: ${v.rule}`);
  assert.deepEqual(wrong, [
    'src/errors/codes.ts -> src/model/types.ts: errors may import: nothing',
    'src/scan/b.ts -> examples/x.ts: src/ imports only from src/ (and packages): this file is not shipped with dist/src',
    'src/scan/d.ts -> src/model/types.ts: scan may not import model/types.ts (the layer table excludes it)',
    'src/auth/x.ts -> src/http/client.ts: auth may import: errors, http/contract.ts',
  ]);
});
