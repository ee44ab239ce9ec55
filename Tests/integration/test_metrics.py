"""`/api/metrics` after a known sequence of requests on a stack of its own: exact counts, the
queue and jobs from the store, the model, who may read it, and `promtool check metrics`."""
import os
import re
import shutil
import subprocess

import pytest

from stack import BIN, PASSWORD, Stack, applicant


def parse(text):
    """Prometheus text into {(name, frozenset(labels)): value} (the test's own parser)."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r'([a-z_:]+)(?:\{(.*)\})? (\S+)', line)
        assert match, line
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        samples[(match.group(1), labels)] = float(match.group(3))
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


@pytest.fixture(scope="module")
def metered():
    running = Stack().start()
    running.cli("user", "add", "metrics_admin", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    yield running
    running.stop()


def test_counts_after_a_known_sequence(metered):
    stack = metered
    token = stack.token("alice")                       # one sign-in
    assert stack.login("alice", "not the password")[0] == 400
    assert stack.login("nobody at all")[0] == 400      # two failures
    ids = []
    for income in (800.0, 1500.0, 3000.0):             # three submissions
        status, _, body = stack.json("POST", "/api/predictions", applicant(personal_monthly_income=income), token=token)
        assert status == 202
        ids.append(body["id"])
    for job_id in ids:
        stack.wait_done(token, job_id)                  # polls: GET /api/predictions/{id}, 200 each
    assert stack.json("POST", "/api/predictions", {"age": "x"}, token=token)[0] == 422
    status, headers, raw = stack.request("GET", "/api/metrics")   # from loopback: no token needed
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4"), raw
    text = raw.decode()
    samples = parse(text)
    assert value(samples, "credit_submissions_total") == 3
    assert value(samples, "credit_http_requests_total", route="/api/predictions", method="POST", status="202") == 3
    assert value(samples, "credit_http_requests_total", route="/api/predictions", method="POST", status="422") == 1
    assert value(samples, "credit_sign_ins_total", outcome="success") == 1
    assert value(samples, "credit_sign_ins_total", outcome="failure") == 2
    assert value(samples, "credit_http_request_duration_seconds_count", route="/api/predictions") == 4
    polls = value(samples, "credit_http_requests_total", route="/api/predictions/{id}", method="GET", status="200")
    assert polls is not None and polls >= 3
    buckets = [v for (name, labels), v in samples.items() if name == "credit_http_request_duration_seconds_bucket" and ("route", "/api/token") in labels]
    assert max(buckets) == 3 and value(samples, "credit_http_request_duration_seconds_bucket", route="/api/token", le="+Inf") == 3
    assert value(samples, "credit_jobs_finished", status="done") == 3
    assert value(samples, "credit_queue_jobs", status="queued") == 0
    assert 0 < value(samples, "credit_job_scoring_seconds") < 5
    champion = [dict(labels)["model"] for (name, labels), v in samples.items() if name == "credit_model_info" and ("role", "champion") in labels]
    assert champion and champion[0].startswith("gbdt-")
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool is not installed (Debian package prometheus; `make test` installs it): the format was checked by the test's parser only")
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_only_loopback_or_an_administrator_reads_metrics(metered):
    stack = metered
    # From another address (as REMOTE_ADDR, which nginx passes): an administrator's token is needed.
    cgi = dict(stack.env, GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD="GET", REQUEST_URI="/api/metrics", REMOTE_ADDR="192.0.2.7")
    answer = subprocess.run([os.path.join(BIN, "credit-fcgi")], capture_output=True, env=cgi)
    assert answer.stdout.startswith(b"Status: 401"), answer.stdout[:200]
    officer = stack.token("alice")
    answer = subprocess.run([os.path.join(BIN, "credit-fcgi")], capture_output=True, env=dict(cgi, HTTP_AUTHORIZATION=f"Bearer {officer}"))
    assert answer.stdout.startswith(b"Status: 403"), answer.stdout[:200]
    admin = stack.token("metrics_admin")
    answer = subprocess.run([os.path.join(BIN, "credit-fcgi")], capture_output=True, env=dict(cgi, HTTP_AUTHORIZATION=f"Bearer {admin}"))
    assert answer.stdout.startswith(b"Status: 200") and b"credit_queue_jobs" in answer.stdout, answer.stdout[:200]
