// `sandgate setup claude-code`: installs the pinned Claude Code CLI for /claude with npm under
// $SANDGATE_HOME/tools (or --prefix DIR, then recorded as agents.claude.bin), and checks that its
// native binary runs. Fails with npm's exit code explained, never half-configured.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  binaryInInstall,
  CLAUDE_CODE_PACKAGE,
  CLAUDE_CODE_VERSION,
  toolsDir,
} from '../../../agents/claude/claude-binary.js';
import { configFileSet } from '../../config/config-file.js';
import { findOnPath } from '../../sandbox/providers/local/host-dirs.js';
import { CliError, type RegisterCommands } from '../cli-env.js';

function npmInstall(npm: string, prefix: string): Promise<number> {
  const args = [
    'install',
    '--prefix',
    prefix,
    '--no-fund',
    '--no-audit',
    `${CLAUDE_CODE_PACKAGE}@${CLAUDE_CODE_VERSION}`,
  ];
  return new Promise((done, fail) => {
    // A program, not state: readable by the sandbox user (the CLI runs owner-only, umask 077).
    const umask = process.umask(0o022);
    // npm's progress and errors go straight to the user's terminal (stderr, so stdout stays ours).
    const child = spawn(npm, args, { stdio: ['ignore', 2, 2] });
    process.umask(umask);
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
}

export const registerSetupCommands: RegisterCommands = (program, env) => {
  const setup = program.command('setup').description('install optional tools');
  setup
    .command('claude-code')
    .description(`install Claude Code ${CLAUDE_CODE_VERSION} for /claude (npm, under $SANDGATE_HOME/tools)`)
    .option('--prefix <dir>', 'install there instead, and set agents.claude.bin to it')
    .action(async (opts: { prefix?: string }) => {
      const npm = await findOnPath('npm');
      if (!npm) throw new CliError('npm was not found: install Node.js with npm, then run this again', 1);
      const prefix = opts.prefix ? resolve(opts.prefix) : toolsDir(env.home);
      mkdirSync(prefix, { recursive: true });
      env.out(`Installing ${CLAUDE_CODE_PACKAGE}@${CLAUDE_CODE_VERSION} into ${prefix} …`);
      const code = await npmInstall(npm, prefix);
      if (code !== 0) throw new CliError(`npm install failed (exit code ${code}); see its output above`, 1);
      const bin = binaryInInstall(prefix);
      if (!bin)
        throw new CliError(
          `npm installed the package, but no Claude Code binary for ${process.platform}-${process.arch} is in it`,
          1,
        );
      const ran = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      if (ran.status !== 0)
        throw new CliError(`${bin} does not run: ${(ran.stderr || ran.error?.message || '').trim()}`, 1);
      if (opts.prefix) configFileSet(env.home, 'agents.claude.bin', bin);
      env.out(`Installed ${ran.stdout.trim()} at ${bin}`);
      const configured = env.config().agents.claude.bin;
      if (!opts.prefix && configured)
        env.out(
          `Note: agents.claude.bin (${configured}) is set and is used instead; unset it to use this one.`,
        );
      env.out(
        `/claude uses it from the next run (a running gateway needs no restart). Check: sandgate doctor`,
      );
    });
};
