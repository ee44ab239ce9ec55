"""Acknowledged jobs survive kill -9 of the worker and of the responder; cron-style draining;
the worker's signals; CGI and spawn-fcgi modes."""
import os
import queue
import signal
import sqlite3
import subprocess
import threading
import time

from stack import BIN, PASSWORD, applicant


def _submit_many(stack, token, count):
    ids = []
    for index in range(count):
        status, _, body = stack.json("POST", "/api/predictions", applicant(applicant_name=f"bulk {index}"), token=token)
        assert status == 202, body
        ids.append(body["id"])
    return ids


def _wait_all_done(stack, token, ids, timeout=60):
    deadline = time.time() + timeout
    pending = set(ids)
    while pending and time.time() < deadline:
        for job_id in list(pending):
            status, _, body = stack.json("GET", f"/api/predictions/{job_id}", token=token)
            assert status == 200, (job_id, body)
            if body["status"] == "done":
                assert body["result"]["probability_of_default"] > 0
                pending.discard(job_id)
            else:
                assert body["status"] in ("queued", "running"), body
        time.sleep(0.05)
    assert not pending, f"{len(pending)} acknowledged jobs never finished"


def test_kill_9_worker_mid_batch(stack):
    token = stack.token()
    stack.kill9(stack.worker)
    ids = _submit_many(stack, token, 600)
    database = sqlite3.connect(stack.env["CREDIT_DB"], timeout=10)
    stack.start_worker()
    # Kill the worker while it holds claimed, unfinished jobs.
    deadline = time.time() + 10
    while time.time() < deadline:
        running = database.execute("SELECT count(*) FROM jobs WHERE status = 'running'").fetchone()[0]
        if running:
            stack.kill9(stack.worker)
            break
    else:
        raise AssertionError("never saw the worker holding jobs")
    stuck = database.execute("SELECT count(*) FROM jobs WHERE status = 'running'").fetchone()[0]
    assert stuck > 0, "the kill left claimed jobs behind"
    stack.start_worker()
    _wait_all_done(stack, token, ids)
    retried = database.execute(
        "SELECT count(*) FROM jobs WHERE id IN (%s) AND attempts = 2" % ",".join("?" * len(ids)), ids).fetchone()[0]
    assert retried > 0, "jobs of the killed batch were claimed again"
    done = database.execute(
        "SELECT count(*) FROM jobs JOIN job_results USING (seq) WHERE id IN (%s) AND status = 'done' AND result IS NOT NULL"
        % ",".join("?" * len(ids)), ids).fetchone()[0]
    assert done == len(ids)


def test_kill_9_responder_under_load(stack):
    token = stack.token("bob")
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()

    def client():
        while not stop.is_set():
            try:
                status, _, body = stack.json("POST", "/api/predictions", applicant(), token=token)
            except OSError:
                continue
            if status == 202:
                with lock:
                    acknowledged.append(body["id"])

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.7)
    stack.kill9(stack.responder)
    time.sleep(0.3)
    stack.start_responder()
    time.sleep(0.7)
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged) > 50
    _wait_all_done(stack, token, acknowledged)
    database = sqlite3.connect(stack.env["CREDIT_DB"], timeout=10)
    stored = {row[0] for row in database.execute("SELECT id FROM jobs WHERE status = 'done'")}
    assert set(acknowledged) <= stored


def test_drain_mode_for_cron(stack):
    token = stack.token("carol")
    stack.worker.terminate()
    stack.worker.wait()
    ids = _submit_many(stack, token, 5)
    drained = subprocess.run([os.path.join(BIN, "credit-worker"), "--drain"], env=stack.env, capture_output=True, text=True, timeout=30)
    assert drained.returncode == 0, drained.stderr
    for job_id in ids:
        assert stack.json("GET", f"/api/predictions/{job_id}", token=token)[2]["status"] == "done"
    stack.start_worker()


class _Lines:
    """The lines a process writes to standard error, collected by a thread of their own, so that
    a wait for a line is never fooled by a line already read into a buffer."""

    def __init__(self, process):
        self.lines, self.seen = queue.Queue(), []
        threading.Thread(target=lambda: [self.lines.put(line) for line in process.stderr], daemon=True).start()

    def until(self, text, seconds=10):
        """Waits for a line that contains `text`."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                break
            self.seen.append(line)
            if text in line:
                return
        raise AssertionError(f"no line with {text!r} within {seconds} s; got {self.seen}")


def test_worker_reloads_on_sighup_and_stops_on_sigterm(stack):
    """Signals reach the worker through its self-pipe: SIGHUP reloads the model and says so,
    SIGTERM ends the loop at once with a clean exit and a closing line."""
    # A wake-up socket of its own: the stack's worker keeps its socket (a worker binds its path afresh).
    env = dict(stack.env, CREDIT_WAKE_SOCKET=os.path.join(stack.dir, "signals.wake"))
    worker = subprocess.Popen([os.path.join(BIN, "credit-worker"), "--name", "signals"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = _Lines(worker)
        lines.until("serving with model")  # the handlers are installed before this line
        worker.send_signal(signal.SIGHUP)
        lines.until("SIGHUP: reloading the model")
        assert worker.poll() is None, "SIGHUP must not end the worker"
        started = time.perf_counter()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=5) == 0
        assert time.perf_counter() - started < 2.5, "an idle worker stops within its one-second wait"
        lines.until("stopped after scoring", seconds=2)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def _cgi(stack, method, uri, body=b"", content_type=None, extra_args=()):
    env = dict(stack.env, GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD=method, REQUEST_URI=uri, REMOTE_ADDR="127.0.0.9",
               CONTENT_LENGTH=str(len(body)), SERVER_PROTOCOL="HTTP/1.1")
    if content_type:
        env["CONTENT_TYPE"] = content_type
    started = time.perf_counter()
    result = subprocess.run([os.path.join(BIN, "credit-fcgi"), *extra_args], env=env, input=body, capture_output=True, timeout=10)
    return result, time.perf_counter() - started


def test_cgi_mode_answers_one_request(stack):
    result, _ = _cgi(stack, "GET", "/api/health", extra_args=("word1", "word2"))
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"Status: 200"), head
    assert b'"database":"ok"' in body
    form = f"username=alice&password={PASSWORD.replace(' ', '+')}".encode()
    result, _ = _cgi(stack, "POST", "/api/token", form, "application/x-www-form-urlencoded")
    assert result.stdout.startswith(b"Status: 200"), result.stdout[:200]
    assert b"access_token" in result.stdout


def test_inherited_socket_from_spawn_fcgi(stack):
    socket_path = os.path.join(stack.dir, "spawned.sock")
    spawned = subprocess.run(["spawn-fcgi", "-s", socket_path, "-M", "0600", "--", os.path.join(BIN, "credit-fcgi")],
                             env=stack.env, capture_output=True, text=True, timeout=10)
    assert spawned.returncode == 0, spawned.stderr
    pid = int(spawned.stdout.strip().split()[-1]) if spawned.stdout.strip() else None
    try:
        env = dict(os.environ, REQUEST_METHOD="GET", REQUEST_URI="/api/schema", SCRIPT_NAME="/api/schema", CONTENT_LENGTH="0")
        deadline = time.time() + 5
        while True:
            answer = subprocess.run(["cgi-fcgi", "-bind", "-connect", socket_path], env=env, capture_output=True, timeout=10)
            if answer.stdout.startswith(b"Status: 200") or time.time() > deadline:
                break
            time.sleep(0.1)
        assert answer.stdout.startswith(b"Status: 200"), answer.stdout[:200]
        assert b'"fields"' in answer.stdout
    finally:
        if pid:
            os.kill(pid, 15)
