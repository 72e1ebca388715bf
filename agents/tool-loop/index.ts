// The shared tool loop's public surface.

export { RunAbortedError, raceAbort } from './abort.js';
export { COMPACTED_MARKER, compactMessages, estimateTokens } from './compaction.js';
export {
  type LoopStop,
  runToolLoop,
  type ToolCallRecord,
  type ToolLoopOptions,
  type ToolLoopResult,
} from './run-tool-loop.js';
export { appendUserText, textOf } from './thread-messages.js';
export { defineTool, type LoopTool, type ToolOutcome, type ToolRunContext, type ToolSpec } from './tool.js';
export { firstLine, TRUNCATION_MARKER, truncateMiddle } from './truncate.js';
