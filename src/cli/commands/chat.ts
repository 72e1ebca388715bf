// `sandgate chat`: a terminal chat with the gateway through the local channel. Shows progress
// lines as they come, saves images and files it receives and prints their paths. `-m TEXT` sends
// one message, reads the stream from the position the POST answered until the message's
// `complete` event, prints the answer and exits (handy in scripts): no polling, no fixed waits.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { StampedEvent } from '../../../channels/local/event-log.js';
import { CliError, type RegisterCommands } from '../cli-env.js';
import { type GatewayClient, gatewayClient } from '../gateway-client.js';
import { readSse } from '../sse-reader.js';

interface ChatOptions {
  conversation: string;
  message?: string;
  file: string[];
  out: string;
  timeout: string;
}

class Printer {
  private readonly shown = new Map<string, string>();
  private saved = 0;

  constructor(private readonly outDir: string) {}

  async print(e: StampedEvent): Promise<void> {
    const ev = e.event;
    if (ev.type === 'typing' || ev.type === 'complete') return;
    if (ev.type === 'edit') {
      const before = this.shown.get(ev.messageId) ?? '';
      this.shown.set(ev.messageId, ev.text);
      const fresh =
        ev.text.startsWith('⏳') && before.startsWith('⏳')
          ? ev.text.split('\n').filter((l) => !before.split('\n').includes(l))
          : [ev.text];
      for (const line of fresh) process.stdout.write(`${line}\n`);
      return;
    }
    if (ev.text !== undefined) {
      this.shown.set(ev.messageId, ev.text);
      process.stdout.write(`${ev.text}\n`);
    }
    for (const link of ev.links ?? [])
      process.stdout.write(`🔗 ${link.label ? `${link.label}: ` : ''}${link.url}\n`);
    await mkdir(this.outDir, { recursive: true });
    for (const img of ev.images ?? []) {
      const path = join(this.outDir, `image-${e.seq}-${++this.saved}.png`);
      await writeFile(path, Buffer.from(img.pngBase64, 'base64'));
      process.stdout.write(`🖼  ${img.caption ? `${img.caption}: ` : ''}saved ${path}\n`);
    }
    for (const file of ev.files ?? []) {
      const path = join(this.outDir, `${e.seq}-${basename(file.name)}`);
      await writeFile(path, Buffer.from(file.dataBase64, 'base64'));
      process.stdout.write(`📎 ${file.name}: saved ${path}\n`);
    }
  }
}

/**
 * Prints the conversation's events after position `after` until `signal` aborts or `until` returns
 * something for an event; resolves with that (undefined when the stream ended or was aborted).
 */
async function follow<T>(
  client: GatewayClient,
  conversation: string,
  after: number,
  printer: Printer,
  signal: AbortSignal,
  until: (e: StampedEvent) => T | undefined = () => undefined,
): Promise<T | undefined> {
  const reading = new AbortController();
  const stop = () => reading.abort();
  signal.addEventListener('abort', stop, { once: true });
  const query = `conversation=${encodeURIComponent(conversation)}&after=${after}`;
  let found: T | undefined;
  let chain = Promise.resolve();
  try {
    const res = await client.api(`/local/events?${query}`, { signal: reading.signal });
    if (!res.ok || !res.body)
      throw new CliError(`cannot follow the conversation: HTTP ${res.status} ${await res.text()}`);
    await readSse(res.body, (m) => {
      if (m.event === 'ping' || !m.data || found !== undefined) return;
      const e = JSON.parse(m.data) as StampedEvent;
      chain = chain.then(() => printer.print(e));
      found = until(e);
      if (found !== undefined) reading.abort();
    });
  } catch (err) {
    if (!reading.signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  await chain;
  return found;
}

async function send(
  client: GatewayClient,
  conversation: string,
  text: string,
  files: string[],
): Promise<{ id: number; seq: number }> {
  let res: Response;
  if (files.length) {
    const form = new FormData();
    form.set('text', text);
    form.set('conversation', conversation);
    for (const f of files) form.append('file', new Blob([await readFile(f)]), basename(f));
    res = await client.api('/local/messages', { method: 'POST', body: form });
  } else {
    res = await client.api('/local/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, conversation }),
    });
  }
  const body = (await res.json()) as { id?: number; seq?: number; error?: string };
  if (!res.ok || body.id === undefined || body.seq === undefined)
    throw new CliError(`the gateway refused the message: ${body.error ?? res.status}`);
  return { id: body.id, seq: body.seq };
}

export const registerChatCommand: RegisterCommands = (program, env) => {
  program
    .command('chat')
    .description('chat with the gateway from this terminal (local channel)')
    .option('-c, --conversation <name>', 'conversation name', 'default')
    .option('-m, --message <text>', 'send one message, print the answer, exit')
    .option(
      '-f, --file <path>',
      'attach a file (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('-o, --out <dir>', 'where received images and files are saved', 'sandgate-downloads')
    .option('--timeout <seconds>', 'how long -m waits for the answer', '600')
    .action(async (opts: ChatOptions) => {
      const client = gatewayClient(env);
      if (!(await client.running())) {
        throw new CliError(
          `the gateway is not running at ${client.baseUrl}; start it with \`npm start\` in another terminal`,
        );
      }
      const printer = new Printer(resolve(opts.out));
      const stop = new AbortController();
      if (opts.message !== undefined) {
        const timeoutMs = Number(opts.timeout) * 1000;
        const sent = await send(client, opts.conversation, opts.message, opts.file);
        const state = await follow(
          client,
          opts.conversation,
          sent.seq,
          printer,
          AbortSignal.timeout(timeoutMs),
          (e) => (e.event.type === 'complete' && e.event.id === sent.id ? e.event.state : undefined),
        );
        if (state === undefined)
          throw new CliError(
            `no complete answer within ${Math.round(timeoutMs / 1000)} s (the run goes on; see \`sandgate runs list\`)`,
          );
        if (state !== 'done') process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `Connected to ${client.baseUrl} (conversation "${opts.conversation}"). Type /help; ":attach PATH [text]" sends a file; Ctrl-D quits.\n`,
      );
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: process.stdin.isTTY,
      });
      // Follows from the first message's position on, so nothing said in reply to it is missed.
      let following: Promise<unknown> | undefined;
      for await (const line of rl) {
        const text = line.trim();
        if (!text) continue;
        try {
          const attach = /^:attach\s+(\S+)\s*([\s\S]*)$/.exec(text);
          const sent = attach
            ? await send(client, opts.conversation, attach[2] ?? '', [attach[1] as string])
            : await send(client, opts.conversation, text, opts.file.splice(0));
          following ??= follow(client, opts.conversation, sent.seq, printer, stop.signal);
        } catch (err) {
          process.stderr.write(`${(err as Error).message}\n`);
        }
      }
      stop.abort();
      await following;
    });
};
