// Builds the effective configuration: schema defaults < $SANDGATE_HOME/config.json5 < environment.
// Any invalid value stops start-up with a ConfigError that names the key, where it came from, and why.

import { existsSync, readFileSync } from 'node:fs';
import JSON5 from 'json5';
import { ENV_TO_KEY } from './env-map.js';
import { getPath, setPath } from './key-path.js';
import { statePaths } from './paths.js';
import { type Config, configSchema } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;

export function readConfigFile(file: string): Obj {
  if (!existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON5.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('the top level must be an object');
    }
    return parsed as Obj;
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON5: ${(err as Error).message}`);
  }
}

/** Validates a raw object; errors name each offending key and whether env or the file set it. */
export function validateConfig(raw: Obj, home: string, sources: Map<string, string> = new Map()): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      const from = sources.get(key) ?? 'config.json5';
      const unknownKeys = 'keys' in issue && Array.isArray(issue.keys) ? ` (${issue.keys.join(', ')})` : '';
      return `  ${key}${unknownKeys} (from ${from}): ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = { ...result.data, home } as Config;
  if (!config.sandbox.provider) config.sandbox.provider = config.daytona.apiKey ? 'daytona' : 'local';
  return config;
}

export function loadConfig(home: string, env: NodeJS.ProcessEnv = process.env): Config {
  const raw = readConfigFile(statePaths(home).configFile);
  const sources = new Map<string, string>();
  for (const [name, key] of Object.entries(ENV_TO_KEY)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, key, value);
    sources.set(key, `env ${name}`);
  }
  return validateConfig(raw, home, sources);
}

/** The public base URL links are built on. */
export function publicUrl(config: Config, boundPort?: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.bind === '0.0.0.0' || config.bind === '::' ? '127.0.0.1' : config.bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort ?? config.port}`;
}

export { getPath };
