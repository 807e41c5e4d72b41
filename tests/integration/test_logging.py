"""Logging to a Logstash stand-in: fields, outages, restarts, bad addresses."""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from harness import RawClient, Server

HERE = os.path.dirname(os.path.abspath(__file__))
RESEND_WINDOW = 1024 * 1024  # cppapp's default LOG_RESEND_WINDOW


class Receiver:
    """log_receiver.py in its own process, so a test can SIGKILL it mid-stream."""

    def __init__(self, path, port=0, slow=False):
        self.path = path
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "log_receiver.py"), path, str(port)]
                                        + (["--slow"] if slow else []),
                                        stdout=subprocess.PIPE)
        line = self.process.stdout.readline()
        match = re.match(rb"listening (\d+)", line)
        if not match:
            raise RuntimeError("log receiver did not start: %r" % line)
        self.port = int(match.group(1))

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process.stdout.close()

    def records(self):
        # The receiver appends whole lines, but a read racing its write(2) can see the start of
        # the last one only: that one is left for the next read.
        with open(self.path, "rb") as f:
            return [json.loads(line) for line in f if line.strip() and line.endswith(b"\n")]

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            records = self.records()
            if predicate(records):
                return records
            time.sleep(0.05)  # polling a file another process appends to
        return self.records()


def console_records(server):
    """The JSON records cppapp printed with LOG_FORMAT=json (every event it logged)."""
    records = []
    for line in server.text().splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    return records


def sequence(event_id):
    return int(event_id.split("-")[1], 16)


class LogFieldsTest(unittest.TestCase):
    def test_an_access_record_has_every_field_correctly_typed(self):
        with tempfile.TemporaryDirectory() as tmp:
            receiver = Receiver(os.path.join(tmp, "received.ndjson"))
            try:
                with Server(env={"LOGSTASH_ADDR": "127.0.0.1:%d" % receiver.port, "LOG_NODE_NAME": "node-7"}) as server:
                    response = server.get("/app1/?q=1&x=%22", {"User-Agent": "tester/1.0", "X-Request-Id": "req-42",
                                                               "X-Forwarded-For": "198.51.100.4"})
                    self.assertEqual(response.header("x-request-id"), "req-42")
                    records = receiver.wait_for(lambda rs: any(r.get("http.request.id") == "req-42" for r in rs))
            finally:
                receiver.kill()
        access = [r for r in records if r.get("http.request.id") == "req-42"]
        self.assertEqual(len(access), 1, records)
        record = access[0]
        expected_types = {
            "@timestamp": str, "level": str, "message": str, "label": str, "log.level": str,
            "service.name": str, "service.node.name": str, "host.hostname": str, "process.pid": int,
            "event.dataset": str, "http.request.method": str, "url.path": str, "url.query": str,
            "http.response.status_code": int, "http.response.body.bytes": int, "event.duration": int,
            "client.ip": str, "user_agent.original": str, "http.request.id": str, "event.id": str,
        }
        for key, kind in expected_types.items():
            self.assertIn(key, record)
            self.assertIsInstance(record[key], kind, key)
        self.assertRegex(record["@timestamp"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
        self.assertEqual(record["level"], "info")
        self.assertEqual(record["log.level"], "info")
        self.assertEqual(record["label"], "node-7")
        self.assertEqual(record["service.node.name"], "node-7")
        self.assertEqual(record["service.name"], "cppapp")
        self.assertEqual(record["event.dataset"], "cppapp.access")
        self.assertEqual(record["http.request.method"], "GET")
        self.assertEqual(record["url.path"], "/app1/")
        self.assertEqual(record["url.query"], "q=1&x=%22")
        self.assertEqual(record["http.response.status_code"], 200)
        self.assertEqual(record["http.response.body.bytes"], 156)
        self.assertGreater(record["event.duration"], 0)
        self.assertEqual(record["client.ip"], "198.51.100.4")
        self.assertEqual(record["user_agent.original"], "tester/1.0")
        self.assertEqual(record["process.pid"], server.process.pid)

    def test_generated_request_ids_and_unsafe_ones_replaced(self):
        with Server() as server:
            generated = server.get("/app1/").header("x-request-id")
            self.assertRegex(generated, r"^[0-9a-f]{32}$")
            other = server.get("/app1/").header("x-request-id")
            self.assertNotEqual(generated, other)
            unsafe = server.get("/app1/", {"X-Request-Id": "a b<script>"}).header("x-request-id")
            self.assertRegex(unsafe, r"^[0-9a-f]{32}$")

    def test_text_console_lines_are_winstons_shape_in_order_and_complete(self):
        # Access lines of one event loop are collected for a millisecond and written together:
        # a pipelined burst must still give one line per request, in request order.
        line_shape = (r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} - info: "
                      r"GET /app1/missing-(\d+) 404 \d+B \d+\.\d{3}ms 127\.0\.0\.1$")
        with Server("--threads", "1") as server:
            burst = 200
            with RawClient(server) as client:
                client.send(b"".join(b"GET /app1/missing-%d?q=1 HTTP/1.1\r\nHost: a\r\n\r\n" % n
                                     for n in range(burst)))
                for _ in range(burst):
                    self.assertEqual(client.read_response()[0], 404)
            self.assertIsNotNone(server.wait_for_output(rb"GET /app1/missing-%d " % (burst - 1)))
            lines = [line for line in server.text().splitlines() if "GET /app1/missing-" in line]
            for line in lines:
                self.assertRegex(line, line_shape)
            numbers = [int(re.match(line_shape, line).group(1)) for line in lines]
            self.assertEqual(numbers, list(range(burst)))
            server.get("/app1/")
            self.assertIsNotNone(server.wait_for_output(rb" - info: GET /app1/ 200 156B "))

    def test_json_console_is_valid_whatever_the_request_holds(self):
        with Server(env={"LOG_FORMAT": "json"}) as server:
            with RawClient(server) as client:
                client.send(b"GET /app1/\xff\xfe%22\"'\\ HTTP/1.1\r\nHost: a\r\nUser-Agent: \x01\x7f\"\\\xc3\x28\r\n\r\n")
                client.read_response()
            server.get("/app1/")
            self.assertIsNotNone(server.wait_for_output(rb'"url.path":"/app1/"'))
            records = console_records(server)  # json.loads raises on anything invalid
            self.assertTrue(any(r.get("event.dataset") == "cppapp.access" for r in records))


class BlockedConsoleTest(unittest.TestCase):
    def test_output_lost_to_a_blocked_stdout_is_counted_and_reported(self):
        # The console never makes a request wait: when stdout stays blocked past what the queue
        # absorbs, writes are dropped, but counted in /metrics and reported once it flows again.
        with Server("--threads", "2") as server:
            server.pause_output()
            stop = threading.Event()
            self.addCleanup(stop.set)
            self.addCleanup(server.resume_output)

            def load():
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                while not stop.is_set():
                    connection.request("GET", "/app1/")
                    connection.getresponse().read()

            clients = [threading.Thread(target=load, daemon=True) for _ in range(4)]
            for client in clients:
                client.start()
            dropped = 0
            deadline = time.monotonic() + 60
            while dropped == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
                dropped = console_writes_dropped(server)
            stop.set()
            for client in clients:
                client.join(10)
            self.assertGreater(dropped, 0)

            server.resume_output()
            # The report rides on the next console write, at most once a second.
            report = None
            deadline = time.monotonic() + 10
            while report is None and time.monotonic() < deadline:
                self.assertEqual(server.get("/app1/").status, 200)
                report = server.wait_for_output(rb"console output lost", timeout=0.5)
            self.assertIsNotNone(report, server.text()[-2000:])
            match = re.search(rb" - warn: console output lost \(stdout blocked or closed\): (\d+) writes", report)
            self.assertIsNotNone(match, report)
            self.assertGreater(int(match.group(1)), 0)


def console_writes_dropped(server):
    body = server.get("/metrics").body.decode()
    match = re.search(r"^cppapp_log_console_writes_dropped_total (\S+)$", body, re.MULTILINE)
    return float(match.group(1)) if match else 0


class CrashRecordTest(unittest.TestCase):
    def test_a_fatal_signal_leaves_a_record_the_next_start_ships(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "received.ndjson")
            probe = Receiver(path)
            port = probe.port
            probe.kill()  # Logstash away while the first process dies
            data_dir = tempfile.mkdtemp(dir=tmp)
            env = {"LOGSTASH_ADDR": "127.0.0.1:%d" % port, "DATA_DIR": data_dir}
            first = Server(env=env)
            first.start()
            self.assertEqual(first.get("/app1/").status, 200)
            self.assertEqual(first.stop(signal.SIGSEGV), -signal.SIGSEGV)
            self.assertIsNotNone(first.wait_for_output(rb"FATAL: cppapp received signal SIGSEGV; backtrace:"),
                                 first.text())
            crash_file = os.path.join(data_dir, "log-spool", "first-crash-%d.ndjson" % first.process.pid)
            with open(crash_file) as f:
                record = json.loads(f.readline())
            self.assertEqual(record["message"], "fatal signal SIGSEGV")
            self.assertEqual(record["log.level"], "critical")
            # Written in the handler: frames as module+offset (a raw address outside every module),
            # and the build they belong to.
            frame = r"(\S+\+)?0x[0-9a-f]+"
            self.assertRegex(record["error.stack_trace"], r"^%s( %s)+$" % (frame, frame))
            self.assertRegex(record["error.stack_trace"], r"\bcppapp\+0x[0-9a-f]+")
            self.assertRegex(record["process.build_id"], r"^[0-9a-f]{40}$")

            receiver = Receiver(path, port)
            second = Server(env=env)
            second.start()
            records = receiver.wait_for(lambda rs: any(r.get("message") == "fatal signal SIGSEGV" for r in rs))
            second.stop()
            receiver.kill()
        crashes = [r for r in records if r.get("message") == "fatal signal SIGSEGV"]
        self.assertTrue(crashes)
        # The next start made the stack readable before shipping it: a frame a line, the binary's
        # own frames named. The handler's frame is always there; the rest depends on the thread
        # the signal reached.
        stack = crashes[0]["error.stack_trace"]
        self.assertRegex(stack, r"^#0 cppapp\+0x[0-9a-f]+ in .*on_fatal_signal\(int\) at \S+crash_handler\.cpp:\d+\n", stack)
        self.assertRegex(stack, r"^(#\d+ (\S+\+)?0x[0-9a-f]+( in .+)?\n)+$", stack)


def remove_tree_being_written(path, attempts=100):
    """Removes a directory the server may create a file in meanwhile: rmtree lists, deletes what
    it listed, then fails on the directory when a new file came in between; the next attempt
    takes that one too."""
    for _ in range(attempts - 1):
        try:
            shutil.rmtree(path)
            return
        except OSError:
            continue
    shutil.rmtree(path)


class LogstashOutageTest(unittest.TestCase):
    def test_unreachable_logstash_is_reported_once_and_the_service_serves(self):
        for address in ("logstash.invalid:9000", "127.0.0.1:1"):
            with Server(env={"LOGSTASH_ADDR": address}) as server:
                for _ in range(20):
                    self.assertEqual(server.get("/app1/").status, 200)
                self.assertIsNotNone(server.wait_for_output(rb"cannot reach logstash"))
                # A few reconnect attempts (counted in /metrics) must stay quiet.
                self.assertTrue(server.wait_for_metric("cppapp_log_connect_failures_total", 3), server.text())
                self.assertEqual(server.text().count("cannot reach logstash"), 1, server.text())

    def test_receiver_killed_mid_stream_loses_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "received.ndjson")
            # A receiver that falls behind: when it is killed, its socket buffer holds events it
            # never read and cppapp's send buffer holds events it never acknowledged.
            receiver = Receiver(path, slow=True)
            port = receiver.port
            server = Server("--threads", "1", env={"LOGSTASH_ADDR": "127.0.0.1:%d" % port, "LOG_FORMAT": "json",
                                                   "LOG_BUFFER": "256kb"})
            server.start()
            stop = threading.Event()
            sent = [0]

            def load():
                # About 1,000 requests (so access events) a second, until told to stop.
                with RawClient(server) as client:
                    next_at = time.monotonic()
                    while not stop.is_set():
                        client.send(b"GET /app1/ HTTP/1.1\r\nHost: a\r\n\r\n")
                        client.read_response()
                        sent[0] += 1
                        next_at += 0.001
                        delay = next_at - time.monotonic()
                        if delay > 0:
                            time.sleep(delay)

            loader = threading.Thread(target=load)
            loader.start()
            try:
                receiver.wait_for(lambda rs: len(rs) >= 3000, timeout=60)
                receiver.kill()  # SIGKILL mid-stream: what sat in its socket buffer is lost
                killed_at = time.monotonic()
                while time.monotonic() - killed_at < 10:
                    time.sleep(0.1)
                receiver = Receiver(path, port)
                while sent[0] < 30000 and time.monotonic() - killed_at < 40:
                    time.sleep(0.1)
            finally:
                stop.set()
                loader.join(60)
            # The backlog (memory, spool, re-sent window) drains to the new receiver...
            before_stop = {r["event.id"] for r in console_records(server) if "event.id" in r}
            receiver.wait_for(lambda rs: {r["event.id"] for r in rs} >= before_stop, timeout=90)
            # ...and what is logged while stopping is flushed by the stop itself.
            self.assertEqual(server.stop(), 0)
            emitted = [r["event.id"] for r in console_records(server) if "event.id" in r]
            records = receiver.wait_for(lambda rs: {r["event.id"] for r in rs} >= set(emitted), timeout=10)
            receiver.kill()

        arrived = [r["event.id"] for r in records]
        missing = set(emitted) - set(arrived)
        self.assertEqual(missing, set(), "%d of %d events never arrived" % (len(missing), len(emitted)))
        # First arrivals in the order they were logged. Access records all come from the one
        # event-loop thread, so their ids' sequence numbers are the order they were queued in
        # (events of different threads have no order between them).
        access_ids = {r["event.id"] for r in console_records(server) if r.get("event.dataset") == "cppapp.access"}
        first_seen = []
        seen = set()
        for event_id in arrived:
            if event_id not in seen:
                seen.add(event_id)
                first_seen.append(event_id)
        ordered = [e for e in first_seen if e in access_ids]
        self.assertGreater(len(ordered), 5000)
        self.assertEqual(ordered, sorted(ordered, key=sequence))
        # Duplicates only from the re-sent window (one window per reconnect).
        duplicate_bytes = sum(len(json.dumps(r)) for r in records) - sum(len(json.dumps(r)) for r in
                                                                          {r["event.id"]: r for r in records}.values())
        self.assertLessEqual(duplicate_bytes, 2 * RESEND_WINDOW)
        print("\noutage: %d events, %d records received, %d duplicates (%d bytes)"
              % (len(emitted), len(arrived), len(arrived) - len(set(arrived)), duplicate_bytes), file=sys.stderr)
        self.assertGreater(len(emitted), 5000)

    def test_a_spool_that_becomes_unwritable_is_reported_and_counted_and_never_stops_serving(self):
        with tempfile.TemporaryDirectory() as tmp:
            spool = os.path.join(tmp, "log-spool")
            # Logstash away and a tiny memory queue: events go to the spool at once.
            env = {"LOGSTASH_ADDR": "127.0.0.1:1", "LOG_BUFFER": "1kb", "DATA_DIR": tmp}
            with Server(env=env) as server:
                for _ in range(20):
                    self.assertEqual(server.get("/app1/").status, 200)
                self.assertTrue(any(name.startswith("segment-") for name in os.listdir(spool)))
                # The spool directory disappears and a file takes its place.
                remove_tree_being_written(spool)
                with open(spool, "w") as blocker:
                    blocker.write("not a directory")
                for _ in range(50):
                    self.assertEqual(server.get("/app1/").status, 200)
                line = server.wait_for_output(rb"warn: log spool: cannot (create|write) .*log events dropped")
                self.assertIsNotNone(line, server.text()[-2000:])
                metrics = server.get("/metrics").body.decode()
                dropped = re.search(r"^cppapp_log_events_dropped_total (\S+)$", metrics, re.M)
                self.assertGreater(float(dropped.group(1)), 0, metrics)
                self.assertIsNone(server.process.poll())
                # Repeated failures are a line per few seconds, not one each.
                self.assertLessEqual(server.text().count("log spool: cannot"), 2, server.text()[-3000:])
                self.assertEqual(server.stop(), 0)

    def test_events_of_a_stopped_run_arrive_after_restart(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "received.ndjson")
            probe = Receiver(path)
            port = probe.port
            probe.kill()  # Logstash is down for the whole first run
            data_dir = tempfile.mkdtemp(dir=tmp)
            env = {"LOGSTASH_ADDR": "127.0.0.1:%d" % port, "LOG_FORMAT": "json", "DATA_DIR": data_dir}
            first = Server(env=env)
            first.start()
            for _ in range(300):
                first.get("/app1/")
            self.assertEqual(first.stop(), 0)
            emitted = {r["event.id"] for r in console_records(first) if "event.id" in r}
            self.assertGreater(len(emitted), 300)

            receiver = Receiver(path, port)
            second = Server(env=env)
            second.start()
            records = receiver.wait_for(lambda rs: {r["event.id"] for r in rs} >= emitted, timeout=30)
            second.stop()
            receiver.kill()
        self.assertEqual(emitted - {r["event.id"] for r in records}, set())


if __name__ == "__main__":
    unittest.main()
