// The chat reply at the end of a coding run: the agent's answer, then the files changed and the
// preview links, plus a plain note when the run stopped early (cap, cancel, model failure).

import type { IterationLimit } from '../tool-loop/stop-note.js';
import type { RunState } from './run-state.js';

export function iterationLimit(config: { agents: { maxIterations: number } }): IterationLimit {
  return { steps: config.agents.maxIterations, setting: 'agents.maxIterations' };
}

export function summaryLines(state: RunState): string[] {
  const lines: string[] = [];
  if (state.changedFiles.size) lines.push(`Files changed: ${[...state.changedFiles].sort().join(', ')}`);
  for (const p of [...state.previews.values()].sort((a, b) => a.port - b.port)) {
    lines.push(`Preview (port ${p.port}): ${p.url}`);
  }
  return lines;
}

export function composeReply(answer: string, note: string | undefined, state: RunState): string {
  const parts = [answer.trim(), note, summaryLines(state).join('\n')].filter(
    (p): p is string => !!p && p.length > 0,
  );
  return parts.join('\n\n') || 'Done.';
}

export function previewLinks(state: RunState): { url: string; label: string }[] {
  return [...state.previews.values()].map((p) => ({ url: p.url, label: `preview (port ${p.port})` }));
}
