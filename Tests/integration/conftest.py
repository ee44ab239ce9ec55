import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack  # noqa: E402
from deploy import Host, NginxPrefixDeployment  # noqa: E402


ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Modules whose tests run once on each backend; the others use SQLite, the embedded default.
BOTH_BACKENDS = {"test_api", "test_batches", "test_customer_review", "test_governance", "test_language"}


def pytest_generate_tests(metafunc):
    if "stack" in metafunc.fixturenames:
        backends = ["sqlite", "postgres"] if metafunc.module.__name__ in BOTH_BACKENDS else ["sqlite"]
        metafunc.parametrize("stack", backends, indirect=True, scope="session")


class PostgresCluster:
    """A throwaway PostgreSQL cluster (scripts/postgres.sh), with a new database for each user."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="credit-pg-")
        self.url = subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "start", self.dir],
                                  capture_output=True, text=True, check=True).stdout.strip()

    def new_database(self):
        name = "it_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", "-q", self.url, "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "postgres.sh"), "stop", self.dir], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    if not os.path.isdir("/usr/lib/postgresql"):
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; `make test` installs it)")
    cluster = PostgresCluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def stack(request):
    # Schemathesis and the other suites sign in far faster than people do: a generous budget.
    url = request.getfixturevalue("postgres").new_database() if getattr(request, "param", "sqlite") == "postgres" else None
    running = Stack(database_url=url, CREDIT_SIGNIN_RATE="500", CREDIT_UNKNOWN_SIGNIN_RATE="500", CREDIT_SIGNIN_CONCURRENCY="64").start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def host():
    """The unprivileged account of a host, with the `make dist` bundle unpacked."""
    account = Host()
    yield account
    account.cleanup()


@pytest.fixture(scope="session")
def nginx_prefix(host):
    """The site under /credit/ of a private nginx that has its own `location /`."""
    deployment = NginxPrefixDeployment(host).start()
    yield deployment
    deployment.stop()
