// The Daytona toolbox's PTY sessions, as the SDK's process.createPty speaks to them: a WebSocket at
// /process/pty/create-connect (envs in an `X-Daytona-Pty-Envs~<base64url JSON>` subprotocol, control
// messages as JSON text frames, terminal bytes as binary frames both ways), kill and resize routes.
// The terminal is real: a small Python relay runs `/bin/sh -i` on a pseudo-terminal on this machine.

import { type ChildProcess, spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeBox } from './toolbox.js';

const EXIT_CONTROL = 'X-Daytona-Pty-Exit-Control';
const ENVS_PREFIX = 'X-Daytona-Pty-Envs~';

/** argv: cols rows. Relays stdin → terminal, terminal → stdout, fd 3 lines "cols rows" → resize. */
const RELAY = `
import fcntl, os, pty, select, signal, struct, sys, termios
def size(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
pid, master = pty.fork()
if pid == 0:
    os.execv("/bin/sh", ["/bin/sh", "-i"])
size(master, int(sys.argv[1]), int(sys.argv[2]))
def kill_session(*_):
    # Job control puts commands in their own process groups: end the whole session.
    for name in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % name) as f:
                if int(f.read().rsplit(")", 1)[1].split()[3]) == pid:
                    os.kill(int(name), signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass
signal.signal(signal.SIGTERM, kill_session)
fds = [0, 3, master]
while master in fds:
    try:
        ready = select.select(fds, [], [])[0]
    except InterruptedError:
        continue
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if fd == master:
            if not data:
                fds.remove(master)
            else:
                os.write(1, data)
        elif not data:
            fds.remove(fd)
        elif fd == 0:
            os.write(master, data)
        else:
            for line in data.decode().splitlines():
                c, r = line.split()
                size(master, int(c), int(r))
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
`;

interface PtySession {
  id: string;
  cwd: string;
  envs: Record<string, string>;
  cols: number;
  rows: number;
  createdAt: string;
  relay: ChildProcess;
  exitCode?: number;
}

const sessions = new WeakMap<FakeBox, Map<string, PtySession>>();
const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => (offered.has(EXIT_CONTROL) ? EXIT_CONTROL : false),
});

function ptysOf(box: FakeBox): Map<string, PtySession> {
  const m = sessions.get(box) ?? new Map<string, PtySession>();
  sessions.set(box, m);
  return m;
}

function envsFrom(req: IncomingMessage): Record<string, string> {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',');
  const token = offered.map((p) => p.trim()).find((p) => p.startsWith(ENVS_PREFIX));
  if (!token) return {};
  return JSON.parse(Buffer.from(token.slice(ENVS_PREFIX.length), 'base64url').toString('utf8'));
}

function info(s: PtySession) {
  return {
    id: s.id,
    cwd: s.cwd,
    envs: s.envs,
    cols: s.cols,
    rows: s.rows,
    createdAt: s.createdAt,
    active: s.exitCode === undefined,
    lazyStart: false,
  };
}

function start(box: FakeBox, url: URL, envs: Record<string, string>, ws: WebSocket): void {
  const id = url.searchParams.get('id') ?? '';
  const cols = Number(url.searchParams.get('cols') ?? 80);
  const rows = Number(url.searchParams.get('rows') ?? 24);
  const cwd = url.searchParams.get('cwd') ?? box.workdir;
  const ptys = ptysOf(box);
  if (!id || (ptys.get(id)?.exitCode === undefined && ptys.has(id))) {
    ws.send(JSON.stringify({ type: 'control', status: 'error', error: `PTY session ${id} already exists` }));
    ws.close(1008);
    return;
  }
  const relay = spawn('python3', ['-c', RELAY, String(cols), String(rows)], {
    cwd,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: box.workdir,
      LANG: 'C.UTF-8',
      TERM: 'xterm-256color',
      ...box.env,
      ...envs,
    },
    stdio: ['pipe', 'pipe', 'ignore', 'pipe'],
  });
  const session: PtySession = { id, cwd, envs, cols, rows, createdAt: new Date().toISOString(), relay };
  ptys.set(id, session);
  relay.stdin?.on('error', () => undefined);
  relay.stdout?.on('data', (d: Buffer) => ws.send(d, { binary: true }));
  relay.on('close', (code) => {
    session.exitCode = code ?? 137;
    ws.send(JSON.stringify({ type: 'control', status: 'exited', exitCode: session.exitCode }));
    ws.close(1000, JSON.stringify({ exitCode: session.exitCode }));
  });
  ws.on('message', (data: Buffer) => relay.stdin?.write(data));
  ws.send(JSON.stringify({ type: 'control', status: 'connected' }));
}

/** WebSocket upgrades under /toolbox/<id>/process/pty/…; false when the path is not one. */
export function ptyUpgrade(box: FakeBox, path: string, req: IncomingMessage, socket: Duplex): boolean {
  if (path !== '/process/pty/create-connect') return false;
  const url = new URL(req.url ?? '/', 'http://fake');
  const envs = envsFrom(req);
  wss.handleUpgrade(req, socket, Buffer.alloc(0), (ws) => start(box, url, envs, ws));
  return true;
}

/** Kill (DELETE /process/pty/<id>), resize and info routes; false when the path is not one. */
export function ptyRoute(
  box: FakeBox,
  method: string,
  path: string,
  body: Buffer,
  res: ServerResponse,
): boolean {
  const m = /^\/process\/pty\/([^/]+)(\/resize)?$/.exec(path);
  if (!m) return false;
  const session = ptysOf(box).get(decodeURIComponent(m[1]!));
  const json = (status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };
  if (!session) {
    json(404, { statusCode: 404, message: 'PTY session not found' });
    return true;
  }
  if (!m[2] && method === 'DELETE') {
    if (session.exitCode === undefined) session.relay.kill('SIGTERM');
    json(200, { message: 'PTY session deleted' });
  } else if (m[2] && method === 'POST') {
    const size = JSON.parse(body.toString() || '{}') as { cols?: number; rows?: number };
    session.cols = size.cols ?? session.cols;
    session.rows = size.rows ?? session.rows;
    (session.relay.stdio[3] as NodeJS.WritableStream | null)?.write(`${session.cols} ${session.rows}\n`);
    json(200, info(session));
  } else if (!m[2] && method === 'GET') {
    json(200, info(session));
  } else {
    return false;
  }
  return true;
}

export function killPtys(box: FakeBox): void {
  for (const s of ptysOf(box).values()) if (s.exitCode === undefined) s.relay.kill('SIGTERM');
}
