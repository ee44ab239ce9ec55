"""Roles, the review queue, accounts and the audit trail through nginx, on both backends: who can
see and do what, a reviewer deciding a referred application, an override its officer sees, a
password change that revokes the old token at once, and an audit trail that `credit audit verify`
checks (and that fails once a row is changed with sqlite3)."""
import os
import shutil
import subprocess
import tempfile

import pytest

from stack import BIN, PASSWORD, applicant

NEW_PASSWORD = "a brand new password 42"


@pytest.fixture
def people(stack):
    """Accounts of each role, made once per stack with the command line."""
    for name, role in (("gov_officer", "officer"), ("gov_other", "officer"), ("gov_reviewer", "reviewer"), ("gov_admin", "admin")):
        if not getattr(stack, "governance_ready", False):
            stack.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    stack.governance_ready = True
    return {name: stack.token(name) for name in ("gov_officer", "gov_other", "gov_reviewer", "gov_admin")}


def submit(stack, token, **fields):
    status, _, body = stack.json("POST", "/api/predictions", applicant(**fields), token=token)
    assert status == 202, body
    return stack.wait_done(token, body["id"])


def scored_with(stack, token, decision):
    """An application the model decides `decision` for, from plausible variants (riskiest
    first: young, little income, new in job and home, an early payment day)."""
    import itertools
    for age, income, months, day in itertools.product((18, 21, 25, 35, 55), (100.0, 900.0, 8000.0), (0, 60), (1, 10)):
        job = submit(stack, token, age=age, personal_monthly_income=income, months_in_the_job=months, months_in_residence=months, payment_day=day)
        if job["result"]["decision"] == decision:
            return job
    raise AssertionError(f"no variant was decided {decision}")


def test_each_role_is_refused_what_it_may_not_do(stack, people):
    officer, reviewer = people["gov_officer"], people["gov_reviewer"]
    for method, path, body in (("GET", "/api/reviews", None), ("GET", "/api/users", None), ("GET", "/api/audit", None),
                               ("POST", "/api/users", {"name": "x", "role": "officer", "password": NEW_PASSWORD}),
                               ("PATCH", "/api/users/gov_other", {"disabled": True})):
        status, headers, problem = stack.json(method, path, body, token=officer)
        assert status == 403, (path, problem)
        assert headers["Content-Type"].startswith("application/problem+json")
        assert "officer" in problem["detail"]
    for method, path, body in (("GET", "/api/users", None), ("GET", "/api/audit", None), ("PATCH", "/api/users/gov_other", {"role": "admin"})):
        status, _, problem = stack.json(method, path, body, token=reviewer)
        assert status == 403, (path, problem)
    job = submit(stack, people["gov_other"])
    status, _, problem = stack.json("POST", f"/api/predictions/{job['id']}/decision",
                                    {"decision": "approve", "reason_code": "income_verified", "note": ""}, token=officer)
    assert status == 403, problem
    # Another officer's application does not exist for an officer, nor for a reviewer until it is in review.
    assert stack.json("GET", f"/api/predictions/{job['id']}", token=officer)[0] == 404
    assert stack.json("GET", f"/api/predictions/{job['id']}", token=reviewer)[0] == 404
    assert stack.json("GET", f"/api/predictions/{job['id']}", token=people["gov_admin"])[0] == 200
    assert stack.json("GET", "/api/reviews", token=people["gov_admin"])[0] == 200, "an administrator can do what a reviewer can"


def test_a_reviewer_decides_a_referred_application_and_its_officer_sees_it(stack, people):
    officer, reviewer = people["gov_officer"], people["gov_reviewer"]
    job = scored_with(stack, officer, "review")
    assert job["review"]["status"] == "open" and job["review"]["origin"] == "model"
    queue = stack.json("GET", "/api/reviews?status=open&limit=100", token=reviewer)[2]
    entry = next(item for item in queue["items"] if item["id"] == job["id"])
    assert entry["application"]["applicant_name"] == "Maria Souza", "the queue shows the application as submitted"
    assert entry["result"]["reasons"], "and the model's reasons"
    assert entry["review"]["officer"] == "gov_officer"
    status, _, seen = stack.json("GET", f"/api/predictions/{job['id']}", token=reviewer)
    assert status == 200 and seen["submitted_by"] == "gov_officer"
    # Bad decisions get precise problems.
    status, _, problem = stack.json("POST", f"/api/predictions/{job['id']}/decision", {"decision": "maybe", "reason_code": "nope"}, token=reviewer)
    assert status == 422 and set(problem["errors"]) == {"decision", "reason_code"}, problem
    status, _, problem = stack.json("POST", f"/api/predictions/{job['id']}/decision", {"decision": "decline", "reason_code": "other"}, token=reviewer)
    assert status == 422 and "note" in problem["errors"], "Other needs a note"
    status, _, decided = stack.json("POST", f"/api/predictions/{job['id']}/decision",
                                    {"decision": "decline", "reason_code": "debt_burden", "note": "Rent takes 60% of income"}, token=reviewer)
    assert status == 200, decided
    assert decided["decision"] == "decline" and decided["decided_by"] == "gov_reviewer"
    status, _, problem = stack.json("POST", f"/api/predictions/{job['id']}/decision",
                                    {"decision": "approve", "reason_code": "income_verified", "note": ""}, token=reviewer)
    assert status == 409, problem
    mine = stack.json("GET", f"/api/predictions/{job['id']}", token=officer)[2]
    assert mine["result"]["decision"] == "review", "the model's decision stays"
    assert mine["review"]["decision"] == "decline" and mine["review"]["reason_code"] == "debt_burden"
    assert mine["review"]["decided_at"]
    open_ids = [item["id"] for item in stack.json("GET", "/api/reviews?status=open&limit=100", token=reviewer)[2]["items"]]
    assert job["id"] not in open_ids
    decided_ids = [item["id"] for item in stack.json("GET", "/api/reviews?status=decided&limit=100", token=reviewer)[2]["items"]]
    assert job["id"] in decided_ids


def test_an_officer_sends_to_review_and_an_override_is_visible(stack, people):
    officer, reviewer = people["gov_officer"], people["gov_reviewer"]
    approved = scored_with(stack, officer, "approve")
    status, _, problem = stack.json("POST", f"/api/predictions/{approved['id']}/review", {"note": ""}, token=officer)
    assert status == 422, problem
    status, _, problem = stack.json("POST", f"/api/predictions/{approved['id']}/review", {"note": "Check the income"}, token=people["gov_other"])
    assert status == 404, "only its officer sends an application to review"
    status, _, review = stack.json("POST", f"/api/predictions/{approved['id']}/review", {"note": "Check the income"}, token=officer)
    assert status == 201 and review["origin"] == "officer" and review["request_note"] == "Check the income"
    assert stack.json("POST", f"/api/predictions/{approved['id']}/review", {"note": "again"}, token=officer)[0] == 409
    rejected = scored_with(stack, officer, "reject")
    status, _, decided = stack.json("POST", f"/api/predictions/{rejected['id']}/decision",
                                    {"decision": "approve", "reason_code": "collateral", "note": "Guarantor signed"}, token=reviewer)
    assert status == 200 and decided["origin"] == "override"
    mine = stack.json("GET", f"/api/predictions/{rejected['id']}", token=officer)[2]
    assert mine["result"]["decision"] == "reject" and mine["review"]["decision"] == "approve"
    overrides = stack.json("GET", "/api/audit?action=override", token=people["gov_admin"])[2]["items"]
    assert any(row["object"] == rejected["id"] and row["user"] == "gov_reviewer" for row in overrides)


def test_a_password_change_revokes_the_old_token_at_once(stack):
    stack.cli("user", "add", "gov_changer", "--password-stdin", stdin=PASSWORD + "\n")
    old = stack.login("gov_changer")[2]["access_token"]
    status, _, problem = stack.json("POST", "/api/account/password", {"current_password": "wrong password!!", "new_password": NEW_PASSWORD}, token=old)
    assert status == 422 and "current_password" in problem["errors"]
    status, _, problem = stack.json("POST", "/api/account/password", {"current_password": PASSWORD, "new_password": "short"}, token=old)
    assert status == 422 and "new_password" in problem["errors"]
    status, _, fresh = stack.json("POST", "/api/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, token=old)
    assert status == 200, fresh
    for method, path, body in (("GET", "/api/predictions", None), ("POST", "/api/predictions", applicant())):
        status, _, problem = stack.json(method, path, body, token=old)
        assert status == 401, (path, problem)
    assert stack.json("GET", "/api/predictions", token=fresh["access_token"])[0] == 200
    assert stack.login("gov_changer")[0] == 400, "the old password is gone"
    assert stack.login("gov_changer", NEW_PASSWORD)[0] == 200


def test_an_administrator_manages_accounts_and_changes_count_at_once(stack, people):
    admin = people["gov_admin"]
    status, headers, created = stack.json("POST", "/api/users", {"name": "gov_newbie", "role": "officer", "password": "one time password 1"}, token=admin)
    assert status == 201 and created["must_change_password"], created
    assert stack.json("POST", "/api/users", {"name": "gov_newbie", "role": "officer", "password": "one time password 1"}, token=admin)[0] == 409
    status, _, problem = stack.json("POST", "/api/users", {"name": "bad name!", "role": "boss", "password": "x"}, token=admin)
    assert status == 422 and set(problem["errors"]) == {"name", "role", "password"}
    signed = stack.login("gov_newbie", "one time password 1")[2]
    assert signed["must_change_password"] is True and signed["role"] == "officer"
    token = signed["access_token"]
    status, _, problem = stack.json("GET", "/api/predictions", token=token)
    assert status == 403 and problem["type"].endswith("password-change-required")
    status, _, fresh = stack.json("POST", "/api/account/password", {"current_password": "one time password 1", "new_password": NEW_PASSWORD}, token=token)
    assert status == 200 and fresh["must_change_password"] is False
    token = fresh["access_token"]
    assert stack.json("GET", "/api/reviews", token=token)[0] == 403
    assert stack.json("PATCH", "/api/users/gov_newbie", {"role": "reviewer"}, token=admin)[0] == 200
    assert stack.json("GET", "/api/reviews", token=token)[0] == 200, "a new role counts at once, with the same token"
    assert stack.json("PATCH", "/api/users/gov_newbie", {"disabled": True}, token=admin)[0] == 200
    assert stack.json("GET", "/api/reviews", token=token)[0] == 401, "a disabled account's token stops at once"
    assert stack.json("PATCH", "/api/users/gov_newbie", {"disabled": False, "password": "another one time 22"}, token=admin)[0] == 200
    assert stack.json("GET", "/api/reviews", token=token)[0] == 401, "a reset password revokes the token"
    assert stack.login("gov_newbie", "another one time 22")[2]["must_change_password"] is True
    status, _, problem = stack.json("PATCH", "/api/users/gov_admin", {"disabled": True}, token=admin)
    assert status == 422 and "disabled" in problem["errors"], "an administrator cannot lock themselves out"
    assert stack.json("PATCH", "/api/users/nobody_here", {"role": "admin"}, token=admin)[0] == 404
    names = {user["name"]: user for user in stack.json("GET", "/api/users", token=admin)[2]["items"]}
    assert names["gov_newbie"]["role"] == "reviewer" and names["gov_admin"]["role"] == "admin"
    assert "password_hash" not in names["gov_admin"] and all("hash" not in key for key in names["gov_admin"])


def test_the_audit_trail_records_who_did_what_and_verifies(stack, people):
    admin, officer = people["gov_admin"], people["gov_officer"]
    job = submit(stack, officer)
    stack.login("gov_officer", "not the password 1")
    rows = stack.json("GET", "/api/audit?limit=500", token=admin)[2]["items"]
    # Other suites share the stack, so each action is looked for by itself.
    for action in ("sign_in", "sign_in_failed", "submission", "account_created", "model_loaded"):
        found = stack.json("GET", f"/api/audit?action={action}&limit=1", token=admin)[2]["items"]
        assert [row["action"] for row in found] == [action]
    submission = next(row for row in rows if row["action"] == "submission" and row["object"] == job["id"])
    assert submission["user"] == "gov_officer" and submission["address"]
    failed = next(row for row in rows if row["action"] == "sign_in_failed" and row["user"] == "gov_officer")
    assert failed["detail"] == "wrong password"
    text = str(rows)
    assert PASSWORD not in text and "not the password 1" not in text and "Bearer" not in text, "never a password or a token"
    only = stack.json("GET", "/api/audit?user=gov_officer&action=submission", token=admin)[2]["items"]
    assert only and all(row["user"] == "gov_officer" and row["action"] == "submission" for row in only)
    page = stack.json("GET", "/api/audit?limit=2", token=admin)[2]
    assert len(page["items"]) == 2 and page["next"]
    status, _, problem = stack.json("GET", "/api/audit?action=dance&since=yesterday", token=admin)
    assert status == 400 and set(problem["errors"]) == {"action", "since"}
    verified = stack.cli("audit", "verify")
    assert "intact" in verified.stdout
    exported = stack.cli("audit", "export", "--format", "csv").stdout.splitlines()
    assert exported[0].startswith("seq,at,actor") and len(exported) > len(rows) // 2


def test_audit_verify_fails_after_a_row_is_changed_with_sqlite3(stack, people):
    if stack.backend != "sqlite":
        pytest.skip("the tampering is done with the sqlite3 shell on a copy of the SQLite file")
    copy_dir = tempfile.mkdtemp(prefix="credit-audit-")
    try:
        copy = os.path.join(copy_dir, "credit.sqlite")
        subprocess.run(["sqlite3", stack.env["CREDIT_DB"], f".backup {copy}"], check=True)
        os.chmod(copy, 0o600)
        env = dict(stack.env, CREDIT_DB=copy)
        ok = subprocess.run([os.path.join(BIN, "credit"), "audit", "verify"], env=env, capture_output=True, text=True)
        assert ok.returncode == 0, ok.stderr
        refused = subprocess.run(["sqlite3", copy, "UPDATE audit SET detail = 'x' WHERE seq = 2"], capture_output=True, text=True)
        assert refused.returncode != 0 and "append-only" in refused.stderr, "a plain UPDATE is refused by the trigger"
        subprocess.run(["sqlite3", copy, "DROP TRIGGER audit_no_update; UPDATE audit SET actor_name = 'mallory' WHERE seq = 2"], check=True)
        broken = subprocess.run([os.path.join(BIN, "credit"), "audit", "verify"], env=env, capture_output=True, text=True)
        assert broken.returncode != 0
        assert "broken at row 2" in broken.stderr + broken.stdout
    finally:
        shutil.rmtree(copy_dir, ignore_errors=True)


def test_a_short_retention_needs_to_be_allowed(stack):
    env = dict(stack.env, CREDIT_RETENTION_DAYS="30")
    refused = subprocess.run([os.path.join(BIN, "credit"), "db", "prune"], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "760" in refused.stderr
    env["CREDIT_RETENTION_ALLOW_SHORT"] = "1"
    allowed = subprocess.run([os.path.join(BIN, "credit"), "db", "prune"], env=env, capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr
    kept = subprocess.run([os.path.join(BIN, "credit"), "db", "prune"], env=stack.env, capture_output=True, text=True)
    assert "every application is kept" in kept.stdout


def test_after_a_retention_purge_the_api_keeps_the_result_and_gives_no_application(stack, people):
    """The application is stored once, as its record; a purge removes it, and the API then says
    `application: null` (valid JSON) while the result and the tombstone stay."""
    if stack.backend != "sqlite":
        pytest.skip("ages a finished job by editing the SQLite file; the purge itself is in the store contract suite on both backends")
    officer = people["gov_officer"]
    job = submit(stack, officer, applicant_name="Purged Person")
    assert job["application"]["applicant_name"] == "Purged Person" and job["application"]["age"] == applicant()["age"]
    subprocess.run(["sqlite3", stack.env["CREDIT_DB"], f"UPDATE jobs SET completed_at = completed_at - 40 * 86400 WHERE id = '{job['id']}'"], check=True)
    env = dict(stack.env, CREDIT_RETENTION_DAYS="30", CREDIT_RETENTION_ALLOW_SHORT="1")
    pruned = subprocess.run([os.path.join(BIN, "credit"), "db", "prune"], env=env, capture_output=True, text=True)
    assert pruned.returncode == 0, pruned.stderr
    status, _, after = stack.json("GET", f"/api/predictions/{job['id']}", token=officer)
    assert status == 200, after
    assert after["application"] is None and after["applicant_name"] is None
    assert after["result"] == job["result"] and after["status"] == "done"


def test_the_first_account_administers_and_existing_users_become_officers(stack, tmp_path):
    if stack.backend != "sqlite":
        pytest.skip("a fresh SQLite file stands for a new installation")
    env = dict(stack.env, CREDIT_DB=str(tmp_path / "fresh.sqlite"))
    env.pop("CREDIT_DATABASE_URL", None)

    def add(name, *extra):
        return subprocess.run([os.path.join(BIN, "credit"), "user", "add", name, *extra, "--password-stdin"], env=env, input=PASSWORD + "\n",
                              capture_output=True, text=True, check=True).stdout

    assert "(admin" in add("boss")
    assert "(officer)" in add("clerk")
    assert "(reviewer)" in add("checker", "--role", "reviewer")
    listing = subprocess.run([os.path.join(BIN, "credit"), "user", "list"], env=env, capture_output=True, text=True, check=True).stdout
    roles = dict(line.split("\t")[:2] for line in listing.splitlines())
    assert roles == {"boss": "admin", "checker": "reviewer", "clerk": "officer"}
    bad = subprocess.run([os.path.join(BIN, "credit"), "user", "add", "x", "--role", "king", "--password-stdin"], env=env, input=PASSWORD + "\n",
                         capture_output=True, text=True)
    # ArgumentParser rejects a value outside Role (exit 64, EX_USAGE) and names the allowed ones.
    assert bad.returncode == 64 and "Please provide one of 'officer', 'reviewer' or 'admin'" in bad.stderr, bad.stderr


def test_credit_export_archives_applications_with_their_final_decisions(stack, people):
    import csv
    import io
    import json
    officer, reviewer = people["gov_officer"], people["gov_reviewer"]
    job = scored_with(stack, officer, "approve")
    assert stack.json("POST", f"/api/predictions/{job['id']}/decision",
                      {"decision": "decline", "reason_code": "fraud_suspected", "note": "ID mismatch"}, token=reviewer)[0] == 200
    exported = stack.cli("export", "--format", "csv", "--language", "en", "--dialect", "comma").stdout
    assert exported.startswith("\ufeffApplication ID,Officer,"), "a byte-order mark for spreadsheets"
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"), newline="")))
    row = next(row for row in rows if row["Application ID"] == job["id"])
    assert row["Officer"] == "gov_officer" and row["Model decision code"] == "approve"
    assert row["Final decision"] == "Declined" and row["Decision origin"] == "Reviewer's override of the model"
    assert row["Review reason code"] == "fraud_suspected" and row["Reviewer"] == "gov_reviewer"
    assert json.loads(row["Application"])["applicant_name"] == "Maria Souza"
    # In Portuguese, as Excel in Brazil opens it: semicolons, decimal commas, the decision in words.
    portuguese = list(csv.DictReader(io.StringIO(stack.cli("export", "--format", "csv", "--language", "pt-BR").stdout.lstrip("\ufeff"),
                                                 newline=""), delimiter=";"))
    row = next(row for row in portuguese if row["ID da proposta"] == job["id"])
    assert row["Decisão final"] == "Recusada" and row["Probabilidade de inadimplência"].startswith("0,")
    lines = [json.loads(line) for line in stack.cli("export", "--format", "jsonl", "--since", "2026-01-01").stdout.splitlines()]
    exported = next(line for line in lines if line["id"] == job["id"])
    assert exported["result"]["decision"] == "approve" and exported["application"]["age"] == job["application"]["age"]
    assert stack.json("GET", "/api/audit?action=export&limit=1", token=people["gov_admin"])[2]["items"][0]["object"] == "applications"


def test_api_keys_for_machine_clients(stack, people):
    """A key made on the command line submits and reads as its own account, is stored hashed,
    cannot sign in with a password, keeps to its role, is listed with its last use, and stops
    at once when revoked; both moves are audited."""
    name = f"loan-system-{stack.backend}"
    created = stack.cli("apikey", "create", name, "--role", "officer")
    key = created.stdout.strip()
    assert key.startswith("ck_") and len(key) == 46 and "cannot be shown again" in created.stderr
    status, _, body = stack.json("POST", "/api/predictions", applicant(applicant_name="By key"), token=key)
    assert status == 202, body
    assert stack.wait_done(key, body["id"])["status"] == "done"
    assert stack.json("GET", "/api/predictions", token=key)[2]["items"][0]["id"] == body["id"]
    assert stack.json("GET", "/api/users", token=key)[0] == 403, "an officer's key is no admin"
    assert stack.json("GET", "/api/predictions", token=key[:-1] + ("A" if key[-1] != "A" else "B"))[0] == 401
    assert stack.login(name, "!")[0] == 400, "the key's account has no password"
    listed = [line for line in stack.cli("apikey", "list").stdout.splitlines() if line.startswith(name + "\t")]
    assert len(listed) == 1 and key not in listed[0] and key[:8] in listed[0] and "last used never" not in listed[0], listed
    if stack.backend == "sqlite":
        import sqlite3
        database = sqlite3.connect(stack.env["CREDIT_DB"], timeout=10)
        dump = "\n".join(database.iterdump())
        assert key not in dump and key[3:] not in dump, "only the key's SHA-256 is stored"
    stack.cli("apikey", "revoke", name)
    assert stack.json("GET", "/api/predictions", token=key)[0] == 401, "a revoked key stops at once"
    status, _, audit = stack.json("GET", "/api/audit?limit=100", token=people["gov_admin"])
    actions = {(row["action"], row["object"]) for row in audit["items"]}
    assert ("api_key_created", name) in actions and ("api_key_revoked", name) in actions
