"""deploy/provision and deploy/ on a multi-node swarm (ctest engine.multinode): seven nodes, each a
container on this machine running its own dockerd, reached by SSH with a key made here.

  managers  cppapp-node-m1, -m2, -m3
  workers   cppapp-node-w1 (mongo=1), -w2 (mongo=2), -w3 (mongo=3), -w4 (logger=true)

That is the series' three managers and three workers plus the logger: app1 and the database
members must be on workers that are not the logger, so the logger is a fourth worker (the README's
"one worker labelled logger=true … and three others"). w4 starts from an image without Docker, so
provision's install path (apt-get install docker.io) runs; the others have docker.io preinstalled
to save time, and provision starts their dockerd.

  1. provision: wrong inventories fail with their exit codes (bad role 2, unreachable host 3, a
     host in another swarm 4); --dry-run changes nothing; the real run makes the swarm; a second
     run changes nothing and says so;
  2. deploy.sh on m1 with deploy/'s stacks, swapped only where nothing can be pulled (as in
     test_swarm.py): app1's three replicas on workers without the logger label, the log stand-in
     on the logger, the database on the node labelled mongo=1;
  3. one worker drained under load through the proxy: its tasks move, no request fails;
  4. one worker's node killed outright: its tasks are rescheduled, back to 3/3; failures counted;
  5. the leader manager stopped: the other two keep the quorum, elect a leader, accept a change,
     and the proxy (on another manager) serves throughout;
  6. a heavier load (16 clients, no pause) for 10 s: what the proxy, app1, FerretDB and the log
     receiver sustain here, with no failed request;
  7. the access records of every phase at the log stand-in.

Nodes are run with every capability this engine grants instead of --privileged, which it cannot
grant (see node/entrypoint). Everything made here is named cppapp-node-* / cppapp-prov-* and
removed at the end (the node images are kept, as the other test images are, for the next run).
"""

import concurrent.futures
import http.client
import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import yaml

from engine_fixture import (Phases, clean_up, ARTIFACTS, DOCKER, HERE, IMAGE, REPO, TESTBED_IMAGE, cluster, docker,
                            every_replica_reaches_the_database,
                            ferretdb_for_replica_set, haproxy_servers_up, printable, received_records,
                            report, start_report, wait_until, without_write_limit)

REPORT = os.path.join(ARTIFACTS, "multinode-report.md")
PREFIX = "cppapp-node-"
NETWORK = "cppapp-prov-net"
NODE_IMAGE = {"docker": "cppapp-node:docker", "bare": "cppapp-node:bare"}
# name: (role, labels, node image)
NODES = {
    "m1": ("manager", "", "docker"),
    "m2": ("manager", "", "docker"),
    "m3": ("manager", "", "docker"),
    "w1": ("worker", "mongo=1", "docker"),
    "w2": ("worker", "mongo=2", "docker"),
    "w3": ("worker", "mongo=3", "docker"),
    "w4": ("worker", "logger=true", "bare"),
}
# Which images each node may have to run (no registry: docker save | docker load).
IMAGES_ON = {"m1": [TESTBED_IMAGE], "m2": [TESTBED_IMAGE], "m3": [TESTBED_IMAGE],
             "w1": [IMAGE, TESTBED_IMAGE], "w2": [IMAGE], "w3": [IMAGE], "w4": [TESTBED_IMAGE]}
APP1 = "apps_app1"
DATABASE = "apps_mongo-store"
LOGSTASH = "logging_logstash"
PROXY = "proxy_proxy"
MONGO_URL = "mongodb://mongo-store:27017/nodeapp"
RECEIVED_DIR = "/var/tmp/cppapp-received"


def container(name):
    return PREFIX + name


def in_node(name, *command, check=True, timeout=300):
    return docker("exec", container(name), *command, check=check, timeout=timeout)


def start_node(name, image, authorized_key):
    """A node: sshd as PID 1 with every capability this engine grants (not --privileged, which it
    cannot grant: see node/entrypoint), no seccomp/AppArmor/masked paths, any device, and a volume
    for /var/lib/docker. Returns its address on the test network."""
    docker("run", "-d", "--name", container(name), "--hostname", container(name), "--network", NETWORK,
           "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
           "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
           "--device-cgroup-rule", "a *:* rwm", "--mount", "type=volume,dst=/var/lib/docker",
           "-e", "AUTHORIZED_KEY=" + authorized_key, image)
    address = docker("inspect", "--format", "{{(index .NetworkSettings.Networks \"%s\").IPAddress}}" % NETWORK,
                     container(name)).strip()

    def sshd_listens():
        try:
            with socket.create_connection((address, 22), timeout=1):
                return True
        except OSError:
            return False

    wait_until(sshd_listens, 30, "sshd on node %s" % name)
    return address


def node_subnet():
    """The nodes' network: a subnet Docker never picks by itself (its local pools are 172.17-31/16
    and 192.168/20), away from every route and from every source a NAT rule rewrites. dockerd
    leaves its rules behind when it stops; a stale `-s 172.19.0.0/16 ! -o docker_gwbridge -j
    MASQUERADE` from an earlier docker_gwbridge rewrote the nodes' VXLAN packets to come from the
    bridge's gateway, and the overlay carried nothing (HAProxy's checks timed out at layer 4)."""
    taken = [ipaddress.ip_network(route.split()[0], strict=False)
             for route in subprocess.run(["ip", "-4", "route", "show", "table", "all"], capture_output=True,
                                         text=True).stdout.splitlines()
             if route.split() and route.split()[0][0].isdigit()]
    nat = subprocess.run(["iptables", "-t", "nat", "-S", "POSTROUTING"], capture_output=True, text=True)
    for rule in nat.stdout.splitlines():
        words = rule.split()
        if "-s" in words and ("MASQUERADE" in words or "SNAT" in words):
            taken.append(ipaddress.ip_network(words[words.index("-s") + 1], strict=False))
    for third in range(256):
        candidate = ipaddress.ip_network("10.209.%d.0/24" % third)
        if not any(candidate.overlaps(other) for other in taken):
            return str(candidate)
    raise AssertionError("no free /24 in 10.209.0.0/16 for the nodes' network (routes and NAT rules: %s)" % taken)


def remove_everything():
    names = docker("ps", "-aq", "--filter", "name=^" + PREFIX).split()
    if names:
        docker("rm", "-fv", *names, timeout=300)
    docker("network", "rm", NETWORK, check=False)


def build_node_images():
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    for kind, tag in NODE_IMAGE.items():
        subprocess.run([DOCKER, "build", "-q", "--build-arg", "DOCKER=%d" % (kind == "docker"), "-t", tag,
                        os.path.join(HERE, "node")], check=True, env=env, capture_output=True, timeout=900)


def stacks_for_these_nodes(work):
    """A copy of deploy/ as this swarm can run it: apps.yml with FerretDB in place of the replica
    set (placed as mongo-store-1), the stand-in proxy and log receiver of test_swarm.py, the log
    receiver placed as deploy/logging.yml places Logstash, the proxy kept on a manager other than
    m1 (its host-mode port must stay where the test sends the load, and m1, the leader since it
    initialised the swarm, is the manager phase 5 stops). deploy.sh itself is the real one."""
    target = os.path.join(work, "deploy")
    shutil.copytree(os.path.join(REPO, "deploy"), target)

    def load(*path):
        with open(os.path.join(*path)) as stack:
            return yaml.safe_load(stack)

    def save(stack, name):
        with open(os.path.join(target, name), "w") as out:
            yaml.safe_dump(stack, out, sort_keys=False)

    save(without_write_limit(ferretdb_for_replica_set(load(REPO, "deploy", "apps.yml"), keep_placement=True)),
         "apps.yml")
    logging = load(HERE, "stacks", "logging.yml")
    logging["services"]["logstash"]["deploy"]["placement"] = \
        load(REPO, "deploy", "logging.yml")["services"]["logstash"]["deploy"]["placement"]
    save(logging, "logging.yml")
    proxy = load(HERE, "stacks", "proxy.yml")
    proxy["services"]["proxy"]["deploy"]["placement"] = {
        "constraints": ["node.role == manager", "node.hostname != " + container("m1")]}
    save(proxy, "proxy.yml")
    shutil.copy(os.path.join(HERE, "stacks", "haproxy.cfg"), target)
    return target


class MultiNodeTest(Phases):
    """One swarm for all phases, which run in order; once one fails the later ones are skipped."""

    @classmethod
    def setUpClass(cls):
        cls.started = time.monotonic()
        cls.work = tempfile.mkdtemp(prefix="cppapp-prov-")
        cls.received_log = os.path.join(cls.work, "events.ndjson")
        cls.answered = {}
        cls.rates = {}  # phase → the load's rates (what the stand-ins sustained)
        cls.cli = "m1"  # the manager the test talks to (changes if it is stopped)
        remove_everything()
        cls.addClassCleanup(lambda: clean_up(remove_everything, cls.work))  # even if setUpClass fails
        start_report(REPORT, "Multi-node swarm test report", "`ctest -R engine.multinode` "
                     "(tests/engine/test_multinode.py)", "7 nodes in containers, each its own dockerd")
        seconds = {}
        began = time.monotonic()
        build_node_images()
        seconds["node images (cppapp-node:bare, :docker)"] = time.monotonic() - began
        cls.key = os.path.join(cls.work, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cppapp-prov-test", "-f", cls.key],
                       check=True)
        with open(cls.key + ".pub") as public:
            cls.authorized = public.read().strip()
        began = time.monotonic()
        subnet = ipaddress.ip_network(node_subnet())
        docker("network", "create", "--subnet", str(subnet), "--gateway", str(subnet[1]), NETWORK)
        cls.ip = {name: start_node(name, NODE_IMAGE[kind], cls.authorized) for name, (_, _, kind) in NODES.items()}
        cls.gateway = docker("network", "inspect", "--format", "{{(index .IPAM.Config 0).Gateway}}", NETWORK).strip()
        seconds["7 node containers started"] = time.monotonic() - began
        cls.inventory = cls.write_inventory("inventory", ["%s %s %s" % (cls.ip[n], role, labels)
                                                          for n, (role, labels, _) in NODES.items()])
        cls.setup_seconds = seconds

    @classmethod
    def tearDownClass(cls):
        report("Total", {"seconds for the whole test (node images, nodes, every phase)":
                         "%.0f" % (time.monotonic() - cls.started)}, path=REPORT)

    @classmethod
    def write_inventory(cls, name, lines):
        path = os.path.join(cls.work, name)
        with open(path, "w") as out:
            out.write("# written by tests/engine/test_multinode.py\n" + "\n".join(lines) + "\n")
        return path

    def provision(self, inventory, *options):
        command = [os.path.join(REPO, "deploy", "provision"), "-i", self.key, "-o", "StrictHostKeyChecking=no",
                   "-o", "UserKnownHostsFile=/dev/null", "--skip-sysctl", *options, inventory]
        began = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        return result, time.monotonic() - began

    # --- talking to the swarm ---------------------------------------------------------------

    def swarm(self, *args, **kwargs):
        """The docker client on the manager the test uses."""
        return in_node(self.cli, "docker", *args, **kwargs)

    def tasks(self, service):
        """{task id: node name} of the service's tasks that should be running and are."""
        out = self.swarm("service", "ps", "--filter", "desired-state=running", "--format",
                         "{{.ID}} {{.Node}} {{.CurrentState}}", service)
        return {fields[0]: fields[1].replace(PREFIX, "") for fields in map(str.split, out.splitlines())
                if len(fields) > 2 and fields[2] == "Running"}

    def running(self, service):
        return self.swarm("service", "ls", "--filter", "name=" + service, "--format", "{{.Replicas}}").strip()

    def node_labels(self, name):
        return self.swarm("node", "inspect", "--format", "{{.Spec.Role}} {{range $k, $v := .Spec.Labels}}{{$k}}={{$v}} {{end}}",
                          container(name)).split()

    def proxy_node(self):
        return list(self.tasks(PROXY).values())[0]

    def servers_up(self):
        return haproxy_servers_up(self.ip[self.proxy_node()], 8404)

    def wait_three_serving(self, timeout=180, avoid=(), node_down=False):
        """Three tasks running (off the nodes in `avoid`) and UP in HAProxy. While a node is down,
        `docker service ls` also counts the tasks it last reported running (5/3 after a worker
        with two tasks died): then only the tasks the swarm wants running are counted."""
        def serving():
            placed = self.tasks(APP1)
            return (len(placed) == 3 and not set(placed.values()) & set(avoid) and
                    (node_down or self.running(APP1) == "3/3") and self.servers_up() == 3)
        wait_until(serving, timeout, "app1 3/3 running%s and 3 servers UP in HAProxy" %
                   (" off " + ", ".join(avoid) if avoid else ""), interval=0.5, state=self.serving_state)

    def serving_state(self):
        """What a failed wait for app1 reports: its tasks (with their errors), the replicas
        counted, the servers HAProxy has UP and the proxy's own tasks."""
        def service_ps(service):
            result = self.swarm("service", "ps", "--no-trunc", "--format",
                                "{{.Name}} {{.Node}} desired={{.DesiredState}} {{.CurrentState}} {{.Error}}",
                                service, check=False)
            return result.stdout + result.stderr
        proxy = service_ps(PROXY)
        app1 = service_ps(APP1)
        placed = self.tasks(PROXY)
        up = self.servers_up() if placed else "no proxy task running"
        return "replicas %s; HAProxy servers UP: %s; app1 tasks:\n%s\nproxy tasks:\n%s" % (
            self.running(APP1), up, app1.strip(), proxy.strip())

    def load_target(self):
        return self.ip[self.proxy_node()], 80

    # --- the phases, in order ---------------------------------------------------------------

    def test_1_provision_makes_the_swarm_and_a_second_run_changes_nothing(self):
        rows = {"%s, seconds" % what: "%.1f" % s for what, s in self.setup_seconds.items()}
        # Wrong inventories, each with its exit code and before anything is changed.
        bad_role = self.write_inventory("bad-role", ["%s manager" % self.ip["m1"], "%s boss" % self.ip["w1"]])
        result, _ = self.provision(bad_role)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("not manager or worker", result.stderr)
        unreachable = self.write_inventory("unreachable", ["%s manager" % self.ip["m1"],
                                                           "%s worker" % self.gateway])  # no sshd there
        result, _ = self.provision(unreachable)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("unreachable by SSH", result.stderr)
        rows["wrong role; unreachable host"] = "exit 2; exit 3"

        # --dry-run probes and prints, and changes nothing.
        result, seconds = self.provision(self.inventory, "--dry-run")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("would: %s: install docker.io" % self.ip["w4"], result.stdout)
        self.assertIn("would: %s: docker swarm init" % self.ip["m1"], result.stdout)
        self.assertEqual(in_node("m1", "sh", "-c", "docker info >/dev/null 2>&1 && echo up || echo down").strip(),
                         "down", "the dry run started dockerd")
        rows["--dry-run: changes it would make"] = result.stdout.strip().splitlines()[-1]

        result, seconds = self.provision(self.inventory)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        rows["provision (cold: install docker.io on w4, start 7 engines, init, 6 joins, labels, networks), seconds"] = \
            "%.1f" % seconds
        rows["provision said"] = result.stdout.strip().splitlines()[-1]
        print(result.stdout, flush=True)

        again, seconds = self.provision(self.inventory)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertTrue(again.stdout.startswith("provision: nothing to change"), again.stdout)
        rows["second run, seconds"] = "%.1f" % seconds
        rows["second run said"] = again.stdout.strip().splitlines()[-1]

        nodes = self.swarm("node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}").splitlines()
        rows["docker node ls"] = "<br>".join(sorted(nodes))
        self.assertEqual(len(nodes), 7, nodes)
        for name, (role, labels, _) in NODES.items():
            have = self.node_labels(name)
            self.assertEqual(have[0], role, name)
            self.assertEqual(have[1:], labels.split(), name)
        for network in ("main", "log_net", "apps_net"):
            self.assertEqual(self.swarm("network", "inspect", "--format", "{{.Driver}}", network).strip(), "overlay")

        # A host that is already in another swarm: provision refuses (exit 4) and changes nothing.
        x = start_node("x", NODE_IMAGE["docker"], self.authorized)
        own, _ = self.provision(self.write_inventory("x-alone", ["%s manager" % x]))
        self.assertEqual(own.returncode, 0, own.stderr)
        other, _ = self.provision(self.write_inventory("x-joins", ["%s manager" % self.ip["m1"], "%s worker" % x]))
        self.assertEqual(other.returncode, 4, other.stdout + other.stderr)
        self.assertIn("different swarms", other.stderr)
        docker("rm", "-fv", container("x"))
        rows["a host already in another swarm"] = "exit 4: " + other.stderr.strip().replace("provision: error: ", "")
        report("Provisioning (deploy/provision over SSH)", rows, path=REPORT)

    def test_2_deploy_places_every_service_by_role_and_label(self):
        began = time.monotonic()

        def load_images(name):
            for image in IMAGES_ON[name]:
                with open(self.saved[image], "rb") as tar:
                    subprocess.run([DOCKER, "exec", "-i", container(name), "docker", "load", "-q"], stdin=tar,
                                   check=True, capture_output=True, timeout=600)

        self.__class__.saved = {}
        for image in (IMAGE, TESTBED_IMAGE):
            self.saved[image] = os.path.join(self.work, image.replace(":", "_") + ".tar")
            docker("save", "-o", self.saved[image], image)
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            list(pool.map(load_images, NODES))
        for path in self.saved.values():
            os.remove(path)
        loaded = time.monotonic() - began

        began = time.monotonic()
        deploy_dir = stacks_for_these_nodes(self.work)
        docker("cp", deploy_dir, container("m1") + ":/root/deploy")
        for name in NODES:
            in_node(name, "mkdir", "-p", "-m", "777", RECEIVED_DIR)
        result = docker("exec", "-e", "CPPAPP_IMAGE=" + IMAGE, "-e", "MONGO_URL=" + MONGO_URL, "-e", "PROXY_PORT=80",
                        "-e", "PROXY_STATS_PORT=8404", "-e", "RECEIVED_DIR=" + RECEIVED_DIR, container("m1"),
                        "bash", "/root/deploy/deploy.sh", check=False, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("warning", result.stderr, "deploy.sh found a label missing")
        self.wait_three_serving()
        wait_until(lambda: self.tasks(DATABASE) and self.tasks(LOGSTASH), 120, "the database and the log receiver")
        deployed = time.monotonic() - began

        app1 = sorted(self.tasks(APP1).values())
        database = list(self.tasks(DATABASE).values())
        logstash = list(self.tasks(LOGSTASH).values())
        report("Deploy and placement (deploy.sh on m1)", {
            "seconds to load the images into the nodes (docker save | docker load)": "%.1f" % loaded,
            "seconds until app1 3/3 and UP in HAProxy": "%.1f" % deployed,
            "app1 tasks on": ", ".join(app1), "database (FerretDB as mongo-store-1) on": ", ".join(database),
            "log receiver (as Logstash) on": ", ".join(logstash), "proxy on": self.proxy_node()}, path=REPORT)
        self.assertTrue(set(app1) <= {"w1", "w2", "w3"}, app1)
        self.assertEqual(len(set(app1)), 3, "app1's replicas are not spread over the three workers: %s" % app1)
        self.assertEqual(database, ["w1"])
        self.assertEqual(logstash, ["w4"])
        wait_until(lambda: every_replica_reaches_the_database(self.proxy_status), 60,
                   "the database through every app1 replica")

    def proxy_status(self, path):
        conn = http.client.HTTPConnection(self.ip[self.proxy_node()], 80, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def test_3_a_drained_worker_hands_its_tasks_over_without_a_failed_request(self):
        self.wait_three_serving()
        victim = "w3"
        self.start_load()
        began = time.monotonic()
        self.swarm("node", "update", "--availability", "drain", container(victim))
        self.wait_three_serving(avoid=[victim])
        seconds = time.monotonic() - began
        self.wait_for_traffic(300)
        counts = self.finish("worker drained")
        placed = sorted(self.tasks(APP1).values())
        self.swarm("node", "update", "--availability", "active", container(victim))
        report("A worker drained (docker node update --availability drain w3) under load", {
            "requests": cluster.total(counts), "failed": cluster.failures(counts), "outcomes": printable(counts),
            "seconds until 3/3 off w3 and UP in HAProxy": "%.1f" % seconds, "app1 tasks then on": ", ".join(placed)},
            path=REPORT)
        self.assertGreater(cluster.total(counts), 300)
        self.assertEqual(cluster.failures(counts), 0, self.explain(counts))

    def test_4_a_worker_node_killed_has_its_tasks_rescheduled(self):
        self.wait_three_serving()
        victim = "w2"  # holds app1 tasks after the drain of w3; not the database's node
        before = self.tasks(APP1)
        self.assertIn(victim, before.values())
        self.start_load()
        killed_at = self.load.mark()
        docker("kill", container(victim))
        killed_wall = time.time()
        began = time.monotonic()
        wait_until(lambda: "Down" in self.swarm("node", "ls", "--filter", "name=" + container(victim), "--format",
                                                "{{.Status}}"), 120, "the swarm to see %s down" % victim, interval=0.5)
        down = time.monotonic() - began
        self.wait_three_serving(avoid=[victim], node_down=True)
        seconds = time.monotonic() - began
        recovered = self.load.mark()
        self.wait_for_traffic(300)
        counts = self.finish("worker killed")
        during = self.load.summary(since=killed_at, until=recovered)
        after = self.load.summary(since=recovered)
        # When the replacements were created and when they started running (the managers' clock is
        # this machine's).
        created, started = [], []
        for task in set(self.tasks(APP1)) - set(before):
            times = self.swarm("inspect", "--format", "{{.CreatedAt.Unix}} {{.Status.Timestamp.Unix}}", task).split()
            created.append(int(times[0]) - killed_wall)
            started.append(int(times[1]) - killed_wall)
        report("A worker node killed (docker kill of w2's container) under load", {
            "replacement tasks created, seconds after the kill": ", ".join("%.0f" % t for t in sorted(created)),
            "replacement tasks running, seconds after the kill": ", ".join("%.0f" % t for t in sorted(started)),
            "requests": cluster.total(counts), "failed": cluster.failures(counts), "outcomes": printable(counts),
            "failed between the kill and 3/3 again": cluster.failures(during),
            "seconds until the swarm marked it Down": "%.1f" % down,
            "seconds until 3/3 running elsewhere and UP in HAProxy": "%.1f" % seconds,
            "app1 tasks then on": ", ".join(sorted(self.tasks(APP1).values())),
            "docker service ls then says": self.running(APP1) + " (the dead node's last-reported tasks counted)"},
            path=REPORT)
        self.assertEqual(cluster.failures(after), 0, self.explain(after, since=recovered))

    def test_5_a_stopped_manager_leaves_a_quorum_that_serves(self):
        managers = ["m1", "m2", "m3"]
        leader = [m for m in managers if "Leader" in self.swarm(
            "node", "ls", "--filter", "name=" + container(m), "--format", "{{.ManagerStatus}}")][0]
        proxy = self.proxy_node()
        self.assertNotEqual(leader, proxy, "the proxy runs on the leader: stopping it would move the proxy")
        victim = leader
        survivor = [m for m in managers if m != victim][0]
        self.start_load()
        began = time.monotonic()
        docker("stop", "-t", "2", container(victim))
        type(self).cli = survivor

        def quorum_write():
            name = "cppapp-prov-quorum-probe"
            made = self.swarm("network", "create", "--driver", "overlay", name, check=False)
            if made.returncode != 0:
                return False
            self.swarm("network", "rm", name)
            return True

        wait_until(quorum_write, 120, "the remaining managers to accept a change", interval=1)
        seconds = time.monotonic() - began
        statuses = self.swarm("node", "ls", "--filter", "role=manager", "--format",
                              "{{.Hostname}} {{.Status}} {{.ManagerStatus}}").splitlines()
        self.wait_for_traffic(300)
        counts = self.finish("manager stopped")
        report("The leader manager stopped (docker stop of %s) under load" % victim, {
            "requests": cluster.total(counts), "failed": cluster.failures(counts), "outcomes": printable(counts),
            "seconds until the other two elected a leader and accepted a change (a network created)":
                "%.1f" % seconds,
            "managers then": "<br>".join(sorted(statuses))}, path=REPORT)
        self.assertTrue(any("Leader" in s for s in statuses), statuses)
        self.assertEqual(cluster.failures(counts), 0, self.explain(counts))
        self.assertEqual(len(self.tasks(APP1)), 3)

    def test_6_a_heavier_load_is_served_without_failure(self):
        self.wait_three_serving(node_down=True)
        self.start_load(clients=16, pause=0)
        time.sleep(10)
        counts = self.finish("heavier load")
        report("16 clients without pause for 10 s", {
            "requests": cluster.total(counts), "failed": cluster.failures(counts), "outcomes": printable(counts),
            "rate": self.rates["heavier load"]}, path=REPORT)
        self.assertEqual(cluster.failures(counts), 0, self.explain(counts))

    def test_7_access_records_reach_the_log_receiver_on_the_logger_node(self):
        self.assertTrue(self.answered, "no phase ran")
        path = os.path.join(self.work, "events.ndjson")

        def received_ids():
            with open(path, "w") as out:
                out.write(in_node("w4", "cat", RECEIVED_DIR + "/events.ndjson", check=False).stdout)
            return {r.get("http.request.id") for r in received_records(path)
                    if r.get("event.dataset") == "cppapp.access"}

        everything = set().union(*self.answered.values())
        try:
            wait_until(lambda: everything <= received_ids(), 30, "every access record", interval=1)
        except AssertionError:
            pass  # counted below
        ids = received_ids()
        rows = {phase: "%d answered, %d missing" % (len(answered), len(answered - ids))
                for phase, answered in self.answered.items()}
        report("Access records at the log receiver (on the logger node, over log_net)", rows, path=REPORT)
        report("Load sustained by the proxy, app1, FerretDB and the log receiver (4 clients with a 5 ms pause; "
               "16 without)",
               self.rates, path=REPORT)
        for phase in ("worker drained", "manager stopped", "heavier load"):
            if phase in self.answered:
                self.assertEqual(self.answered[phase] - ids, set(), phase)


if __name__ == "__main__":
    unittest.main()
