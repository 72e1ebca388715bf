// `sandgate channels status`: each channel's state and last error, from the running gateway
// (or, when it is not running, which channels the configuration would start).

import type { RegisterCommands } from '../cli-env.js';
import { gatewayClient } from '../gateway-client.js';

interface StatusBody {
  channels: {
    id: string;
    status: {
      state: string;
      detail?: string;
      identity?: string;
      lastError?: { message: string; at: string };
    };
  }[];
  queueDepth: number;
  activeRuns: number;
}

export const registerChannelsCommands: RegisterCommands = (program, env) => {
  const channels = program.command('channels').description('channel status');
  channels
    .command('status')
    .option('--json', 'machine-readable output')
    .description('state of each channel in the running gateway')
    .action(async (opts: { json?: boolean }) => {
      const client = gatewayClient(env);
      const config = env.config();
      if (!(await client.running())) {
        const configured = [
          'local',
          ...(config.telegram.botToken ? ['telegram'] : []),
          ...(config.slack.botToken ? ['slack'] : []),
          ...(config.whatsapp.enabled ? ['whatsapp'] : []),
        ];
        if (opts.json) return env.json({ running: false, configured });
        env.out(`The gateway is not running at ${client.baseUrl} (start it with \`npm start\`).`);
        env.out(`Configured channels: ${configured.join(', ')}`);
        process.exitCode = 1;
        return;
      }
      const res = await client.api('/status');
      const body = (await res.json()) as StatusBody;
      if (opts.json) return env.json({ running: true, ...body });
      for (const { id, status } of body.channels) {
        const extra = [
          status.identity,
          status.detail,
          status.lastError ? `last error: ${status.lastError.message}` : undefined,
        ]
          .filter(Boolean)
          .join(' — ');
        env.out(`${id.padEnd(9)} ${status.state}${extra ? `  ${extra}` : ''}`);
      }
      env.out(`queue: ${body.queueDepth} waiting, ${body.activeRuns} running`);
    });
};
