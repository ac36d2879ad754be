/**
 * Reading XML, CSV and JSON Lines bodies (src/extract/response-format.ts, csv.ts, ndjson.ts,
 * xml.ts, text-value.ts): format choice, text encodings, CSV dialects and errors, the XML mapping
 * rules and its refusals, and sampling's typing of texts. Table-driven; one seeded property
 * (CSV records counted without parsing = records parsed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isRestSqlError } from '../../../src/errors/index.js';
import { columnNames, countCsvRecords, detectDelimiter, parseCsv } from '../../../src/extract/csv.js';
import { ndjsonAsArray, parseNdjson } from '../../../src/extract/ndjson.js';
import { csvSpoolPage, decodeBody, decodeText, responseFormat } from '../../../src/extract/response-format.js';
import { sampledText } from '../../../src/extract/text-value.js';
import { alignToModel, detectXmlRoot, parseXml } from '../../../src/extract/xml.js';
import { inferTable } from '../../../src/model/sampler.js';
import { JsonFloat } from '../../../src/util/json.js';

/**
 * A parsed value with ordinary objects for comparing with literals (deepEqual compares
 * prototypes, and records read from CSV and XML have none); class instances (JsonFloat) kept.
 */
function plainOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainOf);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainOf(x)]));
  return v;
}

function fails(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => isRestSqlError(e) && e.code === code && message.test(e.message), `expected ${code} ${message}`);
}

test('format choice: #format wins, then Content-Type, then a body starting with <, else JSON', () => {
  const cases: [string | undefined, string | undefined, string, string][] = [
    [undefined, 'application/json', '{}', 'json'],
    [undefined, 'application/x-ndjson', '{}', 'ndjson'],
    [undefined, 'application/jsonl; charset=utf-8', '{}', 'ndjson'],
    [undefined, 'application/json-seq', '{}', 'ndjson'],
    [undefined, 'text/csv; charset=ISO-8859-1', 'a,b', 'csv'],
    [undefined, 'application/csv', 'a,b', 'csv'],
    [undefined, 'text/tab-separated-values', 'a\tb', 'csv'],
    [undefined, 'application/xml', '<a/>', 'xml'],
    [undefined, 'TEXT/XML', '<a/>', 'xml'],
    [undefined, 'application/atom+xml', '<a/>', 'xml'],
    [undefined, 'text/plain', '  \n<a/>', 'xml'],
    [undefined, undefined, '\ufeff<a/>', 'xml'],
    [undefined, 'text/plain', '[1]', 'json'],
    [undefined, 'text/html', '<html/>', 'json'],
    ['csv', 'application/json', '{}', 'csv'],
    ['xml', 'application/json', '{}', 'xml'],
    ['json', 'application/xml', '<a/>', 'json'],
  ];
  for (const [format, type, body, expected] of cases) {
    const got = responseFormat(format ? { format: format as 'csv' } : undefined, type ? { 'content-type': type } : {}, Buffer.from(body));
    assert.equal(got, expected, `${format} ${type} ${body}`);
  }
});

test('text encodings: a byte order mark, then #encoding, then charset, then the XML declaration, else UTF-8', () => {
  const text = 'Zürich;Köln';
  const cases: [Buffer, Record<string, string>, string | undefined, 'csv' | 'xml', string][] = [
    [Buffer.from(text), {}, undefined, 'csv', text],
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), { 'content-type': 'text/csv; charset=latin1' }, undefined, 'csv', text],
    [Buffer.from('\ufeff' + text, 'utf16le'), {}, undefined, 'csv', text],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), {}, undefined, 'csv', text],
    [Buffer.from(text, 'latin1'), { 'content-type': 'text/csv; charset="ISO-8859-1"' }, undefined, 'csv', text],
    [Buffer.from(text, 'latin1'), { 'content-type': 'text/csv' }, 'latin1', 'csv', text],
    [Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><a>${text}</a>`, 'latin1'), {}, undefined, 'xml', `<?xml version="1.0" encoding="ISO-8859-1"?><a>${text}</a>`],
  ];
  for (const [bytes, headers, encoding, format, expected] of cases) {
    assert.equal(decodeText(bytes, headers, encoding ? { encoding } : undefined, format).replace(/^\ufeff/, ''), expected);
  }
  fails(() => decodeText(Buffer.from('a'), { 'content-type': 'text/csv; charset=klingon' }, undefined, 'csv'), 'HTTP_MALFORMED_BODY', /encoding 'klingon'/);
});

test('sampling types texts as JSON values: integers as JSON writes them, doubles, booleans, NULL for empty; leading zeros stay text', () => {
  const cases: [string, unknown][] = [
    ['42', 42],
    ['-7', -7],
    ['0', 0],
    ['12345678901234567890', 12345678901234567890n],
    ['02134', '02134'],
    ['007', '007'],
    ['+1', '+1'],
    [' 42', ' 42'],
    ['1.5', new JsonFloat(1.5)],
    ['1e3', new JsonFloat(1000)],
    ['00.5', '00.5'],
    ['true', true],
    ['FALSE', false],
    ['', null],
    ['2024-01-05', '2024-01-05'],
    ['n/a', 'n/a'],
  ];
  for (const [text, expected] of cases) assert.deepEqual(sampledText(text), expected, text);
  const table = inferTable('t', parseCsv('zip,big,n,mixed\n02134,12345678901234567890,1,42\n02135,2,2,n/a\n', undefined, true).records, { qualifyNames: 0 });
  assert.deepEqual(table.columns.map((c) => `${c.name}:${c.type}`), ['zip:VARCHAR', 'big:HUGEINT', 'n:INTEGER', 'mixed:JSON']);
});

test('CSV: the delimiter is detected from the header row outside quotes; header names are made unique', () => {
  assert.equal(detectDelimiter('a,b,c\n1;2;3;4;5\n'), ',');
  assert.equal(detectDelimiter('a;b;c\n'), ';');
  assert.equal(detectDelimiter('a\tb\n'), '\t');
  assert.equal(detectDelimiter('a|b|c\n'), '|');
  assert.equal(detectDelimiter('"x,y,z";b\n'), ';');
  assert.equal(detectDelimiter('single\n'), ',');
  assert.deepEqual(columnNames([' id ', '', 'id', 'ID', 'name']), ['id', 'column2', 'id_2', 'ID_3', 'name']);
});

test('CSV: quoted fields (delimiters, quotes, line breaks inside), empty fields NULL, no header row, settings', () => {
  const { records, columns } = parseCsv('id,name,note\r\n1,"a, ""b""","line\nbreak"\r\n2,,\r\n\r\n');
  assert.deepEqual(columns, ['id', 'name', 'note']);
  assert.deepEqual(plainOf(records), [
    { id: '1', name: 'a, "b"', note: 'line\nbreak' },
    { id: '2', name: null, note: null },
  ]);
  assert.deepEqual(plainOf(parseCsv('1|x\n2|y\n', { delimiter: '|', headerRow: false }).records), [
    { column1: '1', column2: 'x' },
    { column1: '2', column2: 'y' },
  ]);
  assert.deepEqual(plainOf(parseCsv("id;v\n1;'a;b'\n", { quote: "'" }).records), [{ id: '1', v: 'a;b' }]);
});

test('CSV: malformed bodies name the line (and field) where they break', () => {
  fails(() => parseCsv('a,b\n1,2\n3,"x\n'), 'HTTP_MALFORMED_BODY', /CSV body breaks at line 3.*Quote Not Closed/);
  fails(() => parseCsv('a,b\n1,2\n3\n'), 'HTTP_MALFORMED_BODY', /CSV body breaks at line 3.*expect 2, got 1/);
  fails(() => parseCsv('a,b\n1,"2"x\n'), 'HTTP_MALFORMED_BODY', /CSV body breaks at line 2, field 2/);
});

test('CSV: records counted in raw bytes (bulk loading) equal the records parsed (property, seeded)', () => {
  const SEED = 20261215;
  const field = fc.string({ unit: fc.constantFrom('a', 'é', ',', ';', '"', '\n', '\r\n', ' ', '1'), maxLength: 6 });
  const quoteField = (s: string) => (/[",;\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);
  const property = fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(field, { minLength: 4, maxLength: 4 }), { maxLength: 8 }), fc.constantFrom(',', ';'), fc.constantFrom('\n', '\r\n'), (width, rows, delimiter, eol) => {
    const header = Array.from({ length: width }, (_x, i) => `c${i}`).join(delimiter);
    const text = [header, ...rows.map((r) => r.slice(0, width).map(quoteField).join(delimiter))].join(eol) + eol;
    const parsed = parseCsv(text, { delimiter });
    const spooled = csvSpoolPage(Buffer.from(text), {}, { delimiter });
    assert.equal(countCsvRecords(Buffer.from(text), parsed.dialect), parsed.records.length, JSON.stringify(text));
    assert.equal(spooled.count, parsed.records.length);
    assert.deepEqual(spooled.columns, parsed.columns);
  });
  try {
    fc.assert(property, { seed: SEED, numRuns: 300 });
  } catch (e) {
    console.error(`property failed with seed ${SEED}`);
    throw e;
  }
});

test('JSON Lines: one value a line, blank lines and CRLF and record separators fine, errors name line and column', () => {
  assert.deepEqual(parseNdjson('{"a":1}\r\n\r\n  \n\u001e{"a":12345678901234567890}\n[1]\n'), [{ a: 1 }, { a: 12345678901234567890n }, [1]]);
  assert.deepEqual(parseNdjson('{"a":1.0}', true), [{ a: new JsonFloat(1) }]);
  assert.deepEqual(parseNdjson(''), []);
  fails(() => parseNdjson('{"a":1}\n{"a":,}\n'), 'HTTP_MALFORMED_BODY', /JSON Lines body breaks at line 2, column 6/);
  const { pieces, count } = ndjsonAsArray(Buffer.from('\ufeff{"a":1}\r\n\n  {"b":[1,2]}  \n\u001e{"c":"x\\ny"}'));
  assert.equal(count, 3);
  assert.deepEqual(JSON.parse(Buffer.concat(pieces).toString()), [{ a: 1 }, { b: [1, 2] }, { c: 'x\ny' }]);
  assert.deepEqual(JSON.parse(Buffer.concat(ndjsonAsArray(Buffer.from('\n\n')).pieces).toString()), []);
});

test('XML: elements, attributes, text beside attributes, namespaces, CDATA, entities, nil, clashes, repeated names over the whole response', () => {
  const doc = parseXml(`<?xml version="1.0"?>
<r:items xmlns:r="urn:r" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <r:item id="1" r:kind="a">
    <id>one</id>
    <name>A &amp; B &#x263A;</name>
    <note><![CDATA[<b>bold</b>]]></note>
    <price currency="EUR">9.50</price>
    <gone xsi:nil="true">x</gone>
    <empty/>
    <tags><tag>x</tag></tags>
    <text>own text element</text>
  </r:item>
  <r:item id="2"><price>7</price><tags><tag>y</tag><tag>z</tag></tags>mixed <b>in</b> text</r:item>
</r:items>`);
  assert.deepEqual(plainOf(doc), {
    items: {
      item: [
        { id_attr: '1', kind: 'a', id: 'one', name: 'A & B \u263a', note: '<b>bold</b>', price: { currency: 'EUR', text: '9.50' }, gone: null, empty: null, tags: { tag: ['x'] }, text: 'own text element' },
        { id_attr: '2', price: { text: '7' }, tags: { tag: ['y', 'z'] }, b: 'in', text_value: 'mixed  text' },
      ],
    },
  });
  assert.deepEqual(detectXmlRoot(doc), ['items', 'item']);
});

test('XML and CSV: elements, attributes and columns named like Object.prototype members (constructor, toString, __proto__) are data', () => {
  // Expected values through JSON.parse: a `__proto__` key in an object literal sets the prototype.
  const doc = parseXml('<r><i constructor="c" hasOwnProperty="h"><toString>a</toString><toString>b</toString><valueOf>v</valueOf><__proto__>p</__proto__></i><i constructor="d"><constructor>x</constructor><constructor>y</constructor><__proto__>q</__proto__></i></r>');
  const items = (doc.r as { i: Record<string, unknown>[] }).i;
  assert.equal(Object.getPrototypeOf(items[0]), null);
  assert.deepEqual(plainOf(doc), JSON.parse('{"r":{"i":[{"constructor_attr":"c","hasOwnProperty":"h","toString":["a","b"],"valueOf":"v","__proto__":"p"},{"constructor_attr":"d","constructor":["x","y"],"__proto__":"q"}]}}'));
  // An attribute whose name no child takes keeps it.
  assert.deepEqual(plainOf(parseXml('<r><i constructor="c" toString="t"><id>1</id></i></r>')), { r: { i: { constructor: 'c', toString: 't', id: '1' } } });
  const sampled = decodeBody('xml', Buffer.from('<r><i><__proto__>1</__proto__></i><i><__proto__>2</__proto__></i></r>'), {}, undefined, true);
  assert.deepEqual(plainOf(sampled.sampled), JSON.parse('{"r":{"i":[{"__proto__":1},{"__proto__":2}]}}'));
  const csv = parseCsv('id,__proto__,constructor,toString\n1,p,c,t\n');
  assert.deepEqual(csv.columns, ['id', '__proto__', 'constructor', 'toString']);
  assert.deepEqual(plainOf(csv.records), JSON.parse('[{"id":"1","__proto__":"p","constructor":"c","toString":"t"}]'));
  assert.deepEqual(plainOf(parseCsv('id,__proto__\n1,2\n', undefined, true).records), JSON.parse('[{"id":1,"__proto__":2}]'));
});

test('XML: where the records are: the first element list breadth first, else the only child, else the document element', () => {
  assert.deepEqual(detectXmlRoot(parseXml('<r><meta><links><l>1</l><l>2</l></links></meta><data><row><a>1</a></row><row><a>2</a></row></data></r>')), ['r', 'data', 'row']);
  assert.deepEqual(detectXmlRoot(parseXml('<orders><order><id>1</id><address><city>x</city></address></order></orders>')), ['orders', 'order']);
  assert.deepEqual(detectXmlRoot(parseXml('<order><id>1</id><status>ok</status></order>')), ['order']);
});

test('XML: entity declarations are refused before expansion, other entities and broken documents are errors with line and column, limits are named', () => {
  const laughs = `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 8 }, (_x, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i ? 'b'.repeat(i) : 'a'};`.repeat(10)}">`).join('')}]><l>&bbbbbbbb;</l>`;
  fails(() => parseXml(laughs), 'HTTP_BODY_REFUSED', /declares entities/);
  fails(() => parseXml('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r>&x;</r>'), 'HTTP_BODY_REFUSED', /line 2.*XXE/);
  fails(() => parseXml('<r>&x;</r>'), 'HTTP_MALFORMED_BODY', /line 1, column \d+: Invalid character entity/);
  fails(() => parseXml('<r>&nbsp;</r>'), 'HTTP_MALFORMED_BODY', /Invalid character entity/);
  fails(() => parseXml('<r>\n<a></b>\n</r>'), 'HTTP_MALFORMED_BODY', /line 2, column \d+: Unexpected close tag/);
  fails(() => parseXml(''), 'HTTP_MALFORMED_BODY', /no element/);
  fails(() => parseXml('<r/><s/>'), 'HTTP_MALFORMED_BODY', /line 1/);
  fails(() => parseXml('<a><a><a><a/></a></a></a>', { depth: 3, elements: 100 }), 'HTTP_TOO_LARGE', /more than 3 levels deep/);
  fails(() => parseXml('<a><b/><b/><b/></a>', { depth: 10, elements: 3 }), 'HTTP_TOO_LARGE', /more than 3 elements/);
  // A plain DOCTYPE without entities is fine.
  assert.deepEqual(plainOf(parseXml('<!DOCTYPE r SYSTEM "r.dtd"><r><a>1</a></r>')), { r: { a: '1' } });
});

test('XML: a later page is fitted to the sampled model: single elements where it has child tables, text where it reads <element>_text', () => {
  const sampled = parseXml('<r><p><id>1</id><w u="kg">70</w><tags><t>a</t><t>b</t></tags></p><p><id>2</id><w>71</w><tags><t>c</t></tags></p></r>');
  const table = inferTable('p', (sampled.r as { p: unknown[] }).p, { qualifyNames: 0 });
  assert.deepEqual(table.columns.map((c) => c.name), ['id', 'w_u', 'w_text']);
  assert.deepEqual(table.children.map((c) => c.name), ['t']);
  // A page where <t> does not repeat and <w> has no attribute.
  const page = parseXml('<r><p><id>3</id><w>72</w><tags><t>d</t></tags></p><p><id>4</id><w u="lb">9</w></p></r>');
  const records = [(page.r as { p: unknown[] }).p].flat();
  alignToModel(table, records);
  assert.deepEqual(plainOf(records), [
    { id: '3', w: { text: '72' }, tags: { t: ['d'] } },
    { id: '4', w: { u: 'lb', text: '9' } },
  ]);
  // A model with a plain column meets an element with attributes: its text.
  const plain = inferTable('p', [{ id: '1', w: '70' }], { qualifyNames: 0 });
  const recs: unknown[] = [{ id: '2', w: { u: 'kg', text: '71' } }];
  alignToModel(plain, recs);
  assert.deepEqual(recs, [{ id: '2', w: '71' }]);
});

test('decodeBody: the load form keeps texts, the sampled form types them; CSV reports its columns and dialect', () => {
  const csv = decodeBody('csv', Buffer.from('id;zip\n1;02134\n'), { 'content-type': 'text/csv' }, undefined, true);
  assert.deepEqual(plainOf(csv.body), [{ id: '1', zip: '02134' }]);
  assert.deepEqual(plainOf(csv.sampled), [{ id: 1, zip: '02134' }]);
  assert.deepEqual(csv.csv, { columns: ['id', 'zip'], dialect: { delimiter: ';', quote: '"', headerRow: true } });
  const xml = decodeBody('xml', Buffer.from('<r><i><n>5</n></i><i><n>6</n></i></r>'), {}, undefined, true);
  assert.deepEqual(xml.root, ['r', 'i']);
  assert.deepEqual(plainOf(xml.body), { r: { i: [{ n: '5' }, { n: '6' }] } });
  assert.deepEqual(plainOf(xml.sampled), { r: { i: [{ n: 5 }, { n: 6 }] } });
  assert.equal(decodeBody('ndjson', Buffer.from('{"a":1}\n'), {}, undefined, false).sampled, undefined);
});
