// `sandgate gateway` (what `npm start` runs): start everything and stay up until SIGINT/SIGTERM,
// then shut down gracefully within 10 seconds.

import { SECRET_KEYS } from '../../config/env-map.js';
import { getPath } from '../../config/key-path.js';
import { ensureToken } from '../../http/gateway-token.js';
import { createLogger } from '../../log.js';
import { ensureStateDir } from '../../store/db.js';
import { startGateway } from '../assemble.js';
import type { RegisterCommands } from '../cli-env.js';

export const registerGatewayCommand: RegisterCommands = (program, env) => {
  program
    .command('gateway')
    .description('run the gateway (channels, agents, HTTP server) until stopped')
    .action(async () => {
      ensureStateDir(env.home);
      const config = env.config();
      const secrets = [...SECRET_KEYS]
        .map((k) => getPath(config, k))
        .filter((v): v is string => typeof v === 'string');
      secrets.push(ensureToken(env.paths.tokenFile, config.gatewayToken).token);
      const log = createLogger({ level: config.log.level, secrets });
      // A stray rejected promise is a bug to log, not a reason to interrupt every run in flight.
      process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
      const running = await startGateway(config, log);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = (signal: string) => {
          if (stopping) {
            log.warn('second signal: exiting now');
            process.exit(1);
          }
          stopping = true;
          log.info({ signal }, 'shutting down');
          const hardStop = setTimeout(() => {
            log.error('shutdown took longer than 10 s; exiting');
            process.exit(1);
          }, 10_000);
          hardStop.unref();
          running.stop(9_000).then(
            () => {
              log.info('stopped cleanly');
              resolve();
            },
            (err) => {
              log.error({ err }, 'error during shutdown');
              resolve();
            },
          );
        };
        process.once('SIGINT', () => onSignal('SIGINT'));
        process.once('SIGTERM', () => onSignal('SIGTERM'));
      });
      log.flush?.();
    });
};
