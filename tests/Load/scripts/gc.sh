# --gc: what the gateway's garbage collections cost a request, and what the audit adds to them.
# The gateway and the same gateway with audit off (plus any LOAD_VARIANTS), after the usual
# warm-up, each traced for its GC events (dotnet-trace, local tool, on the load CPU) over
# LOAD_ROUNDS interleaved rounds: flat out, then at half of the gateway's own maximum. GcPauses
# (tests/Load/GcPauses) summarizes each trace: collections by generation, their pauses (suspension
# to restart, what every request in flight waits) and the bytes each promoted.

PATH_UNDER_TEST=/api/v1/trading/quotes/AAPL
GC_TARGETS=(gateway gw-no-audit)
start_gateway gw-no-audit Gateway__Audit__Enabled=false
if [ "$VARIANTS" = 1 ]; then
  for variant in "${VARIANT_NAMES[@]}"; do GC_TARGETS+=("$variant"); done
fi
for target in "${GC_TARGETS[@]}"; do smoke "http://127.0.0.1:${PORT[$target]}$PATH_UNDER_TEST"; done
for target in "${GC_TARGETS[@]}"; do token_for "$target"; warm_up "$target" "http://127.0.0.1:${PORT[$target]}$PATH_UNDER_TEST"; done
restore_tools

# gc_round <target> <phase> <round> <rate>: a trace of 3 s more than the load, which starts once it is attached.
gc_round() {
  local target=$1 name="gc-$1-$2-$3" trace_pid
  (cd "$LOAD_DIR" && exec taskset -c "$LOAD_CPU" dotnet dotnet-trace collect -p "${PIDS[$target]}" \
    --providers Microsoft-Windows-DotNETRuntime:0x1:4 --duration "00:00:00:$((SECONDS_PER_ROUND + 3))" \
    -o "$RUN/$name.nettrace") >"$RUN/$name-trace.log" 2>&1 &
  trace_pid=$!
  sleep 2
  token_for "$target"
  wrk_run "$RUN/$name-wrk.txt" "$SECONDS_PER_ROUND" "http://127.0.0.1:${PORT[$target]}$PATH_UNDER_TEST" "$4"
  wait "$trace_pid"
  log "$name: $(wrk_rps "$RUN/$name-wrk.txt") req/s, p99 $(wrk_percentile_ms "$RUN/$name-wrk.txt" 99) ms"
}
GATEWAY_FULL=()
for r in $(seq 0 $((ROUNDS - 1))); do
  for target in "${GC_TARGETS[@]}"; do gc_round "$target" full "$r" 0; done
  GATEWAY_FULL+=("$(wrk_rps "$RUN/gc-gateway-full-$r-wrk.txt")")
done
GC_HALF=$(awk -v r="$(median "${GATEWAY_FULL[@]}")" 'BEGIN {printf "%.0f", r / 2}')
for r in $(seq 0 $((ROUNDS - 1))); do
  for target in "${GC_TARGETS[@]}"; do gc_round "$target" half "$r" "$GC_HALF"; done
done
{
  echo
  echo "== GC pauses: $ROUNDS rounds x ${SECONDS_PER_ROUND}s per target, flat out and at $GC_HALF req/s (half of the gateway's maximum)"
  for phase in full half; do
    for target in "${GC_TARGETS[@]}"; do
      for r in $(seq 0 $((ROUNDS - 1))); do
        name="gc-$target-$phase-$r"
        printf '%-34s %6s req/s  p99 %6s ms  ' "$name" "$(wrk_rps "$RUN/$name-wrk.txt")" "$(wrk_percentile_ms "$RUN/$name-wrk.txt" 99)"
        dotnet "$BIN/GcPauses/release/GcPauses.dll" "$RUN/$name.nettrace" | cut -d: -f2-
      done
    done
  done
  echo "traces: $RUN/gc-*.nettrace"
} | tee -a "$RUN/result.txt"
