/**
 * Preloaded with `node --import` in a child process: records every module the process loads
 * (ES modules through a loader hook, CommonJS ones from require's cache) and writes them, as JSON
 * `{ esm: string[], cjs: string[] }`, to the file $LOAD_PROBE_OUT when the process exits. Lets a
 * test check which packages a command loads, without timing anything.
 */
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const out = process.env.LOAD_PROBE_OUT;
if (out) {
  const esm: string[] = [];
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url: string) => esm.push(url));
  port1.unref();
  const hook = `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { const r = await next(url, context); port.postMessage(url); return r; }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { port: port2 }, transferList: [port2] });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => writeFileSync(out, JSON.stringify({ esm, cjs: Object.keys(cache) })));
}
