/**
 * The sample_endpoint tool: the model (.rest text) `restsql sample URL` would infer from one
 * endpoint, fetched through the open connection (its credentials and limits) and only on the
 * API's own origins (Connection.sampleEndpoint refuses others before sending anything).
 */
import { z } from 'zod';
import type { ConnectionGate } from './connection-gate.js';
import { guarded, textResult } from './tool-result.js';
import type { ToolDef } from './tool.js';

const input = {
  url: z.string().min(1).max(8192).describe("the endpoint's URL on this connection's API, or a path relative to its HostName"),
  table: z.string().min(1).max(200).optional().describe('the table name (default: the last path segment)'),
};

export function sampleEndpointTool(gate: ConnectionGate): ToolDef<typeof input> {
  const conn = gate.connection;
  const redact = conn.redact.bind(conn);
  return {
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
        const model = await gate.run((c) => c.sampleEndpoint(args.url, args.table));
        return textResult(model, redact, { model });
      }),
  };
}
