// Which environment the deployed gateway gets. The secrets and connection settings configured on
// this machine go into the gateway sandbox's env (Daytona's CreateSandbox `env`) and nowhere else:
// not into its child sandboxes, not onto a command line. What depends on the sandbox (its URL,
// paths, port) goes on the start command instead. Throws DeployUsageError without a Daytona key.

import { ENV_TO_KEY, SECRET_KEYS } from '../../src/config/env-map.js';
import { getPath } from '../../src/config/key-path.js';
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { DeployUsageError, type SandboxLayout } from './layout.js';

/** Decided per deployment by the deploy itself, never copied from this machine's settings. */
const PER_DEPLOYMENT = new Set([
  'SANDGATE_PORT',
  'SANDGATE_BIND',
  'SANDGATE_PUBLIC_URL',
  'SANDGATE_SANDBOX',
  'TELEGRAM_WEBHOOK_URL',
]);

/** Every name the deploy may put in the sandbox env; a change among these means a new sandbox. */
export const MANAGED_ENV_NAMES: readonly string[] = Object.keys(ENV_TO_KEY);

/**
 * The gateway sandbox's env: every DESIGN §6 variable that is configured here (secrets always,
 * other settings when they differ from the default), plus SANDGATE_SANDBOX=daytona so the deployed
 * gateway's child sandboxes are Daytona sandboxes (created with their own, secret-free env).
 */
export function gatewaySandboxEnv(config: Config): Record<string, string> {
  const defaults = validateConfig({}, config.home);
  const env: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV_TO_KEY)) {
    if (PER_DEPLOYMENT.has(name)) continue;
    const value = getPath(config, key);
    if (value === undefined || value === null) continue;
    if (!SECRET_KEYS.has(key) && value === getPath(defaults, key)) continue;
    env[name] = String(value);
  }
  if (!env.DAYTONA_API_KEY)
    throw new DeployUsageError(
      'no Daytona API key: set DAYTONA_API_KEY (or `sandgate config set daytona.apiKey …`); the deployed gateway needs it too, for its child sandboxes',
    );
  env.SANDGATE_SANDBOX = 'daytona';
  return env;
}

/** Non-secret settings for the gateway process, derived from where it runs. */
export function gatewayStartEnv(o: {
  layout: SandboxLayout;
  port: number;
  /** The sandbox's standard preview URL for the port: stable for the sandbox's life. */
  publicUrl: string;
  telegramWebhook: boolean;
}): Record<string, string> {
  const env: Record<string, string> = {
    SANDGATE_HOME: o.layout.state,
    SANDGATE_PORT: String(o.port),
    // Daytona's preview proxy reaches the sandbox over its network interface, not loopback.
    SANDGATE_BIND: '0.0.0.0',
    SANDGATE_PUBLIC_URL: o.publicUrl,
    NODE_ENV: 'production',
  };
  if (o.telegramWebhook) env.TELEGRAM_WEBHOOK_URL = `${o.publicUrl.replace(/\/+$/, '')}/webhooks/telegram`;
  return env;
}

/** Whether the sandbox's env differs from the wanted one in any name the deploy manages. */
export function envChanged(
  actual: Record<string, string> | undefined,
  wanted: Record<string, string>,
): boolean {
  const have = actual ?? {};
  return MANAGED_ENV_NAMES.some((name) => (have[name] ?? undefined) !== (wanted[name] ?? undefined));
}
