import { describe, expect, it } from 'vitest';
import { chunkText } from '../../src/gateway/chunk.js';

const fenceLines = (s: string) => s.split('\n').filter((l) => /^\s*```/.test(l)).length;

/** Deterministic pseudo-random generator so a failure can be reproduced. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function randomReply(rand: () => number): string {
  const parts: string[] = [];
  const n = 3 + Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.35) {
      const body = Array.from(
        { length: 1 + Math.floor(rand() * 30) },
        (_, j) => `  line ${j} ${'x'.repeat(Math.floor(rand() * 90))}`,
      );
      parts.push(['```python', ...body, '```'].join('\n'));
    } else {
      parts.push(Array.from({ length: 1 + Math.floor(rand() * 60) }, () => 'word').join(' '));
    }
  }
  return parts.join('\n\n');
}

describe('chunkText', () => {
  it('returns short text unchanged and empty text as no chunks', () => {
    expect(chunkText('hello', 4096)).toEqual(['hello']);
    expect(chunkText('', 4096)).toEqual([]);
  });

  it('keeps every chunk within the limit and every code fence balanced', () => {
    const rand = rng(42);
    for (let round = 0; round < 200; round++) {
      const text = randomReply(rand);
      const max = 40 + Math.floor(rand() * 400);
      const chunks = chunkText(text, max);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(max);
        expect(fenceLines(chunk) % 2).toBe(0);
      }
    }
  });

  it('reopens a split code block with its language so each piece renders as code', () => {
    const code = Array.from({ length: 40 }, (_, i) => `print(${i})`).join('\n');
    const chunks = chunkText(`Here:\n\`\`\`python\n${code}\n\`\`\`\nDone.`, 120);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks.slice(1, -1)) expect(chunk.startsWith('```python\n')).toBe(true);
    const body = chunks.join('\n').match(/print\(\d+\)/g);
    expect(body).toHaveLength(40); // nothing lost, nothing duplicated
  });

  it('splits prose at spaces and never loses words', () => {
    const words = Array.from({ length: 500 }, (_, i) => `w${i}`);
    const chunks = chunkText(words.join(' '), 100);
    expect(chunks.join('').replace(/\s+/g, ' ').trim().split(' ')).toEqual(words);
  });

  it('hard-splits a single huge line without breaking surrogate pairs', () => {
    const line = '😀'.repeat(300);
    const chunks = chunkText(line, 101);
    expect(chunks.join('')).toBe(line);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(101);
  });

  it('never emits a chunk without content, e.g. a fence opened right before a line over the limit', () => {
    const hasContent = (c: string) =>
      c.split('\n').some((l) => l.trim() !== '' && !/^\s*(`{3,}|~{3,})[\w+-]*\s*$/.test(l));
    const long = 'x'.repeat(300);
    for (const text of [
      `intro\n\`\`\`\n${long}\n\`\`\`\nend`,
      `\`\`\`python\n${long}\n\`\`\``,
      `a\n\n\`\`\`\n\n${long}\n\`\`\``,
      '```\n```',
    ]) {
      for (let max = 16; max < 120; max += 7) {
        const chunks = chunkText(text, max);
        for (const c of chunks) {
          expect(hasContent(c), JSON.stringify({ max, c })).toBe(true);
          expect(fenceLines(c) % 2).toBe(0);
        }
        expect(chunks.join('').replace(/[^x]/g, '')).toBe(text.replace(/[^x]/g, ''));
      }
    }
  });

  it('keeps astral characters whole at every chunk boundary, inside and outside code blocks', () => {
    const isWellFormed = (s: string) =>
      !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
    const prose = `a${'😀'.repeat(40)} ${'𝄞'.repeat(25)}`;
    const fenced = `\`\`\`\n${'🎉'.repeat(50)}\n\`\`\``;
    for (const text of [prose, fenced, `x${prose}`, `x${fenced}`]) {
      for (let max = 16; max <= 60; max++) {
        const chunks = chunkText(text, max);
        for (const c of chunks) {
          expect(c.length).toBeLessThanOrEqual(max);
          expect(isWellFormed(c), JSON.stringify({ max, c })).toBe(true);
        }
        const emoji = (s: string) => [...s].filter((ch) => ch.length === 2).join('');
        expect(emoji(chunks.join(''))).toBe(emoji(text));
      }
    }
  });
});
