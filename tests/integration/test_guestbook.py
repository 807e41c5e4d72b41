"""The guestbook page and JSON API over HTTP, against the embedded store and against FerretDB."""

import json
import os
import re
import sqlite3
import time
import unittest
import urllib.parse

from ferretdb import FerretDB
from harness import INDEX_BYTES, Server

UNICODE_SAMPLES = [
    "emoji 😀🎉👩‍👩‍👧",
    "RTL שלום עולם مرحبا",
    "combining e\u0301 a\u0308 n\u0303",
    "CJK 你好 こんにちは",
]


class GuestbookContract:
    """The same behaviour whatever the store; subclasses provide server_env()."""

    server_env = {}

    @classmethod
    def setUpClass(cls):
        cls.server = Server(env=cls.server_env).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        # Every test starts with the database reachable (an earlier test may have stopped it).
        deadline = time.monotonic() + 15
        while self.server.get("/readyz").status != 200:
            self.assertLess(time.monotonic(), deadline, "the database never became ready")
            time.sleep(0.05)

    def post_json(self, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.server.request("POST", "/app1/api/entries", {"Content-Type": content_type}, data)

    def create(self, name, message):
        response = self.post_json({"name": name, "message": message})
        self.assertEqual(response.status, 201, response.body)
        return json.loads(response.body)

    def test_create_then_get(self):
        response = self.post_json({"name": "  Ada  ", "message": " First!\nSecond line "})
        self.assertEqual(response.status, 201)
        entry = json.loads(response.body)
        self.assertRegex(entry["id"], r"^[0-9a-f]{24}$")
        self.assertEqual(entry["name"], "Ada")
        self.assertEqual(entry["message"], "First!\nSecond line")
        self.assertRegex(entry["createdAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(response.header("location"), "/app1/api/entries/" + entry["id"])
        fetched = self.server.get("/app1/api/entries/" + entry["id"])
        self.assertEqual(fetched.status, 200)
        self.assertEqual(json.loads(fetched.body), entry)

    def test_pagination_across_250_entries(self):
        marker = "page-%d" % time.monotonic_ns()
        created = [self.create(marker, "entry %d" % i)["id"] for i in range(250)]
        seen = []
        before = None
        while True:
            query = "?limit=100" + ("&before=" + before if before else "")
            page = json.loads(self.server.get("/app1/api/entries" + query).body)
            seen += [e["id"] for e in page["entries"] if e["name"] == marker]
            before = page["older"]
            if before is None:
                break
        self.assertEqual(seen, list(reversed(created)))  # newest first, each exactly once

    def test_the_page_shows_20_entries_and_an_older_link(self):
        for i in range(25):
            self.create("pager", "message %d" % i)
        page = self.server.get("/app1/guestbook")
        self.assertEqual(page.status, 200)
        self.assertEqual(page.body.count(b"<li class=entry>"), 20)
        older = re.search(rb'href="?(/app1/guestbook\?before=([0-9a-f]{24}))', page.body)
        self.assertIsNotNone(older, page.body)
        second = self.server.get(older.group(1).decode())
        self.assertEqual(second.status, 200)
        self.assertNotEqual(second.body, page.body)

    def test_the_form_posts_and_redirects(self):
        body = urllib.parse.urlencode({"name": "Form <b>user</b>", "message": "Hi & bye"}).encode()
        response = self.server.request("POST", "/app1/guestbook",
                                       {"Content-Type": "application/x-www-form-urlencoded", "Host": "example.test",
                                        "X-Forwarded-Proto": "https"}, body)
        self.assertEqual(response.status, 303)
        self.assertEqual(response.header("location"), "https://example.test/app1/guestbook")
        page = self.server.get("/app1/guestbook").body
        self.assertIn(b"Form &lt;b&gt;user&lt;/b&gt;", page)
        self.assertIn(b"Hi &amp; bye", page)

    def test_invalid_form_input_is_rendered_back_with_messages(self):
        body = urllib.parse.urlencode({"name": "", "message": "kept <text>"}).encode()
        response = self.server.request("POST", "/app1/guestbook",
                                       {"Content-Type": "application/x-www-form-urlencoded"}, body)
        self.assertEqual(response.status, 400)
        self.assertIn(b"kept &lt;text&gt;</textarea>", response.body)
        self.assertIn(b"id=name-error", response.body)

    def test_error_statuses(self):
        self.assertEqual(self.post_json(b'{"name": "x", ').status, 400)
        self.assertEqual(self.post_json({"name": "", "message": "m"}).status, 422)
        invalid = json.loads(self.post_json({"name": "n" * 65, "message": "m"}).body)
        self.assertEqual(invalid["error"]["code"], "validation_failed")
        self.assertIn("name", invalid["error"]["fields"])
        self.assertEqual(self.post_json(b"name=a&message=b", "application/x-www-form-urlencoded").status, 415)
        self.assertEqual(self.server.get("/app1/api/entries/0123456789abcdef01234567").status, 404)
        self.assertEqual(self.server.get("/app1/api/entries/not-an-id").status, 404)
        self.assertEqual(self.server.get("/app1/api/entries/%zz").status, 404)
        for query in ("limit=0", "limit=101", "limit=abc", "limit=5.5", "before=xyz"):
            self.assertEqual(self.server.get("/app1/api/entries?" + query).status, 400, query)
        self.assertEqual(self.server.get("/app1/api/entries?limit=100").status, 200)

    def test_operator_injection_is_rejected(self):
        attempts = [
            {"name": {"$gt": ""}, "message": "x"},
            {"name": "x", "message": {"$ne": None}},
            {"name": ["a"], "message": "x"},
            {"name": "x", "message": "y", "$where": "1"},
            {"name": 42, "message": "x"},
            {"name": "x\u0000y", "message": "x"},
            [{"name": "x", "message": "y"}],
        ]
        for body in attempts:
            self.assertEqual(self.post_json(body).status, 422, body)
        form = b"name[$gt]=&message=x"
        response = self.server.request("POST", "/app1/guestbook", {"Content-Type": "application/x-www-form-urlencoded"}, form)
        self.assertEqual(response.status, 400)
        query = self.server.get("/app1/api/entries?before[$gt]=0")
        self.assertIn(query.status, (200, 400))  # a non-string cursor is ignored, never a query

    def test_unicode_round_trips_intact(self):
        for text in UNICODE_SAMPLES:
            entry = self.create(text[:20], text)
            fetched = json.loads(self.server.get("/app1/api/entries/" + entry["id"]).body)
            self.assertEqual(fetched["message"], text)
            self.assertEqual(fetched["name"], text[:20])
        page = self.server.get("/app1/guestbook").body.decode()
        self.assertIn(UNICODE_SAMPLES[-1], page)


def reads_from_memory(server):
    metrics = server.get("/metrics").body.decode()
    return int(float(re.search(r"^cppapp_guestbook_reads_from_memory_total (\S+)$", metrics, re.M).group(1)))


class EmbeddedGuestbookTest(GuestbookContract, unittest.TestCase):
    pass


class ReadCacheTest(unittest.TestCase):
    """READ_CACHE: the embedded store answers a page it read since its last write from memory
    (counted in /metrics), and a write shows in the very next read; MongoDB (other replicas
    write too) and READ_CACHE=0 always ask the database."""

    def post(self, server, message):
        response = server.request("POST", "/app1/api/entries", {"Content-Type": "application/json"},
                                  json.dumps({"name": "Cache", "message": message}).encode())
        self.assertEqual(response.status, 201, response.body)

    def messages(self, server, path="/app1/api/entries"):
        return [entry["message"] for entry in json.loads(server.get(path).body)["entries"]]

    def test_a_page_read_again_comes_from_memory_and_a_write_shows_at_once(self):
        with Server(env={"WRITE_RATE": "off"}) as server:
            self.post(server, "one")
            self.assertEqual(self.messages(server), ["one"])
            self.assertEqual(reads_from_memory(server), 0, "the first read asks the database")
            self.assertEqual(self.messages(server), ["one"])
            self.assertEqual(reads_from_memory(server), 1)
            # The guestbook page shows the same page of entries (the newest 20).
            self.assertIn(b"one", server.get("/app1/guestbook").body)
            self.assertEqual(reads_from_memory(server), 2)
            self.post(server, "two")
            self.assertIn(b"two", server.get("/app1/guestbook").body)
            self.assertEqual(reads_from_memory(server), 2, "a write forgets every page")
            self.assertEqual(self.messages(server), ["two", "one"])
            self.assertEqual(reads_from_memory(server), 3)
            self.assertEqual(self.messages(server, "/app1/api/entries?limit=1"), ["two"])
            self.assertEqual(reads_from_memory(server), 3, "each limit and cursor is a page of its own")
            self.assertEqual(self.messages(server, "/app1/api/entries?limit=1"), ["two"])
            self.assertEqual(reads_from_memory(server), 4)

    def test_a_listing_from_memory_is_the_same_answer_with_its_etag(self):
        with Server(env={"WRITE_RATE": "off"}) as server:
            self.post(server, "one")
            first = server.get("/app1/api/entries")  # read by a worker
            again = server.get("/app1/api/entries")  # from memory
            self.assertEqual(reads_from_memory(server), 1)
            self.assertEqual(again.body, first.body)
            self.assertEqual(again.header("etag"), first.header("etag"))
            self.assertEqual(again.header("content-type"), "application/json; charset=utf-8")
            self.assertEqual(server.get("/app1/api/entries", {"If-None-Match": first.header("etag")}).status, 304)
            self.post(server, "two")
            changed = server.get("/app1/api/entries")
            self.assertNotEqual(changed.header("etag"), first.header("etag"))
            self.assertEqual([entry["message"] for entry in json.loads(changed.body)["entries"]], ["two", "one"])
            self.assertEqual(server.get("/app1/api/entries", {"If-None-Match": first.header("etag")}).status, 200)
            from_memory = server.get("/app1/api/entries")
            self.assertEqual((from_memory.body, from_memory.header("etag")), (changed.body, changed.header("etag")))

    def test_nothing_comes_from_memory_without_read_cache_or_with_mongodb(self):
        database = FerretDB()
        database.start()
        try:
            for env in ({"READ_CACHE": "0"}, {"MONGO_URL": database.url}):
                with Server(env=env) as server:
                    self.post(server, "one")
                    for _ in range(3):
                        self.assertEqual(self.messages(server), ["one"])
                    self.assertEqual(reads_from_memory(server), 0, env)
        finally:
            database.remove()


class FerretGuestbookTest(GuestbookContract, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.database = FerretDB()
        cls.database.start()
        cls.server_env = {"MONGO_URL": cls.database.url}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.database.remove()

    def test_readyz_follows_the_database_and_recovery_needs_no_restart(self):
        self.assertIsNotNone(self.server.wait_for_output(rb"connected to mongodb"))
        self.assertEqual(self.server.get("/readyz").status, 200)
        self.database.stop()
        stopped_at = time.monotonic()
        while self.server.get("/readyz").status != 503:
            self.assertLess(time.monotonic() - stopped_at, 2.0, "readyz still 200 two seconds after the stop")
        started = time.monotonic()
        page = self.server.get("/app1/guestbook")
        self.assertEqual(page.status, 503)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertIn(b"cannot be reached", page.body)
        api = self.post_json({"name": "while down", "message": "kept?"})
        self.assertEqual(api.status, 503)
        self.assertEqual(json.loads(api.body)["error"]["code"], "database_unavailable")
        form = self.server.request("POST", "/app1/guestbook", {"Content-Type": "application/x-www-form-urlencoded"},
                                   b"name=Keep&message=my+words")
        self.assertEqual(form.status, 503)
        self.assertIn(b"my words</textarea>", form.body)  # the user's input is not dropped
        self.assertEqual(self.server.get("/app1/").body, INDEX_BYTES)
        self.assertEqual(self.server.get("/healthz").status, 200)

        self.database.start()
        restarted = time.monotonic()
        while True:
            response = self.post_json({"name": "back", "message": "again"})
            if response.status == 201:
                break
            self.assertLess(time.monotonic() - restarted, 5.0, "no write succeeded within 5 s of the restart")
            time.sleep(0.1)  # retrying like a client would
        entry = json.loads(response.body)
        self.assertEqual(self.server.get("/app1/api/entries/" + entry["id"]).status, 200)
        self.assertIsNotNone(self.server.wait_for_output(rb"reconnected to mongodb"))

    def test_a_paused_database_does_not_delay_other_routes(self):
        self.database.pause()
        try:
            slow = []

            def hit_guestbook():
                slow.append(self.server.get("/app1/guestbook").status)

            import threading
            pending = [threading.Thread(target=hit_guestbook) for _ in range(4)]
            for t in pending:
                t.start()
            for path, expected in (("/app1/", 200), ("/healthz", 200), ("/app1/public/css/site.css", 200)):
                started = time.monotonic()
                self.assertEqual(self.server.get(path).status, expected)
                self.assertLess(time.monotonic() - started, 0.5, path)
            for t in pending:
                t.join(10)
            self.assertTrue(all(status in (200, 503) for status in slow), slow)
        finally:
            self.database.resume()


class ProductionPageCacheTest(unittest.TestCase):
    """Production keeps rendered pages by their data: new entries must show at once, and a
    cached page must equal a freshly rendered one."""

    def test_pages_follow_the_data_and_equal_fresh_renders(self):
        with Server("--env", "production", env={"LOGSTASH_ADDR": ""}) as production:
            first = production.get("/app1/guestbook")
            self.assertEqual(production.get("/app1/guestbook").body, first.body)
            body = urllib.parse.urlencode({"name": "Cache", "message": "fresh entry"}).encode()
            production.request("POST", "/app1/guestbook", {"Content-Type": "application/x-www-form-urlencoded"}, body)
            after = production.get("/app1/guestbook")
            self.assertIn(b"fresh entry", after.body)
            self.assertNotEqual(after.header("etag"), first.header("etag"))
            # The same data rendered by a development server (no cache) gives the same bytes.
            with Server(env={"DATA_DIR": production.data_dir}) as development:
                self.assertEqual(development.get("/app1/guestbook").body, production.get("/app1/guestbook").body)

    def test_an_entry_changed_behind_the_servers_back_shows_at_once(self):
        # The page is kept by what it shows (every field of every entry), not by the entries'
        # ids: an operator editing or deleting a row in the database must see the page follow.
        with Server("--env", "production", env={"LOGSTASH_ADDR": ""}) as production:
            for n in range(3):
                production.request("POST", "/app1/api/entries", {"Content-Type": "application/json"},
                                   json.dumps({"name": "Row %d" % n, "message": "original %d" % n}).encode())
            before = production.get("/app1/guestbook")
            self.assertIn(b"original 1", before.body)
            database = sqlite3.connect(os.path.join(production.data_dir, "guestbook.sqlite3"))
            with database:
                database.execute("UPDATE entries SET message = 'moderated' WHERE message = 'original 1'")
            edited = production.get("/app1/guestbook")
            self.assertNotIn(b"original 1", edited.body)
            self.assertIn(b"moderated", edited.body)
            with database:
                database.execute("UPDATE entries SET name = 'Renamed' WHERE name = 'Row 2'")
            self.assertIn(b"Renamed", production.get("/app1/guestbook").body)
            with database:
                database.execute("DELETE FROM entries WHERE name = 'Row 0'")
            database.close()
            after = production.get("/app1/guestbook")
            self.assertNotIn(b"original 0", after.body)
            self.assertEqual(json.loads(production.get("/app1/api/entries").body)["entries"][0]["name"], "Renamed")


class UnreachableDatabaseTest(unittest.TestCase):
    def test_start_up_does_not_wait_and_says_so_once(self):
        started = time.monotonic()
        with Server(env={"MONGO_URL": "mongodb://127.0.0.1:1/nodeapp", "DB_TIMEOUT": "500ms"}) as server:
            self.assertLess(time.monotonic() - started, 1.5)
            self.assertEqual(server.get("/app1/").body, INDEX_BYTES)
            self.assertIsNotNone(server.wait_for_output(rb"cannot connect to mongodb"))
            self.assertEqual(server.get("/readyz").status, 503)
            # Several failed pings (counted in /metrics) must not each log a line.
            self.assertTrue(server.wait_for_metric("cppapp_store_ping_failures_total", 3), server.text())
            self.assertEqual(server.text().count("cannot connect to mongodb"), 1, server.text())
            self.assertEqual(server.get("/app1/guestbook").status, 503)


if __name__ == "__main__":
    unittest.main()
