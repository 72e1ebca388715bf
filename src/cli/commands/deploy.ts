// `sandgate deploy daytona [--status|--logs [-f]|--stop|--destroy [--keep-volume]|--link]`: runs the
// gateway 24/7 in one Daytona sandbox (DESIGN §9.6). The logic lives in deploy/daytona/; this file
// parses flags (bad ones exit 2) and prints a progress line per step. A failed step exits 1, naming
// the step and Daytona's reason.

import { Option } from 'commander';
import { deployDaytona } from '../../../deploy/daytona/deploy.js';
import {
  DEFAULT_EXPIRES_SEC,
  DEFAULT_PORT,
  DEFAULT_SNAPSHOT,
  DeployUsageError,
  parseAmount,
  parseExpires,
  parsePort,
} from '../../../deploy/daytona/layout.js';
import {
  deploymentStatus,
  destroyDeployment,
  freshAccess,
  gatewayLogs,
  NotDeployedError,
  stopDeployment,
} from '../../../deploy/daytona/manage.js';
import { DeployStepError, type Progress, reasonOf } from '../../../deploy/daytona/steps.js';
import { packageRoot } from '../../package-root.js';
import { daytonaClient } from '../../sandbox/providers/daytona/daytona-client.js';
import { type CliEnv, CliError, type RegisterCommands } from '../cli-env.js';

interface DeployFlags {
  expires: string;
  port: string;
  snapshot?: string;
  image?: string;
  cpu?: string;
  memory?: string;
  disk?: string;
  telegramWebhook?: boolean;
  build: boolean;
  status?: boolean;
  logs?: boolean;
  follow?: boolean;
  stop?: boolean;
  destroy?: boolean;
  keepVolume?: boolean;
  link?: boolean;
  json?: boolean;
}

function progressLines(env: CliEnv): Progress {
  return {
    begin: (step) => env.out(`… ${step}`),
    done: (step, detail) => env.out(`✓ ${step.padEnd(16)} ${detail}`),
  };
}

function client(env: CliEnv) {
  const d = env.config().daytona;
  if (!d.apiKey)
    throw new DeployUsageError(
      'no Daytona API key: set DAYTONA_API_KEY (or `sandgate config set daytona.apiKey …`)',
    );
  return daytonaClient({ apiKey: d.apiKey, apiUrl: d.apiUrl, target: d.target });
}

function printAccess(env: CliEnv, a: { dashboardUrl: string; expiresAt: Date; loginLink: string }): void {
  env.out(`Dashboard:   ${a.dashboardUrl}`);
  env.out(`             (signed preview URL, valid until ${a.expiresAt.toLocaleString()})`);
  env.out(`Log in once: ${a.loginLink}`);
  env.out('             (single use within 10 minutes; approves the browser that opens it)');
}

async function run(env: CliEnv, f: DeployFlags): Promise<void> {
  const actions = (['status', 'logs', 'stop', 'destroy', 'link'] as const).filter((a) => f[a]);
  if (actions.length > 1) throw new DeployUsageError(`choose one of --${actions.join(', --')}`);
  if (f.follow && !f.logs) throw new DeployUsageError('-f/--follow goes with --logs');
  if (f.keepVolume && !f.destroy) throw new DeployUsageError('--keep-volume goes with --destroy');
  const expiresSec = parseExpires(f.expires);
  const action = actions[0];
  if (action === 'status') {
    const s = await deploymentStatus(client(env));
    if (f.json) return env.json(s);
    const b = s.sandbox;
    env.out(
      `sandbox  ${b.name} (${b.id}): ${b.state}, auto-stop ${b.autoStopMinutes ? `${b.autoStopMinutes} min` : 'off'}, ${b.public ? 'public' : 'private'}, ${b.cpu} vCPU / ${b.memoryGiB} GiB / ${b.diskGiB} GiB disk`,
    );
    env.out(`volume   ${s.volume ? `${s.volume.name}: ${s.volume.state}` : 'none'}`);
    env.out(`gateway  ${s.gateway} on port ${s.port}${s.health ? `; /healthz: ${s.health}` : ''}`);
    return;
  }
  if (action === 'logs') {
    // -f runs until the gateway exits or Ctrl-C ends the process.
    await gatewayLogs(client(env), {
      follow: f.follow === true,
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
    return;
  }
  if (action === 'stop') return await stopDeployment(client(env), progressLines(env));
  if (action === 'destroy')
    return await destroyDeployment(client(env), progressLines(env), f.keepVolume === true);
  if (action === 'link') return printAccess(env, await freshAccess(client(env), expiresSec));

  const port = parsePort(f.port);
  const amount = (flag: string, v?: string) => (v === undefined ? undefined : parseAmount(flag, v));
  const result = await deployDaytona(
    { client: client(env), config: env.config(), appRoot: packageRoot(), progress: progressLines(env) },
    {
      ...(f.snapshot ? { snapshot: f.snapshot } : {}),
      ...(f.image ? { image: f.image } : {}),
      resources: {
        cpu: amount('--cpu', f.cpu),
        memory: amount('--memory', f.memory),
        disk: amount('--disk', f.disk),
      },
      port,
      expiresSec,
      telegramWebhook: f.telegramWebhook === true,
      skipBuild: !f.build,
    },
  );
  env.out('');
  env.out(`sandgate-gateway is up (${result.how}, sandbox ${result.sandboxId}).`);
  printAccess(env, result);
  env.out('Logs:        sandgate deploy daytona --logs -f');
}

export const registerDeployCommand: RegisterCommands = (program, env) => {
  const deploy = program.command('deploy').description('run the gateway somewhere always on');
  deploy
    .command('daytona')
    .description(
      'create or update the always-on sandgate-gateway sandbox in Daytona (DAYTONA_API_KEY), start the gateway there and print a dashboard link',
    )
    .option(
      '--expires <duration>',
      'how long the printed dashboard URL works: seconds, or 90m, 24h (at most 24 h)',
      `${DEFAULT_EXPIRES_SEC / 3600}h`,
    )
    .option(
      '--port <port>',
      'the port the gateway listens on in the sandbox (3000-9999)',
      String(DEFAULT_PORT),
    )
    .option('--snapshot <name>', `Daytona snapshot to create the sandbox from (default ${DEFAULT_SNAPSHOT})`)
    .option(
      '--image <image>',
      'an image with Node 20+ and a `daytona` user instead of a snapshot (takes --cpu/--memory/--disk)',
    )
    .option('--cpu <n>', 'vCPUs (with --image)')
    .option('--memory <GiB>', 'memory in GiB (with --image)')
    .option('--disk <GiB>', 'disk in GiB (with --image)')
    .option(
      '--telegram-webhook',
      "Telegram by webhook at the sandbox's preview URL (makes the sandbox's previews public)",
    )
    .option('--no-build', 'ship the dist/ already built instead of running `npm run build` first')
    .addOption(new Option('--status', 'show the deployment: sandbox, volume, gateway process, /healthz'))
    .addOption(new Option('--logs', "print the gateway's output"))
    .addOption(new Option('-f, --follow', 'with --logs: keep printing until Ctrl-C'))
    .addOption(new Option('--stop', 'stop the gateway (state copied to the volume) and its sandbox'))
    .addOption(new Option('--destroy', 'delete the sandbox and the state volume'))
    .addOption(
      new Option('--keep-volume', 'with --destroy: keep the volume, so a later deploy has the state'),
    )
    .addOption(new Option('--link', 'print a fresh dashboard URL and one-time login link'))
    .addOption(new Option('--json', 'with --status: machine-readable'))
    .action(async (flags: DeployFlags) => {
      try {
        await run(env, flags);
      } catch (err) {
        if (err instanceof DeployUsageError) throw new CliError(err.message, 2);
        if (err instanceof DeployStepError)
          throw new CliError(`deploy failed at step "${err.step}": ${err.reason}`);
        if (err instanceof NotDeployedError) throw new CliError(err.message);
        throw new CliError(reasonOf(err));
      }
    });
};
