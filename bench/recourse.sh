#!/usr/bin/env bash
# Recourse (the smallest upward changes to actionable inputs that lift a decision one step) for
# applicants the model does not approve: ours (`credit recourse-benchmark`) against DiCE 0.12 on
# the same seeded sample of ids, the same model and the same limits, in one run.
# Usage: bench/recourse.sh   (DATA_DIR=path/to/pakdd2010, MODEL=models/default.json, COUNT=200,
#        SEED=2010, DICE_METHODS="random genetic", CREDIT=.build/release/credit,
#        BENCH_VENV=.build/bench-venv, OUT_DIR=bench/out/recourse)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${DATA_DIR:-$root/../shared/data/pakdd2010}
model=${MODEL:-models/default.json}
count=${COUNT:-200}
seed=${SEED:-2010}
methods=${DICE_METHODS:-random genetic}
CREDIT=${CREDIT:-.build/release/credit}
venv=${BENCH_VENV:-$root/.build/bench-venv}
out=${OUT_DIR:-$root/bench/out/recourse}
[ -f "$data/valid.tsv" ] && [ -f "$data/train.tsv" ] || { echo "no PAKDD data in $data (set DATA_DIR)" >&2; exit 1; }
mkdir -p "$out"

# The pinned DiCE stack, reinstalled when the pins change.
stamp=$venv/.requirements-recourse
if ! cmp -s bench/requirements-recourse.txt "$stamp" 2>/dev/null || [ ! -x "$venv/bin/python" ]; then
  echo "installing dice-ml and its pinned dependencies into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/requirements-recourse.txt
  cp bench/requirements-recourse.txt "$stamp"
fi
python=$venv/bin/python

echo "== sample: $count not-approved applicants of valid.tsv (seed $seed)" >&2
"$python" bench/recourse_dice.py sample --model "$model" --data "$data/valid.tsv" --count "$count" --seed "$seed" \
  --out "$out/ids.txt" >&2

echo "== ours" >&2
rm -f "$out/ours.json"
if [ ! -x "$CREDIT" ]; then
  echo "ours SKIPPED: no executable at $CREDIT (make build, or set CREDIT)" >&2
elif ! "$CREDIT" recourse-benchmark --help 2>&1 | grep -q "recourse-benchmark"; then
  # An unknown subcommand's --help prints the top-level help, which never names a hidden command.
  echo "ours SKIPPED: $CREDIT has no recourse-benchmark command yet" >&2
else
  "$CREDIT" recourse-benchmark --model "$model" --data "$data/valid.tsv" --ids "$out/ids.txt" > "$out/ours.json"
fi

runs=()
# DiCE's genetic method never returns for an applicant that no allowed change can help (its random
# initialisation draws until it finds valid points), so it is run on the reachable ones only.
for method in $methods; do
  echo "== DiCE $method (one process, one applicant at a time)" >&2
  "$python" bench/recourse_dice.py run --model "$model" --data "$data/valid.tsv" --train "$data/train.tsv" \
    --ids "$out/ids.txt" --method "$method" --seed "$seed" --details "$out/dice-$method.jsonl" \
    $([ "$method" = genetic ] && echo --only-reachable) > "$out/dice-$method.json"
  runs+=("$out/dice-$method.json")
done

ours=()
[ -s "$out/ours.json" ] && ours=(--ours "$out/ours.json")
"$python" bench/recourse_dice.py table "${ours[@]}" "${runs[@]}"
