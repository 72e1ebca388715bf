// What every CLI command gets: the state directory, lazily loaded config and store, and output
// helpers. CLI commands open the same SQLite file as a running gateway (WAL makes that safe);
// the gateway polls the store, so effects such as approvals reach it within a second or two.

import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { resolveHome, statePaths } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import { openDatabase } from '../store/db.js';
import { createStore, type Store } from '../store/store.js';

/** Exit codes: 0 ok, 1 failure, 2 usage, 130 interrupted. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1 failed, 2 usage error; 130 interrupted by Ctrl-C (what a shell reports for SIGINT). */
    readonly exitCode: 1 | 2 | 130 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliEnv {
  home: string;
  paths: ReturnType<typeof statePaths>;
  config(): Config;
  store(): Store;
  out(line: string): void;
  json(value: unknown): void;
  close(): void;
}

export function createCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  const home = resolveHome(env);
  let config: Config | undefined;
  let store: Store | undefined;
  return {
    home,
    paths: statePaths(home),
    config: () => {
      config ??= loadConfig(home, env);
      return config;
    },
    store: () => {
      store ??= createStore(openDatabase(statePaths(home).database));
      return store;
    },
    out: (line) => process.stdout.write(`${line}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    close: () => {
      store?.db.close();
      store = undefined;
    },
  };
}

/** A command group registers its subcommands on the root program. */
export type RegisterCommands = (program: Command, env: CliEnv) => void;
