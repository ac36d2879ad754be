/**
 * Credentials never leave their origin, through `restsql query`: a home API on one loopback port
 * whose first page points the next page (body link, protocol-relative, `/\`, userinfo trick, Link
 * header; sampled or from a model file) at a foreign server on another port. The foreign server
 * must get no request at all and the CLI must fail naming both origins, for Basic, bearer,
 * API-key header and URL-key authentication; AllowedOrigins lets requests through without
 * credentials, CredentialedOrigins with them; file: and ftp: links are never fetched.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, type CliResult } from '../support/cli.js';
import { startHttpServer } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

interface Loopback {
  readonly base: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** `respond(url, base)` answers every request with JSON (and headers); each request is recorded. */
async function serve(respond: (url: URL) => { body: unknown; headers?: Record<string, string> }): Promise<Loopback> {
  const seen: Seen[] = [];
  let base = '';
  const server = await startHttpServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const { body, headers } = respond(new URL(req.url ?? '/', base));
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  });
  base = server.url;
  return { base, seen, close: () => server.close() };
}

let home: Loopback;
let foreign: Loopback;
const dir = tempDir(after, 'restsql-origins-');
const SECRETS = { PW: 'pw-origin-4711', TOKEN: 'tok-origin-4711', KEY: 'key-origin-4711' };

/** Where each vector points the next page, given the foreign origin. */
const VECTORS: Record<string, (foreignBase: string, homeBase: string) => string> = {
  absolute: (f) => `${f}/steal`,
  'protocol-relative': (f) => `${f.replace(/^http:/, '')}/steal`,
  'slash-backslash': (f) => `/\\${f.replace(/^http:\/\//, '')}/steal`,
  userinfo: (f, h) => `${h}@${f.replace(/^http:\/\//, '')}/steal`,
  link: (f) => `${f}/steal`,
  file: () => 'file:///etc/passwd',
  ftp: (f) => `ftp://${f.replace(/^http:\/\//, '')}/steal`,
};

before(async () => {
  foreign = await serve(() => ({ body: { data: [{ id: 666, name: 'stolen' }] } }));
  // /<vector>/items: one record and a next link of that kind (the next page of the home API has no link).
  home = await serve((url) => {
    const vector = url.pathname.split('/')[1]!;
    if (url.pathname.endsWith('/page2')) return { body: { data: [{ id: 2, name: 'two' }] } };
    const target = VECTORS[vector]!(foreign.base, home.base);
    if (vector === 'link') return { body: { data: [{ id: 1, name: 'one' }] }, headers: { link: `<${target}>; rel="next"` } };
    return { body: { data: [{ id: 1, name: 'one' }], next: target } };
  });
});
after(async () => {
  await home?.close();
  await foreign?.close();
});

const AUTH: { name: string; options: string; carried(s: Seen): boolean }[] = [
  { name: 'Basic', options: 'AuthenticationMethod=0;User=alice;Password=${PW}', carried: (s) => s.headers.authorization === `Basic ${Buffer.from(`alice:${SECRETS.PW}`).toString('base64')}` },
  { name: 'BearerToken', options: 'AuthenticationMethod=34;SecurityToken=${TOKEN}', carried: (s) => s.headers.authorization === `Bearer ${SECRETS.TOKEN}` },
  { name: 'HTTPHeader', options: 'AuthenticationMethod=25;AuthHeader=X-Api-Key;SecurityToken=${KEY}', carried: (s) => s.headers['x-api-key'] === SECRETS.KEY },
  { name: 'URLParameter', options: 'AuthenticationMethod=14;AuthParam=api_key;SecurityToken=${KEY}', carried: (s) => new URL(s.url, 'http://x').searchParams.get('api_key') === SECRETS.KEY },
];

function cli(conn: string): Promise<CliResult> {
  return runCli(['query', '-c', conn, '--format', 'csv', 'SELECT id, name FROM items ORDER BY id'], { env: { ...SECRETS } });
}

let files = 0;

/** The connection string for `vector`: sampled (RestSamplePath, paging detected) or a model file. */
function connection(vector: string, how: 'sampled' | 'model', auth: string, extra = ''): string {
  if (how === 'sampled') return `RestSamplePath=${home.base}/${vector}/items;Table=items;${auth}${extra}`;
  const paging = vector === 'link' ? '"#nextPageResponseHeader": "Link"' : '"#nextPageElement": "next"';
  // A file per connection: cases run concurrently, and a file rewritten while another run reads it is empty.
  const file = join(dir, `${vector}-${++files}.rest`);
  writeFileSync(file, `{"items": {"#path": "/${vector}/items /data", ${paging}, "id": "Integer,#key", "name": "VarChar"}}`);
  return `RestConfigFile=${file};HostName=${home.base};${auth}${extra}`;
}

function assertRefused(r: CliResult, origin: string): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  assert.match(r.stderr, new RegExp(`error\\[HTTP_ORIGIN_REFUSED\\]: GET ${esc(foreign.base).replace('http:\\/\\/', 'http:\\/\\/(?:\\S+@)?')}/steal was refused before it was sent: its origin '${esc(origin)}/?' is not one this connection is configured for \\('${esc(home.base)}/?'\\)`));
  assert.match(r.stderr, /AllowedOrigins/);
  for (const secret of Object.values(SECRETS)) assert.ok(!r.stderr.includes(secret), 'no secret in the message');
}

describe('a next page on another origin is refused before it is sent, whatever the authentication', { concurrency: 4 }, () => {
  for (const how of ['sampled', 'model'] as const) {
    for (const vector of ['absolute', 'protocol-relative', 'slash-backslash', 'userinfo', 'link']) {
      for (const auth of AUTH) {
        test(`${how}, ${vector} next link, ${auth.name}`, async () => {
          const homeBefore = home.seen.length;
          const r = await cli(connection(vector, how, auth.options));
          assert.deepEqual(foreign.seen, [], 'the foreign origin got no request');
          assertRefused(r, foreign.base);
          // The home API did get the credentials: they were there to leak.
          assert.ok(home.seen.slice(homeBefore).some((s) => auth.carried(s)), 'the home API got the credentials');
        });
      }
    }
  }
});

test('AllowedOrigins: the foreign origin gets the request, without credentials, and its rows are read', async () => {
  for (const auth of AUTH) {
    const before = foreign.seen.length;
    const r = await cli(connection('absolute', 'sampled', auth.options, `;AllowedOrigins=${foreign.base}`));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'id,name\n1,one\n666,stolen\n');
    const got = foreign.seen.slice(before);
    assert.equal(got.length, 1, auth.name);
    assert.ok(!auth.carried(got[0]!), `${auth.name}: no credentials`);
    assert.equal(got[0]!.headers.authorization, undefined);
    assert.equal(got[0]!.headers['x-api-key'], undefined);
    assert.doesNotMatch(got[0]!.url, /api_key/);
  }
});

test('CredentialedOrigins: the foreign origin gets the request with the credentials', async () => {
  for (const auth of AUTH) {
    const before = foreign.seen.length;
    const r = await cli(connection('link', 'model', auth.options, `;CredentialedOrigins=${foreign.base}/`));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'id,name\n1,one\n666,stolen\n');
    const got = foreign.seen.slice(before);
    assert.equal(got.length, 1, auth.name);
    assert.ok(auth.carried(got[0]!), `${auth.name}: credentials sent to the listed origin`);
  }
});

test('file: and ftp: next links are never fetched, even with the origin allowed', async () => {
  for (const vector of ['file', 'ftp']) {
    for (const how of ['sampled', 'model'] as const) {
      const r = await cli(connection(vector, how, AUTH[1]!.options, `;AllowedOrigins=${foreign.base}`));
      assert.equal(r.code, 1, `${vector} ${how}: ${r.stderr}`);
      assert.match(r.stderr, /error\[HTTP_ORIGIN_REFUSED\]: GET (file|ftp):\/\/\S+ was refused before it was sent: restsql fetches only http: and https: URLs/, `${vector} ${how}`);
    }
  }
});

test('a bad AllowedOrigins value is a configuration error', async () => {
  const r = await cli(connection('absolute', 'sampled', 'AuthenticationMethod=15', ';AllowedOrigins=cdn.example.com'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /error\[CONFIG_INVALID_VALUE\]: AllowedOrigins: 'cdn\.example\.com' is not an http\(s\) origin/);
});
