#!/usr/bin/env bash
# The service on loopback, in one run, beside a minimal C libfcgi responder behind the same nginx:
#   authenticated submissions/s through nginx (wrk), with the responder alone on the CPU (the
#   worker drains the queue afterwards) and with the worker scoring at the same time; CPU per
#   request of each process (the worker's is its CPU per job under open-loop load); closed-loop
#   clients (submit, poll until done, submit again) at 1, 16 and 64: jobs/s, submit-to-done p50
#   and p99, and the worker's CPU per job; responder and worker
#   memory; and one CGI-mode request including process start. Then the scale figures per backend
#   (bench/scale.py): SQLite and PostgreSQL, no, one and two workers, worker CPU per job, a c16
#   sign-in burst and a 10,000-row batch.
# Usage: bench/service.sh   (DURATION=8 CONNECTIONS=16; SCALE=0 skips the scale figures)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
WITH_BENCH=1 WITH_POSTGRES=1 scripts/install-deps.sh
duration=${DURATION:-8}
connections=${CONNECTIONS:-16}
swift build -c release -Xswiftc -enable-testing >&2  # same flags as make, so builds are shared
bin=$root/.build/release
work=$(mktemp -d /tmp/credit-bench-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export CREDIT_DB=$work/credit.sqlite CREDIT_SECRET_FILE=$work/secret.key CREDIT_MODEL=$root/models/default.json
"$bin/credit" init >/dev/null
echo "bench password 123" | "$bin/credit" user add bench --password-stdin >/dev/null
gcc -O2 -o "$work/hello" bench/hello.c -lfcgi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
body=$(python3 -c 'import json,sys; sys.path.insert(0,"Tests/integration"); from stack import applicant; print(json.dumps(applicant()))')

start_nginx() {  # $1 = FastCGI socket
  local conf
  conf=$(scripts/render-nginx.sh "$work/nginx" "127.0.0.1:$port" "$1")
  : > "$work/nginx/nginx-access.log"
  sed -i 's|access_log .*;|access_log off;|' "$conf"
  nginx -p "$work/nginx" -c "$conf" & nginx_pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
}
stop_nginx() { kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; }
wrk_rate() {  # prints requests/s of 2xx answers, and CPU µs per request of each process named in $watch
  local before after
  before=$(cpu_ticks)
  TOKEN=$token BODY=$body wrk -t2 -c"$connections" -d"${duration}s" -s bench/submit.lua "http://127.0.0.1:$port/api/predictions" > "$work/wrk.txt"
  after=$(cpu_ticks)
  python3 - "$work/wrk.txt" "$before" "$after" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
total = int(re.search(r"(\d+) requests in", text).group(1))
good = total - (int(bad.group(1)) if bad else 0)
before = dict(item.split("=") for item in sys.argv[2].split())
after = dict(item.split("=") for item in sys.argv[3].split())
ticks = " ".join(f"{name} {(int(after[name]) - int(before[name])) * 1e4 / total:.0f} µs" for name in before)
print(f"{rate * good / total:.0f}|{ticks}")
PY
}
# user+system CPU ticks (1/100 s) of the processes in $watch ("name=pid ...").
cpu_ticks() { for entry in $watch; do echo -n "${entry%%=*}=$(awk '{print $14 + $15}' "/proc/${entry#*=}/stat") "; done; }
# RSS now (code pages of shared libraries included), private memory now, and the peak, which
# includes one sign-in: scrypt needs 16 MiB by design.
rss() { awk '/VmRSS/ {rss=int($2/1024)} /VmHWM/ {hwm=int($2/1024)} /RssAnon/ {anon=int($2/1024)} END {print rss " MB RSS, " anon " MB private, peak " hwm " MB"}' "/proc/$1/status"; }

# 1. The floor: C hello behind nginx.
"$work/hello" "$work/hello.sock" & hello=$!; pids+=($hello)
sleep 0.2
token=unused
start_nginx "$work/hello.sock"
watch="hello=$hello nginx=$(pgrep -P "$nginx_pid" | head -1)"
floor=$(wrk_rate)
stop_nginx

# 2. Ours behind the same nginx configuration: first the responder alone on the CPU (the worker
#    is stopped and drains the backlog afterwards), then with the worker scoring at the same time.
group=(); [ "$(id -u)" = 0 ] && group=(--socket-group www-data)
# Logging at info, as deployed: a JSON line per request into a file (the measured figures include it).
"$bin/credit-fcgi" --socket "$work/fcgi.sock" --socket-mode 0660 "${group[@]}" 2>>"$work/responder.log" & responder=$!; pids+=($responder)
for _ in $(seq 50); do [ -S "$work/fcgi.sock" ] && break; sleep 0.1; done
start_nginx "$work/fcgi.sock"
token=$(curl -s -d "username=bench&password=bench+password+123" "http://127.0.0.1:$port/api/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
watch="responder=$responder nginx=$(pgrep -P "$nginx_pid" | head -1)"
alone=$(wrk_rate)
alone_mb=$(rss "$responder")
"$bin/credit-worker" 2>>"$work/worker.log" & worker=$!; pids+=($worker)
drain_start=$(date +%s.%N)
until [ "$(sqlite3 "$CREDIT_DB" "SELECT count(*) FROM jobs WHERE status != 'done'")" = 0 ]; do sleep 0.1; done
drain_seconds=$(python3 -c "import time; print(f'{time.time() - $drain_start:.1f}')")
backlog=$(sqlite3 "$CREDIT_DB" "SELECT count(*) FROM jobs")
watch="responder=$responder worker=$worker nginx=$(pgrep -P "$nginx_pid" | head -1)"
together=$(wrk_rate)
responder_mb=$(rss "$responder"); worker_mb=$(rss "$worker")
# The same while 200 attackers flood the sign-in endpoint with unknown names from rotating
# addresses; meanwhile one signed-in client polls a job's status as fast as it can.
job=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/api/predictions" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["status_url"])')
python3 bench/signin_flood.py 127.0.0.1 "$port" /api/token "$((duration + 3))" 200 > "$work/flood.json" & flood=$!
python3 - "$port" "$token" "$job" "$((duration + 1))" > "$work/poll.json" <<'PY' & poller=$!
import http.client, json, sys, time
port, token, path, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
time.sleep(1)
connection, times, end = http.client.HTTPConnection("127.0.0.1", port, timeout=30), [], time.time() + seconds - 1
while time.time() < end:
    start = time.perf_counter()
    connection.request("GET", path, headers={"Authorization": "Bearer " + token})
    response = connection.getresponse(); response.read()
    assert response.status == 200, response.status
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"polls": len(times), "p50_ms": times[len(times) // 2], "p99_ms": times[int(len(times) * 0.99)]}))
PY
sleep 1
flooded=$(wrk_rate)
wait "$poller" "$flood"
sleep 1
# Closed loop: each client (a wrk thread of its own: bench/closed_loop.lua) submits, polls until
# done at once, submits again. The worker's CPU per job is taken over the same seconds.
closed() {  # $1 = clients; prints the JSON line of bench/closed_loop.lua with worker_us_per_job added
  local ticks jobs
  ticks=$(awk '{print $14 + $15}' "/proc/$worker/stat"); jobs=$(sqlite3 "$CREDIT_DB" "SELECT count(*) FROM jobs")
  TOKEN=$token BODY=$body wrk -t"$1" -c"$1" -d"${CLOSED_SECONDS:-5}s" -s bench/closed_loop.lua "http://127.0.0.1:$port/" | tail -1 > "$work/closed.json"
  python3 - "$work/closed.json" "$ticks" "$(awk '{print $14 + $15}' "/proc/$worker/stat")" "$jobs" "$(sqlite3 "$CREDIT_DB" "SELECT count(*) FROM jobs")" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
ticks, jobs = int(sys.argv[3]) - int(sys.argv[2]), int(sys.argv[5]) - int(sys.argv[4])
result["worker_us_per_job"] = ticks * 1e4 / max(1, jobs)
print(json.dumps(result))
PY
}
single=$(closed 1)
sixteen=$(closed 16)
sixtyfour=$(closed 64)
sleep 1
done_count=$(sqlite3 "$CREDIT_DB" "SELECT count(*) FROM jobs WHERE status = 'done'")
queued=$(sqlite3 "$CREDIT_DB" "SELECT count(*) FROM jobs WHERE status != 'done'")
stop_nginx

# The floor again, right after our submission runs (our processes stay up, idle): this machine
# is shared and its speed drifts over a minute, so each ratio below, the scale figures' included,
# is taken against the mean of the floor measured before and after.
start_nginx "$work/hello.sock"
watch="hello=$hello nginx=$(pgrep -P "$nginx_pid" | head -1)"
floor_after=$(wrk_rate)
stop_nginx
floor_mean=$(python3 -c "import sys; print(f'{(float(sys.argv[1].split(\"|\")[0]) + float(sys.argv[2].split(\"|\")[0])) / 2:.0f}')" "$floor" "$floor_after")

# 3. CGI mode: one request including process start (median of 20).
cgi_ms=$(python3 - "$bin/credit-fcgi" <<'PY'
import os, subprocess, sys, time
env = dict(os.environ, GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD="GET", REQUEST_URI="/api/health")
times = []
for _ in range(20):
    start = time.perf_counter()
    out = subprocess.run([sys.argv[1]], env=env, capture_output=True).stdout
    times.append((time.perf_counter() - start) * 1000)
    assert out.startswith(b"Status: 200"), out[:100]
print(f"{sorted(times)[10]:.1f}")
PY
)

python3 - "$floor" "$floor_after" "$floor_mean" "$alone" "$together" "$single" "$sixteen" "$sixtyfour" "$alone_mb" "$responder_mb" "$worker_mb" "$cgi_ms" "$done_count" "$queued" \
  "$backlog" "$drain_seconds" "$flooded" "$(cat "$work/flood.json")" "$(cat "$work/poll.json")" <<'PY'
import json, sys
(floor, floor_after, floor_mean, alone, together, single, sixteen, sixtyfour, alone_mb, responder_mb, worker_mb, cgi_ms, done_count, queued, backlog, drain,
 flooded, flood, poll) = sys.argv[1:]
flood, poll = json.loads(flood), json.loads(poll)
rate = lambda text: float(text.split("|")[0])
cpu = lambda text: text.split("|")[1]
single, sixteen, sixtyfour = json.loads(single), json.loads(sixteen), json.loads(sixtyfour)
floor_mean = float(floor_mean)
print(f"C hello floor (wrk -t2 -c16):            {floor_mean:7,.0f}/s   mean of {rate(floor):,.0f} before and {rate(floor_after):,.0f} after our runs; CPU per request: {cpu(floor)}")
print(f"ours, responder alone on the CPU:        {rate(alone):7,.0f}/s = {rate(alone) / floor_mean:.0%} of the floor   CPU per request: {cpu(alone)}")
print(f"ours, worker scoring at the same time:   {rate(together):7,.0f}/s = {rate(together) / floor_mean:.0%} of the floor   CPU per request: {cpu(together)}")
print(f"the worker then drained the {backlog} jobs left by the first run in {drain} s")
print(f"the same during a sign-in flood:         {rate(flooded):7,.0f}/s = {rate(flooded) / rate(together):.0%} of the rate without it   CPU per request: {cpu(flooded)}")
print(f"  the flood: 200 attackers, {flood['per_second']:,.0f} sign-ins/s, answers {flood['statuses']}")
print(f"  a status poll meanwhile: p50 {poll['p50_ms']:.2f} ms, p99 {poll['p99_ms']:.2f} ms ({poll['polls']} polls)")
for closed in (single, sixteen, sixtyfour):
    print(f"closed loop, {closed['clients']:2} client{'s' if closed['clients'] > 1 else ' '}: {closed['per_second']:6,.0f} jobs/s "
          f"({closed['per_second'] / single['per_second']:.1f}x one client), submit to done p50 {closed['p50_ms']:.2f} ms p99 {closed['p99_ms']:.2f} ms, "
          f"{closed['polls_per_job']:.1f} polls a job, worker CPU {closed['worker_us_per_job']:.0f} µs a job")
print(f"memory under load: responder alone {alone_mb}; with the worker: responder {responder_mb}; worker {worker_mb}")
print(f"CGI mode, one request including process start: {cgi_ms} ms (median of 20)")
print(f"jobs done after the runs: {done_count} (not done: {queued})")
PY

# 4. Scale, per backend, against the same floor.
if [ "${SCALE:-1}" != 0 ]; then
  python3 bench/scale.py "$floor_mean" "$duration" 2>&1 | sed '$d'
fi
