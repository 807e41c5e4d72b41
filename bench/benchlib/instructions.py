"""Instructions per request, counted by callgrind: the access log's share of a request without the
timing noise of a shared 2-core machine (the CPU-time share of two separate runs moves by ±20 %
from one run to the next; an instruction count repeats within a fraction of a percent).

cppapp (one loop) runs under valgrind --tool=callgrind three times: without access lines, with
them on the console, and with every record also shipped as JSON to the harness's sink. Counting
is zeroed once the server answers, REQUESTS index requests go over CONNECTIONS keep-alive
connections, in lock step, and the counts of every thread are dumped. Under callgrind the
threads run one at a time, so an event loop's batch holds fewer lines than at full speed: the
per-batch work (a queue push, a write, a send) is spread over fewer requests, and the share
found here is an upper bound of the share at full load. Kernel work (system calls) is not
counted: this is the share of the program's own instructions."""

import os
import socket
import subprocess
import tempfile
import time

REQUESTS = 20000
CONNECTIONS = 8
REQUEST = b"GET /app1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n"


def available():
    from shutil import which
    return which("valgrind") is not None and which("callgrind_control") is not None


def _read_answer(connection, pending):
    """Reads one whole answer (Content-Length framed); returns what followed it."""
    while True:
        head_end = pending.find(b"\r\n\r\n")
        if head_end >= 0:
            length = 0
            for line in pending[:head_end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(pending) >= end:
                if not pending.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"instructions: unexpected answer {pending[:80]!r}")
                return pending[end:]
        chunk = connection.recv(65536)
        if not chunk:
            raise RuntimeError("instructions: the server closed a connection")
        pending += chunk


def _send_requests(port, count):
    connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
    pending = [b""] * CONNECTIONS
    sent = 0
    while sent < count:
        for connection in connections:
            connection.sendall(REQUEST)
        for index, connection in enumerate(connections):
            pending[index] = _read_answer(connection, pending[index])
        sent += CONNECTIONS
    for connection in connections:
        connection.close()
    return sent


def _wait_until_answering(port, process, timeout_s=120):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"instructions: cppapp under callgrind exited ({process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(REQUEST)
                _read_answer(connection, b"")
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("instructions: cppapp under callgrind did not answer in time")


def _total_from_dump(path):
    with open(path) as dump:
        for line in dump:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split(":", 1)[1])
    raise RuntimeError(f"instructions: no totals in {path}")


def count(argv_for_port, port, scratch):
    """Instructions per index request of the server argv_for_port(port) starts."""
    out_dir = tempfile.mkdtemp(prefix="callgrind-", dir=scratch)
    out_file = os.path.join(out_dir, "callgrind.out")
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
            "--dump-instr=no"] + argv_for_port(port)
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(argv, stdout=devnull, stderr=devnull)
    try:
        _wait_until_answering(port, process)
        subprocess.run(["callgrind_control", "--zero", str(process.pid)], check=True,
                       capture_output=True)
        requests = _send_requests(port, REQUESTS)
        subprocess.run(["callgrind_control", "--dump", str(process.pid)], check=True,
                       capture_output=True)
        dump = out_file + ".1"
        deadline = time.monotonic() + 30
        while not os.path.exists(dump) and time.monotonic() < deadline:
            time.sleep(0.1)
        return _total_from_dump(dump) / requests
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
