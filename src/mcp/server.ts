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
import type { z, ZodRawShape } from 'zod';

export const SERVER_INFO = { name: 'restsql', version: '0.1.0' } as const;

export interface McpSettings {
  readonly limits: McpLimits;
  /** --allow-writes: the query tool sends INSERT, UPDATE and DELETE to the API. */
  readonly allowWrites: boolean;
}

export function createMcpServer(gate: ConnectionGate, settings: McpSettings): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: {} },
    maxToolInputElements: settings.limits.maxToolInputElements,
    instructions:
      'restsql answers SQL over a REST API: list_tables, then describe_table for columns and joins, then query with SQL (DuckDB dialect). Child tables hold the arrays of their parent\'s records; describe_table gives the join columns. sample_endpoint infers the tables of another endpoint of the same API.',
  });
  register(server, listTablesTool(gate));
  register(server, describeTableTool(gate));
  register(server, queryTool(gate, settings.limits, settings.allowWrites));
  register(server, sampleEndpointTool(gate));
  return server;
}

function register<In extends ZodRawShape>(server: McpServer, t: ToolDef<In>): void {
  // The SDK validated the arguments against inputSchema (its ShapeOutput<In> is zod's infer of the same shape).
  const callback = ((args: unknown) => t.handler(args as z.infer<z.ZodObject<In>>)) as unknown as ToolCallback<In>;
  server.registerTool(t.name, { ...t.config }, callback);
}
