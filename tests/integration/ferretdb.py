"""FerretDB (scripts/ferretdb) on a free loopback port, standing in for mongo-store."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile

from harness import SOURCE_DIR

SCRIPT = os.path.join(SOURCE_DIR, "scripts", "ferretdb")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FerretDB:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ferretdb-")
        self.port = free_port()
        self.process = None
        self.pid = None

    @property
    def url(self):
        return "mongodb://127.0.0.1:%d/cppapp_test" % self.port

    def start(self):
        # The first run builds FerretDB (minutes); later runs reuse build/tools/ferretdb.
        self.process = subprocess.Popen([SCRIPT, "start", self.dir, str(self.port)], stdout=subprocess.PIPE)
        line = self.process.stdout.readline().decode()
        match = re.search(r"FerretDB ready on \S+ \(pid (\d+)\)", line)
        if not match:
            self.process.wait()
            raise RuntimeError("FerretDB did not start (see scripts/ferretdb's output above): %r" % line)
        self.pid = int(match.group(1))

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.pid, signal.SIGCONT)
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)
            self.process.stdout.close()

    def pause(self):
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.pid, signal.SIGCONT)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
