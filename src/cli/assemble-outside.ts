// Sandboxes for programs outside a chat (DESIGN §9.5): the MCP server at /mcp and the eval pool behind
// /api/eval, both on the shared sandbox capacity. Composes only; the pool is made on the first batch,
// and at shutdown every MCP and eval sandbox is deleted.

import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { AuditLog } from '../../pairing/audit.js';
import type { Config } from '../config/schema.js';
import { EvalPool, runWidth } from '../eval/eval-pool.js';
import { evalRoutes } from '../http/api/eval.js';
import { mcpRoutes } from '../mcp/mcp-route.js';
import { McpSandboxes } from '../mcp/mcp-sandboxes.js';
import type { Db } from '../store/db.js';
import { cutText } from '../text/cut.js';
import type { SandboxLayer } from './assemble-sandbox.js';

export interface OutsideAccess {
  /** Mounts /mcp on the root app and /eval on the token-guarded API. */
  mount(root: Hono, api: Hono): void;
  shutdown(): Promise<void>;
}

export function assembleOutsideAccess(
  config: Config,
  deps: { sandboxes: SandboxLayer; token: () => string; db: Db; log: Logger },
): OutsideAccess {
  const { provider, capacity } = deps.sandboxes;
  const labels = { sandgate: '1' };
  const network = config.sandbox.network;
  const log = deps.log;
  const audit = new AuditLog(deps.db);
  const mcp = new McpSandboxes({
    provider,
    capacity,
    log: log.child({ part: 'mcp' }),
    labels,
    network,
    idleDeleteMs: config.mcp.idleDeleteSec * 1000,
    slotWaitMs: 30_000,
  });
  let pool: EvalPool | undefined;
  const evalPool = () => {
    pool ??= new EvalPool({
      provider,
      capacity,
      log: log.child({ part: 'eval' }),
      size: config.eval.poolSize,
      maxRunning: runWidth(provider),
      labels,
      network,
    });
    return pool;
  };
  return {
    mount: (root, api) => {
      root.route(
        '/mcp',
        mcpRoutes({
          token: deps.token,
          sandboxes: mcp,
          version: '0.1.0',
          onCall: (call) => {
            try {
              audit.record({
                at: Date.now(),
                action: 'mcp.call',
                channel: 'mcp',
                subject: call.sandboxId ? `${call.tool} ${call.sandboxId}` : call.tool,
                actor: 'mcp',
                detail: {
                  ok: call.ok,
                  ms: Math.round(call.ms),
                  ...(call.error ? { error: cutText(call.error, 500) } : {}),
                },
              });
            } catch (err) {
              log.warn({ err }, 'could not write an MCP call to the audit log');
            }
          },
        }),
      );
      api.route('/eval', evalRoutes(evalPool));
    },
    shutdown: async () => {
      await Promise.all([mcp.shutdown(), pool?.shutdown()]);
    },
  };
}
