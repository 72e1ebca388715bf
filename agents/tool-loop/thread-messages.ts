// Helpers that keep a persisted thread valid for the next request: a new user turn is merged into a
// trailing user message (tool results left by a cancelled run) instead of breaking role alternation.

import type Anthropic from '@anthropic-ai/sdk';
import type { MessageParam } from '../../src/model/types.js';

export function appendUserText(messages: MessageParam[], text: string): MessageParam[] {
  const last = messages[messages.length - 1];
  if (last?.role !== 'user') return [...messages, { role: 'user', content: text }];
  const prior: Anthropic.ContentBlockParam[] =
    typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
  return [...messages.slice(0, -1), { role: 'user', content: [...prior, { type: 'text', text }] }];
}

/** Plain text of an assistant message's text blocks. */
export function textOf(content: MessageParam['content']): string {
  if (typeof content === 'string') return content;
  return content
    .filter((b): b is Anthropic.TextBlockParam => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
    .trim();
}
