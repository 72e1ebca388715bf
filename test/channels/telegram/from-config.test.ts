// Wiring from the config section: no token, no channel; a webhook URL without a configured secret
// gets a generated one that survives restarts (Telegram must keep sending the same one).

import { describe, expect, it } from 'vitest';
import { telegramChannelFromConfig } from '../../../channels/telegram/index.js';
import { configSchema } from '../../../src/config/schema.js';
import { COMMANDS, MemoryKv, silentLog } from './helpers.js';

const deps = (kv: MemoryKv) => ({ kv, log: silentLog, commands: COMMANDS });

describe('telegramChannelFromConfig', () => {
  it('builds nothing without a bot token', () => {
    const cfg = configSchema.parse({}).telegram;
    expect(telegramChannelFromConfig(cfg, deps(new MemoryKv()))).toBeUndefined();
  });

  it('generates and keeps a webhook secret, and serves the path of the webhook URL', () => {
    const kv = new MemoryKv();
    const cfg = configSchema.parse({
      telegram: { botToken: '1:abc', webhookUrl: 'https://bot.example.com/tg/hook' },
    }).telegram;
    const first = telegramChannelFromConfig(cfg, deps(kv));
    const secret = kv.get('webhook-secret');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(first?.routes()[0]?.path).toBe('/tg/hook');
    telegramChannelFromConfig(cfg, deps(kv));
    expect(kv.get('webhook-secret')).toBe(secret);
  });

  it('uses webhookPath when the proxy rewrites the path, and long polling without a webhook URL', () => {
    const kv = new MemoryKv();
    const withPath = configSchema.parse({
      telegram: {
        botToken: '1:abc',
        webhookUrl: 'https://x.example.com/a',
        webhookSecret: 's',
        webhookPath: '/b',
      },
    }).telegram;
    expect(telegramChannelFromConfig(withPath, deps(kv))?.routes()[0]?.path).toBe('/b');
    expect(kv.get('webhook-secret')).toBeUndefined();
    const polling = configSchema.parse({ telegram: { botToken: '1:abc' } }).telegram;
    const ch = telegramChannelFromConfig(polling, deps(kv));
    expect(ch?.routes()[0]).toBeUndefined();
    expect(ch?.limits.textMax).toBe(4096);
    expect(ch?.status().state).toBe('stopped');
  });
});
