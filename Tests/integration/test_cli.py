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
