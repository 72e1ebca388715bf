// A Sandbox seen through its holder: every call goes through `around` (a lease counts calls in
// flight; a run child passes them straight on), and stop/delete are the holder's, so that giving a
// sandbox up also gives its capacity slot back. Of the optional members the interpreter contexts
// (createContext/deleteContext), PTY sessions and inside listeners are passed on; a PTY session
// counts as a call in flight until it ends, so a long CLI run keeps its sandbox busy.

import type { PtyCreateOptions, PtyHandle, Sandbox } from './provider.js';

export interface SandboxViewHooks {
  /** Wraps every call but stop/delete; default: call it as is. */
  around?<T>(call: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
  delete(): Promise<void>;
}

export function sandboxView(s: Sandbox, hooks: SandboxViewHooks): Sandbox {
  const run = <T>(call: () => Promise<T>): Promise<T> => (hooks.around ? hooks.around(call) : call());
  const createPty = (open: (o: PtyCreateOptions) => Promise<PtyHandle>) => (o: PtyCreateOptions) =>
    new Promise<PtyHandle>((resolve, reject) => {
      void run(async () => {
        const handle = await open(o).catch((err: unknown) => {
          reject(err);
          return undefined;
        });
        if (!handle) return;
        resolve(handle);
        await handle.wait();
      });
    });
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
    ...(s.createPty ? { createPty: createPty((o) => s.createPty!(o)) } : {}),
    ...(s.listenInside ? { listenInside: (onConnection) => run(() => s.listenInside!(onConnection)) } : {}),
    stop: () => hooks.stop(),
    delete: () => hooks.delete(),
  };
}
