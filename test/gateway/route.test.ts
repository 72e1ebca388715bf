// The routing step on its own: what a message is (command, unknown command, agent text), which
// agent answers text, and how an agent command's flags are read — each decided in one place.

import { describe, expect, it } from 'vitest';
import type { Agent } from '../../agents/agent.js';
import { parseFlags } from '../../src/gateway/agent-commands.js';
import { classify } from '../../src/gateway/classify.js';
import { type Command, CommandRegistry } from '../../src/gateway/commands.js';
import { chooseAgent, route } from '../../src/gateway/route.js';

const command = (name: string, mode: Command['mode']): Command => ({
  name,
  summary: `${name} things`,
  mode,
  run: async () => ({ text: name }),
});

const registry = () =>
  new CommandRegistry().register(command('sh', 'lane')).register(command('status', 'immediate'));

describe('route', () => {
  it('finds a registered command (bot suffix and case ignored), an unknown one, or text for the agent', () => {
    const commands = registry();
    expect(route('/SH@my_bot  ls -la\n', commands)).toEqual({
      kind: 'command',
      command: commands.get('sh'),
      args: 'ls -la',
    });
    expect(route('/frobnicate now', commands)).toEqual({ kind: 'unknown-command', name: 'frobnicate' });
    expect(route('please fix /etc/hosts', commands)).toEqual({
      kind: 'agent',
      text: 'please fix /etc/hosts',
    });
  });

  it('classifies: immediate commands answer at once, lane commands and text queue with their route', () => {
    const rules = { commands: registry(), attachmentLimit: 1000 };
    const allow = { allow: true } as const;
    const msg = (text: string) => ({ text, attachments: [] });
    expect(classify(msg('/status'), allow, rules)).toMatchObject({ kind: 'immediate', args: '' });
    expect(classify(msg('/sh echo hi'), allow, rules)).toMatchObject({
      kind: 'queue',
      target: { kind: 'command', args: 'echo hi' },
    });
    expect(classify(msg('hello'), allow, rules)).toEqual({
      kind: 'queue',
      target: { kind: 'agent', text: 'hello' },
    });
    const unknown = classify(msg('/rlm task'), allow, rules);
    expect(unknown).toMatchObject({ kind: 'settle', state: 'rejected', outcome: 'unknown_command' });
    expect(unknown.kind === 'settle' && unknown.reply?.text).toMatch(
      /^Unknown command \/rlm\.\n\nCommands:\n\/sh/,
    );
    const big = classify({ text: 'look', attachments: [{ name: 'a.csv', size: 2000 }] }, allow, rules);
    expect(big).toMatchObject({ kind: 'settle', reason: 'attachment too large' });
  });

  it('picks the agent for text: the conversation’s choice, then a claimant of the files, then the default', () => {
    const agents = [
      { name: 'coding', run: async () => ({ text: '' }) },
      { name: 'analysis', run: async () => ({ text: '' }), claimsAttachments: () => true },
    ] satisfies Agent[];
    const csv = { attachments: [{ name: 'a.csv', mime: 'text/csv', size: 1 }] };
    expect(chooseAgent({ attachments: [] }, undefined, agents, 'coding')).toBe('coding');
    expect(chooseAgent(csv, undefined, agents, 'coding')).toBe('analysis');
    expect(chooseAgent(csv, 'coding', agents, 'coding')).toBe('coding');
    expect(chooseAgent({ attachments: [] }, undefined, agents, 'analysis')).toBe('analysis');
  });
});

describe('agent command flags', () => {
  const code = { name: 'code', usage: 'code [--team] TASK', flags: { team: 'boolean' } } as const;
  const rlm = { name: 'rlm', usage: 'rlm [--repo URL|PATH] TASK', flags: { repo: 'string' } } as const;

  it('reads the declared flags before the task and keeps the task as written', () => {
    expect(parseFlags('--team build a\n  counter page', code)).toEqual({
      text: 'build a\n  counter page',
      options: { team: true },
    });
    expect(parseFlags('--team=false fix it', code)).toEqual({ text: 'fix it', options: { team: false } });
    expect(parseFlags('fix --team later', code)).toEqual({ text: 'fix --team later', options: {} });
    expect(parseFlags('--repo https://x.test/r.git explain it', rlm)).toEqual({
      text: 'explain it',
      options: { repo: 'https://x.test/r.git' },
    });
    expect(parseFlags('--repo=./src', rlm)).toEqual({ text: '', options: { repo: './src' } });
  });

  it('answers an undeclared flag, a bad switch or a missing value with the usage', () => {
    expect(parseFlags('--taem build it', code)).toBe(
      '/code has no option --taem. Usage: /code [--team] TASK',
    );
    expect(parseFlags('--team=maybe x', code)).toMatch(
      /^--team is on or off .* Usage: \/code \[--team\] TASK$/,
    );
    expect(parseFlags('--repo', rlm)).toBe('--repo needs a value. Usage: /rlm [--repo URL|PATH] TASK');
  });
});

describe('the command registry', () => {
  it('refuses a name a channel menu would reject, and a name registered twice', () => {
    const commands = registry();
    expect(() => commands.register(command('Run-It', 'lane'))).toThrow(/must be 1-32 of a-z, 0-9 and _/);
    expect(() => commands.register(command('sh', 'lane'))).toThrow(/registered twice/);
  });
});
