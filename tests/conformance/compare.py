#!/usr/bin/env python3
"""Compares cppapp's engines with the originals' recorded outputs (expected/*.json).

  compare.py EXPECTED_DIR [templates|minify|urlencoded ...]

Runs `cppapp render`, `cppapp minify` and `cppapp urlencoded` (CPPAPP_BIN) on every corpus case
and prints one line per failure, then "N passed, N failed" for the groups run. Cases listed in
known_failures.json (engine bugs reported to the owner) are reported separately and not counted
as failures; cases in intended_differences.json (minify only) must instead pass dom_check.js.
"""

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("CPPAPP_BIN", os.path.join(HERE, "..", "..", "build", "debug", "cppapp"))
VIEWS = os.path.join(HERE, "templates", "views")
WORKERS = max(2, os.cpu_count() or 2)
# "file:line:column: message", the last line cppapp prints for a template error.
CPPAPP_TEMPLATE_ERROR = re.compile(r"^(.*?):(\d+):(\d+): (.*)$")
# nunjucks nests "(file) [Line l, Column c]" headers; the innermost names where the error is.
NUNJUCKS_HEADER = re.compile(
    r"(?:^|Template render error: )\(([^()\n]*)\)(?: \[Line (\d+), Column (\d+)\])?", re.M)


def load_json(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def run(args, stdin=b""):
    done = subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=60)
    return done.returncode, done.stdout, done.stderr.decode("utf-8", "replace")


# --- templates ---------------------------------------------------------------------------------

def template_inputs(case_id):
    """(template name, context) for an id written by lib/corpus.js."""
    if case_id.startswith("direct/"):
        index = int(case_id[len("direct/"):].split(":", 1)[0])
        entry = load_json(os.path.join(HERE, "templates", "direct.json"))[index]
        return entry["template"], entry["context"]
    stem = os.path.basename(case_id)[: -len(".html")]
    context = load_json(os.path.join(HERE, "templates", "contexts", "cases__" + stem + ".json"), {})
    return case_id, context


def check_template(case_id, expected):
    template, context = template_inputs(case_id)
    code, out, err = run(["render", template, "--views", VIEWS, "--context", json.dumps(context)])
    if "output" in expected:
        if code != 0:
            return "nunjucks renders it, cppapp fails: " + err.strip()[-300:]
        if out.decode("utf-8", "replace") != expected["output"]:
            return "output differs:\n    nunjucks: %r\n    cppapp:   %r" % (
                expected["output"][:400], out.decode("utf-8", "replace")[:400])
        return None
    if code != 1:
        return "nunjucks rejects it (%s), cppapp exit %d: %r" % (
            expected["error"].strip()[-200:], code, out[:200])
    last = err.strip().splitlines()[-1] if err.strip() else ""
    ours = CPPAPP_TEMPLATE_ERROR.match(last)
    if not ours:
        return "cppapp's error has no file:line:column: %r" % last
    headers = NUNJUCKS_HEADER.findall(expected["error"])
    if headers:
        file, line, column = headers[-1]
        if file != ours.group(1) and not file.endswith("/" + ours.group(1)):
            return "error in %s by nunjucks, in %s by cppapp (%s)" % (file, ours.group(1), last)
        if line and (int(line), int(column)) != (int(ours.group(2)), int(ours.group(3))):
            return "nunjucks reports line %s column %s, cppapp %s" % (line, column, last)
    return None


# --- minifier ----------------------------------------------------------------------------------

def check_minify(case_id, expected):
    with open(os.path.join(HERE, "minify", "documents", case_id), "rb") as f:
        html = f.read()
    code, out, err = run(["minify"], html)
    if code != 0:
        return "cppapp minify exit %d: %s" % (code, err.strip()[-300:])
    ours = out.decode("utf-8", "replace")
    if "error" in expected:
        return "html-minifier throws (%s); cppapp returns %d bytes" % (expected["error"], len(out))
    if ours != expected["output"]:
        return _first_difference(expected["output"], ours)
    return None


def _first_difference(theirs, ours):
    at = next((i for i, (a, b) in enumerate(zip(theirs, ours)) if a != b), min(len(theirs), len(ours)))
    return "output differs at %d:\n    html-minifier: %r\n    cppapp:        %r" % (
        at, theirs[max(0, at - 60): at + 100], ours[max(0, at - 60): at + 100])


def minified_by_cppapp(case_id):
    with open(os.path.join(HERE, "minify", "documents", case_id), "rb") as f:
        return run(["minify"], f.read())[1].decode("utf-8", "replace")


# --- urlencoded --------------------------------------------------------------------------------

def check_urlencoded(case_id, expected):
    case = load_json(os.path.join(HERE, "urlencoded", "cases.json"))[int(case_id)]
    import base64
    body = base64.b64decode(case["body_base64"]) if "body_base64" in case else case["body"].encode()
    args = ["urlencoded"]
    if case.get("depth") is not None:
        args += ["--depth", str(case["depth"])]
    if case.get("parameterLimit") is not None:
        args += ["--parameter-limit", str(case["parameterLimit"])]
    code, out, err = run(args, body)
    shown = body[:80]
    if "json" in expected:
        if code != 0:
            return "%r: qs parses it, cppapp fails: %s" % (shown, err.strip())
        # Compare values and key order (JSON.stringify's order is what Express code iterates).
        theirs = json.loads(expected["json"], object_pairs_hook=list)
        mine = json.loads(out, object_pairs_hook=list)
        if theirs != mine:
            return "%r:\n    qs:     %s\n    cppapp: %s" % (shown, expected["json"][:300], out.decode()[:300].strip())
        return None
    if code != 1:
        return "%r: body-parser fails %s %s, cppapp exit %d: %r" % (
            shown, expected["status"], expected["message"], code, out[:200])
    status = err.strip().split(" ", 1)[0]
    if status != str(expected["status"]):
        return "%r: body-parser status %s, cppapp %s" % (shown, expected["status"], err.strip())
    return None


GROUPS = {
    "templates": ("templates.json", check_template),
    "minify": ("minify.json", check_minify),
    "urlencoded": ("urlencoded.json", check_urlencoded),
}


def dom_check(pairs):
    """Asks dom_check.js whether each (original, html-minifier's, cppapp's) pair parses to the
    same DOM once inline scripts are normalised; returns {id: problem or None}."""
    node = shutil.which("node")
    if not node or not pairs:
        return {case_id: None for case_id in pairs}
    done = subprocess.run([node, os.path.join(HERE, "dom_check.js")], input=json.dumps(pairs).encode(),
                          capture_output=True, timeout=120)
    if done.returncode != 0:
        return {case_id: "dom_check.js failed: " + done.stderr.decode()[-300:] for case_id in pairs}
    return json.loads(done.stdout)


def main():
    expected_dir = sys.argv[1]
    groups = sys.argv[2:] or list(GROUPS)
    known = load_json(os.path.join(HERE, "known_failures.json"), {})
    intended = load_json(os.path.join(HERE, "intended_differences.json"), {})
    passed = failed = 0
    for group in groups:
        file, check = GROUPS[group]
        expected = load_json(os.path.join(expected_dir, file))
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            results = dict(zip(expected, pool.map(lambda item: check(*item), expected.items())))
        group_known = known.get(group, {})
        group_intended = intended.get(group, {})
        dom_pairs = {}
        for case_id, problem in results.items():
            if problem and case_id in group_intended and "output" in expected[case_id]:
                dom_pairs[case_id] = [expected[case_id]["output"], minified_by_cppapp(case_id)]
        dom_problems = dom_check(dom_pairs)
        group_passed = group_failed = group_known_count = group_intended_count = 0
        for case_id, problem in results.items():
            label = "%s %s" % (group, case_id)
            if problem is None:
                group_passed += 1
                if case_id in group_known or case_id in group_intended:
                    print("NOTE  %s now matches: remove it from %s" % (
                        label, "known_failures.json" if case_id in group_known else "intended_differences.json"))
            elif case_id in group_intended and case_id in dom_pairs and dom_problems.get(case_id) is None:
                group_passed += 1
                group_intended_count += 1
            elif case_id in group_intended and case_id in dom_pairs:
                group_failed += 1
                print("FAIL  %s: intended difference, but the DOMs differ: %s" % (label, dom_problems[case_id]))
            elif case_id in group_known:
                group_known_count += 1
                print("KNOWN %s (%s)" % (label, group_known[case_id]))
            else:
                group_failed += 1
                print("FAIL  %s: %s" % (label, problem))
        print("# %s: %d cases, %d match (%d of them intended differences with the same DOM), "
              "%d known engine bugs, %d failed" % (group, len(results), group_passed, group_intended_count,
                                                   group_known_count, group_failed))
        passed += group_passed
        failed += group_failed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
