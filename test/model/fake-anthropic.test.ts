// The Messages API fake itself: the real SDK can talk to it without streaming too, and it refuses
// the protocol mistakes a client could make (so the other tests' "no problems" means something).

import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAnthropic, reply, startFakeAnthropic, text, toolUse } from '../fakes/anthropic/server.js';

let fake: FakeAnthropic;
let sdk: Anthropic;

beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKey: 'k-1', model: 'claude-sonnet-5' });
  sdk = new Anthropic({ apiKey: 'k-1', baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
});
afterEach(async () => {
  await fake.close();
});

const base = { model: 'claude-sonnet-5', max_tokens: 100 };

describe('fake Messages API', () => {
  it('answers non-streaming requests with a complete message', async () => {
    fake.push(reply(text('hi'), toolUse('Read', { file_path: 'a' }, 'toolu_x')));
    const msg = await sdk.messages.create({ ...base, messages: [{ role: 'user', content: 'hello' }] });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'tool_use', id: 'toolu_x', name: 'Read', input: { file_path: 'a' } },
    ]);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(fake.requests[0]?.stream).toBe(false);
  });

  it('refuses broken role alternation and unmatched tool results', async () => {
    await expect(
      sdk.messages.create({
        ...base,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'X', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't2', content: 'r' }] },
          { role: 'user', content: 'again' },
        ],
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(fake.problems).toEqual([
      'messages 2 and 3 have the same role',
      'tool_result t2 in message 2 matches no tool_use',
      'tool_use t1 has no tool_result in message 2',
    ]);
  });

  it('refuses a wrong key, a wrong model and a missing max_tokens', async () => {
    const wrong = new Anthropic({ apiKey: 'nope', baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
    await expect(
      wrong.messages.create({ ...base, messages: [{ role: 'user', content: 'a' }] }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      sdk.messages.create({
        ...base,
        model: 'claude-other',
        max_tokens: 0,
        messages: [{ role: 'user', content: 'a' }],
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(fake.problems).toEqual([
      'wrong x-api-key',
      'model claude-other, expected claude-sonnet-5',
      'max_tokens must be a positive integer',
    ]);
  });
});
