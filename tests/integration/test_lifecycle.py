"""Start-up configuration, and SIGTERM draining under load."""

import json
import os
import re
import shutil
import signal
import socket
import tempfile
import subprocess
import threading
import time
import unittest

from harness import BIN, INDEX_BYTES, SOURCE_DIR as REPO, RawClient, Server


class ConfigurationTest(unittest.TestCase):
    def run_binary(self, *args, env=None):
        with tempfile.TemporaryDirectory() as data_dir:
            full_env = dict(os.environ, DATA_DIR=data_dir)
            full_env.update(env or {})
            return subprocess.run([BIN, *args], capture_output=True, timeout=30, env=full_env)

    def test_help_lists_every_setting_and_exits_0(self):
        result = self.run_binary("--help")
        self.assertEqual(result.returncode, 0)
        for flag in (b"--port", b"PORT", b"--host", b"--mount", b"MOUNT_PATH", b"--env", b"APP_ENV",
                     b"--threads", b"--views", b"--public", b"--data-dir", b"--log-level",
                     b"--body-limit", b"BODY_LIMIT", b"--shutdown-grace", b"SHUTDOWN_GRACE"):
            self.assertIn(flag, result.stdout, flag)

    def test_version_names_the_project_version_and_the_git_revision(self):
        result = self.run_binary("--version")
        self.assertEqual(result.returncode, 0)
        with open(os.path.join(REPO, "CMakeLists.txt")) as cmake:
            version = re.search(r"project\(cppapp VERSION ([0-9.]+)", cmake.read()).group(1)
        match = re.fullmatch(rb"cppapp (\S+) \(revision (\S+)\)\n", result.stdout)
        self.assertIsNotNone(match, result.stdout)
        self.assertEqual(match.group(1).decode(), version)
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
        if head.returncode == 0:  # built from a git checkout: the commit it was built from
            self.assertTrue(match.group(2).decode().startswith(head.stdout.strip()), result.stdout)

    def test_the_man_page_is_generated_from_help_and_lists_every_option(self):
        page = os.path.join(os.path.dirname(BIN), "cppapp.1")
        if not os.path.exists(page) and shutil.which("help2man") is None:
            self.skipTest("help2man is not installed (scripts/install-deps installs it)")
        with open(page) as man:
            text = man.read()
        self.assertRegex(text, r'\.TH CPPAPP "1"')
        help_text = self.run_binary("--help").stdout.decode()
        for flag in sorted(set(re.findall(r"(--[a-z][a-z-]+)", help_text))):
            self.assertIn(flag.replace("-", "\\-"), text, flag)

    def test_log_level_help_lists_every_level(self):
        help_text = self.run_binary("--help").stdout.decode()
        line = next(l for l in help_text.splitlines() if "--log-level" in l)
        for level in ("trace", "debug", "info", "warn", "error", "critical", "off"):
            self.assertIn(level, line)

    def test_log_level_filters_what_is_printed_and_off_prints_nothing(self):
        # Without info lines there is no "Started server" to wait for: readiness is /healthz
        # answering, as Docker's check sees it.
        for level, forbidden in (("off", rb"."), ("error", rb" - (trace|debug|info|warn): ")):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            with tempfile.TemporaryDirectory() as data_dir:
                process = subprocess.Popen(
                    [BIN, "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    env=dict(os.environ, DATA_DIR=data_dir, LOG_LEVEL=level, LOG_FORMAT="text"))
                try:
                    deadline = time.monotonic() + 30
                    while True:
                        try:
                            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                if conn.recv(64).startswith(b"HTTP/1.1 200"):
                                    break
                        except OSError:
                            pass
                        self.assertLess(time.monotonic(), deadline, "cppapp did not answer /healthz")
                        self.assertIsNone(process.poll(), "cppapp exited")
                        time.sleep(0.05)
                    for path in (b"/app1/", b"/app1/no-such-page"):
                        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                            conn.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            while conn.recv(65536):
                                pass
                finally:
                    process.send_signal(signal.SIGTERM)
                    output = process.communicate(timeout=30)[0]
                self.assertEqual(process.returncode, 0, output)
                self.assertIsNone(re.search(forbidden, output), (level, output))

    def test_bad_values_stop_start_up_with_one_line_and_exit_2(self):
        cases = [
            (["--port", "http"], {}, b"--port"),
            ([], {"PORT": "70000"}, b"PORT"),
            ([], {"BODY_LIMIT": "lots"}, b"BODY_LIMIT"),
            (["--shutdown-grace", "soon"], {}, b"--shutdown-grace"),
            (["--env", "staging"], {}, b"--env"),
            (["--mount", "app1"], {}, b"--mount"),
            (["--threads", "0"], {}, b"--threads"),
            (["--max-entries", "-1"], {}, b"--max-entries"),
            ([], {"WRITE_RATE": "10/day"}, b"WRITE_RATE"),
            (["--write-burst", "0"], {}, b"--write-burst"),
            (["--views", "/nonexistent/views"], {}, b"/nonexistent/views"),
            (["--public", "/nonexistent/public"], {}, b"/nonexistent/public"),
            ([], {"NODE_ENV": "staging"}, b"NODE_ENV"),
            ([], {"NODE_ENV": "Production"}, b"NODE_ENV"),
            (["--mount", "/a?b"], {}, b"--mount"),
            ([], {"MOUNT_PATH": "/a b"}, b"MOUNT_PATH"),
            (["--mount", "/a//b"], {}, b"--mount"),
            (["--mount", "/app1/../x"], {}, b"--mount"),
            (["--mount", "/a%20b"], {}, b"--mount"),
            (["--header-limit", "0"], {}, b"--header-limit"),
            ([], {"URI_LIMIT": "10"}, b"URI_LIMIT"),
            ([], {"WRITE_RATE": "0/s"}, b"WRITE_RATE"),
            (["--host", "999.1.1.1", "--port", "0"], {}, b"--host"),
            ([], {"HOST": "no-such-host.invalid", "PORT": "0"}, b"HOST"),
            (["--no-such-flag"], {}, b"--no-such-flag"),
        ]
        for args, env, mention in cases:
            result = self.run_binary(*args, env=env)
            self.assertEqual(result.returncode, 2, (args, env, result.stderr))
            lines = result.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, result.stderr)
            self.assertIn(mention, lines[0])

    def test_a_counter_file_left_by_a_killed_process_adds_no_line(self):
        # libmongoc used to keep statistics in /dev/shm/mongoc-<pid>. A process killed without
        # cleaning up left that file, and the next process given that pid (CI reuses pids fast; a
        # container's process is always the same pid) printed a libmongoc warning to stderr
        # before main. Here the file is made for the pid the binary will have.
        if not os.path.isdir("/dev/shm"):
            self.skipTest("no /dev/shm here")
        def leave_a_counter_file():  # runs in the child, whose pid the binary keeps across exec
            open("/dev/shm/mongoc-%d" % os.getpid(), "a").close()

        with tempfile.TemporaryDirectory() as data_dir:
            process = subprocess.Popen([BIN], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       preexec_fn=leave_a_counter_file,
                                       env=dict(os.environ, DATA_DIR=data_dir, NODE_ENV="staging"))
            try:
                _, stderr = process.communicate(timeout=30)
            finally:
                path = "/dev/shm/mongoc-%d" % process.pid
                if os.path.exists(path):
                    os.unlink(path)
        self.assertEqual(process.returncode, 2, stderr)
        self.assertEqual(stderr.count(b"\n"), 1, stderr)
        self.assertIn(b"NODE_ENV", stderr)
        # With MongoDB configured libmongoc is loaded, and says nothing about its counters either.
        server = Server(env={"MONGO_URL": "mongodb://127.0.0.1:9/x"}, preexec_fn=leave_a_counter_file)
        try:
            with server:
                self.assertEqual(server.get("/healthz").status, 200)
        finally:
            path = "/dev/shm/mongoc-%d" % server.process.pid
            if os.path.exists(path):
                os.unlink(path)
        self.assertNotIn("counters", server.text())

    def test_a_running_process_keeps_nothing_in_shared_memory_a_kill_could_leave_behind(self):
        if not os.path.isdir("/dev/shm"):
            self.skipTest("no /dev/shm here")
        for env in ({}, {"MONGO_URL": "mongodb://127.0.0.1:9/x"}):
            with Server(env=env) as server:
                self.assertEqual(server.get("/healthz").status, 200)
                self.assertNotIn("mongoc-%d" % server.process.pid, os.listdir("/dev/shm"), env)

    def test_libmongoc_is_loaded_only_when_mongo_url_is_set(self):
        # The embedded database's process leaves libmongoc and its libraries (SASL plugins,
        # OpenSSL's libcrypto, ICU) unloaded: several MiB of resident memory. (The ETag's SHA-1
        # is Nettle's, not libcrypto's.)
        def mapped(server):
            with open("/proc/%d/maps" % server.process.pid) as maps:
                return {os.path.basename(line.split()[-1]) for line in maps if "/" in line}

        with Server() as server:
            self.assertEqual(server.get("/app1/api/entries").status, 200)
            libraries = mapped(server)
            self.assertFalse([name for name in libraries
                              if any(part in name for part in ("mongoc", "sasl", "libcrypto", "libssl"))],
                             libraries)
        with Server(env={"MONGO_URL": "mongodb://127.0.0.1:9/x", "DB_TIMEOUT": "200ms"}) as server:
            self.assertEqual(server.get("/app1/api/entries").status, 503)
            self.assertIn("cppapp-mongo.so", mapped(server))
            self.assertTrue([name for name in mapped(server) if name.startswith("libmongoc-1.0.so")])

    def test_a_missing_mongodb_module_stops_start_up_with_one_line_naming_it(self):
        # A binary installed without lib/cppapp/cppapp-mongo.so beside it.
        with tempfile.TemporaryDirectory() as prefix:
            os.mkdir(os.path.join(prefix, "bin"))
            binary = os.path.join(prefix, "bin", "cppapp")
            shutil.copy(BIN, binary)
            env = dict(os.environ, DATA_DIR=prefix, MONGO_URL="mongodb://127.0.0.1:9/x", LOG_FORMAT="text")
            result = subprocess.run([binary, "--port", "0"], capture_output=True, timeout=30, env=env)
            self.assertEqual(result.returncode, 2, result)
            module = os.path.join(prefix, "lib", "cppapp", "cppapp-mongo.so")
            self.assertIn(b"MongoDB is configured (MONGO_URL) but its module cannot be loaded", result.stdout)
            self.assertIn(module.encode() + b" does not exist", result.stdout)
            # A module from another build (its Store may be laid out differently) is refused.
            if shutil.which("cc") is None:
                self.skipTest("no C compiler to make a module from another build")
            os.makedirs(os.path.dirname(module))
            source = os.path.join(prefix, "other.c")
            with open(source, "w") as other:
                other.write('const char* cppapp_mongo_interface(void) { return "another build"; }\n'
                            'void* cppapp_open_mongo_store(void) { return 0; }\n')
            subprocess.run(["cc", "-shared", "-fPIC", "-o", module, source], check=True)
            result = subprocess.run([binary, "--port", "0"], capture_output=True, timeout=30, env=env)
            self.assertEqual(result.returncode, 2, result)
            self.assertIn(module.encode() + b" is from another build of cppapp", result.stdout)

    def test_a_data_dir_that_cannot_be_written_stops_start_up_with_one_line_and_exit_2(self):
        with tempfile.TemporaryDirectory() as scratch:
            a_file = os.path.join(scratch, "a-file")
            open(a_file, "w").close()
            read_only = os.path.join(scratch, "read-only")
            os.mkdir(read_only, 0o555)
            cases = [
                # The embedded database's directory, under something that is not a directory.
                ({"DATA_DIR": os.path.join(a_file, "data")}, "cannot be created"),
                ({"DATA_DIR": a_file}, "cannot be created"),
                # Shipping on: the spool directory must be writable too, even with MongoDB.
                ({"DATA_DIR": a_file, "MONGO_URL": "mongodb://127.0.0.1:9/x", "LOGSTASH_ADDR": "127.0.0.1:9"},
                 "log-spool cannot be created"),
            ]
            if os.geteuid() != 0:  # root writes through any mode
                cases.append(({"DATA_DIR": read_only}, "is not writable: Permission denied"))
            for env, reason in cases:
                result = self.run_binary("--port", "0", env=env)
                self.assertEqual(result.returncode, 2, (env, result.stderr))
                lines = result.stderr.decode().strip().splitlines()
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn("DATA_DIR (--data-dir) %s" % env["DATA_DIR"], lines[0])
                self.assertIn(reason, lines[0])
            # MongoDB without Logstash writes nothing there: DATA_DIR is not even looked at.
            with Server(env={"DATA_DIR": a_file, "MONGO_URL": "mongodb://127.0.0.1:9/x",
                             "LOGSTASH_ADDR": ""}) as server:
                self.assertEqual(server.get("/healthz").status, 200)

    def default_threads(self, prefix=(), before_exec=None):
        result = subprocess.run([*prefix, BIN, "--help"], capture_output=True, timeout=30,
                                preexec_fn=before_exec)
        match = re.search(rb"--threads UINT:UINT in \[1 - 256\]=(\d+)", result.stdout)
        self.assertIsNotNone(match, result.stdout)
        return int(match.group(1))

    def test_default_threads_follow_the_cpus_the_process_may_use(self):
        self.assertEqual(self.default_threads(), len(os.sched_getaffinity(0)))
        self.assertEqual(self.default_threads(prefix=("taskset", "-c", "0")), 1)

    def test_default_threads_follow_a_cgroup_cpu_quota(self):
        # Docker's --cpus and a Swarm service's limits.cpus are a CFS quota: 1.5 CPUs -> 2 loops,
        # 0.5 -> 1. Needs a writable cgroup v1 cpu controller (root outside a container).
        parent = "/sys/fs/cgroup/cpu"
        if not os.access(parent, os.W_OK) or not os.path.exists(os.path.join(parent, "cpu.cfs_quota_us")):
            self.skipTest("no writable cgroup v1 cpu controller here")
        group = os.path.join(parent, "cppapp-test-%d" % os.getpid())
        os.mkdir(group)
        try:
            def join_group():
                with open(os.path.join(group, "cgroup.procs"), "w") as procs:
                    procs.write(str(os.getpid()))
            for quota, expected in ((50000, 1), (150000, 2)):
                with open(os.path.join(group, "cpu.cfs_quota_us"), "w") as f:
                    f.write(str(quota))
                self.assertEqual(self.default_threads(before_exec=join_group),
                                 min(expected, len(os.sched_getaffinity(0))))
        finally:
            for _ in range(50):  # the exited children leave the group a moment later
                try:
                    os.rmdir(group)
                    break
                except OSError:
                    time.sleep(0.05)

    def test_environment_configures_like_flags(self):
        with Server(env={"MOUNT_PATH": "/shop", "BODY_LIMIT": "1kb"}) as server:
            self.assertEqual(server.get("/shop/").body, INDEX_BYTES)
            self.assertEqual(server.get("/app1/").status, 404)
            big = server.request("POST", "/shop/", {"Content-Type": "application/json"}, b'{"a":"' + b"x" * 2000 + b'"}')
            self.assertEqual(big.status, 413)
            # The contract it serves names the mount it runs under, so clients built from it work.
            contract = json.loads(server.get("/shop/api/openapi.json").body)
            self.assertEqual([server["url"] for server in contract["servers"]], ["/shop"])

    def test_a_taken_port_is_a_clear_error(self):
        with Server() as first:
            result = self.run_binary("--host", "127.0.0.1", "--port", str(first.port), "--threads", "1")
            # SO_REUSEPORT lets a second cppapp join the port only as the same user; either way
            # the outcome is explicit: it serves, or it says why not.
            if result.returncode != 0:
                self.assertIn(b"cannot listen", result.stdout + result.stderr)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_under_load_finishes_every_accepted_request(self):
        server = Server("--threads", "2", "--shutdown-grace", "5s")
        server.start()
        stop = threading.Event()
        lock = threading.Lock()
        counts = {"complete": 0, "partial": 0, "closed_before_answer": 0, "refused": 0, "saw_close": 0}

        def client_loop():
            while not stop.is_set():
                try:
                    client = RawClient(server, timeout=10)
                except OSError:
                    with lock:
                        counts["refused"] += 1
                    time.sleep(0.01)
                    continue
                with client:
                    while not stop.is_set():
                        try:
                            client.send(b"GET /app1/ HTTP/1.1\r\nHost: a\r\n\r\n")
                            result = client.read_response()
                        except AssertionError:
                            with lock:
                                counts["partial"] += 1
                            break
                        except OSError:
                            result = None
                        if result is None:
                            with lock:
                                counts["closed_before_answer"] += 1
                            break
                        status, headers, body = result
                        with lock:
                            if status == 200 and body == INDEX_BYTES:
                                counts["complete"] += 1
                            else:
                                counts["partial"] += 1
                            if headers.get("connection") == "close":
                                counts["saw_close"] += 1
                        if headers.get("connection") == "close":
                            break

        threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(8)]
        for t in threads:
            t.start()
        self.addCleanup(stop.set)  # a failed assertion below must not leave the clients running
        self.addCleanup(server.process.kill)
        # Let load build up, measured in answered requests rather than time.
        deadline = time.monotonic() + 30
        while counts["complete"] < 2000 and time.monotonic() < deadline:
            time.sleep(0.01)

        # An in-flight request: its headers are read (the server's 100 Continue says so) before
        # SIGTERM, and its body is sent after.
        slow = RawClient(server)
        slow.send(b"POST /app1/ HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 8\r\nExpect: 100-continue\r\n\r\n")
        interim = slow.read_response(head_only=True)
        self.assertEqual(interim[0], 100)
        server.process.send_signal(signal.SIGTERM)
        self.assertIsNotNone(server.wait_for_output(rb"SIGTERM received", timeout=10))
        slow.send(b'{"a": 1}')
        status, headers, body = slow.read_response()
        self.assertEqual(status, 404)
        self.assertEqual(headers["connection"], "close")
        self.assertIn(b"Cannot POST /app1/", body)
        slow.sock.close()

        exit_code = server.process.wait(30)
        stop.set()
        for t in threads:
            t.join(30)
        self.assertEqual(exit_code, 0, server.text())
        self.assertGreater(counts["complete"], 0)
        self.assertEqual(counts["partial"], 0, counts)
        self.assertIsNotNone(server.wait_for_output(rb"stopped"), server.text())

    def test_stopped_is_the_last_line_even_while_the_database_check_is_still_waiting(self):
        # The database check's first ping to a MongoDB that is not there takes DB_TIMEOUT; a
        # SIGTERM before it ends used to be followed by "cannot connect" after "stopped".
        server = Server(env={"MONGO_URL": "mongodb://127.0.0.1:9/x", "DB_TIMEOUT": "1s"})
        with server:
            self.assertEqual(server.stop(), 0)
        self.assertIsNone(server.wait_for_output(rb"(?!)", timeout=5))  # returns at end of output
        lines = server.text().strip().splitlines()
        self.assertTrue(lines[-1].endswith("stopped"), lines)

    def test_sigint_also_drains_and_exits_0(self):
        server = Server()
        server.start()
        self.assertEqual(server.get("/app1/").status, 200)
        self.assertEqual(server.stop(signal.SIGINT), 0)


class SignalsTest(unittest.TestCase):
    """Signals that used to end the process (issue #14, item 1): each is said or absorbed, and
    the server goes on serving until SIGTERM drains it."""

    def test_hup_usr1_and_usr2_are_logged_and_ignored(self):
        # And the other signals whose default action ends a process and that mean nothing here.
        with Server() as server:
            for sig, name in ((signal.SIGHUP, b"SIGHUP"), (signal.SIGUSR1, b"SIGUSR1"),
                              (signal.SIGUSR2, b"SIGUSR2"), (signal.SIGALRM, b"SIGALRM"),
                              (signal.SIGVTALRM, b"SIGVTALRM"), (signal.SIGIO, b"SIGPOLL"),  # SIGIO is SIGPOLL on Linux
                              (signal.SIGPWR, b"SIGPWR"), (signal.SIGSTKFLT, b"SIGSTKFLT")):
                mark = len(server.output)
                server.process.send_signal(sig)
                line = server.wait_for_output(name + rb" received: ignored", start=mark)
                self.assertIsNotNone(line, server.text()[-2000:])
                self.assertIsNone(server.process.poll(), server.text()[-2000:])
                self.assertEqual(server.get("/app1/").status, 200)
            self.assertEqual(server.stop(), 0, server.text()[-2000:])

    def test_a_closed_stdout_costs_log_lines_not_the_process(self):
        # `cppapp | head -c 300`: the reader goes away after the first lines. Every later console
        # write fails with EPIPE; the server must keep serving, count the lost writes, and still
        # drain and exit 0 on SIGTERM.
        with tempfile.TemporaryDirectory() as data_dir:
            process = subprocess.Popen([BIN, "--host", "127.0.0.1", "--port", "0"],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                       env=dict(os.environ, DATA_DIR=data_dir))
            try:
                port = None
                for line in iter(process.stdout.readline, b""):
                    match = re.search(rb"Started server: http://[^:]+:(\d+)", line)
                    if match:
                        port = int(match.group(1))
                        break
                self.assertIsNotNone(port)
                process.stdout.close()  # the reader is gone
                client = Server.__new__(Server)
                client.port = port
                dropped = 0
                for _ in range(50):
                    self.assertEqual(client.get("/app1/").status, 200)
                    metrics = client.get("/metrics").body.decode()
                    dropped = int(re.search(r"\ncppapp_log_console_writes_dropped_total (\d+)",
                                            metrics).group(1))
                    if dropped > 0:
                        break
                self.assertIsNone(process.poll(), "cppapp died when stdout closed")
                self.assertGreater(dropped, 0, "lost console writes are not counted")
                process.send_signal(signal.SIGTERM)
                self.assertEqual(process.wait(30), 0)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()


if __name__ == "__main__":
    unittest.main()
