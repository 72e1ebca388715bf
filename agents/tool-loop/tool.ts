// A tool the loop can offer the model: a zod schema for its input (also sent as JSON Schema) and a
// run function. Bad input never reaches run(): the model gets the validation error back instead.

import { z } from 'zod';
import type { ToolDefinition } from '../../src/model/types.js';

export interface ToolOutcome {
  /** What the model sees as the tool_result. */
  content: string;
  isError?: boolean;
  /** One short line for the chat (`wrote index.html`, `ran npm test — exit 0`). */
  progress?: string;
  /**
   * The agent has its answer (a verified submission, a spent budget): the loop records this turn's
   * tool results and ends with stop 'done', without asking the model again.
   */
  final?: boolean;
}

export interface ToolRunContext {
  /** Aborts with the run (/cancel); tools pass it on to sandbox commands. */
  signal: AbortSignal;
}

export interface LoopTool {
  readonly name: string;
  readonly description: string;
  readonly definition: ToolDefinition;
  /** Validates `input` and runs; never throws for bad input. */
  run(input: unknown, ctx: ToolRunContext): Promise<ToolOutcome>;
}

export interface ToolSpec<S extends z.ZodType> {
  name: string;
  description: string;
  input: S;
  run(input: z.output<S>, ctx: ToolRunContext): Promise<ToolOutcome>;
}

function inputSchema(schema: z.ZodType): ToolDefinition['input_schema'] {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return { ...json, type: 'object' } as ToolDefinition['input_schema'];
}

function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

export function defineTool<S extends z.ZodType>(spec: ToolSpec<S>): LoopTool {
  return {
    name: spec.name,
    description: spec.description,
    definition: { name: spec.name, description: spec.description, input_schema: inputSchema(spec.input) },
    async run(input, ctx) {
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        return {
          content: `Invalid arguments for ${spec.name}: ${describeIssues(parsed.error)}`,
          isError: true,
          progress: `${spec.name}: invalid arguments`,
        };
      }
      return spec.run(parsed.data, ctx);
    },
  };
}
