-- wrk script of the order benchmark (tests/Load/orders.sh): market buys of one share, round robin
-- over the traders given as arguments after "--" ("<token>,<account id>" each), every order with
-- an Idempotency-Key of its own ("run=<id>", also an argument, keeps keys apart between rounds). Prints "status <code> <count>" lines at the end, like load.lua.
local threads = {}
local pairs_ = {}
local sent = 0
local run = "run"

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for _, arg in ipairs(args) do
    local id = arg:match("^run=(.+)$")
    if id then run = id end
    local token, account = arg:match("^([^,]+),(.+)$")
    if token then pairs_[#pairs_ + 1] = { token = token, account = account } end
  end
  statuses = {}
end

function request()
  sent = sent + 1
  local trader = pairs_[(sent % #pairs_) + 1]
  local body = '{"account_id":"' .. trader.account .. '","symbol":"AAPL","side":"buy","type":"market","quantity":1,"time_in_force":"day"}'
  return wrk.format("POST", "/api/v1/trading/orders", {
    ["Authorization"] = "Bearer " .. trader.token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. sent,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      totals[code] = (totals[code] or 0) + count
    end
  end
  for code, count in pairs(totals) do
    io.write(string.format("status %d %d\n", code, count))
  end
end
