"""Health probes through nginx: liveness answers while the process serves; readiness needs a
database that takes a write, the current schema and a working worker, and says which failed."""
import subprocess
import time

import pytest

from stack import Stack


def ready_within(stack, seconds=10):
    """Polls readiness as an orchestrator does, until 200 or the deadline; the last answer."""
    deadline = time.time() + seconds
    while True:
        status, _, body = stack.json("GET", "/api/health/ready")
        if status == 200 or time.time() > deadline:
            return status, body
        time.sleep(0.1)


def test_ready_with_a_worker_and_live_always(stack):
    status, _, body = stack.json("GET", "/api/health/live")
    assert status == 200 and body == {"status": "live"}
    status, body = ready_within(stack)
    assert status == 200, body
    assert body == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "worker": "ok"}}
    assert stack.request("POST", "/api/health/ready")[0] == 405


def test_not_ready_without_a_worker():
    own = Stack(workers=0).start()
    try:
        status, _, body = own.json("GET", "/api/health/ready")
        assert status == 503 and body["status"] == "not ready", body
        assert body["checks"]["worker"] == "no heartbeat" and body["checks"]["database"] == "ok"
        assert own.json("GET", "/api/health/live")[0] == 200
    finally:
        own.stop()


def test_a_database_that_refuses_writes_is_not_ready_though_reads_work(postgres):
    url = postgres.new_database()
    name = url.rsplit("/", 1)[1]
    own = Stack(database_url=url).start()
    try:
        assert ready_within(own)[0] == 200
        # Every new session of that database is read-only, as after a failover to a replica.
        subprocess.run(["psql", "-q", postgres.url, "-c", f"ALTER DATABASE {name} SET default_transaction_read_only = on"], check=True,
                       capture_output=True)
        own.kill9(own.responder)
        own.start_responder()
        status, _, body = own.json("GET", "/api/health/ready")
        assert status == 503 and body["checks"]["database"] == "cannot write", body
        status, _, detail = own.json("GET", "/api/health")
        assert detail["database"] == "ok", "the detailed check only reads, which is why readiness writes"
        assert own.json("GET", "/api/health/live")[0] == 200
    finally:
        subprocess.run(["psql", "-q", postgres.url, "-c", f"ALTER DATABASE {name} SET default_transaction_read_only = off"], check=False,
                       capture_output=True)
        own.stop()
