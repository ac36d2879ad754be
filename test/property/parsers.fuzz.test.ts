/**
 * Hardening item 8, "Every error is classified": the parsers of user input end every input in a
 * result or a coded RestSqlError, never INTERNAL (a TypeError, a RangeError from a stack
 * overflow) and never a hang. Arbitrary and mutated inputs over the connection-string and
 * odbc.ini parsers (with option resolution behind them), the model-file parser, element paths
 * and the raw JSON scanner. None of these parsers does I/O, so the fuzzed hosts in generated URLs
 * are never contacted. Seeded and bounded; the seed is printed on failure (RESTSQL_FC_SEED
 * replays it), and each input must finish within PER_INPUT_MS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RestSqlError } from '../../src/errors/index.js';
import { MalformedJsonError, locateJsonValues } from '../../src/extract/raw-json.js';
import { ElementSyntaxError, formatElement, parseElement } from '../../src/model/element.js';
import { ElementKeySyntaxError, formatElementKey, parseElementKey } from '../../src/model/element-key.js';
import { parseModelFile } from '../../src/model/model-file.js';
import { readModelSettings } from '../../src/model/model-settings.js';
import { parseConnectionString } from '../../src/options/connection-string.js';
import { parseOdbcIni } from '../../src/options/odbc-ini.js';
import { resolveOptions, type ConnectionOptions } from '../../src/options/resolve.js';
import { isHeaderName } from '../../src/util/header-name.js';
import { OPTION_CATALOG } from '../../src/options/catalog.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261208);
const RUNS = 300;
const PER_INPUT_MS = 2000;

function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, runs = RUNS): void {
  const out = fc.check(fc.property(arb, predicate), { seed: SEED, numRuns: runs, endOnFailure: true });
  if (out.failed) {
    const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(`fuzz failure (replay with RESTSQL_FC_SEED=${SEED}): ${why}\n${(fc.defaultReportMessage(out) ?? '').slice(0, 4000)}`);
  }
}

/**
 * Runs `fn` and checks its outcome: a value, or one of the allowed errors; never INTERNAL, never
 * slow. Slow is CPU time (the parsers are synchronous), so a loaded machine that leaves this
 * process waiting for a core does not fail the check; runaway backtracking still does.
 */
function classified(what: string, input: unknown, fn: () => unknown, allowed: (e: unknown) => boolean = () => false): void {
  const started = process.cpuUsage();
  try {
    fn();
  } catch (e) {
    const ok = (e instanceof RestSqlError && e.code !== 'INTERNAL') || allowed(e);
    if (!ok) throw new Error(`${what} threw an unclassified ${(e as Error)?.name}: ${(e as Error)?.message} for ${JSON.stringify(input).slice(0, 300)}`);
  }
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  if (ms > PER_INPUT_MS) throw new Error(`${what} took ${Math.round(ms)} ms of CPU (limit ${PER_INPUT_MS}) for ${JSON.stringify(input).slice(0, 300)}`);
}

/** Random edits (insert, delete, replace, duplicate a span) of a seed text. */
function mutated(seeds: readonly string[], alphabet: string): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('insert', 'delete', 'replace', 'repeat'), fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 6 }));
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 8 })).map(([seed, edits]) => {
    let s = seed;
    for (const [at, len, op, text] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      if (op === 'insert') s = s.slice(0, i) + text + s.slice(i);
      else if (op === 'delete') s = s.slice(0, i) + s.slice(i + len);
      else if (op === 'replace') s = s.slice(0, i) + text + s.slice(i + text.length);
      else s = s.slice(0, i) + s.slice(i, i + len).repeat(1 + (len % 50)) + s.slice(i);
    }
    return s;
  });
}

const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.constantFrom(...'{}[]"\':;=, \n\r\t#/.\\$'), maxLength: 200 }));

// Fuzzed hosts: none is contacted; only the parsers see them.
const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`), fc.string({ maxLength: 20 }));
const url = fc.tuple(fc.constantFrom('http', 'https', 'ftp', 'HTTP', ''), host, fc.option(fc.integer({ min: -1, max: 70000 })), fc.webPath()).map(([s, h, p, path]) => `${s ? `${s}://` : ''}${h}${p === null ? '' : `:${p}`}${path}`);
const optionName = fc.oneof(fc.constantFrom('ProxyHost', 'AuthHeader'), fc.constantFrom(...OPTION_CATALOG.flatMap((o) => [o.name, ...o.aliases]), 'DSN', 'Driver'), fc.string({ maxLength: 12 }));
const optionValue = fc.oneof(url, fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constantFrom('1', '0', 'true', '${HOME}', '${', '$${x}', '{a;b}', "'q''", '"x"', '}}', 'X Tenant', 'X-Tenant', 'proxy.example.com', 'GET https://127.0.0.1:9/t'), host);
const pairs = fc.array(fc.tuple(optionName, optionValue), { maxLength: 8 });

const connectionStrings = fc.oneof(
  anyText,
  fc.tuple(optionValue, optionValue).map(([header, proxy]) => `RestSamplePath=http://127.0.0.1:9/x;AuthHeader=${header};SecurityToken=abcd1234;ProxyHost=${proxy}`),
  pairs.map((ps) => ps.map(([k, v]) => `${k}=${v}`).join(';')),
  mutated(
    [
      'RestSamplePath=https://api.example.com/items;Table=items',
      "AuthenticationMethod=OAuth2;ClientID=a;ClientSecret={s;e}}c};TokenURI='POST https://as.example.com/token';Scope=\"read write\"",
      'RestConfigFile=/tmp/x.rest;HostName=http://127.0.0.1:9;ProxyHost=proxy.example.com;ProxyPort=3128;AuthHeader=X-Tenant;SecurityToken=${TOKEN}',
    ],
    '{}\'";=$ \\',
  ),
);

/**
 * What resolution accepts can be used: the HTTP client builds http://ProxyHost[:ProxyPort] and
 * sends AuthHeader as a header name, so a value that would fail there (exit 1, or INTERNAL) must
 * have been refused here as a configuration error.
 */
function usable(o: ConnectionOptions, input: string): void {
  if (o.proxyHost !== undefined) {
    const u = new URL(`http://${o.proxyHost}${o.proxyPort !== undefined ? `:${o.proxyPort}` : ''}`);
    assert.ok(u.pathname === '/' && !u.search && !u.hash && !u.username, `ProxyHost '${o.proxyHost}' accepted from ${JSON.stringify(input)}`);
  }
  if (o.authHeader !== undefined) assert.ok(isHeaderName(o.authHeader), `AuthHeader '${o.authHeader}' accepted from ${JSON.stringify(input)}`);
}

test('connection strings: parse and resolve end in usable options or a coded error', () => {
  check(connectionStrings, (text) => {
    classified('parseConnectionString+resolveOptions', text, () => usable(resolveOptions({ layers: [parseConnectionString(text)], env: { HOME: '/home/u' } }), text));
  });
});

const iniTexts = fc.oneof(
  anyText,
  fc.tuple(optionValue, optionValue).map(([header, proxy]) => `[Api]\nRestSamplePath=http://127.0.0.1:9/x\nAuthHeader = ${header}\nSecurityToken=abcd1234\nProxyHost=${proxy}\n`),
  fc.array(fc.tuple(fc.option(fc.string({ maxLength: 10 })), pairs), { maxLength: 3 }).map((sections) =>
    sections.map(([name, ps]) => `${name === null ? '' : `[${name}]\n`}${ps.map(([k, v]) => `${k} = ${v}`).join('\n')}`).join('\r\n'),
  ),
  mutated(['[ODBC Data Sources]\nApi=restsql\n\n[Api]\n; comment\nRestSamplePath=https://api.example.com/items\nTable = items\n# more\nWSTimeout=10\n'], '[]=;#\n\r "\'{}'),
);

test('odbc.ini: parse and resolve every section end in usable options or a coded error', () => {
  check(iniTexts, (text) => {
    classified('parseOdbcIni+resolveOptions', text, () => {
      for (const section of parseOdbcIni(text, 'fuzz.ini')) usable(resolveOptions({ layers: [section.entries], env: {} }), text);
    });
  });
});

const MODEL = `// A model file with most of the grammar.
{
  "#hostname": "http://127.0.0.1:9/api",
  "#headers": {"Accept": "application/json", "X-Tenant": "t1"},
  "#maximumPageSize": 100, "#rowOffsetParameter": "offset", "#pageSizeParameter": "limit",
  "#http": [{"#code": 404, "#action": "ZERO_ROWS"}],
  "plain": "https://api.example.com/v1/plain /data",
  "items": {
    "#path": ["GET /items/{id:1} data/items", "POST /search"],
    "#jsonRoot": "'@odata.values'/x",
    "#nextPageElement": "paging.next",
    "id": "Integer,#key",
    "name<title>": "VarChar(40)",
    "meta": {"created": "Timestamp,yyyy-MM-dd", "n": {"#type": "Decimal(10,2)", "#gt": "min", "#header": "X-Min"}},
    "tags[]": "VarChar",
    "orders<ord>[]": {"sku": "VarChar", "lines[]": {"q": "Integer"}},
    "props{VarChar}": "Double",
    "since": {"#type": "Date", "#virtual": true, "#ge": "since", "#default": "2020-01-01"},
  },
}`;

/** The vendor's published shapes: names with spaces and parentheses, maps with precisions, positions, renamed tables, settings. */
const VENDOR_MODEL = `{
  "#authenticationMethod": "OAuth2", "#tokenUri": "http://127.0.0.1:9/token", "#scope": "read",
  "#options": {"ClientID": "c", "WSTimeout": {"default": 30}},
  "StockDaily": {
    "#path": ["http://127.0.0.1:9/query"], "#firstrow": 0,
    "Meta Data": {"2. Symbol": "VarChar(64),#key", "3. Last Refreshed": "Timestamp(0)"},
    "Time Series (Daily){Date}": {"1. open": "Double", "5. volume": "Integer"},
    "Time Series (5min)<ts:Timestamp(0)>": {"4. close": "Double"},
    "symbol": {"#type": "VarChar(64),#key", "#virtual": true, "#default": "MSFT", "#eq": "symbol"}
  },
  "businesssearch<businesssearchroot>": {
    "#path": "http://127.0.0.1:9/search", "#insert": "POST /x",
    "businesses<businesssearch>[]": {"id": "VarChar,#notnull", "ids[2]": "Integer", "p<q>[1]": {"a": "VarChar", "b[2]": {"c": "Integer"}}}
  }
}`;

const modelTexts = fc.oneof(
  anyText,
  mutated([MODEL], '{}[]":,#/\\\'<>(){} \n'),
  mutated([VENDOR_MODEL], '{}[]":,#/\\\'<>(){}0123456789 .\n'),
  fc.json({ maxDepth: 6 }),
  fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('#path', '#headers', '#hostname', '#http', '#jsonRoot', '#nextPageElement', '#maximumPageSize', 'routines', '#authentication')), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }).map((o) => JSON.stringify({ t: { '#path': 'http://127.0.0.1:9/t', ...o }, ...o })),
  fc.tuple(fc.integer({ min: 200, max: 3000 }), fc.constantFrom('{"a":', '[', '{"x":[')).map(([depth, open]) => `{"t": {"#path": "http://127.0.0.1:9/t", "c": ${open.repeat(depth)}`),
);

test('model files: parseModelFile ends in tables or a coded error (MODEL_INVALID, CONFIG_UNSUPPORTED)', () => {
  check(fc.tuple(modelTexts, fc.constantFrom(0, 1, 2), fc.option(url)), ([text, qualifyNames, hostName]) => {
    classified('parseModelFile', text, () => parseModelFile(text, 'fuzz.rest', { qualifyNames: qualifyNames as 0 | 1 | 2, ...(hostName !== null ? { hostName } : {}) }));
  });
});

test('model-file settings: readModelSettings ends in settings or MODEL_INVALID, and each names file:line:column', () => {
  check(modelTexts, (text) => {
    classified('readModelSettings', text, () => {
      for (const st of readModelSettings(text, 'fuzz.rest')) assert.match(st.source, /^fuzz\.rest:\d+:\d+$/);
    });
  });
});

test('model-file errors name the file, line and column', () => {
  check(mutated([VENDOR_MODEL, MODEL], '{}[]":,#<>(){}0123456789 .\n'), (text) => {
    try {
      parseModelFile(text, 'fuzz.rest', { qualifyNames: 0 });
    } catch (e) {
      if (e instanceof RestSqlError && (e.code === 'MODEL_INVALID' || e.code === 'CONFIG_UNSUPPORTED')) assert.match(e.message, /^fuzz\.rest:\d+:\d+: /, e.message);
      else throw e;
    }
  });
});

test('element keys: parseElementKey ends in a key or ElementKeySyntaxError, and formatElementKey reads back', () => {
  const tricky = ['Time Series (5min){Timestamp(0)}', 'Meta Data', '2. Symbol', 'a<b>[]', 'a<b>[3]', 'a{Decimal(10,2)}', 'a<k:Date>', 'x<y>', '(a)[1]'];
  check(fc.oneof(anyText, mutated(tricky, '<>[]{}():,. 0123456789a'), fc.string({ unit: fc.constantFrom('<', '>', '[', ']', '{', '}', '(', ')', ':', ' ', 'a', '1'), maxLength: 24 })), (raw) => {
    classified('parseElementKey', raw, () => parseElementKey(raw), (e) => e instanceof ElementKeySyntaxError);
  });
  const field = fc.string({ maxLength: 10 }).filter((f) => f !== '' && !/[<>[\]{}]$/.test(f));
  const sqlName = fc.string({ unit: fc.constantFrom('a', 'b', '_', '1', ' '), minLength: 1, maxLength: 6 }).filter((n) => n.trim() !== '' && n.trim() === n);
  const keyType = fc.constantFrom('VarChar', 'Date', 'Timestamp(0)', 'Decimal(10,2)');
  const key = fc.oneof(
    fc.record({ field, sqlName: fc.option(sqlName, { nil: undefined }), shape: fc.oneof(fc.constant({ kind: 'plain' as const }), fc.constant({ kind: 'array' as const }), fc.integer({ min: 1, max: 1000 }).map((count) => ({ kind: 'positions' as const, count }))) }),
    fc.record({ field, shape: fc.record({ kind: fc.constant('map' as const), keyType, keyName: fc.option(sqlName, { nil: undefined }) }) }),
  ).map((k) => JSON.parse(JSON.stringify(k)) as ReturnType<typeof parseElementKey>);
  check(key, (k) => {
    assert.deepEqual(parseElementKey(formatElementKey(k)), k);
  });
});

test('element paths: parseElement ends in names or ElementSyntaxError (model-file.ts wraps it as MODEL_INVALID), and formatElement reads back', () => {
  check(fc.oneof(anyText, mutated(["'@odata.nextLink'", "meta/'a.b'/c", 'data.items', "/x/'it''s'/y"], "'/. "), fc.string({ unit: fc.constantFrom("'", '/', '.', ' ', 'a'), maxLength: 30 })), (raw) => {
    classified('parseElement', raw, () => parseElement(raw), (e) => e instanceof ElementSyntaxError);
  });
  check(fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }), (names) => {
    assert.deepEqual(parseElement(formatElement(names)), names);
  });
});

const jsonBodies = fc.oneof(
  fc.json({ maxDepth: 5 }),
  anyText,
  mutated(['{"data": {"items": [{"id": 1, "s": "a\\"]}"}, {"id": 2}]}, "next": null, "n": [1, [2, []]]}'], '{}[]",:\\ 1ae-'),
  fc.integer({ min: 100, max: 20000 }).map((d) => `{"data": ${'['.repeat(d)}1${']'.repeat(d)}}`),
);
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const paths = fc.array(fc.array(fc.oneof(fc.constantFrom('data', 'items', 'next', 'n', 's', 'id'), fc.string({ maxLength: 4 })), { maxLength: 3 }), { minLength: 1, maxLength: 3 });

test('raw JSON scanner: locateJsonValues ends in ranges or MalformedJsonError (page-spool.ts turns that into HTTP_NOT_JSON), in pieces too', () => {
  check(fc.tuple(jsonBodies, paths, fc.array(fc.nat(), { maxLength: 4 })), ([text, ps, cuts]) => {
    const bytes = Buffer.from(text);
    // The body as one buffer and split where the socket might have split it.
    const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const pieces = [0, ...at].map((start, i) => bytes.subarray(start, [...at, bytes.length][i]));
    const whole = (() => {
      try {
        return JSON.stringify(locateJsonValues(bytes, ps));
      } catch (e) {
        return e instanceof MalformedJsonError ? 'malformed' : 'other';
      }
    })();
    classified('locateJsonValues', { text, ps }, () => locateJsonValues(bytes, ps), (e) => e instanceof MalformedJsonError);
    classified('locateJsonValues (pieces)', { text, ps, at }, () => {
      let split: string;
      try {
        split = JSON.stringify(locateJsonValues(pieces, ps));
      } catch (e) {
        split = e instanceof MalformedJsonError ? 'malformed' : 'other';
      }
      // On malformed bodies the scanner only promises to stop somewhere (its header: what it lets
      // through, JSON.parse or DuckDB rejects later); on well-formed ones the split must not matter.
      if (isJson(text)) assert.equal(split, whole, 'the same answer whichever way a well-formed body is split');
    });
  });
});
