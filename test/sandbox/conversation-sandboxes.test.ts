// Conversation leases over the real local provider: reuse, single-flight creation, finding the
// sandbox again after a restart, idle stop (never mid-run), the global cap, /new, orphans, and a
// sandbox that vanished being replaced. Time is an injected clock.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConversationSandboxes, conversationLabel } from '../../src/sandbox/conversation-sandboxes.js';
import { SandboxCapacityError, SandboxGoneError } from '../../src/sandbox/errors.js';
import { localProvider, silentLog, tempHome } from './helpers.js';

describe('ConversationSandboxes', () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);
  let clock = 1_000_000;
  const leases = (over: Partial<ConstructorParameters<typeof ConversationSandboxes>[0]> = {}) =>
    new ConversationSandboxes({
      provider,
      log: silentLog,
      idleStopSec: 60,
      idleDeleteSec: 3600,
      maxLive: 10,
      now: () => clock,
      ...over,
    });
  const pool = leases();

  afterAll(async () => {
    await pool.shutdown();
    await provider.shutdown();
    cleanup();
  });

  it('gives a conversation the same sandbox every time, created once even when messages race', async () => {
    const [a1, a2] = await Promise.all([pool.acquire('telegram:1'), pool.acquire('telegram:1')]);
    expect(a1.id).toBe(a2.id);
    expect((await pool.acquire('telegram:1')).id).toBe(a1.id);
    expect((await pool.acquire('telegram:2')).id).not.toBe(a1.id);
    expect(await provider.list({ labels: { conversation: 'telegram:1' } })).toHaveLength(1);
  });

  it("finds the conversation's sandbox again after a gateway restart, files intact", async () => {
    const box = await pool.acquire('slack:T1:C1');
    await box.writeFile('state.txt', 'remember me');
    const restarted = new ConversationSandboxes({
      provider: localProvider(home),
      log: silentLog,
      idleStopSec: 60,
      maxLive: 10,
    });
    const again = await restarted.acquire('slack:T1:C1');
    expect(again.id).toBe(box.id);
    expect((await again.readFile('state.txt')).toString()).toBe('remember me');
    await restarted.shutdown();
  });

  it('stops idle sandboxes but never one that is running something', async () => {
    const idle = await pool.acquire('idle');
    const busy = await pool.acquire('busy');
    await idle.exec('true');
    const running = busy.exec('sleep 2; echo done');
    clock += 61_000;
    const { stopped } = await pool.gc();
    expect(stopped).toContain(idle.id);
    expect(stopped).not.toContain(busy.id);
    expect((await running).stdout).toBe('done\n');
    const state = (id: string) => pool.list().find((l) => l.sandboxId === id)?.state;
    expect(state(idle.id)).toBe('stopped');
    expect((await provider.list()).find((s) => s.id === idle.id)?.state).toBe('stopped');
    expect((await (await pool.acquire('idle')).exec('echo back')).stdout).toBe('back\n');
    expect(state(idle.id)).toBe('running');
  });

  it('keeps under the cap by stopping the least recently used idle sandbox, and refuses when all are busy', async () => {
    const small = leases({ maxLive: 2 });
    const x = await small.acquire('cap-x');
    clock += 1;
    const y = await small.acquire('cap-y');
    clock += 1;
    await small.acquire('cap-z');
    const states = Object.fromEntries(small.list().map((l) => [l.conversationKey, l.state]));
    expect(states).toEqual({ 'cap-x': 'stopped', 'cap-y': 'running', 'cap-z': 'running' });
    const z = await small.acquire('cap-z');
    // Stopping the sandboxes below ends these; they may resolve (killed) or reject (stopped early).
    const hold = [y.exec('sleep 30'), z.exec('sleep 30')].map((p) => p.catch(() => undefined));
    await expect(small.acquire('cap-x')).rejects.toBeInstanceOf(SandboxCapacityError);
    await Promise.all([(await provider.get(y.id))!.stop(), (await provider.get(z.id))!.stop()]);
    await Promise.all(hold);
    expect((await small.acquire('cap-x')).id).toBe(x.id);
    await small.shutdown();
  });

  it('deletes the sandbox on /new and starts the next message with a fresh one', async () => {
    const old = await pool.acquire('renew');
    await old.writeFile('x.txt', 'old');
    await pool.discard('renew');
    expect(await provider.get(old.id)).toBeUndefined();
    const fresh = await pool.acquire('renew');
    expect(fresh.id).not.toBe(old.id);
    await expect(fresh.readFile('x.txt')).rejects.toThrow();
  });

  it('replaces a sandbox deleted from outside on the next acquire', async () => {
    const box = await pool.acquire('vanish');
    rmSync(join(home, 'sandboxes', `${box.id}.json`));
    await expect(box.exec('true')).rejects.toBeInstanceOf(SandboxGoneError);
    const next = await pool.acquire('vanish');
    expect(next.id).not.toBe(box.id);
    expect((await next.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('cleans up orphans: stops running ones nobody leases, deletes long-idle ones', async () => {
    const orphan = await provider.create({ labels: { sandgate: '1', conversation: 'ghost' } });
    await orphan.exec('true');
    const { stopped } = await leases({ idleStopSec: 0 }).gc();
    expect(stopped).toContain(orphan.id);
    clock = Date.now() + 7200_000;
    const { deleted } = await leases().gc();
    expect(deleted).toContain(orphan.id);
    expect(await provider.get(orphan.id)).toBeUndefined();
  });

  it('keeps odd conversation keys usable as labels', () => {
    expect(conversationLabel('telegram:123')).toBe('telegram:123');
    expect(conversationLabel('whatsapp:123@s.whatsapp.net')).toBe('whatsapp:123@s.whatsapp.net');
    expect(conversationLabel('slack thread/with spaces')).toMatch(/^h-[0-9a-f]{32}$/);
  });
});
