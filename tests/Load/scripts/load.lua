-- wrk script of the load harness (tests/Load/run.sh). Arguments after "--", as key=value:
--   rate=<n>         requests/s for the whole run (0 or absent: as fast as the connections go)
--   bucket_ms=<n>    also keep a timeline: response counts per status per n ms of wall clock
-- At the end it prints "status <code> <count>" lines, and with a timeline
-- "bucket <epoch ms> <code>=<count> ...", which run.sh adds to wrk's own summary.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } load_timespec;
  int clock_gettime(int clock_id, load_timespec *tp);
]]
local ts = ffi.new("load_timespec")
local function now_ms() -- CLOCK_REALTIME, so run.sh can line fault times up with buckets
  ffi.C.clock_gettime(0, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local options = {}
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key then options[key] = value end
  end
  -- Per-thread state; done() reads it through thread:get (flat tables and strings only).
  statuses = {}
  interval = 0
  local rate = tonumber(options.rate or "0")
  if rate > 0 then interval = 1000 / rate end
  next_at = 0
  bucket_ms = tonumber(options.bucket_ms or "0")
  bucket = -1
  current = {}
  timeline = ""
end

-- Defined only when a rate is set: a thread-wide schedule of send slots, one every 1000/rate ms.
-- A request waits for its slot; when the server falls behind, the schedule does not build a
-- burst of more than 10 ms to catch up. Latency is counted by wrk from the actual write.
function delay()
  local t = now_ms()
  next_at = math.max(next_at + interval, t - 10)
  local wait = next_at - t
  if wait < 0 then return 0 end
  return math.floor(wait)
end

local function flush()
  if bucket >= 0 then
    local parts = {}
    for code, count in pairs(current) do
      parts[#parts + 1] = code .. "=" .. count
    end
    timeline = timeline .. "bucket " .. string.format("%.0f", bucket * bucket_ms) .. " " .. table.concat(parts, " ") .. "\n"
  end
  current = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if bucket_ms > 0 then
    local b = math.floor(now_ms() / bucket_ms)
    if b ~= bucket then
      flush()
      bucket = b
    end
    current[status] = (current[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      totals[code] = (totals[code] or 0) + count
    end
    local lines = thread:get("timeline")
    if lines and #lines > 0 then io.write(lines) end
    local last, b, ms = thread:get("current"), thread:get("bucket"), thread:get("bucket_ms")
    if ms and ms > 0 and b and b >= 0 then
      local parts = {}
      for code, count in pairs(last) do parts[#parts + 1] = code .. "=" .. count end
      io.write("bucket " .. string.format("%.0f", b * ms) .. " " .. table.concat(parts, " ") .. "\n")
    end
  end
  for code, count in pairs(totals) do
    io.write(string.format("status %d %d\n", code, count))
  end
end
