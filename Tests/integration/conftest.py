import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack  # noqa: E402
from deploy import Host, NginxPrefixDeployment  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    # Schemathesis and the other suites sign in far faster than people do: a generous budget.
    running = Stack(CREDIT_SIGNIN_RATE="500", CREDIT_UNKNOWN_SIGNIN_RATE="500", CREDIT_SIGNIN_CONCURRENCY="64").start()
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
