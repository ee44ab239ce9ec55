"""A NumPy re-implementation of the Swift scorer, for benchmarks that need the model in Python.

It reads PAKDD 2010 files the way `Sources/CreditModel/Data/PAKDDReader.swift` does and scores
them with a model file (`models/default.json`, gradient-boosted trees, or `models/logistic.json`,
the scorecard) following `FieldEncoder.swift`, `CompiledPipeline.swift`, `RegressionTree.swift`,
`PlattCalibration.swift` and `DecisionPolicy.swift`:

* a number field reads as its number; `NULL`, a blank, `NUL` and `#DIV/0!` read as missing;
* a code made of at most nine ASCII digits is a number ("010" is 10), any other code is text;
  free-text fields that the model reads are upper-cased; a flag reads Y or 1 as 1, N or 0 as 0;
* a tree input is the number itself (NaN when missing) for a numeric encoder, and the level's
  `level_log_odds` for a categorical one (an unseen code takes the "other" level, a missing value
  the missing level);
* a split sends an input left when it is `<= cut`, and NaN the way `default_left` says;
* PD = sigmoid(slope * raw + intercept); approve when PD < approve_below, reject when
  PD >= reject_from, review otherwise.

Run as a script it checks itself against `credit score` and `credit evaluate` (see `main`).
"""

import json
import math
import subprocess
import sys

import numpy as np

MISSING_SPELLINGS = {"", "NULL", "NUL", "#DIV/0!"}
SPACES = " \t\r\n"


def canonical_code(text):
    """A categorical code as the Swift schema holds it: digit strings become numbers."""
    if 0 < len(text) <= 9 and all("0" <= c <= "9" for c in text):
        return float(int(text))
    return text


def parse_value(raw, field):
    """One file cell as the applicant holds it: a float, a str, or None for missing.

    Raises ValueError where the Swift reader would refuse the line."""
    text = raw.strip(SPACES)
    if text in MISSING_SPELLINGS:
        return None
    kind = field["type"]
    if kind == "number":
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{field['name']}: {text!r} is not a finite number")
        return value
    if kind == "category":
        return canonical_code(text)
    if kind == "flag":
        if text in ("Y", "1"):
            return 1.0
        if text in ("N", "0"):
            return 0.0
        raise ValueError(f"{field['name']}: {text!r} is not a flag")
    return text.upper() if field.get("model_input") else text


def file_fields(model):
    """The schema fields (of a loaded `CreditModel`) that have a column in a PAKDD file, in column order."""
    fields = [f for f in model.document["schema"]["fields"] if f["name"] != "applicant_name"]
    if len(fields) != 53 or fields[0]["name"] != "id_client":
        raise ValueError("unexpected schema in the model file")
    return fields


def read_pakdd(path, model):
    """Reads a PAKDD file (Latin-1, tab-separated, 53 or 54 fields) into a list of dicts.

    Each dict maps field names to values (see `parse_value`) and has `id_client` as an int;
    `target` is added when the file has the label column."""
    fields = file_fields(model)
    rows = []
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            text = line.decode("latin-1").rstrip("\n").removesuffix("\r")
            if not text:
                continue
            cells = text.split("\t")
            if len(cells) not in (53, 54):
                raise ValueError(f"{path}:{number}: {len(cells)} fields")
            row = {field["name"]: parse_value(cell, field) for field, cell in zip(fields, cells)}
            row["id_client"] = int(row["id_client"])
            if len(cells) == 54:
                row["target"] = int(cells[53])
            rows.append(row)
    return rows


class Encoder:
    """One model input: which field it reads, and how a value becomes a tree input or a level."""

    def __init__(self, spec):
        """Builds the lookups of one entry of the model file's `pipeline.encoders`."""
        self.field = spec["field"]
        self.numeric = spec["kind"] == "numeric"
        self.edges = np.asarray(spec["edges"], dtype=float)
        self.log_odds = np.asarray(spec["level_log_odds"], dtype=float)
        level_count = len(self.edges) + 2 if self.numeric else len(spec["codes"]) + 2
        self.missing_level = level_count - 1
        self.other_level = level_count - 2
        # JSON numbers and Python floats compare and hash alike, so 10 finds 10.0; text stays text.
        self.levels = {(float(c) if isinstance(c, (int, float)) else c): i for i, c in enumerate(spec["codes"])}

    def level(self, value):
        """The level of a value (a bin for numbers, a code's position for categories)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.missing_level
        if self.numeric:
            return int(np.count_nonzero(value > self.edges))
        return self.levels.get(value, self.other_level)

    def tree_value(self, value):
        """The input a tree reads: the number (NaN when missing) or the level's log-odds."""
        if self.numeric:
            return float("nan") if value is None else float(value)
        return float(self.log_odds[self.level(value)])


class CreditModel:
    """A model file loaded for scoring: pipeline, trees or scorecard, calibration and policy."""

    def __init__(self, path):
        """Loads `path` (a model JSON written by `credit train`)."""
        with open(path) as handle:
            self.document = json.load(handle)
        doc = self.document
        self.kind = doc["kind"]
        self.encoders = [Encoder(spec) for spec in doc["pipeline"]["encoders"]]
        self.input_fields = [e.field for e in self.encoders]
        self.slope = doc["calibration"]["slope"]
        self.intercept = doc["calibration"]["intercept"]
        self.approve_below = doc["policy"]["approve_below"]
        self.reject_from = doc["policy"]["reject_from"]
        if self.kind == "gbdt":
            ensemble = doc["ensemble"]
            self.base_score = ensemble["base_score"]
            self.trees = [
                (np.asarray(t["feature"], dtype=np.int64), np.asarray(t["cut"], dtype=float),
                 np.asarray(t["left"], dtype=np.int64), np.asarray(t["right"], dtype=np.int64),
                 np.asarray(t["default_left"], dtype=bool), np.asarray(t["value"], dtype=float))
                for t in ensemble["trees"]
            ]
        elif self.kind == "logistic":
            self.weights = [np.asarray(w, dtype=float) for w in doc["logistic"]["weights"]]
            self.logistic_intercept = doc["logistic"]["intercept"]
        else:
            raise ValueError(f"unsupported model kind {self.kind}")

    # Inputs

    def tree_matrix(self, rows):
        """Tree inputs of many applicants (dicts of field values), one row each."""
        matrix = np.empty((len(rows), len(self.encoders)))
        for j, encoder in enumerate(self.encoders):
            matrix[:, j] = [encoder.tree_value(row.get(encoder.field)) for row in rows]
        return matrix

    def level_matrix(self, rows):
        """Scorecard levels of many applicants, one row each."""
        matrix = np.empty((len(rows), len(self.encoders)), dtype=np.int64)
        for j, encoder in enumerate(self.encoders):
            matrix[:, j] = [encoder.level(row.get(encoder.field)) for row in rows]
        return matrix

    # Scores

    def raw_from_matrix(self, x):
        """Raw log-odds from a tree-input matrix, summed tree by tree in file order (as Swift does)."""
        n = x.shape[0]
        score = np.full(n, self.base_score)
        every = np.arange(n)
        for feature, cut, left, right, default_left, value in self.trees:
            node = np.zeros(n, dtype=np.int64)
            while True:
                split = feature[node] >= 0
                if not split.any():
                    break
                at = node[split]
                inputs = x[every[split], feature[at]]
                go_left = np.where(np.isnan(inputs), default_left[at], inputs <= cut[at])
                node[split] = np.where(go_left, left[at], right[at])
            score += value[node]
        return score

    def raw_scores(self, rows):
        """Raw log-odds (before calibration) of many applicants."""
        if self.kind == "gbdt":
            return self.raw_from_matrix(self.tree_matrix(rows))
        levels = self.level_matrix(rows)
        score = np.full(len(rows), self.logistic_intercept)
        for j, weights in enumerate(self.weights):
            score += weights[levels[:, j]]
        return score

    def probability_from_raw(self, raw):
        """Platt calibration, written as in PlattCalibration.swift to avoid overflow."""
        z = self.slope * np.asarray(raw, dtype=float) + self.intercept
        with np.errstate(over="ignore"):
            return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))

    def probabilities(self, rows):
        """Calibrated probabilities of default of many applicants."""
        return self.probability_from_raw(self.raw_scores(rows))

    def probabilities_with(self, base, fields, values):
        """PDs of one applicant (`base`) with some fields replaced: `values[k]` holds the values of
        `fields[k]` for every variant (all of the same length). Fields the model does not read are
        ignored. Much faster than building a dict per variant."""
        n = len(values[0]) if values else 1
        if self.kind == "gbdt":
            x = np.repeat(self.tree_matrix([base]), n, axis=0)
            for field, column in zip(fields, values):
                for j, encoder in enumerate(self.encoders):
                    if encoder.field == field:
                        column = np.asarray(column, dtype=float)
                        x[:, j] = column if encoder.numeric else [encoder.tree_value(v) for v in column]
            return self.probability_from_raw(self.raw_from_matrix(x))
        levels = np.repeat(self.level_matrix([base]), n, axis=0)
        for field, column in zip(fields, values):
            for j, encoder in enumerate(self.encoders):
                if encoder.field == field:
                    levels[:, j] = [encoder.level(float(v)) for v in column]
        score = np.full(n, self.logistic_intercept)
        for j, weights in enumerate(self.weights):
            score += weights[levels[:, j]]
        return self.probability_from_raw(score)

    def decision(self, pd):
        """The policy's decision for one PD: approve, review or reject."""
        if pd < self.approve_below:
            return "approve"
        if pd >= self.reject_from:
            return "reject"
        return "review"


def check_against_swift(credit, model_path, data_path):
    """Compares our PDs with `credit score` (6 decimals per row) and `credit evaluate` (full precision).

    Returns a dict of the differences found; prints nothing."""
    model = CreditModel(model_path)
    rows = read_pakdd(data_path, model)
    ours = model.probabilities(rows)
    scored = subprocess.run([credit, "score", "--model", model_path, "--data", data_path, "--format", "tsv"],
                            check=True, capture_output=True, text=True).stdout.split("\n")
    theirs = {}
    for line in scored:
        if line:
            key, value = line.split("\t")
            theirs[int(key)] = value
    printed_mismatches = sum(f"{pd:.6f}" != theirs[row["id_client"]] for row, pd in zip(rows, ours))
    max_diff_printed = max(abs(pd - float(theirs[row["id_client"]])) for row, pd in zip(rows, ours))
    # `credit evaluate --json` prints full-precision aggregates: each decile's lowest and highest PD
    # (20 exact per-row values), the mean PD per decile, the Brier score and the approval rate.
    report = json.loads(subprocess.run([credit, "evaluate", "--model", model_path, "--data", data_path, "--json"],
                                       check=True, capture_output=True, text=True).stdout)
    labels = np.array([row["target"] for row in rows], dtype=float)
    ordered = np.sort(ours)
    deciles = np.array_split(ordered, len(report["calibration"]))
    exact = []
    for piece, decile in zip(deciles, report["calibration"]):
        exact += [abs(piece[0] - decile["lower"]), abs(piece[-1] - decile["upper"]),
                  abs(piece.mean() - decile["mean_predicted"])]
    approved = float(np.mean(ours < model.approve_below))
    return {
        "rows": len(rows),
        "rows_printed_differently_at_6_decimals": int(printed_mismatches),
        "max_abs_diff_vs_6_decimal_output": float(max_diff_printed),
        "max_abs_diff_decile_bounds_and_means": float(max(exact)),
        "brier_diff": float(abs(np.mean((ours - labels) ** 2) - report["brier"])),
        "approval_rate_diff": abs(approved - report["approval_rate"]),
    }


def main(argv):
    """`python credit_eval.py CREDIT MODEL DATA`: prints the comparison with the Swift binary as JSON."""
    if len(argv) != 4:
        sys.exit("usage: credit_eval.py path/to/credit models/default.json path/to/valid.tsv")
    print(json.dumps(check_against_swift(argv[1], argv[2], argv[3]), indent=2))


if __name__ == "__main__":
    main(sys.argv)
