"""The image on a real engine (ctest engine.image; engine.setup built it):

  - `docker run` serves the index byte for byte as the binary built here serves it in production;
  - the HEALTHCHECK reaches `healthy`; `docker stop` ends it with exit code 0 within the grace;
  - it runs with a read-only root and exactly the tmpfs mounts of deploy/apps.yml's app1;
  - a DATA_DIR it cannot write stops it at start-up with one line naming the path, exit code 2;
  - the runtime image holds no compiler and no test tool, and carries its OCI labels.
"""

import http.client
import os
import re
import subprocess
import tempfile
import time
import unittest

import yaml

from engine_fixture import (IMAGE, REPO, built_revision, docker, image_size, mib, project_version, report,
                            wait_until)

BIN = os.environ.get("CPPAPP_BIN", os.path.join(REPO, "build", "debug", "cppapp"))
# Everything of a response that may differ between two runs of the same build.
PER_RUN_HEADERS = {"date", "x-request-id", "connection", "keep-alive"}


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def stack_tmpfs_mounts():
    """app1's tmpfs mounts in deploy/apps.yml, as `docker run --mount` arguments."""
    with open(os.path.join(REPO, "deploy", "apps.yml")) as stack:
        app1 = yaml.safe_load(stack)["services"]["app1"]
    mounts = []
    for volume in app1["volumes"]:
        if isinstance(volume, dict) and volume.get("type") == "tmpfs":
            mount = "type=tmpfs,destination=%s" % volume["target"]
            if "size" in volume.get("tmpfs", {}):
                mount += ",tmpfs-size=%d" % volume["tmpfs"]["size"]
            mounts += ["--mount", mount]
    assert mounts, "app1 in deploy/apps.yml has no tmpfs mount"
    return app1, mounts


def published_port(container):
    output = docker("port", container, "8080/tcp").strip().splitlines()[0]
    return int(output.rsplit(":", 1)[1])


def health(container):
    return docker("inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", container).strip()


def host_binary_index():
    """The index as the binary built here serves it in production: the reference bytes."""
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, APP_ENV="production", LOGSTASH_ADDR="", DATA_DIR=data, THREADS="1")
        server = subprocess.Popen([BIN, "--host", "127.0.0.1", "--port", "0"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        try:
            for line in server.stdout:
                match = re.search(rb"Started server: http://[^:]+:(\d+)", line)
                if match:
                    return get(int(match.group(1)), "/app1/")
            raise AssertionError("the host binary did not start")
        finally:
            server.terminate()
            server.wait(20)
            server.stdout.close()


class ImageTest(unittest.TestCase):
    def run_container(self, *args):
        container = docker("run", "-d", *args).strip()
        self.addCleanup(docker, "rm", "-f", container, check=False)
        return container

    def test_serves_the_index_becomes_healthy_and_stops_cleanly_with_a_read_only_root(self):
        app1, tmpfs = stack_tmpfs_mounts()
        self.assertTrue(app1.get("read_only"), "app1 no longer runs with a read-only root")
        started = time.monotonic()
        container = self.run_container("--read-only", *tmpfs, "-e", "SHUTDOWN_GRACE=10s",
                                       "-p", "127.0.0.1::8080", IMAGE)
        port = published_port(container)
        wait_until(lambda: health(container) in ("healthy", "unhealthy"), 60, "a health status")
        seconds_to_healthy = time.monotonic() - started
        self.assertEqual(health(container), "healthy", docker("logs", container, check=False))

        status, headers, body = get(port, "/app1/")
        reference_status, reference_headers, reference_body = host_binary_index()
        self.assertEqual(status, 200)
        self.assertEqual(body, reference_body, "the image serves other bytes than the binary built here")
        for name in set(headers) | set(reference_headers):
            if name not in PER_RUN_HEADERS:
                self.assertEqual(headers.get(name), reference_headers.get(name), name)

        # The spool directory on the tmpfs belongs to the service user: the stack's layout works.
        owner = docker("exec", container, "stat", "-c", "%U %a", "/var/lib/cppapp/log-spool").strip()
        self.assertEqual(owner.split()[0], "cppapp")
        self.assertEqual(docker("exec", container, "id", "-u").strip(), "10001")

        stopping = time.monotonic()
        docker("stop", "-t", "15", container)
        stop_seconds = time.monotonic() - stopping
        exit_code = int(docker("inspect", "--format", "{{.State.ExitCode}}", container).strip())
        logs = docker("logs", container, check=False)
        self.assertEqual(exit_code, 0, logs.stderr + logs.stdout)
        self.assertLess(stop_seconds, 15, "docker stop needed the SIGKILL")
        self.assertIn("Started server", logs.stdout + logs.stderr)
        report("Image: docker run, read-only root with the stack's tmpfs", {
            "seconds to healthy": "%.1f" % seconds_to_healthy,
            "index bytes (identical to the binary built here)": len(body),
            "docker stop: seconds, exit code": "%.2f s, %d" % (stop_seconds, exit_code),
        })

    def test_an_unwritable_data_dir_stops_start_up_with_one_line_and_exit_code_2(self):
        cases = {
            # The read-only root itself: no tmpfs over /var/lib/cppapp.
            "read-only root, no tmpfs": ["--read-only"],
            # A directory that only root may write. (A tmpfs over /var/lib/cppapp cannot be made
            # so: runc gives a tmpfs the mode of the directory it covers, 1777 in the image.)
            "root-owned directory": ["-e", "DATA_DIR=/usr/local/share/cppapp"],
            # A DATA_DIR that does not exist where nothing may be created.
            "missing directory": ["--read-only", "-e", "DATA_DIR=/var/lib/cppapp/missing/deeper"],
        }
        lines = {}
        for name, args in cases.items():
            container = self.run_container(*args, IMAGE)
            wait_until(lambda: docker("inspect", "--format", "{{.State.Status}}", container).strip() == "exited",
                       30, "the container to exit (%s)" % name)
            exit_code = int(docker("inspect", "--format", "{{.State.ExitCode}}", container).strip())
            logs = docker("logs", container, check=False)
            output = (logs.stdout + logs.stderr).strip().splitlines()
            self.assertEqual(exit_code, 2, (name, output))
            self.assertEqual(len(output), 1, (name, output))
            self.assertRegex(output[0], r"^cppapp: configuration error: DATA_DIR \(--data-dir\) /\S+ "
                                        r"(cannot be created|is not writable): ", name)
            lines[name] = output[0]
        report("Image: unwritable DATA_DIR", {name: "exit 2: `%s`" % line for name, line in lines.items()})

    def test_the_runtime_image_holds_no_compiler_and_no_test_tool(self):
        tools = "gcc g++ cc c++ cpp clang clang++ cmake ninja make ld python3 node npm chromium haproxy curl wget go"
        found = docker("run", "--rm", "--entrypoint", "/bin/sh", IMAGE, "-c",
                       "for t in %s; do command -v $t; done; true" % tools).split()
        self.assertEqual(found, [])
        packages = docker("run", "--rm", "--entrypoint", "dpkg-query", IMAGE, "-W", "-f", "${Package}\n").split()
        self.assertEqual([p for p in packages if p.endswith("-dev") or re.match(r"(gcc|g\+\+|cpp|clang|llvm)(-\d+)?$", p)],
                         [])
        report("Image: contents", {"size": mib(image_size(IMAGE)), "Debian packages": len(packages),
                                   "compilers or test tools found": "none"})

    def test_the_image_carries_its_oci_labels(self):
        labels = docker("image", "inspect", "--format",
                        '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}\n{{end}}', IMAGE).splitlines()
        labels = dict(line.split("=", 1) for line in labels if "=" in line)
        self.assertEqual(labels.get("org.opencontainers.image.version"), project_version())
        revision = built_revision()
        self.assertEqual(labels.get("org.opencontainers.image.revision"), revision)
        self.assertRegex(revision, r"^([0-9a-f]{40}|unknown)$")
        for key in ("org.opencontainers.image.source", "org.opencontainers.image.title"):
            self.assertTrue(labels.get(key), key)
        # The binary inside says the same.
        self.assertEqual(docker("run", "--rm", IMAGE, "--version").strip(),
                         "cppapp %s (revision %s)" % (project_version(), revision))


if __name__ == "__main__":
    unittest.main()
