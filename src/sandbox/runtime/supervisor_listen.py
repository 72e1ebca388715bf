# Listeners inside the sandbox's network namespace whose connections the gateway serves (the model
# proxy for Claude Code): the supervisor accepts on 127.0.0.1:<free port> and hands each connection
# to the gateway as a tunnel, the reverse of tcp_open. Nothing outside the namespace can connect.
import selectors
import socket


class Listeners:
    def __init__(self, sel):
        self.sel = sel
        self.socks = {}  # listener id -> listening socket
        self.seq = 0

    def open(self, lid):
        """Binds 127.0.0.1 on a free port; returns the port."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        s.setblocking(False)
        self.socks[lid] = s
        self.sel.register(s, selectors.EVENT_READ, ("accept", lid))
        return s.getsockname()[1]

    def close(self, lid):
        s = self.socks.pop(lid, None)
        if s is None:
            return
        try:
            self.sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()

    def accept(self, lid):
        """The next connection and a new tunnel id for it, or (None, None)."""
        s = self.socks.get(lid)
        if s is None:
            return None, None
        try:
            conn, _ = s.accept()
        except (BlockingIOError, InterruptedError, OSError):
            return None, None
        conn.setblocking(True)
        conn.settimeout(30)
        self.seq += 1
        return conn, "a%d" % self.seq
