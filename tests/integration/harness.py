"""Starts the real cppapp binary on a free loopback port and talks to it over sockets.

The binary is CPPAPP_BIN (set by ctest); the repository root is CPPAPP_SOURCE_DIR.
Readiness is the "Started server: http://<ip>:<port>" line cppapp prints once it listens,
so no test sleeps waiting for the server.
"""

import http.client
import os
import re
import shutil
import tempfile
import signal
import socket
import subprocess
import threading
import time

BIN = os.environ.get("CPPAPP_BIN", "build/debug/cppapp")
SOURCE_DIR = os.environ.get("CPPAPP_SOURCE_DIR", os.getcwd())
STARTED = re.compile(rb"Started server: http://[^:]+:(\d+)")
# Sanitizer builds start and answer more slowly; every wait below is a bound, not a sleep.
START_TIMEOUT = 30.0

INDEX_BYTES = (
    b'<!DOCTYPE html><html><head><meta name=viewport content="width=device-width,initial-scale=1">'
    b"</head><body><div class=content>Hello World!</div></body></html>"
)

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self';base-uri 'self';font-src 'self' https: data:;"
    "form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';"
    "script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';"
    "upgrade-insecure-requests",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "origin-agent-cluster": "?1",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-dns-prefetch-control": "off",
    "x-download-options": "noopen",
    "x-frame-options": "SAMEORIGIN",
    "x-permitted-cross-domain-policies": "none",
    "x-xss-protection": "0",
}


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> list of values
        self.body = body

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None


class Server:
    """One cppapp process. Use as a context manager; stop() returns the exit code."""

    def __init__(self, *args, env=None, cwd=None, preexec_fn=None):
        self.args = list(args)
        # Runs in the child before exec: resource limits (descriptors, file size) for tests of
        # an exhausted environment.
        self.preexec_fn = preexec_fn
        self.env = dict(os.environ)
        self.env.pop("APP_ENV", None)
        self.env.pop("NODE_ENV", None)
        # Each server keeps its embedded data and log spool in a directory of its own.
        self.data_dir = tempfile.mkdtemp(prefix="cppapp-test-")
        self.env["DATA_DIR"] = self.data_dir
        # Tests write from one address, often more than a visitor would: the per-client write
        # limit and the entry cap are off unless a test (of those limits) sets them.
        self.env["WRITE_RATE"] = "off"
        self.env["MAX_ENTRIES"] = "0"
        self.env.update(env or {})
        self.cwd = cwd
        self.output = []
        self._lines_changed = threading.Condition()
        self.process = None
        self.port = None
        self._output_closed = False
        self._reading = threading.Event()  # cleared: stop reading stdout, as a blocked pipe would
        self._reading.set()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def start(self):
        self.process = subprocess.Popen(
            [BIN, "--host", "127.0.0.1", "--port", "0", *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd,
            preexec_fn=self.preexec_fn)
        threading.Thread(target=self._collect, daemon=True).start()
        line = self.wait_for_output(STARTED, START_TIMEOUT)
        if line is None:
            self.process.kill()
            raise RuntimeError("cppapp did not start:\n" + self.text())
        self.port = int(STARTED.search(line).group(1))

    def _collect(self):
        for line in iter(self.process.stdout.readline, b""):
            with self._lines_changed:
                self.output.append(line)
                self._lines_changed.notify_all()
            self._reading.wait()
        with self._lines_changed:
            self._output_closed = True
            self._lines_changed.notify_all()

    def pause_output(self):
        """Stops reading the server's stdout: once the pipe is full, its writes block."""
        self._reading.clear()

    def resume_output(self):
        self._reading.set()

    def text(self):
        with self._lines_changed:
            return b"".join(self.output).decode(errors="replace")

    def wait_for_output(self, pattern, timeout=10.0, start=0):
        """The first output line from index `start` on matching `pattern` (bytes regex), or None."""
        pattern = re.compile(pattern) if isinstance(pattern, (bytes, str)) else pattern
        deadline = time.monotonic() + timeout
        with self._lines_changed:
            while True:
                for line in self.output[start:]:
                    if pattern.search(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._output_closed:
                    return None
                self._lines_changed.wait(min(remaining, 0.2))

    def metric(self, name):
        """The value of the unlabelled metric `name` in /metrics, or None when it is absent."""
        found = re.search(rb"^" + re.escape(name.encode()) + rb" (\S+)$", self.get("/metrics").body, re.M)
        return float(found.group(1)) if found else None

    def wait_for_metric(self, name, at_least, timeout=10.0):
        """True once the metric `name` reaches `at_least`, polling /metrics until `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.metric(name)
            if value is not None and value >= at_least:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
            return code
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def connect(self, timeout=10.0):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def request(self, method, path, headers=None, body=None, connection=None):
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        result = Response(resp.status, {}, data)
        for name, value in resp.getheaders():
            result.headers.setdefault(name.lower(), []).append(value)
        if connection is None:
            conn.close()
        return result

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)


def tcp_queues(local_port, remote_port):
    """(send queue, receive queue) in bytes of the loopback TCP socket from `local_port` to
    `remote_port`, as the kernel reports them in /proc/net/tcp, or None when there is none."""
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            local, remote, queues = fields[1], fields[2], fields[4]
            if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == remote_port:
                send_queue, receive_queue = (int(q, 16) for q in queues.split(":"))
                return send_queue, receive_queue
    return None


class RawClient:
    """A socket speaking HTTP/1.1 by hand, for pipelining, malformed input and slow clients."""

    def __init__(self, server, timeout=10.0):
        self.sock = server.connect(timeout)
        self.buffer = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def read_response(self, head_only=False):
        """One response with a Content-Length body: (status, headers, body), or None when the
        peer closed before sending anything."""
        while b"\r\n\r\n" not in self.buffer:
            try:
                more = self._fill()
            except ConnectionResetError:
                more = False
            if not more:
                if self.buffer:
                    raise AssertionError("connection closed inside a response head: %r" % self.buffer)
                return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head_only or status in (204, 304) else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                raise AssertionError("connection closed inside a body: %d of %d bytes" % (len(self.buffer), length))
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def closed_by_peer(self, timeout=10.0):
        """True when the peer closes the connection within `timeout` without sending more."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
