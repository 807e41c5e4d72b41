#!/usr/bin/env python3
"""Side-by-side HTTP test: the reference nodeapp (bench/reference, NODE_ENV=production) and
cppapp (--env production) get the same requests; status, the headers that matter and the decoded
bodies must agree. Intended differences are in INTENDED below and in README.md.
Prints one line per failure and "N passed, N failed"."""

import gzip
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("CPPAPP_SOURCE_DIR", ROOT)
import harness  # noqa: E402  (Server: starts cppapp on a free port)

try:
    import brotli
except ImportError:  # Debian's python3-brotli; without it br answers are compared undecoded
    brotli = None

# The headers whose values must be equal; ETag and Last-Modified must be present on both or neither.
COMPARED = ["content-type", "content-encoding", "vary", "cache-control", "location", "content-range",
            "allow", "accept-ranges", "content-disposition"]
PRESENCE = ["etag", "last-modified"]
# helmet 3.23 (nodeapp) and helmet 8 (cppapp): an intended difference, each side checked against
# its own set on every response.
HELMET3 = {
    "x-dns-prefetch-control": "off",
    "x-frame-options": "SAMEORIGIN",
    "strict-transport-security": "max-age=15552000; includeSubDomains",
    "x-download-options": "noopen",
    "x-content-type-options": "nosniff",
    "x-xss-protection": "1; mode=block",
}
HELMET8 = harness.SECURITY_HEADERS
SECURITY = sorted(set(HELMET3) | set(HELMET8) | {"x-powered-by"})

BIG_JSON = json.dumps({"data": "x" * (110 * 1024)})
BIG_FORM = "a=" + "b" * (110 * 1024)
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
JSON_HEADERS = {"Content-Type": "application/json"}

# (name, method, path, headers, body). "{etag}" / "{lastmod}" in a header value is replaced with
# the value that server gave for the same path without conditions.
REQUESTS = [
    ("index", "GET", "/app1", {}, None),
    ("index slash", "GET", "/app1/", {}, None),
    ("index query", "GET", "/app1?x=1&y[]=2", {}, None),
    ("index slash query", "GET", "/app1/?x=1", {}, None),
    ("index upper-case mount", "GET", "/APP1", {}, None),
    ("index mixed-case mount slash", "GET", "/App1/", {}, None),
    ("index double slash", "GET", "/app1//", {}, None),
    ("index encoded mount", "GET", "/%61pp1", {}, None),
    ("index HEAD", "HEAD", "/app1", {}, None),
    ("index HEAD slash", "HEAD", "/app1/", {}, None),
    ("index gzip", "GET", "/app1", {"Accept-Encoding": "gzip"}, None),
    ("index br", "GET", "/app1", {"Accept-Encoding": "br"}, None),
    ("index if-none-match", "GET", "/app1", {"If-None-Match": "{etag}"}, None),
    ("index OPTIONS", "OPTIONS", "/app1", {}, None),
    ("index OPTIONS slash", "OPTIONS", "/app1/", {}, None),
    ("index POST empty", "POST", "/app1", {}, None),
    ("index PUT", "PUT", "/app1/", {}, None),
    ("index DELETE", "DELETE", "/app1", {}, None),
    ("index PATCH", "PATCH", "/app1", {}, None),
    ("not found in app", "GET", "/app1/nope", {}, None),
    ("not found in app slash", "GET", "/app1/nope/", {}, None),
    ("not found index.html", "GET", "/app1/index.html", {}, None),
    ("not found html escape", "GET", "/app1/<script>x</script>", {}, None),
    ("not found HEAD", "HEAD", "/app1/nope", {}, None),
    ("css", "GET", "/app1/public/css/site.css", {}, None),
    ("css HEAD", "HEAD", "/app1/public/css/site.css", {}, None),
    ("css gzip", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "gzip"}, None),
    ("css deflate", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "deflate"}, None),
    ("css br", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "br"}, None),
    ("css gzip, deflate, br", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "gzip, deflate, br"}, None),
    ("css gzip;q=0", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "gzip;q=0"}, None),
    ("css br;q=0.5, gzip", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "br;q=0.5, gzip;q=1"}, None),
    ("css deflate;q=1, gzip;q=0.5", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "deflate;q=1, gzip;q=0.5"}, None),
    ("css identity", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "identity"}, None),
    ("css star", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "*"}, None),
    ("css unknown coding", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "compress, sdch"}, None),
    ("css upper-case coding", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "GZIP"}, None),
    ("css no-transform", "GET", "/app1/public/css/site.css", {"Accept-Encoding": "gzip", "Cache-Control": "no-transform"}, None),
    ("css if-none-match", "GET", "/app1/public/css/site.css", {"If-None-Match": "{etag}"}, None),
    ("css if-none-match star", "GET", "/app1/public/css/site.css", {"If-None-Match": "*"}, None),
    ("css if-none-match other", "GET", "/app1/public/css/site.css", {"If-None-Match": '"other"'}, None),
    ("css if-modified-since same", "GET", "/app1/public/css/site.css", {"If-Modified-Since": "{lastmod}"}, None),
    ("css if-modified-since old", "GET", "/app1/public/css/site.css", {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}, None),
    ("css range", "GET", "/app1/public/css/site.css", {"Range": "bytes=0-9"}, None),
    ("css suffix range", "GET", "/app1/public/css/site.css", {"Range": "bytes=-10"}, None),
    ("css open range", "GET", "/app1/public/css/site.css", {"Range": "bytes=2890-"}, None),
    ("css unsatisfiable range", "GET", "/app1/public/css/site.css", {"Range": "bytes=100000-"}, None),
    ("css multiple ranges", "GET", "/app1/public/css/site.css", {"Range": "bytes=0-1,5-6"}, None),
    ("css malformed range", "GET", "/app1/public/css/site.css", {"Range": "bytes=abc"}, None),
    ("css range with gzip", "GET", "/app1/public/css/site.css", {"Range": "bytes=0-9", "Accept-Encoding": "gzip"}, None),
    ("css if-range match", "GET", "/app1/public/css/site.css", {"Range": "bytes=0-9", "If-Range": "{etag}"}, None),
    ("css if-range stale", "GET", "/app1/public/css/site.css", {"Range": "bytes=0-9", "If-Range": '"stale"'}, None),
    ("css query string", "GET", "/app1/public/css/site.css?v=1", {}, None),
    ("css upper-case public", "GET", "/app1/PUBLIC/css/site.css", {}, None),
    ("css encoded name", "GET", "/app1/public/css/site%2Ecss", {}, None),
    ("css POST", "POST", "/app1/public/css/site.css", {}, None),
    ("css OPTIONS", "OPTIONS", "/app1/public/css/site.css", {}, None),
    ("robots", "GET", "/app1/public/robots.txt", {}, None),
    ("dir redirect", "GET", "/app1/public/css", {}, None),
    ("dir redirect query", "GET", "/app1/public/css?x=1", {}, None),
    ("dir slash no index", "GET", "/app1/public/css/", {}, None),
    ("public root", "GET", "/app1/public", {}, None),
    ("public root slash", "GET", "/app1/public/", {}, None),
    ("missing file", "GET", "/app1/public/nope.txt", {}, None),
    ("traversal dotdot", "GET", "/app1/public/../package.json", {}, None),
    ("traversal encoded", "GET", "/app1/public/%2e%2e/%2e%2e/etc/passwd", {}, None),
    ("traversal encoded slash", "GET", "/app1/public/css/..%2f..%2fpackage.json", {}, None),
    ("traversal backslash", "GET", "/app1/public/..%5c..%5cpackage.json", {}, None),
    ("null byte", "GET", "/app1/public/robots.txt%00.css", {}, None),
    ("bad percent", "GET", "/app1/public/%E0%A4%A", {}, None),
    ("dotfile", "GET", "/app1/public/.hidden", {}, None),
    ("root", "GET", "/", {}, None),
    ("outside mount", "GET", "/app2", {}, None),
    ("mount prefix", "GET", "/app10", {}, None),
    ("form body", "POST", "/app1", FORM_HEADERS, "name=Ann&message=Hi+there&tags[]=a&tags[]=b"),
    ("form body empty", "POST", "/app1/", FORM_HEADERS, ""),
    ("form too large", "POST", "/app1", FORM_HEADERS, BIG_FORM),
    ("form too many parameters", "POST", "/app1", FORM_HEADERS, "&".join("p%d=1" % i for i in range(1001))),
    ("form too deep", "POST", "/app1", FORM_HEADERS, "a" + "[b]" * 33 + "=1"),
    ("form latin1 charset", "POST", "/app1", {"Content-Type": "application/x-www-form-urlencoded; charset=latin1"}, "a=1"),
    ("form unknown charset", "POST", "/app1", {"Content-Type": "application/x-www-form-urlencoded; charset=klingon"}, "a=1"),
    ("json body", "POST", "/app1", JSON_HEADERS, '{"name":"Ann","n":[1,2]}'),
    ("json invalid", "POST", "/app1", JSON_HEADERS, '{"name":'),
    ("json not strict", "POST", "/app1", JSON_HEADERS, '"just a string"'),
    ("json too large", "POST", "/app1", JSON_HEADERS, BIG_JSON),
    ("json vnd+json", "POST", "/app1", {"Content-Type": "application/vnd.api+json"}, '{"a":1}'),
    ("json gzip", "POST", "/app1", {"Content-Type": "application/json", "Content-Encoding": "gzip"}, gzip.compress(b'{"a":1}')),
    ("json bad gzip", "POST", "/app1", {"Content-Type": "application/json", "Content-Encoding": "gzip"}, b"not gzip"),
    ("json unknown coding", "POST", "/app1", {"Content-Type": "application/json", "Content-Encoding": "zstd"}, b'{"a":1}'),
    ("text body ignored", "POST", "/app1", {"Content-Type": "text/plain"}, "hello"),
    ("forwarded headers", "GET", "/app1", {"X-Forwarded-For": "203.0.113.7, 10.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "example.com"}, None),
    ("forwarded dir redirect", "GET", "/app1/public/css", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "example.com"}, None),
]

# cppapp bugs found by this test, reported to the owner of the C++ code (see README.md):
# request name -> the difference. They are printed, not counted as failures.
KNOWN = {}

# Intended differences in the error answer's body (and, for JSON requests, its type); status and
# every other compared header must still agree. Express in production prints only the status
# text ("Payload Too Large"); cppapp says what to fix (the limit, the charset, the parse error),
# and answers JSON requests with the JSON error document of the API (design.md).
ERROR_BODY_DIFFERS = {
    "form too many parameters": "cppapp's error page says what to fix",
    "form too deep": "cppapp's error page says what to fix",
    "form latin1 charset": "cppapp's error page says what to fix",
    "form unknown charset": "cppapp's error page says what to fix",
    "form too large": "cppapp's error page says what to fix",
    "json too large": "JSON requests get a JSON error document",
    "json invalid": "JSON requests get a JSON error document",
    "json not strict": "JSON requests get a JSON error document",
    "json bad gzip": "JSON requests get a JSON error document",
    "json unknown coding": "JSON requests get a JSON error document",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reference:
    """bench/reference (the seed's nodeapp) on a free port."""

    def __init__(self):
        self.port = free_port()
        env = dict(os.environ, PORT=str(self.port), NODE_ENV="production")
        self.process = subprocess.Popen(["node", "index.js"], cwd=os.path.join(ROOT, "bench", "reference"),
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = []
        threading.Thread(target=self._collect, daemon=True).start()
        deadline = time.monotonic() + 30
        while not any(b"Started server" in line for line in list(self.output)):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                raise RuntimeError("nodeapp did not start:\n" + b"".join(self.output).decode(errors="replace"))
            time.sleep(0.05)

    def _collect(self):
        for line in iter(self.process.stdout.readline, b""):
            self.output.append(line)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def fetch(port, method, path, headers, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    # putrequest keeps the path exactly as written (no normalisation).
    conn.putrequest(method, path, skip_accept_encoding=True)
    data = body.encode() if isinstance(body, str) else body
    for name, value in headers.items():
        conn.putheader(name, value)
    if data is not None:
        conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data)
    resp = conn.getresponse()
    raw = resp.read()
    got = {}
    for name, value in resp.getheaders():
        got.setdefault(name.lower(), []).append(value)
    conn.close()
    return resp.status, {k: ", ".join(v) for k, v in got.items()}, raw


def decode(headers, raw):
    coding = headers.get("content-encoding", "").lower()
    try:
        if coding == "gzip":
            return gzip.decompress(raw)
        if coding == "deflate":
            return zlib.decompress(raw)
        if coding == "br" and brotli:
            return brotli.decompress(raw)
    except Exception as error:  # a broken encoding is itself a failure
        return b"<undecodable %s: %s>" % (coding.encode(), str(error).encode())
    return raw


def security_problems(side, headers, expected):
    problems = []
    for name in SECURITY:
        if headers.get(name) != expected.get(name):
            problems.append("%s %s: %r, expected %r" % (side, name, headers.get(name), expected.get(name)))
    return problems


def compare(name, method, path, headers, body, node_port, cpp_port, baselines):
    results = []
    for side, port in (("nodeapp", node_port), ("cppapp", cpp_port)):
        concrete = {}
        for key, value in headers.items():
            base = baselines[side].get(path.split("?")[0], {})
            concrete[key] = value.replace("{etag}", base.get("etag", "")).replace("{lastmod}", base.get("last-modified", ""))
        results.append(fetch(port, method, path, concrete, body))
    (n_status, n_headers, n_raw), (c_status, c_headers, c_raw) = results
    problems = []
    if n_status != c_status:
        problems.append("status %d vs %d" % (n_status, c_status))
    for header in COMPARED:
        if n_headers.get(header) != c_headers.get(header):
            problems.append("%s: %r vs %r" % (header, n_headers.get(header), c_headers.get(header)))
    for header in PRESENCE:
        if (header in n_headers) != (header in c_headers):
            problems.append("%s present: %s vs %s" % (header, header in n_headers, header in c_headers))
    n_body, c_body = decode(n_headers, n_raw), decode(c_headers, c_raw)
    if n_body != c_body:
        problems.append("body: %r vs %r" % (n_body[:200], c_body[:200]))
    # Security headers: each side must send its own helmet's full set. nodeapp's helmet runs
    # inside the mounted app only, so answers from its outer Express instance carry none (and
    # Express's X-Powered-By) - the "404 outside the mount" intended difference.
    inside = re.match(r"(?i)^/app1(/|$|\?)", path) is not None
    node_expected = dict(HELMET3) if inside else {"x-powered-by": "Express"}
    if n_status >= 300 and "content-security-policy" in n_headers:
        # finalhandler's and serve-static's own pages: CSP default-src 'none' and nosniff.
        node_expected.update({"content-security-policy": "default-src 'none'", "x-content-type-options": "nosniff"})
    problems += security_problems("nodeapp", n_headers, node_expected)
    if not inside:
        # nodeapp's outer Express instance has no compression middleware either: no Vary.
        problems = [p for p in problems if not p.startswith("vary:")]
    if n_status == 304 == c_status and n_headers.get("vary") is None:
        # Intended difference (docs/differences.md): cppapp's 304 keeps its 200's Vary.
        problems = [p for p in problems
                    if not (p.startswith("vary:") and c_headers.get("vary") == "Accept-Encoding")]
    problems += security_problems("cppapp", c_headers, HELMET8)
    if name in ERROR_BODY_DIFFERS:
        problems = [p for p in problems if not p.startswith(("body:", "content-type:"))]
        if not c_body.strip():
            problems.append("cppapp's error answer has no message")
    return problems


def main():
    reference = Reference()
    try:
        with harness.Server("--env", "production", "--public", os.path.join(ROOT, "public"),
                            "--views", os.path.join(ROOT, "views")) as cppapp:
            baselines = {"nodeapp": {}, "cppapp": {}}
            for side, port in (("nodeapp", reference.port), ("cppapp", cppapp.port)):
                for path in ("/app1", "/app1/public/css/site.css"):
                    baselines[side][path] = fetch(port, "GET", path, {}, None)[1]
            passed = failed = known = 0
            for name, method, path, headers, body in REQUESTS:
                try:
                    problems = compare(name, method, path, headers, body, reference.port, cppapp.port, baselines)
                except Exception as error:
                    problems = ["request failed: %r" % error]
                if problems and name in KNOWN:
                    known += 1
                    print("KNOWN http %s (%s)" % (name, KNOWN[name]))
                elif problems:
                    failed += 1
                    print("FAIL  http %s (%s %s):\n    %s" % (name, method, path[:80], "\n    ".join(problems)))
                else:
                    passed += 1
                    if name in KNOWN:
                        print("NOTE  http %s now agrees: remove it from KNOWN" % name)
            print("# http: %d requests, %d agree, %d known cppapp bugs, %d failed" % (len(REQUESTS), passed, known, failed))
            print("%d passed, %d failed" % (passed, failed))
            return 1 if failed else 0
    finally:
        reference.stop()


if __name__ == "__main__":
    sys.exit(main())
