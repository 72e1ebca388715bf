// /cancel says what it stops and stops all of it: the running /sh and every process it started
// (setsid ones too), through the real pipeline and a real local sandbox.

import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { CommandRegistry } from '../../src/gateway/commands.js';
import { createConversationSandboxes, createSandboxCommandsFromConfig } from '../../src/sandbox/factory.js';
import { RecordingChannel } from '../helpers/recording-channel.js';
import { tempHome } from '../helpers/temp-home.js';
import { testGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { localProvider, silentLog } from '../sandbox/helpers.js';

function hostProcesses(marker: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker)) n++;
    } catch {
      // gone
    }
  }
  return n;
}

describe('/cancel', () => {
  const home = tempHome();
  const provider = localProvider(home.home);
  const config = validateConfig({}, home.home);
  const leases = createConversationSandboxes(config, provider, silentLog, { gcIntervalMs: 0 });
  const commands = new CommandRegistry();
  for (const c of Object.values(createSandboxCommandsFromConfig(config))) commands.register(c);
  const channel = new RecordingChannel();
  const { gateway, store } = testGateway(home.home, {
    channels: [channel],
    commands,
    sandboxes: leases,
    access: { check: () => ({ allow: true }) },
  });

  afterAll(async () => {
    await gateway.stop(5000);
    await leases.shutdown();
    await provider.shutdown();
    store.db.close();
    home.cleanup();
  });

  it('names the run it stops, then reports the processes that went with it', async () => {
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: '/sh setsid sleep 411 & sleep 412 & wait' }));
    await waitFor(() => hostProcesses('sleep 412') > 0, 'the command to run', 60_000);
    await channel.sink!.receive(channel.inbound({ text: '/cancel' }));
    await waitFor(
      () => channel.texts().some((t) => t.startsWith('Cancelled:')),
      'the cancelled reply',
      30_000,
    );
    const texts = channel.texts();
    expect(texts.find((t) => t.startsWith('Cancelling'))).toMatch(
      /^Cancelling the current run \(#\d+: \/sh setsid sleep 411 & sleep 412 & wait, running \d+ s\)\.$/,
    );
    expect(texts.find((t) => t.startsWith('Cancelled:'))).toBe(
      'Cancelled: stopped `setsid sleep 411 & sleep 412 & wait` and 2 processes it started.',
    );
    expect(hostProcesses('sleep 41')).toBe(0);
    expect(store.runs.list()[0]?.state).toBe('cancelled');
  });
});
