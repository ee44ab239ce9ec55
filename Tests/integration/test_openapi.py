"""schemathesis drives the whole API from site/openapi.json with a valid token: no 5xx, no
response that breaks the schema, no hang."""
import os
import subprocess
import sys

from stack import PASSWORD, ROOT


def test_openapi_contract_holds(stack):
    # An account of its own: wrong current passwords it sends to /api/account/password count
    # against its sign-in throttle, which must not lock out the users of other tests.
    if "fuzzer" not in stack.tokens:
        stack.cli("user", "add", "fuzzer", "--password-stdin", stdin=PASSWORD + "\n")
    token = stack.token("fuzzer")
    command = [os.path.join(os.path.dirname(sys.executable), "schemathesis"), "run", os.path.join(ROOT, "site", "openapi.json"),
               "--url", stack.base, "--header", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
               "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "60"), "--request-timeout", "5", "--max-response-time", "5",
               "--generation-deterministic", "--no-color"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report


def test_openapi_application_matches_the_served_schema(stack):
    import json
    spec = json.load(open(os.path.join(ROOT, "site", "openapi.json")))
    status, _, schema = stack.json("GET", "/api/schema")
    assert status == 200
    application = spec["components"]["schemas"]["Application"]
    assert set(application["properties"]) == {field["name"] for field in schema["fields"]}
    assert set(application["required"]) == {field["name"] for field in schema["fields"] if field["required"]}
