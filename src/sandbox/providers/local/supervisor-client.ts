// The gateway's end of src/sandbox/runtime/supervisor.py: starts the sandbox (bwrap + supervisor), then
// multiplexes spawned processes, file requests and TCP tunnels over its stdin/stdout. Everything the
// supervisor says is validated; if it dies, pending work fails and `onExit` listeners are told.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { Logger } from 'pino';
import { cutText } from '../../../text/cut.js';
import { LineSplitter } from '../../driver-protocol.js';
import { type Frame, frameSchema, type ResultFrame, TunnelSocket } from './supervisor-protocol.js';

export interface SupervisorLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Descriptors handed to the child as fd 3, 4, …; closed in this process once it is spawned. */
  fds?: number[];
}

export interface ProcessLimits {
  as?: number;
  nproc?: number;
  fsize?: number;
  cpu?: number;
  nofile?: number;
}

export interface SpawnRequest {
  argv: string[];
  cwd?: string;
  env: Record<string, string>;
  limits?: ProcessLimits;
  stdin?: boolean;
  /** Bytes forwarded per stream (stdout, stderr) before the supervisor stops sending (0 = all). */
  maxOutput?: number;
  /** A server started on purpose: what it starts outlives its first process, until killed or the sandbox stops. */
  keep?: boolean;
  /**
   * Run on a new pseudo-terminal (its stdin/stdout/stderr and controlling tty): output arrives as
   * fd 1, `stdin()` types into it, `ptyResize()` resizes it.
   */
  pty?: { cols: number; rows: number };
}

export interface SpawnHandlers {
  onOutput(fd: 1 | 2, data: Buffer): void;
  /** `stray`: processes the command left running, stopped when it ended. */
  onExit(code: number | null, signal: string | null, stray: number): void;
  onTruncated?(fd: 1 | 2): void;
}

interface Pending<T> {
  resolve(v: T): void;
  reject(e: Error): void;
}

export class SupervisorClient {
  private readonly procs = new Map<string, SpawnHandlers>();
  private readonly spawning = new Map<string, Pending<number>>();
  private readonly requests = new Map<string, Pending<ResultFrame>>();
  private readonly tunnels = new Map<string, { socket: TunnelSocket; opened?: Pending<TunnelSocket> }>();
  private readonly listeners = new Map<string, (socket: TunnelSocket) => void>();
  private readonly exitListeners: ((reason: string) => void)[] = [];
  private seq = 0;
  private exited?: string;

  private constructor(
    private readonly child: ChildProcess,
    private readonly log: Logger,
  ) {}

  static start(launch: SupervisorLaunch, log: Logger, readyTimeoutMs = 20_000): Promise<SupervisorClient> {
    const child = spawn(launch.command, launch.args, {
      env: launch.env,
      cwd: launch.cwd,
      uid: launch.uid,
      gid: launch.gid,
      stdio: ['pipe', 'pipe', 'pipe', ...(launch.fds ?? [])],
    });
    for (const fd of launch.fds ?? []) closeSync(fd);
    const client = new SupervisorClient(child, log);
    return new Promise((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(() => {
        reject(new Error('sandbox did not start in time'));
        child.kill('SIGKILL');
      }, readyTimeoutMs);
      child.stderr?.on('data', (d: Buffer) => {
        if (stderr.length < 8192) stderr += d.toString('utf8');
        log.debug({ text: cutText(d.toString('utf8'), 2000) }, 'sandbox supervisor stderr');
      });
      const splitter = new LineSplitter((line) => {
        let frame: Frame;
        try {
          frame = frameSchema.parse(JSON.parse(line));
        } catch {
          log.debug({ line: cutText(line, 200) }, 'ignored a malformed supervisor line');
          return;
        }
        if (frame.ev === 'ready') {
          clearTimeout(timer);
          resolve(client);
        } else client.onFrame(frame);
      });
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (text: string) => splitter.push(text));
      child.stdin?.on('error', () => undefined);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
        client.onChildExit(`could not start: ${err.message}`);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
        reject(new Error(`sandbox failed to start (${reason}): ${cutText(stderr.trim(), 1000)}`));
        client.onChildExit(reason);
      });
    });
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  onExit(cb: (reason: string) => void): void {
    if (this.exited !== undefined) cb(this.exited);
    else this.exitListeners.push(cb);
  }

  spawn(req: SpawnRequest, handlers: SpawnHandlers): Promise<{ id: string; pid: number }> {
    if (this.exited !== undefined) return Promise.reject(new Error(`sandbox stopped (${this.exited})`));
    const id = `p${++this.seq}`;
    this.procs.set(id, handlers);
    return new Promise((resolve, reject) => {
      this.spawning.set(id, {
        resolve: (pid) => resolve({ id, pid }),
        reject: (e) => {
          this.procs.delete(id);
          reject(e);
        },
      });
      this.send({ op: 'spawn', id, ...req });
    });
  }

  stdin(id: string, data: string | Buffer): void {
    this.send({ op: 'stdin', id, data: Buffer.from(data).toString('base64') });
  }

  signal(id: string, sig: 'INT' | 'TERM' | 'KILL'): void {
    this.send({ op: 'signal', id, sig });
  }

  /** Resizes the terminal of a command spawned with `pty`. */
  ptyResize(id: string, cols: number, rows: number): void {
    this.send({ op: 'pty_resize', id, cols, rows });
  }

  /**
   * Listens on 127.0.0.1:<free port> inside the sandbox; each connection made there reaches
   * `onConnection` as a tunnel. Resolves to the port and a close() that stops accepting.
   */
  async listen(onConnection: (socket: TunnelSocket) => void): Promise<{ port: number; close(): void }> {
    const lid = `l${++this.seq}`;
    this.listeners.set(lid, onConnection);
    let port: number | undefined;
    try {
      port = (await this.request({ op: 'listen', lid })).port;
    } catch (err) {
      this.listeners.delete(lid);
      throw err;
    }
    if (!port) throw new Error('the sandbox reported no port for the listener');
    return {
      port,
      close: () => {
        if (this.listeners.delete(lid)) this.send({ op: 'unlisten', lid });
      },
    };
  }

  /** Stops what a long-lived command (a Python context) left running, sparing the command itself. */
  async reap(id: string): Promise<number> {
    return (await this.request({ op: 'reap', id })).stopped ?? 0;
  }

  async readFile(path: string, max: number): Promise<Buffer> {
    const r = await this.request({ op: 'read_file', path, max });
    return Buffer.from(r.data ?? '', 'base64');
  }

  async writeFile(path: string, data: Buffer): Promise<void> {
    await this.request({ op: 'write_file', path, data: data.toString('base64') });
  }

  async listFiles(path: string): Promise<{ path: string; size: number; isDir: boolean }[]> {
    return (await this.request({ op: 'list_files', path })).entries ?? [];
  }

  openTcp(port: number): Promise<TunnelSocket> {
    if (this.exited !== undefined) return Promise.reject(new Error(`sandbox stopped (${this.exited})`));
    const conn = `c${++this.seq}`;
    const socket = new TunnelSocket(
      conn,
      (obj) => this.send(obj),
      () => this.tunnels.delete(conn),
    );
    return new Promise((resolve, reject) => {
      this.tunnels.set(conn, { socket, opened: { resolve, reject } });
      this.send({ op: 'tcp_open', conn, port });
    });
  }

  /** Kill the whole sandbox: bwrap's PID namespace takes every process in it down. */
  async kill(): Promise<void> {
    if (this.exited !== undefined) return;
    const gone = new Promise<void>((res) => this.onExit(() => res()));
    this.child.kill('SIGKILL');
    await gone;
  }

  private send(obj: object): void {
    if (this.exited !== undefined) return;
    this.child.stdin?.write(`${JSON.stringify(obj)}\n`);
  }

  private request(obj: { op: string } & Record<string, unknown>): Promise<ResultFrame> {
    if (this.exited !== undefined)
      return Promise.reject(new Error(`sandbox is not running (${this.exited})`));
    const req = `r${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.requests.set(req, {
        resolve: (frame) => (frame.ok ? resolve(frame) : reject(new Error(frame.error ?? 'request failed'))),
        reject,
      });
      this.send({ ...obj, req });
    });
  }

  private onFrame(frame: Frame): void {
    switch (frame.ev) {
      case 'spawned':
        this.spawning.get(frame.id)?.resolve(frame.pid);
        this.spawning.delete(frame.id);
        return;
      case 'spawn_error':
        this.spawning.get(frame.id)?.reject(new Error(frame.message));
        this.spawning.delete(frame.id);
        return;
      case 'out':
        this.procs.get(frame.id)?.onOutput(frame.fd, Buffer.from(frame.data, 'base64'));
        return;
      case 'truncated':
        this.procs.get(frame.id)?.onTruncated?.(frame.fd);
        return;
      case 'exit': {
        const h = this.procs.get(frame.id);
        this.procs.delete(frame.id);
        h?.onExit(frame.code, frame.signal, frame.stray ?? 0);
        return;
      }
      case 'result':
        this.requests.get(frame.req)?.resolve(frame);
        this.requests.delete(frame.req);
        return;
      case 'tcp_opened': {
        const t = this.tunnels.get(frame.conn);
        t?.opened?.resolve(t.socket);
        if (t) t.opened = undefined;
        return;
      }
      case 'tcp_error': {
        const t = this.tunnels.get(frame.conn);
        this.tunnels.delete(frame.conn);
        t?.opened?.reject(new Error(`cannot connect to the port inside the sandbox: ${frame.message}`));
        return;
      }
      case 'tcp_data':
        this.tunnels.get(frame.conn)?.socket.push(Buffer.from(frame.data, 'base64'));
        return;
      case 'tcp_close': {
        const t = this.tunnels.get(frame.conn);
        this.tunnels.delete(frame.conn);
        t?.socket.push(null);
        return;
      }
      case 'tcp_accept': {
        const onConnection = this.listeners.get(frame.lid);
        const socket = new TunnelSocket(
          frame.conn,
          (obj) => this.send(obj),
          () => this.tunnels.delete(frame.conn),
        );
        if (!onConnection) {
          socket.destroy();
          return;
        }
        this.tunnels.set(frame.conn, { socket });
        onConnection(socket);
        return;
      }
      default:
        return;
    }
  }

  private onChildExit(reason: string): void {
    if (this.exited !== undefined) return;
    this.exited = reason;
    this.log.debug({ reason }, 'sandbox supervisor exited');
    const err = new Error(`sandbox stopped (${reason})`);
    for (const p of this.spawning.values()) p.reject(err);
    for (const p of this.requests.values()) p.reject(err);
    for (const t of this.tunnels.values()) {
      t.opened?.reject(err);
      t.socket.destroy(err);
    }
    const procs = [...this.procs.values()];
    this.spawning.clear();
    this.requests.clear();
    this.tunnels.clear();
    this.listeners.clear();
    this.procs.clear();
    for (const h of procs) h.onExit(null, 'SANDBOX_STOPPED', 0);
    for (const cb of this.exitListeners.splice(0)) cb(reason);
  }
}
