// `sandgate doctor` checks the Slack settings' shapes before anything talks to Slack: a bot token is
// `xoxb-…`, an app-level token `xapp-…`, a signing secret 32 hex characters (Slack's formats); a
// user token (`xoxp-`) where a bot token belongs is the most common paste mistake.

export interface SlackSettings {
  botToken?: string | undefined;
  signingSecret?: string | undefined;
  appToken?: string | undefined;
}

/** Problems found, one sentence each; empty when the settings look right. */
export function checkTokenShapes(s: SlackSettings): string[] {
  const problems: string[] = [];
  if (!s.botToken) return problems;
  if (s.botToken.startsWith('xoxp-')) {
    problems.push('slack.botToken is a user token (xoxp-); use the Bot User OAuth Token (xoxb-)');
  } else if (!/^xoxb-[A-Za-z0-9-]+$/.test(s.botToken)) {
    problems.push('slack.botToken does not look like a bot token (xoxb-…)');
  }
  if (s.appToken !== undefined && !/^xapp-[A-Za-z0-9-]+$/.test(s.appToken)) {
    problems.push('slack.appToken does not look like an app-level token (xapp-…)');
  }
  if (s.signingSecret !== undefined && !/^[0-9a-f]{32}$/i.test(s.signingSecret)) {
    problems.push('slack.signingSecret does not look like a signing secret (32 hex characters)');
  }
  if (!s.appToken && !s.signingSecret) {
    problems.push('set slack.signingSecret (HTTP mode) or slack.appToken (Socket Mode)');
  }
  return problems;
}
