// `sandgate doctor`'s line for /claude: is there a Claude Code binary (agents.claude.bin or what
// `sandgate setup claude-code` installed), does it run, and can the sandbox user reach it.

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { CLAUDE_CODE_VERSION, findClaudeBinary, SETUP_COMMAND } from '../../../agents/claude/index.js';
import type { Config } from '../../config/schema.js';
import { sandboxProviderKind } from '../../sandbox/factory.js';
import { sandboxRunAs } from '../../sandbox/providers/local/host-dirs.js';
import type { Check } from './doctor.js';

export function claudeCodeCheck(config: Config): Check {
  const name = 'claude code (/claude)';
  const bin = findClaudeBinary({ configured: config.agents.claude.bin, home: config.home });
  if (bin.state === 'missing')
    return {
      name,
      level: 'warn',
      detail: 'not installed: /claude answers with how to install it',
      fix: SETUP_COMMAND,
    };
  if (bin.state === 'broken')
    return {
      name,
      level: 'warn',
      detail: `agents.claude.bin is ${bin.path}, but ${bin.reason}`,
      fix: `point agents.claude.bin (SANDGATE_CLAUDE_BIN) at a claude binary, or unset it and run ${SETUP_COMMAND}`,
    };
  const ran = spawnSync(bin.path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  const version = ran.status === 0 ? ran.stdout.trim() : undefined;
  if (!version)
    return {
      name,
      level: 'warn',
      detail: `${bin.path} does not run (${ran.error?.message ?? `exit code ${ran.status}`})`,
      fix: SETUP_COMMAND,
    };
  const from = bin.from === 'config' ? 'agents.claude.bin' : `installed by ${SETUP_COMMAND}`;
  const runAs =
    sandboxProviderKind(config) === 'local'
      ? sandboxRunAs(config.sandbox.local.isolation, {
          uid: config.sandbox.local.runAsUid,
          gid: config.sandbox.local.runAsGid,
        })
      : undefined;
  // Directories in the way are bridged (the share); the file's own mode is not.
  if (runAs && (statSync(bin.path).mode & 0o005) !== 0o005)
    return {
      name,
      level: 'warn',
      detail: `${version} at ${bin.path} (${from}), but sandboxes run as uid ${runAs.uid}, which may not read and run it`,
      fix: `chmod o+rx ${bin.path}`,
    };
  const pinned = version.startsWith(CLAUDE_CODE_VERSION)
    ? ''
    : ` (sandgate is tested with ${CLAUDE_CODE_VERSION})`;
  return { name, level: 'ok', detail: `${version} at ${bin.path} (${from})${pinned}` };
}
