// The MCP server through the real gateway process and the official MCP SDK client over Streamable
// HTTP: the Mastra guide's reverse_string session (create, write, run the unittest, runCode, read,
// list, delete) on real local sandboxes; the sandbox is listed as MCP-owned while it lives and each
// call is in the audit log; a bad token is a 401 and malformed arguments a 400 naming the field.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sandgate.mjs');

/** `sandgate ARGS` against the running gateway, without blocking this process's event loop. */
function runCli(home: string, args: string[], url: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(home, { SANDGATE_URL: url }) });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

const REVERSE_PY = 'def reverse_string(s):\n    return s[::-1]\n';
const TEST_PY = `import unittest
from reverse_string import reverse_string

class TestReverseString(unittest.TestCase):
    def test_regular(self):
        self.assertEqual(reverse_string("hello"), "olleh")
    def test_empty(self):
        self.assertEqual(reverse_string(""), "")
    def test_single_char(self):
        self.assertEqual(reverse_string("a"), "a")
    def test_numbers(self):
        self.assertEqual(reverse_string("12345"), "54321")

if __name__ == "__main__":
    unittest.main()
`;

interface ToolResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

describe('MCP server at /mcp', () => {
  const home = tempHome();
  let gw: GatewayProcess;
  let token: string;
  let client: Client;

  beforeAll(async () => {
    gw = await startGatewayProcess(home.home, {}, 60_000);
    token = readFileSync(join(home.home, 'gateway-token'), 'utf8').trim();
    client = new Client({ name: 'sandgate-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await gw?.stop();
    home.cleanup();
  }, 60_000);

  /** Calls a tool; checks the JSON text content says the same as the structured result. */
  async function call(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = (await client.callTool({ name, arguments: args })) as ToolResult;
    if (res.isError) throw new Error(`${name} failed: ${res.content[0]?.text}`);
    const fromText = JSON.parse(res.content[0]!.text) as Record<string, unknown>;
    expect(res.structuredContent).toEqual(fromText);
    return fromText;
  }

  it('lists the eight tools with JSON-schema inputs', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'createSandbox',
        'deleteSandbox',
        'listFiles',
        'previewUrl',
        'readFile',
        'runCode',
        'runCommand',
        'writeFiles',
      ].sort(),
    );
    const write = tools.find((t) => t.name === 'writeFiles')!;
    expect(write.inputSchema.type).toBe('object');
    expect(write.inputSchema.required).toEqual(expect.arrayContaining(['sandboxId', 'files']));
  });

  it("runs the Mastra guide's reverse_string session end to end", async () => {
    const { sandboxId } = (await call('createSandbox', {
      name: 'reverse_string_project',
      language: 'python',
      labels: null,
      envVars: null,
    })) as { sandboxId: string };
    expect(sandboxId).toEqual(expect.any(String));

    const listed = await runCli(home.home, ['sandboxes', 'list', '--json'], gw.url);
    expect(listed.code).toBe(0);
    const row = (
      JSON.parse(listed.stdout) as { id: string; owner?: string; labels: Record<string, string> }[]
    ).find((r) => r.id === sandboxId);
    expect(row).toMatchObject({ owner: 'mcp', labels: { mcp: '1', name: 'reverse_string_project' } });

    const written = await call('writeFiles', {
      sandboxId,
      files: [
        { path: 'reverse_string.py', data: REVERSE_PY },
        { path: 'test_reverse_string.py', data: TEST_PY },
      ],
    });
    expect(written.success).toBe(true);
    expect(written.filesWritten).toEqual([
      expect.stringMatching(/\/reverse_string\.py$/),
      expect.stringMatching(/\/test_reverse_string\.py$/),
    ]);

    const ran = await call('runCommand', {
      sandboxId,
      command: 'python3 test_reverse_string.py',
      envs: null,
      workingDirectory: null,
      timeoutSeconds: 20,
      captureOutput: true,
    });
    expect(ran).toMatchObject({ success: true, exitCode: 0, command: 'python3 test_reverse_string.py' });
    // unittest reports on stderr; the guide's Daytona run merged both streams.
    expect(`${ran.stdout}${ran.stderr}`).toMatch(/Ran 4 tests in [\d.]+s\s+OK/);
    expect(ran.executionTime).toEqual(expect.any(Number));

    const code = await call('runCode', {
      sandboxId,
      code: 'from reverse_string import reverse_string\nprint(reverse_string("sandgate"))',
    });
    expect(code).toMatchObject({ stdout: 'etagdnas\n', charts: [] });
    expect(code.error).toBeUndefined();
    const failing = await call('runCode', { sandboxId, code: '1/0' });
    expect(failing.error).toMatchObject({ name: 'ZeroDivisionError' });

    expect(await call('readFile', { sandboxId, path: 'reverse_string.py' })).toEqual({ content: REVERSE_PY });
    const { files } = (await call('listFiles', { sandboxId })) as {
      files: { path: string; size: number; isDir: boolean }[];
    };
    expect(files).toEqual(
      expect.arrayContaining([
        { path: expect.stringMatching(/\/reverse_string\.py$/), size: REVERSE_PY.length, isDir: false },
      ]),
    );

    const preview = await call('previewUrl', { sandboxId, port: 8000 });
    expect(preview.url).toEqual(expect.stringContaining('/preview/'));
    expect(Date.parse(preview.expiresAt as string)).toBeGreaterThan(Date.now());

    expect(await call('deleteSandbox', { sandboxId })).toEqual({ success: true });
    const after = JSON.parse((await runCli(home.home, ['sandboxes', 'list', '--json'], gw.url)).stdout) as {
      id: string;
    }[];
    expect(after.map((r) => r.id)).not.toContain(sandboxId);
    const gone = (await client.callTool({
      name: 'readFile',
      arguments: { sandboxId, path: 'x' },
    })) as ToolResult;
    expect(gone.isError).toBe(true);

    const audit = await runCli(home.home, ['audit', '--json'], gw.url);
    const calls = (JSON.parse(audit.stdout) as { action: string; subject: string }[])
      .filter((e) => e.action === 'mcp.call')
      .map((e) => e.subject);
    expect(calls).toEqual(
      expect.arrayContaining([
        `createSandbox ${sandboxId}`,
        `runCommand ${sandboxId}`,
        `deleteSandbox ${sandboxId}`,
      ]),
    );
  }, 120_000);

  it('refuses a missing or wrong token with 401', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(`${gw.url}/mcp`, { method: 'POST', headers, body })).status).toBe(401);
    const wrong = await fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer not-the-token' },
      body,
    });
    expect(wrong.status).toBe(401);
    const sdk = new Client({ name: 'intruder', version: '1.0.0' });
    await expect(
      sdk.connect(
        new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
          requestInit: { headers: { authorization: 'Bearer wrong' } },
        }),
      ),
    ).rejects.toMatchObject({ code: 401 });
  });

  it('refuses malformed tool arguments with 400 naming the field', async () => {
    const res = await fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'writeFiles', arguments: { sandboxId: 'x', files: [{ data: 'no path' }] } },
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { id: number; error: { message: string } };
    expect(body.id).toBe(7);
    expect(body.error.message).toMatch(/writeFiles: files\[0\]\.path/);
  });
});
