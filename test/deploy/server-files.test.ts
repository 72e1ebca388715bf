// deploy/sandgate.service and deploy/Dockerfile: the unit passes `systemd-analyze verify` (CI
// installs systemd) and keeps the hardening that matters without the options that would break
// bubblewrap; the Dockerfile passes dockerfile-utils' validator (no Docker engine runs here, so it
// is not built) and has the shape the README promises: multi-stage, non-root, state on a volume.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationSeverity, type ValidatorSettings, validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const UNIT = join(REPO, 'deploy', 'sandgate.service');
const DOCKERFILE = join(REPO, 'deploy', 'Dockerfile');

/** `Key=value` lines of a unit file, per section (comments and blank lines dropped). */
function unitKeys(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    current.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return sections;
}

describe('deploy/sandgate.service', () => {
  it('runs as a dedicated user, restarts on failure, is hardened, and leaves bubblewrap its namespaces and /proc', () => {
    const service = unitKeys(readFileSync(UNIT, 'utf8')).get('Service')!;
    expect(service.get('User')).toBe('sandgate');
    expect(service.get('Restart')).toBe('on-failure');
    expect(service.get('StateDirectory')).toBe('sandgate');
    expect(readFileSync(UNIT, 'utf8')).toContain('Environment=SANDGATE_HOME=/var/lib/sandgate');
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['CapabilityBoundingSet', ''],
    ])
      expect(service.get(key!), key).toBe(value);
    // What bwrap needs: its namespaces, mount(2), netlink for the sandbox's loopback.
    for (const ns of ['user', 'pid', 'ipc', 'uts', 'net', 'mnt'])
      expect(service.get('RestrictNamespaces')).toContain(ns);
    expect(service.get('SystemCallFilter')).toContain('@mount');
    expect(service.get('RestrictAddressFamilies')).toContain('AF_NETLINK');
    // Options that would break it (or Node's JIT) are absent.
    for (const key of [
      'ProtectKernelTunables',
      'ProtectKernelLogs',
      'ProtectProc',
      'ProcSubset',
      'PrivateUsers',
      'MemoryDenyWriteExecute',
    ])
      expect(service.has(key), key).toBe(false);

    // systemd's own check, where systemd is installed (CI installs it: .ci/run).
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    if (which.status === 0) {
      const verify = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
      expect(`${verify.stdout}${verify.stderr}`.trim()).toBe('');
      expect(verify.status).toBe(0);
    }
  });
});

describe('deploy/Dockerfile', () => {
  const text = readFileSync(DOCKERFILE, 'utf8');
  const E = ValidationSeverity.ERROR;
  const strict: ValidatorSettings = {
    deprecatedMaintainer: E,
    directiveCasing: E,
    emptyContinuationLine: E,
    instructionCasing: E,
    instructionCmdMultiple: E,
    instructionEntrypointMultiple: E,
    instructionHealthcheckMultiple: E,
    instructionJSONInSingleQuotes: E,
    instructionWorkdirRelative: E,
  };

  it('passes the linter, which does catch a broken Dockerfile', () => {
    expect(validate(text, strict).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    const broken = `${text}\nHEALTHCHECK CMD true\ncopy --from=build /app ./\n`;
    expect(validate(broken, strict).length).toBeGreaterThan(0);
  });

  it('is multi-stage, runs as a non-root user with SANDGATE_HOME on a volume, and checks /healthz', () => {
    const lines = text.split('\n').filter((l) => !l.trim().startsWith('#'));
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const runtime = lines.slice(lines.indexOf(froms.at(-1)!));
    const user = runtime
      .find((l) => l.startsWith('USER '))
      ?.slice(5)
      .trim();
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const home = /SANDGATE_HOME=(\S+)/.exec(runtime.join('\n'))?.[1];
    expect(home).toBeDefined();
    expect(runtime.find((l) => l.startsWith('VOLUME '))).toContain(home);
    expect(runtime.join('\n')).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(runtime.some((l) => l.startsWith('COPY --from=build'))).toBe(true);
  });
});
