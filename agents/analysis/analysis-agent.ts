// The data-analysis agent (Agent port): saves the datasets attached to a message into the sandbox,
// previews them there with pandas, then lets the model answer with run_python_code in the
// conversation's persistent interpreter. The reply carries the summary, every chart and out/ files.
// Bad input gets a plain reply and no model call; no model configured → the setting to add.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { modelUnavailableReply } from '../../src/model/errors.js';
import type { MessageParam, ModelClient } from '../../src/model/types.js';
import type { Chart, Sandbox } from '../../src/sandbox/provider.js';
import type { Agent, RunContext, RunResult, Task } from '../agent.js';
import { runToolLoop } from '../tool-loop/run-tool-loop.js';
import { stopNote } from '../tool-loop/stop-note.js';
import { appendUserText } from '../tool-loop/thread-messages.js';
import { composeReply, MAX_CHARTS, problemsBlock, unreadableProblem } from './analysis-reply.js';
import { isDatasetFile } from './dataset-files.js';
import { takeAttachments, type WrittenFile, writeAccepted } from './dataset-intake.js';
import { readOutputs } from './output-files.js';
import { analysisSystemPrompt, type SavedDataset, shape, taskPrompt } from './prompts.js';
import { pythonTool } from './python-tool.js';
import { changedOutputs, prepareWorkspace, type ScanOptions, WorkspaceScanError } from './workspace-scan.js';

export type AnalysisConfig = Pick<Config, 'agents' | 'sandbox'>;

/** Where threads persist between messages; SqliteThreadStore from agents/coding fits. */
export interface AnalysisThreadStore {
  load(conversationKey: string, agent: string): MessageParam[] | undefined;
  save(conversationKey: string, agent: string, messages: MessageParam[]): void;
  reset?(conversationKey: string): void;
}

export interface AnalysisAgentDeps {
  config: AnalysisConfig;
  log: Logger;
  /** Used when the run context carries none (the gateway normally passes it in ctx.model). */
  model?: ModelClient;
  /** Without one, every message starts a fresh thread (the interpreter still keeps its variables). */
  threads?: AnalysisThreadStore;
}

export interface AnalysisAgent extends Agent {
  readonly name: 'analysis';
  /** /new: forget the conversation's analysis thread (the sandbox, and its interpreter, go with /new). */
  reset(conversationKey: string): Promise<void>;
}

export const THREAD_NAME = 'analysis';

/** Preview and out/ scans may import pandas on a cold interpreter: never give them less than this. */
const SCAN_TIMEOUT_MS = 90_000;

/** One interpreter context per conversation, named so it cannot collide with /py's `default`. */
export function interpreterContext(conversationKey: string): string {
  return `analysis-${createHash('sha256').update(conversationKey).digest('hex').slice(0, 16)}`;
}

function isModelClient(x: unknown): x is ModelClient {
  return typeof x === 'object' && x !== null && typeof (x as { turn?: unknown }).turn === 'function';
}

const CANCELLED: RunResult = { text: 'Cancelled.' };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createAnalysisAgent(deps: AnalysisAgentDeps): AnalysisAgent {
  const { config } = deps;
  const timeoutSec = config.sandbox.execTimeoutSec;
  const maxFileBytes = Math.floor(config.agents.analysisMaxFileMb * 1024 * 1024);

  async function previewAll(
    sandbox: Sandbox,
    written: WrittenFile[],
    scanOpts: ScanOptions,
    problems: string[],
    log: Logger,
  ) {
    const scan = await prepareWorkspace(
      sandbox,
      written.map((w) => ({
        path: w.path,
        format: w.format,
        ...(w.encoding ? { encoding: w.encoding } : {}),
      })),
      scanOpts,
    );
    const saved: SavedDataset[] = [];
    for (const [i, w] of written.entries()) {
      const preview = scan.datasets[i];
      if (preview?.ok) saved.push({ path: w.path, originalName: w.originalName, size: w.size, preview });
      else if (preview) {
        log.info({ path: w.path, kind: preview.kind }, 'dataset could not be read');
        problems.push(unreadableProblem(w.originalName, w.format, preview));
      }
    }
    const others = scan.existing.filter((e) => !saved.some((s) => s.path === e.path));
    return { saved, others, outBefore: scan.out };
  }

  return {
    name: 'analysis',
    command: {
      name: 'analyze',
      usage: 'analyze QUESTION',
      summary: 'ask the data-analysis agent about attached data (charts come back as images)',
    },

    claimsAttachments: (files) => files.some((f) => isDatasetFile(f.name, f.mime)),

    async run(task: Task, ctx: RunContext): Promise<RunResult> {
      const model = isModelClient(ctx.model) ? ctx.model : deps.model;
      if (!model) return { text: modelUnavailableReply() };
      const log = ctx.log.child({ agent: 'analysis' });

      const intake = await takeAttachments(task.files, config.agents.analysisMaxFileMb);
      const problems = [...intake.problems];
      if (task.files.length > 0 && intake.accepted.length === 0) {
        return { text: problemsBlock(problems) ?? 'No dataset could be used.' };
      }
      if (ctx.signal.aborted) return CANCELLED;

      const sandbox = await ctx.sandbox();
      let written: WrittenFile[];
      try {
        written = await writeAccepted(sandbox, intake.accepted);
      } catch (err) {
        log.warn({ err: errorText(err) }, 'could not write datasets');
        return { text: `I could not save the datasets in the sandbox: ${errorText(err)}` };
      }
      for (const w of written) ctx.emit({ text: `saved ${w.path}`, kind: 'tool' });

      const context = interpreterContext(task.conversationKey);
      const scanOpts: ScanOptions = {
        context,
        timeoutMs: Math.max(SCAN_TIMEOUT_MS, timeoutSec * 1000),
        signal: ctx.signal,
      };
      let prepared: Awaited<ReturnType<typeof previewAll>>;
      try {
        prepared = await previewAll(sandbox, written, scanOpts, problems, log);
      } catch (err) {
        // WorkspaceScanError (the preview code failed) or the interpreter could not start at all.
        if (ctx.signal.aborted) return CANCELLED;
        log.warn({ err: errorText(err), scan: err instanceof WorkspaceScanError }, 'dataset preview failed');
        return { text: `I could not read the datasets in the sandbox: ${errorText(err)}` };
      }
      if (written.length > 0 && prepared.saved.length === 0) {
        return { text: problemsBlock(problems) ?? 'No dataset could be used.' };
      }
      for (const s of prepared.saved) {
        const first = s.preview.frames[0];
        if (first) ctx.emit({ text: `read ${s.path} — ${shape(first.rows, first.cols)}`, kind: 'tool' });
      }

      const charts: Chart[] = [];
      const history = deps.threads?.load(task.conversationKey, THREAD_NAME) ?? [];
      const loop = await runToolLoop({
        model,
        call: { runId: task.runId, senderKey: task.senderId },
        system: analysisSystemPrompt({
          workdir: sandbox.workdir,
          maxIterations: config.agents.analysisMaxIterations,
          timeoutSec,
        }),
        tools: [pythonTool({ sandbox, context, timeoutSec, charts })],
        messages: appendUserText(history, taskPrompt(task.text, prepared.saved, prepared.others)),
        maxIterations: config.agents.analysisMaxIterations,
        signal: ctx.signal,
        emit: ctx.emit,
        onToolCall: ctx.recordToolCall,
        log,
        maxToolResultChars: config.agents.maxToolResultChars,
        contextTokens: config.agents.contextTokens,
      });
      deps.threads?.save(task.conversationKey, THREAD_NAME, loop.messages);

      let outputs = {
        files: [] as { name: string; data: Buffer }[],
        sent: [] as string[],
        skipped: [] as string[],
      };
      if (!ctx.signal.aborted) {
        try {
          const changed = await changedOutputs(sandbox, prepared.outBefore, scanOpts);
          outputs = await readOutputs(sandbox, changed, maxFileBytes);
        } catch (err) {
          log.warn({ err: errorText(err) }, 'could not collect out/ files');
        }
      }

      const failed = loop.stop === 'model_error' || loop.stop === 'aborted';
      const result: RunResult = {
        text: composeReply({
          problems,
          answer: failed ? '' : loop.finalText,
          note: stopNote(loop, {
            steps: config.agents.analysisMaxIterations,
            setting: 'agents.analysisMaxIterations',
            resumeHint: 'the loaded data is still in memory',
          }),
          chartCount: charts.length,
          mentionNoChart: !failed,
          sentFiles: outputs.sent,
          skippedFiles: outputs.skipped,
        }),
        usage: loop.usage,
      };
      if (charts.length) result.charts = charts.slice(0, MAX_CHARTS);
      if (outputs.files.length) result.files = outputs.files;
      return result;
    },

    async reset(conversationKey: string): Promise<void> {
      deps.threads?.reset?.(conversationKey);
    },
  };
}
