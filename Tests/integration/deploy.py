"""Deployments as a host runs them, for the integration tests: the `make dist` tarball unpacked by
an unprivileged account, `credit setup` run as that account, and private web servers (their own
config, pid file and port) in front. Nothing here touches the system's services.

When the tests run as root (CI, a fresh Debian machine) the account is `credit-host`, created on
first use and made a member of `www-data` (nginx's group), and every command of the deployment runs
as that account through runuser. Run as anyone else, the tests use that account itself."""
import grp
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from stack import PASSWORD, ROOT, free_port, terminate

DIST = os.path.join(ROOT, "dist", "credit-scoring-linux-x86_64.tar.gz")
HOST_ACCOUNT = "credit-host"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


class Host:
    """An unprivileged account with the unpacked bundle in a folder of its own."""

    def __init__(self):
        if not os.path.exists(DIST):
            raise RuntimeError(f"{DIST} is missing: run `make dist` (make test does)")
        self.root = os.geteuid() == 0
        if self.root:
            try:
                pwd.getpwnam(HOST_ACCOUNT)
            except KeyError:
                subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", HOST_ACCOUNT], check=True)
            subprocess.run(["usermod", "-aG", "www-data", HOST_ACCOUNT], check=True)
            self.user = HOST_ACCOUNT
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        entry = pwd.getpwnam(self.user)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.dir = tempfile.mkdtemp(prefix="credit-host-")
        os.chmod(self.dir, 0o755)
        os.chown(self.dir, self.uid, self.gid)
        self.run(["tar", "-xzf", DIST, "-C", self.dir])
        self.app = os.path.join(self.dir, "credit-scoring")
        self.bin = os.path.join(self.app, "bin")

    def run(self, argv, stdin=None, check=True, env=None):
        """Runs `argv` as the host account, in its folder, with a plain environment."""
        prefix = [RUNUSER, "-u", self.user, "--"] if self.root else []
        environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.dir, "LANG": "C.UTF-8", **(env or {})}
        result = subprocess.run(prefix + argv, input=stdin, capture_output=True, text=True, cwd=self.dir, env=environment)
        if check and result.returncode != 0:
            raise AssertionError(f"{argv} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def spawn(self, argv, log):
        prefix = [RUNUSER, "-u", self.user, "--"] if self.root else []
        output = open(os.path.join(self.dir, log), "ab")
        return subprocess.Popen(prefix + argv, stdout=output, stderr=subprocess.STDOUT, cwd=self.dir,
                                env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.dir, "LANG": "C.UTF-8"},
                                start_new_session=True)

    def mkdir(self, *parts, mode=0o755):
        path = os.path.join(self.dir, *parts)
        self.run(["mkdir", "-p", path])
        self.run(["chmod", oct(mode)[2:], path])
        return path

    def cleanup(self):
        if os.environ.get("KEEP_STACK") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


class Site:
    """HTTP against one deployment: `base` is the URL of its site, e.g. http://127.0.0.1:8080/credit."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def request(self, method, path, body=None, headers=None, token=None, timeout=20):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def json(self, method, path, body=None, headers=None, token=None):
        status, headers, raw = self.request(method, path, body, headers, token)
        return status, headers, (json.loads(raw) if raw else None)

    def token(self, username, password):
        form = urllib.parse.urlencode({"username": username, "password": password}).encode()
        status, _, body = self.json("POST", "/api/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        return body["access_token"]

    def origin(self):
        parts = urllib.parse.urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"


class NginxPrefixDeployment:
    """The "existing nginx" recipe: a private nginx whose master runs as root and whose workers run
    as www-data, with a server block that has its own `location /`, including the snippet that
    `credit setup nginx --prefix /credit/` renders; the responder (socket group www-data, mode
    0660) and a resident worker run as the host account from the unpacked bundle."""

    def __init__(self, host, prefix="/credit/"):
        self.host = host
        self.prefix = prefix
        self.port = free_port()
        self.data = host.mkdir("nginx-data", mode=0o700)
        self.run_dir = host.mkdir("nginx-run", mode=0o711)
        self.socket = os.path.join(self.run_dir, "fcgi.sock")
        self.config = os.path.join(self.data, "credit.conf")
        self.nginx_dir = tempfile.mkdtemp(prefix="credit-nginx-")
        os.chmod(self.nginx_dir, 0o755)
        self.responder = self.worker = self.nginx = None
        self.site = Site(f"http://127.0.0.1:{self.port}{prefix.rstrip('/')}")
        self.site.secret_file = os.path.join(self.data, "secret.key")

    def start(self):
        host = self.host
        host.run(["sh", "-c", f"umask 077; printf '%s\\n' 'CREDIT_DB=credit.sqlite' 'CREDIT_SECRET_FILE=secret.key' "
                              f"'CREDIT_MODEL={host.app}/models/default.json' 'CREDIT_BASE_PATH={self.prefix}' 'CREDIT_LEASE_SECONDS=2' > {self.config}"])
        host.run([f"{host.bin}/credit", "init", "--config", self.config])
        for name in ("admin", "alice"):  # the first account is an admin, the next an officer
            host.run([f"{host.bin}/credit", "user", "add", name, "--password-stdin", "--config", self.config], stdin=PASSWORD + "\n")
        rendered = host.mkdir("nginx-snippets")
        snippet = os.path.join(rendered, "credit-scoring.conf")
        host.run([f"{host.bin}/credit", "setup", "nginx", "--prefix", self.prefix, "--socket", self.socket, "--out", snippet])
        with open(os.path.join(self.nginx_dir, "nginx.conf"), "w") as out:
            out.write(self.nginx_conf(snippet, os.path.join(rendered, "credit-scoring-http.conf")))
        self.start_responder()
        self.worker = host.spawn([f"{host.bin}/credit-worker", "--config", self.config], "nginx-worker.log")
        self.nginx = subprocess.Popen(["nginx", "-p", self.nginx_dir, "-c", os.path.join(self.nginx_dir, "nginx.conf")],
                                      stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.nginx_dir, "stderr.log"), "ab"))
        deadline = time.time() + 10
        while True:
            try:
                if self.site.request("GET", "/api/health")[0] == 200:
                    return self
            except OSError:  # not listening yet
                pass
            if time.time() > deadline or self.nginx.poll() is not None:
                raise RuntimeError("nginx deployment did not start: " + self.log())
            time.sleep(0.05)

    def start_responder(self):
        host = self.host
        group = ["--socket-group", "www-data"] if host.root else []
        self.responder = host.spawn([f"{host.bin}/credit-fcgi", "--config", self.config, "--socket", self.socket,
                                     "--socket-mode", "0660", *group], "nginx-responder.log")
        deadline = time.time() + 10
        while not os.path.exists(self.socket):
            if time.time() > deadline or self.responder.poll() is not None:
                raise RuntimeError("responder did not start: " + self.log())
            time.sleep(0.02)

    def stop_responder(self):
        self.responder.terminate()
        self.responder.wait(10)

    def nginx_conf(self, snippet, http_part):
        user = "user www-data;" if self.host.root else ""
        return f"""daemon off;
{user}
worker_processes 1;
pid {self.nginx_dir}/nginx.pid;
error_log {self.nginx_dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {self.nginx_dir}/body;
    fastcgi_temp_path {self.nginx_dir}/fastcgi;
    proxy_temp_path {self.nginx_dir}/proxy;
    uwsgi_temp_path {self.nginx_dir}/uwsgi;
    scgi_temp_path {self.nginx_dir}/scgi;
    include {http_part};
    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        # The host's own site and error pages, which the include must leave alone.
        location / {{ default_type text/plain; return 200 "the host's own site\\n"; }}
        error_page 502 /host-502.txt;
        location = /host-502.txt {{ internal; default_type text/plain; return 200 "host error page\\n"; }}
        include {snippet};
    }}
}}
"""

    def log(self):
        text = ""
        for path in (os.path.join(self.nginx_dir, "error.log"), os.path.join(self.nginx_dir, "stderr.log"),
                     os.path.join(self.host.dir, "nginx-responder.log"), os.path.join(self.host.dir, "nginx-worker.log")):
            if os.path.exists(path):
                text += f"--- {path}\n" + open(path, errors="replace").read()[-2000:]
        return text

    def stop(self):
        terminate(self.nginx, self.worker, self.responder)
        if os.environ.get("KEEP_STACK") != "1":
            shutil.rmtree(self.nginx_dir, ignore_errors=True)
