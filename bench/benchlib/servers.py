"""Starts one server under test, times its start-up, and stops it.

A server is described by a plain dict (see bench/run): argv, env, cwd, the path that proves it
answers, and whether its worker processes are children of the one we start (nginx).
"""

import http.client
import os
import signal
import socket
import subprocess
import time

START_TIMEOUT = 30.0


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port, method, path, headers=None, body=None, timeout=5.0):
    """One HTTP/1.1 request on a fresh connection: (status, lower-case headers dict, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def child_pids(pid):
    """Direct children of a process (nginx's worker under its master)."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return children


def listening_pids(port):
    """The processes holding a TCP socket that listens on the port (any address), from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as sockets:
                next(sockets)
                for line in sockets:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{inode}]")
        except FileNotFoundError:
            continue
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            links = {os.readlink(f"/proc/{entry}/fd/{fd}") for fd in os.listdir(f"/proc/{entry}/fd")}
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if links & inodes:
            pids.append(int(entry))
    return pids


class External:
    """A peer server someone else started (`bench/run --peer NAME=URL`): measured, never started
    or stopped here. Its CPU and memory are those of the processes holding its listening socket
    (run the bench as the peer's user, or as root)."""

    def __init__(self, spec):
        self.spec = spec
        self.port = spec["port"]
        self.pids = []
        self.startup_s = None

    def __enter__(self):
        status, _, _ = fetch(self.port, "GET", self.spec["probe"])
        if status != 200:
            raise RuntimeError(f"peer {self.spec['name']} answered {status} on {self.spec['probe']}")
        self.pids = listening_pids(self.port)
        if not self.pids:
            raise RuntimeError(f"peer {self.spec['name']}: no process of ours listens on port "
                               f"{self.port}, so its CPU and memory cannot be measured")
        return self

    def __exit__(self, *exc):
        pass


class Running:
    """A started server: its process, port, the pids to measure and its start-up time."""

    def __init__(self, spec, port):
        self.spec = spec
        self.port = port
        self.process = None
        self.pids = []
        self.startup_s = None

    def start(self):
        """Exec the server and poll (short connects, no fixed sleeps) until the probe path is 200."""
        env = dict(os.environ)
        for name in ("APP_ENV", "NODE_ENV", "PORT", "THREADS", "LOGSTASH_ADDR", "DATA_DIR"):
            env.pop(name, None)
        env.update(self.spec.get("env", {}))
        env["PORT"] = str(self.port)
        log = open(self.spec["log_file"], "ab") if self.spec.get("log_file") else subprocess.DEVNULL
        began = time.monotonic()
        self.process = subprocess.Popen(
            self.spec["argv"](self.port), cwd=self.spec.get("cwd"), env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        if log is not subprocess.DEVNULL:
            log.close()
        deadline = began + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.spec['name']} exited with {self.process.returncode} "
                                   f"before answering (log: {self.spec.get('log_file', 'none')})")
            try:
                status, _, _ = fetch(self.port, "GET", self.spec["probe"], timeout=2.0)
                if status == 200:
                    self.startup_s = time.monotonic() - began
                    break
            except (ConnectionError, OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.spec['name']} did not answer 200 on "
                                   f"{self.spec['probe']} within {START_TIMEOUT:.0f} s")
            time.sleep(0.001)
        self.pids = [self.process.pid]
        if self.spec.get("measure_children"):
            self.pids += child_pids(self.process.pid)
        return self

    def stop(self):
        """SIGTERM, a bounded wait, then SIGKILL: returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
