// Chat commands (`/sh`, `/new`, `/approve` …): the one shape every command has, the context its
// handler gets, the reply it returns, and the registry /help and the channels' menus are read from.
// Sandbox, pairing and agent commands are registered by their owners; nothing here names one.

import type { Logger } from 'pino';
import type { Progress, ToolCallRecorder } from '../../agents/agent.js';
import type { RunUsage } from '../model/types.js';
import type { Sandbox } from '../sandbox/provider.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';
import type { LanePool } from './lane-queue.js';

export interface CommandReply {
  text?: string;
  images?: { png: Buffer; caption?: string }[];
  files?: { name: string; data: Buffer }[];
  links?: { url: string; label?: string }[];
  /** Model usage of an agent run, recorded with the run. */
  usage?: RunUsage;
  /** A lane command that saw /cancel says what it stopped; the cancelled run's reply names it. */
  cancelled?: string;
}

export interface CommandContext {
  msg: InboundRow;
  /** Everything after the command name, trimmed. */
  args: string;
  /** Set for lane commands (they are recorded runs); immediate commands have none. */
  runId?: number;
  signal: AbortSignal;
  log: Logger;
  emit(progress: Progress): void;
  /** Keeps an agent's tool calls for the run page (lane runs only). */
  recordToolCall?: ToolCallRecorder | undefined;
  /** The conversation's sandbox, leased on first use. */
  sandbox(): Promise<Sandbox>;
}

export interface Command {
  /** Without the slash; Telegram's rule for bot commands: 1–32 of a-z, 0-9 and `_`. */
  name: string;
  /** One line for /help and the channels' command menus. */
  summary: string;
  /** After the slash in /help (`sh CMD`); default: the name. */
  usage?: string;
  /**
   * `lane`: runs in the conversation's lane, one at a time, as a recorded run (/sh, /code).
   * `immediate`: answered at once, even while a run is busy (/cancel, /status, /approve).
   */
  mode: 'lane' | 'immediate';
  /**
   * Lane commands: which concurrency pool they wait for. `commands` for sandbox work bounded by the
   * exec timeout (/sh, /py, /files), so long agent runs never hold it up; default `runs`.
   */
  pool?: LanePool;
  /** Hidden commands work but are not listed in /help (e.g. owner-only). */
  hidden?: boolean;
  /**
   * Needs the channel owner's rights (/approve). Never run from a message that was held for a
   * pairing approval: such a message is judged by the rights its sender had when it was sent.
   */
  ownerOnly?: boolean;
  run(ctx: CommandContext): Promise<CommandReply | undefined>;
}

export interface ParsedCommand {
  name: string;
  args: string;
}

/** `/sh@my_bot ls -la` → { name: 'sh', args: 'ls -la' }; plain text → undefined. */
export function parseCommand(text: string): ParsedCommand | undefined {
  const m = /^\/([A-Za-z][\w-]{0,31})(?:@[\w]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  return { name: (m[1] as string).toLowerCase(), args: (m[2] ?? '').trim() };
}

/** Telegram Bot API, BotCommand.command: "1-32 characters … only lowercase English letters, digits and underscores". */
const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;

export class CommandRegistry {
  private readonly commands = new Map<string, Command>();

  /** Throws on a name registered twice or one a channel's command menu would refuse. */
  register(command: Command): this {
    if (!COMMAND_NAME.test(command.name))
      throw new Error(`command name "${command.name}" must be 1-32 of a-z, 0-9 and _`);
    if (this.commands.has(command.name)) throw new Error(`command /${command.name} registered twice`);
    this.commands.set(command.name, command);
    return this;
  }

  get(name: string): Command | undefined {
    return this.commands.get(name);
  }

  list(): Command[] {
    return [...this.commands.values()].filter((c) => !c.hidden);
  }

  helpText(): string {
    const lines = this.list().map((c) => `/${c.usage ?? c.name} — ${c.summary}`);
    return `Commands:\n${lines.join('\n')}\nPlain text goes to the conversation's current agent.`;
  }
}
