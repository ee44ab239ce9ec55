"""`credit monitor` on real traffic: the PAKDD Prediction file (a later population, with codes
the training data never had) imported as a batch, scored by the running worker, then compared
with the model's validation data. The PSI is checked against the test's own computation."""
import csv
import io
import json
import math
import os
import subprocess
import time

import pytest

from stack import BIN, PASSWORD, ROOT, Stack

DATA = os.environ.get("CREDIT_DATA_DIR") or os.path.join(ROOT, "..", "shared", "data", "pakdd2010")


def psi(expected, actual):
    """Σ (a − e) ln(a / e) over bins, shares floored at 0.0001 (the test's own code)."""
    return sum((max(a, 1e-4) - max(e, 1e-4)) * math.log(max(a, 1e-4) / max(e, 1e-4)) for a, e in zip(actual, expected))


def decile_shares(reference_values, values):
    ordered = sorted(reference_values)
    edges = []
    for tenth in range(1, 10):
        edge = ordered[len(ordered) * tenth // 10]
        if edge > (edges[-1] if edges else -math.inf) and edge > ordered[0]:
            edges.append(edge)

    def shares(sample):
        counts = [0] * (len(edges) + 1)
        for value in sample:
            counts[sum(1 for edge in edges if value >= edge)] += 1
        return [count / len(sample) for count in counts]
    return shares(reference_values), shares(values)


@pytest.fixture(scope="module")
def traffic_stack():
    """A stack of its own: the shared one holds thousands of other suites' identical applications."""
    running = Stack().start()
    yield running
    running.stop()


def test_monitor_reports_the_psi_of_the_prediction_files_traffic(traffic_stack):
    stack = traffic_stack
    prediction = os.path.join(DATA, "PAKDD2010_Prediction_Data.txt")
    if not os.path.exists(prediction):
        pytest.skip(f"PAKDD data not found at {DATA}; put ../shared beside the checkout")
    stack.cli("user", "add", "monitor_feed", "--role", "officer", "--password-stdin", stdin=PASSWORD + "\n")
    empty = subprocess.run([os.path.join(BIN, "credit"), "monitor"], env=stack.env, capture_output=True, text=True)
    assert empty.returncode != 0 and "no application scored by" in empty.stderr, "an empty store is said, not a PSI of nothing"
    batch = stack.cli("import", "--user", "monitor_feed", prediction).stdout.strip()
    token = stack.token("monitor_feed")
    deadline = time.time() + 120
    while True:
        status, _, body = stack.json("GET", f"/api/batches/{batch}", token=token)
        assert status == 200, body
        if body["status"] == "done":
            break
        assert time.time() < deadline, body
        time.sleep(0.2)
    assert body["done"] == 20_000, body
    report = json.loads(stack.cli("monitor", "--json").stdout)
    # The test's own PSI: validation PDs from `credit score`, traffic PDs from the batch's results.
    scored = subprocess.run([os.path.join(BIN, "credit"), "score", "--model", stack.env["CREDIT_MODEL"], "--data", os.path.join(DATA, "valid.tsv"),
                             "--format", "csv"], capture_output=True, text=True, check=True).stdout
    validation = [float(row["probability_of_default"]) for row in csv.DictReader(io.StringIO(scored))]
    status, _, raw = stack.request("GET", f"/api/batches/{batch}/results.csv", token=token)
    traffic = [float(row["probability_of_default"]) for row in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))]
    expected, actual = decile_shares(validation, traffic)
    own = psi(expected, actual)
    assert report["jobs"] == 20_000
    print(f"PSI: monitor {report['psi']:.4f}, own {own:.4f}; inputs shifted: {[(r['field'], round(r['csi'], 3)) for r in report['inputs'] if r['band'] != 'stable']}")
    assert abs(report["psi"] - own) < 0.005, (report["psi"], own)
    assert report["psi"] > 0.02, "the later population has moved"
    bands = {row["field"]: row for row in report["inputs"]}
    assert all((row["csi"] >= 0.1) == (row["band"] != "stable") for row in bands.values())
    shifted = [field for field, row in bands.items() if row["band"] != "stable"]
    assert shifted, "the Prediction file's inputs have drifted (new codes, other areas)"
    text = stack.cli("monitor").stdout
    assert "PD stability (PSI)" in text and shifted[0] in text
    future = subprocess.run([os.path.join(BIN, "credit"), "monitor", "--since", "2999-01-01"], env=stack.env, capture_output=True, text=True)
    assert future.returncode != 0 and "since 2999-01-01" in future.stderr

    # The same figures for administrators over HTTP, week by week for the Model page's chart.
    stack.cli("user", "add", "monitor_admin", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    admin = stack.token("monitor_admin")
    status, _, api = stack.json("GET", "/api/monitoring?weeks=4", token=admin)
    assert status == 200, api
    assert api["model"] == report["model"] and api["applications"] == 20_000
    assert abs(api["psi"] - report["psi"]) < 1e-5 and abs(api["psi"] - own) < 0.005
    counts = [week["applications"] for week in api["weeks"]]
    assert len(counts) == 4 and sum(counts) == 20_000 and counts[:2] == [0, 0], "all of it arrived in the last week (or two, at midnight on a Sunday)"
    if counts[-1] == 20_000:
        assert abs(api["weeks"][-1]["psi"] - api["psi"]) < 1e-9
    assert api["weeks"][0]["psi"] is None and api["bands"] == {"shift": 0.1, "major_shift": 0.25}
    assert stack.json("GET", "/api/monitoring", token=token)[0] == 403
    assert stack.json("GET", "/api/monitoring?weeks=0", token=admin)[0] == 400
