// Wiring for WhatsApp channel tests: the real channel (auth in the real SQLite store) over the
// socket seam (test/fakes/whatsapp), optionally behind the real gateway pipeline with real pairing.

import type { WAMessage } from '@whiskeysockets/baileys';
import pino from 'pino';
import type { Agent, RunResult, Task } from '../../../agents/agent.js';
import type { Inbound, InboundSink } from '../../../channels/channel.js';
import { WhatsAppAuthStore } from '../../../channels/whatsapp/auth-store.js';
import { WhatsAppChannel, type WhatsAppChannelOptions } from '../../../channels/whatsapp/whatsapp-channel.js';
import { createPairing, type Pairing } from '../../../pairing/index.js';
import { validateConfig } from '../../../src/config/load.js';
import { CommandRegistry } from '../../../src/gateway/commands.js';
import { Gateway } from '../../../src/gateway/gateway.js';
import { openDatabase } from '../../../src/store/db.js';
import { createStore, type Store } from '../../../src/store/store.js';
import { FakeWhatsApp } from '../../fakes/whatsapp/fake-socket.js';
import type { MediaCdn } from '../../fakes/whatsapp/media-cdn.js';
import { tempHome } from '../../helpers/temp-home.js';

export const silentLog = pino({ level: 'silent' });

export const OWNER = { id: '15550001111:7@s.whatsapp.net', lid: '77700011:7@lid', name: 'Owner' };
export const ALICE = '15557654321@s.whatsapp.net';

/** What the phone shows of the bot's messages in one chat: texts and captions, in order. */
export function textsTo(wa: FakeWhatsApp, jid: string): string[] {
  return wa.sockets
    .flatMap((s) => s.sent)
    .filter((m) => m.jid === jid)
    .map((m) => {
      const c = m.message.message;
      return c?.conversation ?? c?.extendedTextMessage?.text ?? c?.imageMessage?.caption ?? '';
    });
}

export class RecordingSink implements InboundSink {
  readonly received: Inbound[] = [];
  async receive(inbound: Inbound) {
    const duplicate = this.received.some((r) => r.platformId === inbound.platformId);
    if (!duplicate) this.received.push(inbound);
    return { accepted: !duplicate, duplicate };
  }
}

export interface ChannelRig {
  channel: WhatsAppChannel;
  wa: FakeWhatsApp;
  store: Store;
  auth: WhatsAppAuthStore;
  controller: AbortController;
  home: string;
  cleanup(): Promise<void>;
}

export function channelRig(
  opts: Partial<WhatsAppChannelOptions> & { cdn?: MediaCdn; home?: string } = {},
): ChannelRig {
  // A given home is another process's (a restart): it is left in place at cleanup.
  const { cdn, home, ...channelOpts } = opts;
  const h = home ? { home, cleanup: () => {} } : tempHome('sandgate-wa-');
  const store = createStore(openDatabase(`${h.home}/sandgate.db`));
  const auth = new WhatsAppAuthStore(store.db);
  const wa = new FakeWhatsApp(cdn);
  const channel = new WhatsAppChannel({
    auth,
    log: silentLog,
    selfChat: false,
    maxAttachmentBytes: 5 * 1024 * 1024,
    createSocket: wa.factory,
    backoff: { initialMs: 5, maxMs: 20 },
    pacing: { perChatIntervalMs: 0, groupPerMinute: 0, globalPerSecond: 0 },
    ...channelOpts,
  });
  const controller = new AbortController();
  return {
    channel,
    wa,
    store,
    auth,
    controller,
    home: h.home,
    cleanup: async () => {
      controller.abort();
      await channel.drained();
      store.db.close();
      h.cleanup();
    },
  };
}

/** A coding agent at the Agent port that answers `echo: <text>`. */
export class EchoAgent implements Agent {
  readonly name = 'coding';
  readonly tasks: string[] = [];
  async run(task: Task): Promise<RunResult> {
    this.tasks.push(task.text);
    return { text: `echo: **${task.text}**` };
  }
}

/** The rig behind the real gateway pipeline with real pairing (pairing/), as assemble.ts wires it. */
export function gatewayRig(
  rig: ChannelRig,
  agents: Agent[] = [new EchoAgent()],
): { gateway: Gateway; pairing: Pairing; cliPairing: () => Pairing } {
  const config = validateConfig({}, rig.home);
  const pairing = createPairing({ store: rig.store, config, log: silentLog });
  const commands = new CommandRegistry();
  for (const c of pairing.commands) commands.register(c);
  const gateway = new Gateway({
    config,
    store: rig.store,
    log: silentLog,
    pollMs: 50,
    backoff: { baseMs: 20, maxMs: 200, maxAttempts: 5 },
    channels: [rig.channel],
    access: pairing.access,
    commands,
    agents,
  });
  const cleanup = rig.cleanup;
  rig.cleanup = async () => {
    await gateway.stop(2000);
    await cleanup();
  };
  // The CLI approves through its own connection to the same file.
  const cliPairing = () => {
    const cliStore = createStore(openDatabase(`${rig.home}/sandgate.db`));
    const p = createPairing({ store: cliStore, config, log: silentLog });
    const close = rig.cleanup;
    rig.cleanup = async () => {
      await close();
      cliStore.db.close();
    };
    return p;
  };
  return { gateway, pairing, cliPairing };
}

export type { WAMessage };
