// POST /mcp: the MCP Streamable HTTP endpoint (official SDK, stateless: a fresh server and transport
// per request), behind the gateway token (401 otherwise). A tools/call whose arguments do not fit the
// tool's schema is refused with HTTP 400 and a JSON-RPC error naming the field, before any tool runs.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { z } from 'zod';
import { describeIssue } from '../eval/eval-request.js';
import { requireToken } from '../http/require-token.js';
import type { McpSandboxes } from './mcp-sandboxes.js';
import { registerSandboxTools, type ToolCallHook, toolInputs } from './mcp-tools.js';

export interface McpRouteOptions {
  token: () => string;
  sandboxes: McpSandboxes;
  onCall: ToolCallHook;
  version: string;
}

const toolSchemas = new Map<string, z.ZodType>(
  Object.entries(toolInputs).map(([name, shape]) => [name, z.object(shape)]),
);

/** The first tools/call in a JSON-RPC message (or batch) whose arguments are malformed, as a 400 body. */
function malformedCall(body: unknown): Record<string, unknown> | undefined {
  for (const msg of Array.isArray(body) ? body : [body]) {
    if (!msg || typeof msg !== 'object') continue;
    const { method, params, id } = msg as { method?: unknown; params?: unknown; id?: unknown };
    if (method !== 'tools/call' || !params || typeof params !== 'object') continue;
    const { name, arguments: args } = params as { name?: unknown; arguments?: unknown };
    const schema = typeof name === 'string' ? toolSchemas.get(name) : undefined;
    if (!schema) continue;
    const parsed = schema.safeParse(args ?? {});
    if (parsed.success) continue;
    return {
      jsonrpc: '2.0',
      id: id ?? null,
      error: { code: -32602, message: `invalid arguments for ${name}: ${describeIssue(parsed.error)}` },
    };
  }
  return undefined;
}

/** Mount at the root: `root.route('/mcp', mcpRoutes(...))`. */
export function mcpRoutes(o: McpRouteOptions): Hono {
  return new Hono().use('*', requireToken(o.token)).all('/', async (c) => {
    let parsedBody: unknown;
    if (c.req.method === 'POST') {
      try {
        parsedBody = await c.req.json();
      } catch {
        return c.json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'body: not JSON' } }, 400);
      }
      const bad = malformedCall(parsedBody);
      if (bad) return c.json(bad, 400);
    }
    const server = new McpServer({ name: 'sandgate', version: o.version });
    registerSandboxTools(server, o.sandboxes, o.onCall);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, { parsedBody });
    } finally {
      void server.close().catch(() => undefined);
    }
  });
}
