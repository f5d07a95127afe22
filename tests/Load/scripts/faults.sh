# --faults: one steady wrk run at FAULT_RATE requests/s against the gateway, and meanwhile three
# outages of 10 s, each followed by 20 s to recover: the cache (redis-server shut down, then
# started again on its port), the trading backend (stopped, then started again cold) and the
# audit store (another connection holds SQLite's write lock). wrk's Lua hook counts responses
# per status in 100 ms buckets of wall clock, which are lined up with the fault times here.
# Afterwards the gateway is stopped gracefully and its audit records are counted.

FAULT_PATH=/api/v1/trading/quotes/FAULTS   # a path of its own, so its audit records can be counted
URL_FAULTS="$GATEWAY$FAULT_PATH"
BUCKET_MS=100 FAULT_SECONDS=10 AFTER_SECONDS=20 STEADY_SECONDS=10
EVENTS="$RUN/fault-events.txt"
: >"$EVENTS"

smoke "$GATEWAY/api/v1/trading/quotes/AAPL"
WARM_MIN=30 WARM_MAX=30 warm_up gateway "$GATEWAY/api/v1/trading/quotes/AAPL"

mark() { echo "$1 $(date +%s%3N)" >>"$EVENTS"; } # <event> <epoch ms>

lock_audit_store() { # holds the write lock for FAULT_SECONDS; prints "locked" once it has it
  { echo ".timeout 5000"; echo "BEGIN EXCLUSIVE;"; echo "SELECT 'locked';"; sleep "$FAULT_SECONDS"; echo "COMMIT;"; } \
    | sqlite3 "$AUDIT_DB" >"$RUN/audit-lock.txt" 2>&1
}

# A few seconds of slack: the restarted backend takes a moment to answer, and that shifts what follows.
total=$((STEADY_SECONDS + 3 * (FAULT_SECONDS + AFTER_SECONDS) + 5))
log "faults: $FAULT_RATE req/s for ${total}s; outages at ${STEADY_SECONDS}s, $((STEADY_SECONDS + 30))s, $((STEADY_SECONDS + 60))s"
wrk_run "$RUN/faults-wrk.txt" "$total" "$URL_FAULTS" "$FAULT_RATE" "$BUCKET_MS" &
WRK_PID=$!
PIDS[wrk]=$WRK_PID
mark start
sleep "$STEADY_SECONDS"

mark cache-down; stop cache 5; sleep "$FAULT_SECONDS"
start_cache; mark cache-up; sleep "$AFTER_SECONDS"

mark trading-down; stop backend 5; sleep "$FAULT_SECONDS"
start_backend; mark trading-up
sleep "$AFTER_SECONDS"

mark audit-down; lock_audit_store; mark audit-up
grep -q locked "$RUN/audit-lock.txt" || log "warning: the audit lock was not taken: $(cat "$RUN/audit-lock.txt")"
wait "$WRK_PID"; unset "PIDS[wrk]"
mark end

log "stopping the gateway gracefully (its audit writer flushes on stop)"
stop gateway 60
RECORDS=$(sqlite3 "$AUDIT_DB" "SELECT count(*) FROM audit_records WHERE source = 'gateway' AND path = '$FAULT_PATH';")
SPILLED=$(cat "$RUN"/audit/audit-spill/*.jsonl 2>/dev/null | wc -l)
VERIFY=$(cd "$BIN/Gateway.Api/release" && dotnet Gateway.Api.dll audit verify --db "$AUDIT_DB" --checkpoint "$RUN/audit/audit-checkpoint.json" 2>&1 | tail -1)

# --- the report: phases from the event times, outcomes from the buckets -------------------------
{
  echo
  echo "== Fault run: $FAULT_RATE req/s offered to $URL_FAULTS (wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU, servers on CPU $SERVER_CPU)"
  echo "   load average: at start $LOAD_AT_START, now $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "   recovery = from the end of an outage to the first 100 ms bucket after which every response is 2xx until the next phase"
  echo
  awk -v bucket="$BUCKET_MS" '
    FNR == NR { at[$1] = $2; next }
    $1 == "bucket" {
      n++; t[n] = $2
      for (i = 3; i <= NF; i++) {
        split($i, kv, "="); s = kv[1] + 0; v = kv[2] + 0
        if (s >= 200 && s < 300) ok[n] += v; else bad[n] += v
        if (s >= 200 && s < 300) k = "2xx"; else if (s == 429 || s == 503 || s == 504) k = s; else if (s >= 500) k = "5xx"; else k = "other"
        c[n, k] += v
      }
    }
    function phase(name, from, to,    i, k, sum) {
      split("", sum)
      for (i = 1; i <= n; i++) if (t[i] >= from && t[i] < to) for (k in cats) sum[k] += c[i, k]
      printf "%-20s %6.1f %8d %6d %6d %6d %10d %6d\n", name, (to - from) / 1000, sum["2xx"], sum[429], sum[503], sum[504], sum["5xx"], sum["other"]
    }
    function recovery(from, to,    i, last) {
      last = -1
      for (i = 1; i <= n; i++) if (t[i] + bucket > from && t[i] < to && bad[i] > 0) last = i
      if (last < 0) return "0.0 s (no failed response after the outage)"
      if (t[last] + 2 * bucket >= to) return sprintf("not recovered within %.1f s", (to - from) / 1000)
      return sprintf("%.1f s", (t[last] + bucket - from) / 1000)
    }
    END {
      split("2xx 429 503 504 5xx other", names, " "); for (i in names) cats[names[i]] = 1
      printf "%-20s %6s %8s %6s %6s %6s %10s %6s\n", "phase", "secs", "2xx", "429", "503", "504", "other 5xx", "other"
      phase("steady", at["start"], at["cache-down"])
      phase("cache down", at["cache-down"], at["cache-up"])
      phase("after cache", at["cache-up"], at["trading-down"])
      phase("trading down", at["trading-down"], at["trading-up"])
      phase("after trading", at["trading-up"], at["audit-down"])
      phase("audit store locked", at["audit-down"], at["audit-up"])
      phase("after audit store", at["audit-up"], at["end"] + bucket)
      print ""
      print "recovery after cache:        " recovery(at["cache-up"], at["trading-down"])
      print "recovery after trading:      " recovery(at["trading-up"], at["audit-down"]) "  (from the moment the restarted backend answered /health)"
      print "recovery after audit store:  " recovery(at["audit-up"], at["end"] + bucket)
    }' "$EVENTS" "$RUN/faults-wrk.txt"
  echo
  echo "wrk: $(wrk_responses "$RUN/faults-wrk.txt") responses, socket errors $(wrk_socket_errors "$RUN/faults-wrk.txt") $(grep -o 'Socket errors:.*' "$RUN/faults-wrk.txt")"
  echo "audit: $RECORDS records for $FAULT_PATH in the store after a graceful stop; $SPILLED lines left in spill files"
  echo "       difference to wrk's responses: $((RECORDS - $(wrk_responses "$RUN/faults-wrk.txt"))) (requests still in flight when wrk stopped are audited but not counted by wrk)"
  echo "audit verify: $VERIFY"
  echo "gateway log lines during the run: $(grep -cE '^warn' "$RUN/gateway.log") warn, $(grep -cE '^(fail|crit)' "$RUN/gateway.log") fail/crit; by category:"
  grep -E '^(warn|fail|crit)' "$RUN/gateway.log" | sort | uniq -c | sort -rn | head -8
  echo "raw wrk output, fault times and logs: $RUN"
} | tee "$RUN/result.txt"
