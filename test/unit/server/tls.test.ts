/**
 * restsql serve's TLS material: the given --tls-cert/--tls-key checked (both, PEM of their kind,
 * matching), else a self-signed certificate made once, kept private and reused, which a real TLS
 * client that trusts it accepts for localhost.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { connect, createServer } from 'node:tls';
import { inspect } from 'node:util';
import { RestSqlError } from '../../../src/errors/index.js';
import { serverTls, type ServerTlsMaterial } from '../../../src/server/tls.js';

const root = mkdtempSync(join(tmpdir(), 'restsql-serve-tls-'));
after(() => rmSync(root, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

let n = 0;
const freshDir = () => {
  const d = join(root, `state-${n++}`);
  mkdirSync(d);
  return d;
};

/** A certificate and key made here, independently of the code under test. */
async function pair(opts: { notAfter?: Date; names?: string[] } = {}): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: opts.notAfter ?? new Date(Date.now() + 30 * 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: (opts.names ?? ['localhost']).map((v) => (/^[\d.:]+$/.test(v) ? { type: 7 as const, ip: v } : { type: 2 as const, value: v })) }],
  });
  return { cert: pems.cert, key: pems.private };
}

function writePem(name: string, text: string): string {
  const p = join(root, `${name}-${n++}.pem`);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

async function refused(p: Promise<unknown>, option: string, pattern: RegExp): Promise<RestSqlError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof RestSqlError, `expected CONFIG_INVALID_VALUE, got ${inspect(caught)}`);
  assert.equal(caught.code, 'CONFIG_INVALID_VALUE');
  assert.equal(caught.details.option, option);
  assert.match(caught.message, pattern);
  return caught;
}

const notes = () => {
  const seen: string[] = [];
  return { seen, notify: (m: string) => void seen.push(m) };
};

test('self-signed: made once (told once), kept private in <stateDir>/tls and reused byte for byte', async () => {
  const state = freshDir();
  const first = notes();
  const a = await serverTls(state, {}, first.notify);
  assert.equal(a.generated, true);
  assert.equal(first.seen.length, 1);
  assert.match(first.seen[0] as string, /self-signed/);
  assert.ok((first.seen[0] as string).includes(join(state, 'tls', 'serve-cert.pem')));
  assert.equal(readFileSync(join(state, 'tls', 'serve-cert.pem'), 'utf8'), a.cert);
  assert.equal(readFileSync(join(state, 'tls', 'serve-key.pem'), 'utf8'), a.key);
  if (posix) {
    assert.equal(statSync(join(state, 'tls', 'serve-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(join(state, 'tls')).mode & 0o777, 0o700);
  }
  const x509 = new X509Certificate(a.cert);
  assert.ok(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(a.key)));
  for (const host of ['localhost', hostname()]) assert.ok(x509.checkHost(host), `${host} not in ${x509.subjectAltName}`);
  for (const ip of ['127.0.0.1', '::1']) assert.ok(x509.checkIP(ip), `${ip} not in ${x509.subjectAltName}`);
  assert.ok(new Date(x509.validTo).getTime() > Date.now() + 365 * 86_400_000);
  assert.ok(new Date(x509.validFrom).getTime() < Date.now());

  const second = notes();
  const b = await serverTls(state, {}, second.notify);
  assert.deepEqual(b, a);
  assert.deepEqual(second.seen, []);
});

test('self-signed: extra names from the caller are added (and made again when the kept one lacks them); wildcard addresses are left out', async () => {
  const state = freshDir();
  const a = await serverTls(state, {}, () => {});
  const told = notes();
  const b = await serverTls(state, {}, told.notify, { altNames: ['db.example.test', '10.1.2.3', '[fd00::5]'] });
  assert.notEqual(b.cert, a.cert);
  assert.equal(told.seen.length, 1);
  const x509 = new X509Certificate(b.cert);
  assert.ok(x509.checkHost('db.example.test'));
  assert.ok(x509.checkIP('10.1.2.3'));
  assert.ok(x509.checkIP('fd00::5'));
  assert.ok(x509.checkHost('localhost'));
  // Covered already (a subset, or names that are no host): reused.
  for (const altNames of [[], ['DB.example.test'], ['0.0.0.0', '::']]) {
    assert.equal((await serverTls(state, {}, assert.fail, { altNames })).cert, b.cert, JSON.stringify(altNames));
  }
});

test('self-signed: a kept certificate that expires within a day, or does not match its key, or is not PEM, is made again', async () => {
  const names = ['localhost', '127.0.0.1', '::1', hostname()];
  const cases: [string, () => Promise<{ cert: string; key: string }>][] = [
    ['expires in 12 hours', () => pair({ names, notAfter: new Date(Date.now() + 12 * 3_600_000) })],
    ['key of another pair', async () => ({ cert: (await pair({ names })).cert, key: (await pair({ names })).key })],
    ['garbage', async () => ({ cert: 'not a certificate', key: 'not a key' })],
  ];
  for (const [name, make] of cases) {
    const state = freshDir();
    mkdirSync(join(state, 'tls'), { mode: 0o700 });
    const kept = await make();
    writeFileSync(join(state, 'tls', 'serve-cert.pem'), kept.cert);
    writeFileSync(join(state, 'tls', 'serve-key.pem'), kept.key, { mode: 0o600 });
    const told = notes();
    const got = await serverTls(state, {}, told.notify);
    assert.notEqual(got.cert, kept.cert, name);
    assert.equal(told.seen.length, 1, name);
    assert.equal(readFileSync(join(state, 'tls', 'serve-cert.pem'), 'utf8'), got.cert, name);
  }
  // Control: a kept pair that is fine is reused, though made elsewhere.
  const state = freshDir();
  mkdirSync(join(state, 'tls'), { mode: 0o700 });
  const good = await pair({ names });
  writeFileSync(join(state, 'tls', 'serve-cert.pem'), good.cert);
  writeFileSync(join(state, 'tls', 'serve-key.pem'), good.key, { mode: 0o600 });
  assert.equal((await serverTls(state, {}, assert.fail)).cert, good.cert);
});

test('given certificate and key: returned as they are, not self-signed, nothing told', async () => {
  const p = await pair();
  const got = await serverTls(freshDir(), { cert: writePem('cert', p.cert), key: writePem('key', p.key) }, assert.fail);
  assert.deepEqual(got, { cert: p.cert, key: p.key, generated: false });
});

test('given certificate that has expired: accepted, with a warning', async () => {
  const p = await pair({ notAfter: new Date(Date.now() - 86_400_000) });
  const told = notes();
  const got = await serverTls(freshDir(), { cert: writePem('cert', p.cert), key: writePem('key', p.key) }, told.notify);
  assert.equal(got.generated, false);
  assert.equal(told.seen.length, 1);
  assert.match(told.seen[0] as string, /expired/);
});

test('a certificate without its key, or a key without its certificate, is refused naming the missing option', async () => {
  const p = await pair();
  await refused(serverTls(freshDir(), { cert: writePem('cert', p.cert) }, assert.fail), '--tls-key', /--tls-cert is given without --tls-key/);
  await refused(serverTls(freshDir(), { key: writePem('key', p.key) }, assert.fail), '--tls-cert', /--tls-key is given without --tls-cert/);
});

test('a key that is not the certificate\'s is refused', async () => {
  const [a, b] = [await pair(), await pair()];
  await refused(serverTls(freshDir(), { cert: writePem('cert', a.cert), key: writePem('key', b.key) }, assert.fail), '--tls-key', /is not the key of the certificate/);
});

test('files that are not PEM of their kind, or cannot be read, are refused naming their option', async () => {
  const p = await pair();
  const encrypted = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const cert = writePem('cert', p.cert);
  const key = writePem('key', p.key);
  await refused(serverTls(freshDir(), { cert: key, key }, assert.fail), '--tls-cert', /is not a PEM certificate/);
  await refused(serverTls(freshDir(), { cert, key: cert }, assert.fail), '--tls-key', /is not an unencrypted PEM private key/);
  await refused(serverTls(freshDir(), { cert, key: writePem('pub', encrypted.publicKey) }, assert.fail), '--tls-key', /is not an unencrypted PEM private key/);
  await refused(serverTls(freshDir(), { cert, key: writePem('enc', encrypted.privateKey) }, assert.fail), '--tls-key', /is not an unencrypted PEM private key/);
  await refused(serverTls(freshDir(), { cert: writePem('empty', ''), key }, assert.fail), '--tls-cert', /is not a PEM certificate/);
  await refused(serverTls(freshDir(), { cert: join(root, 'absent.pem'), key }, assert.fail), '--tls-cert', /cannot read/);
  await refused(serverTls(freshDir(), { cert, key: join(root, 'absent.pem') }, assert.fail), '--tls-key', /cannot read/);
});

/** Connects a TLS client to a server with `material`; resolves with the client's verdict. */
async function handshake(material: ServerTlsMaterial, client: { ca: string; servername: string }): Promise<'ok' | Error> {
  const server = createServer({ cert: material.cert, key: material.key }, (socket) => socket.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<'ok' | Error>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: client.ca, servername: client.servername }, () => {
        resolve(socket.authorized ? 'ok' : new Error(String(socket.authorizationError)));
        socket.end();
      });
      socket.on('error', (e) => resolve(e));
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('a TLS server with the self-signed material is accepted by a client that trusts the certificate', async () => {
  const material = await serverTls(freshDir(), {}, () => {});
  assert.equal(await handshake(material, { ca: material.cert, servername: 'localhost' }), 'ok');
  // Controls: the client's verification is live.
  const other = await pair();
  const untrusted = await handshake(material, { ca: other.cert, servername: 'localhost' });
  assert.ok(untrusted instanceof Error, 'a client trusting another certificate connected');
  const wrongName = await handshake(material, { ca: material.cert, servername: 'not-this-host.example' });
  assert.ok(wrongName instanceof Error && /not in the cert's altnames|does not match/i.test(wrongName.message), String(wrongName));
});
