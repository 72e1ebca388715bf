import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('the logger', () => {
  it('never writes a configured secret, wherever it appears', () => {
    const token = '123456:AAsecret-telegram-token-value';
    const { lines, destination } = capture();
    const log = createLogger({ level: 'debug', secrets: [token], destination });
    log.info(`connecting with ${token}`);
    log.warn({ url: `https://api.telegram.org/bot${token}/getMe` }, 'request');
    log.error({ err: new Error(`401 for ${token}`) }, 'failed');
    log.debug({ nested: { deeper: [token] } }, 'deep');
    const out = lines.join('');
    expect(out).not.toContain(token);
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('redacts fields named like secrets even when the value is not known', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    log.info(
      { apiKey: 'k-1', botToken: 't-1', password: 'p-1', authorization: 'Bearer x', user: 'ada' },
      'fields',
    );
    const out = JSON.parse(lines[0] as string);
    expect(out).toMatchObject({
      apiKey: '[redacted]',
      botToken: '[redacted]',
      password: '[redacted]',
      authorization: '[redacted]',
      user: 'ada',
    });
  });
});
