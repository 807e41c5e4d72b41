"""Finds what `docker stack config` lets through but `docker stack deploy` or the running swarm
would trip on, in the stack files under deploy/:

  - a network, volume, secret or config a service uses but the file does not define;
  - a config or secret file that does not exist;
  - a long-running service without a health check (one-shot jobs, restart_policy on-failure or
    none, are exempt), or with its health check disabled;
  - routing labels that cannot work: com.df.* or traefik.* as container labels (the listener
    and Traefik read service labels, deploy.labels), com.df.notify without com.df.servicePath
    and com.df.port, traefik.enable without a router rule and a server port, a routed service
    not on the proxy's network `main`;
  - an X_FILE=/run/secrets/NAME setting with no secret mounted at NAME;
  - a stop_grace_period not longer than the service's SHUTDOWN_GRACE (Swarm would SIGKILL a
    drain it promised to let finish).

    python3 tests/deploy/check_stacks.py deploy/*.yml     one line per problem; exit 1 if any
"""

import os
import re
import sys

import yaml

ONE_SHOT = {"on-failure", "none"}
PROXY_NETWORK = "main"


def seconds(duration):
    """Compose durations (1m30s, 15s, 500ms) in seconds; cppapp's (10s, 2m, 500ms) too."""
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)", str(duration)):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    return total


def as_mapping(value):
    """Compose allows lists of KEY=VALUE where it allows mappings (environment, labels)."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    result = {}
    for item in value or []:
        key, _, val = str(item).partition("=")
        result[key] = val
    return result


def names(value):
    """A service's networks/secrets/configs: a list of names or of {source: …}, or a mapping."""
    if isinstance(value, dict):
        return list(value)
    return [item["source"] if isinstance(item, dict) else item for item in value or []]


def volume_sources(service):
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                yield volume["source"]
        else:
            source = str(volume).split(":")[0]
            if ":" in str(volume) and not source.startswith(("/", ".", "~", "$")):
                yield source


def check_service(name, service, stack, base_dir):
    problems = []
    where = "service %s" % name
    defined = {kind: set((stack.get(kind) or {}).keys()) for kind in ("networks", "volumes", "secrets", "configs")}
    if not service.get("image"):
        problems.append("%s: no image" % where)
    for network in names(service.get("networks")):
        if network not in defined["networks"] and network != "default":
            problems.append("%s: network %s is not defined" % (where, network))
    for volume in volume_sources(service):
        if volume not in defined["volumes"]:
            problems.append("%s: volume %s is not defined" % (where, volume))
    for kind in ("secrets", "configs"):
        for item in names(service.get(kind)):
            if item not in defined[kind]:
                problems.append("%s: %s %s is not defined" % (where, kind[:-1], item))

    deploy = service.get("deploy") or {}
    restart = (deploy.get("restart_policy") or {}).get("condition", "any")
    health = service.get("healthcheck")
    if restart not in ONE_SHOT:
        if not health or not health.get("test"):
            problems.append("%s: no health check" % where)
        elif health.get("disable") or health.get("test") in (["NONE"], "NONE"):
            problems.append("%s: health check disabled" % where)

    container_labels = as_mapping(service.get("labels"))
    for label in container_labels:
        if label.startswith(("com.df.", "traefik.")):
            problems.append("%s: %s is a container label; the proxy reads deploy.labels" % (where, label))
    labels = as_mapping(deploy.get("labels"))
    routed = False
    if labels.get("com.df.notify") == "true":
        routed = True
        for required in ("com.df.servicePath", "com.df.port"):
            if not labels.get(required):
                problems.append("%s: com.df.notify without %s" % (where, required))
    if labels.get("traefik.enable") == "true":
        routed = True
        if not any(re.fullmatch(r"traefik\.http\.routers\.[^.]+\.rule", key) for key in labels):
            problems.append("%s: traefik.enable without a router rule" % where)
        if not any(re.fullmatch(r"traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port", key) for key in labels):
            problems.append("%s: traefik.enable without loadbalancer.server.port" % where)
    if routed and PROXY_NETWORK not in names(service.get("networks")):
        problems.append("%s: routed by the proxy but not on network %s" % (where, PROXY_NETWORK))

    environment = as_mapping(service.get("environment"))
    secret_targets = set()
    for item in service.get("secrets") or []:
        if isinstance(item, dict):
            secret_targets.add(item.get("target") or item["source"])
        else:
            secret_targets.add(item)
    for key, value in environment.items():
        match = re.fullmatch(r"/run/secrets/(.+)", value)
        if key.endswith("_FILE") and match and match.group(1) not in secret_targets:
            problems.append("%s: %s=%s but no secret is mounted there" % (where, key, value))
    if "SHUTDOWN_GRACE" in environment:
        grace = seconds(service.get("stop_grace_period", "10s"))
        if grace <= seconds(environment["SHUTDOWN_GRACE"]):
            problems.append("%s: stop_grace_period %ss is not longer than SHUTDOWN_GRACE %s"
                            % (where, grace, environment["SHUTDOWN_GRACE"]))
    return problems


def check_stack(path):
    """Every problem found in one stack file, as human-readable lines."""
    with open(path) as stack_file:
        stack = yaml.safe_load(stack_file)
    base_dir = os.path.dirname(os.path.abspath(path))
    problems = []
    if not isinstance(stack, dict) or not isinstance(stack.get("services"), dict):
        return ["no services"]
    for kind in ("secrets", "configs"):
        for name, definition in (stack.get(kind) or {}).items():
            definition = definition or {}
            if definition.get("file") and not os.path.isfile(os.path.join(base_dir, definition["file"])):
                problems.append("%s %s: file %s does not exist" % (kind[:-1], name, definition["file"]))
            if not definition.get("file") and not definition.get("external"):
                problems.append("%s %s: neither a file nor external" % (kind[:-1], name))
    for name, service in stack["services"].items():
        problems += check_service(name, service or {}, stack, base_dir)
    return problems


def main(paths):
    found = 0
    for path in paths:
        for problem in check_stack(path):
            print("%s: %s" % (path, problem))
            found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
