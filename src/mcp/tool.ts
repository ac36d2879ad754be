/** A tool as the server registers it: name, configuration (schemas, annotations) and handler. */
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z, ZodRawShape } from 'zod';

export interface ToolDef<In extends ZodRawShape = ZodRawShape> {
  readonly name: string;
  readonly config: {
    readonly title: string;
    readonly description: string;
    readonly inputSchema: In;
    readonly outputSchema: ZodRawShape;
    readonly annotations: ToolAnnotations;
  };
  /** Gets the arguments as the SDK validated them against `inputSchema`; never throws: failures are error results (tool-result.ts). */
  readonly handler: (args: z.infer<z.ZodObject<In>>) => Promise<CallToolResult>;
}
