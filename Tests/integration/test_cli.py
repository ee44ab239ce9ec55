"""`credit score` on real PAKDD rows: the three output formats agree with each other."""
import csv
import io
import json
import os
import subprocess

import pytest

from stack import BIN, ROOT

DATA = os.environ.get("CREDIT_DATA_DIR", os.path.join(ROOT, "..", "shared", "data", "pakdd2010"))


def test_score_formats_agree(tmp_path):
    valid = os.path.join(DATA, "valid.tsv")
    if not os.path.exists(valid):
        pytest.skip(f"no PAKDD data at {DATA} (set CREDIT_DATA_DIR)")
    sample = tmp_path / "sample.tsv"
    with open(valid, "rb") as source, open(sample, "wb") as out:
        out.writelines(line for _, line in zip(range(200), source))

    def score(kind):
        return subprocess.run([os.path.join(BIN, "credit"), "score", "--model", os.path.join(ROOT, "models", "default.json"),
                               "--data", str(sample), "--format", kind, "--language", "en", "--dialect", "comma"],
                              capture_output=True, check=True).stdout.decode("utf-8-sig")

    tsv = {i: float(pd) for i, pd in (line.split("\t") for line in score("tsv").splitlines())}
    rows = list(csv.DictReader(io.StringIO(score("csv"), newline="")))
    lines = [json.loads(line) for line in score("jsonl").splitlines()]
    assert len(tsv) == len(rows) == len(lines) == 200
    assert [row["Line"] for row in rows[:3]] == ["1", "2", "3"], "PAKDD files have no header: the first applicant is line 1"
    for row, line in zip(rows, lines):
        assert row["Application ID"] == line["id"] and abs(float(row["Probability of default"]) - tsv[line["id"]]) < 1e-6
        assert row["Line"] == str(line["line"]) and row["Status"] == "Scored"
        assert row["Model decision code"] == line["decision"] in ("approve", "review", "reject")
        assert row["Final decision"] == {"approve": "Approve", "review": "Refer for review", "reject": "Reject"}[line["decision"]]
        assert int(row["Score"]) == line["score"]
        assert row["Reason 1 code"] == (line["reasons"][0]["code"] if line["reasons"] else "")
    assert {line["decision"] for line in lines} == {"approve", "review", "reject"}, "200 real rows reach every decision"


def test_reasons_report_on_real_rows(tmp_path):
    """`credit reasons`, as a validator runs it: no raw codes, every count consistent, and the
    same figures in its JSON as in its words."""
    valid = os.path.join(DATA, "valid.tsv")
    if not os.path.exists(valid):
        pytest.skip(f"no PAKDD data at {DATA} (set CREDIT_DATA_DIR)")
    rows = tmp_path / "rows.tsv"
    with open(valid, encoding="latin-1") as source:
        rows.write_text("".join(line for _, line in zip(range(600), source)), encoding="latin-1")
    model = os.path.join(ROOT, "models", "default.json")
    run = lambda *extra: subprocess.run([os.path.join(BIN, "credit"), "reasons", "--model", model, "--data", str(rows), *extra],
                                        capture_output=True, text=True, check=True).stdout
    report = json.loads(run("--json", "--compare", os.path.join(ROOT, "models", "logistic.json")))
    assert report["applicants"] == 600 and report["raw_code_reasons"] == 0
    assert 0 < report["rejected_with_actionable"] <= report["rejected"] < report["not_approved"] < 600
    assert 0 < report["with_suggestion"] <= report["not_approved"] and report["suggestions"] <= 3 * report["with_suggestion"]
    assert abs(report["recourse_coverage"] - report["with_suggestion"] / report["not_approved"]) < 1e-12
    assert 0 < report["same_top_family"] <= 1 and report["compared_model"].startswith("logistic-")
    assert sum(row["count"] for row in report["top_families"]) <= 600
    words = run()
    assert f"rejected applicants with an actionable reason: {report['rejected_with_actionable']} of {report['rejected']}" in words
    assert "reasons naming a raw code: 0" in words
