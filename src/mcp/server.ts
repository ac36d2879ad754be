/**
 * One MCP server (the SDK's McpServer) with restsql's tools on the shared connection. stdio has
 * one; the HTTP transport makes one per MCP session (an McpServer serves one transport), all on
 * the same ConnectionGate.
 */
import { McpServer, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ConnectionGate } from './connection-gate.js';
import { describeTableTool } from './describe-table.js';
import type { McpLimits } from './limits.js';
import { listTablesTool } from './list-tables.js';
import { queryTool } from './query.js';
import { sampleEndpointTool } from './sample-endpoint.js';
import type { ToolDef } from './tool.js';
import { ERROR_META_KEY } from './tool-result.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z, ZodRawShape } from 'zod';

export const SERVER_INFO = { name: 'restsql', version: '0.1.0' } as const;

export interface McpSettings {
  readonly limits: McpLimits;
  /** --allow-writes: the query tool sends INSERT, UPDATE and DELETE to the API. */
  readonly allowWrites: boolean;
  /** One line per tool call (tool, outcome, time; never its arguments), for the operator's log. */
  readonly log?: (line: string) => void;
}

export function createMcpServer(gate: ConnectionGate, settings: McpSettings): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: {} },
    maxToolInputElements: settings.limits.maxToolInputElements,
    instructions:
      'restsql answers SQL over a REST API: list_tables, then describe_table for columns and joins, then query with SQL (DuckDB dialect). Child tables hold the arrays of their parent\'s records; describe_table gives the join columns. sample_endpoint infers the tables of another endpoint of the same API.',
  });
  const log = settings.log;
  register(server, gate, listTablesTool(gate), log);
  register(server, gate, describeTableTool(gate), log);
  register(server, gate, queryTool(gate, settings.limits, settings.allowWrites), log);
  register(server, gate, sampleEndpointTool(gate, settings.limits), log);
  return server;
}

/** What a call's log line says of its result: its row count, or its error code. */
function outcome(result: CallToolResult): string {
  if (result.isError) return `error ${String((result._meta?.[ERROR_META_KEY] as { code?: string } | undefined)?.code ?? '')}`.trim();
  const rows = result.structuredContent?.row_count;
  return typeof rows === 'number' ? `${rows} row(s)${result.structuredContent?.truncated === true ? ', truncated' : ''}` : 'ok';
}

/**
 * Registers `t`. The SDK validated the arguments against inputSchema (its ShapeOutput<In> is zod's
 * infer of the same shape); `extra.signal` is the call's cancel (the client's
 * notifications/cancelled, or its transport closing): the gate stops the call's turn on it.
 */
function register<In extends ZodRawShape>(server: McpServer, gate: ConnectionGate, t: ToolDef<In>, log: ((line: string) => void) | undefined): void {
  const callback = (async (args: unknown, extra: { signal: AbortSignal }) => {
    const started = performance.now();
    const result = await gate.forCall(extra.signal, () => t.handler(args as z.infer<z.ZodObject<In>>));
    log?.(`${t.name}: ${outcome(result)} (${Math.round(performance.now() - started)} ms)`);
    return result;
  }) as unknown as ToolCallback<In>;
  server.registerTool(t.name, { ...t.config }, callback);
}
