// Keeps a long conversation inside the context window: estimates its size and, near the limit,
// replaces old tool results and bulky tool inputs with short summaries. The newest turns stay intact.

import type Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, ToolDefinition } from '../../src/model/types.js';
import { cutText } from '../../src/text/cut.js';
import { firstLine } from './truncate.js';

export const COMPACTED_MARKER = '[compacted';

/** Rough token count: ~4 characters per token over the JSON the API receives. */
export function estimateTokens(system: string, tools: ToolDefinition[], messages: MessageParam[]): number {
  return Math.ceil((system.length + JSON.stringify(tools).length + JSON.stringify(messages).length) / 4);
}

const KEEP_CHARS = 240;

function summarize(text: string): string {
  if (text.length <= KEEP_CHARS || text.startsWith(COMPACTED_MARKER)) return text;
  return `${COMPACTED_MARKER}: ${firstLine(text, 160)} — ${text.length} chars of an earlier result; run the tool again if you need it]`;
}

function shrinkInput(input: unknown): unknown {
  if (typeof input === 'string') {
    return input.length > KEEP_CHARS ? `${COMPACTED_MARKER}: ${input.length} chars]` : input;
  }
  if (Array.isArray(input)) return input.map(shrinkInput);
  if (input && typeof input === 'object') {
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, shrinkInput(v)]));
  }
  return input;
}

function toolResultText(content: Anthropic.ToolResultBlockParam['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join('\n');
}

function compactBlock(block: Anthropic.ContentBlockParam): Anthropic.ContentBlockParam {
  if (block.type === 'tool_result') {
    const { cache_control: _c, ...rest } = block;
    return { ...rest, content: summarize(toolResultText(block.content)) };
  }
  if (block.type === 'tool_use') {
    const { cache_control: _c, ...rest } = block;
    return { ...rest, input: shrinkInput(block.input) };
  }
  if (block.type === 'text' && block.text.length > 4 * KEEP_CHARS) {
    return {
      type: 'text',
      text: `${cutText(block.text, 2 * KEEP_CHARS)}\n${COMPACTED_MARKER}: ${block.text.length} chars]`,
    };
  }
  return block;
}

/**
 * Compacts every message but the last `keepRecent`. Pure: returns new arrays, leaves `messages` alone.
 * Block structure (ids, order, roles) is kept, so tool_use / tool_result pairing stays valid.
 */
export function compactMessages(messages: MessageParam[], keepRecent: number): MessageParam[] {
  const cutoff = Math.max(0, messages.length - keepRecent);
  return messages.map((m, i) => {
    if (i >= cutoff || typeof m.content === 'string') return m;
    return { role: m.role, content: m.content.map(compactBlock) };
  });
}
