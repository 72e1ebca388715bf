// A Sandbox seen through its holder: every call goes through `around` (a lease counts calls in
// flight; a run child passes them straight on), and stop/delete are the holder's, so that giving a
// sandbox up also gives its capacity slot back. Of the optional members only the interpreter
// contexts (createContext/deleteContext) are passed on.

import type { Sandbox } from './provider.js';

export interface SandboxViewHooks {
  /** Wraps every call but stop/delete; default: call it as is. */
  around?<T>(call: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
  delete(): Promise<void>;
}

export function sandboxView(s: Sandbox, hooks: SandboxViewHooks): Sandbox {
  const run = <T>(call: () => Promise<T>): Promise<T> => (hooks.around ? hooks.around(call) : call());
  return {
    id: s.id,
    workdir: s.workdir,
    exec: (cmd, opts) => run(() => s.exec(cmd, opts)),
    runCode: (code, opts) => run(() => s.runCode(code, opts)),
    startProcess: (cmd, opts) => run(() => s.startProcess(cmd, opts)),
    writeFile: (path, data) => run(() => s.writeFile(path, data)),
    readFile: (path) => run(() => s.readFile(path)),
    listFiles: (path) => run(() => s.listFiles(path)),
    previewUrl: (port, opts) => run(() => s.previewUrl(port, opts)),
    ...(s.createContext ? { createContext: () => run(() => s.createContext!()) } : {}),
    ...(s.deleteContext ? { deleteContext: (context: string) => s.deleteContext!(context) } : {}),
    stop: () => hooks.stop(),
    delete: () => hooks.delete(),
  };
}
