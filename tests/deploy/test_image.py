"""Checks of the Dockerfile that need no Docker engine:

  - the runtime stage installs every shared library the binary and its MongoDB module
    (cppapp-mongo.so beside it) need: `ldd` of both,
    each library mapped to its Debian package with `dpkg -S`, compared with
    `scripts/install-deps --runtime` (what the runtime stage runs) plus what those packages
    pull in and what debian:bookworm-slim already has; and that list names nothing unneeded;
  - every path the Dockerfile copies from the build context exists and .dockerignore lets it in;
  - the install layout the image uses (/usr/local/bin/cppapp, /usr/local/share/cppapp/{views,
    public}) serves the Hello World page and static files, and answers `cppapp healthcheck`.
"""

import contextlib
import fnmatch
import http.client
import os
import re
import subprocess
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CPPAPP_BIN", os.path.join(REPO, "build", "debug", "cppapp"))
# The MongoDB store, a module the binary loads when MONGO_URL is set: its libraries are needed too.
# Beside the binary in a build tree, in <prefix>/lib/cppapp when installed.
MONGO_MODULE = next((path for path in (os.path.join(os.path.dirname(BIN), "cppapp-mongo.so"),
                                       os.path.join(os.path.dirname(BIN), "..", "lib", "cppapp", "cppapp-mongo.so"))
                     if os.path.exists(path)), os.path.join(os.path.dirname(BIN), "cppapp-mongo.so"))
# Not libraries: listed for what the binary does at run time (TLS to MongoDB verifies with them).
NOT_LIBRARIES = {"ca-certificates"}


def read(relative):
    with open(os.path.join(REPO, relative)) as source:
        return source.read()


def runtime_packages():
    """The package list `scripts/install-deps --runtime` installs."""
    match = re.search(r"--runtime\)\s*packages=\(([^)]*)\)", read("scripts/install-deps"))
    assert match, "no --runtime package list in scripts/install-deps"
    return set(re.sub(r"#[^\n]*", "", match.group(1)).split())


def linked_libraries(binary):
    """Paths of the shared libraries ldd resolves for `binary`; fails on any it cannot find."""
    output = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    missing = [line.strip() for line in output.splitlines() if "not found" in line]
    assert not missing, "ldd cannot resolve: %s" % missing
    return [m.group(1) for m in re.finditer(r"=> (/\S+)", output)] + \
           [m.group(1) for m in re.finditer(r"^\s*(/\S+) \(", output, re.M)]


def owning_package(path):
    """The Debian package that installed `path` (trying the /usr-merged spellings too)."""
    real = os.path.realpath(path)
    candidates = [real, path]
    for p in (real, path):
        candidates.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].split(",")[0].strip()
    raise AssertionError("no Debian package owns %s" % path)


def installed_package_table():
    """{package: (priority, essential, [dependency alternatives…])} of this Debian 12 system."""
    output = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Priority}\t${Essential}\t${Pre-Depends}, ${Depends}\n"],
                            capture_output=True, text=True, check=True).stdout
    table = {}
    for line in output.splitlines():
        name, priority, essential, depends = line.split("\t")
        alternatives = []
        for clause in depends.split(","):
            options = [re.split(r"[\s(:]", option.strip())[0] for option in clause.split("|") if option.strip()]
            if options:
                alternatives.append(options)
        table[name] = (priority, essential, alternatives)
    return table


def closure(roots, table):
    """`roots` and everything they depend on (the first installed alternative of each clause)."""
    seen, todo = set(), list(roots)
    while todo:
        package = todo.pop()
        if package in seen or package not in table:
            continue
        seen.add(package)
        for options in table[package][2]:
            chosen = next((o for o in options if o in table), None)
            if chosen:
                todo.append(chosen)
    return seen


class RuntimeLibrariesTest(unittest.TestCase):
    def test_runtime_stage_installs_the_runtime_list(self):
        runtime_stage = read("Dockerfile").split("AS runtime", 1)[1]
        self.assertRegex(runtime_stage, r"install-deps --runtime")

    def test_every_linked_library_is_installed_by_the_runtime_stage_and_nothing_unneeded_is_listed(self):
        needed = {}
        for library in linked_libraries(BIN) + linked_libraries(MONGO_MODULE):
            needed.setdefault(owning_package(library), []).append(os.path.basename(library))
        listed = runtime_packages()
        table = installed_package_table()
        for package in listed:
            self.assertIn(package, table, "%s is listed but not a package on this Debian 12 system" % package)
        # debian:bookworm-slim is Debian's minimal base: the required/essential packages and apt.
        base = {name for name, (priority, essential, _) in table.items() if priority == "required" or essential == "yes"}
        image = closure(base | {"apt"} | listed, table)
        missing = {package: libs for package, libs in needed.items() if package not in image}
        self.assertEqual(missing, {}, "libraries the runtime stage would lack (add their packages to "
                                      "scripts/install-deps --runtime)")
        provides = {package for package in listed if package in needed}
        unneeded = listed - provides - NOT_LIBRARIES
        self.assertEqual(unneeded, set(), "listed in --runtime but linked by neither the binary nor its module")
        print("\nlinked: %s" % {p: sorted(l) for p, l in sorted(needed.items())}, flush=True)


@contextlib.contextmanager
def started(binary, env):
    """Runs `binary` on a free loopback port until the block ends; gives the port it printed in
    its start-up line (a string), or None when it never printed one."""
    server = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        port = None
        for line in server.stdout:
            match = re.search(rb"Started server: http://[^:]+:(\d+)", line)
            if match:
                port = match.group(1).decode()
                break
        yield port
    finally:
        server.terminate()
        server.wait(20)
        server.stdout.close()


def dockerignore_includes(path, patterns):
    """Whether .dockerignore lets `path` (relative, with /) into the build context: the last
    pattern matching the path or one of its parent directories decides; ! re-includes."""
    included = True
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        body = body.strip("/")
        if any(fnmatch.fnmatchcase(prefix, body) for prefix in prefixes):
            included = negated
    return included


class DockerfileTest(unittest.TestCase):
    def setUp(self):
        self.dockerfile = read("Dockerfile")
        self.ignore = [line.strip() for line in read(".dockerignore").splitlines()
                       if line.strip() and not line.startswith("#")]

    def context_sources(self):
        """Every build-context path the Dockerfile copies or bind-mounts."""
        sources = []
        for line in re.sub(r"\\\n", " ", self.dockerfile).splitlines():
            words = line.split()
            if words and words[0] in ("COPY", "ADD") and not any(w.startswith("--from") for w in words):
                sources += [w for w in words[1:-1] if not w.startswith("--")]
            sources += re.findall(r"--mount=type=bind,source=([^,\s]+)", line)
        return sources

    def test_every_copied_path_exists_and_is_in_the_build_context(self):
        sources = self.context_sources()
        self.assertGreaterEqual(len(sources), 6)
        for source in sources:
            self.assertTrue(os.path.exists(os.path.join(REPO, source)), source)
            self.assertTrue(dockerignore_includes(source.rstrip("/"), self.ignore), "%s is .dockerignored" % source)

    def test_dockerignore_keeps_the_build_tree_out(self):
        for path in ("build/debug/cppapp", ".git/config", "tests/deploy/test_image.py", "node_modules/x"):
            self.assertFalse(dockerignore_includes(path, self.ignore), path)
        self.assertTrue(dockerignore_includes("src/main.cpp", self.ignore))

    def test_runtime_stage_is_slim_non_root_production_with_exec_entrypoint_and_healthcheck(self):
        self.assertRegex(self.dockerfile, r"FROM debian:bookworm AS build")
        runtime = self.dockerfile.split("AS runtime", 1)[1]
        self.assertIn("FROM debian:bookworm-slim", self.dockerfile)
        self.assertRegex(runtime, r"\nUSER (?!root)\S+")
        self.assertRegex(runtime, r"ENV APP_ENV=production")
        self.assertRegex(runtime, r"EXPOSE 8080")
        self.assertRegex(runtime, r'HEALTHCHECK .*CMD \["cppapp", "healthcheck"\]')
        self.assertRegex(runtime, r'ENTRYPOINT \["/usr/local/bin/cppapp"\]')
        # The build stage installs only what building takes (no browser, clang or Docker).
        self.assertIn("scripts/install-deps --build", self.dockerfile.split("AS runtime")[0])
        # No `# syntax=` directive: BuildKit would pull a frontend image from Docker Hub.
        self.assertNotRegex(self.dockerfile, r"(?m)^#\s*syntax\s*=")
        self.assertIn("--preset release", self.dockerfile)
        self.assertNotIn("curl", re.sub(r"#[^\n]*", "", runtime))


class InstallLayoutTest(unittest.TestCase):
    def test_the_images_layout_serves_the_page_and_answers_the_healthcheck(self):
        build_dir = os.path.dirname(os.path.abspath(BIN))
        with open(os.path.join(build_dir, "CMakeCache.txt")) as cache:
            # The Dockerfile copies /out/usr/local: the install prefix must be the default.
            self.assertIn("CMAKE_INSTALL_PREFIX:PATH=/usr/local\n", cache.read())
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(["cmake", "--install", build_dir], check=True, capture_output=True,
                           env=dict(os.environ, DESTDIR=out))
            prefix = os.path.join(out, "usr", "local")
            binary = os.path.join(prefix, "bin", "cppapp")
            share = os.path.join(prefix, "share", "cppapp")
            for path in (binary, os.path.join(prefix, "lib", "cppapp", "cppapp-mongo.so"),
                         os.path.join(share, "views", "index.html"),
                         os.path.join(share, "views", "layouts", "base.html"), os.path.join(share, "public")):
                self.assertTrue(os.path.exists(path), path)
            # A file only the installed tree has: proof the binary serves <exe>/../share/cppapp.
            with open(os.path.join(share, "public", "installed-marker.txt"), "w") as marker:
                marker.write("installed")
            data_dir = os.path.join(out, "data")
            env = dict(os.environ, APP_ENV="production", LOGSTASH_ADDR="", DATA_DIR=data_dir, THREADS="1")
            with started(binary, env) as port:
                self.assertIsNotNone(port, "the installed binary did not start")
                for path, expected in (("/app1/", b"Hello World!"), ("/app1/public/installed-marker.txt", b"installed")):
                    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
                    conn.request("GET", path)
                    response = conn.getresponse()
                    self.assertEqual(response.status, 200, path)
                    self.assertIn(expected, response.read())
                    conn.close()
                check = subprocess.run([binary, "healthcheck"], env=dict(env, PORT=port), capture_output=True, timeout=10)
                self.assertEqual(check.returncode, 0, check.stderr)
            down = subprocess.run([binary, "healthcheck"], env=dict(env, PORT=port), capture_output=True, timeout=10)
            self.assertEqual(down.returncode, 1)
            # With MONGO_URL the installed binary finds its module in <prefix>/lib/cppapp: it
            # starts, and the guestbook answers 503 while no database is there.
            with started(binary, dict(env, MONGO_URL="mongodb://127.0.0.1:9/x", DB_TIMEOUT="200ms")) as port:
                self.assertIsNotNone(port, "the installed binary did not start with MONGO_URL")
                conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
                conn.request("GET", "/app1/api/entries")
                self.assertEqual(conn.getresponse().status, 503)
                conn.close()


if __name__ == "__main__":
    unittest.main()
