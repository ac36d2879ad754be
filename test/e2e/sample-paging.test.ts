/**
 * Sampling a paged endpoint (RestSamplePath, `restsql sample URL`) through the real CLI against a
 * loopback API that pages in each common way: every row of every page comes back, each page is
 * requested once, the sampled model carries the paging and reads back to the same rows; an API
 * whose paging is not recognised gets a warning and its first page.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const ROWS = Array.from({ length: 23 }, (_x, i) => ({ id: i + 1, name: `item ${i + 1}` }));
const SIZE = 5;
const PAGES = Math.ceil(ROWS.length / SIZE);
const rowsOf = (i: number) => ROWS.slice(i * SIZE, (i + 1) * SIZE);
const last = (i: number) => i >= PAGES - 1;

interface Shape {
  readonly name: string;
  /** Sample path (with query) on the server; the table is `items`. */
  readonly path: string;
  /** Which page (0-based) a request asks for. */
  page(q: URLSearchParams): number;
  respond(i: number, base: string): { body: unknown; headers?: Record<string, string> };
  /** What `restsql sample` must write. */
  readonly keys: RegExp[];
}

const byPage = (name: string, from = 1) => (q: URLSearchParams) => Number(q.get(name) ?? from) - from;
const byCursor = (name: string) => (q: URLSearchParams) => (q.get(name) ? Number(q.get(name)!.slice(1)) : 0);

const SHAPES: Shape[] = [
  { name: 'next (absolute URL)', path: '/next/items', page: byPage('page'), respond: (i, b) => ({ body: { count: ROWS.length, next: last(i) ? null : `${b}/next/items?page=${i + 2}`, previous: null, results: rowsOf(i) } }), keys: [/"#nextPageElement": "next"/] },
  { name: 'links.next (path from the root)', path: '/links/items', page: byPage('page'), respond: (i) => ({ body: { data: rowsOf(i), links: { self: `/links/items?page=${i + 1}`, ...(last(i) ? {} : { next: `/links/items?page=${i + 2}` }) } } }), keys: [/"#nextPageElement": "links\/next"/] },
  { name: '_links.next.href (HAL)', path: '/hal/items', page: byPage('page'), respond: (i, b) => ({ body: { _embedded: { items: rowsOf(i) }, _links: { self: { href: `${b}/hal/items?page=${i + 1}` }, ...(last(i) ? {} : { next: { href: `${b}/hal/items?page=${i + 2}` } }) } } }), keys: [/"#nextPageElement": "_links\/next\/href"/, /"#path": "GET \S+\/hal\/items \/_embedded\/items"/] },
  { name: '@odata.nextLink', path: '/odata/items', page: (q) => Number(q.get('$skip') ?? 0) / SIZE, respond: (i, b) => ({ body: { '@odata.context': `${b}/$metadata#items`, value: rowsOf(i), ...(last(i) ? {} : { '@odata.nextLink': `${b}/odata/items?$skip=${(i + 1) * SIZE}` }) } }), keys: [/"#nextPageElement": "'@odata\.nextLink'"/] },
  { name: 'nextLink', path: '/nextlink/items', page: byCursor('skiptoken'), respond: (i, b) => ({ body: { value: rowsOf(i), nextLink: last(i) ? null : `${b}/nextlink/items?skiptoken=s${i + 1}` } }), keys: [/"#nextPageElement": "nextLink"/] },
  { name: 'next_page_url (Laravel)', path: '/laravel/items', page: byPage('page'), respond: (i, b) => ({ body: { current_page: i + 1, data: rowsOf(i), next_page_url: last(i) ? null : `${b}/laravel/items?page=${i + 2}`, last_page: PAGES, per_page: SIZE, total: ROWS.length } }), keys: [/"#nextPageElement": "next_page_url"/] },
  { name: 'paging.next', path: '/paging/items', page: byCursor('after'), respond: (i, b) => ({ body: { data: rowsOf(i), paging: { cursors: { after: `a${i + 1}` }, ...(last(i) ? {} : { next: `${b}/paging/items?after=a${i + 1}` }) } } }), keys: [/"#nextPageElement": "paging\/next"/] },
  { name: 'meta.next (a query-only URL)', path: '/meta/items', page: byPage('page'), respond: (i) => ({ body: { items: rowsOf(i), meta: { next: last(i) ? null : `?page=${i + 2}` } } }), keys: [/"#nextPageElement": "meta\/next"/] },
  { name: 'pagination.next', path: '/pagination/items', page: byPage('page'), respond: (i, b) => ({ body: { results: rowsOf(i), pagination: { next: last(i) ? null : `${b}/pagination/items?page=${i + 2}` } } }), keys: [/"#nextPageElement": "pagination\/next"/] },
  {
    name: 'Link header, rel="next"',
    path: '/link/items',
    page: byPage('page'),
    respond: (i, b) => ({ body: rowsOf(i), headers: { link: [`<${b}/link/items?page=1>; rel="first"`, ...(last(i) ? [] : [`<${b}/link/items?page=${i + 2}>; rel="next"`])].join(', ') } }),
    keys: [/"#nextPageResponseHeader": "link"/],
  },
  { name: 'page + total_pages (the URL names the page parameter)', path: '/pages/items?page=1', page: byPage('page'), respond: (i) => ({ body: { page: i + 1, per_page: SIZE, total: ROWS.length, total_pages: PAGES, data: rowsOf(i) } }), keys: [/"#pageNumberParameter": "page"/, /"#firstPageNumber": 1/, /"#maximumPageSize": 5/, /"#totalPagesElement": "total_pages"/] },
  { name: 'meta.totalPages from 0, page parameter in the URL', path: '/zero/items?page_number=0&size=5', page: byPage('page_number', 0), respond: (i) => ({ body: { data: rowsOf(i), meta: { currentPage: i, totalPages: PAGES } } }), keys: [/"#pageNumberParameter": "page_number"/, /"#totalPagesElement": "meta\/totalPages"/] },
  { name: 'next_cursor -> cursor', path: '/cursor/items?cursor=&limit=5', page: byCursor('cursor'), respond: (i) => ({ body: { data: rowsOf(i), next_cursor: last(i) ? null : `c${i + 1}` } }), keys: [/"#nextPageElement": "next_cursor"/, /"#nextPageParameter": "cursor"/] },
  { name: 'nextPageToken -> pageToken', path: '/token/items?pageToken=', page: byCursor('pageToken'), respond: (i) => ({ body: { items: rowsOf(i), ...(last(i) ? {} : { nextPageToken: `t${i + 1}` }) } }), keys: [/"#nextPageElement": "nextPageToken"/, /"#nextPageParameter": "pageToken"/] },
  { name: 'response_metadata.next_cursor (Slack)', path: '/slack/items?cursor=&limit=5', page: byCursor('cursor'), respond: (i) => ({ body: { ok: true, members: rowsOf(i), response_metadata: { next_cursor: last(i) ? '' : `u${i + 1}` } } }), keys: [/"#nextPageElement": "response_metadata\/next_cursor"/, /"#nextPageParameter": "cursor"/] },
];

const UNRECOGNISED: { name: string; path: string; respond: () => unknown; says: RegExp }[] = [
  { name: 'total_count above the rows', path: '/total/items', respond: () => ({ items: rowsOf(0), total_count: ROWS.length }), says: /'total_count' is 23.*"#totalRowsElement": "total_count"/ },
  { name: 'has_more', path: '/hasmore/items', respond: () => ({ object: 'list', data: rowsOf(0), has_more: true }), says: /'has_more' is true.*"#hasMoreElement": "has_more"/ },
  { name: 'a next token and no parameter for it', path: '/tokenless/items', respond: () => ({ items: rowsOf(0), nextPageToken: 't1' }), says: /'nextPageToken' holds a next-page token.*"#nextPageElement": "nextPageToken" and "#nextPageParameter"/ },
];

let server: Listening<Server> | undefined;
let base = '';
/** Pages served, per route: the 0-based page numbers in the order asked. */
const served = new Map<string, number[]>();
const dir = tempDir(after, 'restsql-sample-paging-');

before(async () => {
  server = await startHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const shape = SHAPES.find((s) => s.path.split('?')[0] === url.pathname);
    const plain = UNRECOGNISED.find((s) => s.path === url.pathname);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (plain) {
      served.set(url.pathname, [...(served.get(url.pathname) ?? []), 0]);
      return send(200, plain.respond());
    }
    if (!shape) return send(404, { error: 'no such route' });
    const i = shape.page(url.searchParams);
    served.set(url.pathname, [...(served.get(url.pathname) ?? []), i]);
    if (!Number.isInteger(i) || i < 0 || i >= PAGES) return send(400, { error: `no page ${i}` });
    const { body, headers } = shape.respond(i, base);
    return send(200, body, headers);
  });
  base = server.url;
});
after(() => server?.close());

const COUNT_SQL = 'SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM items';
const ALL = [{ n: ROWS.length, ids: ROWS.length, lo: 1, hi: ROWS.length }];

async function query(conn: string): Promise<{ rows: unknown; stderr: string }> {
  const r = await runCli(['query', '--connect', conn, '--format', 'json', COUNT_SQL]);
  assert.equal(r.code, 0, r.stderr);
  return { rows: JSON.parse(r.stdout), stderr: r.stderr };
}

/** The pages a run asked for, sorted, and forgets them. */
function take(path: string): number[] {
  const pages = served.get(path.split('?')[0]!) ?? [];
  served.delete(path.split('?')[0]!);
  return [...pages].sort((a, b) => a - b);
}

const everyPageOnce = Array.from({ length: PAGES }, (_x, i) => i);

for (const shape of SHAPES) {
  test(`RestSamplePath pages through ${shape.name}; restsql sample writes the paging and it reads back`, async () => {
    const url = `${base}${shape.path}`;
    const q = await query(`RestSamplePath=${url}`);
    assert.deepEqual(q.rows, ALL);
    assert.doesNotMatch(q.stderr, /warning/);
    assert.deepEqual(take(shape.path), everyPageOnce, 'each page requested once');

    const s = await runCli(['sample', url]);
    assert.equal(s.code, 0, s.stderr);
    for (const key of shape.keys) assert.match(s.stdout, key);
    assert.deepEqual(take(shape.path), [0], 'sampling reads the first page only');

    const file = join(dir, `${shape.path.split('/')[1]}.rest`);
    writeFileSync(file, s.stdout);
    const back = await query(`RestConfigFile=${file}`);
    assert.deepEqual(back.rows, ALL, s.stdout);
    assert.deepEqual(take(shape.path), everyPageOnce, 'each page requested once by the model file');
  });
}

for (const c of UNRECOGNISED) {
  test(`RestSamplePath warns when the paging is not recognised: ${c.name}`, async () => {
    const q = await query(`RestSamplePath=${base}${c.path}`);
    assert.deepEqual(q.rows, [{ n: SIZE, ids: SIZE, lo: 1, hi: SIZE }]);
    assert.match(q.stderr, /restsql: warning: the first page of http:\/\/127\.0\.0\.1:\d+\/\w+\/items has 5 record\(s\) and signals more/);
    assert.match(q.stderr, c.says);
    assert.match(q.stderr, /only the first page is read/);
    assert.deepEqual(take(c.path), [0]);

    const s = await runCli(['sample', `${base}${c.path}`]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /restsql: warning: /);
    assert.doesNotMatch(s.stdout, /#(nextPage|pageNumber|rowOffset|hasMore)/);
    take(c.path);
  });
}
