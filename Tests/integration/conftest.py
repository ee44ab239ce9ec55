import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    running = Stack().start()
    yield running
    running.stop()
