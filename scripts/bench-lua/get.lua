-- GET load: BENCH_PATH is a path with one %s for an id of kind BENCH_KIND
-- (opgave, actie) taken round-robin from BENCH_IDS, or a fixed path when
-- BENCH_KIND is empty. Every request is formatted the same way, so the
-- client's cost is equal for every endpoint compared.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local ids, i, path, headers

function init(args)
  path = os.getenv("BENCH_PATH")
  local kind = os.getenv("BENCH_KIND") or ""
  if kind ~= "" then ids = load_ids(kind, nil, 1, 1) else ids = { { id = "" } } end
  if #ids == 0 then error("no ids of kind " .. kind) end
  i = (tid or 0) * 7919
  headers = base_headers()
  if os.getenv("BENCH_ANONYMOUS") == "1" then headers["Authorization"] = nil end
end

function request()
  i = i + 1
  local id = ids[(i % #ids) + 1].id
  return wrk.format("GET", string.format(path, id), headers)
end
