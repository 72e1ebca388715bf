// `sandgate devices list|approve|revoke`: which browsers may use the dashboard. Works with or without a
// running gateway (same SQLite file); a revocation ends that device's sessions and open streams at once.

import { createDevices, DeviceError, type Devices, formatDeviceId } from '../../../pairing/devices/index.js';
import { formatRemaining } from '../../../pairing/display.js';
import { table } from '../../../pairing/table.js';
import { type CliEnv, CliError, type RegisterCommands } from '../cli-env.js';

export function devicesFromEnv(env: CliEnv): Devices {
  return createDevices({ db: env.store().db });
}

/** Turns device refusals into CLI errors (a malformed id → exit 2, the rest → exit 1). */
export async function withDeviceErrors(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof DeviceError) throw new CliError(err.message, err.usage ? 2 : 1);
    throw err;
  }
}

const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export const registerDevicesCommands: RegisterCommands = (program, env) => {
  const group = program.command('devices').description('approve or revoke browsers that use the dashboard');

  group
    .command('list')
    .description('show dashboard devices: waiting, approved and revoked')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withDeviceErrors(() => {
        const devices = devicesFromEnv(env).list();
        if (opts.json) {
          env.json(
            devices.map((d) => ({
              id: d.id,
              display: formatDeviceId(d.id),
              state: d.state,
              label: d.label,
              createdAt: when(d.createdAt),
              expiresAt: d.state === 'pending' ? when(d.expiresAt) : null,
              decidedBy: d.decidedBy,
              lastSeenAt: when(d.lastSeenAt) || null,
            })),
          );
          return;
        }
        if (devices.length === 0) {
          env.out(
            'No dashboard devices yet. Open the dashboard in a browser, or run `sandgate dashboard` for a one-time link.',
          );
          return;
        }
        const now = Date.now();
        const rows = devices.map((d) => [
          formatDeviceId(d.id),
          d.state === 'pending' && d.expiresAt
            ? `pending (${formatRemaining(d.expiresAt - now)} left)`
            : d.state,
          d.label,
          when(d.lastSeenAt ?? d.createdAt),
        ]);
        for (const line of table(['ID', 'STATE', 'BROWSER', 'LAST SEEN'], rows)) env.out(line);
        const pending = devices.find((d) => d.state === 'pending');
        if (pending) {
          env.out('');
          env.out(`Approve with: sandgate devices approve ${formatDeviceId(pending.id)}`);
        }
      }),
    );

  group
    .command('approve')
    .description('let a waiting device use the dashboard (check the id shown on its screen)')
    .argument('<id>', 'the device id shown by the browser (dashes and case do not matter)')
    .action((id: string) =>
      withDeviceErrors(() => {
        const d = devicesFromEnv(env).approve(id, { kind: 'cli' });
        env.out(
          `Approved device ${formatDeviceId(d.id)}${d.label ? ` (${d.label})` : ''}. Its dashboard opens by itself.`,
        );
      }),
    );

  group
    .command('revoke')
    .description('stop a device at once: its sessions and open streams end')
    .argument('<id>', 'the device id')
    .action((id: string) =>
      withDeviceErrors(() => {
        const r = devicesFromEnv(env).revoke(id, { kind: 'cli' });
        env.out(
          `Revoked device ${formatDeviceId(r.device.id)}; ${r.sessionsClosed} session${r.sessionsClosed === 1 ? '' : 's'} ended.`,
        );
      }),
    );
};
