// `sandgate slack manifest`: prints the Slack app manifest to paste at api.slack.com/apps ("From a
// manifest"), with the gateway's public URL as the request URL in HTTP mode (Socket Mode needs none).
// A loopback URL is printed with a warning: Slack cannot reach it.

import { slackManifest } from '../../../channels/slack/manifest.js';
import { publicUrl } from '../../config/load.js';
import type { RegisterCommands } from '../cli-env.js';

export const registerSlackCommands: RegisterCommands = (program, env) => {
  const slack = program.command('slack').description('Slack app set-up');
  slack
    .command('manifest')
    .description('print the Slack app manifest (JSON) for this gateway')
    .option('--socket', 'Socket Mode (default when slack.appToken is set)')
    .option('--http', 'HTTP mode: Slack calls <public URL>/slack/events')
    .option('--url <url>', 'public base URL Slack calls (default: publicUrl / SANDGATE_PUBLIC_URL)')
    .option('--name <name>', 'app and bot name', 'sandgate')
    .action((opts: { socket?: boolean; http?: boolean; url?: string; name: string }) => {
      const config = env.config();
      const socketMode = opts.socket === true || (opts.http !== true && Boolean(config.slack.appToken));
      const base = opts.url ?? publicUrl(config);
      if (!socketMode && /^https?:\/\/(127\.|localhost|\[::1\])/.test(base)) {
        process.stderr.write(
          `warning: ${base} is this machine only; Slack cannot reach it. Set a public HTTPS URL ` +
            '(sandgate config set publicUrl https://…, or --url), or use Socket Mode (--socket).\n',
        );
      }
      env.json(slackManifest({ socketMode, publicUrl: base, name: opts.name }));
    });
};
