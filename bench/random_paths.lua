-- wrk script: each request asks for a random path from PATHS_FILE (one path a line), with PREFIX
-- prepended and ACCEPT as the Accept header. Without PATHS_FILE it asks for FIXED_PATH every time.
-- done() prints one JSON line that bench/scan_path.sh reads.

local paths = {}
local prefix = os.getenv("PREFIX") or ""
local accept = os.getenv("ACCEPT") or "text/html"
local fixed = os.getenv("FIXED_PATH")
local encoding = os.getenv("ENCODING")  -- "gzip" asks as browsers do (nginx answers with the published .gz twin)

function init(args)
  local file = os.getenv("PATHS_FILE")
  if file then
    for line in io.lines(file) do
      if #line > 0 then paths[#paths + 1] = prefix .. line end
    end
  end
  math.randomseed(os.time() + (tonumber(tostring(args):match("0x(%x+)") or "0", 16) % 100000))
end

function request()
  local path = fixed
  if path == nil then path = paths[math.random(#paths)] end
  local headers = { ["Accept"] = accept, ["User-Agent"] = "wrk-bench" }
  if encoding then headers["Accept-Encoding"] = encoding end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
