/**
 * `npm run bench`, scenario s: start-up (issue 17). Whole `bin/restsql` processes, from spawn to
 * exit, next to a bare `node -e 0`, alternating, BENCH_STARTUP_RUNS (10) runs each after one
 * warm-up; the median is the figure.
 *
 *   s0 node -e 0                                      the floor: Node's own start-up
 *   s1 restsql --help                                 target: within 2x of s0
 *   s2 restsql query 'select 1', a model file         a query that needs no fetch; target 0.25 s
 *   s3 restsql query 'select 1', RestSamplePath with  the sampled map persisted by the warm-up
 *      CreateMap=NotExist                             (nothing is fetched in the timed runs)
 *   s4 restsql query 'select count(*)', RestSamplePath, CreateMap=Session (the default): samples
 *      and fetches 3 pages from a loopback API: what a query that fetches adds
 *
 * Prints a table and writes bench/results-startup.json. The API counts requests: s2 and s3 fail
 * the bench if they fetch anything.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface StartupResult {
  readonly id: string;
  readonly what: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly target?: string;
  readonly met?: boolean;
}

/** One process from spawn to exit; rejects when it fails. */
function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function runStartup(o: { root: string }): Promise<boolean> {
  const runs = Math.max(5, Number(process.env.BENCH_STARTUP_RUNS ?? 10));
  const bin = join(o.root, 'bin', 'restsql');
  const work = mkdtempSync(join(tmpdir(), 'restsql-startup-'));
  let requests = 0;
  const records = Array.from({ length: 300 }, (_x, i) => ({ id: i + 1, name: `item ${i + 1}`, tags: ['a', 'b'].slice(0, (i % 2) + 1) }));
  const api = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const offset = Number(url.searchParams.get('offset') ?? 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ total: records.length, data: records.slice(offset, offset + 100) }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  try {
    const model = join(work, 'items.rest');
    writeFileSync(model, JSON.stringify({ items: { '#path': [`${base}/items`], id: 'Integer,#key', name: 'VarChar(64)' } }));
    const env = { PATH: process.env.PATH ?? '', HOME: work, RESTSQL_HOME: work };
    const scenarios: { id: string; what: string; args: string[]; noFetch?: boolean; target?: (floor: number) => { text: string; ms: number } }[] = [
      { id: 's0', what: 'node -e 0', args: ['-e', '0'] },
      { id: 's1', what: 'restsql --help', args: [bin, '--help'], target: (floor) => ({ text: `<= 2 x s0 (${Math.round(2 * floor)} ms)`, ms: 2 * floor }) },
      { id: 's2', what: "query 'select 1' (model file, no fetch)", args: [bin, 'query', '-c', `RestConfigFile=${model}`, 'select 1'], noFetch: true, target: () => ({ text: '<= 250 ms', ms: 250 }) },
      { id: 's3', what: "query 'select 1' (RestSamplePath, CreateMap=NotExist, map persisted)", args: [bin, 'query', '-c', `RestSamplePath=${base}/items;CreateMap=NotExist;SchemaMap=${work}/maps/`], noFetch: true, target: () => ({ text: '<= 250 ms', ms: 250 }) },
      { id: 's4', what: "query 'select count(*)' (RestSamplePath: samples and fetches 3 pages)", args: [bin, 'query', '-c', `RestSamplePath=${base}/items`, 'select count(*) from items'] },
    ];
    scenarios[3]!.args.push('select 1');
    // Warm-up: the file cache, and s3's persisted map.
    for (const s of scenarios) await timed(s.args, env);
    const times = new Map<string, number[]>(scenarios.map((s) => [s.id, []]));
    for (let i = 0; i < runs; i++) {
      for (const s of scenarios) {
        const seen = requests;
        times.get(s.id)!.push(await timed(s.args, env));
        if (s.noFetch && requests !== seen) throw new Error(`${s.id} (${s.what}) fetched ${requests - seen} page(s); it must fetch nothing`);
      }
    }
    const floor = median(times.get('s0')!);
    const results: StartupResult[] = scenarios.map((s) => {
      const xs = times.get(s.id)!;
      const m = median(xs);
      const t = s.target?.(floor);
      return { id: s.id, what: s.what, medianMs: Math.round(m), minMs: Math.round(Math.min(...xs)), maxMs: Math.round(Math.max(...xs)), ...(t ? { target: t.text, met: m <= t.ms } : {}) };
    });
    const header = ['', 'start-up', 'median ms', 'min', 'max', 'target', ''];
    const lines = results.map((r) => [r.id, r.what, String(r.medianMs), String(r.minMs), String(r.maxMs), r.target ?? '', r.met === undefined ? '' : r.met ? 'met' : 'MISSED']);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (l: string[]) => l.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ').trimEnd();
    console.log(`\nrestsql start-up: whole processes, median of ${runs} (alternating, after a warm-up), Node ${process.version}\n`);
    console.log(fmt(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
    for (const l of lines) console.log(fmt(l));
    const file = join(o.root, 'bench', 'results-startup.json');
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, runs, results }, null, 2) + '\n');
    console.log(`\nsaved ${file}`);
    return results.every((r) => r.met !== false);
  } finally {
    api.close();
    rmSync(work, { recursive: true, force: true });
  }
}
