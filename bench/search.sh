#!/usr/bin/env bash
# The history search on a large SQLite store, through the store's own calls (credit's hidden
# search-benchmark and enqueue-benchmark commands, in Sources/credit/StoreBenchmark):
#   - APPLICATIONS (1,000,000) applications of OWNERS (1: one officer holds them all, the hardest
#     case) with realistic Brazilian names (one "Maria da Conceição"), a tenth as batch rows, a
#     year of submission times, all but the newest 0.5 % scored; then p50/p95/p99 of one page of 20
#     for QUERIES (50) queries of each main kind (a rare surname, "maria", a client id's first
#     digits, "conceicao") and half as many of other kinds, through the responder's pool; the
#     file's size by table;
#   - what storing costs: 900,000 single applications in group commits of 32, then 100,000 rows
#     of a batch, on a new file, with the responder's page cache (128 KiB) and allocator setting:
#     applications/s and the file's size. With BASE=REV (e.g. the commit before the search), the
#     same on REV too, built in a temporary copy with these commands added, in ROUNDS (2)
#     alternated runs.
# Usage: bench/search.sh   (APPLICATIONS=1000000 OWNERS=1 QUERIES=50 SEED=42 BASE= ROUNDS=2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift build -c release -Xswiftc -enable-testing --product credit >&2  # same flags as make, so builds are shared
work=$(mktemp -d /tmp/credit-search-XXXXXX)
base_dir=
cleanup() { rm -rf "$work"; [ -z "$base_dir" ] || rm -rf "$base_dir"; }
trap cleanup EXIT

echo "== the search (credit search-benchmark)"
.build/release/credit search-benchmark --database "$work/search.sqlite" --applications "${APPLICATIONS:-1000000}" \
  --owners "${OWNERS:-1}" --queries "${QUERIES:-50}" --seed "${SEED:-42}"
rm -f "$work"/search.sqlite*

if [ -n "${BASE:-}" ]; then
  base_dir=$(mktemp -d /tmp/credit-search-base-XXXXXX)
  git archive "$BASE" | tar -x -C "$base_dir"
  mkdir -p "$base_dir/Sources/credit/StoreBenchmark"
  cp Sources/credit/StoreBenchmark/{EnqueueBenchmarkCommand,BrazilianNames,BenchmarkApplications}.swift "$base_dir/Sources/credit/StoreBenchmark/"
  sed -i 's/SetupCommand.self,$/SetupCommand.self, EnqueueBenchmarkCommand.self,/' "$base_dir/Sources/credit/CreditCommand.swift"
  (cd "$base_dir" && swift build -c release -Xswiftc -enable-testing --product credit >&2)
fi
enqueue() {  # $1 = credit, $2 = label
  echo "== storing, $2"
  GLIBC_TUNABLES=glibc.malloc.tcache_count=64 "$1" enqueue-benchmark --database "$work/enqueue.sqlite" \
    --applications 900000 --batch-rows 100000 --group 32 --cache-ki-b 128 --seed "${SEED:-42}"
  rm -f "$work"/enqueue.sqlite*
}
for round in $(seq "${ROUNDS:-2}"); do
  [ -z "$base_dir" ] || enqueue "$base_dir/.build/release/credit" "at $BASE (before), round $round"
  enqueue .build/release/credit "here, round $round"
done
