-- wrk script for DPoP-bound requests (tests/Load/run.sh): everything load.lua does (fixed rate,
-- timeline, status counts), and on every request a proof of its own, read from a file the issuer
-- wrote just before (arguments after "--": proofs=<file> first=<line to start at>). A proof is
-- accepted once, so the harness moves "first" on by the "proofs_used <n>" line printed at the end.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "load.lua")
local load_setup, load_init, load_done = setup, init, done
local dpop_threads = {}

function setup(thread)
  load_setup(thread)
  table.insert(dpop_threads, thread)
end

function init(args)
  load_init(args)
  local file, first = nil, 1
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key == "proofs" then file = value elseif key == "first" then first = tonumber(value) end
  end
  proofs, used = {}, 0
  local line_number = 0
  for line in io.lines(file) do
    line_number = line_number + 1
    if line_number >= first then proofs[#proofs + 1] = line end
  end
end

function request()
  used = used + 1
  -- Once the file runs out the gateway refuses the reused header, and the row shows the errors.
  wrk.headers["DPoP"] = proofs[used] or "no-proof-left"
  return wrk.format()
end

function done(summary, latency, requests)
  load_done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(dpop_threads) do total = total + (thread:get("used") or 0) end
  io.write(string.format("proofs_used %d\n", total))
end
