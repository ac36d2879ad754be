/**
 * `npm run demo`: starts a local OAuth authorization server (oidc-provider) guarding the demo REST
 * API, both on 127.0.0.1, and runs a few commands through the real CLI (bin/restsql in a child
 * process) with the seed's connection-string shape, printing each command and its output. The
 * login is done by a scripted browser stand-in ($BROWSER), or by you with --interactive.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { RestSqlError } from '../../src/errors/index.js';
import { startDemoApi } from './api-server.js';
import { freePort } from './free-port.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', '..', '..', 'bin', 'restsql');
const STAND_IN = join(HERE, 'browser-stand-in.js');

export interface DemoIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Log in yourself in your own browser instead of the scripted stand-in. */
  readonly interactive?: boolean;
}

function runCli(args: string[], env: NodeJS.ProcessEnv, io: DemoIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: [io.interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.stdout.write(d));
    child.stderr.on('data', (d: Buffer) => io.stderr.write(d));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function shellQuote(a: string): string {
  return /[\s;"'*(),$]/.test(a) ? `'${a.replaceAll("'", "'\\''")}'` : a;
}

/** oidc-provider is a development dependency: present after `npm install` in a checkout. */
async function loadAuthServer(): Promise<typeof import('./auth-server.js')> {
  try {
    return await import('./auth-server.js');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new RestSqlError('USAGE', 'The demo needs the development dependency oidc-provider (its local OAuth server), which is not installed.', {
      hint: 'Run the demo from a restsql checkout after `npm install` (not `npm install --omit=dev`).',
    });
  }
}

export async function runDemo(io: DemoIo): Promise<void> {
  const { startAuthServer, DEMO_CLIENT } = await loadAuthServer();
  const auth = await startAuthServer();
  const api = await startDemoApi({ verifyToken: (t) => auth.verify(t) });
  const home = await mkdtemp(join(tmpdir(), 'restsql-demo-'));
  const redirectPort = await freePort();
  // The seed's connection-string shape (AuthenticationMethod=56, OAuth2-PKCE), with the client secret
  // read from the environment instead of written down.
  const conn = [
    `RestSamplePath=${api.baseUrl}/v1/customers`,
    'Table=customers',
    'AuthenticationMethod=56',
    `ClientID=${DEMO_CLIENT.id}`,
    'ClientSecret=${RESTSQL_DEMO_CLIENT_SECRET}',
    `AuthURI=${auth.issuer}/auth`,
    `TokenURI=POST ${auth.issuer}/token`,
    `RedirectURI=http://localhost:${redirectPort}`,
    "Scope='openid api:read'",
  ].join(';');
  const env: NodeJS.ProcessEnv = {
    ...io.env,
    RESTSQL_HOME: home,
    RESTSQL_CONNECT: conn,
    RESTSQL_DEMO_CLIENT_SECRET: DEMO_CLIENT.secret,
    ...(io.interactive ? {} : { BROWSER: `'${process.execPath}' '${STAND_IN}'` }),
  };
  const things = conn.replace('/v1/customers;Table=customers', '/v1/things');
  const steps: { title: string; args: string[]; show?: string }[] = [
    {
      title: io.interactive
        ? 'The first query logs in: your browser opens; log in as anyone with password "pw" and approve'
        : 'The first query logs in (PKCE, RFC 7636): a scripted browser stand-in fills in the login page',
      args: ['query', 'SELECT id, name, address_city, address_zip, active FROM customers ORDER BY id LIMIT 5'],
    },
    { title: 'The token is cached under $RESTSQL_HOME (0600); `restsql token` shows it, never the token itself', args: ['token'] },
    { title: 'A new process: the cached token is used, no browser opens', args: ['tables'] },
    { title: 'The model, in DataDirect .rest syntax, ready to save and edit', args: ['sample', `${api.baseUrl}/v1/customers`] },
    {
      title: 'A join with the child table made from the tags array',
      args: ['query', "SELECT t.tags AS tag, count(*) AS customers, string_agg(c.name, ', ' ORDER BY c.id) AS who FROM customers c JOIN tags t ON t.customers_id = c.id GROUP BY 1 ORDER BY 2 DESC, 1"],
    },
    {
      title: 'Three levels: customers -> orders -> items, aggregated, as JSON',
      args: ['query', '--format', 'json', 'SELECT c.name, count(*) AS orders, round(sum(o.total), 2) AS spent, (SELECT sum(i.qty) FROM items i WHERE i.orders_customers_id = c.id) AS units FROM customers c JOIN orders o ON o.customers_id = c.id GROUP BY c.id, c.name ORDER BY spent DESC LIMIT 3'],
    },
    {
      title: 'Another endpoint, same login: an envelope response ({"data": [...], "total": n}), as CSV',
      args: ['query', '--connect', things, '--format', 'csv', 'SELECT t.sku, t.title, t.price, t.dims_w * t.dims_h AS area, count(c.colors) AS colors FROM things t LEFT JOIN colors c ON c.things_sku = t.sku GROUP BY ALL ORDER BY t.sku'],
      show: 'query --connect "<the same, with RestSamplePath=.../v1/things>" --format csv \'SELECT ...\'',
    },
    { title: 'Log out: the tokens are revoked at the server (RFC 7009) and removed', args: ['logout'] },
  ];
  try {
    io.stdout.write(`# A local OAuth server (oidc-provider) at ${auth.issuer} guards the demo API at ${api.baseUrl}.\n`);
    io.stdout.write(`$ export RESTSQL_DEMO_CLIENT_SECRET=...   # the client secret stays out of the connection string\n`);
    io.stdout.write(`$ export RESTSQL_CONNECT=${shellQuote(conn)}\n`);
    for (const step of steps) {
      io.stdout.write(`\n# ${step.title}\n$ restsql ${step.show ?? step.args.map(shellQuote).join(' ')}\n`);
      const code = await runCli(step.args, env, io);
      if (code !== 0) throw new Error(`demo step failed with exit status ${code}: restsql ${step.args[0]}`);
    }
    io.stdout.write(`\nDemo finished: ${steps.length} commands, ${auth.logins()} browser login, ${auth.tokenRequests.length} token requests, ${api.requests.length} API requests.\n`);
  } finally {
    await api.close();
    await auth.close();
    await rm(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runDemo({ stdout: process.stdout, stderr: process.stderr, env: process.env, interactive: process.argv.includes('--interactive') }).catch((e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
