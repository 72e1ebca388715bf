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
});
