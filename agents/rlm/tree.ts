// The run's tree of agents (DESIGN §9.3 `tree`): who spawned whom from which iteration — recorded when
// the spawn happens, never guessed from printed text — each iteration's code and output, and each
// agent's own usage. Stored through a throttled writer so readers see it live; a failed write is logged.

import type { UsageTotals } from '../../src/model/types.js';
import { headTail } from './code-block.js';

export interface IterationJson {
  iteration: number;
  code: string | null;
  stdout: string | null;
  stderr: string | null;
  error: string | null;
  spawned: string[];
  /** llm_query prompts this iteration sent. */
  llm_calls: number;
}

export interface AgentNodeJson {
  agent_id: string;
  depth: number;
  sandbox_id: string | null;
  task: string;
  iterations: IterationJson[];
  spawned_agents: AgentNodeJson[];
  result: string | null;
  /** This agent's own model calls (its turns and its llm_query prompts); children excluded. */
  usage: { input_tokens: number; output_tokens: number; cost_usd: number };
  /** Wall time of this agent, seconds; null while it runs. */
  execution_time_s: number | null;
  error: string | null;
}

/** Text kept per stream in the stored tree (the model saw at most this much too). */
const STORED_OUTPUT_CHARS = 10_000;

const orNull = (s: string | undefined | null) => (s ? s : null);

export class AgentNode {
  readonly iterations: IterationJson[] = [];
  readonly children: AgentNode[] = [];
  sandboxId: string | null = null;
  result: string | null = null;
  error: string | null = null;
  usage = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  private readonly started = performance.now();
  elapsedS: number | null = null;

  constructor(
    readonly id: string,
    readonly depth: number,
    readonly task: string,
    private readonly changed: () => void,
  ) {}

  get running(): boolean {
    return this.elapsedS === null;
  }

  addUsage(u: UsageTotals): void {
    this.usage.input_tokens += u.inputTokens;
    this.usage.output_tokens += u.outputTokens;
    this.usage.cost_usd += u.costUsd;
    this.changed();
  }

  startIteration(iteration: number, code: string | null): IterationJson {
    const it: IterationJson = {
      iteration,
      code: orNull(code),
      stdout: null,
      stderr: null,
      error: null,
      spawned: [],
      llm_calls: 0,
    };
    this.iterations.push(it);
    this.changed();
    return it;
  }

  endIteration(it: IterationJson, out: { stdout: string; stderr: string; error: string | null }): void {
    it.stdout = orNull(headTail(out.stdout, STORED_OUTPUT_CHARS));
    it.stderr = orNull(headTail(out.stderr, STORED_OUTPUT_CHARS));
    it.error = out.error;
    this.changed();
  }

  finish(result: string | null, error: string | null): void {
    this.result = result;
    this.error = error;
    this.elapsedS = Math.round((performance.now() - this.started) / 10) / 100;
    this.changed();
  }

  toJson(): AgentNodeJson {
    return {
      agent_id: this.id,
      depth: this.depth,
      sandbox_id: this.sandboxId,
      task: this.task,
      iterations: this.iterations.map((i) => ({ ...i, spawned: [...i.spawned] })),
      spawned_agents: this.children.map((c) => c.toJson()),
      result: this.result,
      usage: { ...this.usage, cost_usd: Math.round(this.usage.cost_usd * 1e6) / 1e6 },
      execution_time_s: this.elapsedS,
      error: this.error,
    };
  }
}

export interface TreeCounts {
  agents: number;
  running: number;
  done: number;
  deepest: number;
}

/** The whole tree of one run: node ids, counts for progress, and the throttled store. */
export class RunTree {
  private nextId = 0;
  private readonly all: AgentNode[] = [];
  private timer: NodeJS.Timeout | undefined;
  readonly root: AgentNode;

  constructor(
    task: string,
    private readonly save: (tree: AgentNodeJson) => void,
    private readonly onSaveError: (err: unknown) => void,
    private readonly saveEveryMs = 250,
  ) {
    this.root = this.node(0, task);
  }

  /** A new sub-agent of `parent`, spawned from `iteration`. */
  spawn(parent: AgentNode, iteration: IterationJson | undefined, task: string): AgentNode {
    const child = this.node(parent.depth + 1, task);
    parent.children.push(child);
    iteration?.spawned.push(child.id);
    this.changed();
    return child;
  }

  counts(): TreeCounts {
    const running = this.all.filter((n) => n.running).length;
    return {
      agents: this.all.length,
      running,
      done: this.all.length - running,
      deepest: Math.max(...this.all.map((n) => n.depth)),
    };
  }

  /** Usage of every agent of the tree together. */
  totalUsage(): UsageTotals {
    const t = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
    for (const n of this.all) {
      t.inputTokens += n.usage.input_tokens;
      t.outputTokens += n.usage.output_tokens;
      t.costUsd += n.usage.cost_usd;
    }
    return t;
  }

  /** Writes the tree now (the run ended, or a reader must see this state). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      this.save(this.root.toJson());
    } catch (err) {
      this.onSaveError(err);
    }
  }

  private node(depth: number, task: string): AgentNode {
    const n = new AgentNode(`agent-${this.nextId++}`, depth, task, () => this.changed());
    this.all.push(n);
    return n;
  }

  private changed(): void {
    if (this.timer || !this.root) return;
    this.timer = setTimeout(() => this.flush(), this.saveEveryMs);
    this.timer.unref();
  }
}
