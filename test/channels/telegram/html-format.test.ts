// Agent text → Telegram HTML: whatever the model writes, the result must parse (checked with the
// fake's reading of Telegram's rules) and show the user the text they were meant to see.

import { describe, expect, it } from 'vitest';
import { toTelegramHtml } from '../../../channels/telegram/html-format.js';
import { renderHtml } from '../../fakes/telegram/html-entities.js';

function shown(text: string): string {
  const r = renderHtml(toTelegramHtml(text));
  if ('error' in r) throw new Error(`Telegram would refuse ${JSON.stringify(text)}: ${r.error}`);
  return r.text;
}

describe('toTelegramHtml', () => {
  it('escapes <, > and & outside code', () => {
    expect(toTelegramHtml('1 < 2 & 3 > 2')).toBe('1 &lt; 2 &amp; 3 &gt; 2');
  });

  it('turns fences into <pre><code> with the language, and inline code into <code>', () => {
    expect(toTelegramHtml('see:\n```python\nprint("<hi>")\n```\nand `a<b`')).toBe(
      'see:\n<pre><code class="language-python">print("&lt;hi&gt;")</code></pre>\nand <code>a&lt;b</code>',
    );
  });

  it('runs an unclosed fence (a chunk split inside a code block) to the end', () => {
    expect(toTelegramHtml('```\nline 1\nline <2>')).toBe('<pre><code>line 1\nline &lt;2&gt;</code></pre>');
  });

  it('renders bold and http(s) links, leaving other brackets alone', () => {
    expect(
      toTelegramHtml('**done** see [docs](https://example.com/a?b=1&c="2") [x](javascript:alert(1))'),
    ).toBe(
      '<b>done</b> see <a href="https://example.com/a?b=1&amp;c=&quot;2&quot;">docs</a> [x](javascript:alert(1))',
    );
  });

  it('always produces HTML Telegram accepts, showing the intended text', () => {
    const cases: [string, string][] = [
      ['<script>alert(1)</script>', '<script>alert(1)</script>'],
      ['a ``` b', 'a  b'],
      ['``````', ''],
      ['`unclosed <b> tick', '`unclosed <b> tick'],
      ['**<i>**', '<i>'],
      ['&amp; &lt; &#65;', '&amp; &lt; &#65;'],
      ['```js\n</code></pre>\n```', '</code></pre>'],
      ['[a](https://x.y/<z>)', 'a'],
    ];
    for (const [input, expected] of cases) expect(shown(input)).toBe(expected);
  });
});
