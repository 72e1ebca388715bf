// The Slack parts of the CLI, run as the real `sandgate` executable: the app manifest (HTTP mode with
// the public URL, Socket Mode without request URLs), and doctor's Slack checks (token shapes, and
// auth.test against the Slack fake when no gateway runs).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { cli } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';

interface Manifest {
  features: { slash_commands: { command: string; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { request_url?: string };
    socket_mode_enabled: boolean;
  };
}

interface Check {
  name: string;
  level: string;
  detail: string;
}

// Each CLI run starts a Node process (and doctor probes the sandbox): generous limits on a busy machine.
describe('sandgate slack manifest and doctor', { timeout: 120_000 }, () => {
  const home = tempHome();
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await FakeSlack.start();
  });
  afterAll(async () => {
    await fake.close();
    home.cleanup();
  });

  it('prints an HTTP-mode manifest whose every request URL is <public URL>/slack/events', async () => {
    const res = await cli(home.home, ['slack', 'manifest'], {
      SANDGATE_PUBLIC_URL: 'https://gw.example.com',
    });
    expect(res.code, res.stderr).toBe(0);
    const m = JSON.parse(res.stdout) as Manifest;
    const url = 'https://gw.example.com/slack/events';
    expect(m.features.slash_commands).toEqual([expect.objectContaining({ command: '/sandgate', url })]);
    expect(m.settings.event_subscriptions).toEqual({
      request_url: url,
      bot_events: ['app_mention', 'message.im'],
    });
    expect(m.settings.interactivity.request_url).toBe(url);
    expect(m.settings.socket_mode_enabled).toBe(false);
    expect(m.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'app_mentions:read',
        'chat:write',
        'commands',
        'files:read',
        'files:write',
        'im:history',
      ]),
    );
  });

  it('prints a Socket Mode manifest without request URLs when an app token is configured', async () => {
    const res = await cli(home.home, ['slack', 'manifest'], { SLACK_APP_TOKEN: fake.appToken });
    const m = JSON.parse(res.stdout) as Manifest;
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.settings.event_subscriptions.request_url).toBeUndefined();
    expect(m.features.slash_commands[0]?.url).toBeUndefined();
  });

  it('checks the token shapes and, with no gateway running, auth.test against SLACK_API_URL', async () => {
    const good = await cli(home.home, ['doctor', '--json'], {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
    });
    const checks = JSON.parse(good.stdout) as Check[];
    expect(checks.find((c) => c.name === 'slack tokens')).toMatchObject({ level: 'ok' });
    expect(checks.find((c) => c.name === 'slack auth')).toMatchObject({ level: 'ok', detail: /@sandgate/ });
    expect(fake.callsOf('auth.test').at(-1)?.token).toBe(fake.botToken);

    const bad = await cli(home.home, ['doctor', '--json'], {
      SLACK_BOT_TOKEN: 'xoxp-1234-user-token',
      SLACK_SIGNING_SECRET: 'not-a-secret',
      SLACK_API_URL: fake.apiUrl,
    });
    expect(bad.code).toBe(1);
    const badChecks = JSON.parse(bad.stdout) as Check[];
    const details = badChecks.filter((c) => c.name === 'slack tokens').map((c) => c.detail);
    expect(details.join('\n')).toMatch(/user token \(xoxp-\)/);
    expect(details.join('\n')).toMatch(/signing secret/);
    expect(badChecks.find((c) => c.name === 'slack auth')).toMatchObject({
      level: 'fail',
      detail: /invalid_auth/,
    });
    expect(JSON.stringify(badChecks)).not.toContain('xoxp-1234-user-token');
  });
});
