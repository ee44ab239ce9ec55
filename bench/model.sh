#!/usr/bin/env bash
# Our model engine against LightGBM 4.x and scikit-learn on the same split, in one run:
# validation AUC, training seconds and single-thread scoring rows/s, with the ratios.
# Usage: bench/model.sh   (DATA_DIR=path/to/pakdd2010, THREADS=2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${DATA_DIR:-$root/../shared/data/pakdd2010}
threads=${THREADS:-2}
out=$root/bench/out
venv=$root/bench/.venv
[ -f "$data/train.tsv" ] || { echo "no PAKDD data in $data (set DATA_DIR)" >&2; exit 1; }
mkdir -p "$out"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import lightgbm, sklearn, pandas" 2>/dev/null; then
  echo "installing lightgbm 4.7, scikit-learn, pandas into bench/.venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "lightgbm==4.7.*" "scikit-learn==1.9.*" pandas numpy
fi
swift build -c release -Xswiftc -enable-testing >&2  # same flags as make, so builds are shared
credit=$root/.build/release/credit

echo "== reference (LightGBM, scikit-learn)" >&2
"$venv/bin/python" bench/reference.py "$data" "$threads" > "$out/reference.json"
echo "== ours" >&2
# Against LightGBM, which knows no policy: the trees with none (only sex left out), then with the standard one.
"$credit" train --train "$data/train.tsv" --valid "$data/valid.tsv" --kind gbdt --policy none --threads "$threads" --out "$out/gbdt.json" --json --quiet > "$out/gbdt-train.json"
"$credit" train --train "$data/train.tsv" --valid "$data/valid.tsv" --kind gbdt --policy standard --threads "$threads" --out "$out/gbdt-policy.json" --json --quiet > "$out/gbdt-policy-train.json"
"$credit" benchmark --model "$out/gbdt-policy.json" --data "$data/valid.tsv" --json > "$out/gbdt-policy-bench.json"
"$credit" train --train "$data/train.tsv" --valid "$data/valid.tsv" --kind logistic --out "$out/logistic.json" --json --quiet > "$out/logistic-train.json"
"$credit" benchmark --model "$out/gbdt.json" --data "$data/valid.tsv" --json > "$out/gbdt-bench.json"
"$credit" benchmark --model "$out/logistic.json" --data "$data/valid.tsv" --json > "$out/logistic-bench.json"

"$venv/bin/python" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
load = lambda name: json.load(open(f"{out}/{name}.json"))
ref = load("reference")
rows = [
    ("GBDT (ours, no policy)", load("gbdt-train"), load("gbdt-bench"), "LightGBM " + ref["lightgbm"]["version"], ref["lightgbm"]),
    ("GBDT (ours, policy)", load("gbdt-policy-train"), load("gbdt-policy-bench"), "LightGBM " + ref["lightgbm"]["version"], ref["lightgbm"]),
    ("logistic (ours)", load("logistic-train"), load("logistic-bench"), "scikit-learn logistic", ref["sklearn_logistic"]),
]
print(f"{'model':<24}{'AUC valid':>10}{'train s':>10}{'rows/s':>14}{'explain µs':>12}")
for ours_name, train, bench, ref_name, reference in rows:
    print(f"{ours_name:<24}{train['auc_valid']:>10.4f}{train['train_seconds']:>10.2f}{bench['rows_per_second']:>14,.0f}{bench['explain_microseconds']:>12.1f}")
    print(f"{ref_name:<24}{reference['auc']:>10.4f}{reference['train_seconds']:>10.2f}{reference['rows_per_second']:>14,.0f}{'':>12}")
    print(f"{'  ratio':<24}{train['auc_valid'] / reference['auc']:>10.3f}{reference['train_seconds'] / train['train_seconds']:>9.2f}x"
          f"{bench['rows_per_second'] / reference['rows_per_second']:>13.1f}x")
print("ratios: AUC ours/reference; training speed reference/ours; scoring ours/reference (>1 means ours is better)")
print(f"trees: ours {rows[0][1].get('trees')}, LightGBM {ref['lightgbm']['trees']}")
PY
