// An agent for pipeline tests whose runs finish only when the test says so, so ordering and
// concurrency can be observed without timing assumptions.

import type { Agent, RunContext, RunResult, Task } from '../../agents/agent.js';

export class GatedAgent implements Agent {
  readonly name = 'coding' as const;
  readonly started: Task[] = [];
  readonly finished: Task[] = [];
  running = 0;
  maxRunning = 0;
  private readonly gates = new Map<string, () => void>();
  autoRelease = false;
  /** Emit a progress line at the start of each run (which posts a status message). */
  progress = true;
  /** Charts, files or links every answer carries besides its text. */
  extra: Omit<RunResult, 'text'> = {};

  async run(task: Task, ctx: RunContext): Promise<RunResult> {
    this.started.push(task);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    if (this.progress) ctx.emit({ text: `thinking about ${task.text}` });
    try {
      if (!this.autoRelease) {
        await new Promise<void>((resolve, reject) => {
          this.gates.set(task.text, resolve);
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      }
      this.finished.push(task);
      return { text: `answer to ${task.text}`, ...this.extra };
    } finally {
      this.running--;
    }
  }

  release(text: string): void {
    const gate = this.gates.get(text);
    if (!gate) throw new Error(`no run waiting for "${text}"`);
    this.gates.delete(text);
    gate();
  }

  isWaiting(text: string): boolean {
    return this.gates.has(text);
  }
}
