"""Batch scoring through nginx: a file of applications uploaded, validated row by row, queued,
scored by the worker and returned as CSV."""
import csv
import io
import json
import os
import subprocess
import time

import pytest

from stack import BIN, PASSWORD, ROOT, applicant


@pytest.fixture
def batcher(stack):
    """A user of its own, so that its single applications leave the other suites' histories alone."""
    if "batcher" not in stack.tokens:
        stack.cli("user", "add", "batcher", "--password-stdin", stdin=PASSWORD + "\n")
    return stack.token("batcher")


def csv_file(rows, delimiter=",", decimal_comma=False):
    out = io.StringIO()
    fields = list(rows[0].keys())
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        cells = []
        for name in fields:
            value = row[name]
            if value is None:
                cells.append("")
            elif isinstance(value, float) and decimal_comma:
                cells.append(f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return out.getvalue().encode()


def upload(stack, token, body, content_type="text/csv", name="march.csv"):
    return stack.json("POST", f"/api/batches?name={name}", body, {"Content-Type": content_type}, token=token)


def wait_batch(stack, token, batch_id, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, _, body = stack.json("GET", f"/api/batches/{batch_id}", token=token)
        assert status == 200, body
        if body["status"] == "done":
            return body
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} not done: {body}")


def results(stack, token, batch_id):
    status, headers, raw = stack.request("GET", f"/api/batches/{batch_id}/results.csv", token=token)
    assert status == 200, raw
    assert headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark for spreadsheets"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_a_csv_batch_is_scored_and_returned_in_file_order(stack, batcher):
    token = batcher
    rows = [applicant(id_client=70000 + index, age=20 + index % 50, personal_monthly_income=800.0 + 37.5 * index) for index in range(300)]
    status, headers, body = upload(stack, token, csv_file(rows))
    assert status == 202, body
    assert body["rows"] == 300 and body["name"] == "march.csv"
    assert headers["Location"].endswith(f"/api/batches/{body['id']}")
    done = wait_batch(stack, token, body["id"])
    assert done["done"] == 300 and done["failed"] == 0
    table = results(stack, token, body["id"])
    assert [row["line"] for row in table] == [str(line) for line in range(2, 302)], "one row per application, in file order"
    assert list(table[0].keys()) == ["line", "id", "client_id", "status", "probability_of_default", "score", "decision",
                                     "reason_1_code", "reason_1", "reason_2_code", "reason_2", "reason_3_code", "reason_3", "error"]
    assert table[0]["client_id"] == "70000" and table[299]["client_id"] == "70299", "the file's id_client comes back with each result"
    for row in table:
        assert row["status"] == "done" and row["decision"] in ("approve", "review", "reject")
        assert 0 < float(row["probability_of_default"]) < 1 and row["reason_1_code"] and row["reason_1"]
    # Each row is scored as the same application sent alone would be.
    single = stack.json("POST", "/api/predictions", rows[7], token=token)[2]
    alone = stack.wait_done(token, single["id"])["result"]
    assert float(table[7]["probability_of_default"]) == round(alone["probability_of_default"], 6)
    assert table[7]["reason_1_code"] == alone["reasons"][0]["code"]
    # The history shows a batch's rows too, unless asked for single applications (batch=exclude).
    history = stack.json("GET", "/api/predictions?limit=100", token=token)[2]
    assert history["items"][0]["id"] == single["id"], "newest first: the single application came after the file"
    assert {item["id"] for item in history["items"][1:]} <= {row["id"] for row in table} and history["next"]
    singles = stack.json("GET", "/api/predictions?limit=100&batch=exclude", token=token)[2]
    assert single["id"] in {item["id"] for item in singles["items"]}
    assert not any(item["id"] in {row["id"] for row in table} for item in singles["items"])
    listing = stack.json("GET", "/api/batches", token=token)[2]
    assert listing["items"][0]["id"] == body["id"]


def test_brazilian_spreadsheet_csv_and_json_lines(stack, batcher):
    token = batcher
    rows = [applicant(id_client=500 + index, personal_monthly_income=1234.5 + index) for index in range(20)]
    semicolons = b"\xef\xbb\xbf" + csv_file(rows, delimiter=";", decimal_comma=True)
    assert b"1.234,50" in semicolons
    status, _, body = upload(stack, token, semicolons, name="planilha.csv")
    assert status == 202, body
    wait_batch(stack, token, body["id"])
    table = results(stack, token, body["id"])
    job = stack.json("GET", f"/api/predictions/{table[0]['id']}", token=token)[2]
    assert job["application"]["personal_monthly_income"] == 1234.5, "1.234,50 is one thousand two hundred and thirty-four reais"
    lines = b"\n".join(json.dumps(row).encode() for row in rows) + b"\n"
    status, _, body = upload(stack, token, lines, content_type="application/x-ndjson", name="rows.jsonl")
    assert status == 202, body
    wait_batch(stack, token, body["id"])
    assert [row["client_id"] for row in results(stack, token, body["id"])] == [str(500 + index) for index in range(20)]


def test_a_file_with_bad_rows_is_refused_whole_with_every_bad_line(stack, batcher):
    token = batcher
    before = stack.json("GET", "/api/batches", token=token)[2]["items"]
    rows = [applicant(id_client=index) for index in range(50)]
    rows[3]["age"] = 300
    rows[17]["sex"] = "Q"
    rows[40]["personal_monthly_income"] = "lots"
    status, headers, body = upload(stack, token, csv_file(rows))
    assert status == 422, body
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["type"].endswith("/invalid-batch") and body["invalid_rows"] == 3 and body["total_rows"] == 50
    assert [(row["line"], sorted(row["errors"])) for row in body["rows"]] == [(5, ["age"]), (19, ["sex"]), (42, ["personal_monthly_income"])]
    assert stack.json("GET", "/api/batches", token=token)[2]["items"] == before, "nothing was queued"
    # Whole-file problems.
    assert upload(stack, token, b"age,colour\n30,blue\n")[0] == 422
    assert "colour" in upload(stack, token, b"age,colour\n30,blue\n")[2]["detail"]
    assert upload(stack, token, b"")[0] == 422
    assert upload(stack, token, csv_file(rows[:1]).split(b"\r\n")[0] + b"\r\n")[0] == 422, "a header without rows"
    assert upload(stack, token, csv_file(rows), content_type="text/plain")[0] == 415
    status, _, body = upload(stack, token, b'{"age": 30}\n[1]\nnot json\n', content_type="application/x-ndjson")
    assert status == 422 and [row["line"] for row in body["rows"]] == [1, 2, 3]
    assert stack.json("POST", "/api/batches", b"x", {"Content-Type": "text/csv"})[0] == 401


def test_another_users_batch_is_not_found(stack, batcher):
    carol, bob = batcher, stack.token("bob")
    status, _, body = upload(stack, carol, csv_file([applicant()]))
    assert status == 202
    for path in (f"/api/batches/{body['id']}", f"/api/batches/{body['id']}/results.csv"):
        status, _, problem = stack.json("GET", path, token=bob)
        assert status == 404 and problem["type"].endswith("/not-found")
    status, _, problem = stack.json("GET", "/api/batches/not-an-id/results.csv", token=bob)
    assert status == 404 and problem["type"].endswith("/not-found")


def test_credit_score_reads_the_same_file_and_gives_the_same_table(stack, batcher, tmp_path):
    rows = [applicant(id_client=900 + index, age=25 + index, personal_monthly_income=1000.0 + 250 * index) for index in range(25)]
    rows[4]["age"] = 300  # refused by the API; listed as invalid by the command
    path = tmp_path / "file.csv"
    path.write_bytes(csv_file(rows))
    out = subprocess.run([os.path.join(BIN, "credit"), "score", "--model", os.path.join(ROOT, "models", "default.json"), "--data", str(path),
                          "--format", "csv"], capture_output=True, text=True, check=True)
    offline = list(csv.DictReader(io.StringIO(out.stdout)))
    assert "1 rows" in out.stderr and offline[4]["status"] == "invalid" and "age" in offline[4]["error"]
    del rows[4]
    path.write_bytes(csv_file(rows))
    status, _, body = upload(stack, batcher, path.read_bytes())
    assert status == 202, body
    wait_batch(stack, batcher, body["id"])
    online = results(stack, batcher, body["id"])
    offline = [row for row in offline if row["status"] == "done"]
    assert len(online) == len(offline) == 24
    columns = ["client_id", "probability_of_default", "score", "decision", "reason_1_code", "reason_1", "reason_3_code"]
    for api_row, cli_row in zip(online, offline):
        assert [api_row[name] for name in columns] == [cli_row[name] for name in columns]


def test_an_anonymous_upload_is_refused_without_being_read(stack):
    """Only a caller with a valid token gets a large body read: eight anonymous 8 MB uploads at
    once get their 401 and leave the responder's peak memory where it was."""
    from concurrent.futures import ThreadPoolExecutor

    def peak():
        return int(next(line for line in open(f"/proc/{stack.responder.pid}/status") if line.startswith("VmHWM")).split()[1]) // 1024

    before = peak()
    body = b"age\n" + b"30\n" * (4 << 20)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: stack.json("POST", "/api/batches", body, {"Content-Type": "text/csv"},
                                                     token="forged.token.value")[:1] + stack.json("POST", "/api/batches", body, {"Content-Type": "text/csv"})[:1],
                                range(8)))
    assert all(statuses == (401, 401) for statuses in answers), answers
    assert peak() - before < 16, f"the responder's peak memory grew from {before} MB to {peak()} MB"
