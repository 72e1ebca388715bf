// Pairing through the real pipeline: the gateway core with a channel test double at the Channel port and an
// echo agent at the Agent port, over a real SQLite file. Approvals come from a second connection (as the
// CLI does) and from the owner's chat; the kept first message is answered exactly once.

import { afterEach, describe, expect, it } from 'vitest';
import type { Agent, RunResult, Task } from '../../agents/agent.js';
import type {
  Channel,
  ChannelStatus,
  ConversationRef,
  DeliveryReceipt,
  Inbound,
  InboundSink,
  Outbound,
} from '../../channels/channel.js';
import { createPairing } from '../../pairing/index.js';
import { validateConfig } from '../../src/config/load.js';
import { CommandRegistry } from '../../src/gateway/commands.js';
import { Gateway } from '../../src/gateway/gateway.js';
import type { Store } from '../../src/store/store.js';
import { codeIn, openStore, silentLog, type TempHome, tempHome } from './helpers.js';

/** A DM-only chat platform double: records what the gateway delivers, per conversation. */
class ChatDouble implements Channel {
  readonly id = 'telegram' as const;
  readonly limits = { textMax: 4000 };
  readonly sent: { key: string; text: string }[] = [];
  sink: InboundSink | undefined;
  private n = 0;

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
  }
  status(): ChannelStatus {
    return { state: 'connected' };
  }
  async deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    this.sent.push({ key: to.key, text: msg.kind === 'text' ? msg.text : '' });
    return { messageIds: [String(++this.n)] };
  }
  async dm(senderId: string, text: string, name = ''): Promise<void> {
    const inbound: Inbound = {
      channel: 'telegram',
      conversationKey: `tg:${senderId}`,
      route: { chatId: senderId },
      sender: { id: senderId, name },
      isDirect: true,
      mentioned: false,
      text,
      attachments: [],
      platformId: `m${++this.n}`,
      at: new Date(),
    };
    await this.sink?.receive(inbound);
  }
  textsTo(senderId: string): string[] {
    return this.sent.filter((m) => m.key === `tg:${senderId}`).map((m) => m.text);
  }
}

class EchoAgent implements Agent {
  readonly name = 'coding' as const;
  readonly tasks: string[] = [];
  async run(task: Task): Promise<RunResult> {
    this.tasks.push(task.text);
    return { text: `echo: ${task.text}` };
  }
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let home: TempHome;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  home?.cleanup();
});

function start(): { channel: ChatDouble; agent: EchoAgent; gateway: Gateway; store: Store; cliStore: Store } {
  home = tempHome();
  const config = validateConfig({}, home.dir);
  const store = openStore(home.dbFile);
  const pairing = createPairing({ store, config, log: silentLog });
  const commands = new CommandRegistry();
  for (const c of pairing.commands) commands.register(c);
  const channel = new ChatDouble();
  const agent = new EchoAgent();
  const gateway = new Gateway({
    config,
    store,
    log: silentLog,
    channels: [channel],
    access: pairing.access,
    commands,
    agents: [agent],
    pollMs: 50,
  });
  const cliStore = openStore(home.dbFile);
  cleanups.push(() => {
    store.db.close();
  });
  cleanups.push(() => {
    cliStore.db.close();
  });
  cleanups.push(() => gateway.stop(2000));
  return { channel, agent, gateway, store, cliStore };
}

describe('pairing in the running gateway', () => {
  it('an unknown DM gets one code; a CLI approval notifies and answers the kept message exactly once', async () => {
    const { channel, agent, gateway, store, cliStore } = start();
    await gateway.start();
    await channel.dm('100', 'build me a website', 'Alice');
    await waitFor('the pairing reply', () => channel.textsTo('100').length === 1);
    const code = codeIn(channel.textsTo('100')[0]);
    expect(channel.textsTo('100')[0]).toContain(`sandgate pairing approve telegram ${code}`);

    await channel.dm('100', 'hello?');
    await waitFor('the repeat DM to be settled', () =>
      store.inbound.listByState(['rejected']).some((r) => r.text === 'hello?'),
    );

    // The CLI: its own connection to the same file, no access to the gateway process.
    const cli = createPairing({ store: cliStore, config: validateConfig({}, home.dir), log: silentLog });
    expect(cli.approve('telegram', code, 'cli').becameOwner).toBe(true);
    await waitFor('the answer to the kept message', () =>
      channel.textsTo('100').includes('echo: build me a website'),
    );
    await gateway.outbox.flush(2000);
    expect(channel.textsTo('100')).toEqual([
      channel.textsTo('100')[0],
      "You're approved! I'll answer your message now.",
      'echo: build me a website',
    ]);
    expect(agent.tasks).toEqual(['build me a website']);

    await channel.dm('100', 'and now?');
    await waitFor('the next answer', () => channel.textsTo('100').includes('echo: and now?'));
  });

  it('the owner approves from their chat; a non-owner is refused', async () => {
    const { channel, agent, gateway, cliStore } = start();
    await gateway.start();
    await channel.dm('1', 'hi, it is me', 'Owner');
    await waitFor('the first code', () => channel.textsTo('1').length === 1);
    createPairing({ store: cliStore, config: validateConfig({}, home.dir), log: silentLog }).approve(
      'telegram',
      codeIn(channel.textsTo('1')[0]),
      'cli',
    );
    await waitFor('the owner answered', () => channel.textsTo('1').includes('echo: hi, it is me'));

    await channel.dm('2', 'let me in', 'Bob');
    await waitFor("Bob's code", () => channel.textsTo('2').length === 1);
    const bobCode = codeIn(channel.textsTo('2')[0]);

    await channel.dm('1', `/approve ${bobCode.toLowerCase()}`);
    await waitFor('the owner is told', () =>
      channel.textsTo('1').some((t) => t.startsWith('Approved Bob (2)')),
    );
    await waitFor("Bob's kept message answered", () => channel.textsTo('2').includes('echo: let me in'));

    await channel.dm('2', '/pending');
    await waitFor('the refusal', () => channel.textsTo('2').some((t) => t.startsWith('Only the owner')));
    await gateway.outbox.flush(2000);
    expect(agent.tasks).toEqual(['hi, it is me', 'let me in']);
    expect(channel.textsTo('2').filter((t) => t === 'echo: let me in')).toHaveLength(1);
  });
});
