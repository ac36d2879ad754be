/**
 * The bearer token every request to `restsql mcp --http` must carry, from the first of:
 * RESTSQL_MCP_TOKEN; the first line of --token-file (mode 0600, as serve's --password-file);
 * 32 random bytes, base64url, which the caller prints once on stderr.
 */
import { randomBytes } from 'node:crypto';
import { RestSqlError } from '../errors/index.js';
import { readSecretFile } from '../util/secret-file.js';

export const MCP_TOKEN_ENV = 'RESTSQL_MCP_TOKEN';

export interface McpToken {
  readonly token: string;
  /** Where it came from; a generated token is printed once by the caller, the others never. */
  readonly source: 'env' | 'file' | 'generated';
}

/** RFC 6750 §2.1's b64token: what fits in `Authorization: Bearer`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MIN_LENGTH = 16;

/** A token given by the user must be one a client can send, and not short enough to guess. */
function checked(token: string, where: string): string {
  if (!B64TOKEN.test(token) || token.length < MIN_LENGTH) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `The token from ${where} must be at least ${MIN_LENGTH} characters of A-Z, a-z, 0-9 and -._~+/ (RFC 6750 b64token).`, {
      hint: 'Generate one with: openssl rand -base64 32   (or leave both unset to have restsql mcp generate one)',
      details: { option: where },
    });
  }
  return token;
}

export function resolveMcpToken(opts: { env: Readonly<Record<string, string | undefined>>; tokenFile?: string }): McpToken {
  const fromEnv = opts.env[MCP_TOKEN_ENV];
  if (fromEnv !== undefined) {
    if (fromEnv.trim() === '') {
      throw new RestSqlError('CONFIG_INVALID_VALUE', `${MCP_TOKEN_ENV} is set but empty; restsql mcp --http does not run without a token.`, {
        hint: `Set ${MCP_TOKEN_ENV} to a long random token, or unset it to have restsql mcp generate one.`,
        details: { option: MCP_TOKEN_ENV },
      });
    }
    return { token: checked(fromEnv, MCP_TOKEN_ENV), source: 'env' };
  }
  if (opts.tokenFile !== undefined) return { token: checked(readSecretFile(opts.tokenFile, { option: '--token-file', what: 'token', reader: 'restsql mcp' }), '--token-file'), source: 'file' };
  return { token: randomBytes(32).toString('base64url'), source: 'generated' };
}
