# Pseudo-terminals for the sandbox supervisor: a command spawned with "pty" gets a fresh terminal as
# its stdin/stdout/stderr and controlling tty (so Ctrl-C typed into it reaches its foreground process
# group), and the supervisor keeps the master end to read output, write keystrokes and resize it.
import fcntl
import os
import struct
import termios


def open_pty(cols, rows):
    """(master, slave) of a new terminal sized cols x rows; the master is non-blocking."""
    master, slave = os.openpty()
    resize(master, cols, rows)
    os.set_blocking(master, False)
    os.set_inheritable(master, False)
    return master, slave


def resize(master, cols, rows):
    cols = max(1, min(int(cols or 80), 10000))
    rows = max(1, min(int(rows or 24), 10000))
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def with_ctty(preexec):
    """A preexec_fn that also makes stdin (the terminal) the controlling tty of the new session."""

    def run():
        if preexec is not None:
            preexec()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    return run


def write_all(master, data):
    """Keystrokes are small; a full terminal buffer waits briefly instead of dropping them."""
    view = memoryview(data)
    for _ in range(1000):
        if not view:
            return
        try:
            n = os.write(master, view)
            view = view[n:]
        except BlockingIOError:
            import select

            select.select([], [master], [], 0.01)
