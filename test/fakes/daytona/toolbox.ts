// The toolbox half of the Daytona fake: the per-sandbox daemon routes the SDK calls (execute,
// sessions with async commands, input and log streaming, files, work-dir). Commands really run, on
// this machine, in the fake sandbox's directory, the way the daemon runs them inside a sandbox.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { killPtys, ptyRoute, ptyUpgrade } from './pty.js';
import { acceptWebSocket, buildMultipart, parseCommand, parseMultipart } from './wire.js';

const STDOUT_MARK = Buffer.from([1, 1, 1]);
const STDERR_MARK = Buffer.from([2, 2, 2]);

interface Command {
  id: string;
  command: string;
  proc: ChildProcess;
  chunks: { stream: 'stdout' | 'stderr'; data: Buffer }[];
  exitCode?: number;
  listeners: Set<() => void>;
}

export interface FakeBox {
  id: string;
  workdir: string;
  /** The sandbox's env (CreateSandbox.env): every process sees it. */
  env: Record<string, string>;
  sessions: Map<string, Map<string, Command>>;
}

export function newBox(id: string, root: string, boxEnv: Record<string, string>): FakeBox {
  const workdir = join(root, id, 'home', 'daytona');
  mkdirSync(workdir, { recursive: true });
  return { id, workdir, env: boxEnv, sessions: new Map() };
}

export function killBox(box: FakeBox): void {
  killPtys(box);
  for (const s of box.sessions.values()) for (const c of s.values()) killGroup(c.proc);
  box.sessions.clear();
}

function killGroup(proc: ChildProcess): void {
  if (proc.pid && proc.exitCode === null && proc.signalCode === null) {
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function env(box: FakeBox): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', HOME: box.workdir, LANG: 'C.UTF-8', ...box.env };
}

function json(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function fileInfo(path: string) {
  const st = statSync(path);
  return {
    name: basename(path),
    isDir: st.isDirectory(),
    size: st.size,
    mode: (st.mode & 0o777).toString(8),
    modTime: st.mtime.toISOString(),
    modifiedAt: st.mtime.toISOString(),
    permissions: (st.mode & 0o777).toString(8),
    owner: 'daytona',
    group: 'daytona',
  };
}

function runSessionCommand(box: FakeBox, session: Map<string, Command>, command: string): Command {
  const proc = spawn('sh', ['-c', command], { cwd: box.workdir, env: env(box), detached: true });
  const cmd: Command = { id: randomUUID(), command, proc, chunks: [], listeners: new Set() };
  const push = (stream: 'stdout' | 'stderr') => (data: Buffer) => {
    cmd.chunks.push({ stream, data });
    for (const l of cmd.listeners) l();
  };
  proc.stdout?.on('data', push('stdout'));
  proc.stderr?.on('data', push('stderr'));
  proc.stdin?.on('error', () => undefined);
  proc.on('close', (code, signal) => {
    cmd.exitCode = code ?? (signal ? 137 : 1);
    for (const l of cmd.listeners) l();
  });
  session.set(cmd.id, cmd);
  return cmd;
}

function streamLogs(cmd: Command, req: IncomingMessage, socket: Duplex): void {
  const ws = acceptWebSocket(req, socket);
  let sent = 0;
  const pump = () => {
    while (sent < cmd.chunks.length) {
      const c = cmd.chunks[sent++]!;
      const mark = c.stream === 'stdout' ? STDOUT_MARK : STDERR_MARK;
      // The daemon sends log-file-sized pieces; keep frames small the same way.
      for (let i = 0; i < c.data.length; i += 16 * 1024) {
        ws.send(Buffer.concat([mark, c.data.subarray(i, i + 16 * 1024)]));
      }
    }
    if (cmd.exitCode !== undefined) ws.close(1000);
  };
  cmd.listeners.add(pump);
  ws.onClose(() => cmd.listeners.delete(pump));
  pump();
}

/** Handles `/toolbox/<id>/…` after the box is found. Returns false for an unknown route. */
export async function toolboxRoute(
  box: FakeBox,
  method: string,
  path: string,
  url: URL,
  body: Buffer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const parsed = () => JSON.parse(body.toString() || '{}') as Record<string, unknown>;
  const reply = (status: number, payload?: unknown) => {
    json(res, status, payload);
    return true;
  };
  if (method === 'GET' && (path === '/work-dir' || path === '/user-home-dir')) {
    json(res, 200, { dir: box.workdir });
    return true;
  }
  if (ptyRoute(box, method, path, body, res)) return true;
  if (method === 'POST' && path === '/process/execute') {
    const b = parsed();
    const argv = parseCommand(String(b.command ?? ''));
    if (argv.length === 0) return reply(400, { message: 'empty command' });
    const envs = (b.envs as Record<string, string> | undefined) ?? {};
    const proc = spawn(argv[0]!, argv.slice(1), {
      cwd: typeof b.cwd === 'string' ? b.cwd : box.workdir,
      env: { ...env(box), ...envs },
      detached: true,
    });
    const out: Buffer[] = [];
    proc.stdout?.on('data', (d: Buffer) => out.push(d));
    proc.stderr?.on('data', (d: Buffer) => out.push(d));
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup(proc);
      },
      Number(b.timeout ?? 360) * 1000,
    );
    const code = await new Promise<number>((resolve) => {
      proc.on('error', () => resolve(-1));
      proc.on('close', (c) => resolve(c ?? -1));
    });
    clearTimeout(timer);
    if (timedOut) json(res, 408, { statusCode: 408, message: 'command execution timeout' });
    else json(res, 200, { exitCode: code, result: Buffer.concat(out).toString() });
    return true;
  }
  const sessionMatch = /^\/process\/session(?:\/([^/]+))?(\/exec|\/command\/([^/]+)(\/logs|\/input)?)?$/.exec(
    path,
  );
  if (sessionMatch) {
    const [, sid, tail, cid, sub] = sessionMatch;
    if (!sid && method === 'POST') {
      box.sessions.set(String(parsed().sessionId), new Map());
      json(res, 201);
      return true;
    }
    const session = sid ? box.sessions.get(decodeURIComponent(sid)) : undefined;
    if (!session) return reply(404, { statusCode: 404, message: 'session not found' });
    if (!tail && method === 'DELETE') {
      for (const c of session.values()) killGroup(c.proc);
      box.sessions.delete(decodeURIComponent(sid!));
      res.writeHead(204).end();
      return true;
    }
    if (!tail && method === 'GET') {
      const commands = [...session.values()].map((c) => ({
        id: c.id,
        command: c.command,
        exitCode: c.exitCode,
      }));
      json(res, 200, { sessionId: sid, commands });
      return true;
    }
    if (tail === '/exec' && method === 'POST') {
      const b = parsed();
      const cmd = runSessionCommand(box, session, String(b.command));
      if (b.runAsync || b.async) return reply(202, { cmdId: cmd.id });
      await new Promise<void>((r) => (cmd.exitCode !== undefined ? r() : cmd.proc.on('close', () => r())));
      const text = (s: string) =>
        Buffer.concat(cmd.chunks.filter((c) => c.stream === s).map((c) => c.data)).toString();
      json(res, 200, {
        cmdId: cmd.id,
        exitCode: cmd.exitCode,
        output: text('stdout') + text('stderr'),
        stdout: text('stdout'),
        stderr: text('stderr'),
      });
      return true;
    }
    const cmd = cid ? session.get(decodeURIComponent(cid)) : undefined;
    if (!cmd) return reply(404, { statusCode: 404, message: 'command not found' });
    if (!sub && method === 'GET')
      return reply(200, { id: cmd.id, command: cmd.command, exitCode: cmd.exitCode });
    if (sub === '/input' && method === 'POST') {
      if (cmd.exitCode !== undefined) return reply(410, { statusCode: 410, message: 'command exited' });
      cmd.proc.stdin?.write(String(parsed().data ?? ''));
      res.writeHead(204).end();
      return true;
    }
    if (sub === '/logs' && method === 'GET') {
      const text = (s: string) =>
        Buffer.concat(cmd.chunks.filter((c) => c.stream === s).map((c) => c.data)).toString();
      json(res, 200, {
        output: text('stdout') + text('stderr'),
        stdout: text('stdout'),
        stderr: text('stderr'),
      });
      return true;
    }
  }
  if (path === '/files/bulk-upload' && method === 'POST') {
    const parts = parseMultipart(body, String(req.headers['content-type'] ?? ''));
    const paths = new Map<string, string>();
    for (const p of parts) {
      const m = /^files\[(\d+)\]\.(path|file)$/.exec(p.name);
      if (m?.[2] === 'path') paths.set(m[1]!, p.data.toString());
    }
    for (const p of parts) {
      const m = /^files\[(\d+)\]\.file$/.exec(p.name);
      const dest = m ? paths.get(m[1]!) : undefined;
      if (!dest) continue;
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, p.data);
    }
    json(res, 200);
    return true;
  }
  if (path === '/files/bulk-download' && method === 'POST') {
    const want = (parsed().paths as string[] | undefined) ?? [];
    const parts = want.map((p) => {
      try {
        return { name: 'file', filename: p, type: 'application/octet-stream', data: readFileSync(p) };
      } catch {
        const err = { message: `file not found: ${p}`, statusCode: 404, code: 'FILE_NOT_FOUND' };
        return {
          name: 'error',
          filename: p,
          type: 'application/json',
          data: Buffer.from(JSON.stringify(err)),
        };
      }
    });
    const { body: out, contentType } = buildMultipart(parts);
    res.writeHead(200, { 'content-type': contentType, 'content-length': out.length });
    res.end(out);
    return true;
  }
  if (path === '/files/info' && method === 'GET') {
    try {
      json(res, 200, fileInfo(url.searchParams.get('path') ?? ''));
    } catch {
      json(res, 404, { statusCode: 404, message: 'file not found' });
    }
    return true;
  }
  if (path === '/files' && method === 'GET') {
    const dir = url.searchParams.get('path') ?? box.workdir;
    try {
      json(
        res,
        200,
        readdirSync(dir).map((n) => fileInfo(join(dir, n))),
      );
    } catch {
      json(res, 404, { statusCode: 404, message: 'directory not found' });
    }
    return true;
  }
  if (path === '/files' && method === 'DELETE') {
    rmSync(url.searchParams.get('path') ?? '', { recursive: true, force: true });
    res.writeHead(204).end();
    return true;
  }
  return false;
}

export function toolboxUpgrade(box: FakeBox, path: string, req: IncomingMessage, socket: Duplex): boolean {
  if (ptyUpgrade(box, path, req, socket)) return true;
  const m = /^\/process\/session\/([^/]+)\/command\/([^/]+)\/logs$/.exec(path);
  const cmd = m ? box.sessions.get(decodeURIComponent(m[1]!))?.get(decodeURIComponent(m[2]!)) : undefined;
  if (!cmd) return false;
  streamLogs(cmd, req, socket);
  return true;
}
