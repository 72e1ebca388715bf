// Test support for pairing/: a real SQLite file in a temp dir, an injected clock, inbound rows as a channel
// would report them, and `admit` — the gateway intake's access step (check, then held/rejected/queued + reply).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createPairing, type Pairing, type PairingOptions } from '../../pairing/index.js';
import type { ChannelPolicy, PolicyConfig } from '../../pairing/policies.js';
import type { AccessControl, AccessDecision } from '../../src/gateway/access.js';
import { openDatabase } from '../../src/store/db.js';
import type { InboundRow, NewInbound } from '../../src/store/repos/inbound-repo.js';
import { createStore, type Store } from '../../src/store/store.js';

export const silentLog = pino({ level: 'silent' });

export interface TempHome {
  dir: string;
  dbFile: string;
  cleanup(): void;
}

export function tempHome(): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'sandgate-pairing-'));
  return {
    dir,
    dbFile: join(dir, 'sandgate.db'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function openStore(dbFile: string): Store {
  return createStore(openDatabase(dbFile));
}

export class TestClock {
  now = Date.UTC(2030, 0, 1, 12, 0, 0);
  readonly fn = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export function policyConfig(over: Partial<Record<string, Partial<ChannelPolicy>>> = {}): PolicyConfig {
  const channels: Record<string, ChannelPolicy> = {};
  for (const ch of ['telegram', 'whatsapp', 'slack', 'local']) {
    channels[ch] = { dmPolicy: 'pairing', groupPolicy: 'allowlist', ...over[ch] };
  }
  return { channels };
}

/** A store, a clock and pairing over one temp database. */
export interface Setup {
  home: TempHome;
  store: Store;
  clock: TestClock;
  config: PolicyConfig;
  pairing: Pairing;
  close(): void;
}

export function setup(
  opts: { config?: PolicyConfig } & Partial<Omit<PairingOptions, 'store' | 'log'>> = {},
): Setup {
  const home = tempHome();
  const store = openStore(home.dbFile);
  const clock = new TestClock();
  const config = opts.config ?? policyConfig();
  const pairing = createPairing({ ...opts, store, config, log: silentLog, clock: opts.clock ?? clock.fn });
  return {
    home,
    store,
    clock,
    config,
    pairing,
    close: () => {
      store.db.close();
      home.cleanup();
    },
  };
}

let seq = 0;

/** Persists a message as the intake does (state `received`) and returns its row. */
export function receive(store: Store, m: Partial<NewInbound> & { senderId: string }): InboundRow {
  seq += 1;
  const channel = m.channel ?? 'telegram';
  const row = store.inbound.insert({
    channel,
    platformId: m.platformId ?? `p${seq}-${Math.random().toString(36).slice(2)}`,
    conversationKey: m.conversationKey ?? `${channel}:dm:${m.senderId}`,
    route: m.route ?? { chatId: m.senderId },
    senderId: m.senderId,
    senderName: m.senderName ?? '',
    isDirect: m.isDirect ?? true,
    mentioned: m.mentioned ?? false,
    text: m.text ?? 'hello',
    attachments: [],
    receivedAt: m.receivedAt ?? Date.now(),
  });
  if (row === undefined) throw new Error('duplicate test message');
  return row;
}

export function dm(
  store: Store,
  senderId: string,
  text = 'hello',
  channel = 'telegram',
  senderName = '',
): InboundRow {
  return receive(store, { channel, senderId, text, senderName });
}

export function groupMessage(
  store: Store,
  senderId: string,
  groupKey: string,
  opts: { mentioned?: boolean; text?: string; channel?: string } = {},
): InboundRow {
  return receive(store, {
    channel: opts.channel ?? 'telegram',
    senderId,
    conversationKey: groupKey,
    isDirect: false,
    mentioned: opts.mentioned ?? true,
    text: opts.text ?? '@bot hi',
  });
}

/** The intake's access step: ask, then move the row and enqueue the reply in one transaction. */
export async function admit(store: Store, access: AccessControl, row: InboundRow): Promise<AccessDecision> {
  const decision = await access.check(row);
  store.db.transaction(() => {
    if (decision.allow) {
      store.inbound.transition(row.id, ['received'], 'queued');
      return;
    }
    if (!store.inbound.transition(row.id, ['received'], decision.hold ? 'held' : 'rejected', decision.reason))
      return;
    if (decision.reply) {
      store.deliveries.enqueue({
        channel: row.channel,
        conversationKey: row.conversationKey,
        route: row.route,
        inboundId: row.id,
        payload: { text: decision.reply },
      });
    }
  })();
  return decision;
}

/** The gateway's poll: admit every `received` row (replays after an approval land here). */
export async function pollReceived(store: Store, access: AccessControl): Promise<InboundRow[]> {
  const admitted: InboundRow[] = [];
  for (const row of store.inbound.listByState(['received'])) {
    await admit(store, access, row);
    admitted.push(row);
  }
  return admitted;
}

/** Texts the outbox holds for a conversation, oldest first. */
export function outboxTexts(store: Store, conversationKey: string): string[] {
  return store.deliveries.listForConversation(conversationKey).map((d) => d.payload.text ?? '');
}

export function stateOf(store: Store, id: number): string | undefined {
  return store.inbound.get(id)?.state;
}

/** The code in a pairing reply. */
export function codeIn(reply: string | undefined): string {
  const m = /pairing code: ([A-Z2-9]{8})/.exec(reply ?? '');
  if (!m) throw new Error(`no pairing code in: ${reply}`);
  return m[1] as string;
}

/** An unknown sender's DM goes through access; returns the pairing code the bot answered with. */
export async function requestCode(
  s: Pick<Setup, 'store' | 'pairing'>,
  sender: string,
  opts: { text?: string; channel?: string; name?: string } = {},
): Promise<{ code: string; id: number; key: string }> {
  const msg = dm(s.store, sender, opts.text ?? 'hello', opts.channel ?? 'telegram', opts.name ?? '');
  await admit(s.store, s.pairing.access, msg);
  return {
    code: codeIn(outboxTexts(s.store, msg.conversationKey).at(-1)),
    id: msg.id,
    key: msg.conversationKey,
  };
}
