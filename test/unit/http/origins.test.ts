/**
 * The origin rule (src/http/origins.ts): next links are compared as browsers resolve them, and a
 * request to an origin the connection was not configured for is refused before it is sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestSqlError } from '../../../src/errors/index.js';
import { createOriginPolicy, parseOriginList, sameOrigin } from '../../../src/http/origins.js';
import { originOf } from '../../../src/http/url.js';

const BASE = 'https://api.example.com/v1/items?page=1';

// [next link as the API wrote it, resolved against BASE, same origin as BASE?]
const LINKS: [string, boolean][] = [
  ['https://api.example.com/v1/items?page=2', true],
  ['/v1/items?page=2', true],
  ['?page=2', true],
  ['https://api.example.com:443/v1/items', true],
  ['HTTPS://API.EXAMPLE.COM/v1', true],
  ['https://user:pw@api.example.com/v1', true],
  ['https://api.example.com./v1', false],
  ['http://api.example.com/v1', false],
  ['https://api.example.com:8443/v1', false],
  ['//other.example/steal', false],
  ['/\\other.example/steal', false],
  ['\\\\other.example\\steal', false],
  ['https://api.example.com@other.example/steal', false],
  ['https://other.example/steal#@api.example.com', false],
  ['https://other.example\\@api.example.com/', false],
  [' https://other.example/steal', false],
  ['https://xn--bcher-kva.example/', false],
  ['file:///etc/passwd', false],
  ['ftp://api.example.com/v1', false],
  ['javascript:alert(1)', false],
];

test('next links resolve as browsers resolve them, and only the same scheme, host and port is the same origin', () => {
  for (const [link, same] of LINKS) {
    const resolved = new URL(link, BASE).href;
    assert.equal(sameOrigin(resolved, BASE), same, `${link} -> ${resolved}`);
  }
});

test('origins: default ports, case, IDNA and userinfo are normalised; other schemes have none', () => {
  const table: [string, string | undefined][] = [
    ['http://Example.COM:80/a', 'http://example.com'],
    ['https://example.com:443', 'https://example.com'],
    ['https://example.com:8443/x', 'https://example.com:8443'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example'],
    ['https://a:b@example.com/', 'https://example.com'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['file:///etc/passwd', undefined],
    ['ftp://example.com/', undefined],
    ['data:text/plain,x', undefined],
    ['/relative', undefined],
  ];
  for (const [url, origin] of table) assert.equal(originOf(url), origin, url);
  assert.equal(sameOrigin('http://localhost:1/', 'http://127.0.0.1:1/'), false, 'a name and its address are two origins');
});

test('the policy: configured origins carry credentials, AllowedOrigins none, anything else is refused naming both origins', () => {
  const policy = createOriginPolicy({ allowed: ['https://cdn.example.com'], credentialed: ['https://api2.example.com'] });
  policy.allow('https://api.example.com:443/v1/items');
  policy.allow('not a url');
  policy.allow('file:///etc/passwd');
  assert.equal(policy.check('https://API.example.com/v1/items?page=2'), 'credentials');
  assert.equal(policy.check('https://api2.example.com/x'), 'credentials');
  assert.equal(policy.check('https://cdn.example.com/x'), 'anonymous');
  // An origin both configured and merely allowed keeps its credentials.
  policy.allow('https://cdn.example.com/x');
  assert.equal(policy.check('https://cdn.example.com/x'), 'credentials');
  assert.deepEqual([...policy.origins.keys()].sort(), ['https://api.example.com', 'https://api2.example.com', 'https://cdn.example.com']);
  for (const url of ['https://other.example/steal', 'https://api.example.com:8443/', 'http://api.example.com/']) {
    assert.throws(() => policy.check(url), (e: unknown) => {
      assert.ok(isRestSqlError(e));
      assert.equal(e.code, 'HTTP_ORIGIN_REFUSED');
      // The URL redactor writes origins with a trailing slash.
      assert.match(e.message, new RegExp(`origin '${originOf(url)!.replace(/[.]/g, '\\.')}/?' is not one this connection is configured for \\('https://api2\\.example\\.com/?', 'https://cdn\\.example\\.com/?', 'https://api\\.example\\.com/?'\\)`));
      assert.match(e.hint ?? '', /AllowedOrigins=/);
      return true;
    });
  }
  for (const url of ['file:///etc/passwd', 'ftp://api.example.com/', 'gopher://api.example.com/']) {
    assert.throws(() => policy.check(url), (e: unknown) => isRestSqlError(e) && e.code === 'HTTP_ORIGIN_REFUSED' && /only http: and https:/.test(e.message));
  }
});

test('AllowedOrigins / CredentialedOrigins values: origins only', () => {
  assert.deepEqual(parseOriginList('https://cdn.example.com, http://127.0.0.1:8080/ https://x.example:443', 'AllowedOrigins'), ['https://cdn.example.com', 'http://127.0.0.1:8080', 'https://x.example']);
  assert.deepEqual(parseOriginList(undefined, 'AllowedOrigins'), []);
  for (const bad of ['cdn.example.com', 'ftp://cdn.example.com', 'https://cdn.example.com/path', 'https://u:p@cdn.example.com', 'https://cdn.example.com/?q', '*']) {
    assert.throws(() => parseOriginList(bad, 'AllowedOrigins'), (e: unknown) => isRestSqlError(e) && e.code === 'CONFIG_INVALID_VALUE' && e.message.startsWith('AllowedOrigins: ') && !e.message.includes('u:p@'), bad);
  }
});
