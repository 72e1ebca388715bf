# The init process of a local sandbox: the gateway talks to it over stdin/stdout (one JSON object a
# line) to spawn commands, stream their output, confine file access to the workspace and tunnel TCP
# to ports inside the sandbox's network namespace (and, for the gateway's model proxy, the other way
# round). Commands may run on a pseudo-terminal. If it dies, the gateway sees EOF and restarts it.
# Each command is a job (supervisor_jobs.py): when it ends, everything it started is stopped too,
# except for servers started on purpose ("keep"), which live until the sandbox stops.
import binascii
import json
import os
import resource
import selectors
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's dir out
from supervisor_jobs import Jobs  # noqa: E402
from supervisor_listen import Listeners  # noqa: E402
import supervisor_pty  # noqa: E402


def _arg(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


WORKDIR = sys.argv[sys.argv.index("--workdir") + 1] if "--workdir" in sys.argv else os.getcwd()
WORKDIR = os.path.realpath(WORKDIR)
EXIT_DRAIN_SEC = 0.2
LIMITS = {
    "as": resource.RLIMIT_AS,
    "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE,
    "cpu": resource.RLIMIT_CPU,
    "nofile": resource.RLIMIT_NOFILE,
}
SIGNALS = {"INT": signal.SIGINT, "TERM": signal.SIGTERM, "KILL": signal.SIGKILL}
PRLIMIT = next((p for p in ("/usr/bin/prlimit", "/bin/prlimit") if os.access(p, os.X_OK)), None)

sel = selectors.DefaultSelector()
procs = {}  # id -> dict(popen, fds, sent, cap, truncated, exited_at, keep)
jobs = None  # Jobs, set up in main()
conns = {}  # conn id -> socket
listeners = Listeners(sel)
inbuf = bytearray()


def emit(obj):
    data = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
    view = memoryview(data)
    while view:
        n = os.write(1, view)
        view = view[n:]


def b64(data):
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def unb64(text):
    return binascii.a2b_base64(text)


def confine(path):
    """Resolve a path against the workspace; refuse anything (symlinks included) that leaves it."""
    if not isinstance(path, str) or "\x00" in path:
        raise ValueError("invalid path")
    full = os.path.realpath(os.path.join(WORKDIR, path))
    if full != WORKDIR and not full.startswith(WORKDIR + "/"):
        raise PermissionError("path is outside the workspace: %s" % path)
    return full


def make_preexec(limits):
    def preexec():
        for name, value in limits.items():
            if name in LIMITS and value:
                resource.setrlimit(LIMITS[name], (int(value), int(value)))

    return preexec


def limited(argv, limits):
    """argv run under limits, and the preexec_fn that needs (None when prlimit(1) applies them).

    A preexec_fn makes subprocess fork this interpreter and run Python in the child, about 20 ms a
    spawn on a small machine; exec'ing through prlimit keeps the fast path and sets the same limits."""
    limits = {k: int(v) for k, v in limits.items() if k in LIMITS and v}
    if not limits:
        return list(argv), None
    if PRLIMIT:
        return [PRLIMIT] + ["--%s=%d" % (k, v) for k, v in limits.items()] + ["--"] + list(argv), None
    return list(argv), make_preexec(limits)


def spawn(msg):
    pid_id = msg["id"]
    stdin = subprocess.PIPE if msg.get("stdin") else subprocess.DEVNULL
    argv, preexec = limited(msg["argv"], msg.get("limits") or {})
    pty = msg.get("pty")
    master = slave = None
    try:
        cwd = confine(msg.get("cwd") or ".")
        if pty:
            master, slave = supervisor_pty.open_pty(pty.get("cols"), pty.get("rows"))
            preexec = supervisor_pty.with_ctty(preexec)
        with jobs.spawning(pid_id):
            p = subprocess.Popen(
                argv,
                cwd=cwd,
                env=msg.get("env") or {},
                stdin=slave if pty else stdin,
                stdout=slave if pty else subprocess.PIPE,
                stderr=slave if pty else subprocess.PIPE,
                start_new_session=True,
                close_fds=True,
                preexec_fn=preexec,
            )
    except Exception as e:  # noqa: BLE001 - every failure is reported to the gateway
        for fd in (master, slave):
            if fd is not None:
                os.close(fd)
        jobs.finish(pid_id)
        emit({"ev": "spawn_error", "id": pid_id, "message": "%s: %s" % (type(e).__name__, e)})
        return
    if slave is not None:
        os.close(slave)  # the command holds it now; its last close makes the master read EIO (EOF)
    entry = {"popen": p, "fds": {}, "files": {}, "sent": {1: 0, 2: 0}, "cap": int(msg.get("maxOutput") or 0),
             "truncated": set(), "exited_at": None, "keep": bool(msg.get("keep")), "stray": 0, "pty": master}
    streams = ((os.fdopen(master, "rb", buffering=0), 1),) if pty else ((p.stdout, 1), (p.stderr, 2))
    for stream, fd_no in streams:
        fd = stream.fileno()
        os.set_blocking(fd, False)
        entry["fds"][fd] = fd_no
        entry["files"][fd] = stream
        sel.register(fd, selectors.EVENT_READ, ("out", pid_id))
    procs[pid_id] = entry
    emit({"ev": "spawned", "id": pid_id, "pid": p.pid})


def read_output(pid_id, fd):
    entry = procs.get(pid_id)
    if entry is None:
        return
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        return
    except OSError:
        data = b""
    if not data:
        close_fd(entry, fd)
        return
    forward(pid_id, entry, entry["fds"][fd], data)


def forward(pid_id, entry, fd_no, data):
    """Send output up to the per-stream cap; beyond it, drop and say so once."""
    cap = entry["cap"]
    if cap and entry["sent"][fd_no] + len(data) > cap:
        data = data[: max(0, cap - entry["sent"][fd_no])]
        if fd_no not in entry["truncated"]:
            entry["truncated"].add(fd_no)
            emit({"ev": "truncated", "id": pid_id, "fd": fd_no})
    if data:
        entry["sent"][fd_no] += len(data)
        emit({"ev": "out", "id": pid_id, "fd": fd_no, "data": b64(data)})


def close_fd(entry, fd):
    if fd in entry["fds"]:
        try:
            sel.unregister(fd)
        except (KeyError, ValueError):
            pass
        # Close through the file object: a bare os.close would leave Popen to close the number
        # again later, after it may have been reused for another process's pipe.
        entry["files"].pop(fd).close()
        del entry["fds"][fd]


def reap():
    now = time.monotonic()
    for pid_id in list(procs):
        entry = procs[pid_id]
        p = entry["popen"]
        if entry["exited_at"] is None:
            if p.poll() is None:
                continue
            entry["exited_at"] = now
            if not entry["keep"]:
                # The command is over: so is everything it started (and left holding its pipes).
                entry["stray"] = len(jobs.kill(pid_id, pgid=p.pid) - {p.pid})
        # Background children may keep the pipes open: drain briefly, then report the exit anyway.
        if entry["fds"] and now - entry["exited_at"] < EXIT_DRAIN_SEC:
            continue
        for fd in list(entry["fds"]):
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                forward(pid_id, entry, entry["fds"][fd], chunk)
            close_fd(entry, fd)
        if p.stdin:
            try:
                p.stdin.close()
            except OSError:
                pass
        rc = p.returncode
        sig = signal.Signals(-rc).name if rc < 0 else None
        emit({"ev": "exit", "id": pid_id, "code": rc if rc >= 0 else None, "signal": sig, "stray": entry["stray"]})
        del procs[pid_id]
        if not entry["keep"]:
            jobs.finish(pid_id)
    jobs.tidy()


def kill_group(pid_id, signame):
    entry = procs.get(pid_id)
    sig = SIGNALS.get(signame, signal.SIGKILL)
    if sig == signal.SIGKILL:
        # The whole job, however its processes regrouped; a kept server whose first process already
        # exited is still a job.
        jobs.kill(pid_id, pgid=entry["popen"].pid if entry else None)
        if entry is None:
            jobs.finish(pid_id)
        return
    if entry is None:
        return
    pgid = entry["popen"].pid
    # Repeat for SIGKILL: a fork bomb can have forks in flight while the first signal lands.
    for _ in range(3 if sig == signal.SIGKILL else 1):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            break


def reap_job(msg):
    """Stop what a long-lived command (a Python context) left running after one of its runs."""
    entry = procs.get(msg["id"])
    spare = entry["popen"].pid if entry else None
    before = len(jobs.jobs[msg["id"]]["killed"]) if msg["id"] in jobs.jobs else 0
    stopped = len(jobs.kill(msg["id"], spare=spare)) - before if entry else 0
    emit({"ev": "result", "req": msg["req"], "ok": True, "stopped": stopped})


def write_stdin(msg):
    entry = procs.get(msg["id"])
    if entry is not None and entry["pty"] is not None:
        if entry["pty"] in entry["fds"]:  # not yet closed by reap
            try:
                supervisor_pty.write_all(entry["pty"], unb64(msg["data"]))
            except OSError:
                pass
        return
    if entry is None or entry["popen"].stdin is None:
        return
    try:
        if msg.get("close"):
            entry["popen"].stdin.close()
        else:
            entry["popen"].stdin.write(unb64(msg["data"]))
            entry["popen"].stdin.flush()
    except (OSError, ValueError):
        pass


def file_op(msg):
    op = msg["op"]
    try:
        if op == "read_file":
            path = confine(msg["path"])
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                raise IsADirectoryError("not a regular file: %s" % msg["path"])
            if st.st_size > msg["max"]:
                raise ValueError("file is too large (%d bytes, limit %d)" % (st.st_size, msg["max"]))
            with open(path, "rb") as f:
                result = {"data": b64(f.read(msg["max"] + 1))}
        elif op == "write_file":
            data = unb64(msg["data"])
            parent = confine(os.path.dirname(os.path.join(WORKDIR, msg["path"])) or ".")
            os.makedirs(parent, exist_ok=True)
            confine(parent)  # a symlinked parent created in a race is caught here
            target = os.path.join(parent, os.path.basename(msg["path"]))
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            result = {}
        elif op == "list_files":
            path = confine(msg.get("path") or ".")
            entries = []
            with os.scandir(path) as it:
                for e in it:
                    st = e.stat(follow_symlinks=False)
                    entries.append({"path": os.path.join(path, e.name), "size": st.st_size,
                                    "isDir": stat.S_ISDIR(st.st_mode)})
            result = {"entries": sorted(entries, key=lambda x: x["path"])}
        else:
            raise ValueError("unknown op %s" % op)
        emit({"ev": "result", "req": msg["req"], "ok": True, **result})
    except Exception as e:  # noqa: BLE001
        emit({"ev": "result", "req": msg["req"], "ok": False, "error": "%s: %s" % (type(e).__name__, e)})


def tcp_op(msg):
    import socket  # only previews need it; kept off the start-up path

    op, conn = msg["op"], msg["conn"]
    if op == "tcp_open":
        try:
            s = socket.create_connection(("127.0.0.1", int(msg["port"])), timeout=5)
            s.settimeout(30)
        except OSError as e:
            emit({"ev": "tcp_error", "conn": conn, "message": str(e)})
            return
        conns[conn] = s
        sel.register(s, selectors.EVENT_READ, ("tcp", conn))
        emit({"ev": "tcp_opened", "conn": conn})
        return
    s = conns.get(conn)
    if s is None:
        return
    try:
        if op == "tcp_data":
            s.sendall(unb64(msg["data"]))
        elif op == "tcp_end":
            s.shutdown(socket.SHUT_WR)
        elif op == "tcp_close":
            close_conn(conn, notify=False)
    except OSError:
        close_conn(conn)


def close_conn(conn, notify=True):
    s = conns.pop(conn, None)
    if s is None:
        return
    try:
        sel.unregister(s)
    except (KeyError, ValueError):
        pass
    s.close()
    if notify:
        emit({"ev": "tcp_close", "conn": conn})


def read_tcp(conn):
    s = conns.get(conn)
    if s is None:
        return
    try:
        data = s.recv(65536)
    except OSError:
        data = b""
    if data:
        emit({"ev": "tcp_data", "conn": conn, "data": b64(data)})
    else:
        close_conn(conn)


def pty_resize(msg):
    entry = procs.get(msg["id"])
    if entry is not None and entry["pty"] in entry["fds"]:
        try:
            supervisor_pty.resize(entry["pty"], msg.get("cols"), msg.get("rows"))
        except OSError:
            pass


def listen_op(msg):
    if msg["op"] == "unlisten":
        listeners.close(msg["lid"])
        return
    try:
        port = listeners.open(msg["lid"])
        emit({"ev": "result", "req": msg["req"], "ok": True, "port": port})
    except OSError as e:
        emit({"ev": "result", "req": msg["req"], "ok": False, "error": "%s: %s" % (type(e).__name__, e)})


def accept_conn(lid):
    conn, cid = listeners.accept(lid)
    if conn is None:
        return
    conns[cid] = conn
    sel.register(conn, selectors.EVENT_READ, ("tcp", cid))
    emit({"ev": "tcp_accept", "lid": lid, "conn": cid})


def handle(msg):
    op = msg.get("op")
    if op == "spawn":
        spawn(msg)
    elif op == "stdin":
        write_stdin(msg)
    elif op == "pty_resize":
        pty_resize(msg)
    elif op in ("listen", "unlisten"):
        listen_op(msg)
    elif op == "signal":
        kill_group(msg["id"], msg.get("sig", "KILL"))
    elif op == "reap":
        reap_job(msg)
    elif op in ("read_file", "write_file", "list_files"):
        file_op(msg)
    elif op and op.startswith("tcp_"):
        tcp_op(msg)


def read_commands():
    chunk = os.read(0, 1 << 20)
    if not chunk:
        for pid_id in list(procs):
            kill_group(pid_id, "KILL")
        sys.exit(0)
    inbuf.extend(chunk)
    while True:
        nl = inbuf.find(b"\n")
        if nl < 0:
            return
        line = bytes(inbuf[:nl])
        del inbuf[: nl + 1]
        if line.strip():
            try:
                handle(json.loads(line))
            except (ValueError, KeyError, TypeError) as e:
                sys.stderr.write("supervisor: bad command: %s\n" % e)


def main():
    global jobs
    os.umask(0o022)  # the gateway runs with 077; inside, the usual default for the one sandbox user
    cgroup_fd = _arg("--cgroup-fd")
    try:  # opened while still dumpable: afterwards /proc/self is root's and this open would fail
        oom_fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        oom_fd = None
    jobs = Jobs(int(cgroup_fd) if cgroup_fd else None, oom_fd)
    try:  # keep other sandbox processes (same uid) from reading our fds through /proc
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    except Exception:  # noqa: BLE001
        pass
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    sel.register(0, selectors.EVENT_READ, ("cmd", None))
    sel.register(wake_r, selectors.EVENT_READ, ("wake", None))
    emit({"ev": "ready", "pid": os.getpid(), "workdir": WORKDIR})
    while True:
        draining = any(e["exited_at"] is not None for e in procs.values())
        for key, _ in sel.select(0.05 if draining else 1.0):
            kind, ident = key.data
            if kind == "cmd":
                read_commands()
            elif kind == "wake":
                try:
                    os.read(wake_r, 4096)
                except BlockingIOError:
                    pass
            elif kind == "out":
                read_output(ident, key.fd)
            elif kind == "tcp":
                read_tcp(ident)
            elif kind == "accept":
                accept_conn(ident)
        reap()


if __name__ == "__main__":
    main()
