"""A customer's request for review (LGPD Art. 20, Lei 12.414/2011 Art. 5) through nginx, on both
backends: a model reject; its officer records the customer's request with a pay slip; the queue
shows it due 15 days later (CREDIT_REVIEW_DAYS' default); a reviewer corrects the income from
the pay slip, which queues a linked re-score the worker scores and the queue leaves out; an
override approves it; every audit row of that path and the overdue metric are checked; and a
second review is refused to the reviewer who decided the first."""
import html
import re
import subprocess
from datetime import datetime, timedelta

import pytest

from stack import PASSWORD
from test_governance import scored_with

DAY = timedelta(days=1)


@pytest.fixture
def crew(stack):
    """An officer, two reviewers and an administrator, made once per stack."""
    names = {"cr_officer": "officer", "cr_reviewer": "reviewer", "cr_second": "reviewer", "cr_admin": "admin"}
    if not getattr(stack, "customer_review_ready", False):
        for name, role in names.items():
            stack.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        stack.customer_review_ready = True
    return {name: stack.token(name) for name in names}


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def overdue_requests(stack, admin):
    """The value of credit_review_requests_overdue in /api/metrics."""
    status, _, body = stack.request("GET", "/api/metrics", token=admin)
    assert status == 200
    found = re.search(rb"^credit_review_requests_overdue (\S+)$", body, re.M)
    assert found, "the metric is exported"
    return float(found.group(1))


def move_due_date_into_the_past(stack, job_id):
    """15 days cannot pass in a test: the round's due date is moved 16 days back in the database."""
    statement = f"UPDATE reviews SET due_at = due_at - 16 * 86400 WHERE decision IS NULL AND seq = (SELECT seq FROM jobs WHERE id = '{job_id}')"
    if stack.backend == "sqlite":
        subprocess.run(["sqlite3", stack.env["CREDIT_DB"], ".timeout 5000", statement], check=True, capture_output=True)
    else:
        subprocess.run(["psql", "-q", stack.env["CREDIT_DATABASE_URL"], "-c", statement], check=True, capture_output=True)


def letter_words(stack, job_id, token):
    """The customer's letter in Portuguese, as its text with the markup and spacing flattened."""
    status, headers, body = stack.request("GET", f"/api/predictions/{job_id}/letter?lang=pt-BR", token=token)
    assert status == 200 and {k.lower(): v for k, v in headers.items()}["content-type"].startswith("text/html"), body[:300]
    text = html.unescape(re.sub(r"<[^>]+>", " ", body.decode()))
    return " ".join(text.split())


def audit_rows(stack, admin, after_seq, objects):
    """The audit rows after `after_seq` about `objects`, oldest first, as (action, user, object)."""
    rows, before = [], ""
    while True:
        status, _, page = stack.json("GET", "/api/audit?limit=500" + before, token=admin)
        assert status == 200, page
        newer = [row for row in page["items"] if row["seq"] > after_seq]
        rows += newer
        if len(newer) < 500:
            break
        before = f"&before={newer[-1]['seq']}"
    return [row for row in sorted(rows, key=lambda row: row["seq"]) if row["object"] in objects]


def test_a_customer_asks_for_a_review_with_a_pay_slip_and_a_reviewer_overrides_the_model(stack, crew):
    officer, reviewer, admin = crew["cr_officer"], crew["cr_reviewer"], crew["cr_admin"]
    rejected = scored_with(stack, officer, "reject")
    assert rejected["review"] is None
    job_id = rejected["id"]
    start = stack.json("GET", "/api/audit?limit=1", token=admin)[2]["items"][0]["seq"]

    # The letter the customer takes home: not approved, the reasons, what would change it, the right to a review.
    first = letter_words(stack, job_id, officer)
    assert "Não aprovada" in first and "Aprovada" not in first.replace("Não aprovada", "")
    for reason in rejected["result"]["reasons"]:
        assert reason["texts"]["pt-BR"] in first, reason
    for option in rejected["result"]["recourse"]:
        assert option["texts"]["pt-BR"] in first, option
    assert "art. 20" in first and "12.414/2011" in first

    # The officer records the request; bad checklists and empty statements are refused first.
    path = f"/api/predictions/{job_id}/review-request"
    status, _, problem = stack.json("POST", path, {"statement": " ", "documents": ["pay_slip", "selfie"]}, token=officer)
    assert status == 422 and set(problem["errors"]) == {"statement", "documents"}, problem
    assert stack.json("POST", path, {"statement": "x"}, token=crew["cr_reviewer"])[0] == 404, "only its officer records it"
    statement = "Meu salário é R$ 1.450,00; trouxe o holerite de novembro."
    status, _, review = stack.json("POST", path, {"statement": statement, "documents": ["pay_slip"]}, token=officer)
    assert status == 201, review
    assert review["origin"] == "customer" and review["round"] == 1 and review["status"] == "open"
    assert review["statement"] == statement and review["documents"] == ["pay_slip"]
    assert instant(review["due_at"]) - instant(review["opened_at"]) == 15 * DAY
    assert review["overdue"] is False
    assert stack.json("POST", path, {"statement": "again"}, token=officer)[0] == 409, "one open round at a time"

    # The queue: customers' requests first, by due date, each with its due date.
    status, _, queue = stack.json("GET", "/api/reviews?status=open&limit=100", token=reviewer)
    assert status == 200
    reviews = [item["review"] for item in queue["items"]]
    mine = next(item for item in queue["items"] if item["id"] == job_id)
    assert mine["review"]["due_at"] == review["due_at"] and mine["review"]["statement"] == statement
    due = [r["due_at"] for r in reviews if r["origin"] == "customer"]
    assert [r["origin"] == "customer" for r in reviews] == [True] * len(due) + [False] * (len(reviews) - len(due))
    assert due == sorted(due)

    # The overdue metric counts it once its due date has passed.
    before = overdue_requests(stack, admin)
    move_due_date_into_the_past(stack, job_id)
    assert overdue_requests(stack, admin) == before + 1
    status, _, requests = stack.json("GET", "/api/review-requests?status=open", token=admin)
    assert status == 200 and any(item["id"] == job_id and item["overdue"] for item in requests["items"]), requests
    assert stack.json("GET", "/api/review-requests", token=reviewer)[0] == 403, "administrators list the requests"

    # The reviewer corrects the income from the pay slip: a linked re-score, the officer's, scored and not queued.
    path = f"/api/predictions/{job_id}/verified-inputs"
    status, _, problem = stack.json("POST", path, {"fields": {"shoe_size": 40}}, token=reviewer)
    assert status == 422 and "fields.shoe_size" in problem["errors"], problem
    status, _, problem = stack.json("POST", path, {"fields": {"personal_monthly_income": -5}}, token=reviewer)
    assert status == 422 and "personal_monthly_income" in problem["errors"], "validated like a submission"
    assert stack.json("POST", path, {"fields": {"personal_monthly_income": 1450}}, token=officer)[0] == 403
    status, _, queued = stack.json("POST", path, {"fields": {"personal_monthly_income": 1450.0, "flag_income_proof": 1}}, token=reviewer)
    assert status == 202 and queued["rescore_of"] == job_id, queued
    rescore = stack.wait_done(officer, queued["id"])
    assert rescore["status"] == "done" and rescore["rescore_of"] == job_id and rescore["review"] is None
    assert rescore["application"]["personal_monthly_income"] == 1450.0 and rescore["application"]["flag_income_proof"] == "1"
    assert rescore["application"]["age"] == rejected["application"]["age"], "the other inputs stay"
    status, _, seen = stack.json("GET", f"/api/predictions/{rescore['id']}", token=reviewer)
    assert status == 200 and seen["result"]["probability_of_default"] == rescore["result"]["probability_of_default"], "the reviewer sees it beside the original"
    queue = stack.json("GET", "/api/reviews?status=open&limit=100", token=reviewer)[2]["items"]
    assert rescore["id"] not in [item["id"] for item in queue], "a re-score with verified inputs is not queued"
    assert next(item for item in queue if item["id"] == job_id)["review"]["rescore_id"] == rescore["id"]

    # The override: approving what the model rejected.
    status, _, decided = stack.json("POST", f"/api/predictions/{job_id}/decision",
                                    {"decision": "approve", "reason_code": "income_verified", "note": "Holerite confere"}, token=reviewer)
    assert status == 200 and decided["decision"] == "approve" and decided["override"] is True, decided
    assert stack.json("GET", f"/api/predictions/{job_id}", token=officer)[2]["review"]["override"] is True

    # The letter is issued again, with the final decision, while the model's reasons stay internal.
    second = letter_words(stack, job_id, officer)
    assert "Aprovada" in second and "Não aprovada" not in second and "Holerite confere" not in second

    rows = audit_rows(stack, admin, start, {job_id, rescore["id"]})
    assert [(row["action"], row["user"], row["object"]) for row in rows] == [
        ("letter_issued", "cr_officer", job_id),
        ("customer_review_requested", "cr_officer", job_id),
        ("inputs_corrected", "cr_reviewer", job_id),
        ("view", "cr_reviewer", rescore["id"]),
        ("override", "cr_reviewer", job_id),
        ("letter_issued", "cr_officer", job_id),
    ], rows
    assert rows[0]["detail"] == rows[5]["detail"] == "pt-BR", "the letter's language"
    assert rows[1]["detail"] == "round 1; documents: pay_slip" and statement not in rows[1]["detail"]
    assert rows[2]["detail"] == f"rescore {rescore['id']}; fields: flag_income_proof, personal_monthly_income"
    assert "1450" not in rows[2]["detail"], "field names, never values"
    assert rows[4]["detail"] == "approve income_verified (model: reject)"
    assert overdue_requests(stack, admin) == before, "a decided request is no longer overdue"


def test_a_second_review_is_never_decided_by_the_reviewer_of_the_first(stack, crew):
    officer, reviewer, second = crew["cr_officer"], crew["cr_reviewer"], crew["cr_second"]
    job = scored_with(stack, officer, "reject")
    status, _, first = stack.json("POST", f"/api/predictions/{job['id']}/decision",
                                  {"decision": "decline", "reason_code": "debt_burden", "note": ""}, token=reviewer)
    assert status == 200 and first["override"] is False, "declining a reject agrees with the model"
    status, _, round2 = stack.json("POST", f"/api/predictions/{job['id']}/review-request",
                                   {"statement": "Quitei a dívida do cartão.", "documents": ["bank_statement", "other"]}, token=officer)
    assert status == 201 and round2["round"] == 2 and round2["previous_decided_by"] == "cr_reviewer", round2
    body = {"decision": "approve", "reason_code": "income_verified", "note": ""}
    status, headers, problem = stack.json("POST", f"/api/predictions/{job['id']}/decision", body, token=reviewer)
    assert status == 403 and headers["Content-Type"].startswith("application/problem+json"), problem
    assert problem["type"] == "/problems/second-review-by-same-reviewer"
    assert problem["detail"] == "Você decidiu a análise anterior desta proposta; outro analista deve decidir esta.", problem
    english = stack.request("POST", f"/api/predictions/{job['id']}/decision", body, {"Accept-Language": "en"}, token=reviewer)
    assert b"another reviewer must decide this one" in english[2]
    status, _, decided = stack.json("POST", f"/api/predictions/{job['id']}/decision", body, token=second)
    assert status == 200 and decided["round"] == 2 and decided["decided_by"] == "cr_second" and decided["override"] is True
