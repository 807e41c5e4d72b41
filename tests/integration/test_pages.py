"""The Hello World page through the whole pipeline: mount, rendering, minifying, headers, 404s."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import BIN, INDEX_BYTES, SECURITY_HEADERS, RawClient, Server, SOURCE_DIR, tcp_queues


class PageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server_started_at = time.time()
        cls.server = Server().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def assertSecurityHeaders(self, response):
        for name, value in SECURITY_HEADERS.items():
            self.assertEqual(response.header(name), value, name)
        self.assertIsNone(response.header("x-powered-by"))
        self.assertIsNone(response.header("server"))

    def test_index_is_the_seed_page_minified(self):
        for path in ("/app1/", "/app1"):
            response = self.server.get(path)
            self.assertEqual(response.status, 200, path)
            self.assertEqual(response.header("content-type"), "text/html; charset=utf-8")
            self.assertEqual(response.body, INDEX_BYTES)
            self.assertEqual(response.header("content-length"), str(len(INDEX_BYTES)))
            self.assertSecurityHeaders(response)

    def test_mount_matches_case_insensitively_and_keeps_the_query(self):
        for path in ("/APP1/", "/App1", "/app1/?x=1", "/app1?x=1&y=%20", "/app1//"):
            self.assertEqual(self.server.get(path).body, INDEX_BYTES, path)

    def test_paths_outside_the_mount_are_express_404s(self):
        for path in ("/", "/app1x", "/app2/", "/app1/nope", "/app1///", "/favicon.ico"):
            response = self.server.get(path)
            self.assertEqual(response.status, 404, path)
            self.assertEqual(response.header("content-type"), "text/html; charset=utf-8")
            expected = "<pre>Cannot GET %s</pre>" % path
            self.assertIn(expected.encode(), response.body, path)
            self.assertSecurityHeaders(response)

    def test_404_page_escapes_the_path(self):
        response = self.server.get("/app1/a'b&c\"d<e>")
        self.assertEqual(response.status, 404)
        self.assertIn(b"<pre>Cannot GET /app1/a&#39;b&amp;c%22d%3Ce%3E</pre>", response.body)
        self.assertNotIn(b"<e>", response.body)

    def test_404_page_is_finalhandlers_document(self):
        response = self.server.get("/nowhere?q=1")
        self.assertEqual(
            response.body,
            b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
            b"</head>\n<body>\n<pre>Cannot GET /nowhere</pre>\n</body>\n</html>\n")

    def test_a_method_no_route_takes_is_a_404(self):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = self.server.request(method, "/app1/")
            self.assertEqual(response.status, 404, method)
            self.assertIn(("Cannot %s /app1/" % method).encode(), response.body)

    def test_options_lists_the_methods_like_express(self):
        response = self.server.request("OPTIONS", "/app1/")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("allow"), "GET,HEAD")
        self.assertEqual(response.body, b"GET,HEAD")
        self.assertSecurityHeaders(response)
        self.assertEqual(self.server.request("OPTIONS", "/app1/nope").status, 404)

    def test_head_has_the_headers_and_no_body(self):
        get = self.server.get("/app1/")
        with RawClient(self.server) as client:
            client.send(b"HEAD /app1/ HTTP/1.1\r\nHost: x\r\n\r\nGET /app1/ HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = client.read_response(head_only=True)
            self.assertEqual(status, 200)
            self.assertEqual(headers["content-length"], str(len(INDEX_BYTES)))
            self.assertEqual(headers["etag"], get.header("etag"))
            self.assertEqual(body, b"")
            # The next response starts right after the HEAD's header block: no stray body bytes.
            status, _, body = client.read_response()
            self.assertEqual((status, body), (200, INDEX_BYTES))

    def test_rendered_pages_get_an_etag_and_304(self):
        first = self.server.get("/app1/")
        etag = first.header("etag")
        self.assertRegex(etag, r'^W/"9c-[A-Za-z0-9+/]{27}"$')
        again = self.server.get("/app1/", {"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, b"")
        self.assertIsNone(again.header("content-type"))
        # The Vary its 200 carries (RFC 9110 15.4.5).
        self.assertEqual(first.header("vary"), "Accept-Encoding")
        self.assertEqual(again.header("vary"), "Accept-Encoding")
        self.assertSecurityHeaders(again)
        self.assertEqual(self.server.get("/app1/", {"If-None-Match": 'W/"other"'}).status, 200)

    def test_index_is_too_small_to_compress_but_varies(self):
        response = self.server.get("/app1/", {"Accept-Encoding": "gzip, deflate, br"})
        self.assertIsNone(response.header("content-encoding"))
        self.assertEqual(response.body, INDEX_BYTES)
        self.assertEqual(response.header("vary"), "Accept-Encoding")

    def test_health_endpoints_at_the_root(self):
        self.assertEqual(self.server.get("/healthz").status, 200)
        self.assertEqual(self.server.get("/readyz").status, 200)
        self.assertEqual(self.server.get("/app1/healthz").status, 404)

    def test_metrics_count_requests_by_route_method_and_status(self):
        def counter(text, route, status, method="GET"):
            match = re.search(r'cppapp_http_requests_total\{method="%s",route="%s",status="%d"\} (\d+)'
                              % (method, re.escape(route), status), text)
            return int(match.group(1)) if match else 0

        before = self.server.get("/metrics").body.decode()
        for _ in range(3):
            self.server.get("/app1/")
        self.server.get("/app1/missing")
        self.server.request("HEAD", "/app1/")
        self.server.request("BREW", "/app1/")  # not a method a label is kept for
        response = self.server.get("/metrics")
        self.assertEqual(response.status, 200)
        self.assertTrue(response.header("content-type").startswith("text/plain; version=0.0.4"))
        text = response.body.decode()
        self.assertEqual(counter(text, "/", 200) - counter(before, "/", 200), 3)
        self.assertEqual(counter(text, "not_found", 404) - counter(before, "not_found", 404), 1)
        self.assertEqual(counter(text, "/", 200, "HEAD") - counter(before, "/", 200, "HEAD"), 1)
        self.assertRegex(text, r'cppapp_http_requests_total\{method="other",route="[^"]+",status="\d+"\} [1-9]')
        self.assertNotIn('method="BREW"', text)
        self.assertRegex(text, r'cppapp_http_request_duration_seconds_count\{method="GET",route="/"\} [1-9]')
        for name in ("cppapp_http_requests_in_flight", "cppapp_worker_queue_depth", "cppapp_store_up 1",
                     "process_resident_memory_bytes", "process_open_fds", "process_max_fds",
                     "cppapp_log_console_writes_dropped_total 0"):
            self.assertIn(name, text)

    def test_metrics_have_prometheus_process_metrics_and_build_info(self):
        text = self.server.get("/metrics").body.decode()
        version = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout
        number, revision = re.fullmatch(r"cppapp (\S+) \(revision (\S+)\)\n", version).groups()
        self.assertIn('cppapp_build_info{revision="%s",version="%s"} 1' % (revision, number), text)
        cpu = float(re.search(r"^process_cpu_seconds_total (\S+)$", text, re.M).group(1))
        self.assertGreater(cpu, 0)
        started = float(re.search(r"^process_start_time_seconds (\S+)$", text, re.M).group(1))
        # This server was started by this test class, a moment ago.
        self.assertLess(abs(started - self.server_started_at), 5, (started, self.server_started_at))

    def test_access_line_per_request_with_the_forwarded_client(self):
        mark = len(self.server.output)
        self.server.get("/app1/?secret=1", {"X-Forwarded-For": "203.0.113.7, 10.0.0.2"})
        line = self.server.wait_for_output(rb"GET /app1/ 200 156B [0-9.]+ms 203\.0\.113\.7", start=mark)
        self.assertIsNotNone(line, self.server.text())
        self.assertNotIn(b"secret", line)


class ProbeAccessLogTest(unittest.TestCase):
    """The orchestrator's probes and the scrapes stay out of the access log unless LOG_PROBES."""

    # One event loop: its console lines come out in the order of its requests, so the line of a
    # request sent after the probes proves that every probe line there was to write is out. (With
    # several loops each holds its lines for a moment, and another loop's may come later.)
    ONE_LOOP = ("--threads", "1")

    def probe_lines(self, server):
        mark = len(server.output)
        for path in ("/healthz", "/readyz", "/metrics"):
            # (/readyz may still say 503 while the first database ping is under way.)
            self.assertIn(server.get(path).status, (200, 503), path)
        server.get("/app1/")  # a request that is always logged: the lines before it are all there
        self.assertIsNotNone(server.wait_for_output(rb"GET /app1/ 200", start=mark))
        return [line for line in server.output[mark:]
                if re.search(rb"GET /(healthz|readyz|metrics) [0-9]{3}", line)]

    def test_probes_are_not_access_logged_by_default(self):
        with Server(*self.ONE_LOOP) as server:
            self.assertEqual(self.probe_lines(server), [])

    def test_log_probes_logs_them(self):
        for setting in (("--log-probes",), ()):
            env = {} if setting else {"LOG_PROBES": "true"}
            with Server(*self.ONE_LOOP, *setting, env=env) as server:
                self.assertEqual(len(self.probe_lines(server)), 3, server.text()[-2000:])


class ProductionCachingTest(unittest.TestCase):
    """Production renders the index once and keeps compressed files: the bytes must not change."""

    def test_cached_answers_equal_freshly_made_ones(self):
        with Server() as development, Server("--env", "production", env={"LOGSTASH_ADDR": ""}) as production:
            fresh = development.get("/app1/")
            for _ in range(3):
                cached = production.get("/app1/")
                self.assertEqual(cached.body, fresh.body)
                self.assertEqual(cached.header("etag"), fresh.header("etag"))
            etag = fresh.header("etag")
            self.assertEqual(production.get("/app1/", {"If-None-Match": etag}).status, 304)
            import brotli
            with open(os.path.join(SOURCE_DIR, "public", "css", "site.css"), "rb") as f:
                css = f.read()
            for _ in range(3):
                response = production.get("/app1/public/css/site.css", {"Accept-Encoding": "br"})
                self.assertEqual(response.header("content-encoding"), "br")
                self.assertEqual(brotli.decompress(response.body), css)


def raw_answers(server, data, count):
    """Sends `data` on a new connection and returns the next `count` answers as raw bytes (head
    and body), the X-Request-Id and Date values masked unless the client chose the id."""
    answers = []
    with RawClient(server) as client:
        client.send(data)
        for _ in range(count):
            while b"\r\n\r\n" not in client.buffer:
                if not client._fill():
                    raise AssertionError("closed before an answer: %r" % client.buffer)
            head, _, rest = client.buffer.partition(b"\r\n\r\n")
            declared = re.search(rb"\r\nContent-Length: (\d+)", head)
            length = int(declared.group(1)) if declared and not data.startswith(b"HEAD") else 0
            while len(rest) < length:
                if not client._fill():
                    raise AssertionError("closed inside a body")
                head, _, rest = client.buffer.partition(b"\r\n\r\n")
            client.buffer = rest[length:]
            answer = head + b"\r\n\r\n" + rest[:length]
            answer = re.sub(rb"\r\nDate: [^\r]+", b"\r\nDate: -", answer)
            answers.append(re.sub(rb"\r\nX-Request-Id: [0-9a-f]{32}\r\n", b"\r\nX-Request-Id: -\r\n", answer))
    return answers


class AnswerCacheTest(unittest.TestCase):
    """Production keeps the index's whole answer per event loop and sends it again: the bytes
    must be the pipeline's, with this request's own id, date and connection lines."""

    @classmethod
    def setUpClass(cls):
        production = ("--env", "production", "--threads", "1")
        cls.caching = Server(*production, env={"LOGSTASH_ADDR": ""}).__enter__()
        cls.reference = Server(*production, "--answer-cache", "0", env={"LOGSTASH_ADDR": ""}).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.caching.__exit__(None, None, None)
        cls.reference.__exit__(None, None, None)

    def replayed(self, server):
        return server.metric("cppapp_http_answers_replayed_total")

    def test_a_kept_answer_is_the_pipelines_byte_for_byte(self):
        # Targets of this test alone: no other test has filled the cache for them.
        requests = [
            b"GET /app1/?b HTTP/1.1\r\nHost: a\r\n\r\n",
            b"HEAD /app1/?b HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET /app1/?x=1 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip, br\r\n\r\n",
            b"GET /APP1/?b HTTP/1.1\r\nHost: a\r\nUser-Agent: curl/8\r\n\r\n",
            b"GET /app1/?b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            b"GET /app1/?b HTTP/1.0\r\n\r\n",
            b"GET /app1/?b HTTP/1.1\r\nHost: a\r\nX-Request-Id: chosen-by-the-proxy.1\r\n\r\n",
        ]
        before = self.replayed(self.caching)
        for request in requests:
            expected = raw_answers(self.reference, request, 1)
            first = raw_answers(self.caching, request, 1)
            again = raw_answers(self.caching, request, 1)
            self.assertEqual(first, expected, request)
            self.assertEqual(again, expected, request)
        self.assertIn(b"\r\nX-Request-Id: chosen-by-the-proxy.1\r\n", again[0])
        self.assertIn(b"\r\nConnection: close\r\n", raw_answers(self.caching, requests[5], 1)[0])
        # Only the first request of each method, target and Accept-Encoding went through the
        # pipeline (4 of them: the others differ in fields that do not change the answer).
        self.assertEqual(self.replayed(self.caching) - before, 2 * len(requests) + 1 - 4)
        self.assertEqual(self.replayed(self.reference), 0)

    def test_conditional_and_ranged_requests_go_through_the_pipeline(self):
        raw_answers(self.caching, b"GET /app1/ HTTP/1.1\r\nHost: a\r\n\r\n", 1)
        etag = self.caching.get("/app1/").header("etag").encode()
        before = self.replayed(self.caching)
        for extra in (b"If-None-Match: " + etag, b"If-Modified-Since: Mon, 07 Dec 2026 00:00:00 GMT",
                      b"Range: bytes=0-9", b"Content-Length: 0", b"Cache-Control: no-cache\r\nIf-None-Match: " + etag):
            request = b"GET /app1/ HTTP/1.1\r\nHost: a\r\n" + extra + b"\r\n\r\n"
            self.assertEqual(raw_answers(self.caching, request, 1), raw_answers(self.reference, request, 1), extra)
        self.assertTrue(raw_answers(self.caching, b"GET /app1/ HTTP/1.1\r\nHost: a\r\nIf-None-Match: "
                                    + etag + b"\r\n\r\n", 1)[0].startswith(b"HTTP/1.1 304 "))
        self.assertEqual(self.replayed(self.caching) - before, 0)

    def test_pipelined_requests_get_the_same_answers_in_order(self):
        batch = (b"GET /app1/ HTTP/1.1\r\nHost: a\r\n\r\n" * 3
                 + b"GET /app1/missing HTTP/1.1\r\nHost: a\r\n\r\n"
                 + b"GET /app1/ HTTP/1.1\r\nHost: a\r\n\r\n")
        expected = raw_answers(self.reference, batch, 5)
        self.assertEqual(raw_answers(self.caching, batch, 5), expected)
        self.assertEqual(raw_answers(self.caching, batch, 5), expected)

    def test_kept_answers_are_counted_and_logged_like_any_other(self):
        def index_count(text):
            match = re.search(r'cppapp_http_requests_total\{method="GET",route="/",status="200"\} (\d+)', text)
            return int(match.group(1)) if match else 0

        # A target of this test alone, its answer kept by the first request, whose access line
        # is out before the counting starts.
        request = b"GET /App1/?counted HTTP/1.1\r\nHost: a\r\n\r\n"
        raw_answers(self.caching, request, 1)
        self.assertIsNotNone(self.caching.wait_for_output(rb"GET /App1/ 200 156B"))
        start = len(self.caching.output)
        before_text = self.caching.get("/metrics").body.decode()
        before_replayed = self.replayed(self.caching)
        raw_answers(self.caching, request * 4, 4)
        after_text = self.caching.get("/metrics").body.decode()
        self.assertEqual(index_count(after_text) - index_count(before_text), 4)
        self.assertEqual(self.replayed(self.caching) - before_replayed, 4)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = [line for line in self.caching.output[start:] if b"GET /App1/ 200 156B" in line]
            if len(lines) >= 4:
                break
            time.sleep(0.05)
        self.assertEqual(len(lines), 4, self.caching.text()[-2000:])
        for line in lines:
            self.assertRegex(line, rb"info: GET /App1/ 200 156B \d+\.\d{3}ms 127\.0\.0\.1$")


def wait_until_read(server, client, timeout=10.0):
    """Waits until the server has read everything the client sent: nothing left unacknowledged
    on the client's side and nothing unread on the server's."""
    client_port = client.sock.getsockname()[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent, received = tcp_queues(client_port, server.port), tcp_queues(server.port, client_port)
        if sent is not None and received is not None and sent[0] == 0 and received[1] == 0:
            return True
        time.sleep(0.01)
    return False


class AnswerCacheDrainingTest(unittest.TestCase):
    def test_a_kept_answer_sent_while_draining_closes_the_connection(self):
        with Server("--env", "production", "--threads", "1", env={"LOGSTASH_ADDR": ""}) as server:
            request = b"GET /app1/ HTTP/1.1\r\nHost: a\r\n\r\n"
            raw_answers(server, request * 2, 2)
            self.assertEqual(server.metric("cppapp_http_answers_replayed_total"), 1)
            with RawClient(server) as client:
                client.send(request[:-2])  # the head not finished yet: the connection is busy
                self.assertTrue(wait_until_read(server, client))
                server.process.send_signal(signal.SIGTERM)
                self.assertIsNotNone(server.wait_for_output(rb"SIGTERM received", timeout=10))
                client.send(b"\r\n")
                status, headers, body = client.read_response()
                self.assertEqual((status, headers["connection"], body), (200, "close", INDEX_BYTES))
                self.assertTrue(client.closed_by_peer())
            self.assertEqual(server.process.wait(30), 0)


class TemplateReloadTest(unittest.TestCase):
    """Development picks a changed template up; production compiles once and refuses bad ones."""

    def setUp(self):
        self.views = tempfile.mkdtemp()
        shutil.copytree(os.path.join(SOURCE_DIR, "views"), self.views, dirs_exist_ok=True)

    def tearDown(self):
        shutil.rmtree(self.views)

    def write_index(self, text):
        path = os.path.join(self.views, "index.html")
        with open(path, "w") as f:
            f.write(text)
        # Make the change visible to an mtime check even within the same second.
        stat = os.stat(path)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))

    def test_development_sees_a_changed_template_on_the_next_request(self):
        with Server("--views", self.views) as server:
            self.assertIn(b"Hello World!", server.get("/app1/").body)
            self.write_index('{% extends "./layouts/base.html" %}{% block content %}Changed{% endblock %}')
            self.assertIn(b"<div class=content>Changed</div>", server.get("/app1/").body)

    def test_production_refuses_to_start_with_a_broken_template(self):
        self.write_index("line one\n{% if %}\n")
        server = Server("--views", self.views, "--env", "production")
        with self.assertRaises(RuntimeError) as raised:
            server.start()
        self.assertEqual(server.process.wait(10), 2)
        self.assertRegex(str(raised.exception), r"index\.html:2:\d+")

    def test_a_render_error_answers_500_and_logs_where(self):
        with Server("--views", self.views) as server:
            self.write_index('{% include "missing.html" %}')
            mark = len(server.output)
            response = server.get("/app1/")
            self.assertEqual(response.status, 500)
            self.assertIn(b"Internal Server Error", response.body)
            self.assertIsNotNone(server.wait_for_output(rb"error.*index\.html", start=mark), server.text())
            # The service keeps serving.
            self.assertEqual(server.get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
