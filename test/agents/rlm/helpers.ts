// Wiring for /rlm tests: the real pipeline (RecordingChannel → gateway → the rlm agent) over REAL local
// sandboxes, the real Anthropic SDK against the Messages API fake. Agents run in parallel, so the fake's
// steps are one router that answers from the request: which agent (its task), which turn, or a sub-LLM.

import { createRlmAgent } from '../../../agents/rlm/index.js';
import { validateConfig } from '../../../src/config/load.js';
import type { AccessControl } from '../../../src/gateway/access.js';
import { createModelClient, type ModelClient, UsageRepository } from '../../../src/model/index.js';
import { ConversationSandboxes } from '../../../src/sandbox/conversation-sandboxes.js';
import type { SandboxProvider } from '../../../src/sandbox/provider.js';
import { RUN_LABEL } from '../../../src/sandbox/run-sandboxes.js';
import { RunTreesRepo } from '../../../src/store/repos/run-trees-repo.js';
import {
  type FakeAnthropic,
  type RecordedRequest,
  reply,
  startFakeAnthropic,
  text,
} from '../../fakes/anthropic/server.js';
import { RecordingChannel } from '../../helpers/recording-channel.js';
import { testGateway } from '../../helpers/test-gateway.js';
import { silentLog, TEST_MODEL, testConfig } from '../../model/helpers.js';

/** Distinctive, so a sandbox can search itself for the prefix without the key ever entering it. */
export const KEY = 'sk-ant-rlmtest-7f3e9a';

const allowAll: AccessControl = { check: () => ({ allow: true }) };

/** What the router knows about one request. */
export interface Turn {
  /** The agent's task, or the prompt for a sub-LLM call. */
  task: string;
  subLlm: boolean;
  /** 1 for the agent's first reply, 2 after its first block ran, … */
  iteration: number;
  /** The last user message (the previous block's output, or the nudge). */
  last: string;
  system: string;
  req: RecordedRequest;
}

function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  return c.map((b: { text?: string }) => b.text ?? '').join('');
}

export function describeTurn(req: RecordedRequest): Turn {
  const system = contentText(req.body.system);
  const messages = req.body.messages as { role: string; content: unknown }[];
  const first = contentText(messages[0]?.content);
  const subLlm = system.startsWith('You are a sub-LLM');
  const task = subLlm
    ? first
    : (/^Task:\n([\s\S]*)\n\nStart by exploring with code\.$/.exec(first)?.[1] ?? first);
  return {
    task,
    subLlm,
    iteration: messages.filter((m) => m.role === 'assistant').length + 1,
    last: contentText(messages.at(-1)?.content),
    system,
    req,
  };
}

/** A reply holding one python block. */
export const py = (code: string, before = 'Running this:') =>
  reply(text(`${before}\n\`\`\`python\n${code}\n\`\`\`\n`));
export const say = (t: string) => reply(text(t));

export interface RlmHarness {
  fake: FakeAnthropic;
  channel: RecordingChannel;
  provider: SandboxProvider;
  store: ReturnType<typeof testGateway>['store'];
  trees: RunTreesRepo;
  sandboxes: ConversationSandboxes;
  /** Child sandboxes (of any run) that exist now. */
  childrenLeft(): Promise<string[]>;
  /** Every child sandbox created so far (ids), in order. */
  created: string[];
  send(text: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startRlm(opts: {
  home: string;
  provider: SandboxProvider & { shutdown?(): Promise<void> };
  route: (t: Turn) => ReturnType<typeof reply>;
  config?: Record<string, unknown>;
  maxLive?: number;
}): Promise<RlmHarness> {
  const fake = await startFakeAnthropic({ apiKey: KEY, model: TEST_MODEL });
  const router = (req: RecordedRequest) => opts.route(describeTurn(req));
  fake.push(...Array.from({ length: 2000 }, () => router));
  const created: string[] = [];
  const provider = opts.provider;
  const watched: SandboxProvider = new Proxy(provider, {
    get(target, prop, receiver) {
      if (prop === 'create')
        return async (spec: Parameters<SandboxProvider['create']>[0]) => {
          const box = await target.create(spec);
          if (spec.labels[RUN_LABEL] !== undefined) created.push(box.id);
          return box;
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const sandboxes = new ConversationSandboxes({
    provider: watched,
    log: silentLog,
    idleStopSec: 0,
    maxLive: opts.maxLive ?? 8,
  });
  const channel = new RecordingChannel('telegram');
  // The model client records usage in the gateway's own database, so it is built once the store is.
  let real: ModelClient | undefined;
  const model: ModelClient = {
    model: TEST_MODEL,
    turn: (request, call) => {
      if (!real) throw new Error('model used before the store was open');
      return real.turn(request, call);
    },
  };
  const treesRef: { repo?: RunTreesRepo } = {};
  const agent = createRlmAgent({
    config: validateConfig(opts.config ?? {}, opts.home),
    log: silentLog,
    trees: { put: (id, tree) => treesRef.repo?.put(id, tree) },
  });
  const { gateway, store } = testGateway(opts.home, {
    channels: [channel],
    agents: [agent],
    access: allowAll,
    sandboxes,
    model,
    config: opts.config ?? {},
  });
  treesRef.repo = new RunTreesRepo(store.db);
  real = createModelClient(testConfig(fake.url, { anthropic: { apiKey: KEY } }), {
    usage: new UsageRepository(store.db),
    log: silentLog,
  });
  await gateway.start();
  return {
    fake,
    channel,
    provider,
    store,
    trees: treesRef.repo,
    sandboxes,
    created,
    childrenLeft: async () =>
      (await provider.list({ labels: { sandgate: '1' } }))
        .filter((s) => s.labels[RUN_LABEL] !== undefined)
        .map((s) => s.id),
    send: async (t) => {
      await channel.sink!.receive(channel.inbound({ text: t }));
    },
    stop: async () => {
      await gateway.stop(5000);
      await sandboxes.shutdown();
      await provider.shutdown?.();
      store.db.close();
      await fake.close();
    },
  };
}
