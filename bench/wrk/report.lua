-- wrk script shared by every benchmark cell.
-- The request comes from the environment so that one script serves every scenario:
--   BENCH_METHOD (GET), BENCH_BODY (sent as application/json when set),
--   BENCH_ACCEPT_ENCODING (no Accept-Encoding header when unset or empty),
--   BENCH_COUNT_STATUS=1 to count answers per status code (costs wrk a Lua call per answer,
--   so only the database scenarios, which answer far fewer requests, turn it on).
-- done() prints one machine-readable line, so the harness never parses wrk's human output.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local accept_encoding = os.getenv("BENCH_ACCEPT_ENCODING") or ""
local count_status = os.getenv("BENCH_COUNT_STATUS") == "1"

wrk.method = method
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
if accept_encoding ~= "" then
  wrk.headers["Accept-Encoding"] = accept_encoding
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if count_status then
  statuses = {}
  function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end
end

-- {"200":n,...} summed over wrk's threads (each has a Lua state of its own).
local function status_json()
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, count in pairs(counts) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"statuses":%s}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, status_json()))
end
