/**
 * The floor for `npm run bench`: a bare script that fetches the same pages at concurrency 8 and
 * JSON.parses them, nothing else. Prints `rows bytes` and its peak RSS.
 */
import { request } from 'undici';

const [base, pages, pageSize] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
let next = 0;
let rows = 0;
let bytes = 0;
async function worker(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= pages) return;
    const res = await request(`${base}?limit=${pageSize}&offset=${i * pageSize}`);
    const text = await res.body.text();
    bytes += Buffer.byteLength(text);
    rows += (JSON.parse(text) as { data: unknown[] }).data.length;
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
process.stdout.write(`${rows} ${bytes}\n`);
process.stderr.write(`BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
