"""`make run`, the README's first command, as a new user runs it: the whole system on 127.0.0.1
with a demo account whose password is shown once, an application scored end to end, and Ctrl-C
(SIGINT to the terminal's process group) stopping every process it started."""
import http.client
import json
import os
import queue
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
import urllib.parse

from stack import ROOT, applicant, free_port


def _request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _processes_using(directory):
    """Processes whose command line or environment names `directory` (nginx -p, the responder's
    socket, the worker's CREDIT_DB)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as command, open(f"/proc/{pid}/environ", "rb") as environment:
                if directory.encode() in command.read() + environment.read():
                    found.append(int(pid))
        except OSError:
            continue
    return [pid for pid in found if pid != os.getpid()]


def test_make_run_serves_a_demo_account_and_ctrl_c_stops_everything():
    run_dir = tempfile.mkdtemp(prefix="credit-make-run-")
    os.chmod(run_dir, 0o755)  # nginx's workers (www-data when started as root) reach the socket through it
    port = free_port()
    # A new user's shell: no CREDIT_* settings of ours.
    env = {key: value for key, value in os.environ.items() if not key.startswith("CREDIT_")}
    env.update(PORT=str(port), RUN_DIR=os.path.join(run_dir, "run"))
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen, password = [], None
    try:
        deadline = time.time() + 180  # `make run` builds first; in `make test` the build is already there
        while time.time() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                break
            seen.append(line)
            if "created user 'demo' with password: " in line:
                password = line.split("password: ", 1)[1].split()[0]
            if f"credit scoring on http://127.0.0.1:{port}/" in line:
                break
        else:
            raise AssertionError(f"make run did not say it was serving: {seen}")
        assert password, f"the demo account's password is shown once: {seen}"

        status, page = _request(port, "GET", "/")
        assert status == 200 and b"<html" in page.lower()
        form = urllib.parse.urlencode({"username": "demo", "password": password})
        status, body = _request(port, "POST", "/api/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        token = json.loads(body)["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        status, body = _request(port, "POST", "/api/predictions", json.dumps(applicant()), dict(auth, **{"Content-Type": "application/json"}))
        assert status == 202, body
        status_url = json.loads(body)["status_url"]
        result, deadline = None, time.time() + 15
        while time.time() < deadline:
            status, body = _request(port, "GET", status_url, headers=auth)
            assert status == 200, body
            job = json.loads(body)
            if job["status"] == "done":
                result = job["result"]
                break
            time.sleep(0.05)
        assert result is not None, "the worker that make run started scores the application"
        assert 0 < result["probability_of_default"] < 1 and result["decision"] and result["reasons"]

        # What it keeps is private to the account that ran it.
        for name in ("credit.sqlite", "secret.key"):
            mode = stat.S_IMODE(os.stat(os.path.join(run_dir, "run", name)).st_mode)
            assert mode & 0o077 == 0, f"{name} is {oct(mode)}"

        running = _processes_using(run_dir)
        assert len(running) >= 4, f"make, nginx, the responder and the worker are found while they run: {running}"
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=15) is not None
        deadline = time.time() + 10
        while _processes_using(run_dir) and time.time() < deadline:
            time.sleep(0.1)
        assert _processes_using(run_dir) == [], "nginx, the responder and the worker all stop"
        try:
            _request(port, "GET", "/")
            raise AssertionError("nothing answers on the port any more")
        except ConnectionRefusedError:
            pass
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in _processes_using(run_dir):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(run_dir, ignore_errors=True)
