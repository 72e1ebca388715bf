import { describe, expect, it } from 'vitest';
import {
  displayPath,
  globToRegExp,
  resolveInWorkspace,
  shellQuote,
} from '../../../agents/coding/workspace-paths.js';

describe('workspace paths', () => {
  it('resolves relative and absolute paths inside the workspace', () => {
    expect(resolveInWorkspace('/workspace', 'index.html')).toBe('/workspace/index.html');
    expect(resolveInWorkspace('/workspace', './src/../app.js')).toBe('/workspace/app.js');
    expect(resolveInWorkspace('/workspace', '/workspace/a/b.txt')).toBe('/workspace/a/b.txt');
    expect(displayPath('/workspace', '/workspace/a/b.txt')).toBe('a/b.txt');
  });

  it('refuses paths that leave the workspace', () => {
    expect(() => resolveInWorkspace('/workspace', '../etc/passwd')).toThrow(/outside the workspace/);
    expect(() => resolveInWorkspace('/workspace', '/etc/passwd')).toThrow(/outside the workspace/);
    expect(() => resolveInWorkspace('/workspace', '/workspace-other/x')).toThrow(/outside the workspace/);
  });

  it('matches globs like a shell', () => {
    expect(globToRegExp('**/*.js').test('a/b/c.js')).toBe(true);
    expect(globToRegExp('**/*.js').test('c.js')).toBe(true);
    expect(globToRegExp('*.js').test('a/c.js')).toBe(false);
    expect(globToRegExp('src/*.{ts,tsx}').test('src/x.tsx')).toBe(true);
    expect(globToRegExp('src/*.{ts,tsx}').test('src/x.js')).toBe(false);
    expect(globToRegExp('file?.txt').test('file1.txt')).toBe(true);
  });

  it('quotes shell arguments', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
