// The coding agent's tool set, built per run around the conversation's sandbox.

import type { LoopTool } from '../../tool-loop/tool.js';
import { bashTool } from './bash-tool.js';
import { editTool, readTool, writeTool } from './file-tools.js';
import { globTool, grepTool } from './search-tools.js';
import { previewUrlTool, startServerTool } from './server-tools.js';
import type { CodingToolEnv } from './tool-env.js';

export type { CodingToolEnv } from './tool-env.js';

export function codingTools(env: CodingToolEnv): LoopTool[] {
  return [
    readTool(env),
    writeTool(env),
    editTool(env),
    globTool(env),
    grepTool(env),
    bashTool(env),
    startServerTool(env),
    previewUrlTool(env),
  ];
}
