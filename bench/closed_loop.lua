-- wrk script: closed-loop clients. Run with as many threads as connections (wrk -tN -cN), so that
-- each thread is one client: it submits an application (body and token from the environment),
-- polls its status until done, then submits the next. Prints one JSON line: jobs/s, submit-to-done
-- p50 and p99 in milliseconds, and polls a job.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } closed_loop_timespec;
  int clock_gettime(int clock, closed_loop_timespec *time);
]]
local clock = ffi.new("closed_loop_timespec")
local function now()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

local body = os.getenv("BODY")
local submit_headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local poll_headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local status_path, started = nil, 0
latencies, polls, failures = {}, 0, 0

function request()
  if status_path == nil then
    started = now()
    return wrk.format("POST", "/api/predictions", submit_headers, body)
  end
  return wrk.format("GET", status_path, poll_headers)
end

function response(status, headers, text)
  if status_path == nil then
    if status == 202 then status_path = text:match('"status_url":"([^"]+)"') else failures = failures + 1 end
    return
  end
  polls = polls + 1
  local state = text:match('"status":"(%a+)"')
  if status ~= 200 then
    failures = failures + 1
    status_path = nil
  elseif state == "done" or state == "failed" then
    table.insert(latencies, (now() - started) * 1000)
    status_path = nil
  end
end

function done(summary, latency, requests)
  local all, total_polls, total_failures = {}, 0, 0
  for _, thread in ipairs(threads) do
    for _, value in ipairs(thread:get("latencies")) do table.insert(all, value) end
    total_polls = total_polls + thread:get("polls")
    total_failures = total_failures + thread:get("failures")
  end
  table.sort(all)
  local function pick(q) return all[math.max(1, math.min(#all, math.floor(q * #all) + 1))] or 0 end
  io.write(string.format('{"clients": %d, "jobs": %d, "per_second": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "polls_per_job": %.2f, "failures": %d}\n',
    #threads, #all, #all / (summary.duration / 1e6), pick(0.5), pick(0.99), total_polls / math.max(1, #all), total_failures))
end
