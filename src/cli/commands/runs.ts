// `sandgate runs list|show`: what the gateway ran, how it ended, and what it produced.

import { RunTreesRepo } from '../../store/repos/run-trees-repo.js';
import type { ToolCallRow } from '../../store/repos/tool-calls-repo.js';
import { shorten } from '../../text/cut.js';
import { CliError, type RegisterCommands } from '../cli-env.js';
import { treeLines } from './run-tree-text.js';

const time = (ms: number | null) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');

/** `  runCommand  {"command":"ls"} → 0.4 s, failed`: one line per call; the dashboard shows them whole. */
function toolCallLine(c: ToolCallRow): string {
  const took = c.durationMs < 1000 ? `${c.durationMs} ms` : `${(c.durationMs / 1000).toFixed(1)} s`;
  const name = c.agent ? `[${c.agent}] ${c.name}` : c.name;
  return `  ${name}  ${shorten(JSON.stringify(c.input) ?? '', 81)} → ${took}${c.isError ? ', failed' : ''}`;
}

export const registerRunsCommands: RegisterCommands = (program, env) => {
  const runs = program.command('runs').description('list and inspect runs');
  runs
    .command('list')
    .option('--json', 'machine-readable output')
    .option('--limit <n>', 'how many (newest first)', '20')
    .description('recent runs, newest first')
    .action((opts: { json?: boolean; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive integer', 2);
      const rows = env.store().runs.list({ limit });
      if (opts.json) return env.json(rows);
      if (!rows.length)
        return env.out('No runs yet. Start the gateway (npm start) and send a message (sandgate chat).');
      for (const r of rows) {
        env.out(
          `#${r.id}  ${r.state.padEnd(11)} ${r.kind.padEnd(8)} ${r.conversationKey.padEnd(24)} ${time(r.startedAt)}`,
        );
      }
    });
  runs
    .command('show')
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .description('one run: its message, progress, tool calls, artifacts and replies')
    .action((id: string, opts: { json?: boolean }) => {
      const store = env.store();
      const run = store.runs.get(Number(id));
      if (!run) throw new CliError(`no run #${id}`, 1);
      const msg = store.inbound.get(run.inboundId);
      const artifacts = store.artifacts.listForRun(run.id);
      const deliveries = store.deliveries
        .listForConversation(run.conversationKey, 500)
        .filter((d) => d.runId === run.id);
      const tree = new RunTreesRepo(store.db).get(run.id);
      const toolCalls = store.toolCalls.listForRun(run.id);
      if (opts.json) return env.json({ ...run, message: msg?.text, artifacts, deliveries, tree, toolCalls });
      env.out(`Run #${run.id} — ${run.kind}, ${run.state}${run.error ? ` (${run.error})` : ''}`);
      env.out(
        `Conversation: ${run.conversationKey}   started ${time(run.startedAt)}   finished ${time(run.finishedAt)}`,
      );
      if (msg) env.out(`Message: ${shorten(msg.text, 201)}`);
      if (run.usage) env.out(`Usage: ${JSON.stringify(run.usage)}`);
      if (tree) env.out(`Agents:\n${treeLines(tree).join('\n')}`);
      if (run.progress.length) env.out(`Progress:\n${run.progress.map((p) => `  • ${p}`).join('\n')}`);
      if (toolCalls.length) env.out(`Tool calls:\n${toolCalls.map(toolCallLine).join('\n')}`);
      if (artifacts.length) {
        env.out(
          `Artifacts:\n${artifacts.map((a) => `  ${a.kind} ${a.name}${a.caption ? ` — ${a.caption}` : ''}`).join('\n')}`,
        );
      }
      env.out(`Replies: ${deliveries.map((d) => `#${d.id} ${d.state}`).join(', ') || 'none'}`);
    });
};
