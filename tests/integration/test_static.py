"""Static files under <mount>/public with serve-static's semantics, compression and safety."""

import gzip
import os
import shutil
import tempfile
import unittest
import zlib

import brotli

from harness import SECURITY_HEADERS, RawClient, Server


class StaticFileTest(unittest.TestCase):
    server_args = ()
    server_env = {}

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp()
        cls.outside = tempfile.mkdtemp()
        os.makedirs(os.path.join(cls.root, "css"))
        os.makedirs(os.path.join(cls.root, "docs"))
        cls.css = ("body { color: #123456; }\n" * 100).encode()  # 2500 bytes, compressible
        cls.small = b"h1 { margin: 0; }\n"
        cls.png = bytes(range(256)) * 8
        cls.files = {
            "css/site.css": cls.css,
            "css/small.css": cls.small,
            "logo.png": cls.png,
            "docs/index.html": b"<p>docs</p>",
            ".secret": b"hidden",
        }
        for name, data in cls.files.items():
            with open(os.path.join(cls.root, name), "wb") as f:
                f.write(data)
        with open(os.path.join(cls.outside, "passwd"), "wb") as f:
            f.write(b"root:x:0:0")
        os.symlink(os.path.join(cls.outside, "passwd"), os.path.join(cls.root, "escape"))
        cls.server = Server("--public", cls.root, *cls.server_args, env=cls.server_env).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.root)
        shutil.rmtree(cls.outside)

    def get(self, path, headers=None):
        return self.server.get(path, headers)

    def test_serves_the_bytes_with_serve_static_headers(self):
        response = self.get("/app1/public/css/small.css")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, self.small)
        self.assertEqual(response.header("content-type"), "text/css; charset=UTF-8")
        self.assertEqual(response.header("cache-control"), "public, max-age=0")
        self.assertEqual(response.header("accept-ranges"), "bytes")
        self.assertRegex(response.header("etag"), r'^W/"[0-9a-f]+-[0-9a-f]+"$')
        self.assertRegex(response.header("last-modified"), r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$")
        for name, value in SECURITY_HEADERS.items():
            self.assertEqual(response.header(name), value, name)
        self.assertEqual(self.get("/app1/public/logo.png").header("content-type"), "image/png")

    def test_mount_and_public_prefix_are_case_insensitive(self):
        self.assertEqual(self.get("/APP1/Public/css/small.css").body, self.small)

    def test_compresses_large_compressible_files_as_asked(self):
        br = self.get("/app1/public/css/site.css", {"Accept-Encoding": "gzip, deflate, br"})
        self.assertEqual(br.header("content-encoding"), "br")
        self.assertEqual(brotli.decompress(br.body), self.css)
        self.assertEqual(br.header("vary"), "Accept-Encoding")
        gz = self.get("/app1/public/css/site.css", {"Accept-Encoding": "gzip"})
        self.assertEqual(gz.header("content-encoding"), "gzip")
        self.assertEqual(gzip.decompress(gz.body), self.css)
        deflate = self.get("/app1/public/css/site.css", {"Accept-Encoding": "deflate"})
        self.assertEqual(deflate.header("content-encoding"), "deflate")
        self.assertEqual(zlib.decompress(deflate.body), self.css)
        preferred = self.get("/app1/public/css/site.css", {"Accept-Encoding": "br;q=0.5, gzip;q=1"})
        self.assertEqual(preferred.header("content-encoding"), "gzip")
        plain = self.get("/app1/public/css/site.css", {"Accept-Encoding": "identity"})
        self.assertIsNone(plain.header("content-encoding"))
        self.assertEqual(plain.body, self.css)

    def test_small_or_incompressible_files_are_not_compressed(self):
        small = self.get("/app1/public/css/small.css", {"Accept-Encoding": "gzip, br"})
        self.assertIsNone(small.header("content-encoding"))
        self.assertEqual(small.header("vary"), "Accept-Encoding")
        png = self.get("/app1/public/logo.png", {"Accept-Encoding": "gzip, br"})
        self.assertIsNone(png.header("content-encoding"))
        self.assertIsNone(png.header("vary"))
        self.assertEqual(png.body, self.png)

    def test_a_304_keeps_the_vary_of_its_200(self):
        # RFC 9110 15.4.5: a cache must learn from the 304 that the answer varies by encoding.
        for path in ("/app1/public/css/site.css", "/app1/public/css/small.css"):
            full = self.get(path, {"Accept-Encoding": "gzip"})
            self.assertEqual(full.header("vary"), "Accept-Encoding", path)
            again = self.get(path, {"Accept-Encoding": "gzip", "If-None-Match": full.header("etag")})
            self.assertEqual(again.status, 304, path)
            self.assertEqual(again.header("vary"), "Accept-Encoding", path)
        png = self.get("/app1/public/logo.png")
        self.assertIsNone(png.header("vary"))
        again = self.get("/app1/public/logo.png", {"If-None-Match": png.header("etag")})
        self.assertEqual((again.status, again.header("vary")), (304, None))

    def test_conditional_requests_answer_304(self):
        first = self.get("/app1/public/css/small.css")
        etag, modified = first.header("etag"), first.header("last-modified")
        by_etag = self.get("/app1/public/css/small.css", {"If-None-Match": etag})
        self.assertEqual((by_etag.status, by_etag.body), (304, b""))
        by_date = self.get("/app1/public/css/small.css", {"If-Modified-Since": modified})
        self.assertEqual(by_date.status, 304)
        stale = self.get("/app1/public/css/small.css", {"If-None-Match": 'W/"0-0"'})
        self.assertEqual((stale.status, stale.body), (200, self.small))
        old = self.get("/app1/public/css/small.css", {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        self.assertEqual(old.status, 200)

    def test_ranges(self):
        part = self.get("/app1/public/logo.png", {"Range": "bytes=10-19"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, self.png[10:20])
        self.assertEqual(part.header("content-range"), "bytes 10-19/%d" % len(self.png))
        suffix = self.get("/app1/public/logo.png", {"Range": "bytes=-5"})
        self.assertEqual((suffix.status, suffix.body), (206, self.png[-5:]))
        open_ended = self.get("/app1/public/logo.png", {"Range": "bytes=2040-"})
        self.assertEqual((open_ended.status, open_ended.body), (206, self.png[2040:]))
        beyond = self.get("/app1/public/logo.png", {"Range": "bytes=5000-6000"})
        self.assertEqual(beyond.status, 416)
        self.assertEqual(beyond.header("content-range"), "bytes */%d" % len(self.png))
        malformed = self.get("/app1/public/logo.png", {"Range": "lines=1-2"})
        self.assertEqual((malformed.status, malformed.body), (200, self.png))

    def test_if_range_with_a_stale_validator_sends_the_whole_file(self):
        response = self.get("/app1/public/logo.png", {"Range": "bytes=0-9", "If-Range": '"stale"'})
        self.assertEqual((response.status, response.body), (200, self.png))

    def test_head_sends_headers_only(self):
        response = self.server.request("HEAD", "/app1/public/logo.png")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, b"")
        self.assertEqual(response.header("content-length"), str(len(self.png)))

    def test_a_directory_without_its_slash_redirects(self):
        response = self.get("/app1/public/docs?x=1")
        self.assertEqual(response.status, 301)
        self.assertEqual(response.header("location"), "/app1/public/docs/?x=1")
        self.assertEqual(self.get("/app1/public/docs/").body, b"<p>docs</p>")

    def test_missing_files_dotfiles_and_other_methods_fall_through_to_404(self):
        for path in ("/app1/public/missing.css", "/app1/public/.secret", "/app1/public/css/"):
            response = self.get(path)
            self.assertEqual(response.status, 404, path)
            self.assertIn(b"Cannot GET", response.body)
        self.assertEqual(self.server.request("POST", "/app1/public/css/small.css").status, 404)

    def test_no_path_escapes_the_public_directory(self):
        attempts = [
            b"/app1/public/../../../../etc/passwd",
            b"/app1/public/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            b"/app1/public/css/..%2f..%2f..%2fetc%2fpasswd",
            b"/app1/public/..%5c..%5cetc%5cpasswd",
            b"/app1/public/..\\..\\etc\\passwd",
            b"/app1/public/css%00/small.css",
            b"/app1/public/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
            b"/app1/public//etc/passwd",
            b"/app1/public/escape",
        ]
        for target in attempts:
            with RawClient(self.server) as client:
                client.send(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                result = client.read_response()
                self.assertIsNotNone(result, target)
                status, _, body = result
                self.assertIn(status, (400, 403, 404), target)
                self.assertNotIn(b"root:", body, target)


class ProductionStaticFileTest(StaticFileTest):
    """Every case above again in production, where file lookups are reused (STATIC_CACHE_VALIDITY),
    plus files changing under the running server: each change must show on the next request."""

    server_args = ("--env", "production")
    server_env = {"LOGSTASH_ADDR": "", "STATIC_CACHE_VALIDITY": "1h"}

    def write(self, name, data):
        with open(os.path.join(self.root, name), "wb") as f:
            f.write(data)

    def test_a_file_changed_replaced_or_deleted_shows_at_once(self):
        path = "/app1/public/changing.txt"
        self.write("changing.txt", b"first version\n")
        self.assertEqual(self.get(path).body, b"first version\n")
        self.assertEqual(self.get(path).body, b"first version\n")  # now from the lookup cache
        self.write("changing.txt", b"second, longer version\n")  # in place
        self.assertEqual(self.get(path).body, b"second, longer version\n")
        self.write("changing.txt.new", b"third\n")
        os.replace(os.path.join(self.root, "changing.txt.new"), os.path.join(self.root, "changing.txt"))
        self.assertEqual(self.get(path).body, b"third\n")
        os.remove(os.path.join(self.root, "changing.txt"))
        self.assertEqual(self.get(path).status, 404)
        self.write("changing.txt", b"back again\n")
        self.assertEqual(self.get(path).body, b"back again\n")

    def test_the_same_bytes_in_place_with_a_new_time_get_a_new_validator(self):
        path = "/app1/public/touched.txt"
        self.write("touched.txt", b"same bytes\n")
        first = self.get(path).header("last-modified")
        os.utime(os.path.join(self.root, "touched.txt"), (0, 86400 * 365))
        second = self.get(path)
        self.assertEqual(second.body, b"same bytes\n")
        self.assertNotEqual(second.header("last-modified"), first)


if __name__ == "__main__":
    unittest.main()
