-- As-of reads: BENCH_PATH with %s (opgave id) and %d (position); opgaven of
-- the first agenda (which exists from the start of the log), positions
-- uniform in [BENCH_FROM, BENCH_HEAD].
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local ids, path, headers, lo, hi

function init(args)
  path = os.getenv("BENCH_PATH")
  ids = load_ids("opgave", function(agenda) return agenda == "0" end, 1, 1)
  if #ids == 0 then error("no opgaven of the first agenda") end
  lo = tonumber(os.getenv("BENCH_FROM"))
  hi = tonumber(os.getenv("BENCH_HEAD"))
  math.randomseed(1000 + (tid or 0))
  headers = base_headers()
end

function request()
  local id = ids[math.random(#ids)].id
  local pos = math.random(lo, hi)
  return wrk.format("GET", string.format(path, id, pos), headers)
end
