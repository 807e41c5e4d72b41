"""ctest's engine.setup: a running engine in a single-node swarm (tests/engine/engine up), then
the images the engine tests use, each timed into the report:

  - cppapp:test, the repository's Dockerfile exactly as the README builds it (BuildKit, OCI labels
    from the project version and the git revision);
  - cppapp:test-broken, the same with a setting that stops start-up (THREADS=0): the update that
    must roll back by itself;
  - cppapp-testbed:test, the stand-ins (HAProxy, FerretDB, the log receiver).

Docker's build cache makes a second run on the same machine take seconds.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

from engine_fixture import (ARTIFACTS, BROKEN_IMAGE, DOCKER, HERE, IMAGE, REPO, TESTBED_IMAGE, git_revision, image_size,
                            mib, project_version, report, start_report)


def timed(what, command, **kwargs):
    """Runs `command`, its output going to this test's log as it comes; returns seconds taken."""
    print("== %s: %s" % (what, " ".join(command)), flush=True)
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=sys.stdout, stderr=subprocess.STDOUT, **kwargs)
    return time.monotonic() - started


def build_env():
    return dict(os.environ, DOCKER_BUILDKIT="1")


def main():
    seconds = {}
    seconds["engine up (dockerd, base images, swarm)"] = timed("engine", [os.path.join(HERE, "engine"), "up"])
    start_report()
    revision = git_revision()
    with open(os.path.join(ARTIFACTS, "image-revision"), "w") as recorded:
        recorded.write(revision + "\n")
    seconds["cppapp image build"] = timed(
        "cppapp image", [DOCKER, "build", "--progress=plain", "--build-arg", "VERSION=" + project_version(),
                         "--build-arg", "REVISION=" + revision, "-t", IMAGE, REPO],
        env=build_env())
    seconds["broken image build"] = timed(
        "broken image", [DOCKER, "build", "-t", BROKEN_IMAGE, "-"],
        input=("FROM %s\nENV THREADS=0\n" % IMAGE).encode(), env=build_env())

    ferretdb = subprocess.run([os.path.join(REPO, "scripts", "ferretdb"), "path"], capture_output=True,
                              text=True, check=True).stdout.strip()
    seconds["FerretDB (scripts/ferretdb install)"] = timed("ferretdb", [os.path.join(REPO, "scripts", "ferretdb"),
                                                                        "install"])
    with tempfile.TemporaryDirectory() as context:
        shutil.copy(os.path.join(HERE, "testbed", "Dockerfile"), context)
        shutil.copy(ferretdb, os.path.join(context, "ferretdb"))
        shutil.copy(os.path.join(REPO, "tests", "integration", "log_receiver.py"), context)
        seconds["testbed image build"] = timed("testbed image", [DOCKER, "build", "-t", TESTBED_IMAGE, context],
                                               env=build_env())

    rows = {what: "%.1f s" % s for what, s in seconds.items()}
    rows["cppapp image size"] = mib(image_size(IMAGE))
    rows["testbed image size (tests only)"] = mib(image_size(TESTBED_IMAGE))
    report("Setup", rows)


if __name__ == "__main__":
    main()
