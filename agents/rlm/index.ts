// The recursive-LM agent's public surface, for the gateway assembly.

export { createRlmAgent, PATCH_FILE, type RlmAgentConfig, type RlmAgentDeps } from './rlm-agent.js';
export type { AgentNodeJson, IterationJson } from './tree.js';
