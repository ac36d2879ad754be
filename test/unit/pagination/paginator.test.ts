/**
 * The paginator on its own (no network): for each paging style, the first request, the request
 * after each page, when it stops, the requests it can plan ahead from a total, and how a next
 * link is resolved (a foreign or non-http link comes out as the URL it really is, for the HTTP
 * client's origin check to refuse).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestSqlError } from '../../../src/errors/index.js';
import type { PagingDef } from '../../../src/model/types.js';
import { createPaginator, linkNext, pagingElements, type PageRequest, type PageSeen } from '../../../src/pagination/paginator.js';

const URL0 = 'https://api.test/v1/items';

function paging(p: Partial<PagingDef>): PagingDef {
  return { firstRowNumber: 0, firstPageNumber: 0, ...p };
}

/** A plain URI parameter: `name={PLACEHOLDER}`. */
const param = (name: string, placeholder: 'LIMIT' | 'OFFSET' | 'PAGE' | 'NEXT') => ({ name, value: `{${placeholder}}` });

function seen(records: number, body: unknown = {}, o: { headers?: PageSeen['headers']; url?: string; counted?: boolean } = {}): PageSeen {
  const rows = Array.from({ length: records }, (_x, i) => ({ id: i }));
  // Bulk loading hands the paginator a count instead of parsed records.
  return o.counted ? { records: [], recordCount: records, body, headers: o.headers ?? {}, url: o.url ?? URL0 } : { records: rows, body, headers: o.headers ?? {}, url: o.url ?? URL0 };
}

/**
 * Follows a paginator against `api` (a request to the page it answers with) until it stops;
 * returns the requests made. Bounded, so a paginator that never stops fails the test.
 */
function walk(p: PagingDef, api: (r: PageRequest) => PageSeen, max = 50): PageRequest[] {
  const paginator = createPaginator(p);
  const sent: PageRequest[] = [];
  let r: PageRequest | undefined = paginator.first();
  while (r) {
    sent.push(r);
    assert.ok(sent.length <= max, `more than ${max} requests: ${JSON.stringify(sent.slice(-3))}`);
    r = paginator.next(api(r));
  }
  return sent;
}

const params = (r: PageRequest) => ('params' in r ? r.params : assert.fail(`expected parameters, got ${JSON.stringify(r)}`));

/** An offset-paged API of `total` rows that answers at most `cap` rows a page (and says how many in meta.limit when `tell`). */
function offsetApi(total: number, o: { offsetParam?: string; limitParam?: string; first?: number; cap?: number; body?: (rows: number, offset: number) => unknown } = {}) {
  return (r: PageRequest): PageSeen => {
    const q = params(r);
    const offset = Number(q[o.offsetParam ?? 'offset']) - (o.first ?? 0);
    const limit = Math.min(Number(q[o.limitParam ?? 'limit'] ?? 10), o.cap ?? Infinity);
    const n = Math.max(0, Math.min(limit, total - offset));
    return seen(n, o.body?.(n, offset) ?? {});
  };
}

test('no paging: one request without parameters, nothing after it, nothing to plan ahead', () => {
  const p = createPaginator(undefined);
  assert.equal(p.style, 'none');
  assert.deepEqual(p.first(), { params: {} });
  assert.equal(p.next(seen(100)), undefined);
  assert.deepEqual(p.remaining(seen(100)), []);
});

const OFFSET = paging({ maximumPageSize: 10, pageSizeParameter: param('limit', 'LIMIT'), rowOffsetParameter: param('offset', 'OFFSET') });

const SEQUENCES: { name: string; paging: PagingDef; api: (r: PageRequest) => PageSeen; want: Record<string, string>[] }[] = [
  {
    name: 'offset: a short page is the last (23 rows, pages of 10)',
    paging: OFFSET,
    api: offsetApi(23),
    want: [{ limit: '10', offset: '0' }, { limit: '10', offset: '10' }, { limit: '10', offset: '20' }],
  },
  {
    name: 'offset: rows a multiple of the page size end with an empty page',
    paging: OFFSET,
    api: offsetApi(20),
    want: [{ limit: '10', offset: '0' }, { limit: '10', offset: '10' }, { limit: '10', offset: '20' }],
  },
  {
    name: 'offset with a total: no request past the total',
    paging: { ...OFFSET, totalRowsElement: ['total'] },
    api: offsetApi(20, { body: () => ({ total: 20 }) }),
    want: [{ limit: '10', offset: '0' }, { limit: '10', offset: '10' }],
  },
  {
    name: 'offset with a total written as a string',
    paging: { ...OFFSET, totalRowsElement: ['meta', 'total'] },
    api: offsetApi(20, { body: () => ({ meta: { total: '20' } }) }),
    want: [{ limit: '10', offset: '0' }, { limit: '10', offset: '10' }],
  },
  {
    name: 'offset from 1 (startAt/maxResults) with a total',
    paging: paging({ maximumPageSize: 10, pageSizeParameter: param('maxResults', 'LIMIT'), rowOffsetParameter: param('startAt', 'OFFSET'), firstRowNumber: 1, totalRowsElement: ['total'] }),
    api: offsetApi(23, { offsetParam: 'startAt', limitParam: 'maxResults', first: 1, body: () => ({ total: 23 }) }),
    want: [{ maxResults: '10', startAt: '1' }, { maxResults: '10', startAt: '11' }, { maxResults: '10', startAt: '21' }],
  },
  {
    name: 'offset: the API caps pages at 5 and says so (#pageSizeElement): the offset moves by what came',
    paging: { ...OFFSET, pageSizeElement: ['meta', 'limit'] },
    api: offsetApi(12, { cap: 5, body: () => ({ meta: { limit: 5 } }) }),
    want: [{ limit: '10', offset: '0' }, { limit: '10', offset: '5' }, { limit: '10', offset: '10' }],
  },
  {
    name: 'offset in a template parameter that carries the page size too (no separate size parameter)',
    paging: paging({ maximumPageSize: 10, rowOffsetParameter: { name: 'locator', value: 'start:{OFFSET},count:{LIMIT}' } }),
    api: (r) => {
      const [, start, count] = /^start:(\d+),count:(\d+)$/.exec(params(r).locator!)!;
      return seen(Math.max(0, Math.min(Number(count), 23 - Number(start))));
    },
    want: [{ locator: 'start:0,count:10' }, { locator: 'start:10,count:10' }, { locator: 'start:20,count:10' }],
  },
  {
    name: 'has-more element: false ends a run of full pages',
    paging: paging({ maximumPageSize: 5, rowOffsetParameter: param('offset', 'OFFSET'), hasMoreElement: ['has_more'] }),
    api: (r) => {
      const offset = Number(params(r).offset);
      return seen(5, { has_more: offset + 5 < 15 });
    },
    want: [{ offset: '0' }, { offset: '5' }, { offset: '10' }],
  },
  {
    name: 'has-more element missing from a full page: no more pages',
    paging: paging({ maximumPageSize: 5, rowOffsetParameter: param('offset', 'OFFSET'), hasMoreElement: ['has_more'] }),
    api: () => seen(5, {}),
    want: [{ offset: '0' }],
  },
  {
    name: 'page numbers from 1 with a page-count element',
    paging: paging({ maximumPageSize: 5, pageSizeParameter: param('per_page', 'LIMIT'), pageNumberParameter: param('page', 'PAGE'), firstPageNumber: 1, totalPagesElement: ['meta', 'total_pages'] }),
    // Full pages every time: only the page count can stop it.
    api: () => seen(5, { meta: { total_pages: 3 } }),
    want: [{ per_page: '5', page: '1' }, { per_page: '5', page: '2' }, { per_page: '5', page: '3' }],
  },
  {
    name: 'page numbers with a row total: stops when pages x page size reach it',
    paging: paging({ maximumPageSize: 5, pageNumberParameter: param('p', 'PAGE'), totalRowsElement: ['total'] }),
    api: () => seen(5, { total: 11 }),
    want: [{ p: '0' }, { p: '1' }, { p: '2' }],
  },
  {
    name: 'bulk loading counts records without parsing them: the same stop rules hold',
    paging: OFFSET,
    api: (r) => {
      const n = Math.max(0, Math.min(10, 23 - Number(params(r).offset)));
      return seen(n, {}, { counted: true });
    },
    want: [{ limit: '10', offset: '0' }, { limit: '10', offset: '10' }, { limit: '10', offset: '20' }],
  },
];

for (const c of SEQUENCES) {
  test(`sequence: ${c.name}`, () => {
    assert.deepEqual(walk(c.paging, c.api).map(params), c.want);
  });
}

test('an empty first page ends offset and page-number paging at once, whatever the body says', () => {
  for (const p of [OFFSET, paging({ maximumPageSize: 5, pageNumberParameter: param('page', 'PAGE'), totalPagesElement: ['pages'] })]) {
    assert.equal(createPaginator(p).next(seen(0, { pages: 9, total: 100 })), undefined);
  }
});

const REMAINING: { name: string; paging: PagingDef; first: PageSeen; want: Record<string, string>[] | undefined }[] = [
  { name: 'offset, 23 rows in pages of 10', paging: { ...OFFSET, totalRowsElement: ['total'] }, first: seen(10, { total: 23 }), want: [{ limit: '10', offset: '10' }, { limit: '10', offset: '20' }] },
  { name: 'offset from 1', paging: paging({ maximumPageSize: 10, rowOffsetParameter: param('startAt', 'OFFSET'), firstRowNumber: 1, totalRowsElement: ['total'] }), first: seen(10, { total: 25 }), want: [{ startAt: '11' }, { startAt: '21' }] },
  { name: 'page numbers from 1, 5 pages', paging: paging({ maximumPageSize: 5, pageNumberParameter: param('page', 'PAGE'), firstPageNumber: 1, totalPagesElement: ['meta', 'total_pages'] }), first: seen(5, { meta: { total_pages: 5 } }), want: [{ page: '2' }, { page: '3' }, { page: '4' }, { page: '5' }] },
  { name: 'page numbers from 0, 3 pages', paging: paging({ maximumPageSize: 4, pageNumberParameter: param('page', 'PAGE'), totalPagesElement: ['totalPages'] }), first: seen(4, { totalPages: 3 }), want: [{ page: '1' }, { page: '2' }] },
  { name: 'a total of exactly one page', paging: { ...OFFSET, totalRowsElement: ['total'] }, first: seen(10, { total: 10 }), want: [] },
  { name: 'a total and an empty first page', paging: { ...OFFSET, totalRowsElement: ['total'] }, first: seen(0, { total: 0 }), want: [] },
  { name: 'no total: not known in advance', paging: OFFSET, first: seen(10, {}), want: undefined },
  { name: 'a total that is not a number: not known in advance', paging: { ...OFFSET, totalRowsElement: ['total'] }, first: seen(10, { total: 'many' }), want: undefined },
  { name: 'token paging is never known in advance', paging: paging({ nextPageElement: ['next'], nextPageParameter: param('cursor', 'NEXT') }), first: seen(10, { next: 'c2' }), want: undefined },
];

for (const c of REMAINING) {
  test(`planned ahead from the first page: ${c.name}`, () => {
    const r = createPaginator(c.paging).remaining(c.first);
    assert.deepEqual(r?.map(params), c.want);
  });
}

test('the planned pages and the sequential pages are the same requests', () => {
  const p = { ...OFFSET, totalRowsElement: ['total'] };
  const api = offsetApi(47, { body: () => ({ total: 47 }) });
  const sequential = walk(p, api);
  const paginator = createPaginator(p);
  const first = paginator.first();
  assert.deepEqual([first, ...paginator.remaining(api(first))!], sequential);
});

test('token in the body: sent in #nextPageParameter (with the page size), null or empty ends, a repeated token ends', () => {
  const p = paging({ maximumPageSize: 7, pageSizeParameter: param('limit', 'LIMIT'), nextPageElement: ['paging', 'next_cursor'], nextPageParameter: param('cursor', 'NEXT') });
  const tokens = ['7', '14', '21', null];
  const sent = walk(p, (r) => {
    const at = 'params' in r && r.params.cursor ? tokens.indexOf(r.params.cursor) + 1 : 0;
    return seen(7, { paging: { next_cursor: tokens[at] } });
  });
  assert.deepEqual(sent.map(params), [{ limit: '7' }, { limit: '7', cursor: '7' }, { limit: '7', cursor: '14' }, { limit: '7', cursor: '21' }]);
  assert.equal(createPaginator(p).next(seen(7, { paging: { next_cursor: '' } })), undefined);
  // An API that hands out the same cursor again would loop forever.
  assert.deepEqual(walk(p, () => seen(7, { paging: { next_cursor: 'same' } })).map(params), [{ limit: '7' }, { limit: '7', cursor: 'same' }]);
});

test('a token in a template parameter', () => {
  const p = paging({ nextPageElement: ['next'], nextPageParameter: { name: 'filter', value: 'after:{NEXT}' } });
  assert.deepEqual(createPaginator(p).next(seen(3, { next: 'abc' })), { params: { filter: 'after:abc' } });
});

test('a numeric or boolean token is sent as text; false means no next page', () => {
  const p = paging({ nextPageElement: ['next'], nextPageParameter: param('after', 'NEXT') });
  assert.deepEqual(createPaginator(p).next(seen(3, { next: 42 })), { params: { after: '42' } });
  assert.equal(createPaginator(p).next(seen(3, { next: false })), undefined);
});

test('token paging stops at an empty page even when it carries a token', () => {
  const p = paging({ nextPageElement: ['next'], nextPageParameter: param('cursor', 'NEXT') });
  assert.equal(createPaginator(p).next(seen(0, { next: 'c9' })), undefined);
});

test('a token that is not a URL, with no #nextPageParameter to send it in, is a MODEL_INVALID error', () => {
  const p = paging({ nextPageElement: ['nextPageToken'] });
  assert.throws(
    () => createPaginator(p).next(seen(3, { nextPageToken: 'opaque-token' })),
    (e: unknown) => e instanceof RestSqlError && e.code === 'MODEL_INVALID' && /opaque-token/.test(e.message) && /#nextPageParameter/.test(e.hint ?? ''),
  );
});

test('token in a response header: the header name is matched without regard to case', () => {
  const p = paging({ nextPageResponseHeader: 'X-Next-Page', nextPageParameter: param('token', 'NEXT') });
  const paginator = createPaginator(p);
  assert.equal(paginator.style, 'token');
  assert.deepEqual(paginator.next(seen(8, [], { headers: { 'x-next-page': '8' } })), { params: { token: '8' } });
  assert.equal(paginator.next(seen(8, [], { headers: {} })), undefined);
});

const PAGE_URL = 'https://api.test/v1/items?page=1';

/** How a next link in the body comes out: resolved against the page's URL, whatever origin it names. */
const NEXT_LINKS: { link: string; want: string }[] = [
  { link: 'https://api.test/v1/items?page=2', want: 'https://api.test/v1/items?page=2' },
  { link: '/v1/items?page=2', want: 'https://api.test/v1/items?page=2' },
  { link: '?page=2', want: 'https://api.test/v1/items?page=2' },
  // Other origins come out as what they are; the HTTP client refuses them before sending.
  { link: 'https://evil.test/steal', want: 'https://evil.test/steal' },
  { link: '//evil.test/steal', want: 'https://evil.test/steal' },
  { link: '/\\evil.test/steal', want: 'https://evil.test/steal' },
  { link: 'https://api.test@evil.test/steal', want: 'https://api.test@evil.test/steal' },
  { link: 'http://api.test/v1/items?page=2', want: 'http://api.test/v1/items?page=2' },
  // Not http: still a URL (never sent on as a token in a parameter), for the client to refuse.
  { link: 'file:///etc/passwd', want: 'file:///etc/passwd' },
  { link: 'ftp://evil.test/steal', want: 'ftp://evil.test/steal' },
];

for (const c of NEXT_LINKS) {
  test(`a next link in the body, ${c.link}, is the URL ${c.want}`, () => {
    // With a #nextPageParameter too: a URL is followed, not sent as a token.
    const p = paging({ nextPageElement: ['next'], nextPageParameter: param('cursor', 'NEXT') });
    const r = createPaginator(p).next(seen(5, { next: c.link }, { url: PAGE_URL }));
    assert.deepEqual(r, { url: c.want });
    assert.equal(new URL((r as { url: string }).url).origin, new URL(c.want).origin);
  });
}

test('Link header paging follows rel="next" until there is none, also through an empty page', () => {
  const p = paging({ nextPageResponseHeader: 'link' });
  const paginator = createPaginator(p);
  assert.equal(paginator.style, 'link');
  assert.deepEqual(paginator.first(), { params: {} });
  const link = (n: number) => `<${URL0}?page=1>; rel="first", <${URL0}?page=${n}>; rel="next"`;
  assert.deepEqual(paginator.next(seen(6, [], { headers: { link: link(2) } })), { url: `${URL0}?page=2` });
  // Unlike a token, a Link header's next link is followed from an empty page too.
  assert.deepEqual(paginator.next(seen(0, [], { headers: { link: link(3) } })), { url: `${URL0}?page=3` });
  assert.equal(paginator.next(seen(6, [], { headers: { link: `<${URL0}?page=1>; rel="first"` } })), undefined);
  // The same link twice would loop.
  assert.equal(paginator.next(seen(6, [], { headers: { link: link(3) } })), undefined);
});

test('neither offsets, page numbers, a next element nor a next header: the Link header is read', () => {
  const p = paging({ maximumPageSize: 10, pageSizeParameter: param('limit', 'LIMIT') });
  const paginator = createPaginator(p);
  assert.deepEqual(paginator.first(), { params: { limit: '10' } });
  assert.deepEqual(paginator.next(seen(10, [], { headers: { link: `<${URL0}?cursor=x>; rel="next"` } })), { url: `${URL0}?cursor=x` });
});

const LINK_HEADERS: { header: string | undefined; want: string | undefined }[] = [
  { header: '<https://a.test/2>; rel="next"', want: 'https://a.test/2' },
  { header: '<https://a.test/2>; rel=next', want: 'https://a.test/2' },
  { header: '<https://a.test/1>; rel="prev", <https://a.test/3>; rel="next"', want: 'https://a.test/3' },
  { header: '<https://a.test/9>; rel="last",<https://a.test/2>;rel="next"', want: 'https://a.test/2' },
  // Several relation types in one rel.
  { header: '<https://a.test/2>; rel="next last"', want: 'https://a.test/2' },
  { header: '<https://a.test/2>; rel="prefetch next"', want: 'https://a.test/2' },
  { header: '<https://a.test/2>; REL="NEXT"', want: 'https://a.test/2' },
  // A comma inside the URL does not split the header.
  { header: '<https://a.test/items?ids=1,2&page=2>; rel="next"', want: 'https://a.test/items?ids=1,2&page=2' },
  { header: '<https://a.test/1>; rel="prev"', want: undefined },
  // "next-archive" (RFC 5005) is another relation type, not "next".
  { header: '<https://a.test/archive/1>; rel="next-archive", <https://a.test/2>; rel="next"', want: 'https://a.test/2' },
  { header: '<https://a.test/archive/1>; rel="next-archive"', want: undefined },
  { header: '', want: undefined },
  { header: undefined, want: undefined },
];

for (const c of LINK_HEADERS) {
  test(`linkNext(${JSON.stringify(c.header)})`, () => {
    assert.equal(linkNext(c.header), c.want);
  });
}

test('the body members each paging reads, for bulk loading to find without parsing the page', () => {
  assert.deepEqual(pagingElements(undefined), []);
  assert.deepEqual(pagingElements(OFFSET), []);
  assert.deepEqual(
    pagingElements(paging({ maximumPageSize: 5, rowOffsetParameter: param('o', 'OFFSET'), totalRowsElement: ['meta', 'total'], hasMoreElement: ['more'], pageSizeElement: ['size'] })),
    [['meta', 'total'], ['size'], ['more']],
  );
  assert.deepEqual(pagingElements(paging({ nextPageElement: ['paging', 'next'], totalPagesElement: ['pages'] })), [['pages'], ['paging', 'next']]);
});
