"""What the real-engine tests share: the docker client, the image names, readiness polling, the
load generator of scripts/cluster, and the report every figure goes to.

The engine itself is started by tests/engine/engine (ctest's engine.setup), which also builds the
images (setup.py); the tests only use them.
"""

import copy
import http.client
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
DOCKER = "/usr/bin/docker"  # Debian's docker.io client, matching its dockerd
IMAGE = "cppapp:test"  # the repository's Dockerfile, built by setup.py
BROKEN_IMAGE = "cppapp:test-broken"  # the same with a configuration that cannot start
TESTBED_IMAGE = "cppapp-testbed:test"  # HAProxy, FerretDB and the log receiver (testbed/)
ARTIFACTS = os.environ.get("CPPAPP_ARTIFACTS_DIR", os.path.join(REPO, "build", "engine-artifacts"))
REPORT = os.path.join(ARTIFACTS, "report.md")

_loader = importlib.machinery.SourceFileLoader("cluster", os.path.join(REPO, "scripts", "cluster"))
_spec = importlib.util.spec_from_loader("cluster", _loader)
cluster = importlib.util.module_from_spec(_spec)
_loader.exec_module(cluster)


def docker(*args, check=True, timeout=600, input=None, env=None):
    """Runs the docker client; returns its stdout (text). Raises with stderr when it fails."""
    result = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout, input=input,
                            env=env)
    if check and result.returncode != 0:
        raise AssertionError("docker %s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr.strip()))
    return result.stdout if check else result


def every_replica_reaches_the_database(status_of, replicas=3):
    """True when three database reads per replica in a row are answered 200 through the proxy,
    which takes the replicas in turn. One 200 proves only one replica: another whose store
    monitor last saw the database down (it started before the database did) refuses database
    calls with 503 until its next ping finds it."""
    return all(status_of("/app1/api/entries?limit=1") == 200 for _ in range(3 * replicas))


def wait_until(predicate, timeout, what, interval=0.2, state=None):
    """Polls `predicate` until it returns something true; fails naming `what` after `timeout`,
    with what `state()` (when given) says about the state the wait ended in."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            seen = ""
            if state is not None:
                try:
                    seen = "; last seen: " + state()
                except Exception as error:  # the description must not hide the timeout
                    seen = "; the state could not be read: %s" % error
            raise AssertionError("timed out after %d s waiting for %s%s" % (timeout, what, seen))
        time.sleep(interval)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def project_version():
    with open(os.path.join(REPO, "CMakeLists.txt")) as cmake:
        return re.search(r"project\(cppapp VERSION ([0-9.]+)", cmake.read()).group(1)


def built_revision():
    """The revision setup.py gave the image it built (the checkout may have moved on since)."""
    with open(os.path.join(ARTIFACTS, "image-revision")) as recorded:
        return recorded.read().strip()


def git_revision():
    result = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def image_size(image):
    return int(docker("image", "inspect", "--format", "{{.Size}}", image).strip())


def mib(size):
    return "%.1f MiB" % (size / 1048576)


def received_records(path):
    """The JSON records a log receiver wrote to `path` (torn or foreign lines skipped)."""
    records = []
    if os.path.exists(path):
        with open(path, "rb") as received:
            for line in received:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass
    return records


def start_report(path=REPORT, title="Real-engine test report", written_by="`ctest -R engine` (tests/engine/)",
                 swarm="single-node swarm"):
    """A new report: the machine and the revision; each test appends its section."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    server = docker("version", "--format", "{{.Server.Version}}").strip()
    with open(path, "w") as report:
        report.write("# %s\n\n" % title)
        report.write("Written by %s; the committed copy is the last run the README refers to.\n\n" % written_by)
        report.write("| | |\n|---|---|\n")
        report.write("| date | %s |\n" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
        report.write("| revision | %s |\n" % git_revision())
        report.write("| engine | dockerd %s (Debian docker.io), %s |\n" % (server, swarm))
        report.write("| machine | %d cores, kernel %s |\n" % (os.cpu_count(), os.uname().release))


def report(section, rows, path=REPORT):
    """Appends a section with one table row per figure, and prints it for the test log."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(path, "a") as out:
        out.write("\n## %s\n\n| figure | value |\n|---|---|\n" % section)
        for name, value in rows.items():
            out.write("| %s | %s |\n" % (name, value))
    print("\n%s: %s" % (section, json.dumps(rows, default=str)), flush=True)


def printable(counts):
    """A Load summary with its outcomes as strings, for the report."""
    return {kind: {str(outcome): n for outcome, n in per.items()} for kind, per in counts.items()}


def haproxy_servers_up(host, stats_port, backend="app1-be8080", prefix="app1_"):
    """How many servers of `backend` the stand-in HAProxy has UP (its stats page, CSV); 0 when
    the page cannot be read."""
    conn = http.client.HTTPConnection(host, stats_port, timeout=5)
    try:
        conn.request("GET", "/stats;csv")
        rows = conn.getresponse().read().decode().splitlines()
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()
    if not rows:
        return 0
    header = rows[0].lstrip("# ").split(",")
    status = header.index("status")
    return sum(1 for row in rows[1:] if row.startswith("%s,%s" % (backend, prefix)) and
               row.split(",")[status] == "UP")


def ferretdb_for_replica_set(stack, keep_placement=False):
    """deploy/apps.yml with its MongoDB replica set (mongo-store-1..3, mongo-rs-init, their volumes
    and config) replaced by one FerretDB service named mongo-store (mongo:7 cannot be pulled here;
    dnsrr: no virtual IPs on this kernel). With keep_placement, FerretDB is placed as
    mongo-store-1 is (on the node labelled mongo=1). Returns a changed copy."""
    stack = copy.deepcopy(stack)
    services = stack["services"]
    placement = services["mongo-store-1"]["deploy"]["placement"]
    for name in [n for n in services if n.startswith("mongo-")]:
        del services[name]
    stack["volumes"] = {"ferretdb-data": None}
    stack.pop("configs", None)
    services["mongo-store"] = {
        "image": TESTBED_IMAGE,
        "command": ["ferretdb", "--handler=sqlite", "--sqlite-url=file:/state/", "--state-dir=/state",
                    "--listen-addr=:27017", "--debug-addr=-", "--telemetry=disable", "--log-level=error"],
        "networks": ["apps_net"],
        "volumes": ["ferretdb-data:/state"],
        "deploy": {"replicas": 1, "endpoint_mode": "dnsrr"},
    }
    if keep_placement:
        services["mongo-store"]["deploy"]["placement"] = placement
    return stack


def without_write_limit(stack):
    """app1 with WRITE_RATE=off: the load generator is one client (behind HAProxy, one address)
    posting as fast as it can, and these tests measure availability, not the spam limit (which
    tests/integration/test_hostile.py covers), as scripts/cluster does. Changes `stack`."""
    stack["services"]["app1"].setdefault("environment", {})["WRITE_RATE"] = "off"
    return stack


def clean_up(remove, work):
    """After a test: remove() what it made on the engine, unless CPPAPP_ENGINE_KEEP=1 (to look at
    it), and its work directory."""
    if os.environ.get("CPPAPP_ENGINE_KEEP") != "1":
        remove()
    shutil.rmtree(work, ignore_errors=True)


class Phases(unittest.TestCase):
    """Test methods that are phases of one deployment, run in order (test_1, test_2, …): once one
    fails, the later ones are skipped rather than left to time out on a broken deployment."""

    broken = None

    def setUp(self):
        if self.broken:
            self.skipTest("an earlier phase failed: " + self.broken)

    def run(self, result=None):
        failures = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > failures and not type(self).broken:
            type(self).broken = self._testMethodName
        return outcome

    # Load through the proxy (scripts/cluster's Load), one run per phase. A subclass says where
    # the proxy is (load_target) and makes the dicts answered and rates in its setUpClass.

    def load_target(self):
        raise NotImplementedError

    def start_load(self, clients=4, pause=0.005):
        host, port = self.load_target()
        self.load = cluster.Load(port, clients=clients, pause=pause, max_requests=200000, host=host).start()
        wait_until(lambda: cluster.total(self.load.summary()) >= 100, 30, "traffic through the proxy")
        return self.load

    def wait_for_traffic(self, more):
        target = cluster.total(self.load.summary()) + more
        wait_until(lambda: cluster.total(self.load.summary()) >= target, 60, "%d more requests" % more)

    received_log = None  # a subclass's log receiver file, read to explain a failed request

    def explain(self, counts, since=None, until=None):
        """An assertion message: the counts, then each failed request with the start of its
        answer and the log events (other than access lines) that carry its request id."""
        lines = [json.dumps(printable(counts))]
        details = self.load.failure_details(since, until)
        records = received_records(self.received_log) if self.received_log and details else []
        for detail in details[:10]:
            lines.append("  " + detail)
            request_id = detail.split("X-Request-Id ", 1)[1].split(")", 1)[0]
            lines += ["    logged: " + json.dumps(record) for record in records
                      if record.get("http.request.id") == request_id
                      and record.get("event.dataset") != "cppapp.access"][:5]
        return "\n".join(lines)

    def finish(self, phase):
        """Stops the load; keeps the request ids answered (answered[phase]) and the rate (rates[phase])."""
        self.load.stop()
        self.answered[phase] = self.load.answered_ids()
        with self.load.lock:
            times = [when for when, _, _, _ in self.load.results]
        counts = self.load.summary()
        seconds = max(times) - min(times) if times else 0
        if seconds > 0:
            self.rates[phase] = "%.0f requests/s through the proxy, %.0f of them database calls (for %.0f s)" % (
                cluster.total(counts) / seconds, sum(counts["db"].values()) / seconds, seconds)
        return counts
