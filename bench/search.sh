#!/usr/bin/env bash
# The history search on a large SQLite store, through the store's own calls (credit's hidden
# search-benchmark and enqueue-benchmark commands, in Sources/credit/StoreBenchmark):
#   - APPLICATIONS (1,000,000) applications of OWNERS (1: one officer holds them all, the hardest
#     case) with realistic Brazilian names (one "Maria da Conceição"), a tenth as batch rows, a
#     year of submission times, all but the newest 0.5 % scored; then p50/p95/p99 of one page of 20
#     for QUERIES (50) queries of each main kind (a rare surname, "maria", a client id's first
#     digits, "conceicao") and half as many of other kinds; the file's size by table;
#   - what storing costs: 900,000 single applications in group commits of 32, then 100,000 rows
#     of a batch, on a new file: applications/s and the file's size. With BASE=REV (e.g. the commit
#     before the search), the same on REV too, built in a temporary copy with these commands added.
# Usage: bench/search.sh   (APPLICATIONS=1000000 OWNERS=1 QUERIES=50 SEED=42 BASE=; KEEP=1 keeps the files in bench/out)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift build -c release -Xswiftc -enable-testing --product credit >&2  # same flags as make, so builds are shared
work=$(mktemp -d /tmp/credit-search-XXXXXX)
[ "${KEEP:-0}" = 1 ] && { mkdir -p bench/out; work=$root/bench/out; rm -f "$work"/search*.sqlite* "$work"/enqueue*.sqlite*; }
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$work"; [ -z "${base_dir:-}" ] || rm -rf "$base_dir"; }
trap cleanup EXIT

echo "== the search (credit search-benchmark)"
.build/release/credit search-benchmark --database "$work/search.sqlite" --applications "${APPLICATIONS:-1000000}" \
  --owners "${OWNERS:-1}" --queries "${QUERIES:-50}" --seed "${SEED:-42}"

enqueue() { "$1" enqueue-benchmark --database "$2" --applications 900000 --batch-rows 100000 --group 32 --seed "${SEED:-42}"; }
if [ -n "${BASE:-}" ]; then
  base_dir=$(mktemp -d /tmp/credit-search-base-XXXXXX)
  git archive "$BASE" | tar -x -C "$base_dir"
  mkdir -p "$base_dir/Sources/credit/StoreBenchmark"
  cp Sources/credit/StoreBenchmark/{EnqueueBenchmarkCommand,BrazilianNames,BenchmarkApplications}.swift "$base_dir/Sources/credit/StoreBenchmark/"
  sed -i 's/SetupCommand.self,$/SetupCommand.self, EnqueueBenchmarkCommand.self,/' "$base_dir/Sources/credit/CreditCommand.swift"
  (cd "$base_dir" && swift build -c release -Xswiftc -enable-testing --product credit >&2)
  echo "== storing, at $BASE (before)"
  enqueue "$base_dir/.build/release/credit" "$work/enqueue-base.sqlite"
fi
echo "== storing, here"
enqueue .build/release/credit "$work/enqueue.sqlite"
