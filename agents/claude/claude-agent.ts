// The claude agent (Agent port): `/claude TASK` runs the Claude Code CLI headless in the
// conversation's sandbox, over a PTY, with the model reached only through the gateway's proxy (a
// per-run token, never the key). The CLI session resumes across messages; /new forgets it.

import type { Logger } from 'pino';
import type { DailyBudget } from '../../src/model/daily-budget.js';
import { BudgetExceededError, modelErrorReply, modelUnavailableReply } from '../../src/model/errors.js';
import type { ModelProxy } from '../../src/model/proxy/model-proxy.js';
import { endpointRefusal, openProxyEndpoint } from '../../src/model/proxy/sandbox-endpoint.js';
import type { PtyHandle, Sandbox } from '../../src/sandbox/provider.js';
import { shorten } from '../../src/text/cut.js';
import type { Agent, RunContext, RunResult, Task } from '../agent.js';
import { type ClaudeBinary, notInstalledReply } from './claude-binary.js';
import { runClaude } from './claude-run.js';
import { locateInSandbox } from './sandbox-binary.js';
import { sandboxPids, serverLinks } from './server-links.js';

/** Where the session id of each conversation's CLI session is kept (the kv store's scoped shape). */
export interface SessionStore {
  get(conversationKey: string): string | undefined;
  set(conversationKey: string, sessionId: string): void;
  delete(conversationKey: string): void;
}

export interface ClaudeAgentDeps {
  /** Looked up on every run: `sandgate setup claude-code` may have run since the gateway started. */
  binary(): ClaudeBinary;
  /** The model proxy; absent when no model key is configured. */
  proxy?: ModelProxy;
  budget?: DailyBudget;
  sessions: SessionStore;
  config: {
    model: string;
    timeoutSec: number;
    /** The gateway's public URL when it is set explicitly (sandboxes elsewhere reach the proxy there). */
    publicUrl?: string;
  };
  log: Logger;
  /** After Ctrl-C, how long the CLI may take to stop before its session is killed. */
  interruptGraceMs?: number;
}

const USAGE = 'Usage: /claude TASK — Claude Code works on TASK in this conversation’s sandbox.';

/** A session id the CLI made: a UUID. Anything else in the store is ignored. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when the CLI's transcript of `sessionId` is still in the sandbox (an idle-deleted one is not). */
async function sessionExists(sandbox: Sandbox, sessionId: string): Promise<boolean> {
  const r = await sandbox.exec(`ls "$HOME"/.claude/projects/*/${sessionId}.jsonl >/dev/null 2>&1`, {
    timeoutMs: 15_000,
  });
  return r.exitCode === 0;
}

export function createClaudeAgent(deps: ClaudeAgentDeps): Agent {
  /** The last PTY session per conversation: /new kills what its CLI left running. */
  const lastSession = new Map<string, PtyHandle>();

  return {
    name: 'claude',
    command: {
      name: 'claude',
      usage: 'claude TASK',
      summary:
        'Claude Code (the CLI) works on the task in this conversation’s sandbox; follow-ups continue its session',
    },

    async run(task: Task, ctx: RunContext): Promise<RunResult> {
      const text = task.text.trim();
      if (!text) return { text: USAGE };
      const bin = deps.binary();
      if (bin.state !== 'found') return { text: notInstalledReply(bin) };
      if (!deps.proxy) return { text: modelUnavailableReply() };
      try {
        deps.budget?.check(task.senderId);
      } catch (err) {
        if (err instanceof BudgetExceededError) return { text: modelErrorReply(err) ?? err.message };
        throw err;
      }
      const log = ctx.log.child({ agent: 'claude' });
      const sandbox = await ctx.sandbox();
      if (!sandbox.createPty)
        return { text: 'This sandbox provider cannot open a terminal (PTY), which Claude Code needs here.' };
      // Before installing anything: a sandbox that could never reach the proxy gets no CLI at all.
      const unreachable = endpointRefusal(sandbox, deps.config.publicUrl);
      if (unreachable) return { text: unreachable };
      const located = await locateInSandbox(sandbox, bin.path, log);
      if ('refused' in located) return { text: located.refused };

      const endpoint = await openProxyEndpoint(deps.proxy, sandbox, {
        runId: task.runId,
        senderKey: task.senderId,
        ...(deps.config.publicUrl ? { publicUrl: deps.config.publicUrl } : {}),
      });
      if ('refused' in endpoint) return { text: endpoint.refused };
      const { grant } = endpoint;
      try {
        const stored = deps.sessions.get(task.conversationKey);
        const resume =
          stored && SESSION_ID.test(stored) && (await sessionExists(sandbox, stored)) ? stored : undefined;
        if (stored && !resume)
          log.info({ session: stored }, 'claude: the earlier session is gone, starting a new one');
        const before = await sandboxPids(sandbox).catch(() => undefined);
        const out = await runClaude({
          sandbox: sandbox as Sandbox & Required<Pick<Sandbox, 'createPty'>>,
          bin: located.path,
          baseUrl: endpoint.baseUrl,
          token: grant.token,
          model: deps.config.model,
          task: text,
          ...(resume ? { resume } : {}),
          signal: ctx.signal,
          stopWhen: grant.budgetSpent,
          timeoutMs: deps.config.timeoutSec * 1000,
          interruptGraceMs: deps.interruptGraceMs ?? 1000,
          emit: ctx.emit,
          log,
        });
        lastSession.set(task.conversationKey, out.pty);
        if (out.sessionId && SESSION_ID.test(out.sessionId))
          deps.sessions.set(task.conversationKey, out.sessionId);
        const usage = { ...grant.usage };
        const links = out.stopped
          ? []
          : await serverLinks(sandbox, { exclude: [Number(new URL(endpoint.baseUrl).port)], before, log });
        return { text: reply(out, grant.refused, deps.config.timeoutSec), links, usage };
      } finally {
        await endpoint.close();
      }
    },

    async reset(conversationKey: string): Promise<void> {
      deps.sessions.delete(conversationKey);
      const pty = lastSession.get(conversationKey);
      lastSession.delete(conversationKey);
      await pty?.kill().catch(() => undefined);
    },
  };
}

function reply(
  out: Awaited<ReturnType<typeof runClaude>>,
  refused: BudgetExceededError | undefined,
  timeoutSec: number,
): string {
  if (refused) return modelErrorReply(refused) ?? refused.message;
  if (out.stopped === 'cancelled') return 'Cancelled.';
  const files = out.files.length ? `\n\nFiles changed: ${out.files.join(', ')}` : '';
  if (out.stopped === 'timeout')
    return `Claude Code did not finish within ${timeoutSec} s (agents.claude.timeoutSec) and was stopped.${files}`;
  if (out.result) {
    const answer = out.result.text.trim() || '(Claude Code finished without a text answer.)';
    return `${out.result.isError ? 'Claude Code reported an error: ' : ''}${answer}${files}`;
  }
  const detail = out.otherLines.slice(-5).join('\n');
  const how =
    out.exit.exitCode !== undefined ? `exited with code ${out.exit.exitCode}` : `ended (${out.exit.error})`;
  return `Claude Code ${how} before answering.${detail ? `\n${shorten(detail, 1500)}` : ''}${files}`;
}
