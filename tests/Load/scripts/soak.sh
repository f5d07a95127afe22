# --soak: the gateway warmed up, its maximum measured (median of 3 x 10 s), then SOAK_MINUTES
# minutes at half of it in one-minute slices; working set (VmRSS) and errors after each slice.

URL_SOAK="$GATEWAY/api/v1/trading/quotes/AAPL"
smoke "$URL_SOAK"
warm_up gateway "$URL_SOAK"

maxima=()
for r in 1 2 3; do
  wrk_run "$RUN/soak-max-$r.txt" 10 "$URL_SOAK"
  maxima+=("$(wrk_rps "$RUN/soak-max-$r.txt")")
done
MAX=$(median "${maxima[@]}")
RATE=$(awk -v m="$MAX" 'BEGIN {printf "%.0f", m / 2}')
log "soak: gateway maximum $MAX req/s (${maxima[*]}); $SOAK_MINUTES min at $RATE req/s"

pid=${PIDS[gateway]}
RSS_START=$(vm_rss_kib "$pid")
TOTAL_ERRORS=0 TOTAL_RESPONSES=0
{
  echo
  echo "== Soak: $SOAK_MINUTES min at $RATE req/s (half of the gateway's measured $MAX req/s), $URL_SOAK"
  echo "   load average: at start $LOAD_AT_START; working set (VmRSS) of the gateway after warm-up: $((RSS_START / 1024)) MiB"
  printf '%6s %10s %9s %9s %8s %12s %12s %10s\n' minute 'req/s' 'p50 ms' 'p99 ms' errors 'gateway MiB' 'backend MiB' 'cache MiB'
} | tee "$RUN/result.txt"
for minute in $(seq 1 "$SOAK_MINUTES"); do
  out="$RUN/soak-$minute.txt"
  wrk_run "$out" 60 "$URL_SOAK" "$RATE"
  errors=$(($(wrk_non2xx "$out") + $(wrk_socket_errors "$out")))
  TOTAL_ERRORS=$((TOTAL_ERRORS + errors))
  TOTAL_RESPONSES=$((TOTAL_RESPONSES + $(wrk_responses "$out")))
  printf '%6s %10s %9s %9s %8s %12s %12s %10s\n' "$minute" "$(wrk_rps "$out")" "$(wrk_percentile_ms "$out" 50)" \
    "$(wrk_percentile_ms "$out" 99)" "$errors" "$(($(vm_rss_kib "$pid") / 1024))" \
    "$(($(vm_rss_kib "${PIDS[backend]}") / 1024))" "$(($(vm_rss_kib "${PIDS[cache]}") / 1024))" | tee -a "$RUN/result.txt"
done
RSS_END=$(vm_rss_kib "$pid")
{
  echo
  echo "working set: $((RSS_START / 1024)) MiB at start, $((RSS_END / 1024)) MiB at end ($(awk -v a="$RSS_START" -v b="$RSS_END" 'BEGIN {printf "%+.1f%%", (b - a) * 100 / a}'), target < +10%)"
  echo "responses: $TOTAL_RESPONSES, errors (non-2xx + socket): $TOTAL_ERRORS$([ "$TOTAL_ERRORS" -gt 0 ] && echo ' FAILED')"
  echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg); raw wrk outputs and logs: $RUN"
} | tee -a "$RUN/result.txt"
