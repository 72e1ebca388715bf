// The deploy flags' rules, from Daytona's documented limits: preview ports 3000-9999, signed
// preview URLs 1 s - 24 h, resources only with an image (a snapshot brings its own).

import { describe, expect, it } from 'vitest';
import { gatewaySpec } from '../../deploy/daytona/deploy.js';
import { DeployUsageError, parseAmount, parseExpires, parsePort } from '../../deploy/daytona/layout.js';
import { validateConfig } from '../../src/config/load.js';

describe('deploy flags', () => {
  it('--expires takes seconds or s/m/h durations up to 24 h', () => {
    expect(parseExpires('3600')).toBe(3600);
    expect(parseExpires('90m')).toBe(5400);
    expect(parseExpires('24h')).toBe(86_400);
    expect(() => parseExpires('25h')).toThrow(/1 s to 24 h/);
    expect(() => parseExpires('0')).toThrow(DeployUsageError);
    expect(() => parseExpires('soon')).toThrow(/seconds or a duration/);
  });

  it('--port must be previewable, resources must be whole numbers', () => {
    expect(parsePort('8787')).toBe(8787);
    expect(() => parsePort('80')).toThrow(/3000-9999/);
    expect(() => parsePort('10000')).toThrow(/3000-9999/);
    expect(parseAmount('--cpu', '2')).toBe(2);
    expect(() => parseAmount('--memory', '1.5')).toThrow(/--memory 1.5: must be a whole number/);
  });

  it('the sandbox spec: snapshot by default, resources only with an image, secrets in the env', () => {
    const config = validateConfig(
      { daytona: { apiKey: 'dtn_x' }, anthropic: { apiKey: 'sk-ant-x' } },
      '/tmp/h',
    );
    const base = { port: 8787, expiresSec: 3600, telegramWebhook: false };
    expect(gatewaySpec(config, base)).toMatchObject({
      source: { snapshot: 'daytona-medium' },
      public: false,
      env: { DAYTONA_API_KEY: 'dtn_x', ANTHROPIC_API_KEY: 'sk-ant-x', SANDGATE_SANDBOX: 'daytona' },
    });
    expect(
      gatewaySpec(config, { ...base, image: 'node:20-bookworm', resources: { cpu: 2, memory: 4 } }).source,
    ).toEqual({
      image: 'node:20-bookworm',
      resources: { cpu: 2, memory: 4 },
    });
    expect(() => gatewaySpec(config, { ...base, resources: { disk: 10 } })).toThrow(/apply to --image/);
    expect(() => gatewaySpec(config, { ...base, image: 'a:1', snapshot: 'b' })).toThrow(/not both/);
    // Defaults and settings that only make sense on this machine stay home.
    const env = gatewaySpec(
      validateConfig({ daytona: { apiKey: 'dtn_x' }, port: 9999, bind: '0.0.0.0' }, '/tmp/h'),
      base,
    ).env;
    expect(Object.keys(env).sort()).toEqual(['DAYTONA_API_KEY', 'SANDGATE_SANDBOX']);
  });
});
