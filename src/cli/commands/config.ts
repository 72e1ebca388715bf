// `sandgate config get|set|unset|path|keys`: read and edit $SANDGATE_HOME/config.json5.
// `get` shows the effective value (env wins over the file) and says where it came from.

import { configFileSet, configFileUnset, parseCliValue } from '../../config/config-file.js';
import { ENV_TO_KEY, envNameFor, SECRET_KEYS } from '../../config/env-map.js';
import { getPath, knownKeys } from '../../config/key-path.js';
import { ConfigError, readConfigFile } from '../../config/load.js';
import { CliError, type RegisterCommands } from '../cli-env.js';

const mask = (v: unknown) =>
  typeof v === 'string' && v.length > 8 ? `${v.slice(0, 4)}…${v.slice(-2)}` : '****';

function requireKnown(key: string): void {
  if (!knownKeys().includes(key)) {
    throw new CliError(`unknown config key "${key}" (run \`sandgate config keys\` for the list)`, 2);
  }
}

export const registerConfigCommands: RegisterCommands = (program, env) => {
  const config = program.command('config').description('read and change settings in config.json5');

  config
    .command('path')
    .description('print the config file path')
    .action(() => env.out(env.paths.configFile));

  config
    .command('keys')
    .description('list every setting with its environment variable')
    .action(() => {
      for (const key of knownKeys()) {
        const envName = envNameFor(key);
        env.out(envName ? `${key}  (env ${envName})` : key);
      }
    });

  config
    .command('get')
    .argument('<key>', 'dotted key, e.g. telegram.apiRoot')
    .option('--reveal', 'show secret values in full')
    .option('--json', 'print the value as JSON')
    .description('print the effective value of a setting and where it comes from')
    .action((key: string, opts: { reveal?: boolean; json?: boolean }) => {
      requireKnown(key);
      const effective = getPath(env.config(), key);
      const envName = Object.entries(ENV_TO_KEY).find(([, k]) => k === key)?.[0];
      const fromEnv = envName && process.env[envName];
      const inFile = getPath(readConfigFile(env.paths.configFile), key) !== undefined;
      const source = fromEnv ? `env ${envName}` : inFile ? 'config.json5' : 'default';
      const shown =
        SECRET_KEYS.has(key) && effective !== undefined && !opts.reveal ? mask(effective) : effective;
      if (opts.json) env.json({ key, value: shown ?? null, source });
      else if (shown === undefined) {
        env.out(`(unset)`);
        process.exitCode = 1;
      } else env.out(typeof shown === 'object' ? JSON.stringify(shown) : String(shown));
      if (!opts.json) process.stderr.write(`# from ${source}\n`);
    });

  config
    .command('set')
    .argument('<key>')
    .argument('<value>')
    .description('store a setting in config.json5 (validated first)')
    .action((key: string, value: string) => {
      requireKnown(key);
      try {
        configFileSet(env.home, key, parseCliValue(value));
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 1);
        throw err;
      }
      env.out(`${key} set in ${env.paths.configFile}`);
      const envName = envNameFor(key);
      if (envName && process.env[envName])
        process.stderr.write(`note: ${envName} is set and overrides this value\n`);
    });

  config
    .command('unset')
    .argument('<key>')
    .description('remove a setting from config.json5 (back to its default)')
    .action((key: string) => {
      requireKnown(key);
      env.out(configFileUnset(env.home, key) ? `${key} removed` : `${key} was not set in the file`);
    });
};
