"""Loads scripts/cluster (a script, not a module) and gives each failure test a fresh cluster.

The binary is CPPAPP_BIN (set by ctest). Each test prints its counts, so a passing run still
shows what happened (ctest -V).
"""

import importlib.machinery
import importlib.util
import json
import os
import shutil
import tempfile
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_loader = importlib.machinery.SourceFileLoader("cluster", os.path.join(REPO, "scripts", "cluster"))
_spec = importlib.util.spec_from_loader("cluster", _loader)
cluster = importlib.util.module_from_spec(_spec)
_loader.exec_module(cluster)

BIN = os.environ.get("CPPAPP_BIN", os.path.join(REPO, "build", "debug", "cppapp"))


def report(name, **counts):
    """Prints one line of counts for the test log."""
    print("\n%s: %s" % (name, json.dumps(counts, sort_keys=True, default=str)), flush=True)


def printable(counts):
    return {kind: {str(outcome): n for outcome, n in per.items()} for kind, per in counts.items()}


class ClusterTestCase(unittest.TestCase):
    """A cluster per test, torn down (and its state removed) whatever happens."""

    def setUp(self):
        self.state_dir = tempfile.mkdtemp(prefix="cppapp-cluster-")
        self.cluster = cluster.Cluster(self.state_dir, BIN).up()
        self.load = None

    def tearDown(self):
        if self.load is not None:
            self.load.stop()
        self.cluster.down()
        if self._outcome_failed():
            print("cluster state kept for inspection: %s" % self.state_dir)
        else:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def _outcome_failed(self):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        return bool(result and (result.failures or result.errors))

    def start_load(self, **options):
        self.load = cluster.Load(self.cluster.proxy_port, **options).start()
        return self.load

    def wait_for_traffic(self, requests=50, timeout=10.0):
        """Waits (bounded) until the load has made `requests` requests: it is flowing."""
        deadline = time.monotonic() + timeout
        while cluster.total(self.load.summary()) < requests:
            self.assertLess(time.monotonic(), deadline, "the load made no progress")
            time.sleep(0.02)
