"""Drives load with wrk and, optionally, scrapes /metrics beside it like a Prometheus would."""

import http.client
import json
import os
import resource
import subprocess
import threading
import time

LUA_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "wrk", "report.lua")


def children_cpu_seconds():
    """CPU time of finished child processes (wrk), for the load generator's own share."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(port, scenario, connections, duration_s, threads):
    """One wrk run against 127.0.0.1:port; returns the report.lua numbers plus wrk's CPU time."""
    env = dict(os.environ)
    env["BENCH_METHOD"] = scenario.get("method", "GET")
    env["BENCH_BODY"] = scenario.get("body", "")
    env["BENCH_ACCEPT_ENCODING"] = scenario.get("accept_encoding", "")
    env["BENCH_COUNT_STATUS"] = "1" if scenario.get("count_status") else ""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--timeout", "5s",
            "-s", LUA_SCRIPT, f"http://127.0.0.1:{port}{scenario['path']}"]
    cpu_before = children_cpu_seconds()
    finished = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=duration_s + 60)
    for line in finished.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            report = json.loads(line[len("BENCH_JSON "):])
            report["wrk_cpu_s"] = children_cpu_seconds() - cpu_before
            return report
    raise RuntimeError(f"wrk gave no report (exit {finished.returncode}): "
                       f"{finished.stdout[-500:]} {finished.stderr[-500:]}")


class MetricsScraper:
    """GET /metrics every `interval` seconds on its own keep-alive connection while load runs."""

    def __init__(self, port, interval=1.0):
        self.port = port
        self.interval = interval
        self.scrapes = 0
        self.failures = 0
        self.seconds = 0.0
        self.bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        next_at = time.monotonic()
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                connection.request("GET", "/metrics")
                response = connection.getresponse()
                body = response.read()
                if response.status == 200:
                    self.scrapes += 1
                    self.bytes += len(body)
                    self.seconds += time.monotonic() - began
                else:
                    self.failures += 1
            except (OSError, http.client.HTTPException):
                self.failures += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            next_at += self.interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))
        connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self):
        """Scrapes done, failed, mean scrape latency (ms) and mean body size (bytes)."""
        return {
            "scrapes": self.scrapes,
            "failures": self.failures,
            "mean_ms": round(1000 * self.seconds / self.scrapes, 2) if self.scrapes else None,
            "mean_bytes": self.bytes // self.scrapes if self.scrapes else None,
        }
