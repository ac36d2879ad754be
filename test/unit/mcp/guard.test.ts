/** The HTTP request guard as a table: Host and Origin must be loopback (403), the bearer token right (401). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestGuard } from '../../../src/mcp/guard.js';

const TOKEN = 'guard-token-0123456789';
const ok = { host: '127.0.0.1:8808', authorization: `Bearer ${TOKEN}` };

const CASES: { name: string; headers: Record<string, string | undefined>; status?: 401 | 403 }[] = [
  { name: 'loopback host, right token', headers: ok },
  { name: 'localhost with a port', headers: { ...ok, host: 'localhost:8808' } },
  { name: 'LOCALHOST in capitals', headers: { ...ok, host: 'LOCALHOST:1' } },
  { name: 'IPv6 loopback', headers: { ...ok, host: '[::1]:8808' } },
  { name: '127.0.0.0/8', headers: { ...ok, host: '127.1.2.3' } },
  { name: 'a loopback Origin', headers: { ...ok, origin: 'http://localhost:3000' } },
  { name: 'an https loopback Origin', headers: { ...ok, origin: 'https://127.0.0.1' } },
  { name: 'bearer scheme in lower case', headers: { ...ok, authorization: `bearer ${TOKEN}` } },
  { name: 'no Host', headers: { ...ok, host: undefined }, status: 403 },
  { name: 'a rebinding name', headers: { ...ok, host: 'evil.example:8808' }, status: 403 },
  { name: 'a name that starts like loopback', headers: { ...ok, host: '127.0.0.1.evil.example' }, status: 403 },
  { name: 'localhost as a subdomain', headers: { ...ok, host: 'localhost.evil.example:8808' }, status: 403 },
  { name: 'a LAN address', headers: { ...ok, host: '192.168.1.2:8808' }, status: 403 },
  { name: 'a malformed Host', headers: { ...ok, host: 'a b' }, status: 403 },
  { name: 'a foreign Origin', headers: { ...ok, origin: 'https://evil.example' }, status: 403 },
  { name: 'Origin null (sandboxed page, file:)', headers: { ...ok, origin: 'null' }, status: 403 },
  { name: 'a non-http Origin', headers: { ...ok, origin: 'chrome-extension://abc' }, status: 403 },
  { name: 'a foreign Origin without a token is still 403', headers: { host: ok.host, origin: 'http://evil.example' }, status: 403 },
  { name: 'no Authorization', headers: { host: ok.host }, status: 401 },
  { name: 'a wrong token', headers: { ...ok, authorization: `Bearer ${TOKEN}0` }, status: 401 },
  { name: 'a prefix of the token', headers: { ...ok, authorization: `Bearer ${TOKEN.slice(0, 8)}` }, status: 401 },
  { name: 'an empty bearer', headers: { ...ok, authorization: 'Bearer ' }, status: 401 },
  { name: 'the token under Basic', headers: { ...ok, authorization: `Basic ${TOKEN}` }, status: 401 },
  { name: 'the token alone', headers: { ...ok, authorization: TOKEN }, status: 401 },
  { name: 'two tokens', headers: { ...ok, authorization: `Bearer ${TOKEN} ${TOKEN}` }, status: 401 },
];

test('the guard lets through loopback requests with the token and refuses the others', () => {
  const guard = new RequestGuard(TOKEN);
  for (const c of CASES) {
    const headers = Object.fromEntries(Object.entries(c.headers).filter(([, v]) => v !== undefined));
    const refusal = guard.check(headers);
    assert.equal(refusal?.status, c.status, c.name);
    if (refusal?.status === 401) assert.match(refusal.headers?.['www-authenticate'] ?? '', /^Bearer realm=/, c.name);
    if (refusal) assert.ok(!refusal.message.includes(TOKEN), `${c.name}: the token is not echoed`);
  }
});

test('property: any headers at all give an answer, never a throw; only the token opens the door', async () => {
  const fc = (await import('fast-check')).default;
  const guard = new RequestGuard(TOKEN);
  const hosts = fc.oneof(fc.constantFrom('127.0.0.1:1', 'localhost', '[::1]:9'), fc.string(), fc.webUrl().map((u) => new URL(u).host));
  fc.assert(
    fc.property(hosts, fc.option(fc.oneof(fc.string(), fc.webUrl())), fc.oneof(fc.string(), fc.string().map((t) => `Bearer ${t}`), fc.constant(`Bearer ${TOKEN}`)), (host, origin, authorization) => {
      const refusal = guard.check({ host, authorization, ...(origin === null ? {} : { origin }) });
      if (refusal === undefined) {
        assert.equal(authorization, `Bearer ${TOKEN}`);
        assert.ok(['127.0.0.1:1', 'localhost', '[::1]:9'].includes(host) || /^(127\.|localhost|\[::1\])/i.test(host), host);
      } else {
        assert.ok(refusal.status === 401 || refusal.status === 403);
      }
    }),
    { seed: 20261204, numRuns: 2000 },
  );
});
