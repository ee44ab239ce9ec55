"""More than one host, simulated on loopback: PostgreSQL as the shared store, two responders
behind one nginx upstream and two workers, all separate processes connecting to the database
over TCP as they would from other machines."""
import json
import os
import random
import subprocess
import threading
import time
import urllib.error
import uuid

import pytest

from stack import BIN, Stack, applicant


def psql(url, query):
    return subprocess.run(["psql", "-qAtX", url, "-c", query], capture_output=True, text=True, check=True).stdout.strip()


def test_two_processes_migrating_at_once_both_succeed(postgres):
    url = postgres.new_database()
    env = dict(os.environ, CREDIT_DATABASE_URL=url)
    runs = [subprocess.Popen([os.path.join(BIN, "credit"), "db", "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=30) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    for out, _ in outputs:
        assert "at schema version" in out and "postgresql://" in out, out
    assert psql(url, "SELECT count(*) FROM credit_schema") == "1"
    assert psql(url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'jobs'") == "1"


@pytest.fixture(scope="module")
def cluster(postgres):
    url = postgres.new_database()
    # Short leases, so that jobs a killed worker held come back within the test.
    running = Stack(database_url=url, responders=2, workers=2, CREDIT_LEASE_SECONDS="2",
                    CREDIT_SIGNIN_RATE="50", CREDIT_UNKNOWN_SIGNIN_RATE="50").start()
    running.url = url
    yield running
    running.stop()


def test_both_responders_serve_and_a_worker_wakes_on_notify(cluster):
    token = cluster.token()
    started = time.time()
    status, _, body = cluster.json("POST", "/api/predictions", applicant(), token=token)
    assert status == 202, body
    job = cluster.wait_done(token, body["id"], timeout=5)
    assert job["status"] == "done" and job["result"]["decision"] in ("approve", "review", "decline")
    # Woken by NOTIFY, not by the one-second poll (a generous bound for a shared machine).
    assert time.time() - started < 0.9
    # Either responder alone serves every request: nginx skips the one that is down.
    for index in (0, 1):
        cluster.kill9(cluster.responders[index])
        for _ in range(6):
            status, _, body = cluster.json("GET", "/api/predictions?limit=1", token=token)
            assert status == 200, body
        cluster.start_responder(index)
        time.sleep(2.5)  # nginx tries a server it found down again after fail_timeout (1 s, counted in whole seconds)
    workers = psql(cluster.url, "SELECT count(*) FROM heartbeats")
    assert int(workers) >= 2, "both workers beat"


def test_kill_9_storm_on_every_process_loses_no_acknowledged_job(cluster):
    """Clients submit with idempotency keys and retry on any failure; meanwhile the responders
    and workers are killed with SIGKILL at random and restarted. Every acknowledged job ends
    done, once, and no retry made a second job."""
    token = cluster.token()
    acknowledged, errors = {}, []
    lock = threading.Lock()
    stop = threading.Event()

    def client(number):
        sequence = 0
        while not stop.is_set():
            key = f"storm-{number}-{sequence}"
            sequence += 1
            for attempt in range(200):
                try:
                    status, _, body = cluster.json("POST", "/api/predictions", applicant(applicant_name=key),
                                                   headers={"Idempotency-Key": key}, token=token)
                except (urllib.error.URLError, ConnectionError, OSError, json.JSONDecodeError):
                    status, body = None, None
                if status in (200, 202):
                    with lock:
                        acknowledged[key] = body["id"]
                    break
                if status not in (None, 502, 503, 504):
                    errors.append((status, body))
                    return
                time.sleep(0.05)

    seeded = random.Random(20261125)
    clients = [threading.Thread(target=client, args=(number,)) for number in range(6)]
    for thread in clients:
        thread.start()
    kills = {"responder": 0, "worker": 0}
    storm_end = time.time() + 8
    while time.time() < storm_end:
        time.sleep(seeded.uniform(0.2, 0.6))
        kind, index = seeded.choice([("responder", 0), ("responder", 1), ("worker", 0), ("worker", 1)])
        process = (cluster.responders if kind == "responder" else cluster.workers)[index]
        cluster.kill9(process)
        kills[kind] += 1
        (cluster.start_responder if kind == "responder" else cluster.start_worker)(index)
    stop.set()
    for thread in clients:
        thread.join(60)
    assert not errors, errors[:3]
    assert kills["responder"] >= 3 and kills["worker"] >= 3, kills
    assert len(acknowledged) >= 100, f"only {len(acknowledged)} submissions were acknowledged"

    ids = set(acknowledged.values())
    assert len(ids) == len(acknowledged), "each key has its own job"
    deadline = time.time() + 60
    while time.time() < deadline:
        pending = int(psql(cluster.url, "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')"))
        if pending == 0:
            break
        time.sleep(0.2)
    rows = psql(cluster.url, "SELECT j.id, j.status, j.idempotency_key, r.result IS NOT NULL FROM jobs j LEFT JOIN job_results r ON r.seq = j.seq "
                             "WHERE j.idempotency_key LIKE 'storm-%'").splitlines()
    stored = {fields[2]: fields for fields in (row.split("|") for row in rows)}
    # No acknowledged job is missing or unfinished; a retried key never made a second job.
    assert len(rows) == len(stored)
    missing = [key for key in acknowledged if key not in stored]
    assert not missing, missing[:5]
    unfinished = [fields for key, fields in stored.items() if key in acknowledged and (fields[1] != "done" or fields[3] != "t")]
    assert not unfinished, unfinished[:5]
    for key, job_id in acknowledged.items():
        assert stored[key][0] == job_id
    # Scored once: one result per job, and the API shows it.
    assert psql(cluster.url, "SELECT count(*) FROM job_results r JOIN jobs j ON j.seq = r.seq WHERE j.idempotency_key LIKE 'storm-%'") == str(len(rows))
    sample = random.Random(7).sample(sorted(acknowledged.items()), 10)
    for key, job_id in sample:
        status, _, body = cluster.json("GET", f"/api/predictions/{job_id}", token=token)
        assert status == 200 and body["status"] == "done", body
        assert body["application"]["applicant_name"] == key
