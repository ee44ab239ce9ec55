"""The reference side of the recourse benchmark: DiCE (the `dice-ml` package) on our own model.

For applicants that the model does not approve, recourse is the smallest change to the inputs an
applicant can act on that moves the decision up one step: a reject to at least review
(PD < reject_from), a review to approve (PD < approve_below). This script

* `sample`: picks a fixed, seeded sample of not-approved applicants of a PAKDD file and writes
  their ids, one per line (the Swift side reads the same file);
* `run`: asks DiCE for up to three counterfactuals per applicant, varying only the actionable
  inputs, each only upwards and within its limit, then rescores every counterfactual with our
  evaluator (`credit_eval.py`) and prints one JSON object with the figures;
* `table`: prints ours (`credit recourse-benchmark`'s JSON) and each DiCE run side by side.

DiCE sees a model through `predict_proba`. `TargetClassifier` wraps our model per applicant as a
binary classifier (class 1: the applicant reaches the target decision); DiCE is shown only the
actionable columns, and the wrapper holds the rest of the applicant fixed. That is the lightest
set-up DiCE can have (fewer columns to sample, copy and encode), so its times here are a floor.
"""

import argparse
import contextlib
import io
import json
import math
import os
import platform
import random
import signal
import statistics
import sys
import time

os.environ.setdefault("TQDM_DISABLE", "1")  # DiCE shows a progress bar per call otherwise

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from credit_eval import CreditModel, read_pakdd  # noqa: E402

# The inputs an applicant can act on: how each may move (only up), its step and its upper limit.
# Flags go from 0 to 1 only. Five of the flags (documents and mobile phone) are constant in the
# training data, so the model does not read them: changing them cannot help, but they stay
# actionable here so that both sides search the same space.
ACTIONABLE = [
    {"field": "personal_monthly_income", "kind": "amount", "step": 50, "limit": 20_000},
    {"field": "other_incomes", "kind": "amount", "step": 50, "limit": 10_000},
    {"field": "personal_assets_value", "kind": "amount", "step": 1_000, "limit": 500_000},
    {"field": "quant_banking_accounts", "kind": "count", "step": 1, "limit": 2},
    {"field": "flag_income_proof", "kind": "flag", "step": 1, "limit": 1},
    {"field": "flag_home_address_document", "kind": "flag", "step": 1, "limit": 1},
    {"field": "flag_rg", "kind": "flag", "step": 1, "limit": 1},
    {"field": "flag_cpf", "kind": "flag", "step": 1, "limit": 1},
    {"field": "flag_email", "kind": "flag", "step": 1, "limit": 1},
    {"field": "flag_mobile_phone", "kind": "flag", "step": 1, "limit": 1},
    {"field": "flag_residencial_phone", "kind": "flag", "step": 1, "limit": 1},
    {"field": "flag_professional_phone", "kind": "flag", "step": 1, "limit": 1},
]
FIELDS = [a["field"] for a in ACTIONABLE]
SPEC = {a["field"]: a for a in ACTIONABLE}
OUTCOME = "reaches_target"


def target_for(model, pd_value):
    """The PD an applicant must get below: reject_from for a reject, approve_below for a review."""
    decision = model.decision(pd_value)
    if decision == "reject":
        return decision, model.reject_from
    if decision == "review":
        return decision, model.approve_below
    return decision, None


def current_value(row, field):
    """An actionable field's value for the applicant; a missing one counts as 0 (never in these data)."""
    value = row.get(field)
    return 0.0 if value is None else float(value)


def sample_ids(model, rows, count, seed):
    """A sorted, seeded sample of `count` ids of the applicants the model does not approve."""
    pds = model.probabilities(rows)
    candidates = sorted(row["id_client"] for row, p in zip(rows, pds) if model.decision(p) != "approve")
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(candidates), size=min(count, len(candidates)), replace=False)
    return sorted(candidates[i] for i in chosen), len(candidates)


class TargetClassifier:
    """One applicant's view of the model as a binary classifier over the actionable columns.

    `predict_proba` gives class 1 a probability above one half exactly when the changed applicant's
    PD is below the target; the margin is smooth (a logistic of the log-odds distance, scaled) so a
    search that follows the probability (DiCE's genetic method) sees which way to go."""

    SHARPNESS = 20.0

    def __init__(self, model):
        """Wraps a loaded `CreditModel`; call `set_applicant` before use."""
        self.model = model
        self.classes_ = np.array([0, 1])
        self.applicant = None
        self.target = None
        self.calls = 0
        self.rows_scored = 0

    def set_applicant(self, row, target):
        """Holds `row` fixed except for the actionable columns; class 1 means PD < `target`."""
        self.applicant = row
        self.target = target

    def pd_of(self, frame):
        """PDs of the applicant with the actionable columns of each row of `frame` put in."""
        values = [frame[field].to_numpy(dtype=float) for field in FIELDS]
        return self.model.probabilities_with(self.applicant, FIELDS, values)

    def predict_proba(self, frame):
        """Two columns, P(class 0) and P(class 1), one row per row of `frame`."""
        self.calls += 1
        self.rows_scored += len(frame)
        pds = np.clip(self.pd_of(frame), 1e-12, 1 - 1e-12)
        margin = math.log(self.target / (1 - self.target)) - np.log(pds / (1 - pds))
        p1 = 1.0 / (1.0 + np.exp(-self.SHARPNESS * margin))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, frame):
        """Class labels (1 when the target is reached)."""
        return (self.pd_of(frame) < self.target).astype(int)


def check_suggestion(model, row, target, suggestion):
    """Rescores one counterfactual and checks it: changes only actionable inputs, each upwards,
    within its limit (counts whole), and reaches the target. Returns a dict describing it."""
    changed, problems = [], []
    values = {}
    for field in FIELDS:
        old, new = current_value(row, field), float(suggestion[field])
        values[field] = new
        if new == old:
            continue
        changed.append(field)
        spec = SPEC[field]
        if new < old:
            problems.append(f"{field} goes down")
        if new > spec["limit"]:
            problems.append(f"{field} above its limit")
        if spec["kind"] in ("count", "flag") and new != round(new):
            problems.append(f"{field} not whole")
    extra = set(suggestion) - set(FIELDS) - {OUTCOME}
    if extra:
        problems.append("non-actionable inputs changed: " + ", ".join(sorted(extra)))
    pd_value = float(model.probabilities_with(row, FIELDS, [[values[f]] for f in FIELDS])[0])
    if not pd_value < target:
        problems.append("does not reach the target")
    # The same suggestion rounded up to each input's step (what a customer would be told).
    snapped = {f: (v if v == current_value(row, f) else min(math.ceil(v / SPEC[f]["step"]) * SPEC[f]["step"], SPEC[f]["limit"]))
               for f, v in values.items()}
    snapped_pd = float(model.probabilities_with(row, FIELDS, [[snapped[f]] for f in FIELDS])[0])
    return {"valid": not problems, "valid_on_steps": not problems and snapped_pd < target, "changed": changed,
            "pd": pd_value, "problems": problems, "values": {f: values[f] for f in changed},
            "unread_changes": [f for f in changed if f not in model.input_fields]}


def candidate_values(model, field, value, limit):
    """Every value of an amount that can score differently, from `value` up to `limit`: the limit
    alone when the trees are trained to be non-increasing in it, else just above every split
    (or scorecard bin edge) in range."""
    j = model.input_fields.index(field) if field in model.input_fields else None
    if j is None or value >= limit:
        return [value]
    if model.kind == "gbdt":
        constraints = (model.document["parameters"].get("boosting") or {}).get("monotone_constraints") or []
        if j < len(constraints) and constraints[j] < 0:
            return [limit]
        cuts = {float(c) for tree in model.trees for f, c in zip(tree[0], tree[1]) if f == j}
    else:
        cuts = set(model.encoders[j].edges.tolist())
    return sorted({value, limit} | {float(np.nextafter(c, math.inf)) for c in cuts if value <= c < limit})


def reachable(model, row, target):
    """Whether any allowed change reaches the target, trying every value of each input that can
    score differently (see `candidate_values`) in every combination."""
    grids = []
    for field in FIELDS:
        value, spec = current_value(row, field), SPEC[field]
        if spec["kind"] == "amount":
            grids.append(candidate_values(model, field, value, spec["limit"]))
        elif field in model.input_fields:
            grids.append(sorted({value} | set(range(int(math.ceil(value)), int(spec["limit"]) + 1))))
        else:
            grids.append([value])  # not read by the model: changing it cannot help
    combos = np.array(np.meshgrid(*grids, indexing="ij")).reshape(len(FIELDS), -1)
    return bool((model.probabilities_with(row, FIELDS, list(combos)) < target).any())


def dice_data(model, train_path):
    """DiCE's data interface: the actionable columns of the training file, as DiCE expects to get."""
    import dice_ml

    rows = read_pakdd(train_path, model)
    frame = pd.DataFrame({f: [current_value(r, f) for r in rows] for f in FIELDS})
    for field in FIELDS:
        if SPEC[field]["kind"] in ("count", "flag"):
            frame[field] = frame[field].astype(np.int64)
    pds = model.probabilities(rows)
    frame[OUTCOME] = (pds < model.approve_below).astype(np.int64)
    precision = {f: 0 for f in FIELDS}  # whole reais, whole counts, 0/1 flags
    return dice_ml.Data(dataframe=frame, continuous_features=FIELDS, outcome_name=OUTCOME,
                        continuous_features_precision=precision)


def query_for(row):
    """The applicant's actionable columns as a one-row frame, with the dtypes of DiCE's data."""
    frame = pd.DataFrame({f: [current_value(row, f)] for f in FIELDS})
    for field in FIELDS:
        if SPEC[field]["kind"] in ("count", "flag"):
            frame[field] = frame[field].astype(np.int64)
    return frame


def movable(row):
    """The actionable fields that can still go up for this applicant, with their permitted ranges."""
    ranges = {}
    for field in FIELDS:
        value, limit = current_value(row, field), SPEC[field]["limit"]
        if value < limit:
            ranges[field] = [value, limit]
    return ranges


@contextlib.contextmanager
def time_limit(seconds):
    """Raises TimeoutError in the block after `seconds` (wall clock; SIGALRM, main thread only).
    DiCE's genetic method never returns for an applicant no allowed change can help: its random
    initialisation draws until it has found enough valid points."""
    def expire(signum, frame):
        raise TimeoutError
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def seeding(args):
    """The seed for one DiCE call: `random` takes it as an argument; `genetic` has none and draws
    from the global generators, which are reset instead."""
    if args.method == "random":
        return {"random_seed": args.seed}
    random.seed(args.seed)
    np.random.seed(args.seed)
    return {"verbose": False}


def run(args):
    """Runs DiCE on the sampled applicants and prints the summary as JSON (details to --details)."""
    import dice_ml
    import sklearn

    model = CreditModel(args.model)
    rows = {r["id_client"]: r for r in read_pakdd(args.data, model)}
    ids = [int(line) for line in open(args.ids) if line.strip()]
    data = dice_data(model, args.train)
    classifier = TargetClassifier(model)
    explainer = dice_ml.Dice(data, dice_ml.Model(model=classifier, backend="sklearn"), method=args.method)
    details = open(args.details, "w") if args.details else None
    seconds, found, found_on_steps, returned, valid_count, changes, outcomes = [], 0, 0, 0, 0, [], {}
    distinct, feasible, unread, skipped, timed_out = 0, 0, 0, 0, 0
    for applicant_id in ids:
        row = rows[applicant_id]
        pd_now = float(model.probabilities([row])[0])
        decision, target = target_for(model, pd_now)
        if target is None:
            raise SystemExit(f"applicant {applicant_id} is approved: the id file does not match the model")
        ranges = movable(row)
        can_reach = reachable(model, row, target)
        feasible += can_reach
        outcomes[decision] = outcomes.get(decision, 0) + 1
        if args.only_reachable and not can_reach:
            skipped += 1
            continue
        classifier.set_applicant(row, target)
        query = query_for(row)
        started = time.perf_counter()
        result, error = None, None
        if ranges:
            try:
                with contextlib.redirect_stdout(io.StringIO()), time_limit(args.timeout):
                    result = explainer.generate_counterfactuals(
                        query, total_CFs=3, desired_class=1, features_to_vary=list(ranges), permitted_range=ranges,
                        **seeding(args))
            except TimeoutError:
                timed_out += 1
                error = f"stopped after {args.timeout} s"
            except Exception as failure:  # DiCE raises when it finds nothing in some configurations
                error = f"{type(failure).__name__}: {failure}"
        seconds.append(time.perf_counter() - started)
        suggestions = []
        if result is not None:
            example = result.cf_examples_list[0]
            frame = example.final_cfs_df_sparse if example.final_cfs_df_sparse is not None else example.final_cfs_df
            if frame is not None:
                suggestions = [check_suggestion(model, row, target, r) for r in frame.to_dict("records")]
        returned += len(suggestions)
        distinct += len({tuple(s["values"].items()) for s in suggestions if s["valid"]})
        valid = [s for s in suggestions if s["valid"]]
        valid_count += len(valid)
        changes += [len(s["changed"]) for s in valid]
        unread += sum(bool(s["unread_changes"]) for s in valid)
        found += bool(valid)
        found_on_steps += any(s["valid_on_steps"] for s in suggestions)
        if details:
            details.write(json.dumps({"id": applicant_id, "decision": decision, "pd": pd_now, "target": target,
                                      "seconds": seconds[-1], "error": error, "suggestions": suggestions}) + "\n")
            details.flush()
    n = len(ids)
    timed = len(seconds)
    ordered = sorted(seconds)
    summary = {
        "method": f"dice-{args.method}",
        "model": os.path.basename(args.model),
        "applicants": n,
        "decisions": outcomes,
        "with_valid_suggestion": found,
        "valid_share": found / n if n else 0.0,
        "with_valid_suggestion_on_steps": found_on_steps,
        "reachable": feasible,
        "suggestions_returned": returned,
        "distinct_valid_suggestions": distinct,
        "valid_suggestions": valid_count,
        "mean_changed_inputs": statistics.mean(changes) if changes else None,
        "valid_suggestions_changing_unread_inputs": unread,
        "seconds_per_applicant": statistics.mean(seconds) if seconds else None,
        "median_seconds": statistics.median(seconds) if seconds else None,
        "p95_seconds": ordered[min(timed - 1, math.ceil(0.95 * timed) - 1)] if timed else None,
        "timed_applicants": timed,
        "skipped_unreachable": skipped,
        "timed_out": timed_out,
        "timeout_seconds": args.timeout,
        "model_calls_per_applicant": classifier.calls / timed if timed else None,
        "rows_scored_per_applicant": classifier.rows_scored / timed if timed else None,
        "seed": args.seed,
        "versions": {"dice_ml": dice_ml.__version__ if hasattr(dice_ml, "__version__") else version_of("dice-ml"),
                     "numpy": np.__version__, "pandas": pd.__version__, "scikit_learn": sklearn.__version__,
                     "python": platform.python_version()},
        "machine": machine(),
    }
    print(json.dumps(summary))


def version_of(package):
    """An installed distribution's version, or None."""
    from importlib import metadata
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine():
    """The CPU model and count, for the figures' record."""
    model_name = platform.processor() or "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model_name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model_name, "cpus": os.cpu_count(), "system": platform.platform()}


def sample(args):
    """Writes the id sample and prints how many applicants were eligible."""
    model = CreditModel(args.model)
    ids, eligible = sample_ids(model, read_pakdd(args.data, model), args.count, args.seed)
    with open(args.out, "w") as handle:
        handle.write("".join(f"{i}\n" for i in ids))
    print(json.dumps({"not_approved": eligible, "sampled": len(ids), "seed": args.seed, "ids": args.out}))


def load_json(path):
    """A JSON file's object, or None when the file is missing or empty (a side that was skipped)."""
    try:
        with open(path) as handle:
            text = handle.read().strip()
        return json.loads(text) if text else None
    except FileNotFoundError:
        return None


def table(args):
    """Prints ours and each DiCE run side by side, with how many times faster ours is."""
    ours = load_json(args.ours) if args.ours else None
    runs = [run for run in (load_json(path) for path in args.dice) if run]
    lines = []
    header = f"{'method':<22}{'applicants':>11}{'with a valid suggestion':>26}{'time/applicant':>16}{'ours faster':>13}{'changed':>9}"
    lines.append(header)
    ours_seconds = None
    if ours:
        n, k = ours["not_approved"], ours["with_suggestion"]
        ours_seconds = ours["microseconds_per_applicant"] / 1e6
        lines.append(f"{'ours (credit)':<22}{n:>11}{f'{k} ({k / n:.1%})' if n else '-':>26}"
                     f"{format_seconds(ours_seconds):>16}{'1x':>13}{'':>9}")
    for run in runs:
        k, n = run["with_valid_suggestion"], run["applicants"]
        ratio = f"{run['seconds_per_applicant'] / ours_seconds:,.0f}x" if ours_seconds else "-"
        changed = f"{run['mean_changed_inputs']:.2f}" if run["mean_changed_inputs"] is not None else "-"
        lines.append(f"{run['method']:<22}{n:>11}{f'{k} ({k / n:.1%})' if n else '-':>26}"
                     f"{format_seconds(run['seconds_per_applicant']):>16}{ratio:>13}{changed:>9}")
    print("\n".join(lines))
    if runs:
        first = runs[0]
        print(f"reachable at all (some allowed change meets the target): {first['reachable']} of {first['applicants']}; "
              f"decisions {first['decisions']}")
        print("valid = rescored by bench/credit_eval.py: reaches the target, changes only actionable inputs, "
              "each upwards and within its limit; 'changed' = mean inputs changed per valid suggestion")
        versions = first["versions"]
        print("DiCE " + versions["dice_ml"] + ", " + ", ".join(f"{k} {v}" for k, v in versions.items() if k != "dice_ml")
              + f"; {first['machine']['cpu']}, {first['machine']['cpus']} CPUs")
    for run in runs:
        if run.get("timed_applicants", run["applicants"]) != run["applicants"] or run.get("timed_out"):
            print(f"{run['method']}: timed on {run['timed_applicants']} applicants ({run['skipped_unreachable']} "
                  f"unreachable ones skipped, {run['timed_out']} stopped at {run['timeout_seconds']:.0f} s)")
    if ours is None:
        print("ours: not measured (see above)")
    elif runs and ours["not_approved"] != runs[0]["applicants"]:
        print(f"warning: ours saw {ours['not_approved']} not-approved applicants, DiCE {runs[0]['applicants']}")


def format_seconds(seconds):
    """A duration in the unit that reads best: s, ms or µs."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def main():
    """Command line: `sample`, `run` or `table` (see --help of each)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pick = commands.add_parser("sample", help="write a seeded sample of not-approved applicants' ids")
    pick.add_argument("--model", required=True)
    pick.add_argument("--data", required=True, help="PAKDD file (valid.tsv)")
    pick.add_argument("--count", type=int, default=200)
    pick.add_argument("--seed", type=int, default=2010)
    pick.add_argument("--out", required=True)
    go = commands.add_parser("run", help="run DiCE on the sampled applicants and print the figures")
    go.add_argument("--model", required=True)
    go.add_argument("--data", required=True, help="PAKDD file the ids come from (valid.tsv)")
    go.add_argument("--train", required=True, help="PAKDD training file, DiCE's data (train.tsv)")
    go.add_argument("--ids", required=True)
    go.add_argument("--method", choices=["random", "genetic"], default="random")
    go.add_argument("--seed", type=int, default=2010)
    go.add_argument("--details", help="write each applicant's suggestions here, one JSON line each")
    go.add_argument("--timeout", type=float, default=120, help="seconds one applicant may take (then: no suggestion)")
    go.add_argument("--only-reachable", action="store_true",
                    help="skip (and do not time) applicants that no allowed change can help")
    show = commands.add_parser("table", help="print ours and DiCE side by side")
    show.add_argument("--ours", help="JSON printed by credit recourse-benchmark")
    show.add_argument("dice", nargs="*", help="JSON printed by `run`")
    args = parser.parse_args()
    {"sample": sample, "run": run, "table": table}[args.command](args)


if __name__ == "__main__":
    main()
