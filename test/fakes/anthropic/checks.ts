// Request validation the real Messages API would do (the parts our client can get wrong):
// API key header, model, max_tokens, role alternation, tool_result ↔ tool_use pairing.

import type { RecordedRequest } from './script.js';

export interface CheckOptions {
  apiKey?: string;
  model?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: request JSON is untyped in a fake
type Json = any;

function blocksOf(content: Json): Json[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

export function checkRequest(req: RecordedRequest, opts: CheckOptions): string[] {
  const problems: string[] = [];
  // The documented header is x-api-key; SDK 1.x sends the key as `Authorization: Bearer …`. Accept both.
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
  const key = req.headers['x-api-key'] ?? bearer;
  if (!key) problems.push('missing API key (x-api-key or Authorization: Bearer)');
  else if (opts.apiKey && key !== opts.apiKey) problems.push('wrong x-api-key');
  if (!req.headers['anthropic-version']) problems.push('missing anthropic-version header');

  const body = req.body;
  if (!body || typeof body !== 'object') return [...problems, 'body is not a JSON object'];
  if (typeof body.model !== 'string' || !body.model) problems.push('model missing');
  else if (opts.model && body.model !== opts.model)
    problems.push(`model ${body.model}, expected ${opts.model}`);
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1)
    problems.push('max_tokens must be a positive integer');

  const messages: Json[] = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0) problems.push('messages must be a non-empty array');
  if (messages[0] && messages[0].role !== 'user') problems.push('first message must be from the user');
  for (let i = 1; i < messages.length; i++) {
    if (messages[i].role === messages[i - 1].role)
      problems.push(`messages ${i - 1} and ${i} have the same role`);
  }

  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role !== 'assistant') continue;
    const uses = blocksOf(m.content).filter((b) => b.type === 'tool_use');
    if (uses.length === 0) continue;
    const next = messages[i + 1];
    if (!next) {
      problems.push(`assistant message ${i} has tool_use but is the last message`);
      continue;
    }
    const nextBlocks = blocksOf(next.content);
    const results = nextBlocks.filter((b) => b.type === 'tool_result');
    const ids = new Set(uses.map((u) => u.id));
    for (const r of results) {
      if (!ids.has(r.tool_use_id))
        problems.push(`tool_result ${r.tool_use_id} in message ${i + 1} matches no tool_use`);
    }
    for (const id of ids) {
      if (!results.some((r) => r.tool_use_id === id))
        problems.push(`tool_use ${id} has no tool_result in message ${i + 1}`);
    }
    const firstNonResult = nextBlocks.findIndex((b) => b.type !== 'tool_result');
    if (firstNonResult !== -1 && nextBlocks.slice(firstNonResult).some((b) => b.type === 'tool_result')) {
      problems.push(`tool_result blocks must come first in message ${i + 1}`);
    }
  }
  for (let i = 0; i < messages.length; i++) {
    const prev = messages[i - 1];
    const prevUses = prev ? blocksOf(prev.content).filter((b) => b.type === 'tool_use').length : 0;
    if (prevUses === 0 && blocksOf(messages[i].content).some((b) => b.type === 'tool_result')) {
      problems.push(`message ${i} has tool_result blocks but the previous message has no tool_use`);
    }
  }

  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) problems.push('tools must be an array');
    else
      for (const t of body.tools) {
        if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name))
          problems.push(`bad tool name ${t.name}`);
        if (t.input_schema?.type !== 'object')
          problems.push(`tool ${t.name}: input_schema.type must be "object"`);
      }
  }
  return problems;
}
