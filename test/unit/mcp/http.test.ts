/**
 * The HTTP transport's session bound, DELETE ending a session, an unknown session id, idle
 * sessions expiring (a hand-driven clock: no real wait), and close() ending every session and the
 * listener, in-process on a real connection.
 */
import assert from 'node:assert/strict';
import { request, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { connect, type Connection } from '../../../src/index.js';
import { RestSqlError } from '../../../src/errors/index.js';
import { ConnectionGate } from '../../../src/mcp/connection-gate.js';
import { startMcpHttp } from '../../../src/mcp/http.js';
import { DEFAULT_MCP_LIMITS, SYSTEM_CLOCK } from '../../../src/mcp/limits.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import { within } from '../../support/deadline.js';
import { handClock } from '../../support/hand-clock.js';
import { startHttpServer, type Listening } from '../../support/loopback-server.js';

const TOKEN = 'http-test-token-0123456789';
let api: Listening<Server>;
let conn: Connection;

before(async () => {
  api = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[{"id":1,"name":"a"}]');
  });
  conn = await connect(`RestSamplePath=${api.url}/things`);
});
after(async () => {
  await conn?.close();
  await api?.close();
});

function post(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; session?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(typeof res.headers['mcp-session-id'] === 'string' ? { session: res.headers['mcp-session-id'] } : {}), body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? '' : JSON.stringify(body));
  });
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

test('sessions are bounded; DELETE ends one; an unknown id is 404; close() ends them all and stops listening', async () => {
  const gate = new ConnectionGate(conn, SYSTEM_CLOCK);
  const settings = { limits: { ...DEFAULT_MCP_LIMITS, maxSessions: 2 }, allowWrites: false };
  const lines: string[] = [];
  const running = await startMcpHttp({ host: '127.0.0.1', port: 0, token: TOKEN, limits: settings.limits, newServer: () => createMcpServer(gate, settings), log: (l) => lines.push(l) });
  try {
    const a = await post(running.url, initialize);
    const b = await post(running.url, initialize);
    assert.equal(a.status, 200, a.body);
    assert.ok(a.session && b.session && a.session !== b.session);
    assert.equal(running.sessions, 2);
    const c = await post(running.url, initialize);
    assert.equal(c.status, 503);
    assert.match(c.body, /at most 2/);
    const list = await post(running.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': a.session!, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(list.status, 200, list.body);
    assert.match(list.body, /"list_tables"/);
    const unknown = await post(running.url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': 'no-such-session' });
    assert.equal(unknown.status, 404);
    const ended = await post(running.url, undefined, { 'mcp-session-id': a.session!, 'mcp-protocol-version': '2025-06-18' }, 'DELETE');
    assert.equal(ended.status, 200, ended.body);
    assert.equal(running.sessions, 1);
    assert.equal((await post(running.url, initialize)).status, 200, 'a place came free');
    assert.equal(running.sessions, 2);
  } finally {
    await running.close();
  }
  assert.equal(running.sessions, 0);
  await assert.rejects(post(running.url, initialize), /ECONNREFUSED/);
  assert.ok(lines.some((l) => /^session [0-9a-f]{8} opened/.test(l)), lines.join('\n'));
});

test('a non-loopback host is refused before listening', async () => {
  const gate = new ConnectionGate(conn, SYSTEM_CLOCK);
  const settings = { limits: DEFAULT_MCP_LIMITS, allowWrites: false };
  for (const host of ['0.0.0.0', '192.168.0.1', '::', 'example.com']) {
    await assert.rejects(
      startMcpHttp({ host, port: 0, token: TOKEN, limits: settings.limits, newServer: () => createMcpServer(gate, settings), log: () => undefined }),
      (e: unknown) => e instanceof RestSqlError && e.code === 'USAGE' && e.message.includes('not a loopback address'),
      host,
    );
  }
});

/** Resolves once `check()` holds (looked at on each turn of the event loop: no timer, no sleep). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

/** Opens the session's SSE stream (GET) and leaves it open: the response and the request to end it. */
function openStream(url: string, session: string): Promise<{ res: IncomingMessage; req: ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } }, (res) => resolve({ res, req }));
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end();
  });
}

test('an idle session expires after sessionIdleSeconds: its place is freed, its id answers 404; an open stream keeps a session', async () => {
  const gate = new ConnectionGate(conn, SYSTEM_CLOCK);
  const clock = handClock();
  const settings = { limits: { ...DEFAULT_MCP_LIMITS, maxSessions: 2, sessionIdleSeconds: 600 }, allowWrites: false };
  const lines: string[] = [];
  const running = await startMcpHttp({ host: '127.0.0.1', port: 0, token: TOKEN, limits: settings.limits, newServer: () => createMcpServer(gate, settings), log: (l) => lines.push(l), clock });
  const headers = (session: string) => ({ 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' });
  try {
    const a = await post(running.url, initialize);
    const b = await post(running.url, initialize);
    assert.ok(a.session && b.session);
    await within(5000, () => `each session's idle timer set (${clock.pending()})`, until(() => clock.pending() === 2));
    assert.deepEqual(clock.delays(), [600_000, 600_000]);
    assert.equal((await post(running.url, initialize)).status, 503, 'both places taken');

    // a's SSE stream is a request in flight: while it is open a is not idle.
    const stream = await openStream(running.url, a.session!);
    assert.equal(stream.res.statusCode, 200);
    assert.equal(clock.pending(), 1, "a's timer stopped while its stream is open");
    clock.fire();
    await within(5000, 'b expired', until(() => running.sessions === 1));
    const expired = await post(running.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers(b.session!));
    const unknown = await post(running.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers('no-such-session'));
    assert.equal(expired.status, 404);
    assert.equal(expired.body, unknown.body, 'an expired session is answered as an unknown one');
    assert.match(expired.body, /initialize a new session/);
    const c = await post(running.url, initialize);
    assert.equal(c.status, 200, 'the expired place came free');
    const listed = await post(running.url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, headers(a.session!));
    assert.equal(listed.status, 200, 'a, with its stream open, is still there');

    // The stream ends (the client is gone): a's idle timer runs, and so does c's.
    stream.req.destroy();
    await within(5000, () => `idle timers of a and c set (${clock.pending()})`, until(() => clock.pending() === 2));
    clock.fire();
    await within(5000, 'a and c expired', until(() => running.sessions === 0));
    assert.equal((await post(running.url, { jsonrpc: '2.0', id: 4, method: 'tools/list' }, headers(a.session!))).status, 404);
    assert.ok(lines.some((l) => /^session [0-9a-f]{8} expired after 600 s idle \(\d+ open\)$/.test(l)), lines.join('\n'));
  } finally {
    await running.close();
  }
  assert.equal(clock.pending(), 0, 'close() leaves no timer');
});

test('sessionIdleSeconds 0: sessions never expire (no timer is set)', async () => {
  const gate = new ConnectionGate(conn, SYSTEM_CLOCK);
  const clock = handClock();
  const settings = { limits: { ...DEFAULT_MCP_LIMITS, sessionIdleSeconds: 0 }, allowWrites: false };
  const running = await startMcpHttp({ host: '127.0.0.1', port: 0, token: TOKEN, limits: settings.limits, newServer: () => createMcpServer(gate, settings), log: () => undefined, clock });
  try {
    const a = await post(running.url, initialize);
    assert.equal(a.status, 200);
    for (let id = 2; id < 5; id++) {
      assert.equal((await post(running.url, { jsonrpc: '2.0', id, method: 'tools/list' }, { 'mcp-session-id': a.session!, 'mcp-protocol-version': '2025-06-18' })).status, 200);
    }
    assert.equal(clock.pending(), 0);
    assert.equal(running.sessions, 1);
  } finally {
    await running.close();
  }
});
