/**
 * Paging (DataDirect "Paging", "Using templates for paging parameters", "Paging that uses HTTP
 * headers"): which request comes next, and when to stop. Pure: it sees each page's records, body
 * and headers and answers with the next request's parameters or URL.
 */
import { RestSqlError } from '../errors/index.js';
import { valueAt } from '../model/json-root.js';
import type { PagingDef, ParamTemplate } from '../model/types.js';

/** What to send for one page: query parameters added to the table's URL, or a URL to fetch as is. */
export type PageRequest = { readonly params: Readonly<Record<string, string>> } | { readonly url: string };

export interface PageSeen {
  readonly records: readonly unknown[];
  /** How many records the page had, when `records` was not parsed (bulk loading counts them). */
  readonly recordCount?: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The URL the page came from (to resolve relative next links). */
  readonly url: string;
}

export interface Paginator {
  readonly style: 'none' | 'offset' | 'page' | 'token' | 'link';
  first(): PageRequest;
  /** The next request after `page`, or undefined when this was the last page. */
  next(page: PageSeen): PageRequest | undefined;
  /**
   * Every remaining request, when the first page says how many there are (total rows or pages
   * with offset or page-number paging): they can then be fetched concurrently.
   */
  remaining(first: PageSeen): PageRequest[] | undefined;
}

function render(t: ParamTemplate, vars: Record<string, string>): [string, string] {
  return [t.name, t.value.replace(/\{(LIMIT|OFFSET|PAGE|NEXT)\}/g, (_m, k: string) => vars[k] ?? '')];
}

const countOf = (page: PageSeen) => page.recordCount ?? page.records.length;

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function header(h: PageSeen['headers'], name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** RFC 8288 Link header: the target of rel="next". */
export function linkNext(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const part of value.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    // RFC 8288 §3.3: rel is a space-separated list of relation types, compared case-insensitively;
    // "next-archive" is not "next".
    for (const param of m[2]!.split(';')) {
      const p = /^\s*rel\s*=\s*(?:"([^"]*)"|([^\s";]+))\s*$/i.exec(param);
      if (p && (p[1] ?? p[2] ?? '').split(/\s+/).some((r) => r.toLowerCase() === 'next')) return m[1];
    }
  }
  return undefined;
}

/** `#hasMoreElement`: more pages unless the element is missing or false. */
function saysNoMore(paging: PagingDef, body: unknown): boolean {
  if (!paging.hasMoreElement) return false;
  const v = valueAt(body, paging.hasMoreElement);
  return v === undefined || v === null || v === false || v === 'false' || v === 0;
}

/**
 * Whether a next-page value is a URL (absolute with any scheme, protocol-relative, a path, a
 * query) rather than a token. Any `scheme://` counts, so a `file://` or `ftp://` link reaches the
 * HTTP client's origin check and is refused there, rather than being sent on as a token.
 */
function isUrl(token: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(token) || token.startsWith('/') || token.startsWith('?');
}

/** The body members a paging scheme reads (bulk loading finds just these, without parsing the page). */
export function pagingElements(paging: PagingDef | undefined): (readonly string[])[] {
  if (!paging) return [];
  return [paging.totalRowsElement, paging.totalPagesElement, paging.pageSizeElement, paging.hasMoreElement, paging.nextPageElement].filter((p): p is readonly string[] => p !== undefined && p.length > 0);
}

export function createPaginator(paging: PagingDef | undefined): Paginator {
  if (!paging) return { style: 'none', first: () => ({ params: {} }), next: () => undefined, remaining: () => [] };
  const size = paging.maximumPageSize;
  const sizeParam = (): [string, string][] => (paging.pageSizeParameter && size !== undefined ? [render(paging.pageSizeParameter, { LIMIT: String(size) })] : []);

  if (paging.rowOffsetParameter || paging.pageNumberParameter) {
    const byOffset = paging.rowOffsetParameter !== undefined;
    const first = byOffset ? paging.firstRowNumber : paging.firstPageNumber;
    const request = (at: number): PageRequest => {
      const vars = { LIMIT: String(size ?? ''), OFFSET: String(at), PAGE: String(at) };
      const own = render((byOffset ? paging.rowOffsetParameter : paging.pageNumberParameter)!, vars);
      // A template parameter may carry LIMIT itself; a separate page-size parameter is added too.
      return { params: Object.fromEntries([...sizeParam().filter(([k]) => k !== own[0]), own]) };
    };
    let at = first;
    let pages = 0;
    const total = (body: unknown): { rows?: number; pages?: number } => ({
      ...(paging.totalRowsElement ? { rows: num(valueAt(body, paging.totalRowsElement)) } : {}),
      ...(paging.totalPagesElement ? { pages: num(valueAt(body, paging.totalPagesElement)) } : {}),
    });
    return {
      style: byOffset ? 'offset' : 'page',
      first: () => request(first),
      next(page) {
        pages++;
        const n = countOf(page);
        if (n === 0 || saysNoMore(paging, page.body)) return undefined;
        const pageSize = num(paging.pageSizeElement ? valueAt(page.body, paging.pageSizeElement) : undefined) ?? size ?? n;
        // A short page is the last one (DataDirect's rule), unless a total says otherwise.
        const t = total(page.body);
        if (t.rows !== undefined && (byOffset ? at - first + n : pages * pageSize) >= t.rows) return undefined;
        if (t.pages !== undefined && pages >= t.pages) return undefined;
        if (t.rows === undefined && t.pages === undefined && n < pageSize) return undefined;
        at = byOffset ? at + n : at + 1;
        return request(at);
      },
      remaining(page) {
        const t = total(page.body);
        const n = countOf(page);
        if (size === undefined || n === 0 || saysNoMore(paging, page.body)) return t.rows !== undefined || t.pages !== undefined ? [] : undefined;
        const count = t.pages !== undefined ? t.pages - 1 : t.rows !== undefined ? Math.ceil(t.rows / size) - 1 : undefined;
        if (count === undefined) return undefined;
        return Array.from({ length: Math.max(0, count) }, (_x, i) => request(byOffset ? first + (i + 1) * size : first + i + 1));
      },
    };
  }

  // Next-page token or URL, from the body, a response header, or a Link header.
  const seen = new Set<string>();
  const tokenOf = (page: PageSeen): string | undefined => {
    let v: unknown;
    if (paging.nextPageElement) v = valueAt(page.body, paging.nextPageElement);
    else if (paging.nextPageResponseHeader) {
      const h = header(page.headers, paging.nextPageResponseHeader);
      v = paging.nextPageResponseHeader === 'link' ? linkNext(h) : h;
    } else v = linkNext(header(page.headers, 'link'));
    if (v === undefined || v === null || v === false || v === '') return undefined;
    return String(v);
  };
  const style = paging.nextPageElement || (paging.nextPageResponseHeader && paging.nextPageResponseHeader !== 'link') ? 'token' : 'link';
  return {
    style,
    first: () => ({ params: Object.fromEntries(sizeParam()) }),
    next(page) {
      if (saysNoMore(paging, page.body)) return undefined;
      if (countOf(page) === 0 && style === 'token') return undefined;
      const token = tokenOf(page);
      // A token seen before would loop forever.
      if (token === undefined || seen.has(token)) return undefined;
      seen.add(token);
      if (isUrl(token)) return { url: new URL(token, page.url).href };
      if (!paging.nextPageParameter) {
        throw new RestSqlError('MODEL_INVALID', `The next-page token '${token.slice(0, 40)}' is not a URL, and the table has no #nextPageParameter to send it in.`, {
          hint: 'Add "#nextPageParameter": "<URI parameter name>" to the table (or to the model file).',
        });
      }
      return { params: Object.fromEntries([...sizeParam(), render(paging.nextPageParameter, { NEXT: token, LIMIT: String(size ?? '') })]) };
    },
    remaining: () => undefined,
  };
}
