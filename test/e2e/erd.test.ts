/**
 * `restsql describe --erd` through the real CLI against a loopback API whose records nest arrays
 * (child tables, a grandchild) and, through a model file, a map whose values hold an array: the
 * Mermaid and DOT text, and the SVG opened in headless Chromium, screenshotted and measured (every
 * table drawn, an edge per child table, no two tables overlapping). Also the usage errors, and
 * secrets in names masked.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { runCli } from '../support/cli.js';
import { loopbackChromium } from '../support/chromium.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';
import type { Server } from 'node:http';

const USERS = [1, 2, 3].map((id) => ({
  id,
  name: `user ${id}`,
  address: { city: ['Oslo', 'Lima', 'Pune'][id - 1], zip: `0${id}00` },
  tags: id % 2 ? ['new', 'vip'] : ['old'],
  orders: Array.from({ length: id }, (_x, j) => ({ order_id: `o${id}-${j}`, total: id * 10 + j, items: [{ sku: `s${j}`, qty: j + 1 }] })),
}));
/** A map (warehouse name -> stock) whose values hold an array. */
const INVENTORY = [1, 2].map((id) => ({ id, stock: { north: { units: id, bins: ['a', 'b'] }, south: { units: 2 * id, bins: ['c'] } } }));
const SECRET = 'tok_Secret_5521';

let api: Listening<Server>;
const dir = tempDir(after, 'restsql-erd-');

before(async () => {
  api = await startHttpServer((req, res) => {
    const body = req.url === '/v1/users' ? USERS : req.url === '/v1/inventory' ? INVENTORY : req.url === '/v1/echo' ? [{ id: 1, [SECRET]: 'x' }] : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'no such path' }));
  });
});
after(() => api?.close());

const users = () => `RestSamplePath=${api.url}/v1/users`;

test('--erd (Mermaid): every table with keys and links, child tables from arrays and the grandchild', async () => {
  const r = await runCli(['describe', '--erd', '-q', '--connect', users()]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `erDiagram
    "users" {
        INTEGER id PK
        VARCHAR name
        VARCHAR address_city
        VARCHAR address_zip
    }
    "tags" {
        INTEGER users_id PK, FK
        INTEGER position PK
        VARCHAR tags
    }
    "orders" {
        INTEGER users_id PK, FK
        INTEGER position PK
        VARCHAR order_id
        INTEGER total
    }
    "items" {
        INTEGER orders_users_id PK, FK
        INTEGER orders_position PK, FK
        INTEGER position PK
        VARCHAR sku
        INTEGER qty
    }
    "users" ||--o{ "tags" : "users_id = id"
    "users" ||--o{ "orders" : "users_id = id"
    "orders" ||--o{ "items" : "orders_users_id = users_id, orders_position = position"
`,
  );
  // The same with the table named: itself, the table above it and the one below; `--erd orders` reads as the table.
  const one = await runCli(['describe', '-q', '--connect', users(), '--erd', 'orders']);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual([...one.stdout.matchAll(/^ {4}"(\w+)" \{$/gm)].map((m) => m[1]), ['users', 'orders', 'items']);
});

test('--erd dot: a digraph Graphviz reads, links as edges from child to parent; -o writes the file', async () => {
  const file = join(dir, 'orders.dot');
  const r = await runCli(['describe', 'ORDERS', '--erd', 'dot', '-o', file, '-q', '-c', users()]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const dot = readFileSync(file, 'utf8');
  assert.match(dot, /^digraph restsql \{\n {2}graph \[rankdir=LR/);
  assert.deepEqual([...dot.matchAll(/<B>(\w+)<\/B>/g)].map((m) => m[1]), ['users', 'orders', 'items']);
  assert.deepEqual(
    dot.split('\n').filter((l) => l.includes('->')),
    ['  t2:r1:e -> t1:l1:w [label=<users_id = id>];', '  t3:r1:e -> t2:l1:w [label=<orders_users_id = users_id<BR/>orders_position = position>];'],
  );
});

test("a model file's map with an array inside: the map's child links by the parent key and position", async () => {
  const model = join(dir, 'inventory.rest');
  writeFileSync(model, JSON.stringify({ inventory: { '#path': `${api.url}/v1/inventory`, id: 'Integer,#key', 'stock<warehouse:VarChar>': { units: 'Integer', 'bins[]': 'VarChar' } } }));
  const r = await runCli(['describe', '--erd', 'mermaid', '-q', '-c', `RestConfigFile=${model}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"stock" \{\n {8}INTEGER inventory_id PK, FK\n {8}INTEGER position PK\n {8}VARCHAR warehouse PK\n {8}INTEGER units\n {4}\}/);
  assert.match(r.stdout, /\n {4}"inventory" \|\|--o\{ "stock" : "inventory_id = id"\n/);
  assert.match(r.stdout, /\n {4}"stock" \|\|--o\{ "bins" : "stock_inventory_id = inventory_id, stock_position = position"\n/);
});

/** Width, height and the distinct colours of an 8-bit RGB or RGBA PNG (what Chromium's screenshots are). */
function pngColours(png: Buffer): { width: number; height: number; colours: Map<number, number> } {
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG signature');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, type, , , interlace] = png.subarray(24, 29);
  assert.ok(depth === 8 && (type === 2 || type === 6) && interlace === 0, `8-bit RGB(A), not interlaced (depth ${depth}, type ${type})`);
  const channels = type === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      assert.ok(predictor !== undefined, `PNG filter ${filter}`);
      pixels[y * stride + x] = (byte + predictor) & 0xff;
    }
  }
  const colours = new Map<number, number>();
  for (let i = 0; i < pixels.length; i += channels) {
    const rgb = (pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!;
    colours.set(rgb, (colours.get(rgb) ?? 0) + 1);
  }
  return { width, height, colours };
}

test('--erd svg: Chromium draws every table, an edge per child table, no two tables overlapping', async () => {
  const file = join(dir, 'users.svg');
  const r = await runCli(['describe', '--erd', 'svg', '-o', file, '-q', '--connect', users()]);
  assert.equal(r.code, 0, r.stderr);
  const svg = readFileSync(file, 'utf8');
  assert.match(svg, /<svg width="(\d+)pt" height="(\d+)pt"/);
  const [, wPt, hPt] = /<svg width="(\d+)pt" height="(\d+)pt"/.exec(svg)!;
  const served = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/svg+xml' });
    res.end(svg);
  });
  const { browser, context } = await loopbackChromium();
  try {
    const page = await context.newPage();
    const viewport = { width: Math.ceil((Number(wPt) * 4) / 3) + 20, height: Math.ceil((Number(hPt) * 4) / 3) + 20 };
    await page.setViewportSize(viewport);
    await page.goto(`${served.url}/users.svg`);
    const shot = pngColours(await page.screenshot());
    assert.deepEqual([shot.width, shot.height], [viewport.width, viewport.height]);
    await page.goto('about:blank');
    const blank = pngColours(await page.screenshot());
    assert.deepEqual([blank.width, blank.height], [shot.width, shot.height]);
    assert.equal(blank.colours.size, 1, 'a blank page is one colour');
    // Text, lines, header and key-row fills, anti-aliasing: many colours, and a good share of non-white pixels.
    assert.ok(shot.colours.size >= 20, `${shot.colours.size} colours`);
    const white = shot.colours.get(0xffffff) ?? 0;
    assert.ok(shot.width * shot.height - white > shot.width * shot.height * 0.05, 'at least 5% of the picture is drawn');
    assert.ok(shot.colours.has(0xdbe7f4), 'the header fill is painted');

    await page.goto(`${served.url}/users.svg`);
    const texts = (await page.locator('text').allTextContents()).map((t) => t.trim());
    for (const name of ['users', 'tags', 'orders', 'items', 'address_city', 'orders_position', 'PK, FK', 'users_id = id']) assert.ok(texts.includes(name), `${name} drawn: ${texts.join(' | ')}`);
    assert.equal(await page.locator('g.node').count(), 4);
    assert.equal(await page.locator('g.edge').count(), 3, 'an edge per child table');
    // Each table's box in the SVG's user space, from the browser's layout (getBBox).
    const boxes = (await page.evaluate(`[...document.querySelectorAll('g.node')].map((g) => { const b = g.getBBox(); return { x: b.x, y: b.y, width: b.width, height: b.height }; })`)) as { x: number; y: number; width: number; height: number }[];
    assert.equal(boxes.length, 4);
    for (const b of boxes) assert.ok(b.width > 50 && b.height > 50, `a table box has a size: ${JSON.stringify(b)}`);
    boxes.forEach((a, i) =>
      boxes.slice(i + 1).forEach((b) => {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        assert.ok(apart, `tables overlap: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
      }),
    );
  } finally {
    await browser.close();
    await served.close();
  }
});

test('usage: describe without a table or --erd, --erd with an unknown format, --format with --erd, an unknown table', async () => {
  const none = await runCli(['describe', '-c', users()]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^restsql: error\[USAGE\]: Name the table to describe\.\nhint: .*--erd/);
  const pdf = await runCli(['describe', 'users', '--erd', 'pdf', '-c', users()]);
  assert.equal(pdf.code, 2);
  assert.match(pdf.stderr, /^restsql: error\[USAGE\]: --erd draws mermaid, dot, svg, not 'pdf'\./);
  const format = await runCli(['describe', '--erd', '-f', 'csv', '-c', users()]);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /--format shapes the column list/);
  const unknown = await runCli(['describe', '--erd', 'dot', 'order', '-q', '-c', users()]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^restsql: error\[QUERY_UNKNOWN_TABLE\]: No table named 'order'\. Did you mean orders\?/);
  const unwritable = await runCli(['describe', '--erd', '-o', join(dir, 'no', 'such', 'dir.mmd'), '-q', '-c', users()]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /Cannot write .*dir\.mmd/);
});

test('a secret of the connection in a name is masked in every format', async () => {
  const conn = `RestSamplePath=${api.url}/v1/echo;AuthenticationMethod=34;SecurityToken=${SECRET}`;
  for (const format of ['mermaid', 'dot', 'svg']) {
    const r = await runCli(['describe', '--erd', format, '-q', '-c', conn]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(SECRET), `${format} shows the secret`);
    assert.match(r.stdout, /\*\*\*/);
  }
  const plain = await runCli(['describe', 'echo', '-f', 'csv', '-q', '-c', conn]);
  assert.equal(plain.stdout, 'column,type,key\nid,INTEGER,true\n***,VARCHAR,false\n');
});
