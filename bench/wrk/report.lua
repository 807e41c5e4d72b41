-- wrk script shared by every benchmark cell.
-- The request comes from the environment so that one script serves every scenario:
--   BENCH_METHOD (GET), BENCH_BODY (sent as application/json when set),
--   BENCH_ACCEPT_ENCODING (no Accept-Encoding header when unset or empty).
-- done() prints one machine-readable line, so the harness never parses wrk's human output.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local accept_encoding = os.getenv("BENCH_ACCEPT_ENCODING") or ""

wrk.method = method
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
if accept_encoding ~= "" then
  wrk.headers["Accept-Encoding"] = accept_encoding
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
