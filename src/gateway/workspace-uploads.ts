// Files a person sends are kept in the conversation's sandbox (`uploads/`) before any agent runs, so
// they are there for /sh, /files and the next message even when no agent can use them now (no model
// configured, an agent that ignores files). Saving is best effort: a failure is logged and the agent
// still gets the files through fetch().

import type { Logger } from 'pino';
import type { TaskFile } from '../../agents/agent.js';
import type { Sandbox } from '../sandbox/provider.js';

export const UPLOADS_DIR = 'uploads';

/**
 * Writes each file to `uploads/<name>` (names are already safe basenames, see normalise-inbound.ts;
 * a name repeated in one message gets `-2`, `-3` …). Returns the files with `sandboxPath` set for
 * those saved, and `fetch` remembering the bytes so an agent does not download them again.
 */
export async function saveToWorkspace(
  files: TaskFile[],
  sandbox: () => Promise<Sandbox>,
  log: Logger,
): Promise<TaskFile[]> {
  if (files.length === 0) return files;
  let box: Sandbox;
  try {
    box = await sandbox();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'attachments not saved: no sandbox');
    return files;
  }
  const used = new Set<string>();
  const out: TaskFile[] = [];
  for (const file of files) {
    const name = uniqueName(file.name, used);
    const path = `${UPLOADS_DIR}/${name}`;
    let data: Buffer | undefined;
    const fetch = async () => {
      data ??= await file.fetch();
      return data;
    };
    try {
      await box.writeFile(path, await fetch());
      out.push({ ...file, fetch, sandboxPath: path });
    } catch (err) {
      log.warn({ err: (err as Error).message, file: name }, 'attachment not saved in the sandbox');
      out.push({ ...file, fetch });
    }
  }
  return out;
}

/** One line for the reply: where the files are now. */
export function savedNote(files: TaskFile[]): string | undefined {
  const paths = files.flatMap((f) => (f.sandboxPath ? [f.sandboxPath] : []));
  if (paths.length === 0) return undefined;
  return `📎 Saved in this chat's sandbox: ${paths.join(', ')}`;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; used.has(candidate); n++) candidate = `${stem}-${n}${ext}`;
  used.add(candidate);
  return candidate;
}
