"""Attacks and bad days, as a regression suite: a sign-in flood from rotating addresses, parallel
password guessing, an idempotency key reused for another application, oversized Unicode, a write
lock held by another process, stalled FastCGI connections, a deleted socket file, FastCGI over TCP
from another address, and database files others could read. (JWT attacks, malformed and
oversized bodies, traversal and other users' jobs are in test_api.py and test_deploy.py.)"""
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from stack import BIN, PASSWORD, ROOT, Stack, applicant, free_port

FLOOD = os.path.join(ROOT, "bench", "signin_flood.py")


@pytest.fixture(scope="module")
def default_stack():
    """A stack with the default sign-in budget (the shared one is generous for the fuzzers)."""
    running = Stack().start()
    yield running
    running.stop()


def post_form(stack, fields, source=None):
    """A sign-in from `source` (a loopback address), with http.client so the address can be chosen."""
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30, source_address=(source, 0) if source else None)
    body = urllib.parse.urlencode(fields)
    connection.request("POST", "/api/token", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


# -- 1. a sign-in flood does not stop scoring -------------------------------------------------

def test_sign_in_flood_from_rotating_addresses_leaves_signed_in_users_served(default_stack):
    stack = default_stack
    token = stack.token("alice")
    _, _, job = stack.json("POST", "/api/predictions", applicant(), token=token)
    flood = subprocess.Popen([sys.executable, FLOOD, "127.0.0.1", str(stack.port), "/api/token", "6", "200"],
                             stdout=subprocess.PIPE, text=True)
    time.sleep(1)  # the flood is under way
    polls, submissions = [], []
    signed_in_after = None
    started = time.perf_counter()
    while flood.poll() is None and time.perf_counter() - started < 4:
        (status, _, _), seconds = timed(lambda: stack.json("GET", f"/api/predictions/{job['id']}", token=token))
        assert status == 200
        polls.append(seconds)
        (status, _, body), seconds = timed(lambda: stack.json("POST", "/api/predictions", applicant(), token=token))
        assert status == 202, body
        submissions.append(seconds)
        if signed_in_after is None:
            status, headers, _ = post_form(stack, {"username": "bob", "password": PASSWORD}, source="127.0.0.9")
            if status == 200:
                signed_in_after = time.perf_counter() - started
            else:
                assert status == 503 and int(headers["Retry-After"]) >= 1, status
    report = json.loads(flood.communicate(timeout=60)[0])
    statuses = report["statuses"]
    assert set(statuses) <= {"400", "503", "429"}, statuses
    # Unknown names are hashed at one a second (two at once), whatever the flood's size (requests
    # still in flight when the flood's clock stops account for the last few).
    assert statuses.get("400", 0) <= 2 + 1 * report["seconds"] + 3, statuses
    assert report["requests"] > 200, report
    print(f"\nflood {report}; poll p50 {statistics.median(polls) * 1000:.1f} ms, max {max(polls) * 1000:.1f} ms; "
          f"submission max {max(submissions) * 1000:.1f} ms; legitimate sign-in after {signed_in_after} s")
    # Generous bounds (the machine is shared); before admission control they were seconds, then 504s.
    assert max(polls) < 1.0 and max(submissions) < 1.0, (polls, submissions)
    assert signed_in_after is not None and signed_in_after < 3, "a real user signs in during the flood"


def test_sign_in_budget_holds_in_cgi_mode_where_every_request_is_a_new_process(stack, tmp_path):
    """Shared hosting runs the responder as CGI: the budget is kept in the database, not in memory."""
    env = dict(stack.env, CREDIT_DB=str(tmp_path / "cgi.sqlite"), CREDIT_SIGNIN_RATE="4", CREDIT_UNKNOWN_SIGNIN_RATE="1",
               GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD="POST", REQUEST_URI="/api/token",
               CONTENT_TYPE="application/x-www-form-urlencoded", REMOTE_ADDR="192.0.2.1")
    statuses = []
    started = time.time()
    for index in range(12):
        body = f"username=ghost{index}&password=x".encode()
        answer = subprocess.run([os.path.join(BIN, "credit-fcgi")], input=body, capture_output=True,
                                env=dict(env, CONTENT_LENGTH=str(len(body)), REMOTE_ADDR=f"192.0.2.{index + 1}"))
        statuses.append(int(answer.stdout.split(b" ")[1]))
    elapsed = time.time() - started
    hashed = statuses.count(400)
    assert set(statuses) <= {400, 503}, statuses
    assert 2 <= hashed <= 2 + int(elapsed) + 1, (statuses, elapsed)  # two at once, then one a second


# -- 2. parallel guessing never checks more passwords than the limits ------------------------

def test_parallel_wrong_passwords_for_one_user_check_exactly_the_limit(stack):
    stack.cli("user", "add", "target", "--password-stdin", stdin=PASSWORD + "\n")
    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(lambda i: post_form(stack, {"username": "target", "password": f"wrong {i}"}, source=f"127.2.0.{i + 1}"),
                                range(40)))
    statuses = sorted(status for status, _, _ in results)
    assert statuses.count(400) == 5 and statuses.count(429) == 35, statuses
    database = sqlite3.connect(stack.env["CREDIT_DB"], timeout=10)
    assert database.execute("SELECT count(*) FROM login_failures WHERE key = 'user:target'").fetchone()[0] == 5


def test_parallel_guesses_from_one_address_check_exactly_the_limit(stack):
    # nginx lets 21 through at once (2/s, burst 20); the responder hashes exactly 20 of them.
    with ThreadPoolExecutor(60) as pool:
        results = list(pool.map(lambda i: post_form(stack, {"username": f"guess{i}", "password": "x"}, source="127.3.0.1"), range(60)))
    statuses = sorted(status for status, _, _ in results)
    assert statuses.count(400) == 20 and statuses.count(429) == 40, statuses
    database = sqlite3.connect(stack.env["CREDIT_DB"], timeout=10)
    assert database.execute("SELECT count(*) FROM login_failures WHERE key = 'ip:127.3.0.1'").fetchone()[0] == 20


# -- 3. an idempotency key reused for another application ------------------------------------

def test_idempotency_key_reused_with_another_body_is_refused(stack):
    token = stack.token("carol")
    headers = {"Idempotency-Key": "hostile-reuse-1"}
    status, _, first = stack.json("POST", "/api/predictions", applicant(applicant_name="First"), headers, token)
    assert status == 202
    status, reply_headers, again = stack.json("POST", "/api/predictions", applicant(applicant_name="First"), headers, token)
    assert status == 202 and again["id"] == first["id"] and reply_headers["Idempotent-Replayed"] == "true"
    status, _, problem = stack.json("POST", "/api/predictions", applicant(applicant_name="Second"), headers, token)
    assert status == 422 and problem["type"] == "/problems/idempotency-key-reuse", problem


# -- 4. sizes in scalars and bytes ---------------------------------------------------------------

@pytest.mark.parametrize("field", ["applicant_name", "residencial_city", "residencial_zip_3"])
def test_stacked_combining_marks_are_refused(stack, field):
    """One grapheme cluster of 9,001 scalars (54 KB as JSON escapes): under the body limit, over every field's."""
    token = stack.token("carol")
    status, _, problem = stack.json("POST", "/api/predictions", applicant(**{field: "Z" + "\u0301" * 9000}), token=token)
    assert status == 422 and field in problem["errors"], problem


@pytest.mark.parametrize("name", ["Ana\u202eairaM", "Ana\u2028Maria", "Ana\u0085"])
def test_direction_overrides_and_separators_are_refused_in_names(stack, name):
    status, _, problem = stack.json("POST", "/api/predictions", applicant(applicant_name=name), token=stack.token("carol"))
    assert status == 422 and "applicant_name" in problem["errors"], problem


# -- 5. reads stay up while another process holds the write lock -----------------------------

def test_reads_answer_and_writes_fail_fast_while_another_process_holds_the_write_lock(stack):
    """40 clients submit while another process (a backup, an admin's sqlite3) holds the write lock
    for 6 s. Writers wait at most the 2 s busy timeout; once one has failed, further submissions
    are refused at once (503, Retry-After) beyond a few, so reads keep their threads."""
    token = stack.token("bob")
    _, _, job = stack.json("POST", "/api/predictions", applicant(), token=token)
    stack.wait_done(token, job["id"])
    writes, reads = [], []
    stop = threading.Event()
    locked_at = []

    def submit():
        while not stop.is_set():
            began = time.time()
            (status, headers, _), seconds = timed(lambda: stack.request("POST", "/api/predictions", applicant(), token=token))
            if locked_at and began > locked_at[0]:
                writes.append((status, seconds, headers.get("Retry-After"), began - locked_at[0]))

    holder = sqlite3.connect(stack.env["CREDIT_DB"], timeout=10, isolation_level=None)
    try:
        with ThreadPoolExecutor(40) as pool:
            for _ in range(40):
                pool.submit(submit)
            time.sleep(1)  # ordinary load first
            holder.execute("BEGIN IMMEDIATE")
            locked_at.append(time.time())
            while time.time() < locked_at[0] + 6:
                for path in (f"/api/predictions/{job['id']}", "/api/predictions?limit=5", "/api/health"):
                    (status, _, _), seconds = timed(lambda: stack.request("GET", path, token=token))
                    reads.append((path, status, seconds, time.time() - locked_at[0]))
            stop.set()
    finally:
        if locked_at:
            holder.execute("ROLLBACK")
        holder.close()
    assert reads and all(status == 200 for _, status, _, _ in reads), [r for r in reads if r[1] != 200][:5]
    # Before the first writer has given up (2 s), requests queue behind the writers that wait.
    settled = [seconds for _, _, seconds, at in reads if at > 2.5]
    print(f"\nunder a held write lock: {len(reads)} reads, after the first 2.5 s p50 {statistics.median(settled) * 1000:.1f} ms, "
          f"max {max(settled) * 1000:.0f} ms; {len(writes)} submissions")
    assert len(settled) > 20 and max(settled) < 0.5, sorted(settled)[-5:]
    assert all(status == 503 and retry for status, _, retry, _ in writes), [w for w in writes if w[0] != 503][:5]
    slowest_write = max(seconds for _, seconds, _, _ in writes)
    print(f"slowest submission under the lock: {slowest_write * 1000:.0f} ms")
    # The server answers within the 2 s busy timeout plus a 0.25 s probe (2.02 s measured here);
    # the bound leaves room for the test's own 40 threads on a loaded machine.
    assert slowest_write < 3.0, "a submission is answered 503 within the busy timeout"
    assert stack.json("POST", "/api/predictions", applicant(), token=token)[0] == 202, "writes resume once the lock is gone"


# -- 6. socket and process hygiene -------------------------------------------------------------

def fastcgi_health(address):
    answer = subprocess.run(["cgi-fcgi", "-bind", "-connect", address], capture_output=True, timeout=30,
                            env={"REQUEST_METHOD": "GET", "REQUEST_URI": "/api/health", "SERVER_PROTOCOL": "HTTP/1.1", "PATH": "/usr/bin:/bin"})
    return answer.stdout


def own_responder(stack, *arguments):
    return subprocess.Popen([os.path.join(BIN, "credit-fcgi"), *arguments], env=stack.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_path(path, process):
    deadline = time.time() + 10
    while not os.path.exists(path):
        assert time.time() < deadline and process.poll() is None, process.stderr.read() if process.poll() is not None else "no socket"
        time.sleep(0.02)


def test_stalled_fastcgi_connections_are_dropped(stack):
    path = os.path.join(stack.dir, "stall.sock")
    responder = own_responder(stack, "--socket", path, "--threads", "4", "--read-timeout", "1")
    try:
        wait_for_path(path, responder)
        assert oct(os.stat(path).st_mode & 0o777) == "0o660", "only the owner and the web server's group may connect"
        stalled = []
        for _ in range(8):  # twice the threads: each sends half a FastCGI record and waits
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(path)
            connection.sendall(b"\x01\x01\x00\x01\x00\x08")
            stalled.append(connection)
        started = time.time()
        assert b"Status: 200" in fastcgi_health(path)
        assert time.time() - started < 5, "a real request is served once the stalled ones time out"
        for connection in stalled:
            connection.settimeout(5)
            assert connection.recv(100) == b"", "the responder closed the stalled connection"
            connection.close()
    finally:
        responder.terminate()
        responder.wait(10)


def test_responder_exits_when_its_socket_file_is_deleted(stack):
    path = os.path.join(stack.dir, "lost.sock")
    responder = own_responder(stack, "--socket", path)
    wait_for_path(path, responder)
    os.unlink(path)
    try:
        code = responder.wait(timeout=5)
    except subprocess.TimeoutExpired:
        responder.kill()
        raise AssertionError("the responder kept running without its socket")
    assert code != 0 and "deleted or replaced" in responder.stderr.read()


def test_fastcgi_over_tcp_accepts_only_loopback_peers(stack):
    port = free_port()
    responder = own_responder(stack, "--socket", f"127.0.0.1:{port}")
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline
                time.sleep(0.05)
        assert b"Status: 200" in fastcgi_health(f"127.0.0.1:{port}")
        # The same request from another address (a local process that could claim any REMOTE_ADDR).
        request = build_fastcgi_request({"REQUEST_METHOD": "GET", "REQUEST_URI": "/api/health"})
        connection = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0))
        connection.sendall(request)
        try:
            answer = connection.recv(100)
        except ConnectionResetError:
            answer = b""
        assert answer == b"", "a peer other than the web server is closed without an answer"
        connection.close()
    finally:
        responder.terminate()
        responder.wait(10)


def build_fastcgi_request(params):
    def record(kind, content):
        return bytes([1, kind, 0, 1, len(content) >> 8, len(content) & 255, 0, 0]) + content

    def pair(name, value):
        name, value = name.encode(), value.encode()
        return bytes([len(name), len(value)]) + name + value
    body = b"".join(pair(name, value) for name, value in params.items())
    return record(1, b"\x00\x01\x00\x00\x00\x00\x00\x00") + record(4, body) + record(4, b"") + record(5, b"")


# -- 7. files ---------------------------------------------------------------------------------

def test_database_others_can_read_is_refused_at_start(stack, tmp_path):
    database = tmp_path / "open.sqlite"
    shutil.copy(stack.env["CREDIT_DB"], database)
    os.chmod(database, 0o644)
    env = dict(stack.env, CREDIT_DB=str(database), GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD="GET", REQUEST_URI="/api/health")
    result = subprocess.run([os.path.join(BIN, "credit-fcgi")], env=env, capture_output=True, text=True)
    assert result.returncode == 78 and f"chmod 600 {database}" in result.stderr, result.stderr
    os.chmod(database, 0o600)
    result = subprocess.run([os.path.join(BIN, "credit-fcgi")], env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "Status: 200" in result.stdout, result.stderr


def test_files_the_service_creates_are_private(stack):
    for name in ("credit.sqlite", "credit.sqlite-wal", "credit.sqlite-shm", "secret.key"):
        mode = os.stat(os.path.join(stack.dir, name)).st_mode & 0o777
        assert mode == 0o600, f"{name} is {oct(mode)}"
