import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { Redactor, RestSqlError, Secret, redactForm, redactHeaders, redactText, redactUrl, redactorOf } from '../../../src/errors/index.js';
import { ERROR_CODES, exitStatusFor } from '../../../src/errors/codes.js';

test('Secret never prints its value', () => {
  const s = new Secret('hunter2-very-secret');
  assert.equal(String(s), '***');
  assert.equal(`${s}`, '***');
  assert.equal(JSON.stringify({ s }), '{"s":"***"}');
  assert.doesNotMatch(inspect({ s }), /hunter2/);
  assert.equal(s.reveal(), 'hunter2-very-secret');
});

test('URLs: user-info and credential query parameters are masked, others kept', () => {
  const r = redactUrl('https://user:pw@api.example.com/x?page=2&access_token=abc&api_key=k&client_secret=s&code=c');
  assert.match(r, /page=2/);
  for (const v of ['abc', '=k', 'client_secret=s', 'code=c', 'user:pw']) assert.ok(!r.includes(v), `${v} in ${r}`);
});

test('headers and forms', () => {
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer x', 'X-Api-Key': 'k', Accept: 'application/json' }), { Authorization: '***', 'X-Api-Key': '***', Accept: 'application/json' });
  const f = redactForm('grant_type=authorization_code&code=abc&code_verifier=v&client_id=app&client_secret=s');
  assert.match(f, /grant_type=authorization_code/);
  assert.match(f, /client_id=app/);
  assert.doesNotMatch(f, /=abc|=v&|=s$/);
});

test('a secret wrapped in Secret is not scrubbed process-wide: text is masked only by the connection that knows it', () => {
  new Secret('p@ss w0rd/x');
  assert.equal(redactText('login failed for p@ss w0rd/x'), 'login failed for p@ss w0rd/x');
  assert.equal(new Redactor().add('p@ss w0rd/x').text('login failed for p@ss w0rd/x'), 'login failed for ***');
});

const PW = 'p@ss w0rd/+x=';
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Every form a secret travels in, and the redactor that must know it. */
const FORMS: [string, (r: Redactor) => Redactor, string][] = [
  ['raw', (r) => r.add(PW), PW],
  ['Secret', (r) => r.add(new Secret(PW)), PW],
  ['URL-encoded', (r) => r.add(PW), encodeURIComponent(PW)],
  ['form-encoded', (r) => r.add(PW), new URLSearchParams({ v: PW }).toString().slice(2)],
  ['base64', (r) => r.add(PW), b64(PW)],
  ['base64url', (r) => r.add(PW), Buffer.from(PW).toString('base64url')],
  ['JSON-escaped', (r) => r.add('a"b\\c/d'), JSON.stringify('a"b\\c/d').slice(1, -1)],
  ['base64 of user:password', (r) => r.addPair('alice', PW), b64(`alice:${PW}`)],
  ['base64 of user:password, unpadded', (r) => r.addPair('alice', 'pw-12345'), b64('alice:pw-12345').replace(/=+$/, '')],
  ['base64 of client_id:client_secret form-encoded (RFC 6749 2.3.1)', (r) => r.addPair('my app', PW), b64(`my+app:${new URLSearchParams({ v: PW }).toString().slice(2)}`)],
  ['Basic header value', (r) => r.addPair('alice', PW), `Basic ${b64(`alice:${PW}`)}`],
  ['Bearer header value', (r) => r.addHeaderValue('Bearer tok-abcdef'), 'Bearer tok-abcdef'],
  ['bearer token alone', (r) => r.addHeaderValue('Bearer tok-abcdef'), 'tok-abcdef'],
  ['API key header learnt from a request', (r) => r.learnRequest('http://127.0.0.1/x', { 'X-Api-Key': 'key-998877' }), 'key-998877'],
  ['query key learnt from a request', (r) => r.learnRequest('http://127.0.0.1/x?api_key=qk-445566', {}), 'qk-445566'],
  ['URL password learnt from a request', (r) => r.learnRequest('http://bob:url-pw-7788@127.0.0.1/x', {}), 'url-pw-7788'],
];

for (const [name, teach, form] of FORMS) {
  test(`redactor masks the ${name} form`, () => {
    const text = `the server said: ${form} (and again "${form}")`;
    const r = teach(new Redactor());
    assert.ok(!r.text(text).includes(form), `text: ${r.text(text)}`);
    assert.ok(!r.scrub(text).includes(form), `scrub: ${r.scrub(text)}`);
    assert.match(r.scrub(text), /^the server said: (Basic |Bearer )?\*\*\*/);
    // A redactor that was not told this secret leaves the text alone (no global list).
    assert.equal(new Redactor().add('unrelated-secret').scrub(text), text);
  });
}

test('two redactors do not share secrets', () => {
  const a = new Redactor().add('alpha-secret');
  const b = new Redactor().add('bravo-secret');
  assert.equal(b.scrub('alpha-secret bravo-secret'), 'alpha-secret ***');
  assert.equal(a.scrub('alpha-secret bravo-secret'), '*** bravo-secret');
});

test('very short values are not scrubbed from text (they would mask ordinary words)', () => {
  assert.equal(new Redactor().add('abc').scrub('abc abcd'), 'abc abcd');
});

const URLS: [string, string[], string[]][] = [
  ['http://user:pw-1234@127.0.0.1/x', ['pw-1234', 'user:'], ['127.0.0.1/x']],
  ['http://127.0.0.1/x?key=K1a&page=2', ['K1a'], ['page=2']],
  ['http://127.0.0.1/x?API_KEY=K2b&apikey=K3c&ApiKey=K4d', ['K2b', 'K3c', 'K4d'], []],
  ['http://127.0.0.1/x?access_token=T1&token=T2&sig=S1&Signature=S2', ['T1', 'T2', 'S1', 'S2'], []],
  ['http://127.0.0.1/x?secret=Z1&password=Z2&client_secret=Z3&code=Z4&auth=Z5&auth_token=Z6', ['Z1', 'Z2', 'Z3', 'Z4', 'Z5', 'Z6'], []],
  ['http://127.0.0.1/x?author=kept&keyword=kept2&codec=kept3', [], ['author=kept', 'keyword=kept2', 'codec=kept3']],
];
for (const [url, hidden, kept] of URLS) {
  test(`URL redaction: ${url}`, () => {
    for (const shown of [redactUrl(url), redactText(`GET ${url} failed`), new Redactor().url(url)]) {
      for (const h of hidden) assert.ok(!shown.includes(h), `${h} in ${shown}`);
      for (const k of kept) assert.ok(shown.includes(k), `${k} missing from ${shown}`);
    }
  });
}

test('free text: Authorization-style values masked even when the connection does not know them', () => {
  const t = redactText('echo: Authorization: Bearer abcdefgh12345 and Basic YWxpY2U6cHc=');
  assert.ok(!t.includes('abcdefgh12345') && !t.includes('YWxpY2U6cHc='), t);
});

test('Redactor.error masks message, hint and stack, and attaches itself for the cause', () => {
  const r = new Redactor().add('err-secret-1');
  const e = r.error(new RestSqlError('HTTP_STATUS', 'answered 401: bad err-secret-1', { hint: 'not err-secret-1' }));
  assert.ok(!`${e.message}${e.hint}${e.stack}`.includes('err-secret-1'));
  assert.equal(redactorOf(e), r);
  assert.ok(!JSON.stringify(e).includes('redactor'));
});

test('RestSqlError redacts its message, hides cause and attachments from JSON', () => {
  new Secret('tok-123456');
  const e = new RestSqlError('HTTP_STATUS', 'GET https://h/x?token=tok-123456 failed', { hint: 'h', cause: new Error('inner tok-123456') }).attach('response', { body: 'tok-123456' });
  const json = JSON.stringify(e);
  assert.doesNotMatch(json + e.message, /tok-123456/);
  assert.equal(e.code, 'HTTP_STATUS');
  assert.equal(e.exitStatus, 1);
});

test('every code maps to an exit status and a 5-character SQLSTATE', () => {
  for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
    assert.ok([1, 2, 3].includes(exitStatusFor(code)), code);
    assert.match(ERROR_CODES[code].sqlState, /^[0-9A-Z]{5}$/, code);
  }
  assert.equal(exitStatusFor('CONFIG_UNKNOWN_OPTION'), 2);
  assert.equal(exitStatusFor('AUTH_FAILED'), 3);
  assert.equal(exitStatusFor('QUERY_SYNTAX'), 1);
});

test('paging cursors named like tokens and empty values are not masked: a printed model must keep working', () => {
  assert.equal(redactUrl('https://api.test/items?pageToken=&limit=5'), 'https://api.test/items?pageToken=&limit=5');
  assert.equal(redactUrl('https://api.test/items?next_page_token=abc&continuationToken=x1'), 'https://api.test/items?next_page_token=abc&continuationToken=x1');
  assert.equal(redactUrl('https://api.test/items?access_token=abc&token=&pageToken=p'), 'https://api.test/items?access_token=***&token=&pageToken=p');
});
