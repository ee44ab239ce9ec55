"""Starts the real system on loopback for the integration tests: nginx with its own prefix, the
FastCGI responder on a unix socket, the scoring worker, and a SQLite file in a temporary folder
or a PostgreSQL database (then possibly several responders behind an nginx upstream and several
workers, as on more than one host)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, ".build", "release")
PASSWORD = "correct horse battery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """One complete system. `settings` override CREDIT_* variables (a test of the sign-in budget
    starts a stack with the defaults; the shared one lets the fuzzing and browser tests sign in
    as often as they like)."""

    def __init__(self, database_url=None, responders=1, workers=1, **settings):
        self.dir = tempfile.mkdtemp(prefix="credit-it-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sockets = [os.path.join(self.dir, "fcgi.sock" if index == 0 else f"fcgi-{index}.sock") for index in range(responders)]
        self.socket = self.sockets[0]
        self.backend = "postgres" if database_url else "sqlite"
        self.worker_count = workers
        self.env = dict(os.environ,
                        CREDIT_DB=os.path.join(self.dir, "credit.sqlite"),
                        CREDIT_MODEL=os.path.join(ROOT, "models", "default.json"),
                        CREDIT_SECRET_FILE=os.path.join(self.dir, "secret.key"),
                        CREDIT_TOKEN_TTL="600",
                        CREDIT_LEASE_SECONDS="2")
        if database_url:
            self.env["CREDIT_DATABASE_URL"] = database_url
        self.env.update(settings)
        self.responder = self.worker = self.nginx = None
        self.responders = [None] * responders
        self.workers = [None] * workers
        self.logs = {}
        self.tokens = {}

    # -- processes ---------------------------------------------------------
    def cli(self, *args, stdin=None):
        return subprocess.run([os.path.join(BIN, "credit"), *args], env=self.env, input=stdin,
                              capture_output=True, text=True, check=True)

    def _spawn(self, name, argv):
        log = open(os.path.join(self.dir, name + ".log"), "ab")
        self.logs[name] = log
        return subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)

    def start_responder(self, index=0):
        socket_path = self.sockets[index]
        if os.path.exists(socket_path):
            os.unlink(socket_path)
        group = ["--socket-group", "www-data"] if os.geteuid() == 0 else []
        name = "responder" if index == 0 else f"responder-{index}"
        process = self._spawn(name, [os.path.join(BIN, "credit-fcgi"), "--socket", socket_path, "--socket-mode", "0660", *group])
        self.responders[index] = process
        if index == 0:
            self.responder = process
        deadline = time.time() + 10
        while not os.path.exists(socket_path):
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError("responder did not start: " + self.log(name))
            time.sleep(0.02)
        return process

    def start_worker(self, index=0):
        name = "worker" if index == 0 else f"worker-{index}"
        process = self._spawn(name, [os.path.join(BIN, "credit-worker"), "--name", f"it-{index}-{time.time_ns()}"])
        self.workers[index] = process
        if index == 0:
            self.worker = process
        return process

    def start(self):
        self.cli("init")
        for name in ("alice", "bob", "carol", "throttled"):
            self.cli("user", "add", name, "--role", "officer", "--password-stdin", stdin=PASSWORD + "\n")
        conf = subprocess.run([os.path.join(ROOT, "scripts", "render-nginx.sh"), os.path.join(self.dir, "nginx"),
                               f"127.0.0.1:{self.port}", ",".join(self.sockets)], capture_output=True, text=True, check=True).stdout.strip()
        for index in range(len(self.sockets)):
            self.start_responder(index)
        for index in range(self.worker_count):
            self.start_worker(index)
        self.nginx = self._spawn("nginx", ["nginx", "-p", os.path.join(self.dir, "nginx"), "-c", conf])
        deadline = time.time() + 10
        while True:
            try:
                urllib.request.urlopen(self.base + "/api/schema", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.time() > deadline:
                    raise RuntimeError("nginx did not start: " + self.log("nginx"))
                time.sleep(0.05)
        return self

    def log(self, name):
        path = os.path.join(self.dir, name + ".log")
        return open(path, errors="replace").read()[-3000:] if os.path.exists(path) else ""

    def kill9(self, process):
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self):
        terminate(self.nginx, *self.workers, *self.responders)
        for log in self.logs.values():
            log.close()
        if os.environ.get("KEEP_STACK") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- HTTP --------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, token=None, timeout=10):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = "Bearer " + token
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        if body is not None and not isinstance(body, bytes) and "Content-Type" not in headers:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, method, path, body=None, headers=None, token=None):
        status, headers, raw = self.request(method, path, body, headers, token)
        return status, headers, (json.loads(raw) if raw else None)

    def login(self, username="alice", password=PASSWORD):
        form = f"username={username}&password={urllib.parse.quote(password)}".encode()
        return self.json("POST", "/api/token", form, {"Content-Type": "application/x-www-form-urlencoded"})

    def token(self, username="alice"):
        """A token for `username`, signed in once and kept, as a client keeps its token (every
        sign-in from one address counts against nginx's per-address limit)."""
        cached = self.tokens.get(username)
        if cached and cached[1] > time.time() + 60:
            return cached[0]
        status, _, body = self.login(username)
        assert status == 200, body
        self.tokens[username] = (body["access_token"], time.time() + body["expires_in"])
        return body["access_token"]

    def wait_done(self, token, job_id, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, _, body = self.json("GET", f"/api/predictions/{job_id}", token=token)
            assert status == 200, body
            if body["status"] in ("done", "failed"):
                return body
            time.sleep(0.02)
        raise AssertionError(f"job {job_id} not finished after {timeout}s")


def terminate(*processes):
    """SIGTERM to each process still running, then SIGKILL to any that has not ended in 5 s."""
    for process in processes:
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


def applicant(**overrides):
    """A complete, valid application (a real PAKDD row's values)."""
    value = {
        "applicant_name": "Maria Souza", "payment_day": 10, "application_submission_type": "Web", "postal_address_type": 1,
        "sex": "F", "marital_status": 2, "quant_dependants": 1, "state_of_birth": "RJ", "city_of_birth": "Rio de Janeiro",
        "nacionality": 1, "residencial_state": "RJ", "residencial_city": "Rio de Janeiro", "residencial_borough": "Centro",
        "flag_residencial_phone": "Y", "residencial_phone_area_code": "20", "residence_type": 1, "months_in_residence": 24,
        "flag_email": 1, "personal_monthly_income": 1500.0, "other_incomes": 0, "flag_visa": 0, "flag_mastercard": 0,
        "flag_diners": 0, "flag_american_express": 0, "flag_other_cards": 0, "quant_banking_accounts": 1, "personal_assets_value": 0,
        "quant_cars": 0, "company": "Y", "professional_state": "RJ", "professional_city": "Rio de Janeiro", "professional_borough": "Centro",
        "flag_professional_phone": "N", "professional_phone_area_code": None, "months_in_the_job": 0, "profession_code": 9,
        "occupation_type": 4, "mate_profession_code": None, "mate_education_level": None, "product": 1, "age": 34,
        "residencial_zip_3": "230", "professional_zip_3": "230",
    }
    value.update(overrides)
    return value
