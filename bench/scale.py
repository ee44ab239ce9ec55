#!/usr/bin/env python3
"""The scale figures of bench/service.sh, per backend (SQLite, then PostgreSQL on a throwaway
cluster), each behind the same private nginx as the C floor:

  - authenticated submissions/s with no worker, one worker and two worker processes;
  - worker CPU per job, draining a backlog and under load;
  - submissions/s during a burst of 16 concurrent valid sign-ins, as a ratio to the run without
    it, and the sign-ins/s the burst achieved;
  - a 10,000-row batch from upload to the downloaded results CSV;
  - submissions/s with the audit trail recording each submission, against the same without.

    scale.py FLOOR_RATE DURATION          (run by bench/service.sh; prints a table)
"""
import csv
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.path.join(ROOT, ".build", "release")
sys.path.insert(0, os.path.join(ROOT, "Tests", "integration"))
from stack import applicant  # noqa: E402

PASSWORD = "bench password 123"
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Backend:
    def __init__(self, name, database_url=None):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"credit-scale-{name}-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.socket = os.path.join(self.dir, "fcgi.sock")
        self.env = dict(os.environ, CREDIT_DB=os.path.join(self.dir, "credit.sqlite"), CREDIT_SECRET_FILE=os.path.join(self.dir, "secret.key"),
                        CREDIT_MODEL=os.path.join(ROOT, "models", "default.json"), CREDIT_SIGNIN_RATE="50")
        if database_url:
            self.env["CREDIT_DATABASE_URL"] = database_url
        self.url = database_url
        self.processes, self.workers = [], []

    def run(self, *args, stdin=None):
        return subprocess.run([os.path.join(BIN, "credit"), *args], env=self.env, input=stdin, capture_output=True, text=True, check=True)

    def spawn(self, argv):
        process = subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, os.path.basename(argv[0]) + ".log"), "ab"), cwd=self.dir)
        self.processes.append(process)
        return process

    def start(self):
        self.run("init")
        self.run("user", "add", "bench", "--password-stdin", stdin=PASSWORD + "\n")
        group = ["--socket-group", "www-data"] if os.geteuid() == 0 else []
        self.responder = self.spawn([os.path.join(BIN, "credit-fcgi"), "--socket", self.socket, "--socket-mode", "0660", *group])
        while not os.path.exists(self.socket):
            time.sleep(0.02)
        conf = subprocess.run([os.path.join(ROOT, "scripts", "render-nginx.sh"), os.path.join(self.dir, "nginx"), f"127.0.0.1:{self.port}",
                               self.socket], capture_output=True, text=True, check=True).stdout.strip()
        text = re.sub(r"access_log [^;]*;", "access_log off;", open(conf).read())
        open(conf, "w").write(text)
        self.nginx = self.spawn(["nginx", "-p", os.path.join(self.dir, "nginx"), "-c", conf])
        for _ in range(100):
            try:
                self.token = self.sign_in()
                return self
            except (OSError, KeyError, json.JSONDecodeError):
                time.sleep(0.05)
        raise RuntimeError("the stack did not start")

    def sign_in(self, source=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(source, 0) if source else None)
        body = urllib.parse.urlencode({"username": "bench", "password": PASSWORD})
        connection.request("POST", "/api/token", body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        data = json.loads(response.read())
        connection.close()
        return data["access_token"]

    def start_worker(self):
        worker = self.spawn([os.path.join(BIN, "credit-worker"), "--name", f"bench-{len(self.workers)}"])
        self.workers.append(worker)
        return worker

    def stop_worker(self):
        worker = self.workers.pop()
        worker.terminate()
        worker.wait()

    def count(self, where):
        query = f"SELECT count(*) FROM jobs WHERE {where}"
        if self.url:
            return int(subprocess.run(["psql", "-qAtX", self.url, "-c", query], capture_output=True, text=True, check=True).stdout)
        import sqlite3
        database = sqlite3.connect(self.env["CREDIT_DB"], timeout=30)
        try:
            return database.execute(query).fetchone()[0]
        finally:
            database.close()

    def wrk(self, seconds, body):
        result = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", os.path.join(ROOT, "bench", "submit.lua"),
                                 f"http://127.0.0.1:{self.port}/api/predictions"],
                                env=dict(os.environ, TOKEN=self.token, BODY=body), capture_output=True, text=True, check=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
        total = int(re.search(r"(\d+) requests in", result).group(1))
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
        return rate * (total - (int(bad.group(1)) if bad else 0)) / max(1, total)

    def measured(self, seconds, body):
        """Submissions/s over `seconds`, and the workers' CPU seconds per job completed meanwhile."""
        done_before = self.count("status = 'done'")
        cpu_before = sum(cpu_seconds(worker.pid) for worker in self.workers)
        rate = self.wrk(seconds, body)
        cpu = sum(cpu_seconds(worker.pid) for worker in self.workers) - cpu_before
        done = self.count("status = 'done'") - done_before
        return rate, (cpu / done * 1e6 if done and self.workers else None)

    def drain(self):
        while self.count("status IN ('queued', 'running')"):
            time.sleep(0.1)

    def batch(self, rows=10_000):
        out = io.StringIO()
        sample = applicant()
        fields = list(sample.keys())
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(fields)
        for index in range(rows):
            row = applicant(id_client=index + 1, age=20 + index % 60, personal_monthly_income=500.0 + (index * 37) % 9000)
            writer.writerow(["" if row[name] is None else row[name] for name in fields])
        body = out.getvalue().encode()
        headers = {"Authorization": "Bearer " + self.token}
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        connection.request("POST", "/api/batches?name=bench.csv", body, dict(headers, **{"Content-Type": "text/csv"}))
        response = connection.getresponse()
        accepted = json.loads(response.read())
        assert response.status == 202, accepted
        uploaded = time.perf_counter() - started
        while True:
            connection.request("GET", accepted["status_url"], headers=headers)
            response = connection.getresponse()
            state = json.loads(response.read())
            if state["status"] == "done":
                break
            time.sleep(0.05)
        connection.request("GET", accepted["results_url"], headers=headers)
        response = connection.getresponse()
        table = response.read()
        elapsed = time.perf_counter() - started
        lines = table.count(b"\n") - 1
        assert lines == rows and state["done"] == rows, (lines, state)
        return {"seconds": elapsed, "upload_seconds": uploaded, "bytes": len(body), "csv_bytes": len(table)}

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def sign_in_burst(backend, seconds, clients=16):
    """`clients` concurrent valid sign-ins, each from a loopback address of its own."""
    counts, stop = [0] * clients, time.time() + seconds

    def client(index):
        while time.time() < stop:
            try:
                backend.sign_in(source=f"127.2.{index // 250}.{index % 250 + 1}")
                counts[index] += 1
            except (OSError, KeyError, json.JSONDecodeError):
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    return threads, counts


def measure(backend, duration):
    body = json.dumps(applicant())
    figures = {}
    backend.start()
    try:
        figures["alone"], _ = backend.measured(duration, body)
        backend.start_worker()
        backlog = backend.count("status = 'queued'")
        cpu_before, started = cpu_seconds(backend.workers[0].pid), time.time()
        backend.drain()
        figures["drain_jobs"], figures["drain_seconds"] = backlog, time.time() - started
        figures["drain_cpu_us"] = (cpu_seconds(backend.workers[0].pid) - cpu_before) / max(1, backlog) * 1e6
        figures["one_worker"], figures["one_worker_cpu_us"] = backend.measured(duration, body)
        backend.start_worker()
        figures["two_workers"], figures["two_workers_cpu_us"] = backend.measured(duration, body)
        backend.stop_worker()
        backend.drain()
        figures["signins_alone"] = sum(sign_in_burst_counts(backend, 4)) / 4
        threads, counts = sign_in_burst(backend, duration + 1)
        time.sleep(0.5)
        figures["burst"], _ = backend.measured(duration, body)
        for thread in threads:
            thread.join()
        figures["burst_signins"] = sum(counts) / (duration + 1)
        backend.drain()
        figures["batch"] = backend.batch()
    finally:
        backend.stop()
    return figures


def sign_in_burst_counts(backend, seconds):
    threads, counts = sign_in_burst(backend, seconds)
    for thread in threads:
        thread.join()
    return counts


def audit_overhead(duration, rounds=2):
    """Submissions/s on SQLite (no worker) with every submission audited, and with
    CREDIT_AUDIT_SUBMISSIONS=0, alternating so that both see the same machine."""
    body = json.dumps(applicant())
    rates = {"on": [], "off": []}
    for _ in range(rounds):
        for mode in ("on", "off"):
            backend = Backend("sqlite")
            backend.env["CREDIT_AUDIT_SUBMISSIONS"] = "1" if mode == "on" else "0"
            backend.start()
            try:
                rates[mode].append(backend.measured(duration, body)[0])
            finally:
                backend.stop()
    return {mode: sum(values) / len(values) for mode, values in rates.items()}


def log_overhead(duration, rounds=2):
    """Submissions/s on SQLite (no worker) with a JSON log line per request (CREDIT_LOG_LEVEL=info,
    into a file as deployed), and with logging off, alternating; and the responder's RSS at info."""
    body = json.dumps(applicant())
    rates, rss = {"info": [], "off": []}, []
    for _ in range(rounds):
        for mode in ("info", "off"):
            backend = Backend("sqlite")
            backend.env["CREDIT_LOG_LEVEL"] = mode
            backend.start()
            try:
                rates[mode].append(backend.measured(duration, body)[0])
                if mode == "info":
                    responder = next(p for p in backend.processes if os.path.basename(p.args[0]) == "credit-fcgi")
                    rss.append(int(open(f"/proc/{responder.pid}/status").read().split("VmRSS:")[1].split()[0]) / 1024)
            finally:
                backend.stop()
    return {mode: sum(values) / len(values) for mode, values in rates.items()} | {"rss_mb": max(rss)}


def scrypt_ceiling(seconds=4, threads=2):
    """Hashes/s of the responder's scrypt setting (N=2^13, r=8, p=10) through OpenSSL
    (hashlib.scrypt calls EVP_PBE_scrypt, as the responder does, and releases the GIL) in one
    thread per core with nothing else running: the most sign-ins/s this machine can verify."""
    counts, stop = [0] * threads, time.time() + seconds

    def hash_until_stop(index):
        while time.time() < stop:
            hashlib.scrypt(b"bench password 123", salt=b"0123456789abcdef", n=1 << 13, r=8, p=10, maxmem=64 << 20, dklen=32)
            counts[index] += 1

    workers = [threading.Thread(target=hash_until_stop, args=(index,)) for index in range(threads)]
    started = time.time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.time() - started)


def main():
    floor, duration = float(sys.argv[1]), int(sys.argv[2])
    ceiling = scrypt_ceiling()
    logs = log_overhead(max(4, duration // 2))
    audit = audit_overhead(max(4, duration // 2))
    results = {"sqlite": measure(Backend("sqlite"), duration)}
    cluster = tempfile.mkdtemp(prefix="credit-scale-pg-")
    url = subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "start", cluster], capture_output=True, text=True, check=True).stdout.strip()
    try:
        results["postgres"] = measure(Backend("postgres", url), duration)
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "stop", cluster], check=False)
        shutil.rmtree(cluster, ignore_errors=True)
    sqlite = results["sqlite"]
    print(f"\nScale (wrk -t2 -c16, {duration} s a run; the C floor is {floor:,.0f}/s)")
    print(f"{'':44} {'SQLite':>14} {'PostgreSQL':>14}")

    def row(label, key, form):
        print(f"{label:44} " + " ".join(f"{form(results[name]):>14}" for name in ("sqlite", "postgres")))

    row("submissions/s, no worker running", "alone", lambda r: f"{r['alone']:,.0f}")
    row("  with one worker scoring", "one", lambda r: f"{r['one_worker']:,.0f}")
    row("    as a share of the C floor", "", lambda r: f"{r['one_worker'] / floor:.0%}")
    row("  with two worker processes", "two", lambda r: f"{r['two_workers']:,.0f}")
    row("PostgreSQL with one worker / SQLite's", "", lambda r: f"{r['one_worker'] / sqlite['one_worker']:.0%}")
    row("worker CPU per job, draining a backlog", "", lambda r: f"{r['drain_cpu_us']:.0f} µs")
    row("  under load, one worker", "", lambda r: f"{r['one_worker_cpu_us']:.0f} µs" if r["one_worker_cpu_us"] else "-")
    row("  under load, two workers", "", lambda r: f"{r['two_workers_cpu_us']:.0f} µs" if r["two_workers_cpu_us"] else "-")
    row("backlog drained (jobs/s)", "", lambda r: f"{r['drain_jobs'] / r['drain_seconds']:,.0f}")
    row("sign-ins/s, 16 clients, nothing else", "", lambda r: f"{r['signins_alone']:.1f}")
    row("  as a share of scrypt's own ceiling", "", lambda r: f"{r['signins_alone'] / ceiling:.0%}")
    row("submissions/s during a c16 sign-in burst", "", lambda r: f"{r['burst']:,.0f}")
    row("  ratio to the run without it", "", lambda r: f"{r['burst'] / r['one_worker']:.0%}")
    row("  sign-ins/s meanwhile", "", lambda r: f"{r['burst_signins']:.1f}")
    row("10,000-row batch, upload to results CSV", "", lambda r: f"{r['batch']['seconds']:.2f} s")
    row("  of which upload and validation", "", lambda r: f"{r['batch']['upload_seconds']:.2f} s")
    print(f"\nAudit trail (SQLite, no worker, {max(4, duration // 2)} s runs alternated twice): submissions/s with every submission audited "
          f"{audit['on']:,.0f}, without {audit['off']:,.0f}: {audit['on'] / audit['off']:.0%}")
    results["audit"] = audit
    print(f"Logs (SQLite, no worker, the same runs): submissions/s with a JSON line per request {logs['info']:,.0f}, with logging off "
          f"{logs['off']:,.0f}: {logs['info'] / logs['off']:.0%}; responder RSS at info {logs['rss_mb']:.1f} MB")
    results["logs"] = logs
    print(f"scrypt (N=2^13, r=8, p=10) through OpenSSL, one thread per core and nothing else: {ceiling:.1f} hashes/s, "
          "the most sign-ins/s these cores can verify")
    results["scrypt_ceiling"] = ceiling
    print(json.dumps(results))


if __name__ == "__main__":
    main()
