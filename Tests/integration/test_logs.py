"""Structured logs on a stack of its own: one JSON line per request with nginx's request id (also
returned as X-Request-Id), the user, route, status and duration; one line per worker batch; never
a password, a token or an application; and CREDIT_LOG_LEVEL=off silences them."""
import json
import time

import pytest

from stack import PASSWORD, Stack, applicant


def json_lines(stack, name):
    lines = []
    with open(f"{stack.dir}/{name}.log", errors="replace") as file:
        for line in file:
            if line.startswith("{"):
                lines.append(json.loads(line))
    return lines


@pytest.fixture(scope="module")
def logged():
    running = Stack(CREDIT_LOG_LEVEL="info").start()
    yield running
    running.stop()


def test_one_line_per_request_and_per_batch_without_secrets(logged):
    stack = logged
    secret_name = "Segredo Confidencial da Silva"
    before = len([line for line in json_lines(stack, "responder") if line.get("message") == "request"])
    token = stack.token("alice")                                                    # 1
    assert stack.login("alice", "a wrong password!")[0] == 400                      # 2
    status, headers, body = stack.json("POST", "/api/predictions", applicant(applicant_name=secret_name), token=token)  # 3
    assert status == 202
    request_id = headers["X-Request-Id"]
    assert 8 <= len(request_id) <= 64
    stack.wait_done(token, body["id"])                                              # 4 … n (polls)
    status, headers, _ = stack.json("GET", "/api/predictions/not-a-job", token=token)
    assert status == 404
    time.sleep(0.3)  # the worker writes its batch line after recording; lines are complete when read
    lines = [line for line in json_lines(stack, "responder") if line.get("message") == "request"][before:]
    polls = [line for line in lines if line["route"] == "/api/predictions/{id}"]
    assert len(lines) == 3 + len(polls), [(line["route"], line["status"]) for line in lines]
    assert [line["status"] for line in lines[:3]] == [200, 400, 202]
    submission = lines[2]
    assert submission["request_id"] == request_id and submission["method"] == "POST" and submission["route"] == "/api/predictions"
    assert submission["level"] == "info" and submission["label"] == "credit-fcgi" and submission["duration_ms"] >= 0
    assert isinstance(submission["user_id"], int) and "user_id" not in lines[1], "a failed sign-in has no user"
    assert polls[-1]["status"] == 404 and all(line["user_id"] == submission["user_id"] for line in polls)
    assert len({line["request_id"] for line in lines}) == len(lines), "each request its own id"
    batches = [line for line in json_lines(stack, "worker") if line.get("message") == "batch"]
    assert sum(line["jobs"] for line in batches) >= 1 and all(line["model"].startswith("gbdt-") for line in batches)
    everything = open(f"{stack.dir}/responder.log").read() + open(f"{stack.dir}/worker.log").read()
    for secret in (PASSWORD, "a wrong password!", token, secret_name):
        assert secret not in everything, f"{secret[:12]}… is in a log"


def test_log_level_off_writes_no_request_lines():
    quiet = Stack(CREDIT_LOG_LEVEL="off").start()
    try:
        quiet.token("alice")
        assert quiet.json("GET", "/api/health")[0] == 200
        assert json_lines(quiet, "responder") == []
    finally:
        quiet.stop()
