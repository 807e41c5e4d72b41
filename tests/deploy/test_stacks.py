"""Static checks of deploy/: every stack passes `docker stack config` (the docker CLI, no engine
needed), the checker finds nothing in them and does find each kind of mistake it claims to,
app1 carries what the design asks of it, and the Kibana saved objects are whole."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

import check_stacks

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(REPO, "deploy")
STACKS = ["proxy.yml", "proxy-traefik.yml", "logging.yml", "apps.yml", "monitoring.yml"]


def load(name):
    with open(os.path.join(DEPLOY, name)) as stack:
        return yaml.safe_load(stack)


class DockerStackConfigTest(unittest.TestCase):
    def test_every_stack_passes_docker_stack_config(self):
        docker = shutil.which("docker")
        if docker is None:
            self.skipTest("the docker CLI is not installed")
        for name in STACKS:
            result = subprocess.run([docker, "stack", "config", "-c", os.path.join(DEPLOY, name)],
                                    capture_output=True, timeout=60, cwd=DEPLOY)
            self.assertEqual(result.returncode, 0, (name, result.stderr.decode()))
            self.assertEqual(yaml.safe_load(result.stdout)["version"], "3.8", name)

    def test_deploy_sh_deploys_every_stack_and_parses(self):
        with open(os.path.join(DEPLOY, "deploy.sh")) as script:
            text = script.read()
        for name in STACKS:
            self.assertIn(name, text)
        self.assertEqual(subprocess.run(["bash", "-n", os.path.join(DEPLOY, "deploy.sh")]).returncode, 0)


class CheckerTest(unittest.TestCase):
    def test_the_stacks_have_no_problem(self):
        for name in STACKS:
            self.assertEqual(check_stacks.check_stack(os.path.join(DEPLOY, name)), [], name)

    def problems_with(self, mutate):
        """The checker's findings on apps.yml after `mutate(stack)`."""
        stack = load("apps.yml")
        mutate(stack)
        with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=DEPLOY, delete=False) as out:
            yaml.safe_dump(stack, out)
        try:
            return check_stacks.check_stack(out.name)
        finally:
            os.unlink(out.name)

    def test_finds_each_kind_of_mistake(self):
        app1 = lambda stack: stack["services"]["app1"]
        cases = [
            (lambda s: s["networks"].pop("log_net"), "network log_net is not defined"),
            (lambda s: s["volumes"].pop("mongo-data-2"), "volume mongo-data-2 is not defined"),
            (lambda s: s.pop("secrets"), "secret app1_mongo_url is not defined"),
            (lambda s: s["configs"]["rs_initiate"].update(file="./mongo/missing.js"), "does not exist"),
            (lambda s: app1(s).pop("healthcheck"), "service app1: no health check"),
            (lambda s: app1(s)["healthcheck"].update(disable=True), "health check disabled"),
            (lambda s: app1(s)["deploy"]["labels"].pop("com.df.servicePath"), "without com.df.servicePath"),
            (lambda s: app1(s)["deploy"]["labels"].pop("traefik.http.services.app1.loadbalancer.server.port"),
             "without loadbalancer.server.port"),
            (lambda s: app1(s).update(labels={"com.df.notify": "true"}), "is a container label"),
            (lambda s: app1(s).update(networks=["apps_net", "log_net"]), "not on network main"),
            (lambda s: app1(s)["secrets"][0].update(target="other"), "no secret is mounted there"),
            (lambda s: app1(s).update(stop_grace_period="10s"), "not longer than SHUTDOWN_GRACE"),
            (lambda s: app1(s).update(volumes=["app1-spool:/var/lib/cppapp"]), "volume app1-spool is not defined"),
        ]
        for mutate, expected in cases:
            problems = self.problems_with(mutate)
            self.assertTrue(any(expected in p for p in problems), (expected, problems))

    def test_one_shot_jobs_need_no_health_check_but_services_do(self):
        problems = self.problems_with(lambda s: s["services"]["mongo-rs-init"]["deploy"]["restart_policy"].update(
            condition="any"))
        self.assertIn("service mongo-rs-init: no health check", problems)

    def test_hostile_input_is_reported_not_crashed_on(self):
        for text in ("", "[1, 2]", "services: 3", "services: {a: null}"):
            with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as out:
                out.write(text)
            try:
                self.assertTrue(check_stacks.check_stack(out.name), text)
            finally:
                os.unlink(out.name)


class App1Test(unittest.TestCase):
    """What the design asks of app1 (apps.yml), beyond what the checker checks for any service."""

    def setUp(self):
        self.stack = load("apps.yml")
        self.app1 = self.stack["services"]["app1"]
        self.deploy = self.app1["deploy"]

    def test_the_seeds_networks_labels_and_constraints(self):
        self.assertEqual(set(self.app1["networks"]), {"main", "apps_net", "log_net"})
        self.assertEqual(self.deploy["replicas"], 3)
        self.assertEqual(set(self.deploy["placement"]["constraints"]), {"node.role == worker", "node.labels.logger != true"})
        labels = self.deploy["labels"]
        self.assertEqual({k: labels[k] for k in labels if k.startswith("com.df.")},
                         {"com.df.notify": "true", "com.df.distribute": "true", "com.df.serviceDomain": "",
                          "com.df.servicePath": "/app1", "com.df.port": "8080"})
        self.assertEqual(labels["traefik.http.routers.app1.rule"], "PathPrefix(`/app1`)")

    def test_health_rolling_updates_grace_limits_and_read_only_root(self):
        self.assertEqual(self.app1["healthcheck"]["test"], ["CMD", "cppapp", "healthcheck"])
        self.assertEqual(self.deploy["update_config"]["order"], "start-first")
        self.assertEqual(self.deploy["update_config"]["failure_action"], "rollback")
        self.assertGreater(check_stacks.seconds(self.app1["stop_grace_period"]),
                           check_stacks.seconds(self.app1["environment"]["SHUTDOWN_GRACE"]) + 2)
        self.assertTrue(self.deploy["resources"]["limits"]["memory"])
        self.assertTrue(self.deploy["resources"]["limits"]["cpus"])
        self.assertIs(self.app1["read_only"], True)
        tmpfs = {v["target"] for v in self.app1["volumes"] if v["type"] == "tmpfs"}
        self.assertIn("/var/lib/cppapp", tmpfs)  # DATA_DIR: the log spool

    def test_mongo_url_is_a_secret_and_the_replica_set_has_three_pinned_members(self):
        self.assertEqual(self.app1["environment"]["MONGO_URL_FILE"], "/run/secrets/mongo_url")
        self.assertNotIn("MONGO_URL", self.app1["environment"])
        members = [self.stack["services"]["mongo-store-%d" % n] for n in (1, 2, 3)]
        for n, member in enumerate(members, 1):
            self.assertIn("--replSet", member["command"])
            self.assertIn("node.labels.mongo == %d" % n, member["deploy"]["placement"]["constraints"])
            self.assertEqual(member["volumes"], ["mongo-data-%d:/data/db" % n])
        init = self.stack["services"]["mongo-rs-init"]
        self.assertEqual(init["deploy"]["restart_policy"]["condition"], "on-failure")


class PrometheusTest(unittest.TestCase):
    def test_prometheus_scrapes_every_app1_task_where_app1_listens(self):
        monitoring = load("monitoring.yml")
        apps = load("apps.yml")
        with open(os.path.join(DEPLOY, "prometheus", "prometheus.yml")) as config:
            scrape = yaml.safe_load(config)["scrape_configs"]
        job = next(j for j in scrape if j["job_name"] == "app1")
        self.assertEqual(job["metrics_path"], "/metrics")
        discovery = job["dns_sd_configs"][0]
        # deploy.sh deploys apps.yml as the stack "apps": the tasks of app1 are tasks.apps_app1.
        self.assertEqual(discovery["names"], ["tasks.apps_app1"])
        self.assertEqual(str(discovery["port"]), apps["services"]["app1"]["deploy"]["labels"]["com.df.port"])
        # Prometheus must share a network with app1 to reach its tasks.
        self.assertTrue(set(monitoring["services"]["prometheus"]["networks"]) &
                        set(apps["services"]["app1"]["networks"]))


class KibanaSavedObjectsTest(unittest.TestCase):
    def test_ndjson_is_generated_and_every_reference_resolves(self):
        generator = os.path.join(DEPLOY, "kibana", "saved_objects.py")
        self.assertEqual(subprocess.run([sys.executable, generator, "--check"]).returncode, 0)
        with open(os.path.join(DEPLOY, "kibana", "cppapp.ndjson")) as ndjson:
            objects = [json.loads(line) for line in ndjson]
        ids = {(o["type"], o["id"]) for o in objects}
        for obj in objects:
            for ref in obj["references"]:
                self.assertIn((ref["type"], ref["id"]), ids, obj["id"])
        dashboard = next(o for o in objects if o["type"] == "dashboard")
        panels = json.loads(dashboard["attributes"]["panelsJSON"])
        self.assertEqual(len(panels), 4)
        self.assertEqual({p["panelRefName"] for p in panels}, {r["name"] for r in dashboard["references"]})
        index_pattern = next(o for o in objects if o["type"] == "index-pattern")
        self.assertEqual(index_pattern["attributes"]["title"], "cppapp-*")  # the pipeline's index
        with open(os.path.join(DEPLOY, "logstash", "pipeline.conf")) as pipeline:
            self.assertIn('index => "cppapp-%{+YYYY.MM.dd}"', pipeline.read())

    def test_visualizations_use_fields_cppapp_sends(self):
        # Field names from README's Logging section; strings are aggregated on their .keyword.
        sent = {"@timestamp", "http.response.status_code", "event.duration", "log.level", "service.node.name",
                "event.dataset"}
        with open(os.path.join(DEPLOY, "kibana", "cppapp.ndjson")) as ndjson:
            for line in ndjson:
                obj = json.loads(line)
                if obj["type"] != "visualization":
                    continue
                for agg in json.loads(obj["attributes"]["visState"])["aggs"]:
                    field = agg["params"].get("field")
                    if field:
                        self.assertIn(field.removesuffix(".keyword"), sent, obj["id"])


if __name__ == "__main__":
    unittest.main()
