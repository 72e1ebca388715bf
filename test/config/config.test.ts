import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFileGet, configFileSet, configFileUnset } from '../../src/config/config-file.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { tempHome } from '../helpers/temp-home.js';

describe('configuration', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => home.cleanup());

  it('layers defaults < config.json5 < environment', () => {
    expect(loadConfig(home.home, {}).port).toBe(8787);
    writeFileSync(
      join(home.home, 'config.json5'),
      '{ port: 9001, telegram: { apiRoot: "http://file.example" } }',
    );
    const fromFile = loadConfig(home.home, {});
    expect(fromFile.port).toBe(9001);
    expect(fromFile.telegram.apiRoot).toBe('http://file.example');
    const fromEnv = loadConfig(home.home, { SANDGATE_PORT: '9100', TELEGRAM_API_ROOT: 'http://env.example' });
    expect(fromEnv.port).toBe(9100);
    expect(fromEnv.telegram.apiRoot).toBe('http://env.example');
    expect(fromEnv.bind).toBe('127.0.0.1');
  });

  it('picks the sandbox provider from the Daytona key unless set', () => {
    expect(loadConfig(home.home, {}).sandbox.provider).toBe('local');
    expect(loadConfig(home.home, { DAYTONA_API_KEY: 'dtn_x' }).sandbox.provider).toBe('daytona');
    expect(
      loadConfig(home.home, { DAYTONA_API_KEY: 'dtn_x', SANDGATE_SANDBOX: 'local' }).sandbox.provider,
    ).toBe('local');
  });

  it('names the bad key, where it came from and why', () => {
    expect(() => loadConfig(home.home, { SANDGATE_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig(home.home, { SANDGATE_PORT: 'eighty' })).toThrow(
      /port \(from env SANDGATE_PORT\): .*number/,
    );
    writeFileSync(join(home.home, 'config.json5'), '{ channels: { telegram: { dmPolicy: "everyone" } } }');
    expect(() => loadConfig(home.home, {})).toThrow(/channels\.telegram\.dmPolicy \(from config\.json5\)/);
  });

  it('reports a config file that is not JSON5', () => {
    writeFileSync(join(home.home, 'config.json5'), '{ port: ');
    expect(() => loadConfig(home.home, {})).toThrow(/config\.json5 is not valid JSON5/);
  });

  it('reads booleans from env the way people write them', () => {
    expect(loadConfig(home.home, { WHATSAPP_ENABLED: 'false' }).whatsapp.enabled).toBe(false);
    expect(loadConfig(home.home, { WHATSAPP_ENABLED: 'on' }).whatsapp.enabled).toBe(true);
    expect(() => loadConfig(home.home, { WHATSAPP_ENABLED: 'maybe' })).toThrow(/whatsapp\.enabled/);
  });

  it('set/get/unset edit the file, refuse unknown keys and invalid values', () => {
    configFileSet(home.home, 'telegram.apiRoot', 'http://127.0.0.1:9999');
    expect(configFileGet(home.home, 'telegram.apiRoot')).toBe('http://127.0.0.1:9999');
    expect(loadConfig(home.home, {}).telegram.apiRoot).toBe('http://127.0.0.1:9999');
    expect(() => configFileSet(home.home, 'telegram.apiroot', 'x')).toThrow(
      /unknown config key "telegram.apiroot"/,
    );
    expect(() => configFileSet(home.home, 'port', 'not-a-port')).toThrow(/port/);
    expect(configFileUnset(home.home, 'telegram.apiRoot')).toBe(true);
    expect(loadConfig(home.home, {}).telegram.apiRoot).toBe('https://api.telegram.org');
  });
});
