// How CLI commands talk to a running gateway: its address from the config, the token from the
// token file, and fetch. `running()` tells whether anyone answers at all — over node:http, because
// loading fetch (undici) alone costs a CLI command ~20 ms, and offline it is never needed.

import { get } from 'node:http';
import type { Config } from '../config/schema.js';
import { ensureToken } from '../http/gateway-token.js';
import type { CliEnv } from './cli-env.js';

export interface GatewayClient {
  baseUrl: string;
  token: string;
  running(): Promise<boolean>;
  api(path: string, init?: RequestInit): Promise<Response>;
}

export function localBaseUrl(config: Config): string {
  const host = ['0.0.0.0', '::', ''].includes(config.bind) ? '127.0.0.1' : config.bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

export function gatewayClient(
  env: CliEnv,
  baseUrl = process.env.SANDGATE_URL ?? localBaseUrl(env.config()),
): GatewayClient {
  const token = ensureToken(env.paths.tokenFile, env.config().gatewayToken).token;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${baseUrl}/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
    });
  return {
    baseUrl,
    token,
    api,
    running: () => healthy(`${baseUrl}/healthz`, 1500),
  };
}

/** True when GET `url` answers 2xx within `timeoutMs`; false on any error, refusal or timeout. */
function healthy(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
