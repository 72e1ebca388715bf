// The command menu is published once per distinct list: restarts with the same commands cost no
// setMyCommands call; a changed list is published again; a failure does not stop the channel.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../../fakes/telegram/fake-telegram.js';
import { COMMANDS, MemoryKv, makeChannel } from './helpers.js';

let fake: FakeTelegram;
beforeEach(async () => {
  fake = await FakeTelegram.start();
});
afterEach(async () => {
  await fake.close();
});

async function startAndStop(kv: MemoryKv, commands = COMMANDS) {
  const c = makeChannel(fake, { kv, commands });
  await c.start();
  const status = c.channel.status();
  await c.stop();
  return status;
}

describe('telegram command menu', () => {
  it('calls setMyCommands once for the same list across two starts, again when it changes', async () => {
    const kv = new MemoryKv();
    await startAndStop(kv);
    await startAndStop(kv);
    expect(fake.callsOf('setMyCommands')).toHaveLength(1);
    expect(fake.state.commands).toEqual(COMMANDS);
    await startAndStop(kv, [...COMMANDS, { command: '/new', description: 'Start over' }]);
    expect(fake.callsOf('setMyCommands')).toHaveLength(2);
    expect(fake.state.commands.at(-1)).toEqual({ command: 'new', description: 'Start over' });
  });

  it('connects even when setMyCommands fails, and tries again on the next start', async () => {
    const kv = new MemoryKv();
    fake.failNext('setMyCommands', { kind: '5xx' });
    expect((await startAndStop(kv)).state).toBe('connected');
    await startAndStop(kv);
    expect(fake.callsOf('setMyCommands').map((c) => c.status)).toEqual([502, 200]);
  });
});
