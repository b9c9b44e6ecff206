-- Durable writes: each wrk thread owns its own acties (every
-- BENCH_THREADS-th one of those gepland, lopend or gepauzeerd) and visits
-- them round-robin; each visit alternates a voortgangsbericht and a status
-- change (gepland/gepauzeerd -> lopend, lopend -> gepauzeerd). With
-- thousands of acties per thread and 32 requests in flight, an actie's
-- previous request has long been answered when it comes round again, so
-- every status change is a valid transition.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local acties, i, headers
local bericht = '{"tekst":"Werkbezoek afgerond met de partners; 18 deelnemers uit drie kernen. ' ..
  'Afspraken gemaakt over de planning van het volgende kwartaal en de inzet van de wijkcoaches."}'

function init(args)
  -- BENCH_STRIDE/BENCH_OFFSET: several wrk processes (one per node) split the acties.
  local every = tonumber(os.getenv("BENCH_STRIDE") or os.getenv("BENCH_THREADS") or "1")
  local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
  local open = { gepland = true, lopend = true, gepauzeerd = true }
  acties = load_ids("actie", function(s) return open[s] end, (tid or 0) + 1 + offset, every)
  if #acties == 0 then error("no open acties for thread " .. tostring(tid)) end
  for _, a in ipairs(acties) do a.visits = 0 end
  i = 0
  headers = base_headers()
  headers["Content-Type"] = "application/json"
end

function request()
  i = i + 1
  local a = acties[(i % #acties) + 1]
  a.visits = a.visits + 1
  if a.visits % 2 == 1 then
    return wrk.format("POST", "/v1/acties/" .. a.id .. "/voortgangsberichten", headers, bericht)
  end
  local naar = (a.extra == "lopend") and "gepauzeerd" or "lopend"
  a.extra = naar
  return wrk.format("POST", "/v1/acties/" .. a.id .. "/statuswijzigingen", headers,
    '{"status":"' .. naar .. '","reden":"Planning bijgesteld in het trekkersoverleg."}')
end
