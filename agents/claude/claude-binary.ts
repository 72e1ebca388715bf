// Where the Claude Code CLI is on the gateway machine: `agents.claude.bin` (SANDGATE_CLAUDE_BIN), else
// what `sandgate setup claude-code` installed under $SANDGATE_HOME/tools. The package ships a native
// executable per platform; a missing or non-executable file is reported, never guessed around.

import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** The version `sandgate setup claude-code` installs (and the tests run). */
export const CLAUDE_CODE_VERSION = '2.1.332';
export const CLAUDE_CODE_PACKAGE = '@anthropic-ai/claude-code';
/** The exact command a user is told to run when no binary is configured. */
export const SETUP_COMMAND = 'sandgate setup claude-code';
/** Where local sandboxes see the binary (bind-mounted read-only). */
export const SANDBOX_CLAUDE_PATH = '/opt/sandgate-tools/claude';

export function toolsDir(home: string): string {
  return join(home, 'tools');
}

export type ClaudeBinary =
  | { state: 'found'; path: string; from: 'config' | 'tools' }
  | { state: 'missing' }
  /** Configured, but the file is not there or not executable. */
  | { state: 'broken'; path: string; reason: string };

function isElfOrScript(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) || head.subarray(0, 2).toString() === '#!';
  } finally {
    closeSync(fd);
  }
}

function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return isElfOrScript(path) ? undefined : 'it is not an executable program';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'it is not executable';
  }
}

/**
 * The native binary inside an npm install of the package: the platform package's `claude`
 * (`@anthropic-ai/claude-code-linux-x64/claude`, …), else the wrapper's `bin/claude.exe` once its
 * postinstall has copied the binary over the placeholder.
 */
export function binaryInInstall(prefix: string): string | undefined {
  const scope = join(prefix, 'node_modules', '@anthropic-ai');
  const platform = `claude-code-${process.platform}-${process.arch}`;
  let names: string[] = [];
  try {
    names = readdirSync(scope).filter((n) => n === platform || n.startsWith(`${platform}-`));
  } catch {
    return undefined;
  }
  for (const name of names.sort()) {
    const bin = join(scope, name, 'claude');
    if (existsSync(bin) && !executable(bin)) return bin;
  }
  const wrapper = join(scope, 'claude-code', 'bin', 'claude.exe');
  return existsSync(wrapper) && !executable(wrapper) ? wrapper : undefined;
}

export function findClaudeBinary(o: { configured?: string; home: string }): ClaudeBinary {
  if (o.configured) {
    const reason = executable(o.configured);
    return reason
      ? { state: 'broken', path: o.configured, reason }
      : { state: 'found', path: o.configured, from: 'config' };
  }
  const installed = binaryInInstall(toolsDir(o.home));
  return installed ? { state: 'found', path: installed, from: 'tools' } : { state: 'missing' };
}

/** The reply to /claude when there is no usable binary. */
export function notInstalledReply(bin: Exclude<ClaudeBinary, { state: 'found' }>): string {
  const why =
    bin.state === 'broken'
      ? `agents.claude.bin (SANDGATE_CLAUDE_BIN) points at ${bin.path}, but ${bin.reason}.`
      : 'Claude Code is not installed on the gateway machine.';
  return [
    why,
    'Install it with:',
    `  ${SETUP_COMMAND}`,
    'or set agents.claude.bin (SANDGATE_CLAUDE_BIN) to a claude binary.',
  ].join('\n');
}
