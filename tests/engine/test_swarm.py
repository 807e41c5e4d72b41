"""deploy/ on a real single-node swarm (ctest engine.swarm; engine.setup made the engine and the
images), under load through the proxy, counting every request and every log event:

  1. deploy.sh deploys proxy, logging and apps; app1's three tasks become healthy behind HAProxy;
  2. `docker service update --force` (start-first, one task at a time): no request fails;
  3. an update to an image that cannot start rolls back by itself; no request fails;
  4. `docker kill` of one task: at most the requests it held fail; back to 3/3;
  5. the database service scaled to 0 for 10 s and back: only database routes fail, with 503,
     and they recover without a restart of app1;
  6. every request answered by app1 has its access record at the log receiver, except those a
     SIGKILLed task had not shipped yet.

What this one node cannot run is replaced, and nothing else (see apps_for_one_node and
stacks/): mongo:7 and the Elastic and Docker Flow Proxy images cannot be pulled here, and this
kernel has no IPVS, so no service virtual IPs and no routing mesh: the stand-ins use
endpoint_mode dnsrr and host-mode ports, and HAProxy resolves tasks.apps_app1.
"""

import http.client
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import yaml

from engine_fixture import (BROKEN_IMAGE, HERE, IMAGE, REPO, Phases, clean_up, cluster, docker,
                            every_replica_reaches_the_database,
                            ferretdb_for_replica_set, free_port, haproxy_servers_up, printable,
                            received_records, report, wait_until, without_write_limit)

STACKS = ["apps", "logging", "proxy"]  # removal order: apps first
NETWORKS = ["main", "log_net", "apps_net"]
SECRET = "app1_mongo_url"
MONGO_URL = "mongodb://mongo-store:27017/nodeapp"
APP1 = "apps_app1"
DATABASE = "apps_mongo-store"
CLIENTS = 4


def apps_for_one_node(stack):
    """deploy/apps.yml as one registry-less node can run it. The only changes:
      - the replica set becomes one FerretDB service named mongo-store (ferretdb_for_replica_set);
      - app1 loses its `node.role == worker` constraint: the only node is a manager;
      - app1's per-client write limit is off (without_write_limit).
    app1 is otherwise the file's own (its image comes from CPPAPP_IMAGE, as deploy.sh sets it)."""
    stack = without_write_limit(ferretdb_for_replica_set(stack))
    constraints = stack["services"]["app1"]["deploy"]["placement"]["constraints"]
    constraints.remove("node.role == worker")
    return stack


def app1_containers(health=None):
    args = ["ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + APP1]
    if health:
        args += ["--filter", "health=" + health]
    return set(docker(*args).split())


def replicas(service):
    return docker("service", "ls", "--filter", "name=" + service, "--format", "{{.Name}} {{.Replicas}}")


def update_state(service):
    return docker("service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}",
                  service).strip()


def service_image(service):
    return docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", service).strip()


class SwarmTest(Phases):
    """One deployment for all phases, which run in order (test_1 … test_6); once one phase
    leaves the deployment broken, the later ones are skipped rather than left to time out."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="cppapp-swarm-")
        cls.received_dir = os.path.join(cls.work, "received")
        os.makedirs(cls.received_dir)
        os.chmod(cls.received_dir, 0o777)
        cls.received = os.path.join(cls.received_dir, "events.ndjson")
        cls.received_log = cls.received
        cls.proxy_port, cls.stats_port = free_port(), free_port()
        cls.answered = {}  # phase → request ids app1 answered, for test_6
        cls.rates = {}
        cls.kill_mark = None
        cls.answered_after_kill = set()
        remove_everything()
        cls.deploy_dir = cls.prepare_deploy_dir()

    @classmethod
    def tearDownClass(cls):
        clean_up(remove_everything, cls.work)

    @classmethod
    def prepare_deploy_dir(cls):
        """A copy of deploy/ with apps.yml made for one node and the stand-in proxy and logging
        stacks in place of the unpullable ones; deploy.sh itself is the real one."""
        target = os.path.join(cls.work, "deploy")
        shutil.copytree(os.path.join(REPO, "deploy"), target)
        with open(os.path.join(REPO, "deploy", "apps.yml")) as real:
            apps = apps_for_one_node(yaml.safe_load(real))
        with open(os.path.join(target, "apps.yml"), "w") as out:
            yaml.safe_dump(apps, out, sort_keys=False)
        for name in ("proxy.yml", "logging.yml", "haproxy.cfg"):
            shutil.copy(os.path.join(HERE, "stacks", name), target)
        return target

    def proxy_get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def servers_up(self):
        """How many app1 servers HAProxy has UP."""
        return haproxy_servers_up("127.0.0.1", self.stats_port)

    def wait_three_serving(self, timeout=120):
        wait_until(lambda: APP1 + " 3/3" in replicas(APP1) and len(app1_containers("healthy")) == 3
                   and self.servers_up() == 3, timeout, "app1 3/3, healthy, and 3 servers UP in HAProxy")

    def load_target(self):
        return "127.0.0.1", self.proxy_port

    # --- the phases, in order -----------------------------------------------------------------

    def test_1_deploy_sh_brings_up_three_healthy_replicas_behind_the_proxy(self):
        started = time.monotonic()
        env = dict(os.environ, CPPAPP_IMAGE=IMAGE, MONGO_URL=MONGO_URL, PROXY_PORT=str(self.proxy_port),
                   PROXY_STATS_PORT=str(self.stats_port), RECEIVED_DIR=self.received_dir,
                   PATH="/usr/bin:" + os.environ.get("PATH", ""))  # Debian's docker client first
        result = subprocess.run(["bash", os.path.join(self.deploy_dir, "deploy.sh")], env=env,
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.wait_three_serving(timeout=180)
        status, body = self.proxy_get("/app1/")
        self.assertEqual(status, 200)
        self.assertIn(b"Hello World!", body)
        wait_until(lambda: every_replica_reaches_the_database(lambda path: self.proxy_get(path)[0]), 60,
                   "the database through every app1 replica")
        report("Swarm: deploy.sh (proxy, logging, apps)", {
            "seconds until 3/3 healthy and UP in HAProxy": "%.1f" % (time.monotonic() - started),
            # (Its warnings about the logger and mongo labels are expected on one node.)
            "deploy.sh did": "<br>".join(line for line in result.stderr.splitlines()
                                         if line.startswith("deploy.sh: ") and "warning" not in line),
        })

    def test_2_a_forced_rolling_update_fails_no_request(self):
        self.wait_three_serving()
        before = app1_containers()
        self.start_load()
        started = time.monotonic()
        docker("service", "update", "--detach", "--force", APP1)
        wait_until(lambda: update_state(APP1) == "completed", 300, "the rolling update to complete", interval=0.5)
        seconds = time.monotonic() - started
        self.wait_three_serving()
        self.wait_for_traffic(200)
        counts = self.finish("rolling update")
        after = app1_containers()
        report("Swarm: docker service update --force (start-first)", {
            "requests": cluster.total(counts), "failed": cluster.failures(counts),
            "outcomes": printable(counts), "seconds to complete": "%.1f" % seconds,
            "tasks replaced": "%d of 3" % len(before - after)})
        self.assertEqual(len(before & after), 0, "not every task was replaced")
        self.assertGreater(cluster.total(counts), 500)
        self.assertEqual(cluster.failures(counts), 0, self.explain(counts))

    def test_3_an_update_to_a_broken_image_rolls_back_by_itself(self):
        self.wait_three_serving()
        before = app1_containers()
        self.start_load()
        started = time.monotonic()
        docker("service", "update", "--detach", "--image", BROKEN_IMAGE, APP1)
        state = wait_until(lambda: update_state(APP1) in ("rollback_completed", "completed", "paused",
                                                          "rollback_paused") and update_state(APP1),
                           300, "the update to end", interval=0.5)
        seconds = time.monotonic() - started
        self.wait_for_traffic(200)
        counts = self.finish("broken update")
        report("Swarm: update to an image that cannot start (THREADS=0)", {
            "update ended as": state, "seconds until rolled back": "%.1f" % seconds,
            "requests": cluster.total(counts), "failed": cluster.failures(counts),
            "outcomes": printable(counts)})
        self.assertEqual(state, "rollback_completed")
        self.assertEqual(service_image(APP1).split("@")[0], IMAGE)
        self.assertEqual(app1_containers("healthy"), before, "the serving tasks were touched")
        self.assertEqual(cluster.failures(counts), 0, self.explain(counts))

    def test_4_a_killed_task_fails_at_most_its_requests_and_is_replaced(self):
        self.wait_three_serving()
        self.start_load()
        victim = sorted(app1_containers())[0]
        type(self).kill_mark = self.load.mark()
        docker("kill", victim)
        started = time.monotonic()
        self.wait_three_serving()
        seconds = time.monotonic() - started
        replaced_mark = self.load.mark()
        self.wait_for_traffic(300)
        counts = self.finish("task killed")
        type(self).answered_after_kill = self.load.answered_ids(since=self.kill_mark)
        after_replacement = self.load.summary(since=replaced_mark)
        report("Swarm: docker kill of one app1 task", {
            "requests": cluster.total(counts), "failed": cluster.failures(counts),
            "outcomes": printable(counts),
            "seconds until 3/3 healthy and UP again": "%.1f" % seconds})
        self.assertNotIn(victim, app1_containers())
        # A client has one request in flight at a time: the dead task held at most CLIENTS.
        self.assertLessEqual(cluster.failures(counts), CLIENTS, self.explain(counts))
        self.assertEqual(cluster.failures(after_replacement), 0,
                         self.explain(after_replacement, since=replaced_mark))

    def test_5_the_database_away_fails_only_database_routes_with_503(self):
        self.wait_three_serving()
        tasks = app1_containers()
        self.start_load()
        stopped_at = self.load.mark()
        docker("service", "scale", "--detach", DATABASE + "=0")
        wait_until(lambda: DATABASE + " 0/0" in replicas(DATABASE), 60, "the database scaled to 0")
        time.sleep(10)  # the outage itself: 10 s without a database, by design
        docker("service", "scale", "--detach", DATABASE + "=1")
        restarted_at = self.load.mark()

        def recovered():
            recent = self.load.summary(since=self.load.mark() - 1.0)
            return recent["db"] and all(cluster.succeeded(o) for o in recent["db"])

        wait_until(recovered, 60, "database routes to answer again")
        recovered_at = self.load.mark()
        self.wait_for_traffic(300)
        self.finish("database away")
        before = self.load.summary(until=stopped_at)
        outage = self.load.summary(since=stopped_at, until=restarted_at)
        after = self.load.summary(since=recovered_at)
        everything = self.load.summary()
        report("Swarm: database scaled to 0 for 10 s, then back to 1", {
            "before": printable(before), "outage": printable(outage),
            "after recovery": printable(after),
            "seconds from scale 1 to recovery": "%.1f" % (recovered_at - restarted_at)})
        self.assertEqual(cluster.failures(before), 0, self.explain(before, until=stopped_at))
        self.assertTrue(all(cluster.succeeded(o) for o in everything["page"]), printable(everything))
        self.assertTrue(set(everything["db"]) <= {200, 201, 503}, printable(everything))
        self.assertGreater(outage["db"].get(503, 0), 0, printable(outage))
        self.assertEqual(cluster.failures(after), 0, self.explain(after, since=recovered_at))
        self.assertEqual(app1_containers(), tasks, "app1 was restarted")

    def test_6_every_answered_request_has_its_access_record_at_the_receiver(self):
        self.assertTrue(self.answered, "no phase ran")

        def received_ids():
            return [r.get("http.request.id") for r in received_records(self.received)
                    if r.get("event.dataset") == "cppapp.access"]

        everything = set().union(*self.answered.values())
        # Shipping is asynchronous (and reconnects back off up to 5 s): wait, bounded.
        try:
            wait_until(lambda: everything <= set(received_ids()), 30, "every access record", interval=0.5)
        except AssertionError:
            pass  # counted below
        ids = received_ids()
        unique = set(ids)
        rows, missing = {}, {}
        for phase, answered in self.answered.items():
            missing[phase] = answered - unique
            rows[phase] = "%d answered, %d received, %d missing" % (len(answered), len(answered & unique),
                                                                 len(missing[phase]))
        rows["duplicates received (at-least-once)"] = len(ids) - len(unique)
        report("Swarm: access records at the log receiver", rows)
        for phase, lost in missing.items():
            if phase == "task killed":
                # A SIGKILLed process loses what it had not shipped yet; every request answered
                # after the kill (by the other tasks) must be there.
                killed_after = self.answered_after_kill & lost
                self.assertEqual(killed_after, set(), "records lost for requests answered after the kill")
            else:
                self.assertEqual(lost, set(), "%s: %d access records never arrived" % (phase, len(lost)))


def remove_everything():
    """Removes what a run deploys (stacks, secret, networks, volume), waiting until it is gone."""
    for stack in STACKS:
        docker("stack", "rm", stack, check=False)
    wait_until(lambda: not docker("ps", "-aq", "--filter", "label=com.docker.stack.namespace").strip(), 120,
               "the stacks' containers to go", interval=0.5)
    docker("secret", "rm", SECRET, check=False)
    for network in NETWORKS:
        wait_until(lambda: docker("network", "rm", network, check=False).returncode == 0 or
                   docker("network", "inspect", network, check=False).returncode != 0, 60,
                   "network %s to be removable" % network, interval=0.5)
    docker("volume", "rm", "apps_ferretdb-data", check=False)


if __name__ == "__main__":
    unittest.main()
