// Where sandgate keeps its state. Everything lives under one directory so a backup,
// a move or a second instance is a matter of pointing SANDGATE_HOME elsewhere.

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SANDGATE_HOME?.trim();
  return resolve(fromEnv ? fromEnv : join(homedir(), '.sandgate'));
}

export const statePaths = (home: string) => ({
  home,
  configFile: join(home, 'config.json5'),
  database: join(home, 'sandgate.db'),
  tokenFile: join(home, 'gateway-token'),
  lockFile: join(home, 'gateway.lock'),
  sandboxes: join(home, 'sandboxes'),
  artifacts: join(home, 'artifacts'),
});
