// `sandgate chat`: a terminal chat with the gateway through the local channel. Shows progress
// lines as they come, saves images and files it receives and prints their paths. `-m TEXT` sends
// one message, prints the answer and exits (handy in scripts).

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
    if (ev.type === 'typing') return;
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

async function follow(
  client: GatewayClient,
  conversation: string,
  printer: Printer,
  signal: AbortSignal,
): Promise<void> {
  const res = await client.api(`/local/events?conversation=${encodeURIComponent(conversation)}&live=1`, {
    signal,
  });
  if (!res.ok || !res.body)
    throw new CliError(`cannot follow the conversation: HTTP ${res.status} ${await res.text()}`);
  let chain = Promise.resolve();
  await readSse(res.body, (m) => {
    if (m.event === 'ping' || !m.data) return;
    const e = JSON.parse(m.data) as StampedEvent;
    chain = chain.then(() => printer.print(e));
  }).catch((err) => {
    if (!signal.aborted) throw err;
  });
  await chain;
}

async function send(
  client: GatewayClient,
  conversation: string,
  text: string,
  files: string[],
): Promise<number> {
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
  const body = (await res.json()) as { id?: number; error?: string };
  if (!res.ok || body.id === undefined)
    throw new CliError(`the gateway refused the message: ${body.error ?? res.status}`);
  return body.id;
}

async function waitComplete(client: GatewayClient, id: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await client.api(`/local/messages/${id}`);
    const body = (await res.json()) as { state: string; complete: boolean };
    if (body.complete) return body.state;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new CliError(
    `no complete answer within ${Math.round(timeoutMs / 1000)} s (the run goes on; see \`sandgate runs list\`)`,
  );
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
      const following = follow(client, opts.conversation, printer, stop.signal);
      await new Promise((r) => setTimeout(r, 100)); // let the stream attach before the first message
      if (opts.message !== undefined) {
        const id = await send(client, opts.conversation, opts.message, opts.file);
        const state = await waitComplete(client, id, Number(opts.timeout) * 1000);
        await new Promise((r) => setTimeout(r, 300)); // the last events are already on their way
        stop.abort();
        await following;
        if (!['done'].includes(state)) process.exitCode = 1;
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
      for await (const line of rl) {
        const text = line.trim();
        if (!text) continue;
        try {
          const attach = /^:attach\s+(\S+)\s*([\s\S]*)$/.exec(text);
          if (attach) await send(client, opts.conversation, attach[2] ?? '', [attach[1] as string]);
          else await send(client, opts.conversation, text, opts.file.splice(0));
        } catch (err) {
          process.stderr.write(`${(err as Error).message}\n`);
        }
      }
      stop.abort();
      await following;
    });
};
