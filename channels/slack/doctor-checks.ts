// What `sandgate doctor` says about Slack: the tokens' shapes, the mode, and whether Slack accepts the
// bot token — from the running gateway's channel status (its auth.test at start), or, with no gateway
// running, from one auth.test call made here. Never prints a token.

import { webApi } from '@slack/bolt';
import type { Config } from '../../src/config/schema.js';
import type { ChannelStatus } from '../channel.js';
import { classify } from './errors.js';
import { checkTokenShapes } from './token-shapes.js';

export interface DoctorCheck {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** `gatewayStatus`: the running gateway's Slack status, or undefined when no gateway answers. */
export async function slackDoctorChecks(
  config: Config,
  gatewayStatus: () => Promise<ChannelStatus | undefined>,
): Promise<DoctorCheck[]> {
  const cfg = config.slack;
  if (!cfg.botToken) return [];
  const checks: DoctorCheck[] = [];
  const problems = checkTokenShapes(cfg);
  for (const p of problems) {
    checks.push({
      name: 'slack tokens',
      level: 'fail',
      detail: p,
      fix: 'copy it again from api.slack.com/apps',
    });
  }
  const mode = cfg.appToken ? 'Socket Mode' : 'HTTP mode (POST /slack/events)';
  if (problems.length === 0)
    checks.push({ name: 'slack tokens', level: 'ok', detail: `shapes look right; ${mode}` });
  if (!cfg.appToken && !config.publicUrl) {
    checks.push({
      name: 'slack request url',
      level: 'warn',
      detail: 'HTTP mode but no publicUrl: Slack needs a public HTTPS URL to reach /slack/events',
      fix: 'sandgate config set publicUrl https://… (then `sandgate slack manifest`), or use Socket Mode',
    });
  }
  const running = await gatewayStatus().catch(() => undefined);
  if (running) {
    const ok = running.state === 'connected';
    checks.push({
      name: 'slack auth',
      level: ok ? 'ok' : 'fail',
      detail: ok
        ? `the gateway is connected as ${running.identity ?? 'the bot'} (${running.detail ?? mode})`
        : `the gateway's Slack channel is ${running.state}: ${running.detail ?? running.lastError?.message ?? ''}`,
    });
    return checks;
  }
  try {
    const client = new webApi.WebClient(cfg.botToken, {
      slackApiUrl: cfg.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 10_000,
      logLevel: webApi.LogLevel.ERROR,
    });
    const me = await client.auth.test();
    checks.push({
      name: 'slack auth',
      level: 'ok',
      detail: `auth.test: @${me.user ?? '?'} in ${me.team ?? '?'}`,
    });
  } catch (err) {
    const f = classify(err);
    checks.push({
      name: 'slack auth',
      level: 'fail',
      detail: `auth.test failed: ${f.message}`,
      fix:
        f.kind === 'unauthorized'
          ? 'the bot token was refused: reinstall the app and copy the Bot User OAuth Token'
          : `check that ${cfg.apiUrl} is reachable`,
    });
  }
  return checks;
}
