/**
 * A REST API with every paging style, nested/array data, filters and programmable failures, for
 * the model-file tests. Loopback only; records every request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer } from './loopback-server.js';

export interface Item {
  id: number;
  name: string;
  status: 'open' | 'closed';
  created: string;
  price: number;
  address: { city: string; zip: string };
  tags: string[];
  orders: { order_id: string; qty: number }[];
  /** A map: warehouse name -> units. */
  stock: Record<string, number>;
}

export function items(n = 23): Item[] {
  const cities = ['Boston', 'Austin', 'Denver'];
  return Array.from({ length: n }, (_x, i) => ({
    id: i + 1,
    name: `item-${String(i + 1).padStart(2, '0')}`,
    status: i % 3 === 0 ? 'closed' : 'open',
    created: `2024-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
    price: Math.round((i + 1) * 1.25 * 100) / 100,
    address: { city: cities[i % 3]!, zip: `0${2100 + i}` },
    tags: i % 2 === 0 ? ['even', `t${i % 4}`] : ['odd'],
    orders: Array.from({ length: i % 3 }, (_y, j) => ({ order_id: `o${i + 1}-${j}`, qty: j + 1 })),
    stock: Object.fromEntries(['w1', 'w2', 'w3'].slice(0, (i % 3) + 1).map((w, j) => [w, (i + j) % 5])),
  }));
}

export interface FixtureApi {
  readonly baseUrl: string;
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  /** Request paths (with query), in order, for one route prefix. */
  paths(prefix: string): string[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export async function startFixtureApi(data: Item[] = items()): Promise<FixtureApi> {
  const requests: FixtureApi['requests'] = [];
  const failures = new Map<string, number>();
  let base = '';
  const filtered = (q: URLSearchParams): Item[] =>
    data.filter((it) => (!q.get('status') || it.status === q.get('status')) && (!q.get('since') || it.created >= q.get('since')!) && (!q.get('ids') || q.get('ids')!.split(',').includes(String(it.id))) && (!q.get('q') || it.name.includes(q.get('q')!)));
  const listening = await startHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://x');
      const q = url.searchParams;
      // Programmable failures: ?fail=CODE&times=N&key=K answers CODE to the first N requests of K.
      const fail = q.get('fail');
      let status = 200;
      if (fail) {
        const key = q.get('key') ?? url.pathname;
        const seen = failures.get(key) ?? 0;
        failures.set(key, seen + 1);
        if (seen < Number(q.get('times') ?? '1')) {
          // A 2xx "failure" still carries the data (for the OK action); others carry an error.
          if (Number(fail) < 300) status = Number(fail);
          else return send(res, Number(fail), { error: 'failing on purpose', detail: q.get('detail') ?? 'try later' }, q.get('retryAfter') ? { 'retry-after': q.get('retryAfter')! } : {});
        }
      }
      const rows = filtered(q);
      const p = url.pathname;
      if (p === '/offset/items') {
        const limit = Number(q.get('limit') ?? 10);
        const offset = Number(q.get('offset') ?? 0);
        return send(res, 200, { data: rows.slice(offset, offset + limit) });
      }
      if (p === '/offset1/items') {
        // 1-based row numbers and a total.
        const limit = Number(q.get('maxResults') ?? 10);
        const start = Number(q.get('startAt') ?? 1);
        return send(res, 200, { total: rows.length, values: rows.slice(start - 1, start - 1 + limit) });
      }
      if (p === '/template/items') {
        const m = /^start:(\d+),count:(\d+)$/.exec(q.get('locator') ?? '');
        const [start, count] = m ? [Number(m[1]), Number(m[2])] : [0, 10];
        return send(res, 200, rows.slice(start, start + count));
      }
      if (p === '/page/items') {
        const per = Number(q.get('per_page') ?? 10);
        const page = Number(q.get('page') ?? 1);
        return send(res, 200, { meta: { total_pages: Math.ceil(rows.length / per) }, results: rows.slice((page - 1) * per, page * per) });
      }
      if (p === '/hasmore/items') {
        const offset = Number(q.get('offset') ?? 0);
        return send(res, 200, { items: rows.slice(offset, offset + 5), has_more: offset + 5 < rows.length });
      }
      if (p === '/token/items') {
        const at = Number(q.get('cursor') ?? 0);
        const next = at + 7 < rows.length ? String(at + 7) : null;
        return send(res, 200, { data: rows.slice(at, at + 7), paging: { next_cursor: next } });
      }
      if (p === '/nexturl/items') {
        const at = Number(q.get('after') ?? 0);
        return send(res, 200, { data: rows.slice(at, at + 10), next: at + 10 < rows.length ? `${base}/nexturl/items?after=${at + 10}` : null });
      }
      if (p === '/header/items') {
        const at = Number(q.get('token') ?? 0);
        return send(res, 200, rows.slice(at, at + 8), at + 8 < rows.length ? { 'x-next-page': String(at + 8) } : {});
      }
      if (p === '/link/items') {
        const page = Number(q.get('page') ?? 1);
        const links = [`<${base}/link/items?page=1>; rel="first"`];
        if (page * 6 < rows.length) links.push(`<${base}/link/items?page=${page + 1}>; rel="next"`);
        return send(res, 200, rows.slice((page - 1) * 6, page * 6), { link: links.join(', ') });
      }
      const one = /^\/items\/(\d+)$/.exec(p);
      if (one) {
        const it = data.find((x) => x.id === Number(one[1]));
        return it ? send(res, 200, it) : send(res, 404, { error: 'no such item' });
      }
      if (p === '/search' && req.method === 'POST') {
        const b = JSON.parse(body || '{}') as { status?: string };
        return send(res, 200, { hits: data.filter((x) => !b.status || x.status === b.status) });
      }
      if (p === '/plain/items') return send(res, status, rows);
      if (p === '/empty') return send(res, 200, []);
      send(res, 404, { error: `no route ${p}` });
    });
  });
  base = listening.url;
  return {
    baseUrl: base,
    requests,
    paths: (prefix) => requests.map((r) => r.url).filter((u) => u.startsWith(prefix)),
    close: () => listening.close(),
  };
}
