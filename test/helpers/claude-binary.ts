// The Claude Code CLI the /claude tests run: the platform package's native binary from this
// checkout's node_modules. `node_modules/.bin/claude` is only a placeholder until the package's
// postinstall runs, and package.json's allowScripts keeps that postinstall from running.

import { join } from 'node:path';
import { binaryInInstall } from '../../agents/claude/claude-binary.js';

const repoRoot = join(import.meta.dirname, '..', '..');

/** Absolute path of the native `claude` binary; throws naming the package when npm did not install it. */
export function claudeBinaryForTests(): string {
  const bin = binaryInInstall(repoRoot);
  if (!bin)
    throw new Error(
      `no Claude Code binary for ${process.platform}-${process.arch} in node_modules/@anthropic-ai: run npm ci`,
    );
  return bin;
}
