"""The JSON API against its contract, docs/openapi.yaml (run by tests/api/run with the pinned
tools of requirements.txt):

  - the document is valid OpenAPI 3.1, docs/openapi.json is exactly its JSON, and the running
    service serves that at <mount>/api/openapi.json;
  - real answers, good and bad (list, create, get, 404, 400, 413, 415, 422, 429), each have a
    status the document lists for the operation, its media type, and a body its schema accepts;
  - schemathesis generates requests from the document against a live server, with every check
    it has, and finds no failure.
"""

import json
import os
import subprocess
import sys
import unittest

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from harness import Server  # noqa: E402

with open(os.path.join(REPO, "docs", "openapi.yaml")) as source:
    DOCUMENT = yaml.safe_load(source)


def schema_for(path, method, status, media="application/json"):
    """The JSON schema of `status`'s body for the operation, refs resolved against the document."""
    responses = DOCUMENT["paths"][path][method]["responses"]
    if str(status) not in responses:
        raise AssertionError("%s %s: status %s is not in the document (it lists %s)"
                             % (method.upper(), path, status, sorted(responses)))
    response = responses[str(status)]
    if "$ref" in response:
        response = DOCUMENT["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"][media]["schema"]
    return dict(schema, components=DOCUMENT["components"])


class ContractTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A tight write rate, so that 429 is met within a few requests.
        cls.server = Server(env={"WRITE_RATE": "5/min", "WRITE_BURST": "3", "BODY_LIMIT": "1kb"}).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def answer(self, method, target, body=None, headers=None):
        response = self.server.request(method, target, body=body, headers=headers or {})
        return response

    def check(self, response, path, method):
        """The answer's status is documented for the operation and its body fits the schema."""
        content_type = response.header("Content-Type") or ""
        self.assertTrue(content_type.startswith("application/json"), (path, response.status, content_type))
        body = json.loads(response.body)
        jsonschema.Draft202012Validator(schema_for(path, method, response.status)).validate(body)
        return body

    def test_the_document_is_valid_and_served_as_committed(self):
        from openapi_spec_validator import validate  # installed with schemathesis
        validate(DOCUMENT)
        with open(os.path.join(REPO, "docs", "openapi.json")) as committed:
            self.assertEqual(json.load(committed), DOCUMENT,
                             "docs/openapi.json is stale: run scripts/openapi-json")
        response = self.answer("GET", "/app1/api/openapi.json")
        self.assertEqual(response.status, 200)
        self.assertEqual(json.loads(response.body), DOCUMENT)

    def test_real_answers_fit_the_document(self):
        entries, entry = "/api/entries", "/api/entries/{id}"
        created = self.check(self.answer("POST", "/app1/api/entries", b'{"name":"Ada","message":"Hello"}',
                                         {"Content-Type": "application/json"}), entries, "post")
        self.assertEqual(self.answer("GET", "/app1/api/entries/" + created["id"]).status, 200)
        cases = [
            ("GET", "/app1/api/entries", None, {}, entries, "get", 200),
            ("GET", "/app1/api/entries?limit=1", None, {}, entries, "get", 200),
            ("GET", "/app1/api/entries?limit=0&before=x", None, {}, entries, "get", 400),
            ("GET", "/app1/api/entries/" + created["id"], None, {}, entry, "get", 200),
            ("GET", "/app1/api/entries/ffffffffffffffffffffffff", None, {}, entry, "get", 404),
            ("GET", "/app1/api/entries/not-an-id", None, {}, entry, "get", 404),
            ("POST", "/app1/api/entries", b'{"name":', {"Content-Type": "application/json"}, entries, "post", 400),
            ("POST", "/app1/api/entries", b"x" * 2048, {"Content-Type": "application/json"}, entries, "post", 413),
            ("POST", "/app1/api/entries", b"name=a", {"Content-Type": "text/plain"}, entries, "post", 415),
            ("POST", "/app1/api/entries", b'{"name":"","message":{"$gt":""}}',
             {"Content-Type": "application/json"}, entries, "post", 422),
            ("POST", "/app1/api/entries", b'{"name":"\\u200b","message":"hi"}',
             {"Content-Type": "application/json"}, entries, "post", 422),
        ]
        for method, target, body, headers, path, operation, status in cases:
            with self.subTest(method=method, target=target, body=(body or b"")[:60], status=status):
                response = self.answer(method, target, body, headers)
                self.assertEqual(response.status, status, response.body)
                body_json = self.check(response, path, operation)
                if status == 422:
                    self.assertTrue(body_json["error"]["fields"], body_json)
        # Writes beyond the burst: 429 with Retry-After, as documented.
        statuses = []
        for _ in range(6):
            response = self.answer("POST", "/app1/api/entries", b'{"name":"Ada","message":"again"}',
                                   {"Content-Type": "application/json"})
            statuses.append(response.status)
            self.check(response, entries, "post")
            if response.status == 429:
                self.assertGreaterEqual(int(response.header("Retry-After")), 1)
                break
        self.assertEqual(statuses[-1], 429, statuses)


class SchemathesisTest(unittest.TestCase):
    def test_schemathesis_finds_no_failure(self):
        # Writes are rate-limited per client; the fuzzer is one client sending many: lift the limit
        # so that it explores the answers behind it rather than a wall of 429s (documented anyway).
        with Server(env={"WRITE_RATE": "off"}) as server:
            base = "http://127.0.0.1:%d/app1" % server.port
            result = subprocess.run(
                [os.environ.get("SCHEMATHESIS", "schemathesis"), "run", base + "/api/openapi.json",
                 "--base-url", base, "--checks", "all", "--hypothesis-max-examples", "60",
                 "--hypothesis-seed", "20261207", "--hypothesis-derandomize", "--workers", "2",
                 "--request-timeout", "10000", "--no-color", "--experimental=openapi-3.1"],
                capture_output=True, text=True, timeout=600,
                env=dict(os.environ, SCHEMATHESIS_TELEMETRY="false"))
            print(result.stdout[-3000:], flush=True)
            self.assertEqual(result.returncode, 0, result.stdout[-6000:] + result.stderr[-2000:])


if __name__ == "__main__":
    unittest.main()
