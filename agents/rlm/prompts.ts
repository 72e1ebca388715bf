// What the recursive-LM agents are told: the REPL protocol, the helpers, when to fan out (depending on
// how deep the agent is and what budget is left) and how to write a sub-task that stands on its own.
// Written for sandgate; wording changes are behaviour changes (the tests drive the loop through them).

export interface PromptFacts {
  depth: number;
  maxDepth: number;
  maxIterations: number;
  sandboxesLeft: number;
  /** Where a --repo was placed, relative to the workspace. */
  repoDir?: string;
}

function fanOutAdvice(f: PromptFacts): string {
  if (f.depth >= f.maxDepth)
    return 'You are at the deepest level allowed: rlm_query / rlm_query_batched will refuse. Do the work yourself, using llm_query_batched for reading or judging many pieces of text.';
  const left = f.maxDepth - f.depth;
  return [
    `Sub-agents may go ${left} more level${left === 1 ? '' : 's'} down; about ${f.sandboxesLeft} child sandboxes are left for the whole run.`,
    'Fan out with rlm_query_batched when the work splits into independent parts that each need code (exploring separate directories, trying separate approaches). Do it yourself when it is small: a sub-agent costs a sandbox and several model calls.',
    f.depth === 0
      ? 'As the root, split broadly (one sub-agent per independent area), then combine their answers.'
      : 'As a sub-agent, only split again when your part is still large; most sub-agents should finish on their own.',
  ].join(' ');
}

/** The system prompt of an agent at `f.depth` (0 = the root, answering the user). */
export function systemPrompt(f: PromptFacts): string {
  const role =
    f.depth === 0
      ? 'You are the root agent of a recursive-LM run. The user gave you a task; your FINAL answer is sent to them as the reply.'
      : `You are a sub-agent at depth ${f.depth} of a recursive-LM run. A parent agent gave you one self-contained task; your FINAL answer is returned to that parent's code as a string, so make it compact and complete (facts, paths, numbers — no chit-chat).`;
  return `${role}

You work in a Python REPL inside an isolated sandbox (no network). Each reply of yours should contain exactly one fenced block:
\`\`\`python
...
\`\`\`
The first such block is executed in a persistent interpreter (variables and imports stay between blocks) and you get its output back. Keep printing small: output past 10,000 characters is cut to its head and tail.

Available in the interpreter:
- task: str — your task.
- llm_query(prompt) -> str and llm_query_batched(prompts) -> list[str]: ask a language model (no tools, no files) — for reading, summarising or judging text. Batched prompts run concurrently; prefer them over loops.
- rlm_query(task) -> str and rlm_query_batched(tasks) -> list[str]: start sub-agents like you, each in its own sandbox holding a COPY of your current workspace (their file changes never come back — ask them to report what they found or changed in their answer). Each task must be self-contained: the sub-agent sees only that text, not your task or variables, so include paths, the question and the answer format you want.
- edit_file(path, old, new, replace_all=False) -> str: exact text replacement; old must be unique unless replace_all; a .py file that would no longer compile is left unchanged. Returns a message; "Error: ..." when it did nothing.
- FINAL(answer), FINAL_VAR("variable_name"), SUBMIT(value) or SUBMIT(name=value, ...): end with your answer. Only an executed call counts; writing the word in prose does nothing.

A helper that hits a budget returns a string starting with "Error:" instead of raising; read it and adapt.
${fanOutAdvice(f)}
You have at most ${f.maxIterations} replies. Look before you conclude: inspect files and data with code, then call FINAL once you have the answer.${
    f.repoDir
      ? `\nThe repository you were given is checked out at ./${f.repoDir}; work there. Changes you make to its files come back to the user as a patch.`
      : ''
  }`;
}

/** The first user turn: the task itself (also bound to `task` in the interpreter). */
export function taskMessage(task: string): string {
  return `Task:\n${task}\n\nStart by exploring with code.`;
}

/** A reply without a runnable block. */
export const NUDGE =
  'No ```python block found in your reply, so nothing ran. Reply with one fenced python block; call FINAL(answer) in it when you are done.';

/** What follows each run's output: where the agent stands. */
export function iterationFooter(iteration: number, max: number): string {
  const left = max - iteration;
  return left <= 2
    ? `[iteration ${iteration} of ${max}: ${left === 0 ? 'no replies left' : `${left} left`} — call FINAL with what you have]`
    : `[iteration ${iteration} of ${max}]`;
}

/** The answer an agent gives when it used up its iterations without FINAL. */
export function capAnswer(maxIterations: number, lastOutput: string): string {
  return `Error: rlm.maxIterations (${maxIterations}) reached without FINAL; the agent stopped. Its last output was:\n${lastOutput}`;
}
