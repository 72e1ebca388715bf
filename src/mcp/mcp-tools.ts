// The eight MCP tools of DESIGN §9.5, in the shapes of Mastra's Daytona tools (createSandbox,
// writeFiles, runCommand, …): zod input schemas (the SDK publishes them as JSON Schema), results as
// structured content and as JSON text. A failing call is a tool error (isError) with the reason.

import { posix } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { McpSandboxes } from './mcp-sandboxes.js';

const sandboxId = z.string().min(1).max(200).describe('The id createSandbox returned');
const stringMap = z.record(z.string().max(256), z.string().max(64 * 1024));

/** Each tool's input shape; also used to refuse a malformed call with a 400 naming the field. */
export const toolInputs = {
  createSandbox: {
    name: z.string().max(100).nullish().describe('A name for listings'),
    language: z
      .enum(['python', 'typescript', 'javascript'])
      .nullish()
      .describe('Main language (default python)'),
    labels: stringMap.nullish().describe('Extra labels; sandgate’s own labels win'),
    envVars: stringMap.nullish().describe('Environment for every command (never put secrets here)'),
  },
  writeFiles: {
    sandboxId,
    files: z
      .array(z.object({ path: z.string().min(1).max(4096), data: z.string().max(64 * 1024 * 1024) }))
      .min(1)
      .max(1000)
      .describe('Files to write, paths relative to the workspace'),
  },
  runCommand: {
    sandboxId,
    command: z.string().min(1).max(100_000),
    envs: stringMap.nullish(),
    workingDirectory: z.string().max(4096).nullish().describe('Relative to the workspace'),
    timeoutSeconds: z.number().int().min(1).max(3600).nullish().describe('Default 120'),
    captureOutput: z.boolean().nullish(),
  },
  runCode: {
    sandboxId,
    code: z
      .string()
      .max(10 * 1024 * 1024)
      .describe('Python code'),
  },
  readFile: { sandboxId, path: z.string().min(1).max(4096) },
  listFiles: { sandboxId, path: z.string().max(4096).nullish().describe('Default: the workspace') },
  previewUrl: {
    sandboxId,
    port: z.number().int().min(1).max(65535),
    ttlSeconds: z.number().int().min(60).max(86_400).nullish(),
  },
  deleteSandbox: { sandboxId },
} as const;

export type ToolName = keyof typeof toolInputs;

/** Called after every tool call (the audit log): which tool, on which sandbox, and how it ended. */
export type ToolCallHook = (call: {
  tool: ToolName;
  sandboxId?: string;
  ok: boolean;
  ms: number;
  error?: string;
}) => void;

function ok(result: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
}

function inWorkspace(workdir: string, path: string): string {
  return posix.isAbsolute(path) ? posix.normalize(path) : posix.join(workdir, path);
}

type Handler = (args: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** Registers the tools on one server (a new McpServer serves each stateless request). */
export function registerSandboxTools(server: McpServer, boxes: McpSandboxes, onCall: ToolCallHook): void {
  const handlers: { [K in ToolName]: Handler } = {
    createSandbox: async (a) => {
      const box = await boxes.create({
        ...(a.name ? { name: a.name as string } : {}),
        ...(a.language ? { language: a.language as string } : {}),
        ...(a.labels ? { labels: a.labels as Record<string, string> } : {}),
        ...(a.envVars ? { envVars: a.envVars as Record<string, string> } : {}),
      });
      return { sandboxId: box.id };
    },
    writeFiles: (a) =>
      boxes.use(a.sandboxId as string, async (box) => {
        const files = a.files as { path: string; data: string }[];
        for (const f of files) await box.writeFile(f.path, f.data);
        return { success: true, filesWritten: files.map((f) => inWorkspace(box.workdir, f.path)) };
      }),
    runCommand: (a) =>
      boxes.use(a.sandboxId as string, async (box) => {
        const started = performance.now();
        const r = await box.exec(a.command as string, {
          ...(a.workingDirectory ? { cwd: a.workingDirectory as string } : {}),
          ...(a.envs ? { env: a.envs as Record<string, string> } : {}),
          ...(a.timeoutSeconds ? { timeoutMs: (a.timeoutSeconds as number) * 1000 } : {}),
        });
        return {
          success: r.exitCode === 0,
          exitCode: r.exitCode,
          stdout: r.stdout,
          stderr: r.stderr,
          command: a.command,
          executionTime: Math.round(performance.now() - started),
        };
      }),
    runCode: (a) =>
      boxes.use(a.sandboxId as string, async (box) => {
        const r = await box.runCode(a.code as string, { context: 'mcp' });
        return {
          stdout: r.stdout,
          stderr: r.stderr,
          ...(r.error ? { error: r.error } : {}),
          charts: r.charts.map((c) => ({ ...c, png: c.png.toString('base64') })),
        };
      }),
    readFile: (a) =>
      boxes.use(a.sandboxId as string, async (box) => ({
        content: (await box.readFile(a.path as string)).toString('utf8'),
      })),
    listFiles: (a) =>
      boxes.use(a.sandboxId as string, async (box) => ({
        files: await box.listFiles((a.path as string | null | undefined) ?? undefined),
      })),
    previewUrl: (a) =>
      boxes.use(a.sandboxId as string, async (box) => {
        const ttl = a.ttlSeconds as number | null | undefined;
        const link = await box.previewUrl(a.port as number, ttl ? { ttlSec: ttl } : {});
        return { url: link.url, expiresAt: link.expiresAt.toISOString() };
      }),
    deleteSandbox: async (a) => ({ success: await boxes.delete(a.sandboxId as string) }),
  };
  const descriptions: Record<ToolName, string> = {
    createSandbox: 'Create an isolated sandbox; returns {sandboxId}.',
    writeFiles: 'Write text files into a sandbox; returns {success, filesWritten}.',
    runCommand:
      'Run a shell command in a sandbox; returns {success, exitCode, stdout, stderr, command, executionTime (ms)}.',
    runCode:
      'Run Python in the sandbox’s interpreter (variables persist); returns {stdout, stderr, error?, charts}.',
    readFile: 'Read a text file from a sandbox; returns {content}.',
    listFiles: 'List a directory of a sandbox; returns {files: [{path, size, isDir}]}.',
    previewUrl: 'A signed link to a port served inside the sandbox; returns {url, expiresAt}.',
    deleteSandbox: 'Delete a sandbox made with createSandbox; returns {success}.',
  };
  for (const name of Object.keys(toolInputs) as ToolName[]) {
    server.registerTool(
      name,
      { description: descriptions[name], inputSchema: toolInputs[name] },
      async (args: Record<string, unknown>): Promise<CallToolResult> => {
        const started = performance.now();
        const id = typeof args.sandboxId === 'string' ? args.sandboxId : undefined;
        try {
          const result = await handlers[name](args);
          const made = typeof result.sandboxId === 'string' ? result.sandboxId : id;
          onCall({
            tool: name,
            ...(made ? { sandboxId: made } : {}),
            ok: true,
            ms: performance.now() - started,
          });
          return ok(result);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          onCall({
            tool: name,
            ...(id ? { sandboxId: id } : {}),
            ok: false,
            ms: performance.now() - started,
            error: message,
          });
          return { content: [{ type: 'text', text: message }], isError: true };
        }
      },
    );
  }
}
