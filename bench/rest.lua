-- wrk script of bench/rest.py (bench/rest_load.py runs it).
--   wrk -t2 -c16 -d10s --timeout 60s -s bench/rest.lua URL -- TOKEN PATH [IDS_FILE]
-- Each request is GET PATH with the bearer TOKEN; with IDS_FILE (one id a line), PATH
-- followed by a random id of the file. Counts the responses whose status is not 2xx and
-- prints one JSON line with the run's figures (latencies in microseconds).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

local ids = {}
local path
non2xx = 0

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  path = args[2]
  if args[3] then
    for line in io.lines(args[3]) do
      if #line > 0 then ids[#ids + 1] = line end
    end
  end
  math.randomseed(os.time() * 100 + seed)
end

function request()
  if #ids > 0 then
    return wrk.format("GET", path .. ids[math.random(#ids)])
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "mean_us": %.1f, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
