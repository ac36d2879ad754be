/**
 * AWS Signature Version 4 (AuthenticationMethod=43): every request is signed with the access key,
 * secret key, region and service (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 */
import { createHash, createHmac } from 'node:crypto';
import type { Authenticator, HttpRequest } from '../http/contract.js';

export interface AwsCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly sessionToken?: string;
  readonly region: string;
  readonly service: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, everything else %XX upper-case). */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Service and region from a host such as `execute-api.eu-west-1.amazonaws.com` or `dynamodb.us-east-1.amazonaws.com`. */
export function serviceAndRegionFromHost(host: string): { service?: string; region?: string } {
  const m = /^(?:[^.]+\.)?([a-z0-9-]+)\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$/i.exec(host);
  return m ? { service: m[1]!, region: m[2]! } : {};
}

/**
 * Signs a request: returns the headers to add (Authorization, X-Amz-Date, X-Amz-Content-Sha256,
 * X-Amz-Security-Token). `now` and the header set are parameters so the published test vectors
 * can be checked.
 */
export function signV4(req: { method: string; url: string; headers: Readonly<Record<string, string>>; body?: string }, c: AwsCredentials, now = new Date()): Record<string, string> {
  const url = new URL(req.url);
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256(req.body ?? '');
  const added: Record<string, string> = { 'x-amz-date': amzDate, ...(c.sessionToken ? { 'x-amz-security-token': c.sessionToken } : {}) };
  if (c.service === 's3') added['x-amz-content-sha256'] = payloadHash;
  const all: Record<string, string> = { host: url.host };
  for (const [k, v] of Object.entries({ ...req.headers, ...added })) all[k.toLowerCase()] = String(v).trim().replace(/\s+/g, ' ');
  const names = Object.keys(all).filter((k) => k !== 'authorization' && k !== 'user-agent' && k !== 'accept-encoding').sort();
  const canonicalHeaders = names.map((k) => `${k}:${all[k]}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...url.searchParams].map(([k, v]) => [encode(k), encode(v)] as const).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
  const path = c.service === 's3' ? url.pathname : url.pathname.split('/').map((seg) => encode(decodeURIComponent(seg))).join('/');
  const canonical = [req.method.toUpperCase(), path || '/', query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${c.region}/${c.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${c.secretKey}`, date), c.region), c.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return { ...added, authorization: `AWS4-HMAC-SHA256 Credential=${c.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
}

export class AwsSigV4Authenticator implements Authenticator {
  constructor(
    private readonly credentials: AwsCredentials,
    private readonly extra: Readonly<Record<string, string>> = {},
  ) {}

  async authorize(req: HttpRequest): Promise<HttpRequest> {
    const headers = { ...req.headers, ...this.extra };
    const signed = signV4({ method: req.method ?? 'GET', url: req.url, headers, ...(req.body !== undefined ? { body: req.body } : {}) }, this.credentials);
    return { ...req, headers: { ...headers, ...signed } };
  }

  /** Signatures do not expire between requests; a 403/401 is final. */
  async onUnauthorized(): Promise<boolean> {
    return false;
  }
}
