// The verified code generator (Agent port, `/gen`, from the Google ADK guide): the model writes a
// function and its tests in the conversation's sandbox, the gateway runs them and answers only with
// code its own check passed — else `not verified:` with the last failure. No model → the setting to
// add; a missing interpreter → said before any model call; a model failure → a plain reply.

import type { Logger } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { modelUnavailableReply } from '../../src/model/errors.js';
import type { MessageParam, ModelClient } from '../../src/model/types.js';
import type { Agent, RunContext, RunResult, Task } from '../agent.js';
import { runToolLoop } from '../tool-loop/run-tool-loop.js';
import { stopNote } from '../tool-loop/stop-note.js';
import { appendUserText } from '../tool-loop/thread-messages.js';
import { GEN_USAGE, leadingLanguage, parseGenArgs, wantsTests } from './gen-command.js';
import { notVerifiedReply, verifiedReply } from './gen-reply.js';
import { GenSandbox } from './gen-sandbox.js';
import { type GenState, genTools } from './gen-tools.js';
import { type GenLanguage, languageOf } from './languages.js';
import { genSystemPrompt } from './system-prompt.js';

export type GenConfig = Pick<Config, 'agents' | 'sandbox'>;

/** Where threads persist between messages (follow-ups such as "also handle negatives"); SqliteThreadStore fits. */
export interface GenThreadStore {
  load(conversationKey: string, agent: string): MessageParam[] | undefined;
  save(conversationKey: string, agent: string, messages: MessageParam[]): void;
  reset?(conversationKey: string): void;
}

export interface GenAgentDeps {
  config: GenConfig;
  log: Logger;
  /** Used when the run context carries none (the gateway normally passes it in ctx.model). */
  model?: ModelClient;
  threads?: GenThreadStore;
}

export interface GenAgent extends Agent {
  readonly name: 'gen';
  reset(conversationKey: string): Promise<void>;
}

export const GEN_THREAD = 'gen';
/** Model turns allowed per allowed submission: room to try things with run_code in between. */
const TURNS_PER_SUBMISSION = 3;

function isModelClient(x: unknown): x is ModelClient {
  return typeof x === 'object' && x !== null && typeof (x as { turn?: unknown }).turn === 'function';
}

/**
 * The language and the description: from the command's options (`/gen`), else a leading language word
 * in plain text, else none for a follow-up (the thread knows it) and python for a first message.
 */
function understand(task: Task, hasHistory: boolean): { language?: GenLanguage; description: string } {
  const given = typeof task.options.language === 'string' ? languageOf(task.options.language) : undefined;
  if (given) return { language: given, description: task.text.trim() };
  const lead = leadingLanguage(task.text);
  if (lead) return { language: lead.language, description: lead.rest };
  return { ...(hasHistory ? {} : { language: 'python' as const }), description: task.text.trim() };
}

export function createGenAgent(deps: GenAgentDeps): GenAgent {
  const { config } = deps;

  return {
    name: 'gen',
    command: {
      name: 'gen',
      usage: GEN_USAGE,
      summary:
        'write a function and its tests; the gateway runs them in the sandbox and replies only with verified code',
      parse: parseGenArgs,
    },

    async run(task: Task, ctx: RunContext): Promise<RunResult> {
      const model = isModelClient(ctx.model) ? ctx.model : deps.model;
      if (!model) return { text: modelUnavailableReply() };
      const log = ctx.log.child({ agent: 'gen' });
      const history = deps.threads?.load(task.conversationKey, GEN_THREAD) ?? [];
      const { language, description } = understand(task, history.length > 0);
      if (!description) return { text: `Usage: /${GEN_USAGE}` };

      const sandbox = await ctx.sandbox();
      const timeoutMs = config.sandbox.execTimeoutSec * 1000;
      const runner = new GenSandbox({ sandbox, runId: task.runId, timeoutMs, signal: ctx.signal, log });
      try {
        const missing = language ? await runner.unavailable(language) : undefined;
        if (missing) return { text: `not verified: ${missing}` };

        const maxSubmissions = config.agents.genMaxIterations;
        const maxTurns = maxSubmissions * TURNS_PER_SUBMISSION;
        const state: GenState = { attempts: 0 };
        const loop = await runToolLoop({
          model,
          call: { runId: task.runId, senderKey: task.senderId },
          system: genSystemPrompt({
            workdir: sandbox.workdir,
            maxSubmissions,
            ...(language ? { language } : {}),
          }),
          tools: genTools({ runner, state, maxSubmissions, timeoutMs, ...(language ? { language } : {}) }),
          messages: appendUserText(
            history,
            language ? `Language: ${language}\n\n${description}` : description,
          ),
          maxIterations: maxTurns,
          signal: ctx.signal,
          emit: ctx.emit,
          onToolCall: ctx.recordToolCall,
          log,
          maxToolResultChars: config.agents.maxToolResultChars,
          contextTokens: config.agents.contextTokens,
        });
        deps.threads?.save(task.conversationKey, GEN_THREAD, loop.messages);
        if (loop.stop === 'aborted') return { text: 'Cancelled.', usage: loop.usage };
        if (state.verified)
          return { text: verifiedReply(state.verified, wantsTests(description)), usage: loop.usage };
        const note =
          loop.stop === 'max_iterations'
            ? `The model used all ${maxTurns} of its turns (${TURNS_PER_SUBMISSION} per submission in agents.genMaxIterations) without passing tests.`
            : stopNote(loop, { steps: maxTurns, setting: 'agents.genMaxIterations' });
        return {
          text: notVerifiedReply({
            state,
            maxSubmissions,
            ...(note ? { note } : {}),
            ...(loop.finalText ? { modelText: loop.finalText } : {}),
          }),
          usage: loop.usage,
        };
      } finally {
        await runner.cleanup();
      }
    },

    async reset(conversationKey: string): Promise<void> {
      deps.threads?.reset?.(conversationKey);
    },
  };
}
