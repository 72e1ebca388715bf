// --telegram-webhook: Telegram cannot send Daytona's preview token, so the gateway sandbox becomes
// public (a fixed setting: the sandbox is replaced) and the gateway is started with its webhook at
// the sandbox's preview URL. The app deployed is the small stand-in package of the helpers.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployOptions, deployDaytona } from '../../deploy/daytona/deploy.js';
import { type FakeDaytona, startFakeDaytona } from '../fakes/daytona/server.js';
import { tempHome } from '../helpers/temp-home.js';
import { deployConfig, freePreviewPort, recordProgress, sdkFor, standInApp } from './helpers.js';

describe('deploy daytona --telegram-webhook', () => {
  let fake: FakeDaytona;
  const local = tempHome('sandgate-deploy-webhook-');
  const app = standInApp({ gateway: 'serve' });
  let opts: DeployOptions;

  const deploy = (telegramWebhook: boolean) => {
    const progress = recordProgress();
    const config = deployConfig(fake, local.home, { telegram: { botToken: '123456:telegram-secret-token' } });
    return deployDaytona(
      {
        client: sdkFor(fake),
        config,
        appRoot: app,
        progress,
        install: 'true',
        pollMs: 20,
        health: { pollMs: 50 },
      },
      { ...opts, telegramWebhook },
    ).then((result) => ({ result, progress }));
  };

  beforeAll(async () => {
    fake = await startFakeDaytona();
    opts = { port: await freePreviewPort(), expiresSec: 3600, telegramWebhook: false, skipBuild: true };
  });
  afterAll(async () => {
    await fake.close();
    local.cleanup();
  });

  it('makes the sandbox public and starts the gateway with its webhook at the preview URL', async () => {
    const first = await deploy(false);
    expect(first.result.how).toBe('created');
    const { result, progress } = await deploy(true);
    expect(result.how).toBe('replaced');
    expect(progress.detail('sandbox')).toContain('public access');

    const sb = await sdkFor(fake).get('sandgate-gateway');
    expect(sb.public).toBe(true);
    const preview = (await sb.getPreviewLink(opts.port)).url;
    // Public: Telegram (or anyone) reaches it without Daytona's token; the gateway checks Telegram's secret.
    expect((await fetch(`${preview}/healthz`)).status).toBe(200);
    const box = fake.sandboxes.get(sb.id)!.box;
    const started = [...box.sessions.get('sandgate-gateway')!.values()].at(-1)!.command;
    const script = Buffer.from(/echo (\S+) \| base64 -d/.exec(started)![1]!, 'base64').toString();
    expect(script).toContain(`TELEGRAM_WEBHOOK_URL='${preview}/webhooks/telegram'`);
    expect(script).toContain(`SANDGATE_PUBLIC_URL='${preview}'`);
    // The bot token is a secret: in the sandbox env, never on the command line.
    expect(box.env.TELEGRAM_BOT_TOKEN).toBe('123456:telegram-secret-token');
    expect(script).not.toContain('telegram-secret-token');
  }, 60_000);
});
