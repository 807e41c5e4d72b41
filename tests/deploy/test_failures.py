"""Failure tests on the local cluster (scripts/cluster) under a bounded load through HAProxy.

Each test starts a fresh cluster, puts 4 keep-alive clients on /app1 (pages, static files and
guestbook API calls, at most one request per client every 5 ms, at most 20000 in all), breaks
one thing the way a swarm sees it break, and counts every request's outcome.
"""

import signal
import time
import unittest

from cluster_fixture import ClusterTestCase, cluster, printable, report

CLIENTS = 4


class RollingRestartTest(ClusterTestCase):
    def test_rolling_sigterm_restart_of_every_replica_fails_no_request(self):
        self.start_load(clients=CLIENTS)
        self.wait_for_traffic()
        exit_codes, down_after, up_after = [], [], []
        for n in (1, 2, 3):
            # What Swarm does per task: SIGTERM, wait for the exit, start the replacement, and go on
            # only once it is healthy (here: once HAProxy's check has put it back).
            exit_codes.append(self.cluster.replicas[n - 1].stop(signal.SIGTERM))
            down_after.append(round(self.cluster.wait_server_state(n, "DOWN"), 2))
            self.cluster.start_replica(n)
            up_after.append(round(self.cluster.wait_server_state(n, "UP"), 2))
            self.wait_for_traffic(cluster.total(self.load.summary()) + 50)
        counts = self.load.stop().summary()
        report("rolling restart", requests=cluster.total(counts), failed=cluster.failures(counts),
               outcomes=printable(counts), exit_codes=exit_codes, seconds_to_down=down_after, seconds_to_up=up_after,
               haproxy=self.cluster.retries())
        self.assertEqual(exit_codes, [0, 0, 0])
        self.assertGreater(cluster.total(counts), 300)
        self.assertEqual(cluster.failures(counts), 0, printable(counts))


class ReplicaKilledTest(ClusterTestCase):
    def test_sigkill_fails_at_most_the_requests_it_held_and_traffic_continues(self):
        self.start_load(clients=CLIENTS)
        self.wait_for_traffic()
        held = int(self.cluster.stats()[2]["scur"])
        killed_at = self.load.mark()
        self.cluster.replicas[1].stop(signal.SIGKILL)
        seconds_to_down = self.cluster.wait_server_state(2, "DOWN")
        marked_down_at = self.load.mark()
        self.wait_for_traffic(cluster.total(self.load.summary()) + 300)
        counts_after_down = self.load.summary(since=marked_down_at)
        counts = self.load.stop().summary()
        before = self.load.summary(until=killed_at)
        report("replica killed", requests=cluster.total(counts), failed=cluster.failures(counts),
               sessions_on_it_at_kill=held, seconds_to_down=round(seconds_to_down, 2),
               requests_after_marked_down=cluster.total(counts_after_down), outcomes=printable(counts),
               haproxy=self.cluster.retries())
        self.assertEqual(cluster.failures(before), 0, printable(before))
        # A client has at most one request in flight, so the dead replica held at most CLIENTS.
        self.assertLessEqual(cluster.failures(counts), CLIENTS, printable(counts))
        self.assertGreaterEqual(cluster.total(counts_after_down), 300)
        self.assertEqual(cluster.failures(counts_after_down), 0, printable(counts_after_down))
        stats = self.cluster.stats()
        self.assertEqual([stats[n]["status"].split(" ")[0] for n in (1, 2, 3)], ["UP", "DOWN", "UP"])


class DatabaseOutageTest(ClusterTestCase):
    def test_only_database_routes_fail_with_503_while_the_database_is_down(self):
        self.start_load(clients=CLIENTS)
        self.wait_for_traffic()
        stopped_at = self.load.mark()
        self.cluster.db.stop(signal.SIGTERM)
        time.sleep(10)  # the outage itself: 10 s without a database, by design
        self.cluster.start_db()
        restarted_at = self.load.mark()
        # Recovery: every database route answers again without restarting anything.
        deadline = restarted_at + 20
        while True:
            recent = self.load.summary(since=self.load.mark() - 1.0)
            if recent["db"] and all(cluster.succeeded(o) for o in recent["db"]):
                break
            self.assertLess(time.monotonic(), deadline, "no recovery: %s" % printable(recent))
            time.sleep(0.1)
        recovered_at = self.load.mark()
        self.wait_for_traffic(cluster.total(self.load.summary()) + 300)
        self.load.stop()
        before = self.load.summary(until=stopped_at)
        outage = self.load.summary(since=stopped_at, until=restarted_at)
        after = self.load.summary(since=recovered_at)
        everything = self.load.summary()
        report("database down 10 s", before=printable(before), outage=printable(outage), after=printable(after),
               seconds_to_recover=round(recovered_at - restarted_at, 2))
        self.assertEqual(cluster.failures(before), 0, printable(before))
        # Pages never failed; database routes failed only with 503, and did fail during the outage.
        self.assertTrue(all(cluster.succeeded(o) for o in everything["page"]), printable(everything))
        self.assertTrue(set(everything["db"]) <= {200, 201, 503}, printable(everything))
        self.assertGreater(outage["db"].get(503, 0), 0, printable(outage))
        self.assertEqual(cluster.failures(after), 0, printable(after))
        self.assertGreaterEqual(cluster.total(after), 300)


class LogstashOutageTest(ClusterTestCase):
    def test_no_access_record_is_lost_while_the_receiver_is_down(self):
        self.start_load(clients=CLIENTS)
        self.wait_for_traffic()
        self.cluster.receiver.stop(signal.SIGKILL)  # a dying Logstash: no goodbye
        time.sleep(10)  # the outage itself, by design
        self.cluster.start_receiver()
        self.wait_for_traffic(cluster.total(self.load.summary()) + 100)
        counts = self.load.stop().summary()

        def printed_access_ids():
            return {r["event.id"] for n in (1, 2, 3) for r in self.cluster.console_records(n)
                    if r.get("event.dataset") == "cppapp.access"}

        printed = printed_access_ids()
        # Shipping resumes within the reconnect back-off (at most 5 s): wait, bounded.
        deadline = time.monotonic() + 30
        while True:
            received = [r.get("event.id") for r in self.cluster.received_records()]
            missing = printed - set(received)
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        access_received = [i for i in received if i in printed]
        report("log receiver down 10 s", requests=cluster.total(counts), failed=cluster.failures(counts),
               access_records_printed=len(printed), access_records_received=len(set(access_received)),
               duplicates_received=len(access_received) - len(set(access_received)), missing=len(missing))
        self.assertEqual(cluster.failures(counts), 0, printable(counts))
        self.assertGreaterEqual(len(printed), cluster.total(counts))
        self.assertEqual(missing, set(), "access records never received: %d" % len(missing))


if __name__ == "__main__":
    unittest.main()
