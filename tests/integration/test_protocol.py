"""HTTP/1.x on the wire: keep-alive, pipelining, limits, timeouts, malformed input, bodies."""

import gzip
import json
import os
import shutil
import socket
import tempfile
import time
import unittest

from harness import INDEX_BYTES, RawClient, Server, tcp_queues

GET_INDEX = b"GET /app1/ HTTP/1.1\r\nHost: localhost\r\n\r\n"


class ProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--header-timeout", "1s", "--keepalive-timeout", "1s").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        with RawClient(self.server) as client:
            for _ in range(3):
                client.send(GET_INDEX)
                status, headers, body = client.read_response()
                self.assertEqual((status, body), (200, INDEX_BYTES))
                self.assertEqual(headers["connection"], "keep-alive")
                self.assertEqual(headers["keep-alive"], "timeout=1")

    def test_pipelined_requests_are_answered_in_order(self):
        with RawClient(self.server) as client:
            client.send(b"GET /app1/ HTTP/1.1\r\nHost: a\r\n\r\n"
                        b"GET /app1/first HTTP/1.1\r\nHost: a\r\n\r\n"
                        b"OPTIONS /app1/ HTTP/1.1\r\nHost: a\r\n\r\n"
                        b"GET /app1/second HTTP/1.1\r\nHost: a\r\n\r\n")
            answers = [client.read_response() for _ in range(4)]
            self.assertEqual([a[0] for a in answers], [200, 404, 200, 404])
            self.assertIn(b"Cannot GET /app1/first", answers[1][2])
            self.assertEqual(answers[2][2], b"GET,HEAD")
            self.assertIn(b"Cannot GET /app1/second", answers[3][2])

    def test_answers_the_socket_cannot_take_at_once_arrive_whole_and_in_order(self):
        # An answer is first written without waiting; what the socket does not take then goes
        # out as the client reads. A client with a small receive buffer that pipelines many
        # requests before reading stops the server's writes part-way, at any byte of the queued
        # answers, of a head or of a body.
        count = 400
        with RawClient(self.server, timeout=10) as client:
            client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.send(b"".join(b"GET /app1/ HTTP/1.1\r\nHost: a\r\nX-Request-Id: r%d\r\n\r\n" % i
                                 for i in range(count)))
            # Read only once the server holds answers the client has no room for.
            client_port = client.sock.getsockname()[1]
            deadline = time.monotonic() + 10
            while (tcp_queues(self.server.port, client_port) or (0, 0))[0] == 0:
                self.assertLess(time.monotonic(), deadline, "the server's writes never stalled")
                time.sleep(0.01)
            for i in range(count):
                status, headers, body = client.read_response()
                self.assertEqual((status, headers["x-request-id"], body), (200, "r%d" % i, INDEX_BYTES))

    def test_pipelined_answers_never_wait_for_an_unfinished_request(self):
        # Answers to pipelined requests go out together, but never held back by a request the
        # client has not finished sending: a half-sent head, or a head whose body is still due.
        with RawClient(self.server, timeout=3) as client:
            client.send(GET_INDEX * 5 + b"GET /app1/ HTTP/1.1\r\nHo")
            for _ in range(5):
                self.assertEqual(client.read_response()[2], INDEX_BYTES)
            client.send(b"st: a\r\n\r\n")
            self.assertEqual(client.read_response()[2], INDEX_BYTES)
            client.send(GET_INDEX * 3 + b"POST /app1/x HTTP/1.1\r\nHost: a\r\nContent-Type: "
                        b"application/json\r\nContent-Length: 7\r\n\r\n{\"a\"")
            for _ in range(3):
                self.assertEqual(client.read_response()[2], INDEX_BYTES)
            client.send(b":1}")
            self.assertEqual(client.read_response()[0], 404)
            # A malformed request after good ones: the good ones are answered, then the 400.
            client.send(GET_INDEX * 2 + b"GET /app1/ HTTP/1.1\r\nBad Header\r\n\r\n")
            statuses = [client.read_response()[0] for _ in range(3)]
            self.assertEqual(statuses, [200, 200, 400])

    def test_http_1_0_closes_unless_kept_alive(self):
        with RawClient(self.server) as client:
            client.send(b"GET /app1/ HTTP/1.0\r\n\r\n")
            status, headers, body = client.read_response()
            self.assertEqual((status, body), (200, INDEX_BYTES))
            self.assertEqual(headers["connection"], "close")
            self.assertTrue(client.closed_by_peer())
        with RawClient(self.server) as client:
            client.send(b"GET /app1/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            self.assertEqual(client.read_response()[1]["connection"], "keep-alive")
            client.send(b"GET /app1/ HTTP/1.0\r\n\r\n")
            self.assertEqual(client.read_response()[0], 200)

    def test_connection_close_is_honoured(self):
        with RawClient(self.server) as client:
            client.send(b"GET /app1/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            self.assertEqual(client.read_response()[1]["connection"], "close")
            self.assertTrue(client.closed_by_peer())

    def test_header_block_over_16_kib_is_431(self):
        with RawClient(self.server) as client:
            client.send(b"GET /app1/ HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 17000 + b"\r\n\r\n")
            status, headers, body = client.read_response()
            self.assertEqual(status, 431)
            self.assertEqual(headers["connection"], "close")
        # Just under the limit is fine.
        with RawClient(self.server) as client:
            client.send(b"GET /app1/ HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 15000 + b"\r\n\r\n")
            self.assertEqual(client.read_response()[0], 200)

    def test_an_overlong_request_target_is_414(self):
        for length in (9000, 20000):  # under and over the 16 KiB header limit
            with RawClient(self.server) as client:
                client.send(b"GET /app1/" + b"a" * length + b" HTTP/1.1\r\nHost: a\r\n\r\n")
                status, headers, body = client.read_response()
                self.assertEqual(status, 414, length)
                self.assertIn(b"8192", body)
                self.assertEqual(headers["connection"], "close")
        with RawClient(self.server) as client:  # just under the limit: an ordinary 404
            client.send(b"GET /app1/" + b"a" * 8000 + b" HTTP/1.1\r\nHost: a\r\n\r\n")
            self.assertEqual(client.read_response()[0], 404)

    def test_malformed_requests_get_400_and_close(self):
        for garbage in (b"GARBAGE\r\n\r\n", b"GET /app1/ HTTP/9.9\r\n\r\n", b"GET /app1/ HTTP/1.1\r\nBad Header\r\n\r\n",
                        b"GET /app1/ HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                        b"POST /app1/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            with RawClient(self.server) as client:
                client.send(garbage)
                result = client.read_response()
                self.assertIsNotNone(result, garbage)
                self.assertEqual(result[0], 400, garbage)
                self.assertEqual(result[1]["connection"], "close")
                self.assertTrue(client.closed_by_peer(), garbage)
        self.assertEqual(self.server.get("/app1/").status, 200)

    def test_slow_headers_are_cut_off(self):
        with RawClient(self.server) as client:
            client.send(b"GET /app1/ HTTP/1.1\r\n")
            started = time.monotonic()
            self.assertTrue(client.closed_by_peer(timeout=5))
            self.assertLess(time.monotonic() - started, 5)

    def test_idle_keep_alive_connections_are_closed(self):
        with RawClient(self.server) as client:
            client.send(GET_INDEX)
            client.read_response()
            started = time.monotonic()
            self.assertTrue(client.closed_by_peer(timeout=5))
            self.assertGreater(time.monotonic() - started, 0.5)

    def test_one_slow_client_does_not_stop_others(self):
        with RawClient(self.server) as slow:
            slow.send(b"GET /app1/ HTTP/1.1\r\nHo")
            for _ in range(5):
                self.assertEqual(self.server.get("/app1/").status, 200)


class TimeLimitTest(unittest.TestCase):
    """Every phase of a connection has its time limit (enforced by one sweep per event loop)."""

    LARGE_FILE_BYTES = 16 * 1024 * 1024  # well beyond the socket buffers of both ends

    @classmethod
    def setUpClass(cls):
        cls.public = tempfile.mkdtemp()
        with open(os.path.join(cls.public, "large.bin"), "wb") as out:
            out.write(os.urandom(cls.LARGE_FILE_BYTES))
        cls.server = Server("--header-timeout", "1s", "--keepalive-timeout", "1s", "--body-timeout", "1s",
                            "--public", cls.public).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.public, ignore_errors=True)

    def test_a_body_slower_than_the_body_timeout_is_cut_off(self):
        with RawClient(self.server) as client:
            client.send(b"POST /app1/ HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 100\r\n\r\n{\"a\": ")
            started = time.monotonic()
            self.assertTrue(client.closed_by_peer(timeout=5))
            self.assertGreater(time.monotonic() - started, 0.8)
        self.assertEqual(self.server.get("/app1/").status, 200)

    def test_a_body_that_arrives_within_the_limit_is_read(self):
        with RawClient(self.server) as client:
            client.send(b"POST /app1/ HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 8\r\n\r\n{\"a\"")
            time.sleep(0.5)  # the point of the test: a pause shorter than the limit
            client.send(b": 1}")
            self.assertEqual(client.read_response()[0], 404)  # parsed; no POST route here

    def test_a_client_that_stops_reading_is_cut_off_by_the_body_timeout(self):
        sock = self.server.connect(timeout=10)
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            log_mark = len(self.server.output)
            started = time.monotonic()
            sock.sendall(b"GET /app1/public/large.bin HTTP/1.1\r\nHost: a\r\n\r\n")
            # Not reading: the server's write stalls, and its time limit ends the answer, which
            # the access log then records with the bytes that went out.
            logged = self.server.wait_for_output(rb"GET /app1/public/large\.bin 200", timeout=10, start=log_mark)
            self.assertIsNotNone(logged, self.server.text())
            self.assertGreater(time.monotonic() - started, 0.8)
            received = 0
            sock.settimeout(10)
            try:
                while chunk := sock.recv(1 << 20):
                    received += len(chunk)
            except ConnectionResetError:
                pass
            self.assertLess(received, self.LARGE_FILE_BYTES)
        self.assertEqual(self.server.get("/app1/").status, 200)

    def test_a_large_answer_read_in_time_arrives_whole(self):
        # Longer than the body timeout in total, but never stalled: the limit is on progress.
        sock = self.server.connect(timeout=10)
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            sock.sendall(b"GET /app1/public/large.bin HTTP/1.1\r\nHost: a\r\n\r\n")
            received = bytearray()
            started = time.monotonic()
            while len(received) < self.LARGE_FILE_BYTES:
                chunk = sock.recv(16 * 1024)
                if not chunk:
                    break
                received += chunk
                time.sleep(0.002)  # a slow reader: the whole answer takes well over a second
            head_end = received.find(b"\r\n\r\n") + 4
            while len(received) - head_end < self.LARGE_FILE_BYTES:
                chunk = sock.recv(256 * 1024)
                if not chunk:
                    break
                received += chunk
            self.assertGreater(time.monotonic() - started, 1.0)
            self.assertTrue(received.startswith(b"HTTP/1.1 200 "))
            self.assertEqual(len(received) - head_end, self.LARGE_FILE_BYTES)

class BodyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def post(self, client, body, content_type="application/json", extra=b""):
        client.send(b"POST /app1/ HTTP/1.1\r\nHost: a\r\nContent-Type: " + content_type.encode() +
                    b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)
        return client.read_response()

    def test_a_2_mb_json_body_is_413_and_the_service_goes_on(self):
        body = json.dumps({"data": "x" * 2_000_000}).encode()
        response = self.server.request("POST", "/app1/", {"Content-Type": "application/json"}, body)
        self.assertEqual(response.status, 413)
        self.assertIn(b"102400", response.body)  # says what the limit is
        self.assertEqual(self.server.get("/app1/").status, 200)

    def test_a_chunked_body_past_the_limit_is_413(self):
        with RawClient(self.server) as client:
            client.send(b"POST /app1/ HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"a" * 65536
            try:
                for _ in range(4):
                    client.send(b"10000\r\n" + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.assertEqual(client.read_response()[0], 413)

    def test_malformed_json_is_400_and_the_connection_stays_usable(self):
        with RawClient(self.server) as client:
            status, headers, body = self.post(client, b'{"name": ')
            self.assertEqual(status, 400)
            self.assertEqual(headers["content-type"], "application/json; charset=utf-8")
            self.assertIn("message", json.loads(body)["error"])
            self.assertEqual(headers["connection"], "keep-alive")
            client.send(GET_INDEX)
            self.assertEqual(client.read_response()[2], INDEX_BYTES)

    def test_a_connection_keeps_serving_after_a_large_body_and_a_pipelined_burst(self):
        # A large body grows the connection's read buffer, which is given back once the
        # connection is idle; what follows on the same connection must be unaffected.
        with RawClient(self.server) as client:
            big = b'{"pad": "' + b"x" * (90 * 1024) + b'"}'
            for _ in range(3):
                status, _, _ = self.post(client, big)
                self.assertIn(status, (200, 404))
                client.send(GET_INDEX * 20)
                for _ in range(20):
                    self.assertEqual(client.read_response()[2], INDEX_BYTES)

    def test_json_must_be_an_object_or_array(self):
        with RawClient(self.server) as client:
            self.assertEqual(self.post(client, b'"just a string"')[0], 400)
            self.assertEqual(self.post(client, b"42")[0], 400)
            # A well-formed body reaches the router, which has no POST route here.
            self.assertEqual(self.post(client, b'{"a": 1}')[0], 404)

    def test_unsupported_charset_is_415(self):
        with RawClient(self.server) as client:
            status, _, body = self.post(client, b"a=1", "application/x-www-form-urlencoded; charset=koi8-r")
            self.assertEqual(status, 415)
            self.assertIn(b"koi8-r", body.lower())
            client.send(GET_INDEX)
            self.assertEqual(client.read_response()[0], 200)

    def test_urlencoded_bodies_parse(self):
        with RawClient(self.server) as client:
            self.assertEqual(self.post(client, b"a[b]=1&a[c][]=2", "application/x-www-form-urlencoded")[0], 404)

    def test_gzip_bodies_are_inflated_and_bounded(self):
        bomb = gzip.compress(b"{" + b" " * 5_000_000 + b"}")
        with RawClient(self.server) as client:
            status, _, _ = self.post(client, bomb, extra=b"Content-Encoding: gzip\r\n")
            self.assertEqual(status, 413)
        with RawClient(self.server) as client:
            status, _, _ = self.post(client, gzip.compress(b'{"a": 1}'), extra=b"Content-Encoding: gzip\r\n")
            self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
