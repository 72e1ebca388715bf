// The /claude part of the running gateway: the model proxy (the real key stays here; sandboxes get
// per-run tokens), the claude agent, the proxy's public route for remote sandboxes, and the read-only
// mount of the Claude Code binary into local sandboxes. Composes only.

import type Database from 'better-sqlite3';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Agent } from '../../agents/agent.js';
import {
  createClaudeAgent,
  findClaudeBinary,
  SANDBOX_CLAUDE_PATH,
  type SessionStore,
} from '../../agents/claude/index.js';
import type { Config } from '../config/schema.js';
import { DailyBudget } from '../model/daily-budget.js';
import { ModelProxy } from '../model/proxy/model-proxy.js';
import { ProxyGrants } from '../model/proxy/proxy-grants.js';
import { publicProxyRoutes } from '../model/proxy/sandbox-endpoint.js';
import { UsageRepository } from '../model/usage-repository.js';

export interface ClaudeLayer {
  agent: Agent;
  /** Mounted at PUBLIC_PROXY_PATH when a model key is configured. */
  proxyRoutes?: Hono;
}

/** The binary as local sandboxes see it, looked up at each sandbox start. */
export function claudeToolBinds(config: Config): () => { source: string; target: string }[] {
  return () => {
    const bin = findClaudeBinary({ configured: config.agents.claude.bin, home: config.home });
    return bin.state === 'found' ? [{ source: bin.path, target: SANDBOX_CLAUDE_PATH }] : [];
  };
}

export function assembleClaude(
  config: Config,
  deps: { db: Database.Database; sessions: SessionStore; publicUrl: string; log: Logger },
): ClaudeLayer {
  const usage = new UsageRepository(deps.db);
  const budget = new DailyBudget(usage, {
    dailyTokens: config.limits.dailyTokens,
    dailyUsd: config.limits.dailyUsd,
  });
  const key = config.anthropic.apiKey;
  const proxy = key
    ? new ModelProxy({
        apiKey: key,
        ...(config.anthropic.baseUrl ? { upstream: config.anthropic.baseUrl } : {}),
        grants: new ProxyGrants(),
        usage,
        budget,
        log: deps.log.child({ part: 'model-proxy' }),
      })
    : undefined;
  const agent = createClaudeAgent({
    binary: () => findClaudeBinary({ configured: config.agents.claude.bin, home: config.home }),
    ...(proxy ? { proxy } : {}),
    budget,
    sessions: deps.sessions,
    config: {
      model: config.agents.claude.model ?? config.anthropic.model,
      timeoutSec: config.agents.claude.timeoutSec,
      publicUrl: deps.publicUrl,
    },
    log: deps.log.child({ agent: 'claude' }),
  });
  return { agent, ...(proxy ? { proxyRoutes: publicProxyRoutes(proxy) } : {}) };
}
