// The host-safety part of `sandgate doctor`: which whole-sandbox limits this machine enforces (and
// why not, when it cannot), and whether the state dir is owner-only. Both are warnings, not failures.

import { stateModeProblems } from '../../config/private-state.js';
import type { Config } from '../../config/schema.js';
import { checkContainment } from '../../sandbox/providers/local/containment.js';
import type { Check } from './doctor.js';

const LABEL = {
  memory: 'sandbox memory limit',
  processes: 'sandbox process limit',
  cpu: 'sandbox CPU limit',
  disk: 'sandbox disk limit',
  cleanup: 'sandbox cleanup',
} as const;

export async function containmentChecks(config: Config): Promise<Check[]> {
  const l = config.sandbox.local;
  const status = await checkContainment({
    memoryMb: l.memoryMb,
    maxProcesses: l.maxProcesses,
    cpus: l.cpus,
    diskMb: l.diskMb,
    maxFileMb: l.maxFileMb,
  });
  return status.map((s) => ({
    name: LABEL[s.limit],
    level: s.enforced ? 'ok' : 'warn',
    detail: s.detail,
    ...(s.fix ? { fix: s.fix } : {}),
  }));
}

const octal = (mode: number) => `0${mode.toString(8)}`;

export function stateModeChecks(home: string): Check[] {
  let problems: ReturnType<typeof stateModeProblems>;
  try {
    problems = stateModeProblems(home);
  } catch (err) {
    return [
      { name: 'state file modes', level: 'warn', detail: `cannot check ${home}: ${(err as Error).message}` },
    ];
  }
  if (!problems.length)
    return [
      {
        name: 'state file modes',
        level: 'ok',
        detail: `${home} is owner-only (directories 0700, files 0600)`,
      },
    ];
  const shown = problems
    .slice(0, 5)
    .map((p) => `${p.path} ${octal(p.mode)} (want ${octal(p.want)})`)
    .join(', ');
  return [
    {
      name: 'state file modes',
      level: 'warn',
      detail: `${problems.length} path${problems.length === 1 ? '' : 's'} in the state dir other users may read or enter: ${shown}${problems.length > 5 ? ', …' : ''}`,
      fix: `start the gateway (it makes them owner-only), or \`chmod -R go= ${home}\``,
    },
  ];
}
