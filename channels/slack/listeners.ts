// Bolt's App with the channel's listeners: DMs and mentions become Inbound for the gateway's sink;
// `/sandgate` is mapped, handed to the sink and acknowledged within Slack's 3 s — with the gateway's
// own answer as an ephemeral response when it refused the command (an unknown sender's pairing code).
// Interactivity shares the request URL and is only acknowledged: sandgate sends no buttons yet.

import { App, type webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { InboundSink } from '../channel.js';
import type { CommandMenuEntry } from '../channel-deps.js';
import type { SlackFiles } from './attachments.js';
import { boltLogger } from './bolt-logger.js';
import type { GatewayReceiver } from './bolt-receiver.js';
import { type BotIdentity, mapMessageEvent, mapSlashCommand } from './inbound-mapper.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { messageEventSchema, slashCommandSchema } from './payload-schema.js';
import type { SlashReplies } from './slash-replies.js';
import type { UserNames } from './user-names.js';

/** The acknowledgement must leave before Slack's 3 s are up; keep a margin for the network. */
const SLASH_ANSWER_BUDGET_MS = 2300;

export interface SlackAppDeps {
  token: string;
  bot: BotIdentity & { team?: string };
  receiver: GatewayReceiver;
  clientOptions: webApi.WebClientOptions;
  sink: InboundSink;
  files: SlackFiles;
  names: UserNames;
  replies: SlashReplies;
  commands: readonly CommandMenuEntry[];
  log: Logger;
}

export function buildApp(d: SlackAppDeps): App {
  // Both ids are known, so Bolt's authorize needs no auth.test of its own.
  const app = new App({
    token: d.token,
    botUserId: d.bot.userId,
    ...(d.bot.botId ? { botId: d.bot.botId } : {}),
    receiver: d.receiver,
    clientOptions: d.clientOptions,
    logger: boltLogger(d.log),
  });
  app.event('message', async ({ event, body }) => onMessage(d, body, event));
  app.event('app_mention', async ({ event, body }) => onMessage(d, body, event));
  app.command(/.*/, async ({ command, ack }) => onSlash(d, command, ack));
  app.action(/.*/, async ({ ack }) => ack());
  app.shortcut(/.*/, async ({ ack }) => ack());
  app.view(/.*/, async ({ ack }) => ack());
  return app;
}

/** Throws when the sink could not persist: the event stays unacknowledged and Slack redelivers it. */
async function onMessage(d: SlackAppDeps, body: { team_id?: string }, event: unknown): Promise<void> {
  const parsed = messageEventSchema.safeParse(event);
  if (!parsed.success) {
    d.log.warn({ issues: parsed.error.issues.length }, 'slack: unreadable event skipped');
    return;
  }
  const ev = parsed.data;
  const team = body.team_id ?? d.bot.team ?? 'T';
  const user = ev.user ?? ev.message?.user;
  const name = user && !ev.bot_id && !ev.message?.bot_id ? await d.names.lookup(user) : undefined;
  const mapped = mapMessageEvent(team, ev, d.bot, d.files, name);
  if ('skipped' in mapped) {
    d.log.debug({ reason: mapped.skipped, type: ev.type }, 'slack: event ignored');
    return;
  }
  await d.sink.receive(mapped.inbound);
}

async function onSlash(
  d: SlackAppDeps,
  command: unknown,
  ack: (response?: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const started = Date.now();
  const parsed = slashCommandSchema.safeParse(command);
  if (!parsed.success) {
    await ack(ephemeral('Sorry, I could not read that command.'));
    return;
  }
  const names = new Set(d.commands.map((c) => c.command.toLowerCase()));
  const inbound = mapSlashCommand(parsed.data, names);
  const trigger = parsed.data.trigger_id;
  d.replies.open(trigger);
  let refusal = false;
  try {
    const receipt = await d.sink.receive(inbound);
    refusal = !receipt.duplicate && receipt.refused?.replied === true;
  } catch (err) {
    await d.replies.settle(trigger, false, 0);
    d.log.warn({ err }, 'slack: slash command not accepted');
    // Slack does not redeliver slash commands: say so rather than drop it silently.
    await ack(ephemeral('Sorry, I cannot take commands right now. Please try again in a moment.'));
    return;
  }
  const text = await d.replies.settle(trigger, refusal, SLASH_ANSWER_BUDGET_MS - (Date.now() - started));
  await ack(text === undefined ? undefined : ephemeral(escapeMrkdwn(text)));
}

function ephemeral(text: string): Record<string, unknown> {
  return { response_type: 'ephemeral', text };
}
