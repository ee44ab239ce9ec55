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


def import_and_compute_psi(stack, user, path):
    """Queues `path` as `user`'s batch, waits until it is scored, and returns the test's own PSI:
    validation PDs from `credit score`, traffic PDs from the batch's downloaded results."""
    batch = stack.cli("import", "--user", user, path).stdout.strip()
    token = stack.token(user)
    deadline = time.time() + 120
    while True:
        status, _, body = stack.json("GET", f"/api/batches/{batch}", token=token)
        assert status == 200, body
        if body["status"] == "done":
            break
        assert time.time() < deadline, body
        time.sleep(0.2)
    assert body["done"] == 20_000, body
    scored = subprocess.run([os.path.join(BIN, "credit"), "score", "--model", stack.env["CREDIT_MODEL"], "--data", os.path.join(DATA, "valid.tsv"),
                             "--format", "csv", "--language", "en", "--dialect", "comma"], capture_output=True, check=True).stdout
    validation = [float(row["Probability of default"]) for row in csv.DictReader(io.StringIO(scored.decode("utf-8-sig"), newline=""))]
    status, _, raw = stack.request("GET", f"/api/batches/{batch}/results.csv?dialect=comma", headers={"Accept-Language": "en"}, token=token)
    traffic = [float(row["Probability of default"]) for row in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))]
    expected, actual = decile_shares(validation, traffic)
    return psi(expected, actual)


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
    token = stack.token("monitor_feed")
    own = import_and_compute_psi(stack, "monitor_feed", prediction)
    report = json.loads(stack.cli("monitor", "--json").stdout)
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
    # Each input's stability, as the Model page shows it beside the PSI: the command's figures.
    assert api["inputs_applications"] == 20_000
    assert [row["field"] for row in api["inputs"]][:5] == [row["field"] for row in report["inputs"]][:5]
    assert all(abs(a["csi"] - bands[a["field"]]["csi"]) < 1e-5 and a["band"] == bands[a["field"]]["band"] for a in api["inputs"]), api["inputs"]
    assert stack.json("GET", "/api/monitoring", token=token)[0] == 403
    assert stack.json("GET", "/api/monitoring?weeks=0", token=admin)[0] == 400


def own_auc(scores, labels):
    """Mann-Whitney AUC with ties at half (the test's own code)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks, i = [0.0] * len(scores), 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    bad = sum(labels)
    return (sum(r for r, y in zip(ranks, labels) if y) - bad * (bad + 1) / 2) / (bad * (len(labels) - bad))


def test_back_test_on_recorded_outcomes(traffic_stack, tmp_path):
    """valid.tsv as traffic, its labels as outcomes: the back-test's AUC is the model's validation AUC."""
    stack = traffic_stack
    valid = os.path.join(DATA, "valid.tsv")
    if not os.path.exists(valid):
        pytest.skip(f"PAKDD data not found at {DATA}; put ../shared beside the checkout")
    stack.cli("user", "add", "outcome_feed", "--role", "officer", "--password-stdin", stdin=PASSWORD + "\n")
    batch = stack.cli("import", "--user", "outcome_feed", valid).stdout.strip()
    token = stack.token("outcome_feed")
    deadline = time.time() + 120
    while stack.json("GET", f"/api/batches/{batch}", token=token)[2]["status"] != "done":
        assert time.time() < deadline
        time.sleep(0.2)
    labels = {}
    with open(valid, encoding="latin-1") as file:
        for line in file:
            fields = line.rstrip("\r\n").split("\t")
            labels[fields[0]] = int(fields[53])
    # A bad line refuses the whole file, naming the line.
    bad = tmp_path / "bad.csv"
    bad.write_text("client_id;default;date\n" + "".join(f"{c};{y};2026-11-20\n" for c, y in list(labels.items())[:5]) + "12345;2;2026-11-20\n")
    refused = subprocess.run([os.path.join(BIN, "credit"), "outcomes", "import", str(bad)], env=stack.env, capture_output=True, text=True)
    assert refused.returncode != 0 and "line 7" in refused.stderr and "nothing was recorded" in refused.stderr, refused.stderr
    assert json.loads(stack.cli("monitor", "--json").stdout)["backtest"] == []
    good = tmp_path / "outcomes.csv"
    good.write_text("client_id;default;date\n" + "".join(f"{c};{y};2026-11-20\n" for c, y in labels.items()) + "999999;1;2026-11-20\n")
    recorded = stack.cli("outcomes", "import", str(good)).stdout
    assert "recorded 10000 outcomes" in recorded and "1 lines name no scored application (line 10002)" in recorded, recorded
    report = json.loads(stack.cli("monitor", "--json").stdout)
    with open(os.path.join(ROOT, "models", "default.json")) as file:
        document = json.load(file)
    cohorts = [c for c in report["backtest"] if c["model"] == document["model_id"]]
    assert len(cohorts) == 1 and cohorts[0]["applications"] == 10_000, report["backtest"]
    status, _, raw = stack.request("GET", f"/api/batches/{batch}/results.csv?dialect=comma", headers={"Accept-Language": "en"}, token=token)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    scores = [float(row["Probability of default"]) for row in rows]
    truth = [labels[row["Client ID"]] for row in rows]
    assert abs(cohorts[0]["auc"] - own_auc(scores, truth)) < 1e-6
    assert abs(cohorts[0]["auc"] - document["metrics"]["valid"]["summary"]["auc"]) < 1e-3, "the validation AUC, scored through the service"
    assert abs(cohorts[0]["bad_rate"] - sum(truth) / len(truth)) < 1e-12 and abs(cohorts[0]["bad_rate"] - 0.2608) < 1e-9
    assert sum(b["count"] for b in cohorts[0]["calibration"]) == 10_000
    assert "back-test on recorded outcomes" in stack.cli("monitor").stdout
    # The Model page's back-test (administrators) says the same.
    status, _, api = stack.json("GET", "/api/monitoring", token=stack.token("monitor_admin"))
    served = [c for c in api["backtest"] if c["model"] == document["model_id"]]
    assert status == 200 and len(served) == 1 and served[0]["applications"] == 10_000, api["backtest"]
    assert abs(served[0]["auc"] - cohorts[0]["auc"]) < 1e-6 and abs(served[0]["bad_rate"] - cohorts[0]["bad_rate"]) < 1e-6
    status, _, audit = stack.json("GET", "/api/audit?action=outcomes_imported", token=stack.token("monitor_admin"))
    assert [row["object"] for row in audit["items"]] == ["outcomes.csv"]


def test_monitor_on_the_leaderboard_files_traffic():
    """The other later population, on a store of its own: the same agreement, and drift flagged."""
    leaderboard = os.path.join(DATA, "PAKDD2010_Leaderboard_Data.txt")
    if not os.path.exists(leaderboard):
        pytest.skip(f"PAKDD data not found at {DATA}; put ../shared beside the checkout")
    stack = Stack().start()
    try:
        stack.cli("user", "add", "leaderboard_feed", "--role", "officer", "--password-stdin", stdin=PASSWORD + "\n")
        own = import_and_compute_psi(stack, "leaderboard_feed", leaderboard)
        report = json.loads(stack.cli("monitor", "--json").stdout)
        print(f"Leaderboard PSI: monitor {report['psi']:.4f}, own {own:.4f}")
        assert report["jobs"] == 20_000 and abs(report["psi"] - own) < 0.005, (report["psi"], own)
        assert [row for row in report["inputs"] if row["band"] != "stable"], "the Leaderboard file's inputs have drifted too"
    finally:
        stack.stop()
