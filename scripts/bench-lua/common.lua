-- Shared by the wrk scripts of scripts/bench: thread numbering, id loading,
-- and one JSON line of results (prefixed "BENCH ") at the end of the run.
-- Parameters come from the environment (BENCH_*), set by scripts/bench.

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

-- Lines of BENCH_IDS ("kind id extra") whose kind is `kind` and for which
-- keep(extra) is true, every `every`-th one starting at `first` (1-based).
function load_ids(kind, keep, first, every)
  local out, n = {}, 0
  local path = os.getenv("BENCH_IDS")
  if not path then return out end
  for line in io.lines(path) do
    local k, id, extra = line:match("^(%S+) (%S+) ?(%S*)")
    if k == kind and (keep == nil or keep(extra)) then
      n = n + 1
      if (n - first) % every == 0 then
        out[#out + 1] = { id = id, extra = extra }
      end
    end
  end
  return out
end

function base_headers()
  local h = { ["Accept"] = os.getenv("BENCH_ACCEPT") or "application/json" }
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then h["Authorization"] = "Bearer " .. token end
  return h
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,' ..
    '"writeErrors":%d,"timeouts":%d,"non2xx":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,' ..
    '"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    e.status, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
