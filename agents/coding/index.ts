// The coding agent's public surface, for the gateway assembly.

export { type CodingAgent, type CodingAgentDeps, createCodingAgent } from './coding-agent.js';
export type { CodingConfig } from './coding-session.js';
export { DEV_AGENT, developerTasks, PM_AGENT } from './team-mode.js';
export { SqliteThreadStore, type ThreadStore } from './thread-store.js';
