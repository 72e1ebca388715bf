// The verified code generator's public surface, for the gateway assembly.

export { createGenAgent, GEN_THREAD, type GenAgent, type GenAgentDeps, type GenConfig } from './gen-agent.js';
