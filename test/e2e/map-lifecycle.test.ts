/**
 * The relational map's life cycle end to end, through the real CLI against a loopback API that
 * counts its requests: CreateMap (NotExist, ForceNew, No, Session), SchemaMap (a folder, a file,
 * a corrupt or foreign file), REFRESH MAP (CLI, library, and its refusal through restsql serve),
 * and SamplingFailureTolerance.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { connect, isRestSqlError } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { serveFixture } from '../support/serve.js';
import { ownSpoolFolders, tempDir } from '../support/temp-dir.js';

const dir = tempDir(after, 'restsql-map-');
let n = 0;

/** Paths answered 500; paths whose records carry an `extra` field from their Nth request on. */
const failing = new Set<string>();
const extraFrom = new Map<string, number>();
const counts = new Map<string, number>();
/** Paths whose requests wait until the promise resolves. */
const held = new Map<string, Promise<void>>();
let api: Listening<Server>;

before(async () => {
  api = await startHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    await held.get(p);
    const seen = (counts.get(p) ?? 0) + 1;
    counts.set(p, seen);
    res.setHeader('content-type', 'application/json');
    if (failing.has(p)) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: 'down on purpose' }));
      return;
    }
    const withExtra = extraFrom.has(p) && seen >= extraFrom.get(p)!;
    res.end(JSON.stringify({ data: [1, 2, 3].map((id) => ({ id, name: `${p.slice(1)}-${id}`, ...(withExtra ? { extra: id * 10 } : {}) })) }));
  });
});
after(async () => {
  await api?.close();
  assert.deepEqual(ownSpoolFolders(), [], 'every connection closed: no spool folder of this process is left');
});

/** Requests to each path since the last call. */
function takeCounts(): Record<string, number> {
  const out = Object.fromEntries(counts);
  counts.clear();
  return out;
}

function modelFile(text: string): string {
  const file = join(dir, `m${++n}.rest`);
  writeFileSync(file, text);
  return file;
}

/** A fresh $RESTSQL_HOME: the default SchemaMap folder is its maps/. */
function home(): string {
  const h = join(dir, `home${++n}`);
  mkdirSync(h);
  return h;
}

const THREE = (prefix: string) => JSON.stringify({ a: `/${prefix}a`, b: `/${prefix}b`, c: `/${prefix}c` });

async function cli(conn: string, sql: string, restsqlHome: string) {
  return runCli(['query', '--format', 'json', '-c', `${conn};HostName=${api.url};WSRetryCount=0`, sql], { env: { RESTSQL_HOME: restsqlHome } });
}

describe('CreateMap: how a second connection gets its map', () => {
  test('Session (the default) samples at every connect and writes nothing', async () => {
    const h = home();
    const model = modelFile(THREE('s'));
    takeCounts();
    for (let i = 0; i < 2; i++) {
      const r = await cli(`RestConfigFile=${model}`, 'SELECT 1 AS one', h);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(takeCounts(), { '/sa': 1, '/sb': 1, '/sc': 1 }, `connection ${i + 1} samples every endpoint`);
    }
    assert.equal(existsSync(join(h, 'maps')), false, 'no map folder is made');
  });

  test('NotExist builds and persists the map once; a second connection samples nothing and answers from it', async () => {
    const h = home();
    const model = modelFile(THREE('n'));
    takeCounts();
    const first = await cli(`RestConfigFile=${model};CreateMap=NotExist`, 'SELECT 1 AS one', h);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(takeCounts(), { '/na': 1, '/nb': 1, '/nc': 1 });
    const files = readdirSync(join(h, 'maps'));
    assert.equal(files.length, 1);
    const file = join(h, 'maps', files[0]!);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the map file is private to its owner');
    const second = await cli(`RestConfigFile=${model};CreateMap=0`, 'SELECT name FROM b ORDER BY id', h);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout), [{ name: 'nb-1' }, { name: 'nb-2' }, { name: 'nb-3' }]);
    assert.deepEqual(takeCounts(), { '/nb': 1 }, 'no sampling request; only the rows of b are fetched');
  });

  test('ForceNew samples and rewrites the map at every connect', async () => {
    const h = home();
    const model = modelFile(THREE('f'));
    takeCounts();
    for (let i = 0; i < 2; i++) {
      const r = await cli(`RestConfigFile=${model};CreateMap=ForceNew`, 'SELECT 1 AS one', h);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(takeCounts(), { '/fa': 1, '/fb': 1, '/fc': 1 });
    }
    assert.equal(readdirSync(join(h, 'maps')).filter((f) => f.endsWith('.json')).length, 1, 'one map file, replaced');
  });

  test('No fails without a persisted map, naming CreateMap and SchemaMap; with one it samples nothing', async () => {
    const h = home();
    const model = modelFile(THREE('o'));
    takeCounts();
    const missing = await cli(`RestConfigFile=${model};CreateMap=No`, 'SELECT 1 AS one', h);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /error\[MODEL_MAP_MISSING\]: CreateMap=No \(2\).*SchemaMap/);
    assert.deepEqual(takeCounts(), {}, 'nothing is sampled');
    assert.equal((await cli(`RestConfigFile=${model};CreateMap=NotExist`, 'SELECT 1 AS one', h)).code, 0);
    takeCounts();
    const reused = await cli(`RestConfigFile=${model};CreateMap=2`, 'SELECT count(*)::INTEGER AS n FROM c', h);
    assert.equal(reused.code, 0, reused.stderr);
    assert.deepEqual(JSON.parse(reused.stdout), [{ n: 3 }]);
    assert.deepEqual(takeCounts(), { '/oc': 1 });
  });

  test('a changed model file or a changed mapping option is never answered from the old map', async () => {
    const h = home();
    const model = modelFile(THREE('x'));
    assert.equal((await cli(`RestConfigFile=${model};CreateMap=NotExist`, 'SELECT 1 AS one', h)).code, 0);
    takeCounts();
    // Another option that changes sampling: NotExist samples again, No refuses.
    const refused = await cli(`RestConfigFile=${model};CreateMap=No;MaxColumns=500`, 'SELECT 1 AS one', h);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /MODEL_MAP_MISSING.*another model file or other options/);
    const resampled = await cli(`RestConfigFile=${model};CreateMap=NotExist;MaxColumns=500`, 'SELECT 1 AS one', h);
    assert.equal(resampled.code, 0, resampled.stderr);
    assert.deepEqual(takeCounts(), { '/xa': 1, '/xb': 1, '/xc': 1 });
    // The model file edited in place: a table more, sampled; the map rebuilt.
    writeFileSync(model, JSON.stringify({ a: '/xa', b: '/xb', c: '/xc', d: '/xd' }));
    const edited = await cli(`RestConfigFile=${model};CreateMap=NotExist;MaxColumns=500`, 'SELECT name FROM d WHERE id = 2', h);
    assert.equal(edited.code, 0, edited.stderr);
    assert.deepEqual(JSON.parse(edited.stdout), [{ name: 'xd-2' }]);
    // d's first page, fetched to sample it, also answers the query.
    assert.deepEqual(takeCounts(), { '/xa': 1, '/xb': 1, '/xc': 1, '/xd': 1 });
    // Another account (here another API key header name) may see other fields: never the old map.
    const other = await cli(`RestConfigFile=${model};CreateMap=No;MaxColumns=500;AuthHeader=X-Tenant;SecurityToken=t1`, 'SELECT 1 AS one', h);
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /MODEL_MAP_MISSING/);
  });

  test('no credential of the model file or the URL reaches the persisted map', async () => {
    const h = home();
    const model = modelFile(JSON.stringify({ a: { '#path': '/ka?api_key=k3y-in-the-url', '#headers': { Authorization: 'Bearer t0ken-in-a-header' } }, b: '/kb' }));
    failing.add('/kb');
    try {
      const r = await cli(`RestConfigFile=${model};CreateMap=NotExist;AuthenticationMethod=BearerToken;SecurityToken=s3cret-option`, 'SELECT name FROM a WHERE id = 1', h);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      failing.delete('/kb');
    }
    const text = readFileSync(join(h, 'maps', readdirSync(join(h, 'maps'))[0]!), 'utf8');
    for (const secret of ['k3y-in-the-url', 't0ken-in-a-header', 's3cret-option']) assert.ok(!text.includes(secret), `${secret} is not in the map`);
    const map = JSON.parse(text) as { tables: { entry: string }[]; sampling: { table: string; success: boolean }[] };
    assert.deepEqual(map.tables.map((t) => t.entry), ['a']);
    assert.deepEqual(map.sampling.map((s) => [s.table, s.success]), [['a', true], ['b', false]]);
  });

  test('RestSamplePath: NotExist reuses the sampled table and its paging', async () => {
    const h = home();
    takeCounts();
    assert.equal((await cli('RestSamplePath=/rp;CreateMap=NotExist', 'SELECT 1 AS one', h)).code, 0);
    assert.deepEqual(takeCounts(), { '/rp': 1 });
    const r = await cli('RestSamplePath=/rp;CreateMap=No', 'SELECT id, name FROM rp ORDER BY id DESC LIMIT 1', h);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ id: 3, name: 'rp-3' }]);
    assert.deepEqual(takeCounts(), { '/rp': 1 }, 'the one request fetches rows: nothing sampled');
  });
});

describe('SchemaMap', () => {
  test('a chosen file and a chosen folder hold the map', async () => {
    const h = home();
    const model = modelFile(THREE('p'));
    const file = join(dir, `chosen${++n}.map`);
    assert.equal((await cli(`RestConfigFile=${model};CreateMap=NotExist;SchemaMap=${file}`, 'SELECT 1 AS one', h)).code, 0);
    assert.match(readFileSync(file, 'utf8'), /^\{\n "format": "restsql-map"/);
    const folder = join(dir, `folder${++n}`) + '/';
    assert.equal((await cli(`RestConfigFile=${model};CreateMap=ForceNew;smp=${folder}`, 'SELECT 1 AS one', h)).code, 0);
    assert.equal(readdirSync(folder).length, 1);
    assert.equal(existsSync(join(h, 'maps')), false, 'the default folder is not used');
    takeCounts();
    assert.equal((await cli(`RestConfigFile=${model};CreateMap=No;SchemaMap=${file}`, 'SELECT 1 AS one', h)).code, 0);
    assert.deepEqual(takeCounts(), {});
  });

  test('a corrupt map fails naming SchemaMap and ForceNew; ForceNew rebuilds it; a foreign file is never replaced', async () => {
    const h = home();
    const model = modelFile(THREE('q'));
    const file = join(dir, `corrupt${++n}.json`);
    assert.equal((await cli(`RestConfigFile=${model};CreateMap=NotExist;SchemaMap=${file}`, 'SELECT 1 AS one', h)).code, 0);
    const good = readFileSync(file, 'utf8');
    for (const broken of [good.slice(0, good.length / 2), good.replace('"type": "INTEGER"', '"type": "INT4"'), good.replace('"version": 1', '"version": 99')]) {
      writeFileSync(file, broken);
      for (const mode of ['NotExist', 'No']) {
        const r = await cli(`RestConfigFile=${model};CreateMap=${mode};SchemaMap=${file}`, 'SELECT 1 AS one', h);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /error\[MODEL_MAP_INVALID\]: SchemaMap: .*(corrupt|version)/);
        assert.match(r.stderr, /CreateMap=ForceNew/);
      }
    }
    const rebuilt = await cli(`RestConfigFile=${model};CreateMap=ForceNew;SchemaMap=${file}`, 'SELECT name FROM a WHERE id = 3', h);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.deepEqual(JSON.parse(rebuilt.stdout), [{ name: 'qa-3' }]);
    const foreign = join(dir, `notes${++n}.txt`);
    writeFileSync(foreign, 'my own notes\n');
    for (const mode of ['NotExist', 'ForceNew']) {
      const r = await cli(`RestConfigFile=${model};CreateMap=${mode};SchemaMap=${foreign}`, 'SELECT 1 AS one', h);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /MODEL_MAP_INVALID\]: SchemaMap: .* is not a restsql map/);
    }
    assert.equal(readFileSync(foreign, 'utf8'), 'my own notes\n', 'the foreign file is untouched');
  });
});

describe('REFRESH MAP', () => {
  test('through the CLI: the column the API began to return after connect is there after REFRESH MAP', async () => {
    const h = home();
    const model = modelFile(JSON.stringify({ a: '/ra' }));
    // Sampling at connect is request 1; from request 2 on, records carry `extra`.
    extraFrom.set('/ra', 2);
    counts.delete('/ra');
    const before_ = await cli(`RestConfigFile=${model}`, 'SELECT extra FROM a', h);
    assert.equal(before_.code, 1);
    assert.match(before_.stderr, /extra/);
    counts.delete('/ra');
    const r = await runCli(['query', '--format', 'csv', '-c', `RestConfigFile=${model};HostName=${api.url}`, 'refresh map; SELECT id, extra FROM a ORDER BY id'], { env: { RESTSQL_HOME: h } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'status,tables,failed_endpoints\nmap refreshed: 1 table,1,0\nid,extra\n1,10\n2,20\n3,30\n');
    const alone = await cli(`RestConfigFile=${model}`, 'REFRESH MAP', h);
    assert.equal(alone.code, 0, alone.stderr);
    assert.deepEqual(JSON.parse(alone.stdout), [{ status: 'map refreshed: 1 table', tables: 1, failed_endpoints: 0 }]);
    extraFrom.delete('/ra');
  });

  test('through the library: tables replaced, cached rows dropped, the map persisted when CreateMap persists', async () => {
    const h = home();
    const model = modelFile(JSON.stringify({ a: '/la', b: '/lb' }));
    const conn = await connect(`RestConfigFile=${model};HostName=${api.url};CreateMap=NotExist`, { env: { RESTSQL_HOME: h } });
    try {
      assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM a')).rows, [{ n: 3 }]);
      takeCounts();
      assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM a')).rows, [{ n: 3 }]);
      assert.deepEqual(takeCounts(), {}, 'rows cached');
      extraFrom.set('/la', 0);
      const refreshed = await conn.query('Refresh  Map ;');
      assert.deepEqual(refreshed.rows, [{ status: 'map refreshed: 2 tables', tables: 2, failed_endpoints: 0 }]);
      assert.deepEqual(takeCounts(), { '/la': 1, '/lb': 1 }, 'both endpoints sampled again');
      // The old cached rows (without extra) are gone; the page the refresh sampled answers.
      assert.deepEqual((await conn.query('SELECT sum(extra)::INTEGER AS s FROM a')).rows, [{ s: 60 }]);
      assert.deepEqual(takeCounts(), {});
      assert.ok((await conn.tables()).find((t) => t.name === 'a')!.columns.some((c) => c.name === 'extra'));
      assert.ok(conn.model.endpoints[0]!.table.columns.some((c) => c.name === 'extra'));
      const persisted = readFileSync(join(h, 'maps', readdirSync(join(h, 'maps'))[0]!), 'utf8');
      assert.match(persisted, /"name": "extra"/);
      // A refresh that fails changes nothing.
      failing.add('/la');
      failing.add('/lb');
      await assert.rejects(conn.query('REFRESH MAP'), (e: unknown) => isRestSqlError(e) && e.code === 'HTTP_STATUS' && /SamplingFailureTolerance=-1/.test(e.message));
      failing.clear();
      assert.deepEqual((await conn.query('SELECT sum(extra)::INTEGER AS s FROM a')).rows, [{ s: 60 }]);
      await conn.query('BEGIN');
      await assert.rejects(conn.query('REFRESH MAP'), (e: unknown) => isRestSqlError(e) && e.code === 'MAP_REFRESH_IN_TRANSACTION');
      await conn.query('ROLLBACK');
    } finally {
      failing.clear();
      extraFrom.delete('/la');
      await conn.close();
    }
  });

  test('the session after REFRESH MAP runs InitializationString again, as every session does', async () => {
    const model = modelFile(JSON.stringify({ a: '/ia' }));
    const conn = await connect(`RestConfigFile=${model};HostName=${api.url};InitializationString=(SET VARIABLE restsql_init = 7)`, { env: { RESTSQL_HOME: home() } });
    try {
      assert.deepEqual((await conn.query(`SELECT getvariable('restsql_init')::INTEGER AS v`)).rows, [{ v: 7 }]);
      await conn.query(`SET VARIABLE restsql_init = 8`);
      await conn.query('REFRESH MAP');
      assert.deepEqual((await conn.query(`SELECT getvariable('restsql_init')::INTEGER AS v`)).rows, [{ v: 7 }]);
    } finally {
      await conn.close();
    }
  });

  test('a statement sent during REFRESH MAP waits for it; closing during one waits too and leaves nothing open', async () => {
    const model = modelFile(JSON.stringify({ a: '/wa' }));
    const conn = await connect(`RestConfigFile=${model};HostName=${api.url}`, { env: { RESTSQL_HOME: home() } });
    let release!: () => void;
    held.set('/wa', new Promise<void>((r) => (release = r)));
    extraFrom.set('/wa', 0);
    try {
      const refresh = conn.query('REFRESH MAP');
      // Sent while the refresh is under way (its gate is set before query() returns): it must see the refreshed table.
      const during = conn.query('SELECT sum(extra)::INTEGER AS s FROM a');
      release();
      assert.equal((await refresh).rows[0]!.tables, 1);
      assert.deepEqual((await during).rows, [{ s: 60 }]);
      held.set('/wa', new Promise<void>((r) => (release = r)));
      const second = conn.query('REFRESH MAP');
      const closing = conn.close();
      release();
      await Promise.allSettled([second]);
      await closing;
      await assert.rejects(conn.query('SELECT 1'), (e: unknown) => isRestSqlError(e) && e.code === 'CONNECTION_CLOSED');
    } finally {
      held.delete('/wa');
      extraFrom.delete('/wa');
      release();
      await conn.close();
    }
  });

  test('through restsql serve: refused with a clear error, the session goes on', async () => {
    const fx = await serveFixture();
    const client = new pg.Client({ host: fx.host, port: fx.port, user: 'tester', password: fx.password, database: 'restsql', connectionTimeoutMillis: 30_000 });
    try {
      await client.connect();
      for (const text of ['REFRESH MAP', 'refresh map;']) {
        await assert.rejects(client.query(text), (e: Error & { code?: string }) => e.code === '0A000' && /REFRESH MAP is not available on a session that shares its map/.test(e.message));
      }
      // The extended protocol (Parse describes it first) is refused the same way.
      await assert.rejects(client.query({ text: 'REFRESH MAP', values: [] , name: 'r' }), (e: Error & { code?: string }) => e.code === '0A000');
      assert.deepEqual((await client.query('SELECT count(*)::INTEGER AS n FROM items')).rows, [{ n: 20 }]);
    } finally {
      await client.end().catch(() => undefined);
      await fx.close();
    }
  });
});

describe('SamplingFailureTolerance with three endpoints', () => {
  const cases: [tolerance: string, failed: number, connects: boolean][] = [
    ['-1', 1, true],
    ['-1', 2, true],
    ['-1', 3, false],
    ['0', 1, false],
    ['0', 2, false],
    ['0', 3, false],
    ['2', 1, true],
    ['2', 2, true],
    ['2', 3, false],
  ];
  for (const [tolerance, failed, connects] of cases) {
    test(`SamplingFailureTolerance=${tolerance}, ${failed} failing: ${connects ? 'connects, each failure in sampling_status' : 'fails'}`, async () => {
      const prefix = `t${++n}`;
      const model = modelFile(THREE(prefix));
      const down = ['a', 'b', 'c'].slice(0, failed).map((x) => `/${prefix}${x}`);
      for (const p of down) failing.add(p);
      try {
        const r = await cli(`RestConfigFile=${model}${tolerance === '-1' ? '' : `;SamplingFailureTolerance=${tolerance}`}`, 'SELECT name, success, http_status, message FROM sampling_status ORDER BY name', home());
        if (!connects) {
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /error\[HTTP_STATUS\]/);
          // Tolerance 0 stops at the first failure and reports it as it is.
          if (tolerance !== '0') assert.match(r.stderr, new RegExp(`SamplingFailureTolerance=${tolerance}`));
          return;
        }
        assert.equal(r.code, 0, r.stderr);
        const rows = JSON.parse(r.stdout) as { name: string; success: boolean; http_status: number | null; message: string }[];
        assert.deepEqual(rows.map((s) => [s.name, s.success, s.http_status]), ['a', 'b', 'c'].map((x, i) => [x, i >= failed, i >= failed ? 200 : 500]));
        for (const s of rows.filter((x) => !x.success)) assert.match(s.message, /500/);
        assert.equal((r.stderr.match(/is left out/g) ?? []).length, failed, 'one warning per failed endpoint');
      } finally {
        for (const p of down) failing.delete(p);
      }
    });
  }

  test('RestSamplePath (one endpoint) fails whatever the tolerance', async () => {
    failing.add('/solo');
    try {
      const r = await cli('RestSamplePath=/solo;SamplingFailureTolerance=5', 'SELECT 1 AS one', home());
      assert.equal(r.code, 1);
      assert.match(r.stderr, /HTTP_STATUS/);
    } finally {
      failing.delete('/solo');
    }
  });

  test('the option is checked: -2 and 1025 are refused', async () => {
    for (const v of ['-2', '1025', 'Continue']) {
      const r = await cli(`RestSamplePath=/v;SamplingFailureTolerance=${v}`, 'SELECT 1 AS one', home());
      assert.equal(r.code, 2);
      assert.match(r.stderr, /CONFIG_INVALID_VALUE.*SamplingFailureTolerance/);
    }
  });
});
