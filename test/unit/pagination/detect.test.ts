import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectJsonRoot, recordsAt } from '../../../src/model/json-root.js';
import { parseModelFile } from '../../../src/model/model-file.js';
import { writeRestModel } from '../../../src/model/rest-writer.js';
import { inferTable } from '../../../src/model/sampler.js';
import type { PagingDef } from '../../../src/model/types.js';
import { detectPaging, type FirstPage } from '../../../src/pagination/detect.js';
import { createPaginator, type PageSeen } from '../../../src/pagination/paginator.js';

const URL0 = 'https://api.test/v1/items';
const rows = (n: number, from = 1) => Array.from({ length: n }, (_x, i) => ({ id: from + i }));

function page(body: unknown, o: { url?: string; headers?: FirstPage['headers'] } = {}): FirstPage {
  return { body, jsonRoot: detectJsonRoot(body), headers: o.headers ?? {}, url: o.url ?? URL0 };
}

/** The paging keys that matter, without the defaults every PagingDef carries. */
function keys(p: PagingDef | undefined): Record<string, unknown> | undefined {
  if (!p) return undefined;
  const { firstRowNumber, firstPageNumber, ...rest } = p;
  return { ...rest, ...(firstRowNumber !== 0 ? { firstRowNumber } : {}), ...(firstPageNumber !== 0 ? { firstPageNumber } : {}) };
}

const DETECTED: { shape: string; first: FirstPage; paging: Record<string, unknown> }[] = [
  { shape: 'next: absolute URL (Django REST framework)', first: page({ count: 30, next: `${URL0}?page=2`, previous: null, results: rows(10) }), paging: { nextPageElement: ['next'] } },
  { shape: 'links.next: path from the root', first: page({ data: rows(5), links: { next: '/v1/items?page=2' } }), paging: { nextPageElement: ['links', 'next'] } },
  { shape: 'links.next.href (link object)', first: page({ data: rows(5), links: { next: { href: '/v1/items?page=2' } } }), paging: { nextPageElement: ['links', 'next', 'href'] } },
  { shape: '_links.next.href (HAL)', first: page({ _embedded: { items: rows(5) }, _links: { self: { href: URL0 }, next: { href: `${URL0}?page=1` } } }), paging: { nextPageElement: ['_links', 'next', 'href'] } },
  { shape: '@odata.nextLink (a member name with a dot)', first: page({ '@odata.context': 'x', '@odata.count': 12, value: rows(5), '@odata.nextLink': `${URL0}?$skip=5` }), paging: { nextPageElement: ['@odata.nextLink'] } },
  { shape: 'nextLink (Azure)', first: page({ value: rows(5), nextLink: `${URL0}?skiptoken=x` }), paging: { nextPageElement: ['nextLink'] } },
  { shape: 'next_page_url (Laravel)', first: page({ current_page: 1, data: rows(5), next_page_url: `${URL0}?page=2`, last_page: 3 }), paging: { nextPageElement: ['next_page_url'] } },
  { shape: 'paging.next (Graph API)', first: page({ data: rows(5), paging: { cursors: { after: 'QVFI' }, next: `${URL0}?after=QVFI` } }), paging: { nextPageElement: ['paging', 'next'] } },
  { shape: 'meta.next', first: page({ items: rows(5), meta: { next: '?page=2', total: 20 } }), paging: { nextPageElement: ['meta', 'next'] } },
  { shape: 'pagination.next', first: page({ results: rows(5), pagination: { next: `${URL0}?page=2` } }), paging: { nextPageElement: ['pagination', 'next'] } },
  { shape: 'next URL beside the records under an object', first: { body: { result: { items: rows(3), next: '/v1/items?p=2' } }, jsonRoot: ['result', 'items'], headers: {}, url: URL0 }, paging: { nextPageElement: ['result', 'next'] } },
  { shape: 'Link header, rel="next"', first: page(rows(5), { headers: { link: `<${URL0}?page=2>; rel="next", <${URL0}?page=9>; rel="last"` } }), paging: { nextPageResponseHeader: 'link' } },
  { shape: 'Link header beside an envelope', first: page({ data: rows(5), total: 50 }, { headers: { link: '</v1/items?page=2>; rel="next"' } }), paging: { nextPageResponseHeader: 'link' } },
  { shape: 'page + total_pages at the top (reqres)', first: page({ page: 1, per_page: 6, total: 12, total_pages: 2, data: rows(6) }, { url: `${URL0}?page=1` }), paging: { pageNumberParameter: { name: 'page', value: '{PAGE}' }, firstPageNumber: 1, maximumPageSize: 6, totalPagesElement: ['total_pages'] } },
  { shape: 'meta.totalPages with meta.currentPage, numbered from 0', first: page({ data: rows(4), meta: { currentPage: 0, totalPages: 3 } }, { url: `${URL0}?page=0` }), paging: { pageNumberParameter: { name: 'page', value: '{PAGE}' }, maximumPageSize: 4, totalPagesElement: ['meta', 'totalPages'] } },
  { shape: 'pagination.page_count, the page parameter named in the URL', first: page({ results: rows(4), pagination: { page_count: 3 } }, { url: `${URL0}?pageNumber=1&size=4` }), paging: { pageNumberParameter: { name: 'pageNumber', value: '{PAGE}' }, firstPageNumber: 1, maximumPageSize: 4, totalPagesElement: ['pagination', 'page_count'] } },
  { shape: 'pages with current_page, which the URL names', first: page({ items: rows(2), current_page: 1, pages: '3' }, { url: `${URL0}?current_page=1` }), paging: { pageNumberParameter: { name: 'current_page', value: '{PAGE}' }, firstPageNumber: 1, maximumPageSize: 2, totalPagesElement: ['pages'] } },
  { shape: 'next_cursor sent back as cursor', first: page({ data: rows(3), next_cursor: 'c2' }, { url: `${URL0}?cursor=&limit=3` }), paging: { nextPageElement: ['next_cursor'], nextPageParameter: { name: 'cursor', value: '{NEXT}' } } },
  { shape: 'nextPageToken sent back as pageToken (Google)', first: page({ items: rows(3), nextPageToken: 'tok2' }, { url: `${URL0}?pageToken=` }), paging: { nextPageElement: ['nextPageToken'], nextPageParameter: { name: 'pageToken', value: '{NEXT}' } } },
  { shape: 'next_page_token sent back as page_token', first: page({ items: rows(3), next_page_token: 'tok2' }, { url: `${URL0}?page_token=` }), paging: { nextPageElement: ['next_page_token'], nextPageParameter: { name: 'page_token', value: '{NEXT}' } } },
  { shape: 'response_metadata.next_cursor (Slack)', first: page({ ok: true, members: rows(3), response_metadata: { next_cursor: 'dXNlcjpV' } }, { url: `${URL0}?cursor=&limit=3` }), paging: { nextPageElement: ['response_metadata', 'next_cursor'], nextPageParameter: { name: 'cursor', value: '{NEXT}' } } },
  { shape: 'cursor with has_more beside it', first: page({ data: rows(3), cursor: 'c2', has_more: true }, { url: `${URL0}?cursor=` }), paging: { nextPageElement: ['cursor'], nextPageParameter: { name: 'cursor', value: '{NEXT}' }, hasMoreElement: ['has_more'] } },
  { shape: 'meta.nextCursor, URL parameter spelled next_cursor', first: page({ data: rows(3), meta: { nextCursor: 'c2' } }, { url: `${URL0}?next_cursor=` }), paging: { nextPageElement: ['meta', 'nextCursor'], nextPageParameter: { name: 'next_cursor', value: '{NEXT}' } } },
  { shape: 'a null cursor (the last page) still declares the paging', first: page({ data: rows(3), next_cursor: null }, { url: `${URL0}?cursor=` }), paging: { nextPageElement: ['next_cursor'], nextPageParameter: { name: 'cursor', value: '{NEXT}' } } },
  { shape: 'next_page number sent back as page', first: page({ data: rows(3), next_page: 2 }, { url: `${URL0}?page=1` }), paging: { nextPageElement: ['next_page'], nextPageParameter: { name: 'page', value: '{NEXT}' } } },
];

for (const c of DETECTED) {
  test(`detects: ${c.shape}`, () => {
    const d = detectPaging(c.first);
    assert.equal(d.warning, undefined);
    assert.deepEqual(keys(d.paging), c.paging);
    assert.ok(Object.isFrozen(d.paging));
  });
}

test('a body next URL wins over the Link header, page counts and cursors', () => {
  const d = detectPaging(page({ data: rows(3), next: '/v1/items?page=2', page: 1, total_pages: 4, next_cursor: 'x' }, { url: `${URL0}?cursor=`, headers: { link: '</other?page=2>; rel="next"' } }));
  assert.deepEqual(d.paging?.nextPageElement, ['next']);
  assert.equal(d.paging?.pageNumberParameter, undefined);
});

const QUIET: { shape: string; first: FirstPage }[] = [
  { shape: 'a bare array, no headers', first: page(rows(5)) },
  { shape: 'a bare array whose records have a next member', first: page([{ id: 1, next: 'https://api.test/x', total: 99, has_more: true }]) },
  { shape: 'a single record', first: page({ id: 1, next: '/v1/items/2', total_pages: 3, page: 1 }) },
  { shape: 'a total equal to the records', first: page({ data: rows(3), total: 3 }) },
  { shape: 'next: null (the only page)', first: page({ count: 3, next: null, previous: null, results: rows(3) }) },
  { shape: 'has_more false', first: page({ data: rows(3), has_more: false }) },
  { shape: 'one page in all, page unknown', first: page({ data: rows(3), total_pages: 1 }) },
  { shape: 'a Link header without rel="next" (the last page)', first: page(rows(3), { headers: { link: `<${URL0}?page=1>; rel="first", <${URL0}?page=3>; rel="prev"` } }) },
  { shape: 'X-Total-Count equal to the records', first: page(rows(3), { headers: { 'x-total-count': '3' } }) },
];

for (const c of QUIET) {
  test(`no paging and no warning: ${c.shape}`, () => {
    assert.deepEqual(detectPaging(c.first), {});
  });
}

const WARNED: { shape: string; first: FirstPage; says: RegExp[] }[] = [
  { shape: 'total_count above the records', first: page({ items: rows(100), total_count: 250 }), says: [/'total_count' is 250/, /100 record\(s\)/, /#totalRowsElement": "total_count"/, /#rowOffsetParameter/] },
  { shape: 'meta.total above the records', first: page({ data: rows(10), meta: { total: 11 } }), says: [/'meta\/total' is 11/, /#totalRowsElement": "meta\/total"/] },
  { shape: '@odata.count above the records (element quoted)', first: page({ value: rows(10), '@odata.count': 40 }), says: [/'@odata\.count' is 40/, /#totalRowsElement": "'@odata\.count'"/] },
  { shape: 'count above the records', first: page({ results: rows(10), count: 11 }), says: [/'count' is 11/] },
  { shape: 'has_more true (Stripe)', first: page({ object: 'list', data: rows(10), has_more: true }), says: [/'has_more' is true/, /#hasMoreElement": "has_more"/] },
  { shape: 'hasMore true', first: page({ items: rows(10), hasMore: true }), says: [/'hasMore' is true/] },
  { shape: 'a next token and no parameter for it', first: page({ items: rows(10), nextPageToken: 'abc' }), says: [/'nextPageToken' holds a next-page token/, /#nextPageElement": "nextPageToken"/, /#nextPageParameter/] },
  { shape: 'a next "URL" that is neither absolute nor from the root', first: page({ data: rows(10), next: 'items?page=2' }), says: [/'next' holds a next-page token/] },
  { shape: 'a next URL that is the sampled URL', first: page({ data: rows(10), next: URL0 }), says: [/'next' points back at the sampled URL/] },
  { shape: 'a cursor that repeats the URL\'s', first: page({ data: rows(10), cursor: 'c1' }, { url: `${URL0}?cursor=c1` }), says: [/'cursor' repeats the URL's cursor/] },
  { shape: 'total_pages without a page number', first: page({ data: rows(10), total_pages: 5 }), says: [/'total_pages' is 5 but the URL names no page parameter/, /#pageNumberParameter": "<the API's page parameter>"/, /#totalPagesElement": "total_pages"/] },
  // A guessed parameter an API ignores would serve page 1 again and again: no guess, a warning.
  { shape: 'page + total_pages, the URL names no page parameter', first: page({ page: 1, total_pages: 3, data: rows(2) }), says: [/'total_pages' is 3 but the URL names no page parameter to ask for the others with \(give it, e\.g\. \?page=1\)/] },
  { shape: 'total_pages with the page number in the URL only', first: page({ data: rows(10), total_pages: 5 }, { url: `${URL0}?pg=1` }), says: [/the URL names no page parameter/] },
  { shape: 'total_pages sampled from page 3', first: page({ data: rows(10), total_pages: 5, page: 3 }, { url: `${URL0}?page=3` }), says: [/this is page 3, not the first/] },
  { shape: 'the body and the URL disagree on the page', first: page({ data: rows(10), total_pages: 5, page: 1 }, { url: `${URL0}?page=2` }), says: [/'page' is 1 but the URL asks for page=2/] },
  { shape: 'X-Total-Count above the records', first: page(rows(10), { headers: { 'x-total-count': '31' } }), says: [/header x-total-count is 31/] },
  { shape: 'X-Next-Page header', first: page(rows(10), { headers: { 'x-next-page': '2' } }), says: [/header x-next-page is set/, /#nextPageResponseHeader": "x-next-page"/] },
];

for (const c of WARNED) {
  test(`warns: ${c.shape}`, () => {
    const d = detectPaging(c.first);
    assert.equal(d.paging, undefined);
    assert.ok(d.warning, 'a warning');
    assert.match(d.warning, /only the first page is read/);
    assert.match(d.warning, /model file/);
    assert.match(d.warning, /docs\/model-file\.md/);
    for (const re of c.says) assert.match(d.warning, re);
  });
}

/** The first page as the scan hands it to the paginator when it reuses the sampled response. */
function seen(first: FirstPage, headers: PageSeen['headers'] = {}): PageSeen {
  return { records: recordsAt(first.body, first.jsonRoot), body: first.body, headers, url: first.url };
}

test('the paginator continues from the sampled page: next URL, page numbers, cursor', () => {
  const nextUrl = page({ value: rows(5), '@odata.nextLink': '/v1/items?$skip=5' });
  assert.deepEqual(createPaginator(detectPaging(nextUrl).paging).next(seen(nextUrl)), { url: 'https://api.test/v1/items?$skip=5' });

  // Page numbers: the first request is the sampled page itself; the rest are the pages after it, none twice.
  const pages = page({ page: 1, total_pages: 3, data: rows(6) }, { url: `${URL0}?page=1` });
  const byPage = createPaginator(detectPaging(pages).paging);
  assert.deepEqual(byPage.first(), { params: { page: '1' } });
  assert.deepEqual(byPage.remaining(seen(pages)), [{ params: { page: '2' } }, { params: { page: '3' } }]);
  const fromZero = page({ data: rows(4), meta: { currentPage: 0, totalPages: 3 } }, { url: `${URL0}?page=0` });
  assert.deepEqual(createPaginator(detectPaging(fromZero).paging).remaining(seen(fromZero)), [{ params: { page: '1' } }, { params: { page: '2' } }]);

  const cursor = page({ data: rows(3), cursor: 'c2', has_more: true }, { url: `${URL0}?cursor=` });
  const byCursor = createPaginator(detectPaging(cursor).paging);
  assert.deepEqual(byCursor.first(), { params: {} });
  assert.deepEqual(byCursor.next(seen(cursor)), { params: { cursor: 'c2' } });
  const last = page({ data: rows(3), cursor: 'c3', has_more: false }, { url: `${URL0}?cursor=c2` });
  assert.equal(byCursor.next(seen(last)), undefined);

  const link = page(rows(5), { headers: { link: '</v1/items?page=2>; rel="next"' } });
  assert.deepEqual(createPaginator(detectPaging(link).paging).next(seen(link, link.headers)), { url: 'https://api.test/v1/items?page=2' });
});

test('every detected paging survives the model file: written by restsql sample, read back the same', () => {
  for (const c of DETECTED) {
    const paging = detectPaging(c.first).paging!;
    const table = inferTable('items', recordsAt(c.first.body, c.first.jsonRoot), { qualifyNames: 0 });
    const text = writeRestModel({ endpoints: [{ url: c.first.url, method: 'GET', jsonRoot: c.first.jsonRoot, table, paging }] });
    const back = parseModelFile(text, 'sampled.rest', { qualifyNames: 0 }).tables[0]!;
    assert.deepEqual(back.paging, paging, `${c.shape}\n${text}`);
    assert.deepEqual(back.jsonRoot, c.first.jsonRoot, c.shape);
  }
});
