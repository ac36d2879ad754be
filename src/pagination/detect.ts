/**
 * Paging detection for a sampled endpoint (RestSamplePath, `restsql sample URL`): which paging
 * scheme the first response shows, so a scan reads every page instead of the first one only, in
 * the manner of dlt's rest_api paginator auto-detection. Pure: it sees the parsed first page, its
 * headers and the URL it came from.
 *
 * Conservative by design: a wrong guess that skips or repeats rows is worse than none. Only shapes
 * that say exactly how to get the next page are taken: a next URL in the body or in a Link
 * header, a total page count beside the current page number, a next cursor whose query parameter
 * the sample URL already names. When the response says there is more (a total above the records
 * read, `has_more`, a cursor with nowhere to send it) and no scheme fits, the answer is a warning
 * naming what was seen and the model-file keys that describe the paging.
 */
import { formatElement } from '../model/element.js';
import { recordsAt, valueAt } from '../model/json-root.js';
import type { PagingDef } from '../model/types.js';
import { linkNext } from './paginator.js';

export interface FirstPage {
  /** The parsed response. */
  readonly body: unknown;
  /** Where the records are in it (detectJsonRoot). */
  readonly jsonRoot: readonly string[];
  /** Response headers, names in lower case (as undici gives them). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The URL the response came from. */
  readonly url: string;
}

export interface DetectedPaging {
  /** The paging to follow, when a scheme was recognised. */
  readonly paging?: PagingDef;
  /** What the response showed of more data when no scheme was recognised. */
  readonly warning?: string;
}

type Path = readonly string[];

/** Members holding the next page's URL (absolute, or starting with `/` or `?`), relative to the envelope. */
const NEXT_URL: readonly Path[] = [
  ['next'], ['nextLink'], ['@odata.nextLink'], ['odata.nextLink'], ['next_page_url'], ['nextPageUrl'], ['next_url'], ['nextUrl'], ['nextRecordsUrl'],
  ['links', 'next'], ['links', 'next', 'href'], ['_links', 'next', 'href'], ['_links', 'next'],
  ['paging', 'next'], ['meta', 'next'], ['pagination', 'next'], ['meta', 'next_page_url'], ['pagination', 'next_url'], ['pagination', 'next_page_url'], ['meta', 'pagination', 'links', 'next'],
];

/** Objects of the envelope where page counts, totals and cursors are found. */
const CONTAINERS: readonly Path[] = [[], ['meta'], ['pagination'], ['paging'], ['page_info'], ['pageInfo'], ['response_metadata']];
const CURSOR_CONTAINERS: readonly Path[] = [...CONTAINERS, ['paging', 'cursors']];

const TOTAL_PAGES = ['total_pages', 'totalPages', 'page_count', 'pageCount', 'pages'];
const CURRENT_PAGE = ['page', 'current_page', 'currentPage', 'page_number', 'pageNumber'];
const PAGE_SIZE = ['per_page', 'perPage', 'page_size', 'pageSize', 'limit'];
/** URI parameters that carry a page number, when the URL names one. */
const PAGE_PARAMS = ['page', 'page_number', 'pageNumber', 'pageNo', 'page_no'];
const NEXT_TOKEN = ['next_cursor', 'nextCursor', 'cursor', 'next_token', 'nextToken', 'next_page_token', 'nextPageToken', 'continuation', 'continuation_token', 'continuationToken', 'next_page', 'nextPage', 'next_offset', 'nextOffset', 'after', 'next'];
const HAS_MORE = ['has_more', 'hasMore', 'has_next', 'hasNext', 'has_next_page', 'hasNextPage'];
const TOTAL_ROWS = ['total', 'total_count', 'totalCount', 'totalResults', 'total_results', 'totalItems', 'total_items', 'totalRecords', 'total_records', 'totalSize', 'count', '@odata.count', 'odata.count'];
/** Response headers that tell of more data but that restsql does not follow by itself. */
const TOTAL_HEADERS = ['x-total-count', 'x-total', 'x-total-results'];
const NEXT_HEADERS = ['x-next-page', 'x-next-cursor', 'x-next-token', 'x-continuation', 'x-continuation-token', 'x-ms-continuation'];

const DOCS = 'See "Paging" in docs/model-file.md; `restsql sample URL > api.rest` writes a model file to start from, used with RestConfigFile=api.rest.';

/** Case and punctuation do not matter when matching a body member to a URI parameter. */
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Absolute http(s), or relative from the root or the query: what the paginator fetches as a URL. */
/** As the paginator reads next values: any `scheme://` is a URL (a non-http one is refused when fetched, not read as a token). */
function isUrlLike(v: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith('/') || v.startsWith('?');
}

function headerOf(h: FirstPage['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function paging(p: Omit<PagingDef, 'firstRowNumber' | 'firstPageNumber'> & { firstPageNumber?: number }): PagingDef {
  return Object.freeze({ firstRowNumber: 0, firstPageNumber: 0, ...p });
}

/** A member as the warning names it (the advice gives it as a model file writes it). */
const show = (path: Path) => `'${path.join('/')}'`;

/** One value found in the envelope. */
interface Found {
  readonly path: Path;
  readonly value: unknown;
}

/**
 * The first response's paging scheme, or a warning when it signals more data in a way restsql
 * does not recognise. Neither when it shows no sign of more pages.
 */
export function detectPaging(page: FirstPage): DetectedPaging {
  const records = recordsAt(page.body, page.jsonRoot).length;
  const url = new URL(page.url);
  // Envelope members are read only outside the records: the objects on the way to the record
  // array. A body that is the array itself, or a single record, has no envelope.
  const bases: Path[] = page.jsonRoot.length === 0 ? [] : page.jsonRoot.map((_k, i) => page.jsonRoot.slice(0, i));
  const inRecords = (p: Path) => page.jsonRoot.length > 0 && page.jsonRoot.every((k, i) => p[i] === k);
  const find = (containers: readonly Path[], names: readonly string[]): Found[] => {
    const out: Found[] = [];
    for (const base of bases) {
      for (const c of containers) {
        for (const name of names) {
          const path = [...base, ...c, name];
          if (inRecords(path)) continue;
          const holder = valueAt(page.body, [...base, ...c]);
          if (holder === null || typeof holder !== 'object' || Array.isArray(holder) || !Object.hasOwn(holder, name)) continue;
          out.push({ path, value: (holder as Record<string, unknown>)[name] });
        }
      }
    }
    return out;
  };
  const signals: string[] = [];
  const keys = new Set<string>();

  // 1. A next URL in the body: the server says where the next page is.
  for (const base of bases) {
    for (const rel of NEXT_URL) {
      const path = [...base, ...rel];
      if (inRecords(path)) continue;
      const v = valueAt(page.body, path);
      if (typeof v !== 'string' || !isUrlLike(v)) continue;
      let next: URL;
      try {
        next = new URL(v, url);
      } catch {
        continue;
      }
      // A "next" pointing back at this very page would read it twice.
      if (next.href === url.href) {
        signals.push(`${show(path)} points back at the sampled URL`);
        keys.add('"#nextPageElement"');
        continue;
      }
      return { paging: paging({ nextPageElement: path }) };
    }
  }

  // 2. A Link header with rel="next" (RFC 8288).
  const link = linkNext(headerOf(page.headers, 'link'));
  if (link !== undefined) {
    let next: URL | undefined;
    try {
      next = new URL(link, url);
    } catch {
      next = undefined;
    }
    if (next && next.href !== url.href) return { paging: paging({ nextPageResponseHeader: 'link' }) };
    signals.push('the Link header\'s rel="next" is not a usable URL');
    keys.add('"#nextPageResponseHeader": "Link"');
  }

  // 3. A page count beside the current page number.
  for (const pages of find(CONTAINERS, TOTAL_PAGES)) {
    const total = num(pages.value);
    if (total === undefined || total < 1) continue;
    const holder = pages.path.slice(0, -1);
    const current = CURRENT_PAGE.map((name) => ({ name, value: num(valueAt(page.body, [...holder, name])) })).find((c) => c.value !== undefined);
    // The parameter: the one the URL names (the body's own name for it first). Never a guess: an
    // API that ignored a guessed name would serve its first page again and again.
    const named = [current?.name, ...PAGE_PARAMS].find((n): n is string => n !== undefined && url.searchParams.has(n));
    const param = named ?? 'page';
    if (!named) {
      if (total > 1) {
        signals.push(`${show(pages.path)} is ${total} but the URL names no page parameter to ask for the others with (give it, e.g. ?${current?.name ?? 'page'}=1)`);
        keys.add(`"#pageNumberParameter": "<the API's page parameter>", "#firstPageNumber": <0 or 1>, "#maximumPageSize": <rows per page> and "#totalPagesElement": "${formatElement(pages.path)}"`);
      }
      continue;
    }
    const inUrl = num(url.searchParams.get(param));
    const at = current?.value ?? inUrl;
    const advice = `"#pageNumberParameter": "${param}", "#firstPageNumber": <0 or 1>, "#maximumPageSize": <rows per page> and "#totalPagesElement": "${formatElement(pages.path)}"`;
    if (at === undefined) {
      if (total > 1) {
        signals.push(`${show(pages.path)} is ${total} but neither the response nor the URL says which page this is`);
        keys.add(advice);
      }
      continue;
    }
    if (current?.value !== undefined && inUrl !== undefined && current.value !== inUrl) {
      signals.push(`${show([...holder, current.name])} is ${current.value} but the URL asks for ${param}=${inUrl}`);
      keys.add(advice);
      continue;
    }
    if (at > 1) {
      // Sampled from a later page: where numbering starts, and so what the total counts from, is unknown.
      if (total > at) {
        signals.push(`${show(pages.path)} is ${total} and this is page ${at}, not the first`);
        keys.add(advice);
      }
      continue;
    }
    if (records === 0) continue;
    const size = PAGE_SIZE.map((name) => num(valueAt(page.body, [...holder, name]))).find((n) => n !== undefined && n >= records) ?? records;
    return { paging: paging({ pageNumberParameter: { name: param, value: '{PAGE}' }, firstPageNumber: at, maximumPageSize: Math.max(1, size), totalPagesElement: pages.path }) };
  }

  // 4. A next cursor sent back in a query parameter the sample URL names.
  const hasMore = find(CONTAINERS, HAS_MORE).filter((f) => typeof f.value === 'boolean');
  for (const token of find(CURSOR_CONTAINERS, NEXT_TOKEN)) {
    const v = token.value;
    if (typeof v !== 'string' && typeof v !== 'number' && v !== null) continue;
    if (typeof v === 'string' && isUrlLike(v)) continue;
    const name = token.path[token.path.length - 1]!;
    const wanted = new Set([norm(name), norm(name).replace(/^next/, '')].filter((s) => s !== ''));
    const param = [...url.searchParams.keys()].find((k) => wanted.has(norm(k)));
    if (param === undefined) {
      if (v !== null && v !== '') {
        signals.push(`${show(token.path)} holds a next-page token and the URL has no parameter to send it back in`);
        keys.add(`"#nextPageElement": "${formatElement(token.path)}" and "#nextPageParameter": "<the URI parameter the API reads it from>"`);
      }
      continue;
    }
    // A member that echoes the cursor this page was asked with is not the next one.
    if (v !== null && String(v) === url.searchParams.get(param) && String(v) !== '') {
      signals.push(`${show(token.path)} repeats the URL's ${param}`);
      keys.add(`"#nextPageElement" and "#nextPageParameter": "${param}"`);
      continue;
    }
    const more = hasMore.find((h) => h.path.length === token.path.length && h.path.slice(0, -1).every((k, i) => token.path[i] === k));
    return { paging: paging({ nextPageElement: token.path, nextPageParameter: { name: param, value: '{NEXT}' }, ...(more ? { hasMoreElement: more.path } : {}) }) };
  }

  // No scheme: say what signals more data, if anything does.
  for (const h of hasMore) {
    if (h.value === true) {
      signals.push(`${show(h.path)} is true`);
      keys.add(`"#hasMoreElement": "${formatElement(h.path)}" with "#rowOffsetParameter" (or "#nextPageElement" and "#nextPageParameter")`);
    }
  }
  for (const t of find(CONTAINERS, TOTAL_ROWS)) {
    const total = num(t.value);
    if (total !== undefined && total > records) {
      signals.push(`${show(t.path)} is ${total}`);
      keys.add(`"#rowOffsetParameter" (or "#pageNumberParameter") with "#maximumPageSize" and "#totalRowsElement": "${formatElement(t.path)}"`);
    }
  }
  for (const name of TOTAL_HEADERS) {
    const total = num(headerOf(page.headers, name));
    if (total !== undefined && total > records) {
      signals.push(`header ${name} is ${total}`);
      keys.add('"#rowOffsetParameter" (or "#pageNumberParameter") with "#maximumPageSize"');
    }
  }
  for (const name of NEXT_HEADERS) {
    const v = headerOf(page.headers, name);
    if (v !== undefined && v.trim() !== '') {
      signals.push(`header ${name} is set`);
      keys.add(`"#nextPageResponseHeader": "${name}" and "#nextPageParameter": "<the URI parameter the API reads it from>"`);
    }
  }
  if (signals.length === 0) return {};
  return {
    warning:
      `the first page of ${page.url} has ${records} record(s) and signals more (${signals.join('; ')}), but restsql does not recognise how this API pages, so only the first page is read. ` +
      `To read every page, describe the paging in a model file: ${[...keys].join('; or ')}. ${DOCS}`,
  };
}
