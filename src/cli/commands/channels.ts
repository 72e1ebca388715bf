// `sandgate channels status`: each channel's state and last error, from the running gateway
// (or, when it is not running, which channels the configuration would start). Which channels exist
// comes from channels/registry.ts, the table the gateway builds them from. `channels login` links WhatsApp.

import type { ChannelStatus } from '../../../channels/channel.js';
import { configuredChannelIds } from '../../../channels/registry.js';
import type { RegisterCommands } from '../cli-env.js';
import { gatewayClient } from '../gateway-client.js';
import { loginCommand } from './channel-login.js';

interface StatusBody {
  channels: { id: string; status: ChannelStatus }[];
  queueDepth: number;
  activeRuns: number;
}

/** One channel as `--json` shows it: flat, `{"id", "state", "detail"?, …}` (DESIGN §9.2). */
type ChannelLine = { id: string } & ChannelStatus;

export const registerChannelsCommands: RegisterCommands = (program, env) => {
  const channels = program.command('channels').description('channel status, and linking WhatsApp');
  channels
    .command('status')
    .option('--json', 'machine-readable output')
    .description('state of each configured channel (live, when the gateway runs)')
    .action(async (opts: { json?: boolean }) => {
      const client = gatewayClient(env);
      if (!(await client.running())) {
        const configured = configuredChannelIds(env.config());
        const lines: ChannelLine[] = configured.map((id) => ({
          id,
          state: 'stopped',
          detail: 'the gateway is not running',
        }));
        process.exitCode = 1;
        if (opts.json) return env.json({ running: false, configured, channels: lines });
        env.out(`The gateway is not running at ${client.baseUrl} (start it with \`npm start\`).`);
        env.out(`Configured channels: ${configured.join(', ')}`);
        return;
      }
      const res = await client.api('/status');
      const body = (await res.json()) as StatusBody;
      const lines: ChannelLine[] = body.channels.map(({ id, status }) => ({ id, ...status }));
      if (opts.json) {
        return env.json({
          running: true,
          channels: lines,
          queueDepth: body.queueDepth,
          activeRuns: body.activeRuns,
        });
      }
      for (const line of lines) {
        const extra = [
          line.identity,
          line.detail,
          line.lastError ? `last error: ${line.lastError.message}` : undefined,
        ]
          .filter(Boolean)
          .join(' — ');
        env.out(`${line.id.padEnd(9)} ${line.state}${extra ? `  ${extra}` : ''}`);
      }
      env.out(`queue: ${body.queueDepth} waiting, ${body.activeRuns} running`);
    });
  channels
    .command('login')
    .argument('<channel>', 'whatsapp')
    .option('--phone <number>', 'link with a pairing code for this number instead of a QR (headless servers)')
    .description('link WhatsApp as a device: scan the QR (or enter the pairing code) on your phone')
    .action((channel: string, opts: { phone?: string }) => loginCommand(env, channel, opts));
};
