/**
 * `npm run demo`: starts the demo REST API on 127.0.0.1 and runs a few queries through the real
 * CLI (bin/restsql in a child process), printing each command and its output.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from './api-server.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'restsql');

export interface DemoIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

function runCli(args: string[], io: DemoIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: io.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.stdout.write(d));
    child.stderr.on('data', (d: Buffer) => io.stderr.write(d));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export async function runDemo(io: DemoIo): Promise<void> {
  const api = await startDemoApi();
  const conn = `RestSamplePath=${api.baseUrl}/v1/customers;Table=customers`;
  const steps: { title: string; args: string[] }[] = [
    { title: 'The tables inferred from one endpoint (nested objects become columns, arrays become child tables)', args: ['tables', '--connect', conn] },
    { title: 'The model, in DataDirect .rest syntax, ready to save and edit', args: ['sample', `${api.baseUrl}/v1/customers`] },
    {
      title: 'Flattened nested objects: address.city -> address_city (zip codes stay text)',
      args: ['query', '--connect', conn, 'SELECT id, name, address_city, address_zip, active FROM customers ORDER BY id LIMIT 5'],
    },
    {
      title: 'A join with the child table made from the tags array',
      args: ['query', '--connect', conn, "SELECT t.tags AS tag, count(*) AS customers, string_agg(c.name, ', ' ORDER BY c.id) AS who FROM customers c JOIN tags t ON t.customers_id = c.id GROUP BY 1 ORDER BY 2 DESC, 1"],
    },
    {
      title: 'Three levels: customers -> orders -> items, aggregated, as JSON',
      args: ['query', '--connect', conn, '--format', 'json', 'SELECT c.name, count(*) AS orders, round(sum(o.total), 2) AS spent, (SELECT sum(i.qty) FROM items i WHERE i.orders_customers_id = c.id) AS units FROM customers c JOIN orders o ON o.customers_id = c.id GROUP BY c.id, c.name ORDER BY spent DESC LIMIT 3'],
    },
    {
      title: 'An envelope response ({"data": [...], "total": n}) is found and mapped too, as CSV',
      args: ['query', '--connect', `RestSamplePath=${api.baseUrl}/v1/things`, '--format', 'csv', 'SELECT t.sku, t.title, t.price, t.dims_w * t.dims_h AS area, count(c.colors) AS colors FROM things t LEFT JOIN colors c ON c.things_sku = t.sku GROUP BY ALL ORDER BY t.sku'],
    },
  ];
  try {
    for (const step of steps) {
      const shown = step.args.map((a) => (/[\s;"'*(),]/.test(a) ? `'${a.replaceAll("'", "'\\''")}'` : a)).join(' ');
      io.stdout.write(`\n# ${step.title}\n$ restsql ${shown}\n`);
      const code = await runCli(step.args, io);
      if (code !== 0) throw new Error(`demo step failed with exit status ${code}: restsql ${step.args[0]}`);
    }
    io.stdout.write(`\nDemo finished: ${steps.length} commands against the demo API at ${api.baseUrl} (${api.requests.length} HTTP requests).\n`);
  } finally {
    await api.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runDemo({ stdout: process.stdout, stderr: process.stderr, env: process.env }).catch((e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
