// Claude Code's stream-json as it comes off a terminal: lines split across chunks, `\r\n` line ends,
// escape sequences, the shell's echo, sub-agent steps, and the status line each tool use becomes.

import { describe, expect, it } from 'vitest';
import { type CliEvent, StreamJsonReader } from '../../../agents/claude/stream-json.js';
import { changedFile, toolStatus } from '../../../agents/claude/tool-status.js';

const enc = (s: string) => new TextEncoder().encode(s);
const line = (o: object) => `${JSON.stringify(o)}\r\n`;

describe('stream-json from a PTY', () => {
  it('turns chunks into events: init, tool uses, text, result; other lines kept for diagnostics', () => {
    const events: CliEvent[] = [];
    const r = new StreamJsonReader((e) => events.push(e));
    const text = [
      '$ exec "$SANDGATE_CLAUDE_BIN" -p …\r\n',
      `\x1b]0;claude\x07${line({ type: 'system', subtype: 'init', session_id: 'abc', model: 'm' })}`,
      line({
        type: 'assistant',
        message: {
          content: [
            { type: 'text', text: 'On it.' },
            { type: 'tool_use', id: 't1', name: 'Write', input: { file_path: '/home/sandbox/a.txt' } },
          ],
        },
      }),
      line({
        type: 'assistant',
        parent_tool_use_id: 't9',
        message: { content: [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'sub' } }] },
      }),
      line({ type: 'user', message: { role: 'user', content: [] } }),
      '\x1b[31mwarning: something\x1b[0m\r\n',
      line({ type: 'result', subtype: 'success', is_error: false, result: 'All done.', session_id: 'abc' }),
    ].join('');
    const bytes = enc(text);
    for (let i = 0; i < bytes.length; i += 7) r.push(bytes.subarray(i, i + 7));
    r.end();
    expect(events).toEqual([
      { type: 'init', sessionId: 'abc', model: 'm' },
      { type: 'text', text: 'On it.' },
      { type: 'tool_use', name: 'Write', input: { file_path: '/home/sandbox/a.txt' } },
      { type: 'result', text: 'All done.', isError: false, subtype: 'success', sessionId: 'abc' },
    ]);
    expect(r.other).toEqual(['$ exec "$SANDGATE_CLAUDE_BIN" -p …', 'warning: something']);
  });

  it('reports an error result and skips a line too long to hold', () => {
    const events: CliEvent[] = [];
    const r = new StreamJsonReader((e) => events.push(e));
    // A 9 MB line arriving in pieces, as a PTY delivers it, with a result whose text it would swallow.
    const long = enc(`{"type":"result","subtype":"success","result":"${'y'.repeat(9 * 1024 * 1024)}"}\n`);
    for (let i = 0; i < long.length; i += 1024 * 1024) r.push(long.subarray(i, i + 1024 * 1024));
    r.push(enc(line({ type: 'result', subtype: 'error_max_turns', errors: ['too many turns'] })));
    r.end();
    expect(events).toEqual([
      { type: 'result', text: 'too many turns', isError: true, subtype: 'error_max_turns' },
    ]);
  });

  it('words tool uses the way the chat shows them', () => {
    const wd = '/home/sandbox';
    expect(toolStatus('Write', { file_path: '/home/sandbox/index.html' }, wd)).toBe('Write index.html');
    expect(toolStatus('Bash', { command: 'npm test\nnpm run lint' }, wd)).toBe('Bash: npm test');
    expect(toolStatus('Grep', { pattern: 'TODO' }, wd)).toBe('Grep: TODO');
    expect(toolStatus('TodoWrite', { todos: [] }, wd)).toBe('TodoWrite');
    expect(changedFile('Edit', { file_path: '/home/sandbox/src/app.js' }, wd)).toBe('src/app.js');
    expect(changedFile('Read', { file_path: '/home/sandbox/a' }, wd)).toBeUndefined();
    expect(changedFile('Write', { file_path: '/tmp/x' }, wd)).toBeUndefined();
  });
});
