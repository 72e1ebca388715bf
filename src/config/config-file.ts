// `sandgate config get|set|unset`: edits $SANDGATE_HOME/config.json5 one key at a time,
// validating the result first so a typo never lands in the file.

import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import JSON5 from 'json5';
import { getPath, knownKeys, setPath, unsetPath } from './key-path.js';
import { ConfigError, readConfigFile, validateConfig } from './load.js';
import { statePaths } from './paths.js';

/** CLI values arrive as strings; numbers and booleans are stored as such so the file stays readable. */
export function parseCliValue(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function assertKnown(key: string): void {
  const keys = knownKeys();
  if (keys.includes(key)) return;
  const close = keys.filter((k) => k.endsWith(`.${key.split('.').pop()}`) || k.startsWith(`${key}.`));
  throw new ConfigError(
    `unknown config key "${key}"${close.length ? `; did you mean ${close.join(', ')}?` : ''} (see \`sandgate config keys\`)`,
  );
}

function writeConfigFile(file: string, data: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON5.stringify(data, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function configFileGet(home: string, key: string): unknown {
  assertKnown(key);
  return getPath(readConfigFile(statePaths(home).configFile), key);
}

export function configFileSet(home: string, key: string, value: unknown): void {
  assertKnown(key);
  const file = statePaths(home).configFile;
  const data = readConfigFile(file);
  setPath(data, key, value);
  validateConfig(data, home);
  writeConfigFile(file, data);
}

export function configFileUnset(home: string, key: string): boolean {
  assertKnown(key);
  const file = statePaths(home).configFile;
  const data = readConfigFile(file);
  const removed = unsetPath(data, key);
  if (removed) writeConfigFile(file, data);
  return removed;
}
