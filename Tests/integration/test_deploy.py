"""The deployment recipes of the README, run as a host runs them from the `make dist` bundle:

- shared hosting: `credit setup apache` by the account that owns the document root, in CGI and
  mod_fcgid modes, at the root of a site and under a prefix, behind a private Apache whose virtual
  hosts allow only `AllowOverride All`; the worker runs from the printed cron line;
- an existing nginx: the include from `credit setup nginx --prefix /credit/` in a server block that
  has its own `location /`, nginx's workers as www-data, the responder and worker as the host account;
- systemd: the rendered units' command lines under systemd's own socket activation tool.
"""
import grp
import http.client
import json
import os
import re
import shutil
import socket
import stat
import statistics
import subprocess
import tempfile
import time

import pytest

from apache import PrivateApache
from deploy import PASSWORD, Site
from stack import ROOT, applicant, free_port

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# (mode, prefix) and the virtual host each is set up in: two of them share a document root.
APACHE_DEPLOYMENTS = [("cgi", "/", "a"), ("fcgid", "/sub/", "a"), ("fcgid", "/", "b"), ("cgi", "/sub/", "b")]
APACHE_IDS = [f"{mode}-{prefix.strip('/') or 'root'}" for mode, prefix, _ in APACHE_DEPLOYMENTS]


def assert_security_headers(headers, where):
    for name, start in SECURITY_HEADERS.items():
        value = headers.get(name)
        assert value and value.startswith(start), f"{where}: {name} is {value!r}"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def assert_problem(status, headers, body, expected_status, where):
    assert status == expected_status, f"{where}: {status} {body[:300]!r}"
    assert headers.get("Content-Type", "").startswith("application/problem+json"), f"{where}: {headers.get('Content-Type')}"
    problem = json.loads(body)
    assert problem["status"] == expected_status and problem["type"].startswith("/problems/") and problem["detail"], problem
    return problem


def raw_get(site, path):
    """A GET whose path is sent exactly as written (no client-side normalisation of `..`)."""
    origin = site.origin().split("//")[1]
    host, port = origin.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def poll_done(site, token, location, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, _, job = site.json("GET", location, token=token)
        assert status == 200, job
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"{location} not done after {timeout} s")


def submit_and_check_location(site, token, prefix, **overrides):
    status, headers, body = site.json("POST", "/api/predictions", applicant(**overrides), token=token)
    assert status == 202, body
    assert headers["Location"] == f"{prefix}api/predictions/{body['id']}" == body["status_url"], (headers["Location"], body)
    return body


# -- Apache -------------------------------------------------------------------------------------

class ApacheDeployment:
    def __init__(self, host, mode, prefix, docroot, port):
        self.host, self.mode, self.prefix = host, mode, prefix
        self.data = os.path.join(host.dir, f"data-{mode}-{prefix.strip('/') or 'root'}-{os.path.basename(docroot)}")
        self.output = host.run([f"{host.bin}/credit", "setup", "apache", "--docroot", docroot, "--data", self.data, "--mode", mode,
                                "--prefix", prefix, "--admin", "boss", "--password-stdin"], stdin=PASSWORD + "\n").stdout
        lines = [line for line in self.output.splitlines() if line.startswith("* * * * * ")]
        assert len(lines) == 1, self.output
        self.cron = lines[0][len("* * * * * "):]
        self.site = Site(f"http://127.0.0.1:{port}{prefix}")

    def run_cron(self):
        """What cron does each minute: the printed command, by the host account, through a shell."""
        return self.host.run(["sh", "-c", self.cron])


@pytest.fixture(scope="module")
def apache(host):
    if not shutil.which("apache2") or not os.path.exists("/usr/lib/apache2/modules/mod_fcgid.so"):
        pytest.fail("Apache with mod_fcgid is not installed: run `make test` as root, or apt-get install apache2 libapache2-mod-fcgid")
    docroots = {"a": host.mkdir("www-a"), "b": host.mkdir("www-b")}
    ports = {"a": free_port(), "b": free_port()}
    deployments = {key: ApacheDeployment(host, mode, prefix, docroots[vhost], ports[vhost])
                   for key, (mode, prefix, vhost) in zip(APACHE_IDS, APACHE_DEPLOYMENTS)}
    directory = tempfile.mkdtemp(prefix="credit-apache-")
    server = PrivateApache(directory, [(ports["a"], docroots["a"]), (ports["b"], docroots["b"])],
                           user=host.user if host.root else None).start()
    for deployment in deployments.values():
        deployment.server = server
    yield deployments
    server.stop()
    if os.environ.get("KEEP_STACK") != "1":
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize("key", APACHE_IDS)
def test_apache_sign_in_submit_cron_done(apache, key):
    deployment = apache[key]
    site, prefix = deployment.site, deployment.prefix
    token = site.token("boss", PASSWORD)  # the Authorization header must reach the program for what follows
    status, _, account = site.json("GET", "/api/account", token=token)
    assert status == 200 and account["role"] == "admin", f"`--admin boss` makes an administrator: {account}"
    job = submit_and_check_location(site, token, prefix, applicant_name=f"Apache {key}")
    status, _, queued = site.json("GET", job["status_url"].removeprefix(prefix.rstrip("/")), token=token)
    assert status == 200 and queued["status"] == "queued", queued

    deployment.run_cron()
    done = poll_done(site, token, job["status_url"].removeprefix(prefix.rstrip("/")))
    assert done["status"] == "done" and 0 < done["result"]["probability_of_default"] < 1, done
    assert done["applicant_name"] == f"Apache {key}"

    log = os.path.join(deployment.data, "worker.log")
    assert "drained 1 applications" in open(log).read()
    size = os.path.getsize(log)
    deployment.run_cron()
    assert os.path.getsize(log) == size, "a drain with nothing to do writes nothing (cron mails nobody)"

    status, _, health = site.json("GET", "/api/health")
    assert status == 200 and health["status"] == "ok", health
    assert health["worker"]["mode"] == "cron" and health["worker"]["alive"] is True, health


@pytest.mark.parametrize("key", APACHE_IDS)
def test_apache_headers_errors_and_plots(apache, key):
    site, prefix = apache[key].site, apache[key].prefix
    status, headers, page = site.request("GET", "/")
    assert status == 200 and "<title>Análise de crédito</title>".encode() in page
    assert headers["Content-Type"].startswith("text/html")
    assert_security_headers(headers, "the page")
    status, headers, _ = site.request("GET", "/js/app.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert_security_headers(headers, "a script")

    assert_security_headers(site.request("GET", "/api/nowhere")[1], "an API 404")
    assert_problem(*site.request("GET", "/api/nowhere"), 404, "unknown API route")
    status, headers, body = site.request("GET", "/api/predictions")
    assert_problem(status, headers, body, 401, "no token")
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert_security_headers(headers, "an API 401")

    status, _, card = site.json("GET", "/api/model")
    assert status == 200 and card["card"]["roc"] == "models/default-roc.svg", card["card"]
    status, headers, svg = site.request("GET", "/" + card["card"]["roc"])
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml") and b"<svg" in svg[:200]


@pytest.mark.parametrize("key", APACHE_IDS)
def test_apache_never_serves_the_data_or_the_wrapper(apache, key):
    deployment = apache[key]
    site, prefix = deployment.site, deployment.prefix
    key_bytes = open(os.path.join(deployment.data, "secret.key"), "rb").read()
    data_name = os.path.basename(deployment.data)
    up = "../" * (prefix.count("/") - 1)
    for path in [".htaccess", "credit.conf", "secret.key", "credit.sqlite", f"{up}../{data_name}/secret.key",
                 f"%2e%2e/{up}{data_name}/secret.key", f"{up}../{data_name}/credit.conf"]:
        status, body = raw_get(site, prefix + path)
        assert status in (400, 403, 404), f"{prefix + path}: {status}"
        assert key_bytes not in body and b"CREDIT_" not in body, prefix + path
    wrapper = "credit.cgi" if deployment.mode == "cgi" else "credit.fcgi"
    status, body = raw_get(site, prefix + wrapper)
    assert b"CREDIT_CONFIG" not in body and b"#!/bin/sh" not in body, "the wrapper runs, it is never served as text"


@pytest.mark.parametrize("key", APACHE_IDS)
def test_apache_data_is_private_to_the_host_account(apache, key, host):
    data = apache[key].data
    info = os.stat(data)
    assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == host.uid
    files = [name for name in os.listdir(data) if name != "worker.log"]
    assert {"credit.conf", "secret.key", "credit.sqlite"} <= set(files), files
    for name in files:
        info = os.stat(os.path.join(data, name))
        assert stat.S_IMODE(info.st_mode) == 0o600, f"{name} is {oct(info.st_mode)}"
        assert info.st_uid == host.uid, name


def test_apache_failing_responder_gives_a_json_500_and_a_reason_in_the_log(apache, host):
    deployment = apache["cgi-root"]
    config = os.path.join(deployment.data, "credit.conf")
    host.run(["chmod", "000", config])
    try:
        status, headers, body = deployment.site.request("GET", "/api/health")
    finally:
        host.run(["chmod", "600", config])
    if host.root:  # root reads any file; the responder runs as the host account, which cannot now
        assert_problem(status, headers, body, 500, "unreadable configuration")
        assert "cannot read the configuration file" in deployment.server.log(200)
    assert deployment.site.request("GET", "/api/health")[0] == 200


def test_responder_run_by_another_account_says_which_account_must_run_it(apache, host):
    """Shared hosting without suexec runs CGI programs as the web server's account, which cannot
    read the host account's private files: the responder says so instead of a bare failure."""
    if not host.root:
        pytest.skip("needs root to run the responder as www-data")
    deployment = apache["cgi-root"]
    result = subprocess.run([shutil.which("runuser"), "-u", "www-data", "--", os.path.join(host.bin, "credit-fcgi")],
                            capture_output=True, text=True, cwd="/",
                            env={"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": "/api/health",
                                 "CREDIT_CONFIG": os.path.join(deployment.data, "credit.conf"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 78 and result.stdout == "", result
    assert "permission denied to www-data" in result.stderr.lower() and "suexec" in result.stderr, result.stderr


def test_apache_setup_refuses_data_inside_the_document_root(host):
    docroot = host.mkdir("www-refused")
    result = host.run([f"{host.bin}/credit", "setup", "apache", "--docroot", docroot, "--data", os.path.join(docroot, "data"),
                       "--admin", "boss", "--password-stdin"], stdin=PASSWORD + "\n", check=False)
    assert result.returncode != 0 and "outside the document root" in result.stderr, result.stderr
    assert not os.path.exists(os.path.join(docroot, "data"))


def test_apache_setup_refuses_data_inside_a_linked_document_root(host):
    """Shared hosts often make public_html a link: the data folder must not end up inside it."""
    real = host.mkdir("www-real")
    link = os.path.join(host.dir, "www-link")
    host.run(["ln", "-s", real, link])
    result = host.run([f"{host.bin}/credit", "setup", "apache", "--docroot", link, "--data", os.path.join(link, "data"),
                       "--prefix", "/credit/", "--admin", "boss", "--password-stdin"], stdin=PASSWORD + "\n", check=False)
    assert result.returncode != 0 and "outside the document root" in result.stderr, result.stderr
    assert os.listdir(real) == []


def test_apache_latency_cgi_submission_and_fcgid_poll(apache):
    """The figures the README reports (no time limit is asserted here: bench/ holds benchmarks).
    Medians of 20 requests with curl: a submission in CGI mode, a status poll in mod_fcgid mode."""
    def median_ms(site, method, path, token, body=None):
        times = []
        for _ in range(20):
            argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-X", method,
                    "-H", f"Authorization: Bearer {token}", site.base + path]
            if body is not None:
                argv[1:1] = ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
            code, seconds = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.split()
            assert code in ("200", "202"), code
            times.append(float(seconds) * 1000)
        return statistics.median(times)

    cgi, fcgid = apache["cgi-root"].site, apache["fcgid-root"].site
    submit = median_ms(cgi, "POST", "/api/predictions", cgi.token("boss", PASSWORD), applicant())
    fcgid_token = fcgid.token("boss", PASSWORD)
    job = submit_and_check_location(fcgid, fcgid_token, "/")
    poll = median_ms(fcgid, "GET", job["status_url"], fcgid_token)
    figures = {"cgi_submission_median_ms": round(submit, 2), "fcgid_status_poll_median_ms": round(poll, 2)}
    os.makedirs(os.path.join(ROOT, ".build"), exist_ok=True)
    with open(os.path.join(ROOT, ".build", "apache-latency.json"), "w") as out:
        json.dump(figures, out)
    print(f"\nApache: {figures}")


# -- an existing nginx, under a prefix ----------------------------------------------------------

def test_nginx_include_leaves_the_hosts_own_locations_alone(nginx_prefix):
    site = nginx_prefix.site
    status, _, body = site.request("GET", site.origin() + "/")
    assert status == 200 and body == b"the host's own site\n"
    status, _, body = site.request("GET", site.origin() + "/some/page")
    assert status == 200 and body == b"the host's own site\n"
    connection = http.client.HTTPConnection("127.0.0.1", nginx_prefix.port, timeout=10)
    connection.request("GET", "/credit")
    response = connection.getresponse()
    assert response.status == 301 and response.getheader("Location").endswith("/credit/")


def test_nginx_prefix_sign_in_submit_done(nginx_prefix):
    site = nginx_prefix.site
    status, headers, page = site.request("GET", "/")
    assert status == 200 and "<title>Análise de crédito</title>".encode() in page
    assert_security_headers(headers, "the page under the prefix")
    token = site.token("alice", PASSWORD)
    job = submit_and_check_location(site, token, "/credit/", applicant_name="Nginx prefix")
    done = poll_done(site, token, job["status_url"].removeprefix("/credit"))
    assert done["status"] == "done" and done["result"]["decision"] in ("approve", "review", "reject"), done
    status, _, history = site.json("GET", "/api/predictions?limit=1", token=token)
    assert status == 200 and history["items"][0]["id"] == job["id"]
    assert history["next"] is None or history["next"].startswith("/credit/api/predictions?")
    status, _, card = site.json("GET", "/api/model")
    status, headers, svg = site.request("GET", "/" + card["card"]["calibration"])
    assert status == 200 and b"<svg" in svg[:200]
    assert_security_headers(headers, "a plot")
    status, _, health = site.json("GET", "/api/health")
    assert health["status"] == "ok" and health["worker"]["mode"] == "resident", health


def test_nginx_links_never_point_elsewhere(nginx_prefix):
    """A crafted path that nginx normalises to the API must not put another host into links."""
    site = nginx_prefix.site
    token = site.token("alice", PASSWORD)
    connection = http.client.HTTPConnection("127.0.0.1", nginx_prefix.port, timeout=10)
    body = json.dumps(applicant()).encode()
    connection.request("POST", "//evil.example/../credit/api/predictions", body,
                       {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 202, answer
    assert response.getheader("Location") == f"/credit/api/predictions/{answer['id']}" == answer["status_url"]


def test_nginx_socket_belongs_to_the_web_servers_group(nginx_prefix, host):
    if not host.root:
        pytest.skip("needs root to run nginx's workers as www-data and the responder as another account")
    info = os.stat(nginx_prefix.socket)
    assert info.st_uid == host.uid and info.st_gid == grp.getgrnam("www-data").gr_gid
    assert stat.S_IMODE(info.st_mode) == 0o660


def test_nginx_own_errors_are_json_with_their_true_status(nginx_prefix):
    site = nginx_prefix.site
    token = site.token("alice", PASSWORD)
    status, headers, body = site.request("POST", "/api/predictions", b"{" + b" " * 200_000 + b"}", {"Content-Type": "application/json"}, token)
    assert_problem(status, headers, body, 413, "oversized body")
    assert_security_headers(headers, "nginx's 413")
    nginx_prefix.stop_responder()
    try:
        status, headers, body = site.request("GET", "/api/health")
        assert_problem(status, headers, body, 502, "responder down")
        assert_security_headers(headers, "nginx's 502")
    finally:
        nginx_prefix.start_responder()
    assert site.request("GET", "/api/health")[0] == 200


# -- systemd ------------------------------------------------------------------------------------

def test_systemd_units_serve_through_socket_activation(host):
    """The units are rendered for the bundle; their ExecStartPre and ExecStart lines then run as the
    service account, the responder under systemd-socket-activate (the LISTEN_FDS protocol that
    credit-fcgi.socket uses), answering real FastCGI requests through cgi-fcgi."""
    out = host.mkdir("systemd")
    state = host.mkdir("systemd-state", mode=0o700)
    config = os.path.join(out, "credit.conf")
    host.run([f"{host.bin}/credit", "setup", "systemd", "--out", out, "--user", host.user, "--config", config])
    units = {name: open(os.path.join(out, name)).read() for name in ("credit-fcgi.socket", "credit-fcgi.service", "credit-worker.service")}
    assert "SocketGroup=www-data" in units["credit-fcgi.socket"] and "SocketMode=0660" in units["credit-fcgi.socket"]
    assert f"User={host.user}" in units["credit-fcgi.service"] and "StateDirectory=credit-scoring" in units["credit-fcgi.service"]
    assert "ExecReload=/bin/kill -HUP $MAINPID" in units["credit-worker.service"]
    if shutil.which("systemd-analyze"):
        verify = subprocess.run(["systemd-analyze", "verify", *(os.path.join(out, name) for name in units)], capture_output=True, text=True)
        problems = [line for line in verify.stderr.splitlines() if "credit" in line and "Failed to" not in line and "not executable" not in line]
        assert verify.returncode == 0 or not problems, verify.stderr

    # The service's state in a folder of the test's own instead of /var/lib and /run.
    text = open(config).read().replace("/var/lib/credit-scoring", state).replace("/run/credit-scoring-worker", state)
    host.run(["sh", "-c", f"cat > {config}"], stdin=text)

    def command(unit, key):
        line = next(line for line in units[unit].splitlines() if line.startswith(key + "="))
        return line[len(key) + 1:].split()

    host.run(command("credit-fcgi.service", "ExecStartPre"))
    assert stat.S_IMODE(os.stat(os.path.join(state, "secret.key")).st_mode) == 0o600
    listen = os.path.join(host.mkdir("systemd-run", mode=0o711), "fcgi.sock")
    activator = host.spawn(["systemd-socket-activate", "-l", listen, *command("credit-fcgi.service", "ExecStart")], "systemd-responder.log")
    try:
        deadline = time.time() + 10
        while not os.path.exists(listen):
            assert time.time() < deadline and activator.poll() is None, open(os.path.join(host.dir, "systemd-responder.log")).read()
            time.sleep(0.02)
        for _ in range(2):  # the first request starts the responder; the second is served by the same one
            answer = subprocess.run(["cgi-fcgi", "-bind", "-connect", listen], capture_output=True, timeout=20,
                                    env={"REQUEST_METHOD": "GET", "REQUEST_URI": "/api/health", "SCRIPT_NAME": "/api/health",
                                         "SERVER_PROTOCOL": "HTTP/1.1", "PATH": "/usr/bin:/bin"})
            head, _, body = answer.stdout.partition(b"\r\n\r\n")
            assert b"Status: 200" in head, answer.stdout + answer.stderr
            assert json.loads(body)["database"] == "ok"
    finally:
        activator.terminate()
        activator.wait(10)
