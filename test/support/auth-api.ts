/**
 * An API guarded by each non-OAuth method, verifying credentials the way real servers do: Basic,
 * Digest (RFC 7616, its own nonce and hash check), an API-key header, an API-key query parameter,
 * a fixed bearer token, and AWS SigV4 (recomputed from what arrived). Loopback only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { signV4 } from '../../src/auth/aws-sigv4.js';
import { listenLoopback } from './loopback-server.js';

export const CREDENTIALS = {
  user: 'alice',
  password: 'pä:ss w0rd',
  apiKey: 'k-123-secret',
  bearer: 't-456-secret',
  aws: { accessKey: 'AKIDTEST', secretKey: 'aws-secret-789', region: 'eu-west-1', service: 'execute-api' },
} as const;

/** Custom authentication: the API's own login endpoint and what it expects. */
export const CUSTOM = { apiKey: 'ak-custom-1', company: 'acme' } as const;

export interface AuthApi {
  readonly baseUrl: string;
  readonly seen: { path: string; authorization?: string; ok: boolean }[];
  close(): Promise<void>;
}

const ROWS = [
  { id: 1, name: 'one' },
  { id: 2, name: 'two' },
];

function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/([a-z0-9_-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/gi)) out[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  return out;
}

export async function startAuthApi(): Promise<AuthApi> {
  const seen: AuthApi['seen'] = [];
  const nonces = new Set<string>();
  // Custom login: tokens valid for 3 data requests, then 401 until a refresh.
  const tokens = new Map<string, number>();
  let issued = 0;
  const realm = 'restsql-test';
  const H = (s: string) => createHash('sha256').update(s).digest('hex');

  const check = (req: IncomingMessage, url: URL, body: string): { ok: boolean; challenge?: string } => {
    const auth = req.headers.authorization ?? '';
    switch (url.pathname.split('/')[1]) {
      case 'basic':
        return { ok: auth === 'Basic ' + Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64'), challenge: `Basic realm="${realm}"` };
      case 'header':
        return { ok: req.headers['x-api-key'] === CREDENTIALS.apiKey };
      case 'query':
        return { ok: url.searchParams.get('api_key') === CREDENTIALS.apiKey };
      case 'bearer':
        return { ok: auth === `Bearer ${CREDENTIALS.bearer}` };
      case 'digest': {
        const nonce = randomBytes(16).toString('hex');
        nonces.add(nonce);
        const challenge = `Digest realm="${realm}", qop="auth", algorithm=SHA-256, nonce="${nonce}", opaque="op4que"`;
        if (!/^Digest /i.test(auth)) return { ok: false, challenge };
        const p = digestParams(auth);
        if (!p.nonce || !nonces.has(p.nonce) || p.opaque !== 'op4que' || p.uri !== url.pathname + url.search) return { ok: false, challenge };
        const ha1 = H(`${CREDENTIALS.user}:${realm}:${CREDENTIALS.password}`);
        const ha2 = H(`${req.method}:${p.uri}`);
        const expected = H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
        return { ok: p.username === CREDENTIALS.user && p.response === expected, challenge };
      }
      case 'custom': {
        const m = /^Bearer (\S+)$/.exec(String(req.headers.authentication ?? ''));
        const left = m ? tokens.get(m[1]!) : undefined;
        if (left === undefined || left <= 0) return { ok: false };
        tokens.set(m![1]!, left - 1);
        return { ok: true };
      }
      case 'aws': {
        const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
        if (!m || m[1] !== CREDENTIALS.aws.accessKey) return { ok: false };
        const amzDate = String(req.headers['x-amz-date'] ?? '');
        const at = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
        if (Number.isNaN(at.getTime()) || Math.abs(Date.now() - at.getTime()) > 5 * 60_000) return { ok: false };
        // Recompute from what arrived: only the headers the client says it signed.
        const signed = Object.fromEntries(m[5]!.split(';').filter((h) => h !== 'host' && h !== 'x-amz-date').map((h) => [h, String(req.headers[h] ?? '')]));
        const again = signV4({ method: req.method ?? 'GET', url: `http://${req.headers.host}${req.url}`, headers: signed, body }, { ...CREDENTIALS.aws, region: m[3]!, service: m[4]! }, at);
        return { ok: again.authorization === auth };
      }
      default:
        return { ok: false };
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/login' || url.pathname === '/refresh') {
        // POST /login {credentials: {username, password, company}} with an api-key header; POST /refresh {refresh_token}.
        const b = JSON.parse(body || '{}') as { credentials?: { username?: string; password?: string; company?: string }; refresh_token?: string };
        const good = url.pathname === '/login'
          ? req.headers['api-key'] === CUSTOM.apiKey && b.credentials?.username === CREDENTIALS.user && b.credentials.password === CREDENTIALS.password && b.credentials.company === CUSTOM.company
          : b.refresh_token === 'rt-custom';
        seen.push({ path: url.pathname, ok: good });
        if (!good) {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"bad login"}');
          return;
        }
        const token = `ct-${++issued}`;
        tokens.set(token, 3);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { access_token: token, refresh_token: 'rt-custom' } }));
        return;
      }
      const { ok, challenge } = check(req, url, body);
      seen.push({ path: url.pathname, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ok });
      if (!ok) {
        res.writeHead(401, { 'content-type': 'application/json', ...(challenge ? { 'www-authenticate': challenge } : {}) });
        res.end(JSON.stringify({ error: 'unauthorized' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ROWS));
    });
  });
  const listening = await listenLoopback(server);
  return { baseUrl: listening.url, seen, close: () => listening.close() };
}
