/**
 * Model files written the way DataDirect publishes them (its Alpha Vantage, Yelp and HubSpot
 * samples), through the real CLI against a loopback API serving JSON shaped like those APIs:
 * maps whose names hold spaces and parentheses with a Timestamp(0) key, renamed table keys,
 * #firstrow, array positions (field[N]), OAuth entries and #options in the file, and the keys
 * restsql accepts without effect or refuses.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';
import type { Server } from 'node:http';

const dir = tempDir(after, 'restsql-vendor-model-');
let server: Listening<Server>;
let base = '';
const requests: { url: string; authorization?: string; body?: string }[] = [];
let n = 0;

const CLIENT = { id: 'arc-client', secret: 'model-s3cret-value', token: 'tok-model-123' } as const;

/** Alpha Vantage shapes: "Meta Data" and a map keyed by date or date-time, values as strings. */
function timeSeries(fn: string, symbol: string): unknown {
  if (fn === 'TIME_SERIES_DAILY') {
    return {
      'Meta Data': { '1. Information': 'Daily Prices', '2. Symbol': symbol, '3. Last Refreshed': '2024-01-05', '4. Output Size': 'Compact', '5. Time Zone': 'US/Eastern' },
      'Time Series (Daily)': {
        '2024-01-05': { '1. open': '44.10', '2. high': '45.00', '3. low': '43.90', '4. close': '44.80', '5. volume': '1200' },
        '2024-01-04': { '1. open': '43.50', '2. high': '44.20', '3. low': '43.10', '4. close': '44.05', '5. volume': '900' },
      },
    };
  }
  return {
    'Meta Data': { '1. Information': 'Intraday (5min)', '2. Symbol': symbol, '3. Last Refreshed': '2024-01-05 16:00:00' },
    'Time Series (5min)': {
      '2024-01-05 16:00:00': { '1. open': '44.70', '4. close': '44.80', '5. volume': '300' },
      '2024-01-05 15:55:00': { '1. open': '44.60', '4. close': '44.70', '5. volume': '250' },
      '2024-01-05 15:50:00': { '1. open': '44.55', '4. close': '44.60', '5. volume': '200' },
    },
  };
}

/** Yelp shapes: a search root object with the businesses array, its total and region. */
const BUSINESSES = [
  { id: 'b1', name: 'Dog House Grill', rating: 4.5, categories: [{ alias: 'burgers', title: 'Burgers' }, { alias: 'bbq', title: 'Barbeque' }], location: { city: 'Fresno', display_address: ['2789 E Shaw Ave', 'Fresno, CA'] } },
  { id: 'b2', name: 'Tacos Marquitos', rating: 4.0, categories: [{ alias: 'mexican', title: 'Mexican' }], location: { city: 'Fresno', display_address: ['1 Main St'] } },
];

/** HubSpot shapes: contacts with identity-profiles (one) holding identities (two, or one). */
const CONTACTS = {
  contacts: [
    { vid: 101, 'identity-profiles': [{ vid: 101, identities: [{ type: 'EMAIL', value: 'a@example.com' }, { type: 'LEAD_GUID', value: 'g-1' }] }], teams: [7] },
    { vid: 102, 'identity-profiles': [{ vid: 102, identities: [{ type: 'EMAIL', value: 'b@example.com' }] }], teams: [] },
  ],
  'has-more': false,
  'vid-offset': 102,
};

function handler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(body ? { body } : {}) });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/oauth/token') {
      const form = new URLSearchParams(body);
      const basic = Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64');
      const ok = form.get('grant_type') === 'client_credentials' && (req.headers.authorization === `Basic ${basic}` || (form.get('client_id') === CLIENT.id && form.get('client_secret') === CLIENT.secret));
      if (!ok) return json(401, { error: 'invalid_client' });
      return json(200, { access_token: CLIENT.token, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') ?? '' });
    }
    if (url.pathname === '/query') return json(200, timeSeries(url.searchParams.get('function') ?? '', url.searchParams.get('symbol') ?? ''));
    if (url.pathname === '/v3/businesses/search') {
      const offset = Number(url.searchParams.get('offset') ?? '0');
      const limit = Number(url.searchParams.get('limit') ?? '20');
      return json(200, { businesses: BUSINESSES.slice(offset, offset + limit), total: BUSINESSES.length, region: { center: { latitude: 36.8, longitude: -119.8 } } });
    }
    if (url.pathname === '/contacts') return json(200, CONTACTS);
    if (url.pathname === '/secure/items') {
      if (req.headers.authorization !== `Bearer ${CLIENT.token}`) return json(401, { error: 'unauthorized' });
      return json(200, [{ id: 1, name: 'one' }, { id: 2, name: 'two' }]);
    }
    json(404, { error: 'not found' });
  });
}

before(async () => {
  server = await startHttpServer(handler);
  base = server.url;
});
after(async () => {
  await server?.close();
});

function modelFile(text: string): string {
  const file = join(dir, `v${++n}.rest`);
  writeFileSync(file, text);
  return file;
}

async function csv(file: string, sql: string, extra = ''): Promise<{ code: number; lines: string[]; stderr: string }> {
  const r = await runCli(['query', '-c', `RestConfigFile=${file}${extra ? `;${extra}` : ''}`, '--format', 'csv', sql]);
  return { code: r.code, lines: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr };
}

const virtual = (name: string, def: string) => `"${name}": {"#type": "VarChar(64),#key", "#virtual": true, "#default": "${def}", "#eq": "${name}"}`;

test('Alpha Vantage: a map named "Time Series (Daily){Date}" is table STOCKDAILY_TIMESERIES with key column STOCKDAILY_SYMBOL, and WHERE on it is sent', async () => {
  const file = modelFile(`{
    "StockDaily": {
      "#path": ["${base}/query"],
      "Meta Data": {"1. Information": "VarChar(73)", "2. Symbol": "VarChar(64),#key", "3. Last Refreshed": "Timestamp(0)", "4. Output Size": "VarChar(64)", "5. Time Zone": "VarChar(64)"},
      "Time Series (Daily){Date}": {"1. open": "Double", "2. high": "Double", "3. low": "Double", "4. close": "Double", "5. volume": "Integer"},
      ${virtual('function', 'TIME_SERIES_DAILY')}, ${virtual('symbol', 'MSFT')}, ${virtual('outputsize', 'compact')}
    }
  }`);
  const before = requests.length;
  const r = await csv(file, "SELECT * FROM STOCKDAILY_TIMESERIES WHERE STOCKDAILY_SYMBOL = 'PRGS' ORDER BY key");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, [
    'StockDaily_Meta_Data_2_Symbol,StockDaily_function,StockDaily_symbol,StockDaily_outputsize,position,key,1_open,2_high,3_low,4_close,5_volume',
    'PRGS,TIME_SERIES_DAILY,PRGS,compact,1,2024-01-04,43.5,44.2,43.1,44.05,900',
    'PRGS,TIME_SERIES_DAILY,PRGS,compact,0,2024-01-05,44.1,45,43.9,44.8,1200',
  ]);
  const sent = requests.slice(before).filter((q) => q.url.startsWith('/query')).map((q) => new URL(q.url, 'http://x').searchParams);
  assert.ok(sent.some((p) => p.get('symbol') === 'PRGS' && p.get('function') === 'TIME_SERIES_DAILY' && p.get('outputsize') === 'compact'), JSON.stringify(requests.slice(before)));
  // The parent keeps "Meta Data" as flattened columns.
  const parent = await csv(file, "SELECT Meta_Data_2_Symbol, Meta_Data_3_Last_Refreshed FROM StockDaily WHERE symbol = 'PRGS'");
  assert.deepEqual(parent.lines, ['Meta_Data_2_Symbol,Meta_Data_3_Last_Refreshed', 'PRGS,2024-01-05T00:00:00']);
});

test('Alpha Vantage intraday: "Time Series (5min){Timestamp(0)}" keys are TIMESTAMPs; the column types come from the map', async () => {
  const file = modelFile(`{
    "StockIntraday": {
      "#path": ["${base}/query"],
      "Meta Data": {"2. Symbol": "VarChar(64),#key"},
      "Time Series (5min){Timestamp(0)}": {"1. open": "Double", "4. close": "Double", "5. volume": "Integer"},
      ${virtual('function', 'TIME_SERIES_INTRADAY')}, ${virtual('symbol', 'MSFT')}
    }
  }`);
  const r = await csv(file, "SELECT key, typeof(key) AS t, \"5_volume\" FROM STOCKINTRADAY_TIMESERIES WHERE StockIntraday_symbol = 'PRGS' AND key >= TIMESTAMP '2024-01-05 15:55:00' ORDER BY key");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, ['key,t,5_volume', '2024-01-05T15:55:00,TIMESTAMP,250', '2024-01-05T16:00:00,TIMESTAMP,300']);
});

test('Yelp: "businesssearch<businesssearchroot>" names the table, "#firstrow" is the first row number, and the child keys carry the renamed parent', async () => {
  const file = modelFile(`{
    "businesssearch<businesssearchroot>": {
      "#path": ["${base}/v3/businesses/search"],
      "#maximumPageSize": 50,
      "#firstrow": 0,
      "#pageSizeParameter": "limit",
      "#rowOffsetParameter": "offset",
      "businesses<businesssearch>[]": {
        "id": "VarChar(64)", "name": "VarChar(64)", "rating": "Double",
        "categories<businesssearch_category>[]": {"alias": "VarChar(19)", "title": "VarChar(33)"},
        "location": {"city": "VarChar(64)", "display_address<businesssearch_display_address>[]": "VarChar(40)"}
      },
      "total": "Integer,#key",
      "region": {"center": {"longitude": "Double", "latitude": "Double"}},
      "location": {"#type": "VarChar(100),#key", "#virtual": true, "#default": "27617", "#eq": "location"}
    }
  }`);
  const before = requests.length;
  const r = await csv(file, "SELECT * FROM BUSINESSSEARCH WHERE BUSINESSSEARCHROOT_LOCATION = 'Fresno' ORDER BY position");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, [
    'businesssearchroot_total,businesssearchroot_location,position,id,name,rating,location_city',
    '2,Fresno,0,b1,Dog House Grill,4.5,Fresno',
    '2,Fresno,1,b2,Tacos Marquitos,4,Fresno',
  ]);
  assert.deepEqual(requests.slice(before).map((q) => q.url), ['/v3/businesses/search?location=Fresno&limit=50&offset=0']);
  const tables = await runCli(['tables', '-c', `RestConfigFile=${file}`, '--format', 'csv']);
  assert.equal(tables.code, 0, tables.stderr);
  for (const t of ['businesssearchroot', 'businesssearch', 'businesssearch_category', 'businesssearch_display_address']) assert.match(tables.stdout, new RegExp(`^${t},`, 'm'));
  assert.doesNotMatch(tables.stdout, /^businesssearch_1,/m);
  const cats = await csv(file, "SELECT * FROM businesssearch_category WHERE businesssearch_businesssearchroot_location = 'Fresno' ORDER BY businesssearch_position, position");
  assert.equal(cats.code, 0, cats.stderr);
  assert.deepEqual(cats.lines, [
    'businesssearch_businesssearchroot_total,businesssearch_businesssearchroot_location,businesssearch_position,position,alias,title',
    '2,Fresno,0,0,burgers,Burgers',
    '2,Fresno,0,1,bbq,Barbeque',
    '2,Fresno,1,0,mexican,Mexican',
  ]);
});

test('"#firstrow": 1 starts row-offset paging at 1, exactly as "#firstRowNumber": 1; giving both is an error naming the line', async () => {
  const model = (key: string) => `{"search": {"#path": "${base}/v3/businesses/search /businesses", "#maximumPageSize": 1, "${key}": 1, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset", "id": "VarChar,#key"}}`;
  for (const key of ['#firstrow', '#FirstRowNumber']) {
    const before = requests.length;
    const r = await csv(modelFile(model(key)), 'SELECT id FROM search ORDER BY 1');
    assert.equal(r.code, 0, r.stderr);
    // Offsets 1, 2 (then an empty page): the first row number is 1.
    assert.deepEqual(r.lines, ['id', 'b2']);
    assert.deepEqual(requests.slice(before).map((q) => new URL(q.url, 'http://x').searchParams.get('offset')), ['1', '2']);
  }
  const both = await csv(modelFile(`{"search": {"#path": "${base}/v3/businesses/search /businesses", "#maximumPageSize": 1, "#firstRowNumber": 1,\n "#firstrow": 1, "#rowOffsetParameter": "offset", "id": "VarChar"}}`), 'SELECT 1');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /v\d+\.rest:2:2: '#firstrow' sets the same paging setting as '#firstRowNumber'/);
});

test('HubSpot: field<prefix>[N] reads the first N array elements as columns of the parent, nested positions too; missing elements are NULL', async () => {
  const file = modelFile(`{
    "Contacts": {
      "#path": "${base}/contacts",
      "contacts<ContactsData>[]": {
        "vid": "Integer",
        "identity-profiles<ContactsIdentityProfiles>[1]": {
          "vid": "Integer",
          "identities<ContactIdentities>[2]": {"type": "VarChar(13)", "value": "VarChar(64)"}
        },
        "teams[1]": "Integer"
      },
      "has-more": "Boolean",
      "vid-offset": "Integer,#key"
    }
  }`);
  const r = await csv(file, 'SELECT * EXCLUDE (Contacts_vid_offset) FROM ContactsData ORDER BY vid');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, [
    'position,vid,ContactsIdentityProfiles_1_vid,ContactsIdentityProfiles_1_ContactIdentities_1_type,ContactsIdentityProfiles_1_ContactIdentities_1_value,ContactsIdentityProfiles_1_ContactIdentities_2_type,ContactsIdentityProfiles_1_ContactIdentities_2_value,teams_1',
    '0,101,101,EMAIL,a@example.com,LEAD_GUID,g-1,7',
    '1,102,102,EMAIL,b@example.com,,,',
  ]);
  // The model as restsql prints it reads back the same (restsql sample writes field<prefix>[N]).
  const printed = await runCli(['sample', '-c', `RestConfigFile=${file}`]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /"identity-profiles<ContactsIdentityProfiles>\[1\]"/);
  const again = modelFile(printed.stdout);
  const r2 = await csv(again, 'SELECT * EXCLUDE (Contacts_vid_offset) FROM ContactsData ORDER BY vid');
  assert.deepEqual(r2.lines, r.lines, `${r2.stderr}\n${printed.stdout}`);
});

test('OAuth entries and #options in the model file feed the connection; the connection string wins; the secret (given in the connection string) never shows', async () => {
  const file = modelFile(`{
    "#authenticationMethod": "OAuth2",
    "#tokenUri": "${base}/oauth/token",
    "#scope": "read",
    "#options": {"ClientID": "${CLIENT.id}", "WSTimeout": {"default": 30, "choices": "30,60"}},
    "items": {"#path": "${base}/secure/items", "id": "Integer,#key", "name": "VarChar"}
  }`);
  const env = { ARC_SECRET: CLIENT.secret, RESTSQL_DEBUG: '1' };
  let before = requests.length;
  const r = await runCli(['query', '-c', `RestConfigFile=${file};ClientSecret=\${ARC_SECRET}`, '--format', 'csv', 'SELECT id, name FROM items ORDER BY 1'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'id,name\n1,one\n2,two\n');
  const token = requests.slice(before).find((q) => q.url === '/oauth/token');
  assert.ok(token, 'the token endpoint from #tokenUri was called');
  assert.equal(new URLSearchParams(token.body).get('scope'), 'read');
  assert.ok(!r.stderr.includes(CLIENT.secret) && !r.stdout.includes(CLIENT.secret), 'the client secret is redacted');
  // The connection string wins over the model file: Scope=write is what the token request asks for.
  before = requests.length;
  const home = tempDir(after, 'restsql-vendor-home-');
  const w = await runCli(['query', '-c', `RestConfigFile=${file};ClientSecret=\${ARC_SECRET};Scope=write`, '--format', 'csv', 'SELECT count(*) AS n FROM items'], { env: { ...env, RESTSQL_HOME: home } });
  assert.equal(w.code, 0, w.stderr);
  assert.equal(new URLSearchParams(requests.slice(before).find((q) => q.url === '/oauth/token')?.body).get('scope'), 'write');
});

test('model-file errors name file:line:column: an unknown #options name (with a suggestion), routines, a client secret at the top, a bad map key type', async () => {
  const cases: [string, RegExp, number][] = [
    [`{\n  "#options": {\n    "Scoep": "read"\n  },\n  "t": "${base}/secure/items"\n}`, /Unknown option 'Scoep' \(\S*v\d+\.rest:3:5\)\. Did you mean Scope\?/, 2],
    [`{\n  "t": "${base}/contacts",\n  "routines": ["CREATE PROCEDURE p(OUT x INT) SELECT 1"]\n}`, /v\d+\.rest:3:36: routine 'p': OUT parameter 'x': restsql runs IN parameters only/, 2],
    [`{\n  "#clientSecret": "x",\n  "t": "${base}/contacts"\n}`, /v\d+\.rest:2:3: '#clientSecret': Not read from the top of a model file/, 2],
    // A shared model file may not set secrets, read the environment, or weaken TLS, proxy or origins.
    [`{\n  "#options": {\n    "ClientSecret": "x"\n  },\n  "t": "${base}/contacts"\n}`, /v\d+\.rest:3:5: the model file sets ClientSecret, which a model file may not set: it is a secret/, 2],
    [`{\n  "#options": {"Scope": "\${HOME}"},\n  "t": "${base}/contacts"\n}`, /v\d+\.rest:2:16: the model file's value of Scope reads an environment variable/, 2],
    [`{\n  "#options": {"vsc": 0, "Scope": "read"},\n  "t": "${base}/contacts"\n}`, /the model file sets ValidateServerCertificate, which a model file may not set: TLS settings/, 2],
    [`{\n  "#options": {"ProxyHost": "127.0.0.1"},\n  "t": "${base}/contacts"\n}`, /the model file sets ProxyHost, which a model file may not set: Proxy settings/, 2],
    [`{\n  "#options": {"CredentialedOrigins": "http://127.0.0.1:9"},\n  "t": "${base}/contacts"\n}`, /the model file sets CredentialedOrigins, which a model file may not set: it widens/, 2],
    [`{"t": {"#path": "${base}/query",\n  "Time Series (5min){Timestamp(0}": {"a": "Double"}}}`, /v\d+\.rest:2:3: 'Time Series \(5min\)\{Timestamp\(0\}' has '\{Timestamp\(0\}', which is not a key type/, 2],
  ];
  for (const [model, want, code] of cases) {
    const r = await csv(modelFile(model), 'SELECT 1');
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, want);
  }
});

test('vendor files with write endpoints load (relative ones on the #path\'s origin); constraint flags are accepted without effect, each said once on stderr', async () => {
  const file = modelFile(`{
    "#version": "v3",
    "items": {"#path": "${base}/contacts /contacts", "#insert": "POST /contacts", "#update": "PATCH /contacts/{vid}", "#sendOnlyUpdated": true,
      "vid": "Integer,#key,#notnull", "has-more": "Boolean,#unique"}
  }`);
  const r = await csv(file, 'SELECT vid FROM items ORDER BY 1');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, ['vid', '101', '102']);
  assert.doesNotMatch(r.stderr, /'#(insert|update|sendOnlyUpdated)'/, 'write directives have an effect now');
  assert.match(r.stderr, /'#version': Accepted without effect: informational/);
  assert.match(r.stderr, /'#notnull': Accepted without effect: restsql does not enforce constraints/);
  assert.equal(r.stderr.match(/'#notnull'/g)?.length, 1, 'each key is said once');
  // The relative #insert is sent to the #path's origin.
  const printed = await runCli(['sample', '-c', `RestConfigFile=${file}`]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, new RegExp(`"#insert": "POST ${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/contacts"`));
});
