/** The flags of `restsql mcp` and their defaults (shown in --help without loading the SDK). */
export interface McpFlags {
  http?: boolean;
  host: string;
  port: string;
  tokenFile?: string;
  allowWrites?: boolean;
  maxRows: string;
  timeout: string;
  sessionIdleTimeout: string;
}

export const MCP_DEFAULTS = {
  host: '127.0.0.1',
  port: '8808',
  maxRows: '10000',
  timeout: '60',
  sessionIdleTimeout: '1800',
} as const;
