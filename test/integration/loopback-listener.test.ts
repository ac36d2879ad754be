/** The redirect listener on real sockets: loopback only, path checked, one callback, timeout, paste. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'undici';
import { startCallbackListener } from '../../src/auth/oauth/loopback-listener.js';
import { isRestSqlError } from '../../src/errors/index.js';
import { createServer } from 'node:http';
import { listenLoopback } from '../support/loopback-server.js';

/** A server already listening on a free loopback port (listen on 0: no other process can take the port first). */
async function listening(): Promise<{ port: number; servers: [ReturnType<typeof createServer>] }> {
  const l = await listenLoopback(createServer());
  return { port: l.port, servers: [l.server] };
}

async function get(url: string): Promise<number> {
  try {
    const r = await request(url);
    await r.body.text();
    return r.statusCode;
  } catch (e) {
    return -1 * ((e as { code?: string }).code === 'ECONNREFUSED' ? 1 : 2);
  }
}

const expect = { state: 'st4te', issRequired: false };

test('only GET on the redirect path with callback parameters counts; one valid callback closes the listener', async () => {
  const { port, servers } = await listening();
  const l = await startCallbackListener({ redirectUri: `http://127.0.0.1:${port}/cb`, expect, timeoutMs: 10_000, listening: servers });
  try {
    assert.equal(await get(`http://127.0.0.1:${port}/other?code=x&state=st4te`), 404, 'wrong path');
    assert.equal(await get(`http://127.0.0.1:${port}/cb`), 404, 'no callback parameters');
    assert.equal(await get(`http://127.0.0.1:${port}/favicon.ico`), 404);
    assert.equal(await get(`http://127.0.0.1:${port}/cb?code=the-code&state=st4te`), 200);
    assert.deepEqual(await l.result, { code: 'the-code' });
    // The listener closes itself after the callback; close() resolves once it has.
    await l.close();
    assert.equal(await get(`http://127.0.0.1:${port}/cb?code=again&state=st4te`), -1, 'closed after one valid callback');
  } finally {
    await l.close();
  }
});

test('localhost listens on 127.0.0.1 and ::1, never on other addresses', async () => {
  // This test is about the listener's own binding, so it binds a port it did not create: another
  // process may take that port between choosing and binding it, so a port found busy is tried again.
  let port = 0;
  let l: Awaited<ReturnType<typeof startCallbackListener>> | undefined;
  for (let tries = 0; !l; tries++) {
    const probe = await listenLoopback(createServer());
    port = probe.port;
    await probe.close();
    try {
      l = await startCallbackListener({ redirectUri: `http://localhost:${port}`, expect, timeoutMs: 10_000 });
    } catch (e) {
      if (!(isRestSqlError(e) && e.code === 'AUTH_LISTENER' && /already in use/.test(e.message)) || tries >= 4) throw e;
    }
  }
  try {
    assert.equal(await get(`http://127.0.0.1:${port}/?x=1`), 404, 'IPv4 loopback answers');
    const v6 = await get(`http://[::1]:${port}/?x=1`);
    assert.ok(v6 === 404 || v6 === -2, 'IPv6 loopback answers when the machine has it');
  } finally {
    await l.close();
  }
  assert.equal(await get(`http://127.0.0.1:${port}/?x=1`), -1, 'closed');
});

test('a pasted redirect URL goes through the same checks; a timeout says which option to raise', async () => {
  const port = 9; // pasted URLs never reach a socket: the listener's servers are handed in, listening elsewhere
  const l = await startCallbackListener({ redirectUri: `http://127.0.0.1:${port}/cb`, expect, timeoutMs: 10_000, listening: (await listening()).servers });
  l.deliver(`http://127.0.0.1:${port}/cb?code=pasted&state=st4te`);
  assert.deepEqual(await l.result, { code: 'pasted' });
  await l.close();

  const bad = await startCallbackListener({ redirectUri: `http://127.0.0.1:${port}/cb`, expect, timeoutMs: 10_000, listening: (await listening()).servers });
  bad.deliver(`http://127.0.0.1:${port}/cb?code=pasted&state=other`);
  await assert.rejects(bad.result, (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_STATE_MISMATCH');
  await bad.close();

  const slow = await startCallbackListener({ redirectUri: `http://127.0.0.1:${port}/cb`, expect, timeoutMs: 200, listening: (await listening()).servers });
  await assert.rejects(slow.result, (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_TIMEOUT' && e.details.option === 'LoginTimeout');
  await slow.close();
});

test('a callback with a wrong or no state (any web page can send one) is answered 400 and ignored; the real one still completes the login', async () => {
  const first = await listening();
  const l = await startCallbackListener({ redirectUri: `http://127.0.0.1:${first.port}/cb`, expect, timeoutMs: 10_000, listening: first.servers });
  let port = first.port;
  try {
    assert.equal(await get(`http://127.0.0.1:${port}/cb?code=x&state=wrong`), 400);
    assert.equal(await get(`http://127.0.0.1:${port}/cb?code=x`), 400, 'no state');
    assert.equal(await get(`http://127.0.0.1:${port}/cb?error=access_denied&state=st4tf`), 400, 'an error without our state is not believed either');
    assert.equal(await get(`http://127.0.0.1:${port}/cb?code=the-code&state=st4te`), 200, 'still listening');
    assert.deepEqual(await l.result, { code: 'the-code' });
  } finally {
    await l.close();
  }

  const second = await listening();
  port = second.port;
  const only = await startCallbackListener({ redirectUri: `http://127.0.0.1:${port}/cb`, expect, timeoutMs: 1000, listening: second.servers });
  assert.equal(await get(`http://127.0.0.1:${port}/cb?code=x&state=wrong`), 400);
  await assert.rejects(only.result, (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_TIMEOUT' && /1 callback with a state not of this login \(forged/.test(e.message) && e.details.ignoredCallbacks === 1);
  await only.close();
});
