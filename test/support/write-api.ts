/**
 * A small REST API that takes writes and records every request it gets, for the write tests
 * (CLI, library, restsql serve): `orders` with server-assigned ids, nested `customer.address`
 * and an inline `items` array; `tags` written as JSON arrays (`[]`); `notes` keyed by a
 * string code in the URL (notesTable). Rows whose name (a tag's tag, a note's text) is `reject`
 * are refused with 422, `conflict` with 409, `bad` with 400, `forbidden` with 403 and
 * `unavailable` with 503. An order can also be deleted by `DELETE /orders` with its key in the
 * body ({"id": 1}).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer, type Listening } from './loopback-server.js';
import type { Server } from 'node:http';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  /** The body as sent (big integers keep their digits here, not in `body`). */
  readonly text: string;
}

export interface Order {
  id: number;
  name: string;
  status: string;
  total: number;
  customer: { name: string; address: { city: string; zip: string } };
  items: { sku: string; qty: number }[];
  created_at: string;
}

export interface WriteApi {
  readonly url: string;
  readonly received: Received[];
  readonly orders: Map<number, Order>;
  readonly tags: Map<string, { tag: string; color: string }>;
  readonly notes: Map<string, { code: string; text: string }>;
  /** Requests other than GET. */
  writes(): Received[];
  /** `METHOD path` of every request received, in order. */
  lines(): string[];
  /** Forget what was received. */
  clear(): void;
  close(): Promise<void>;
}

function seed(): Map<number, Order> {
  const m = new Map<number, Order>();
  for (let id = 1; id <= 3; id++) {
    m.set(id, { id, name: `order ${id}`, status: 'open', total: id * 10, customer: { name: `c${id}`, address: { city: `city${id}`, zip: `0${id}000` } }, items: [{ sku: `s${id}`, qty: id }], created_at: '2026-01-0' + id + 'T10:00:00Z' });
  }
  return m;
}

export async function startWriteApi(): Promise<WriteApi> {
  const received: Received[] = [];
  const orders = seed();
  const tags = new Map([['red', { tag: 'red', color: '#f00' }]]);
  const notes = new Map([['a b/c', { code: 'a b/c', text: 'spaces and a slash' }], ['n1', { code: 'n1', text: 'first' }]]);
  let nextId = 100;
  const send = (res: ServerResponse, status: number, body?: unknown): void => {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      send(res, 400, { message: 'body is not JSON' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    received.push({ method, path: url.pathname + url.search, headers: req.headers, body, text });
    const one = /^\/orders\/([^/]+)$/.exec(url.pathname);
    const refuse = (o: { name?: unknown }): boolean => {
      if (o.name === 'reject') {
        send(res, 422, { message: 'name "reject" is not allowed' });
        return true;
      }
      if (o.name === 'conflict') {
        send(res, 409, { message: 'an order with that name exists' });
        return true;
      }
      if (o.name === 'bad') {
        send(res, 400, { message: 'name "bad" is malformed' });
        return true;
      }
      if (o.name === 'forbidden') {
        send(res, 403, { message: 'this key may not write orders' });
        return true;
      }
      if (o.name === 'unavailable') {
        send(res, 503, { message: 'try again later' });
        return true;
      }
      return false;
    };
    if (url.pathname === '/orders' && method === 'GET') return send(res, 200, { data: [...orders.values()] });
    if (url.pathname === '/orders' && method === 'DELETE') {
      const ids = (Array.isArray(body) ? body : [body]) as { id?: unknown }[];
      if (ids.some((b) => typeof b?.id !== 'number')) return send(res, 400, { message: 'expected {"id": <number>}' });
      if (ids.some((b) => !orders.has(b.id as number))) return send(res, 404, { message: 'no such order' });
      for (const b of ids) orders.delete(b.id as number);
      return send(res, 204);
    }
    if (url.pathname === '/orders' && method === 'POST') {
      const o = body as Partial<Order>;
      if (refuse(o)) return;
      const created = { status: 'new', total: 0, items: [], created_at: '2026-12-03T00:00:00Z', ...o, id: nextId++ } as Order;
      orders.set(created.id, created);
      return send(res, 201, { result: created });
    }
    if (one) {
      const id = Number(decodeURIComponent(one[1]!));
      const o = orders.get(id);
      if (method === 'GET') return o ? send(res, 200, o) : send(res, 404, { message: `no order ${id}` });
      if (!o) return send(res, 404, { message: `no order ${id}` });
      if (method === 'DELETE') {
        orders.delete(id);
        return send(res, 204);
      }
      if (method === 'PUT' || method === 'PATCH') {
        const patch = body as Partial<Order>;
        if (refuse(patch)) return;
        const next = method === 'PUT' ? ({ ...(patch as Order), id, created_at: o.created_at } as Order) : ({ ...o, ...patch, id } as Order);
        orders.set(id, next);
        return send(res, 200, { result: next });
      }
    }
    if (url.pathname === '/tags' && method === 'GET') return send(res, 200, [...tags.values()]);
    if (url.pathname === '/tags' && method === 'POST') {
      if (!Array.isArray(body)) return send(res, 400, { message: 'expected an array' });
      for (const t of body as { tag: string; color: string }[]) if (refuse({ name: t.tag })) return;
      for (const t of body as { tag: string; color: string }[]) tags.set(t.tag, t);
      return send(res, 200, body);
    }
    if (url.pathname === '/tags/delete' && method === 'POST') {
      for (const t of body as { tag: string }[]) tags.delete(t.tag);
      return send(res, 204);
    }
    const note = /^\/notes\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/notes' && method === 'GET') return send(res, 200, [...notes.values()]);
    if (url.pathname === '/notes' && method === 'POST') {
      const n = body as { code: string; text: string };
      if (refuse({ name: n.text })) return;
      notes.set(n.code, n);
      return send(res, 201, n);
    }
    if (note) {
      const code = decodeURIComponent(note[1]!);
      const n = notes.get(code);
      if (!n) return send(res, 404, { message: `no note ${code}` });
      if (method === 'GET') return send(res, 200, n);
      if (method === 'DELETE') {
        notes.delete(code);
        return send(res, 204);
      }
      if (method === 'PUT') {
        const next = { ...(body as { text: string }), code };
        if (refuse({ name: next.text })) return;
        notes.set(code, next);
        return send(res, 200, next);
      }
    }
    send(res, 404, { message: `no route ${method} ${url.pathname}` });
  };
  const server: Listening<Server> = await startHttpServer((req, res) => {
    handler(req, res).catch((e: unknown) => send(res, 500, { message: String(e) }));
  });
  return {
    url: server.url,
    received,
    orders,
    tags,
    notes,
    writes: () => received.filter((r) => r.method !== 'GET'),
    lines: () => received.map((r) => `${r.method} ${r.path}`),
    clear: () => {
      received.length = 0;
    },
    close: () => server.close(),
  };
}

/**
 * The model file for `api`: orders (keyed, nested, items inline), tags (array writes), and the
 * entries of `tables` (notesTable, tables of a test's own). `orders` adds to or replaces orders'
 * entries (a member set to undefined removes it).
 */
export function writeModel(api: WriteApi, orders: Record<string, unknown> = {}, tables: Record<string, unknown> = {}): string {
  return JSON.stringify({
    orders: {
      '#path': [`${api.url}/orders/{id}`, `${api.url}/orders /data`],
      '#insert': `POST ${api.url}/orders /result`,
      '#update': `PUT ${api.url}/orders/{id}`,
      '#delete': `${api.url}/orders/{id}`,
      id: 'Integer,#key',
      name: 'VarChar(64)',
      status: 'VarChar(16)',
      total: 'Double',
      customer: { name: 'VarChar(64)', address: { city: 'VarChar(64)', zip: 'VarChar(8)' } },
      'items[]': { sku: 'VarChar(16)', qty: 'Integer' },
      created_at: 'Timestamp,#readonly',
      ...orders,
    },
    tags: {
      '#path': `${api.url}/tags`,
      '#insert': `POST ${api.url}/tags[]`,
      '#delete': `POST ${api.url}/tags/delete[]`,
      tag: 'VarChar(16),#key',
      color: 'VarChar(8)',
    },
    ...tables,
  });
}

/** `notes`: keyed by a string code that the URLs carry percent-encoded; read one by one or as a list. */
export function notesTable(api: WriteApi): Record<string, unknown> {
  return {
    notes: {
      '#path': [`${api.url}/notes/{code}`, `${api.url}/notes`],
      '#insert': `POST ${api.url}/notes`,
      '#update': `PUT ${api.url}/notes/{code}`,
      '#delete': `${api.url}/notes/{code}`,
      code: 'VarChar(32),#key',
      text: 'VarChar(64)',
    },
  };
}
