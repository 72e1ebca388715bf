// Replies arrive whole and valid (issue: real-world chat faults): long answers are chunked on
// character boundaries with no empty or fences-only chunk (the real Bot API refuses both, and the
// fake does too), and the "⏳ working" status message is always settled — replaced by the answer,
// or told that the answer is below or could not be delivered. Real Telegram channel against the fake.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent, RunContext, RunResult, Task } from '../../agents/agent.js';
import { type TelegramGateway, telegramGateway } from '../helpers/telegram-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

/** Answers with whatever the test set, after one progress step (which posts the status message). */
class ScriptedAgent implements Agent {
  readonly name = 'coding' as const;
  answer = '';
  /** When set, the answer waits for it (after the status message went out). */
  gate: Promise<void> | undefined;
  async run(_task: Task, ctx: RunContext): Promise<RunResult> {
    ctx.emit({ text: 'thinking' });
    await this.gate;
    return { text: this.answer };
  }
}

const ada = { id: 1001, is_bot: false, first_name: 'Ada' };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

let t: TelegramGateway;
let agent: ScriptedAgent;
beforeEach(async () => {
  agent = new ScriptedAgent();
  t = await telegramGateway({ agents: [agent] });
  t.allow(ada.id);
});
afterEach(async () => {
  await t.stop();
});

async function ask(text: string): Promise<void> {
  const before = t.store.inbound.countByState().done ?? 0;
  t.fake.pushText(text, { from: ada });
  await waitFor(() => (t.store.inbound.countByState().done ?? 0) > before, 'the run');
  await t.gateway.outbox.flush(10_000);
}

describe('replies arrive whole', () => {
  it('a fenced block right before a line longer than a message: every chunk has content, all delivered', async () => {
    agent.answer = `\`\`\`\n${'x'.repeat(9000)}\n\`\`\`\nThat is all.`;
    await ask('show me the log');
    const sends = t.fake.callsOf('sendMessage').concat(t.fake.callsOf('editMessageText'));
    expect(sends.every((c) => c.status === 200)).toBe(true);
    const shown = t.shown(ada.id).join('');
    expect(shown.replace(/[^x]/g, '')).toHaveLength(9000);
    expect(shown).toContain('That is all.');
    expect(t.shown(ada.id).some((s) => s.startsWith('⏳'))).toBe(false);
  });

  it('emoji at every chunk boundary arrive whole: Telegram refuses half an emoji, and nothing is refused', async () => {
    agent.answer = Array.from({ length: 3 }, (_, i) => `${'a'.repeat(i)}${'😀'.repeat(2100)}`).join('\n');
    await ask('emoji please');
    const calls = t.fake.callsOf('sendMessage').concat(t.fake.callsOf('editMessageText'));
    expect(calls.filter((c) => c.status !== 200).map((c) => c.errorDescription)).toEqual([]);
    const shown = t.shown(ada.id);
    for (const s of shown) expect(LONE_SURROGATE.test(s)).toBe(false);
    expect([...shown.join('')].filter((ch) => ch === '😀')).toHaveLength(6300);
  });
});

describe('the status message is always settled', () => {
  it('when the answer cannot replace it, the status says the answer is below', async () => {
    agent.answer = 'the answer';
    t.fake.failNext('editMessageText', {
      kind: 'error',
      code: 400,
      description: 'Bad Request: message to edit not found',
    });
    await ask('question one');
    const shown = t.shown(ada.id);
    expect(shown).toEqual(['✓ Done — the answer is below.', 'the answer']);
  });

  it('when the answer cannot be delivered at all, the status says so instead of "working" forever', async () => {
    agent.answer = 'an answer Telegram refuses';
    let release = () => {};
    agent.gate = new Promise<void>((r) => {
      release = r;
    });
    const asked = ask('question two');
    await waitFor(() => t.shown(ada.id).some((s) => s.startsWith('⏳')), 'the status message');
    const refuse = { kind: 'error' as const, code: 400, description: 'Bad Request: message text is empty' };
    t.fake.failNext('editMessageText', refuse);
    t.fake.failNext('sendMessage', refuse);
    release();
    await asked;
    const [status] = t.shown(ada.id);
    expect(status).toMatch(/^⚠ Done, but the answer could not be delivered: .*message text is empty/);
    expect(t.shown(ada.id).some((s) => s.startsWith('⏳'))).toBe(false);
  });
});
