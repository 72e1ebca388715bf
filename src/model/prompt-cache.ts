// Prompt caching: cache_control breakpoints on the system prompt, the last tool definition and the
// newest user turn, so each tool-loop turn re-reads the shared prefix from cache. Works on copies.

import type Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, ToolDefinition } from './types.js';

const EPHEMERAL = { type: 'ephemeral' } as const;

export interface CachedRequestParts {
  system: Anthropic.TextBlockParam[];
  tools?: ToolDefinition[];
  messages: MessageParam[];
}

export function withCacheControl(
  system: string,
  tools: ToolDefinition[] | undefined,
  messages: MessageParam[],
): CachedRequestParts {
  const cachedTools =
    tools && tools.length > 0
      ? tools.map((t, i) => (i === tools.length - 1 ? { ...t, cache_control: EPHEMERAL } : t))
      : undefined;
  return {
    system: [{ type: 'text', text: system, cache_control: EPHEMERAL }],
    ...(cachedTools ? { tools: cachedTools } : {}),
    messages: markLastUserBlock(messages),
  };
}

/** The newest user turn gets a breakpoint so the next turn of the loop reads everything before it from cache. */
function markLastUserBlock(messages: MessageParam[]): MessageParam[] {
  const idx = messages.length - 1;
  const last = messages[idx];
  if (last?.role !== 'user') return messages;
  const blocks: Anthropic.ContentBlockParam[] =
    typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const lastBlock = blocks[blocks.length - 1];
  if (!lastBlock) return messages;
  if (lastBlock.type !== 'text' && lastBlock.type !== 'tool_result' && lastBlock.type !== 'image')
    return messages;
  if (lastBlock.type === 'text' && lastBlock.text.length === 0) return messages;
  blocks[blocks.length - 1] = { ...lastBlock, cache_control: EPHEMERAL };
  const copy = messages.slice(0, idx);
  copy.push({ role: 'user', content: blocks });
  return copy;
}
