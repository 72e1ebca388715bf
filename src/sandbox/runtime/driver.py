# A long-lived Python interpreter for one code context. The gateway speaks JSON lines with it on the
# process's original stdin/stdout; user code's fd 1/2 go to pipes we drain into stdout/stderr frames,
# so nothing the code prints (or its subprocesses print) can corrupt the protocol. Code can call back
# into the gateway mid-run with host_call(method, params); a timeout arrives as {"type":"interrupt"}.
import ast
import codecs
import itertools
import json
import os
import queue
import signal
import sys
import threading
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
SYNC = b"\x00sandgate-sync\x00"

_proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
_proto_out = os.dup(1)
_send_lock = threading.Lock()
_execs = queue.Queue()
_pending = {}  # host call id -> [Event, response]
_call_ids = itertools.count(1)
_state = {"exec": None, "running": False, "budget": 0, "truncated": False}
_state_lock = threading.Lock()


def send(obj):
    data = (json.dumps(obj, separators=(",", ":"), default=repr) + "\n").encode()
    with _send_lock:
        view = memoryview(data)
        while view:
            view = view[os.write(_proto_out, view):]


class HostCallError(RuntimeError):
    """The gateway refused or failed a host_call."""


def host_call(method, params=None):
    """Ask the gateway to do something (e.g. an LLM query) and wait for its answer."""
    if not isinstance(method, str):
        raise TypeError("method must be a string")
    call_id = next(_call_ids)
    waiter = [threading.Event(), None]
    _pending[call_id] = waiter
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        send({"type": "host_call", "id": call_id, "exec": _state["exec"], "method": method, "params": params})
        waiter[0].wait()
    finally:
        _pending.pop(call_id, None)
    response = waiter[1] or {}
    if "error" in response:
        raise HostCallError(str(response["error"]))
    return response.get("result")


class Pump(threading.Thread):
    """Drains one captured fd into frames; a SYNC marker tells the main thread all prior output is out."""

    def __init__(self, fd, kind):
        super().__init__(daemon=True)
        self.fd, self.kind = fd, kind
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.synced = threading.Event()
        self.buf = b""

    def run(self):
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.buf += chunk
            while True:
                at = self.buf.find(SYNC)
                if at < 0:
                    break
                self.forward(self.buf[:at])
                self.forward(b"", final=True)
                self.decoder.reset()
                self.buf = self.buf[at + len(SYNC):]
                self.synced.set()
            # Hold back only a tail that could be the start of a SYNC marker.
            cut = self.buf.rfind(b"\x00", max(0, len(self.buf) - len(SYNC) + 1))
            cut = len(self.buf) if cut < 0 or not SYNC.startswith(self.buf[cut:]) else cut
            self.forward(self.buf[:cut])
            self.buf = self.buf[cut:]

    def forward(self, data, final=False):
        text = self.decoder.decode(data, final)
        if not text:
            return
        with _state_lock:
            exec_id = _state["exec"]
            if exec_id is None:
                return
            room = _state["budget"]
            if len(text) > room:
                text = text[:room]
                _state["truncated"] = True
            _state["budget"] -= len(text)
        if text:
            send({"type": self.kind, "id": exec_id, "text": text})


def capture_fds():
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    pumps = []
    for fd, kind in ((1, "stdout"), (2, "stderr")):
        r, w = os.pipe()
        os.dup2(w, fd)
        os.close(w)
        pump = Pump(r, kind)
        pump.start()
        pumps.append(pump)
    return pumps


def sync_output(pumps):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - user code may have replaced the stream
            pass
    for pump, fd in zip(pumps, (1, 2)):
        pump.synced.clear()
        os.write(fd, SYNC)
    for pump in pumps:
        pump.synced.wait(5)


def reader():
    for line in _proto_in:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        kind = msg.get("type")
        if kind == "exec":
            _execs.put(msg)
        elif kind == "host_result":
            waiter = _pending.get(msg.get("id"))
            if waiter is not None:
                waiter[1] = msg
                waiter[0].set()
        elif kind == "interrupt":
            with _state_lock:
                running = _state["running"] and _state["exec"] == msg.get("id")
            if running:
                os.kill(os.getpid(), signal.SIGINT)
    os._exit(0)  # the gateway closed our stdin: the context is gone


def user_traceback(exc):
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def run_code(code, namespace):
    tree = ast.parse(code, "<cell>", "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        value = eval(compile(last, "<cell>", "eval"), namespace)
        if value is not None:
            print(repr(value))


def execute(msg, namespace, pumps):
    import sandgate_charts

    with _state_lock:
        _state.update(exec=msg["id"], budget=int(msg.get("maxOutput") or 1 << 20), truncated=False)
    error = None
    try:
        for key, value in (msg.get("env") or {}).items():
            os.environ[str(key)] = str(value)
        with _state_lock:
            _state["running"] = True
        run_code(msg["code"], namespace)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are results too
        error = {"name": type(exc).__name__, "value": str(exc), "traceback": user_traceback(exc)}
    finally:
        with _state_lock:
            _state["running"] = False
    charts = []
    while True:
        # An interrupt sent just as the code finished can still land here; finish the run anyway.
        try:
            try:
                charts.extend(sandgate_charts.collect())
            except Exception as exc:  # noqa: BLE001
                sys.stderr.write("chart capture failed: %s\n" % exc)
            sync_output(pumps)
            with _state_lock:
                truncated = _state["truncated"]
                _state["exec"] = None
            send({"type": "done", "id": msg["id"], "error": error, "charts": charts, "truncated": truncated})
            return
        except KeyboardInterrupt:
            continue


def main():
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:  # other processes of the sandbox user must not read or write this interpreter's memory
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    except Exception:  # noqa: BLE001 - not Linux, or no libc: nothing to tighten
        pass
    os.environ.setdefault("MPLBACKEND", "module://sandgate_mpl")
    pumps = capture_fds()
    module = types.ModuleType("sandgate")
    module.host_call = host_call
    module.HostCallError = HostCallError
    sys.modules["sandgate"] = module
    # As in `python3 -c` and notebooks: modules in the working directory (the workspace) import.
    if "" not in sys.path:
        sys.path.insert(1, "")
    namespace = {"__name__": "__main__", "__builtins__": __builtins__, "host_call": host_call}
    threading.Thread(target=reader, daemon=True).start()
    send({"type": "ready", "pid": os.getpid(), "python": sys.version.split()[0]})
    while True:
        try:
            msg = _execs.get()
            execute(msg, namespace, pumps)
        except KeyboardInterrupt:
            # An interrupt that lands between runs: the run it was meant for already finished.
            continue


if __name__ == "__main__":
    main()
