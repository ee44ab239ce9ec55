"""Versioned models through the real stack, on both backends: `credit model challenge` puts a
challenger in the shadow of the champion (its results stored and compared, never shown to the
officer), `credit model promote` makes it the champion, `credit model rollback` returns to the
one before; the running worker follows each change, every result carries the model that made it,
and `/api/model` shows the champion in force."""
import json
import os
import subprocess
import time

import pytest

from stack import BIN, PASSWORD, ROOT, Stack, applicant


def model_id(name):
    with open(os.path.join(ROOT, "models", name + ".json")) as file:
        return json.load(file)["model_id"]


CHAMPION, CHALLENGER = model_id("default"), model_id("logistic")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def models_stack(request):
    """A stack of its own: moving the champion would change the results other suites expect."""
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgres" else None
    running = Stack(database_url=url).start()
    running.cli("user", "add", "model_admin", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    yield running
    running.stop()


def credit(stack, *args):
    return subprocess.run([os.path.join(BIN, "credit"), *args], env=stack.env, capture_output=True, text=True)


def score(stack, token, **fields):
    status, _, body = stack.json("POST", "/api/predictions", applicant(**fields), token=token)
    assert status == 202, body
    return stack.wait_done(token, body["id"])


def scored_by(stack, token, model, timeout=15):
    """Submits until a result comes from `model`: the worker follows the register within a second."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = score(stack, token)
        if job["result"]["model"] == model:
            return job
        time.sleep(0.2)
    raise AssertionError(f"no result from {model} within {timeout} s; worker log: {stack.log('worker')}")


def test_challenge_promote_and_roll_back(models_stack):
    stack = models_stack
    officer, admin = stack.token("alice"), stack.token("model_admin")
    listed = [json.loads(line) for line in credit(stack, "model", "list", "--json").stdout.splitlines()]
    roles = {entry["id"]: entry["role"] for entry in listed}
    assert roles.get(CHAMPION) == "champion" and roles.get(CHALLENGER) == "", listed
    assert credit(stack, "model", "rollback").returncode != 0, "nothing was promoted: no rollback"
    missing = credit(stack, "model", "promote", "no-such-model")
    assert missing.returncode != 0 and "no model no-such-model" in missing.stderr

    # A challenger in the shadow: results still the champion's, the challenger's compared.
    assert credit(stack, "model", "challenge", CHALLENGER).returncode == 0
    status, _, card = stack.json("GET", "/api/model")
    assert status == 200 and card["id"] == CHAMPION and card["challenger"]["id"] == CHALLENGER, card
    deadline, compared = time.time() + 15, None
    while time.time() < deadline:
        job = score(stack, officer)
        assert job["result"]["model"] == CHAMPION
        assert CHALLENGER not in json.dumps(job), "the officer never sees the challenger's result"
        status, _, seen = stack.json("GET", f"/api/predictions/{job['id']}", token=admin)
        shadowed = seen.get("challenger_result")
        status, _, compared = stack.json("GET", "/api/model/comparison", token=admin)
        assert status == 200, compared
        if compared["applications"] > 0:
            break
        time.sleep(0.2)
    assert compared and compared["applications"] > 0, f"no shadow result; worker log: {stack.log('worker')}"
    assert shadowed and shadowed["model"] == CHALLENGER and 0 < shadowed["probability_of_default"] < 1, "an administrator sees it"
    incomes = [300.0, 900.0, 1500.0, 4000.0, 12000.0]
    for index, income in enumerate(incomes * 2):
        job = score(stack, officer, personal_monthly_income=income, age=20 + 5 * index, months_in_the_job=index * 12)
        assert job["result"]["model"] == CHAMPION
    status, _, compared = stack.json("GET", "/api/model/comparison", token=admin)
    assert compared["champion"] == CHAMPION and compared["challenger"] == CHALLENGER
    assert compared["applications"] >= 1 + len(incomes) * 2
    assert sum(pair["count"] for pair in compared["decisions"]) == compared["applications"]
    agreeing = sum(pair["count"] for pair in compared["decisions"] if pair["champion"] == pair["challenger"])
    assert abs(compared["agreement_rate"] - agreeing / compared["applications"]) < 1e-6
    assert 0 < compared["mean_absolute_pd_difference"] <= compared["max_absolute_pd_difference"] < 1, "two different models"
    assert stack.json("GET", "/api/model/comparison", token=officer)[0] == 403
    assert stack.json("GET", "/api/model/comparison")[0] == 401

    # Promotion: the challenger becomes the champion, and its challenge ends.
    promoted = credit(stack, "model", "promote", CHALLENGER)
    assert promoted.returncode == 0, promoted.stderr
    under_challenger = scored_by(stack, officer, CHALLENGER)
    status, _, card = stack.json("GET", "/api/model")
    assert card["id"] == CHALLENGER and card["kind"] == "logistic" and card["challenger"] is None, card
    assert stack.json("GET", "/api/model/comparison", token=admin)[2]["challenger"] is None

    # Rollback: the champion before it, and older results keep the model that made them.
    assert credit(stack, "model", "rollback").returncode == 0
    scored_by(stack, officer, CHAMPION)
    assert stack.json("GET", "/api/model")[2]["id"] == CHAMPION
    status, _, again = stack.json("GET", f"/api/predictions/{under_challenger['id']}", token=officer)
    assert again["result"]["model"] == CHALLENGER
    assert credit(stack, "model", "rollback").returncode != 0, "back at the configured model: nothing more to roll back"

    # Each move is in the audit trail, and the chain still verifies.
    status, _, audit = stack.json("GET", "/api/audit?limit=50", token=admin)
    actions = [row["action"] for row in audit["items"]]
    for action in ("model_challenged", "model_promoted", "model_rolled_back"):
        assert action in actions, actions
    verified = credit(stack, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
