/**
 * The sample_endpoint tool: the model (.rest text) `restsql sample URL` would infer from one
 * endpoint, fetched through the open connection (its credentials and limits) and only on the
 * API's own origins (Connection.sampleEndpoint refuses others before sending anything). It runs
 * under the deadline queries have (--timeout, or less by timeout_seconds): past it, or when the
 * client cancels the call, its request is aborted.
 */
import { z } from 'zod';
import { SAMPLE_TURN, type ConnectionGate } from './connection-gate.js';
import type { McpLimits } from './limits.js';
import { guarded, textResult } from './tool-result.js';
import type { ToolDef } from './tool.js';

export function sampleEndpointTool(gate: ConnectionGate, limits: McpLimits) {
  const conn = gate.connection;
  const redact = conn.redact.bind(conn);
  const input = {
    url: z.string().min(1).max(8192).describe("the endpoint's URL on this connection's API, or a path relative to its HostName"),
    table: z.string().min(1).max(200).optional().describe('the table name (default: the last path segment)'),
    timeout_seconds: z.number().min(0.001).optional().describe(`seconds the sample may take (default and cap ${limits.timeoutSeconds})`),
  };
  const def: ToolDef<typeof input> = {
    name: 'sample_endpoint',
    config: {
      title: 'Sample an endpoint',
      description: "Fetches one endpoint of this connection's REST API and returns the model restsql infers from it (tables, columns, types, keys, paging) as .rest model-file text, as `restsql sample URL` prints it. Only URLs on the connection's own API origins are fetched; the connection's tables do not change.",
      inputSchema: input,
      outputSchema: { model: z.string() },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    },
    handler: (args) =>
      guarded(redact, async () => {
        const seconds = Math.min(args.timeout_seconds ?? limits.timeoutSeconds, limits.timeoutSeconds);
        const model = await gate.withDeadline(seconds, (c, signal) => c.sampleEndpoint(args.url, args.table, signal), SAMPLE_TURN);
        return textResult(model, redact, { model });
      }),
  };
  return def;
}
