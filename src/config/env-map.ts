// Which environment variable sets which config key (DESIGN §6). Env beats the config file,
// so a deployment can override anything without editing files.

export const ENV_TO_KEY: Record<string, string> = {
  SANDGATE_PORT: 'port',
  SANDGATE_BIND: 'bind',
  SANDGATE_PUBLIC_URL: 'publicUrl',
  SANDGATE_GATEWAY_TOKEN: 'gatewayToken',
  LOG_LEVEL: 'log.level',
  TELEGRAM_BOT_TOKEN: 'telegram.botToken',
  TELEGRAM_API_ROOT: 'telegram.apiRoot',
  TELEGRAM_WEBHOOK_URL: 'telegram.webhookUrl',
  TELEGRAM_WEBHOOK_SECRET: 'telegram.webhookSecret',
  SLACK_BOT_TOKEN: 'slack.botToken',
  SLACK_SIGNING_SECRET: 'slack.signingSecret',
  SLACK_APP_TOKEN: 'slack.appToken',
  SLACK_API_URL: 'slack.apiUrl',
  WHATSAPP_ENABLED: 'whatsapp.enabled',
  ANTHROPIC_API_KEY: 'anthropic.apiKey',
  ANTHROPIC_BASE_URL: 'anthropic.baseUrl',
  SANDGATE_MODEL: 'anthropic.model',
  SANDGATE_CLAUDE_BIN: 'agents.claude.bin',
  SANDGATE_SANDBOX: 'sandbox.provider',
  DAYTONA_API_KEY: 'daytona.apiKey',
  DAYTONA_API_URL: 'daytona.apiUrl',
  DAYTONA_TARGET: 'daytona.target',
};

/** Keys whose values are secrets: redacted in logs and masked by `config get`. */
export const SECRET_KEYS = new Set([
  'gatewayToken',
  'telegram.botToken',
  'telegram.webhookSecret',
  'slack.botToken',
  'slack.signingSecret',
  'slack.appToken',
  'anthropic.apiKey',
  'daytona.apiKey',
]);

export function envNameFor(key: string): string | undefined {
  return Object.entries(ENV_TO_KEY).find(([, k]) => k === key)?.[0];
}
