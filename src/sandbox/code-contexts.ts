// The named Python contexts of one sandbox (`default` for /py, one per conversation for analysis),
// each a CodeSession started on first use. Shared by both providers; only `start` differs.

import {
  CodeSession,
  type CodeSessionOptions,
  type DriverHandlers,
  type DriverTransport,
} from './code-session.js';

export interface CodeContextsOptions extends Omit<CodeSessionOptions, 'start'> {
  /** Starts the interpreter of the named context (a provider may track it per context). */
  start(handlers: DriverHandlers, context: string): Promise<DriverTransport>;
}

export class CodeContexts {
  private readonly sessions = new Map<string, CodeSession>();
  private created = 0;

  constructor(private readonly options: CodeContextsOptions) {}

  get(name = 'default'): CodeSession {
    let session = this.sessions.get(name);
    if (!session) {
      session = new CodeSession({ ...this.options, start: (h) => this.options.start(h, name) });
      this.sessions.set(name, session);
    }
    return session;
  }

  /** A new context with a name never used before, its interpreter started; resolves to that name. */
  async create(): Promise<string> {
    const name = `ctx-${++this.created}-${Date.now().toString(36)}`;
    await this.get(name).start();
    return name;
  }

  /** Ends one context's interpreter (a run in it ends as InterpreterDied); unknown names are a no-op. */
  async delete(name: string): Promise<void> {
    const session = this.sessions.get(name);
    if (!session) return;
    this.sessions.delete(name);
    await session.close();
  }

  /** Ends every interpreter (sandbox stopped or deleted); the next get() starts afresh. */
  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.close()));
  }
}
