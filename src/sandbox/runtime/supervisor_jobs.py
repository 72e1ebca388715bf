# Job cgroups for the sandbox supervisor: every spawned command starts in its own child cgroup of the
# sandbox's, so a finished, timed-out or cancelled command can be emptied completely (setsid'd and
# double-forked children too). Works through a directory fd the gateway passed in (the cgroup tree is
# not mounted inside); without one, it falls back to killing the command's process group.
import os
import signal
import time

# The kernel's OOM killer should pick a command before the supervisor (which would stop the sandbox).
JOB_OOM_SCORE_ADJ = b"500"


def _write(dir_fd, name, text):
    fd = os.open(name, os.O_WRONLY, dir_fd=dir_fd)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _pids(dir_fd):
    """Live processes in a cgroup, as pids of our namespace (zombies and exiting ones excluded)."""
    fd = os.open("cgroup.procs", os.O_RDONLY, dir_fd=dir_fd)
    chunks = []
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return {int(p) for p in b"".join(chunks).split() if int(p) > 0}


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return False


class Jobs:
    def __init__(self, dir_fd, oom_fd):
        self.fd = dir_fd  # the sandbox's cgroup directory, or None
        self.oom_fd = oom_fd  # our /proc/self/oom_score_adj, opened while we were still dumpable
        self.jobs = {}  # spawn id -> {"fd", "name", "killed": set of pids}
        self.unremoved = []  # job directories whose last processes were still exiting
        self.has_kill = False
        if dir_fd is not None:
            os.set_inheritable(dir_fd, False)
            try:
                os.stat("cgroup.kill", dir_fd=dir_fd)
                self.has_kill = True
            except OSError:
                pass

    def spawning(self, pid_id):
        """Context manager: what is forked inside lands in the job's cgroup, with a higher OOM score."""
        return _Entering(self, pid_id)

    def _oom(self, value):
        if self.oom_fd is not None:
            try:
                os.write(self.oom_fd, value)
            except OSError:
                pass

    def _create(self, pid_id):
        name = "job-%s" % pid_id
        try:
            os.mkdir(name, dir_fd=self.fd)
        except FileExistsError:
            pass
        job = {"fd": os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=self.fd), "name": name, "killed": set()}
        self.jobs[pid_id] = job
        return job

    def kill(self, pid_id, pgid=None, spare=None, wait=1.0):
        """SIGKILL everything in the job (but `spare`); returns the pids killed so far.

        Repeats until the cgroup is empty: a fork storm may have forks in flight while a round lands,
        and the sandbox's pids limit keeps the number of rounds small."""
        job = self.jobs.get(pid_id)
        if job is None:
            if pgid is not None:
                for _ in range(3):
                    try:
                        os.killpg(pgid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        break
            return set()
        deadline = time.monotonic() + wait
        now = set()
        while True:
            pids = _pids(job["fd"]) - {spare}
            if not pids:
                break
            now |= pids
            if self.has_kill and spare is None:
                _write(job["fd"], "cgroup.kill", "1")
            else:
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            if time.monotonic() >= deadline:
                break
            time.sleep(0.002)
        # Out of the cgroup is not yet gone: wait until each is dead (a zombie for init to reap).
        while time.monotonic() < deadline and any(_alive(p) for p in now):
            time.sleep(0.002)
        job["killed"] |= now
        return set(job["killed"])

    def finish(self, pid_id):
        """The job is over: drop its cgroup (now, or once its last processes are gone)."""
        job = self.jobs.pop(pid_id, None)
        if job is None:
            return
        os.close(job["fd"])
        self.unremoved.append(job["name"])
        self.tidy()

    def tidy(self):
        left = []
        for name in self.unremoved:
            try:
                os.rmdir(name, dir_fd=self.fd)
            except FileNotFoundError:
                pass
            except OSError:
                left.append(name)
        self.unremoved = left


class _Entering:
    def __init__(self, jobs, pid_id):
        self.jobs = jobs
        self.pid_id = pid_id

    def __enter__(self):
        if self.jobs.fd is not None:
            job = self.jobs._create(self.pid_id)
            _write(job["fd"], "cgroup.procs", "0")
        self.jobs._oom(JOB_OOM_SCORE_ADJ)

    def __exit__(self, exc_type, exc, tb):
        self.jobs._oom(b"0")
        if self.jobs.fd is not None:
            # Back to the sandbox's own cgroup, or emptying this job would kill the supervisor.
            _write(self.jobs.fd, "cgroup.procs", "0")
        return False
