/**
 * The pure part of `restsql describe --erd` (src/cli/erd/): Mermaid and DOT text for a nested
 * model (an object column, an array child, its child, a map child) and for hostile names; the
 * tables a diagram of one table shows; and the links TableInfo.parentKey reports, read from a
 * parsed model file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { erdDot } from '../../../src/cli/erd/dot.js';
import { erdMermaid, mermaidWord } from '../../../src/cli/erd/mermaid.js';
import { erdLinks, maskedTables, relatedTables } from '../../../src/cli/erd/tables.js';
import type { TableInfo } from '../../../src/index.js';
import { parseModelFile } from '../../../src/model/model-file.js';
import { parentLinks, tablesOf, type ColumnType } from '../../../src/model/types.js';
import { parseMermaid, svgTexts } from './erd-structure.js';

type Col = [name: string, type: ColumnType, key?: 'key'];
function table(name: string, parent: string | null, cols: Col[], parentKey: [string, string][] = []): TableInfo {
  return { name, parent, endpoint: 'https://api.test/users', columns: cols.map(([n, type, k]) => ({ name: n, type, key: k === 'key' })), parentKey: parentKey.map(([column, parentColumn]) => ({ column, parentColumn })) };
}

/** users (address is an object, flattened), orders[] with items[] inside, stock{warehouse} a map. */
const NESTED: TableInfo[] = [
  table('users', null, [['id', 'INTEGER', 'key'], ['name', 'VARCHAR'], ['address_city', 'VARCHAR'], ['address_zip', 'VARCHAR']]),
  table('orders', 'users', [['users_id', 'INTEGER', 'key'], ['position', 'INTEGER', 'key'], ['order_id', 'VARCHAR'], ['total', 'DOUBLE']], [['users_id', 'id']]),
  table('items', 'orders', [['orders_users_id', 'INTEGER', 'key'], ['orders_position', 'INTEGER', 'key'], ['position', 'INTEGER', 'key'], ['sku', 'VARCHAR'], ['qty', 'INTEGER']], [['orders_users_id', 'users_id'], ['orders_position', 'position']]),
  table('stock', 'users', [['users_id', 'INTEGER', 'key'], ['position', 'INTEGER', 'key'], ['warehouse', 'VARCHAR', 'key'], ['units', 'INTEGER']], [['users_id', 'id']]),
];

test('Mermaid: every table with its columns, PK and FK marks, one edge per child labelled with the linking columns', () => {
  assert.equal(
    erdMermaid(NESTED),
    `erDiagram
    "users" {
        INTEGER id PK
        VARCHAR name
        VARCHAR address_city
        VARCHAR address_zip
    }
    "orders" {
        INTEGER users_id PK, FK
        INTEGER position PK
        VARCHAR order_id
        DOUBLE total
    }
    "items" {
        INTEGER orders_users_id PK, FK
        INTEGER orders_position PK, FK
        INTEGER position PK
        VARCHAR sku
        INTEGER qty
    }
    "stock" {
        INTEGER users_id PK, FK
        INTEGER position PK
        VARCHAR warehouse PK
        INTEGER units
    }
    "users" ||--o{ "orders" : "users_id = id"
    "orders" ||--o{ "items" : "orders_users_id = users_id, orders_position = position"
    "users" ||--o{ "stock" : "users_id = id"
`,
  );
});

test('DOT: a node per table with an HTML label, an edge per child from its link column to the parent key, rankdir=LR; Graphviz draws it', async () => {
  const dot = erdDot(NESTED);
  assert.match(dot, /^digraph restsql \{\n  graph \[rankdir=LR,/);
  assert.match(dot, /\n  t1 \[label=<<TABLE [^\n]*<B>users<\/B>[^\n]*<TD ALIGN="LEFT" BGCOLOR="#f6f1d5" PORT="l1">id<\/TD><TD ALIGN="LEFT" BGCOLOR="#f6f1d5">INTEGER<\/TD><TD BGCOLOR="#f6f1d5" PORT="r1">PK<\/TD>/);
  assert.match(dot, /<TD ALIGN="LEFT" PORT="l3">address_city<\/TD><TD ALIGN="LEFT">VARCHAR<\/TD><TD PORT="r3"><\/TD>/);
  assert.match(dot, /PORT="l1">orders_users_id<\/TD><TD ALIGN="LEFT" BGCOLOR="#f6f1d5">INTEGER<\/TD><TD BGCOLOR="#f6f1d5" PORT="r1">PK, FK<\/TD>/);
  const edges = dot.split('\n').filter((l) => l.includes('->'));
  assert.deepEqual(edges, [
    '  t2:r1:e -> t1:l1:w [label=<users_id = id>];',
    '  t3:r1:e -> t2:l1:w [label=<orders_users_id = users_id<BR/>orders_position = position>];',
    '  t4:r1:e -> t1:l1:w [label=<users_id = id>];',
  ]);
  const svg = (await Graphviz.load()).dot(dot);
  assert.equal((svg.match(/class="node"/g) ?? []).length, 4);
  assert.equal((svg.match(/class="edge"/g) ?? []).length, 3);
  const texts = svgTexts(svg);
  for (const t of NESTED) {
    assert.ok(texts.includes(t.name), `${t.name} drawn`);
    for (const c of t.columns) assert.ok(texts.includes(c.name), `${t.name}.${c.name} drawn`);
  }
});

/** Names that break naive quoting somewhere: Mermaid's lexer and clean-ups, DOT, XML, Graphviz's `\N`. */
const HOSTILE = [
  'Time Series (5min)',
  'say "hi"',
  '<b>&amp;</b>',
  '%%{init: {"theme": "dark"}}%%',
  '-- not a comment',
  'a %% b',
  'Ünïcödé 名前 😀 e\u0301',
  'back\\slash\\',
  '\\N\\G',
  'style x:#fff;',
  'direction TB',
  'tab\there\nnewline',
  '#35;',
  'a~b~c',
  '{x|y}',
  'pk',
];

function hostileTables(): TableInfo[] {
  const [root, ...rest] = HOSTILE;
  const cols = (i: number): Col[] => HOSTILE.map((n, j): Col => [n, j === 0 ? 'INTEGER' : 'VARCHAR', j === 0 || j === i ? 'key' : undefined]);
  // A chain: each hostile name the child of the one before, linked by a hostile column name.
  return [table(root!, null, cols(0)), ...rest.map((name, i) => table(name, HOSTILE[i]!, cols(0), [[HOSTILE[0]!, HOSTILE[0]!]]))];
}

test('Mermaid with hostile names: quoted, coded where Mermaid would read syntax, words for attributes; names read back exactly', () => {
  const tables = hostileTables();
  const text = erdMermaid(tables);
  const parsed = parseMermaid(text);
  assert.deepEqual(parsed.entities.map((e) => e.name), HOSTILE);
  for (const e of parsed.entities) {
    assert.deepEqual(e.attributes.map((a) => a.realName), HOSTILE, 'the real column names, as comments where the word differs');
    for (const a of e.attributes) {
      assert.match(a.name, /^[A-Za-z_][A-Za-z0-9_]*$/);
      assert.doesNotMatch(a.name, /^(pk|fk|uk)$/i);
    }
  }
  assert.deepEqual(parsed.edges, HOSTILE.slice(1).map((child, i) => ({ parent: HOSTILE[i], child, label: `${HOSTILE[0]} = ${HOSTILE[0]}` })));
  // What Mermaid reads outside quotes: no comment or directive start, no tag, no direction statement.
  assert.doesNotMatch(text, /%/);
  assert.doesNotMatch(text, /[<>\\]/);
  assert.doesNotMatch(text, /direction\s+(tb|bt|rl|lr)/i);
  assert.doesNotMatch(text, /(style|classDef).*:\S*#.*;/);
  assert.equal(mermaidWord('DECIMAL(38,0)'), 'DECIMAL_38_0');
  assert.equal(mermaidWord('VARCHAR(64)'), 'VARCHAR_64');
  assert.equal(mermaidWord('名前'), '_');
  assert.equal(mermaidWord('1st col'), '_1st_col');
  assert.equal(mermaidWord('FK'), 'FK_');
});

test('DOT with hostile names: Graphviz draws every name exactly as written', async () => {
  const tables = hostileTables();
  const dot = erdDot(tables);
  // Names live only in HTML labels; node ids are generated.
  assert.deepEqual(dot.match(/^ {2}(t\d+) \[label=</gm)?.length, tables.length);
  const svg = (await Graphviz.load()).dot(dot);
  assert.equal((svg.match(/class="edge"/g) ?? []).length, tables.length - 1);
  const texts = svgTexts(svg);
  // Graphviz keeps runs of spaces as no-break spaces; control characters are shown as U+FFFD.
  const shown = (s: string) => s.replace(/[\u0000-\u001f]/g, '\uFFFD');
  for (const name of HOSTILE) assert.ok(texts.includes(shown(name)), `${JSON.stringify(name)} drawn as written: ${JSON.stringify(texts.slice(0, 40))}`);
});

test('a diagram of one table: the table, the tables above it and every table below it', () => {
  const names = (t: TableInfo[]) => t.map((x) => x.name);
  const find = (n: string) => NESTED.find((t) => t.name === n)!;
  assert.deepEqual(names(relatedTables(NESTED, find('orders'))), ['users', 'orders', 'items']);
  assert.deepEqual(names(relatedTables(NESTED, find('items'))), ['users', 'orders', 'items']);
  assert.deepEqual(names(relatedTables(NESTED, find('users'))), ['users', 'orders', 'items', 'stock']);
  assert.deepEqual(names(relatedTables(NESTED, find('stock'))), ['users', 'stock']);
  // A link is drawn only to a parent in the diagram.
  assert.deepEqual(erdLinks(NESTED.slice(1)).map((l) => `${l.child.name}->${l.parent.name}`), ['items->orders']);
});

test('names pass through the redactor before they are drawn', () => {
  const masked = maskedTables(NESTED, (s) => s.replaceAll('users', '***'));
  const text = erdMermaid(masked);
  assert.doesNotMatch(text, /users/);
  assert.match(text, /"\*\*\*" \|\|--o\{ "orders" : "\*\*\*_id = id"/);
});

test("TableInfo.parentKey pairs a child's parent columns with the parent's key columns, a map's grandchild too", () => {
  const parsed = parseModelFile(
    '{"users": {"#path": "https://api.test/users", "id": "Integer,#key", "orders[]": {"order_id": "VarChar", "items[]": {"sku": "VarChar"}}, "stock<warehouse:VarChar>": {"units": "Integer", "bins[]": "VarChar"}}}',
    'm.rest',
    { qualifyNames: 0 },
  );
  const root = parsed.tables[0]!.table!;
  const byName = new Map(tablesOf(root).map((t) => [t.name, t]));
  const links = (child: string) => parentLinks(byName.get(byName.get(child)!.parent!)!, byName.get(child)!);
  assert.deepEqual(links('orders'), [{ column: 'users_id', parentColumn: 'id' }]);
  assert.deepEqual(links('items'), [{ column: 'orders_users_id', parentColumn: 'users_id' }, { column: 'orders_position', parentColumn: 'position' }]);
  assert.deepEqual(links('stock'), [{ column: 'users_id', parentColumn: 'id' }]);
  // The map's rows are keyed by warehouse too, but its children copy only the parent key and position.
  assert.deepEqual(byName.get('stock')!.columns.filter((c) => c.key).map((c) => c.name), ['users_id', 'position', 'warehouse']);
  assert.deepEqual(links('bins'), [{ column: 'stock_users_id', parentColumn: 'users_id' }, { column: 'stock_position', parentColumn: 'position' }]);
});
