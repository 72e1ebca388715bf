// The claude agent's public surface, for the gateway assembly and `sandgate setup` / `doctor`.

export { type ClaudeAgentDeps, createClaudeAgent, type SessionStore } from './claude-agent.js';
export {
  CLAUDE_CODE_PACKAGE,
  CLAUDE_CODE_VERSION,
  type ClaudeBinary,
  findClaudeBinary,
  SANDBOX_CLAUDE_PATH,
  SETUP_COMMAND,
  toolsDir,
} from './claude-binary.js';
