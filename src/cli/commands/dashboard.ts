// `sandgate dashboard`: prints a one-time login link (single use, 10 minutes) that approves the device
// that opens it. The link carries a random secret in its #fragment (never sent in a request line or
// a Referer), not the gateway token.

import { publicUrl } from '../../config/load.js';
import type { RegisterCommands } from '../cli-env.js';
import { devicesFromEnv, withDeviceErrors } from './devices.js';

export const registerDashboardCommand: RegisterCommands = (program, env) => {
  program
    .command('dashboard')
    .description('print a one-time link that signs a browser in to the dashboard and approves it')
    .option('--url <base>', 'the address the browser reaches the gateway at (default: SANDGATE_PUBLIC_URL)')
    .action((opts: { url?: string }) =>
      withDeviceErrors(() => {
        const { secret, expiresAt } = devicesFromEnv(env).createLink();
        const base = (opts.url ?? publicUrl(env.config())).replace(/\/+$/, '');
        env.out(`${base}/dashboard/#link=${secret}`);
        env.out('');
        env.out(
          `Open it once, within 10 minutes (until ${new Date(expiresAt).toLocaleTimeString()}): the browser that opens it is approved.`,
        );
      }),
    );
};
