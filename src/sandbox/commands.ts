// Chat commands that act on the conversation's sandbox directly: /sh, /py, /preview, /files, /get —
// gateway `Command`s with their help beside them, registered by the sandbox layer's assembly.
// User mistakes and sandbox trouble come back as replies; only programming errors throw.

import { basename } from 'node:path';
import { SANDBOX_DEFAULTS } from '../config/defaults.js';
import type { Command, CommandContext, CommandReply } from '../gateway/commands.js';
import { shorten } from '../text/cut.js';
import { cleanOutput, clip, fence, humanSize, seconds, unfence } from './chat-format.js';
import {
  SandboxCapacityError,
  SandboxGoneError,
  SandboxPathError,
  SandboxUnavailableError,
} from './errors.js';
import { fullOutput } from './full-output.js';

/** The part of a command's context these commands use (tests hand in just this). */
export type SandboxCommandContext = Pick<CommandContext, 'args' | 'sandbox' | 'signal'>;

/** These commands always answer with text. */
export type SandboxReply = CommandReply & { text: string };

export interface SandboxCommand extends Command {
  mode: 'lane';
  run(ctx: SandboxCommandContext): Promise<SandboxReply>;
}

export interface SandboxCommandOptions {
  /** Wall-clock limit of one /sh or /py. */
  timeoutMs: number;
  /** Most characters of output put in one reply (channels chunk further). */
  maxReplyChars?: number;
  previewTtlSec?: number;
  maxListEntries?: number;
}

export type SandboxCommandName = 'sh' | 'py' | 'preview' | 'files' | 'get';

/** What a sandbox failure means to the person in the chat. */
export function describeSandboxError(err: unknown): string | undefined {
  if (err instanceof SandboxGoneError)
    return 'The sandbox for this chat is gone. Send the command again to get a fresh one.';
  if (err instanceof SandboxCapacityError) return `Too many sandboxes are busy right now: ${err.message}.`;
  if (err instanceof SandboxUnavailableError)
    return `Sandboxes are not available on this gateway: ${err.message}`;
  if (err instanceof SandboxPathError) return `Refused: ${err.message}.`;
  return undefined;
}

async function guarded(fn: () => Promise<SandboxReply>): Promise<SandboxReply> {
  try {
    return await fn();
  } catch (err) {
    const text = describeSandboxError(err);
    if (text) return { text };
    throw err;
  }
}

type Handler = (args: string, ctx: SandboxCommandContext) => Promise<SandboxReply>;

export function createSandboxCommands(o: SandboxCommandOptions): Record<SandboxCommandName, SandboxCommand> {
  const max = o.maxReplyChars ?? 3500;

  const sh: Handler = (args, ctx) =>
    guarded(async () => {
      const cmd = args.trim();
      if (!cmd) return { text: "Usage: /sh COMMAND — runs a shell command in this chat's sandbox." };
      const box = await ctx.sandbox();
      const started = Date.now();
      const r = await box.exec(cmd, { timeoutMs: o.timeoutMs, signal: ctx.signal });
      const took = seconds(Date.now() - started);
      const parts: string[] = [];
      const out = cleanOutput(r.stdout);
      // The timeout and cancel notes become the reply's last line instead.
      const err = cleanOutput(r.stderr)
        .replace(/\n?\[(timed out after|cancelled:) [^\]]*\]\n?/, '')
        .trimEnd();
      const shown = {
        stdout: err ? Math.floor(max * 0.7) : max,
        stderr: out.trim() ? Math.floor(max * 0.3) : max,
      };
      if (out.trim()) parts.push(fence(clip(out.trimEnd(), shown.stdout)));
      if (err) parts.push(`stderr:\n${fence(clip(err, shown.stderr))}`);
      if (!out.trim() && !err) parts.push('(no output)');
      const full = fullOutput('sh', { stdout: out.trimEnd(), stderr: err }, shown);
      if (full) parts.push(full.note);
      if (r.timedOut)
        parts.push(
          `⏱ Timed out after ${seconds(o.timeoutMs)}: the command and everything it started were stopped.`,
        );
      else if (ctx.signal.aborted) {
        const what = `stopped \`${shorten(cmd.replace(/\s+/g, ' '), 60)}\`${r.stray ? ` and ${r.stray} process${r.stray === 1 ? '' : 'es'} it started` : ''}`;
        return { text: `Cancelled: ${what}.`, cancelled: what };
      } else parts.push(`exit ${r.exitCode} · ${took}`);
      return { text: parts.join('\n'), ...(full ? { files: [full.file] } : {}) };
    });

  const py: Handler = (args, ctx) =>
    guarded(async () => {
      const code = unfence(args);
      if (!code)
        return {
          text: "Usage: /py CODE — runs Python in this chat's sandbox; variables are kept between runs.",
        };
      const box = await ctx.sandbox();
      const r = await box.runCode(code, { timeoutMs: o.timeoutMs, signal: ctx.signal });
      const parts: string[] = [];
      const out = cleanOutput(r.stdout).trimEnd();
      const err = cleanOutput(r.stderr).trimEnd();
      const shown = { stdout: Math.floor(max * 0.6), stderr: Math.floor(max * 0.2) };
      if (out) parts.push(fence(clip(out, shown.stdout)));
      if (err) parts.push(`stderr:\n${fence(clip(err, shown.stderr))}`);
      const full = fullOutput('py', { stdout: out, stderr: err }, shown);
      if (r.timedOut) parts.push(`⏱ ${r.error?.value ?? `Timed out after ${seconds(o.timeoutMs)}.`}`);
      else if (r.error) {
        const tb = cleanOutput(r.error.traceback).trimEnd();
        parts.push(`${r.error.name}: ${r.error.value}`);
        if (tb) parts.push(fence(clip(tb, Math.floor(max * 0.3))));
      }
      if (r.charts.length) parts.push(`${r.charts.length} chart${r.charts.length > 1 ? 's' : ''}`);
      if (full) parts.push(full.note);
      if (!parts.length) parts.push('(no output)');
      const images = r.charts.map((c) => ({ png: c.png, caption: c.title || `${c.type} chart` }));
      return {
        text: parts.join('\n'),
        ...(images.length ? { images } : {}),
        ...(full ? { files: [full.file] } : {}),
      };
    });

  const preview: Handler = (args, ctx) =>
    guarded(async () => {
      const port = Number(args.trim());
      if (!/^\d+$/.test(args.trim()) || port < 1 || port > 65535) {
        return {
          text: "Usage: /preview PORT — a private link to a server listening on PORT in this chat's sandbox.",
        };
      }
      const box = await ctx.sandbox();
      const ttl = o.previewTtlSec ?? SANDBOX_DEFAULTS.previewTtlSec;
      const { url, expiresAt } = await box.previewUrl(port, { ttlSec: ttl });
      const mins = Math.max(1, Math.round((expiresAt.getTime() - Date.now()) / 60_000));
      return {
        text: `Preview of port ${port} (link expires in ${mins} min):\n${url}`,
        links: [{ url, label: `port ${port}` }],
      };
    });

  const files: Handler = (args, ctx) =>
    guarded(async () => {
      try {
        return await listing(args, ctx);
      } catch (err) {
        if (describeSandboxError(err)) throw err;
        return { text: `Could not list ${args.trim() || '.'}: ${(err as Error).message}` };
      }
    });

  const listing = async (args: string, ctx: SandboxCommandContext): Promise<SandboxReply> => {
    const box = await ctx.sandbox();
    const path = args.trim() || '.';
    const entries = await box.listFiles(path);
    if (!entries.length) return { text: `${path}: empty` };
    const limit = o.maxListEntries ?? 100;
    const root = `${box.workdir.replace(/\/$/, '')}/`;
    const lines = entries.slice(0, limit).map((e) => {
      const name = e.path.startsWith(root) ? e.path.slice(root.length) : e.path;
      return e.isDir ? `${name}/` : `${name}  ${humanSize(e.size)}`;
    });
    if (entries.length > limit) lines.push(`… and ${entries.length - limit} more`);
    return { text: fence(clip(lines.join('\n'), max)) };
  };

  const get: Handler = (args, ctx) =>
    guarded(async () => {
      const path = args.trim();
      if (!path) return { text: "Usage: /get PATH — sends a file from this chat's sandbox." };
      const box = await ctx.sandbox();
      let data: Buffer;
      try {
        data = await box.readFile(path);
      } catch (err) {
        if (describeSandboxError(err)) throw err;
        return { text: `Could not read ${path}: ${(err as Error).message}` };
      }
      const name = basename(path) || 'file';
      return { text: `${name} (${humanSize(data.length)})`, files: [{ name, data }] };
    });

  const command = (name: SandboxCommandName, usage: string, summary: string, handler: Handler) =>
    ({
      name,
      usage,
      summary,
      mode: 'lane',
      pool: 'commands',
      run: (ctx) => handler(ctx.args, ctx),
    }) satisfies SandboxCommand;
  return {
    sh: command('sh', 'sh CMD', 'run a shell command in this chat’s sandbox', sh),
    py: command(
      'py',
      'py CODE',
      'run Python in this chat’s sandbox (variables persist; plt.show() sends charts)',
      py,
    ),
    preview: command(
      'preview',
      'preview PORT',
      'a signed, expiring link to a server listening on PORT in the sandbox',
      preview,
    ),
    files: command('files', 'files [PATH]', 'list files in the sandbox workspace', files),
    get: command('get', 'get PATH', 'send a file from the sandbox', get),
  };
}
