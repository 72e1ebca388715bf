// Helpers for the /claude end-to-end tests: the local channel's API as `sandgate chat` uses it, and
// looks from the host into the sandbox (Claude Code's processes and their environment, the workspace's files).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayProcess } from '../helpers/gateway-process.js';

export function localChat(gw: GatewayProcess, home: string) {
  const token = readFileSync(join(home, 'gateway-token'), 'utf8').trim();
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gw.url}/api/local${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  return {
    async post(conversation: string, text: string): Promise<number> {
      const res = await api('/messages', { method: 'POST', body: JSON.stringify({ text, conversation }) });
      return ((await res.json()) as { id: number }).id;
    },
    async message(id: number): Promise<{ state: string; complete: boolean }> {
      return (await (await api(`/messages/${id}`)).json()) as { state: string; complete: boolean };
    },
    /** Every message and edit text of the conversation so far (status edits included; links and files as lines after the text). */
    async texts(conversation: string): Promise<string[]> {
      const stop = new AbortController();
      const out: string[] = [];
      const res = await api(`/events?conversation=${conversation}`, { signal: stop.signal });
      const decoder = new TextDecoder();
      let partial = '';
      // The backlog comes first; stop reading once it has been idle briefly.
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const next = await Promise.race([
          reader.read(),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 300)),
        ]);
        if (!next || next.done) break;
        const lines = (partial + decoder.decode(next.value, { stream: true })).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('data: ')) continue;
          const event = (
            JSON.parse(line.slice(6)) as {
              event?: {
                text?: string;
                links?: { url: string; label?: string }[];
                files?: { name: string; dataBase64: string }[];
              };
            }
          ).event;
          // Links and files travel beside the text; shown after it as `label: url` / `file NAME: content`.
          const links = (event?.links ?? []).map((l) => `\n${l.label ?? 'link'}: ${l.url}`).join('');
          const files = (event?.files ?? [])
            .map((f) => `\nfile ${f.name}: ${Buffer.from(f.dataBase64, 'base64').toString('utf8')}`)
            .join('');
          if (event?.text || files) out.push((event?.text ?? '') + links + files);
        }
      }
      stop.abort();
      return out;
    },
  };
}

/** Host pids and environments of running Claude Code processes started by sandgate (any sandbox). */
export function claudeProcesses(): { pid: number; env: Record<string, string>; cmdline: string }[] {
  const out: { pid: number; env: Record<string, string>; cmdline: string }[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const environ = readFileSync(`/proc/${p}/environ`, 'utf8');
      if (!environ.includes('SANDGATE_CLAUDE_TASK=')) continue;
      const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes('--output-format stream-json')) continue;
      const env = Object.fromEntries(
        environ
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      out.push({ pid: Number(p), env, cmdline });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Every file under `dir` (recursively), for looking at what a sandbox's workspace holds. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...filesUnder(path));
    else if (st?.isFile()) out.push(path);
  }
  return out;
}

/** The workspace directories of a gateway home's local sandboxes. */
export function workspaces(home: string): string[] {
  const dir = join(home, 'sandboxes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^sb-[a-z0-9]+$/.test(n))
    .map((n) => join(dir, n));
}
