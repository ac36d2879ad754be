/**
 * XML, CSV and JSON Lines responses through the real CLI against a loopback API (issue 15,
 * Deliver 6): each format sampled by RestSamplePath (chosen by Content-Type) and read through a
 * model file table with "#format", paged over three pages, a WHERE condition sent to the API,
 * bulk loading and row-by-row loading giving the same rows, child tables, types (a leading-zero
 * zip stays text, a big integer keeps its digits), encodings, malformed bodies, and XML bombs.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, type CliResult } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

interface Person {
  id: number;
  name: string;
  zip: string;
  big: string;
  score: string;
  active: boolean;
  joined: string;
  city: string;
  tags: string[];
}

const CITIES = ['Zürich', 'Köln', 'Paris'];
const PEOPLE: Person[] = Array.from({ length: 10 }, (_x, i) => ({
  id: i + 1,
  name: i === 3 ? 'O\'Brien, "Bob"' : `person ${i + 1}`,
  zip: `0${2134 + i}`,
  big: `1234567890123456789${i}`,
  score: `${i}.5`,
  active: i % 2 === 0,
  joined: `2024-01-${String(i + 1).padStart(2, '0')}`,
  city: CITIES[i % 3]!,
  tags: i === 1 ? ['solo'] : i === 2 ? [] : [`t${i}a`, `t${i}b`],
}));
const SIZE = 4;

let server: Listening<Server> | undefined;
let base = '';
/** Query strings each route was asked with, in order. */
const asked = new Map<string, string[]>();
const dir = tempDir(after, 'restsql-formats-');
let files = 0;

const csvField = (v: string) => (/[",;\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
function csvOf(rows: readonly Person[], delimiter = ','): string {
  const head = ['id', 'name', 'zip', 'big', 'score', 'active', 'joined', 'city'].join(delimiter);
  return [head, ...rows.map((p) => [String(p.id), p.name, p.zip, p.big, p.score, String(p.active), p.joined, p.city].map(csvField).join(delimiter))].join('\r\n') + '\r\n';
}
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
function xmlPerson(p: Person): string {
  const tags = p.tags.length ? `<tags>${p.tags.map((t) => `<tag>${t}</tag>`).join('')}</tags>` : '<tags/>';
  return `<p:person id="${p.id}"><p:name>${esc(p.name)}</p:name><zip>${p.zip}</zip><big>${p.big}</big><score>${p.score}</score><active>${p.active}</active><joined>${p.joined}</joined><address><city><![CDATA[${p.city}]]></city></address><weight unit="kg">${60 + p.id}</weight>${tags}</p:person>`;
}
const xmlOf = (rows: readonly Person[], extra = '') => `<?xml version="1.0" encoding="UTF-8"?>\n<p:people xmlns:p="urn:people">${extra}\n  ${rows.map(xmlPerson).join('\n  ')}\n</p:people>\n`;
const ndjsonOf = (rows: readonly Person[]) => rows.map((p) => `{"id":${p.id},"name":${JSON.stringify(p.name)},"zip":"${p.zip}","big":${p.big},"score":${p.score},"active":${p.active},"joined":"${p.joined}","city":"${p.city}","tags":${JSON.stringify(p.tags)}}`).join('\r\n\r\n') + '\n';

function send(res: ServerResponse, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, ...headers });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  const q = url.searchParams;
  asked.set(url.pathname, [...(asked.get(url.pathname) ?? []), url.search]);
  const filtered = PEOPLE.filter((p) => !q.get('city') || p.city === q.get('city'));
  const page = Number(q.get('page') ?? 1);
  const byPage = filtered.slice((page - 1) * SIZE, page * SIZE);
  const offset = Number(q.get('offset') ?? 0);
  const byOffset = filtered.slice(offset, offset + SIZE);
  const cursor = Number(q.get('cursor') ?? 0);
  const link = (path: string): Record<string, string> => (cursor + SIZE < filtered.length ? { link: `<${base}${path}?cursor=${cursor + SIZE}${q.get('city') ? `&city=${encodeURIComponent(q.get('city')!)}` : ''}>; rel="next"` } : {});
  switch (url.pathname) {
    // CSV: page numbers, an empty page after the last (every page has a header row).
    case '/csv/people':
      return send(res, 'text/csv; charset=utf-8', csvOf(byPage));
    case '/csv/latin1':
      return send(res, 'text/csv; charset=ISO-8859-1', Buffer.from(csvOf(PEOPLE.slice(0, 3), ';'), 'latin1'));
    case '/csv/bom':
      return send(res, 'application/csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvOf(PEOPLE.slice(0, 3), '\t'))]));
    case '/csv/bad':
      return send(res, 'text/csv', 'id,name\n1,ok\n2,"never closed\n3,x\n');
    case '/csv/mismatch':
      // Page 2 has a score that is not a number: bulk loading falls back to row by row, which names it.
      return send(res, 'text/csv', page === 1 ? 'id,score\n1,1.5\n2,2.5\n' : page === 2 ? 'id,score\n3,n/a\n' : 'id,score\n');
    // Link header paging, three pages: the first (sampled) shows only zips without a leading zero.
    case '/csv/zips': {
      const pages = ['id,zip\n1,12345\n2,23456\n', 'id,zip\n3,34567\n', 'id,zip\n4,02134\n'];
      const next: Record<string, string> = cursor + 1 < pages.length ? { link: `<${base}/csv/zips?cursor=${cursor + 1}>; rel="next"` } : {};
      return send(res, 'text/csv', pages[cursor]!, next);
    }
    // Link header paging; the third page uses ';' (each page's own delimiter is detected).
    case '/csv/delims': {
      const pages = ['id,name\n1,a\n', 'id,name\n2,b\n', 'id;name\n3;c\n'];
      const next: Record<string, string> = cursor + 1 < pages.length ? { link: `<${base}/csv/delims?cursor=${cursor + 1}>; rel="next"` } : {};
      return send(res, 'text/csv', pages[cursor]!, next);
    }
    case '/csv/proto':
      return send(res, 'text/csv', 'id,constructor,toString,valueOf,__proto__,hasOwnProperty\n1,c1,t1,v1,p1,h1\n2,c2,t2,v2,p2,h2\n');
    case '/csv/short':
      return send(res, 'text/csv', 'id,name,city\n1,a,b\n2,c\n');
    // JSON Lines: Link header paging.
    case '/ndjson/people':
      return send(res, 'application/x-ndjson', ndjsonOf(filtered.slice(cursor, cursor + SIZE)), link('/ndjson/people'));
    case '/ndjson/bad':
      return send(res, 'application/x-ndjson', '{"id":1}\n{"id":2,,}\n');
    // XML: row offsets, and a next-page element inside the document.
    case '/xml/people':
      return send(res, 'application/xml; charset=utf-8', xmlOf(byOffset));
    case '/xml/next': {
      const next = cursor + SIZE < filtered.length ? `<next>${esc(`${base}/xml/next?cursor=${cursor + SIZE}`)}</next>` : '<next/>';
      return send(res, 'text/xml', `<response xmlns:p="urn:people">${next}<people>${filtered.slice(cursor, cursor + SIZE).map(xmlPerson).join('')}</people></response>`);
    }
    case '/xml/zips': {
      const pages = ['<r><z><id>1</id><zip>12345</zip></z><z><id>2</id><zip>23456</zip></z></r>', '<r><z><id>3</id><zip>34567</zip></z><z><id>4</id><zip>02134</zip></z></r>'];
      const next: Record<string, string> = cursor + 1 < pages.length ? { link: `<${base}/xml/zips?cursor=${cursor + 1}>; rel="next"` } : {};
      return send(res, 'application/xml', pages[cursor]!, next);
    }
    // An empty collection: the document element without the repeated element.
    case '/xml/empty':
      return send(res, 'application/xml', q.get('form') === 'attr' ? '<people count="0"/>' : q.get('form') === 'open' ? '<people>\n</people>' : '<people/>');
    case '/xml/proto':
      return send(
        res,
        'application/xml',
        '<r><i constructor="c1" valueOf="v1"><id>1</id><toString>a</toString><toString>b</toString><__proto__>p1</__proto__><hasOwnProperty>h1</hasOwnProperty></i>' +
          '<i constructor="c2" valueOf="v2"><id>2</id><toString>c</toString><__proto__>p2</__proto__><hasOwnProperty>h2</hasOwnProperty></i></r>',
      );
    case '/xml/bad':
      return send(res, 'application/xml', '<people>\n  <person><id>1</id></person>\n  <person><id>2</id></persn>\n</people>');
    case '/xml/bomb': {
      const ents = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_x, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('');
      return send(res, 'application/xml', `<?xml version="1.0"?><!DOCTYPE lolz [${ents}]><lolz><lol>&lol9;</lol></lolz>`);
    }
    case '/xml/xxe':
      return send(res, 'application/xml', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r><x>&xxe;</x></r>');
    case '/xml/undeclared':
      return send(res, 'application/xml', '<r><x>&xxe;</x><x>2</x></r>');
    case '/xml/deep':
      return send(res, 'application/xml', `<r>${'<a>'.repeat(400)}x${'</a>'.repeat(400)}</r>`);
    default:
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
  }
}

before(async () => {
  server = await startHttpServer(handle);
  base = server.url;
});
after(async () => {
  await server?.close();
});

function modelFile(text: string): string {
  const file = join(dir, `m${++files}.rest`);
  writeFileSync(file, text);
  return file;
}

async function query(connect: string, sql: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['query', '--connect', connect, '--format', 'json', sql], { env });
}

function rowsOf(r: CliResult): Record<string, unknown>[] {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

/** The same statement with BulkLoad=1 (checking DuckDB's reader loaded the pages) and BulkLoad=0: identical rows. */
async function bothWays(connect: string, sql: string, bulkReader: boolean): Promise<Record<string, unknown>[]> {
  const bulk = await query(`${connect};BulkLoad=1`, sql, { RESTSQL_DEBUG: '1' });
  const rows = await query(`${connect};BulkLoad=0`, sql);
  assert.deepEqual(rowsOf(bulk), rowsOf(rows), 'BulkLoad=1 and BulkLoad=0 give the same rows');
  assert.equal(/spooled page\(s\) loaded by DuckDB/.test(bulk.stderr), bulkReader, `bulk loading ${bulkReader ? 'used' : 'not used'}:\n${bulk.stderr}`);
  return rowsOf(rows);
}

const expected = (p: Person) => ({ id: p.id, name: p.name, zip: p.zip, big: p.big, score: Number(p.score), active: p.active, joined: p.joined, city: p.city });

// ---- CSV

test('CSV: RestSamplePath reads a text/csv response (Content-Type), typed as JSON strings are: the zip stays text, the big integer keeps its digits', async () => {
  const r = await query(`RestSamplePath=${base}/csv/people?page=1`, 'SELECT id, name, zip, big, score, active, joined, city, typeof(id) AS t_id, typeof(zip) AS t_zip, typeof(big) AS t_big, typeof(score) AS t_score, typeof(active) AS t_active, typeof(joined) AS t_joined FROM people ORDER BY id');
  const rows = rowsOf(r);
  assert.equal(rows.length, SIZE);
  assert.deepEqual(rows[3], { ...expected(PEOPLE[3]!), t_id: 'INTEGER', t_zip: 'VARCHAR', t_big: 'HUGEINT', t_score: 'DOUBLE', t_active: 'BOOLEAN', t_joined: 'DATE' });
  assert.equal(rows[0]!.zip, '02134');
  assert.equal(rows[0]!.big, '12345678901234567890');
});

const CSV_MODEL = () => `{
  "people": {
    "#path": "${base}/csv/people",
    "#format": "csv",
    "#pageNumberParameter": "page",
    "#firstPageNumber": 1,
    "#maximumPageSize": ${SIZE},
    "id": "Integer,#key",
    "name": "VarChar",
    "zip": "VarChar",
    "big": "HugeInt",
    "score": "Double",
    "active": "Boolean",
    "joined": "Date",
    "city": {"#type": "VarChar", "#eq": "city"}
  }
}`;

test('CSV: a model-file table with "#format": "csv" pages over three pages, bulk-loads through read_csv with the same rows as row by row, and sends WHERE city to the API', async () => {
  const connect = `RestConfigFile=${modelFile(CSV_MODEL())}`;
  const all = await bothWays(connect, 'SELECT id, name, zip, big, score, active, joined, city FROM people ORDER BY id', true);
  assert.deepEqual(all, PEOPLE.map(expected));
  asked.delete('/csv/people');
  const some = rowsOf(await query(connect, "SELECT id, city FROM people WHERE city = 'Köln' ORDER BY id"));
  assert.deepEqual(some, PEOPLE.filter((p) => p.city === 'Köln').map((p) => ({ id: p.id, city: p.city })));
  assert.ok((asked.get('/csv/people') ?? []).every((s) => new URLSearchParams(s).get('city') === 'Köln'), `the condition went to the API: ${asked.get('/csv/people')?.join(' ')}`);
});

test('CSV: latin1 (charset=ISO-8859-1, ";" detected) and UTF-8 with a byte order mark (tab detected) read the same text', async () => {
  for (const path of ['/csv/latin1', '/csv/bom']) {
    const rows = rowsOf(await query(`RestSamplePath=${base}${path}`, `SELECT id, name, city FROM ${path.slice(5)} ORDER BY id`));
    assert.deepEqual(rows, PEOPLE.slice(0, 3).map((p) => ({ id: p.id, name: p.name, city: p.city })), path);
  }
});

test('CSV: a quote never closed and a short row are errors naming the URL, the format and the line', async () => {
  const bad = await query(`RestSamplePath=${base}/csv/bad`, 'SELECT * FROM bad');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /error\[HTTP_MALFORMED_BODY\]: GET http:\/\/127\.0\.0\.1:\d+\/csv\/bad: the CSV body breaks at line \d+/);
  assert.match(bad.stderr, /hint: .*#delimiter/);
  const short = await query(`RestSamplePath=${base}/csv/short`, 'SELECT * FROM short');
  assert.match(short.stderr, /error\[HTTP_MALFORMED_BODY\]: .*the CSV body breaks at line 3.*expect 3, got 2/);
});

test('CSV: a value that does not fit its declared column fails clearly whether bulk-loaded or not, never a wrong answer', async () => {
  const model = `{"s": {"#path": "${base}/csv/mismatch", "#format": "csv", "#pageNumberParameter": "page", "#firstPageNumber": 1, "#maximumPageSize": 2, "id": "Integer,#key", "score": "Double"}}`;
  for (const bulk of ['1', '0']) {
    const r = await query(`RestConfigFile=${modelFile(model)};BulkLoad=${bulk}`, 'SELECT * FROM s', { RESTSQL_DEBUG: '1' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error\[DATA_TYPE_MISMATCH\]: Table s, column score \(DOUBLE\): record 3 of http:\/\/127\.0\.0\.1:\d+\/csv\/mismatch\?page=2 has "n\/a"/, `BulkLoad=${bulk}`);
    if (bulk === '1') assert.match(r.stderr, /DuckDB could not load the spooled pages .*loading them row by row/);
  }
});

test('CSV: a column sampled as INTEGER meets "02134" on a later page: an error either way, never 2134', async () => {
  const connect = `RestSamplePath=${base}/csv/zips`;
  // Sampling saw the first page alone: zip is INTEGER (the error names the type).
  for (const bulk of ['1', '0']) {
    const r = await query(`${connect};BulkLoad=${bulk}`, 'SELECT id, zip FROM zips ORDER BY id', { RESTSQL_DEBUG: '1' });
    assert.equal(r.code, 1, `BulkLoad=${bulk}: ${r.stdout}`);
    assert.match(r.stderr, /error\[DATA_TYPE_MISMATCH\]: Table zips, column zip \(INTEGER\): record 4 of http:\/\/127\.0\.0\.1:\d+\/csv\/zips\?cursor=2 has "02134"/, `BulkLoad=${bulk}`);
    assert.doesNotMatch(r.stdout, /2134/);
  }
});

test('CSV: spooled pages with another delimiter than the first load row by row, each page split on its own delimiter', async () => {
  const model = `{"names": {"#path": "${base}/csv/delims", "#format": "csv", "#nextPageResponseHeader": "link", "id": "Integer,#key", "name": "VarChar"}}`;
  const rows = await bothWays(`RestConfigFile=${modelFile(model)}`, 'SELECT id, name FROM names ORDER BY id', false);
  assert.deepEqual(rows, [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }]);
});

test('CSV and XML: columns and elements named constructor, toString, valueOf, __proto__, hasOwnProperty are ordinary columns', async () => {
  // Column names drop leading and trailing underscores: __proto__ is the column proto.
  const csv = rowsOf(await query(`RestSamplePath=${base}/csv/proto`, 'SELECT id, "constructor", "toString", "valueOf", proto, "hasOwnProperty" FROM proto ORDER BY id'));
  assert.deepEqual(csv, [
    { id: 1, constructor: 'c1', toString: 't1', valueOf: 'v1', proto: 'p1', hasOwnProperty: 'h1' },
    { id: 2, constructor: 'c2', toString: 't2', valueOf: 'v2', proto: 'p2', hasOwnProperty: 'h2' },
  ]);
  const connect = `RestSamplePath=${base}/xml/proto`;
  const xml = rowsOf(await query(connect, 'SELECT id, "constructor", "valueOf", proto, "hasOwnProperty" FROM proto ORDER BY id'));
  assert.deepEqual(xml, [
    { id: 1, constructor: 'c1', valueOf: 'v1', proto: 'p1', hasOwnProperty: 'h1' },
    { id: 2, constructor: 'c2', valueOf: 'v2', proto: 'p2', hasOwnProperty: 'h2' },
  ]);
  const repeated = rowsOf(await query(connect, 'SELECT position, "toString" FROM "toString" ORDER BY 1, 2'));
  assert.deepEqual(repeated, [
    { position: 0, toString: 'a' },
    { position: 0, toString: 'c' },
    { position: 1, toString: 'b' },
  ]);
});

// ---- JSON Lines

test('JSON Lines: RestSamplePath reads application/x-ndjson line by line (CRLF, blank lines), detects its Link header paging, arrays become a child table', async () => {
  const connect = `RestSamplePath=${base}/ndjson/people`;
  const rows = rowsOf(await query(connect, 'SELECT id, zip, big, typeof(big) AS t FROM people ORDER BY id'));
  assert.equal(rows.length, PEOPLE.length);
  assert.deepEqual(rows[0], { id: 1, zip: '02134', big: '12345678901234567890', t: 'HUGEINT' });
  const tags = rowsOf(await query(connect, 'SELECT people_id, position, tags FROM tags ORDER BY people_id, position'));
  assert.deepEqual(tags, PEOPLE.flatMap((p) => p.tags.map((t, i) => ({ people_id: p.id, position: i, tags: t }))));
});

const NDJSON_MODEL = (key: string) => `{
  "people": {
    "#path": "${base}/ndjson/people",
    ${key},
    "#nextPageResponseHeader": "link",
    "id": "Integer,#key",
    "name": "VarChar",
    "zip": "VarChar",
    "big": "HugeInt",
    "score": "Double",
    "active": "Boolean",
    "joined": "Date",
    "city": {"#type": "VarChar", "#eq": "city"},
    "tags[]": "VarChar"
  }
}`;

test('JSON Lines: "#format": "ndjson" (and DataDirect\'s "#chunked": true) pages by Link header, bulk-loads through read_json with the same rows and child rows as row by row, and sends WHERE city', async () => {
  for (const key of ['"#format": "ndjson"', '"#chunked": true']) {
    const connect = `RestConfigFile=${modelFile(NDJSON_MODEL(key))}`;
    const all = await bothWays(connect, 'SELECT id, name, zip, big, score, active, joined, city FROM people ORDER BY id', true);
    assert.deepEqual(all, PEOPLE.map(expected), key);
    const tags = await bothWays(connect, 'SELECT people_id, position, tags FROM tags ORDER BY people_id, position', true);
    assert.deepEqual(tags, PEOPLE.flatMap((p) => p.tags.map((t, i) => ({ people_id: p.id, position: i, tags: t }))), key);
  }
  asked.delete('/ndjson/people');
  const connect = `RestConfigFile=${modelFile(NDJSON_MODEL('"#format": "ndjson"'))}`;
  const some = rowsOf(await query(connect, "SELECT id FROM people WHERE city = 'Paris' ORDER BY id"));
  assert.deepEqual(some.map((r) => r.id), PEOPLE.filter((p) => p.city === 'Paris').map((p) => p.id));
  assert.ok((asked.get('/ndjson/people') ?? []).every((s) => new URLSearchParams(s).get('city') === 'Paris'), `the condition went to the API: ${asked.get('/ndjson/people')?.join(' ')}`);
});

test('JSON Lines: a line that is not JSON is an error naming the line and column', async () => {
  const r = await query(`RestSamplePath=${base}/ndjson/bad`, 'SELECT * FROM bad');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error\[HTTP_MALFORMED_BODY\]: GET http:\/\/127\.0\.0\.1:\d+\/ndjson\/bad: the JSON Lines body breaks at line 2, column \d+/);
});

// ---- XML

test('XML: RestSamplePath reads application/xml: repeated elements are rows, attributes columns, nested elements flattened, repeated children a child table, text beside an attribute in <element>_text', async () => {
  const connect = `RestSamplePath=${base}/xml/people?offset=0`;
  const rows = rowsOf(await query(connect, 'SELECT id, name, zip, big, typeof(big) AS t_big, address_city, weight_unit, weight_text, typeof(weight_text) AS t_w FROM people ORDER BY id'));
  assert.deepEqual(rows, PEOPLE.slice(0, SIZE).map((p) => ({ id: p.id, name: p.name, zip: p.zip, big: p.big, t_big: 'HUGEINT', address_city: p.city, weight_unit: 'kg', weight_text: 60 + p.id, t_w: 'INTEGER' })));
  // person 2 has one <tag>: still a child row, as its siblings' repeated tags made <tag> a list.
  const tags = rowsOf(await query(connect, 'SELECT people_id, position, tag FROM tag ORDER BY people_id, position'));
  assert.deepEqual(tags, PEOPLE.slice(0, SIZE).flatMap((p) => p.tags.map((t, i) => ({ people_id: p.id, position: i, tag: t }))));
});

const XML_MODEL = () => `{
  "people": {
    "#path": "${base}/xml/people /people/person",
    "#format": "xml",
    "#rowOffsetParameter": "offset",
    "#maximumPageSize": ${SIZE},
    "id": "Integer,#key",
    "name": "VarChar",
    "zip": "VarChar",
    "big": "HugeInt",
    "score": "Double",
    "active": "Boolean",
    "joined": "Date",
    "address": {"city": {"#type": "VarChar", "#eq": "city"}},
    "weight": {"unit": "VarChar", "text": "Integer"},
    "tags": {"tag<tags>[]": "VarChar"}
  }
}`;

test('XML: a model-file table with "#format": "xml" and a root path pages by row offset over three pages, loads the same rows either way, keeps single elements in the child table, and sends WHERE city', async () => {
  const connect = `RestConfigFile=${modelFile(XML_MODEL())}`;
  const all = await bothWays(connect, 'SELECT id, name, zip, big, score, active, joined, address_city AS city FROM people ORDER BY id', false);
  assert.deepEqual(all, PEOPLE.map(expected));
  const tags = await bothWays(connect, 'SELECT people_id, position, tag FROM tags ORDER BY people_id, position', false);
  assert.deepEqual(tags, PEOPLE.flatMap((p) => p.tags.map((t, i) => ({ people_id: p.id, position: i, tag: t }))));
  asked.delete('/xml/people');
  const some = rowsOf(await query(connect, "SELECT id FROM people WHERE address_city = 'Zürich' ORDER BY id"));
  assert.deepEqual(some.map((r) => r.id), PEOPLE.filter((p) => p.city === 'Zürich').map((p) => p.id));
  assert.ok((asked.get('/xml/people') ?? []).every((s) => new URLSearchParams(s).get('city') === 'Zürich'));
});

test('XML: a next-page element inside the document (root path rules) leads through three pages', async () => {
  const model = `{"people": {"#path": "${base}/xml/next /response/people/person", "#nextPageElement": "response/next", "id": "Integer,#key", "name": "VarChar"}}`;
  const rows = rowsOf(await query(`RestConfigFile=${modelFile(model)}`, 'SELECT id, name FROM people ORDER BY id'));
  assert.deepEqual(rows, PEOPLE.map((p) => ({ id: p.id, name: p.name })));
});

test('XML: a billion-laughs document and an external entity are refused before any expansion; an undeclared entity, a broken tag and too deep nesting are clear errors', async () => {
  const cases: [string, RegExp][] = [
    ['/xml/bomb', /error\[HTTP_BODY_REFUSED\]: GET http:\/\/127\.0\.0\.1:\d+\/xml\/bomb: the XML body declares entities/],
    ['/xml/xxe', /error\[HTTP_BODY_REFUSED\]: .*external entity \(XXE\)/],
    ['/xml/undeclared', /error\[HTTP_MALFORMED_BODY\]: .*the XML body breaks at line 1, column \d+: Invalid character entity/],
    ['/xml/bad', /error\[HTTP_MALFORMED_BODY\]: .*\/xml\/bad: the XML body breaks at line 3, column \d+: Unexpected close tag/],
    ['/xml/deep', /error\[HTTP_TOO_LARGE\]: .*nests elements more than 256 levels deep/],
  ];
  for (const [path, says] of cases) {
    const r = await query(`RestSamplePath=${base}${path}`, 'SELECT 1');
    assert.equal(r.code, 1, `${path}: ${r.stderr}`);
    assert.match(r.stderr, says, path);
    assert.doesNotMatch(r.stderr, /root:|lollol/, `${path}: nothing expanded`);
  }
});

test('XML: a column sampled as INTEGER meets "02134" on a later page: an error, never 2134', async () => {
  const r = await query(`RestSamplePath=${base}/xml/zips`, 'SELECT id, zip FROM zips ORDER BY id');
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /error\[DATA_TYPE_MISMATCH\]: Table zips, column zip \(INTEGER\): record 4 of http:\/\/127\.0\.0\.1:\d+\/xml\/zips\?cursor=1 has "02134"/);
});

test('XML: an empty collection (<people/>, an empty element, one with attributes only) is 0 rows', async () => {
  // The first page of a sampled table is the one sampling fetched; fetchPage's own check is in test/unit/scan/fetch-page.test.ts.
  for (const form of ['', 'open', 'attr']) {
    const model = `{"people": {"#path": "${base}/xml/empty?form=${form} /people/person", "#format": "xml", "id": "Integer,#key", "name": "VarChar"}}`;
    assert.deepEqual(rowsOf(await query(`RestConfigFile=${modelFile(model)}`, 'SELECT id, name FROM people')), [], form);
  }
});

// ---- restsql sample

test('restsql sample on XML and CSV endpoints writes a model file with "#format" that loads again to the same rows', async () => {
  for (const [path, table, sql] of [
    ['/xml/people?offset=0', 'people', 'SELECT id, name, zip, address_city FROM people ORDER BY id'],
    ['/csv/people?page=1', 'people', 'SELECT id, name, zip, big FROM people ORDER BY id'],
  ] as const) {
    const sampled = await runCli(['sample', `${base}${path}`]);
    assert.equal(sampled.code, 0, sampled.stderr);
    assert.match(sampled.stdout, new RegExp(`"#format": "${path.startsWith('/xml') ? 'xml' : 'csv'}"`));
    const direct = rowsOf(await query(`RestSamplePath=${base}${path}`, sql));
    assert.match(sampled.stdout, new RegExp(`"${table}": \\{`));
    const again = rowsOf(await query(`RestConfigFile=${modelFile(sampled.stdout)}`, sql));
    assert.deepEqual(again, direct, path);
  }
});
