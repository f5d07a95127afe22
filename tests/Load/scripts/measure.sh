# The comparison (--quick and the default): maximum throughput of the three targets over
# interleaved rounds, then p99 of the bare proxy and the gateway at half of the bare proxy's
# maximum. Sourced by run.sh once the servers are up.

PATH_UNDER_TEST=/api/v1/trading/quotes/AAPL
TARGETS=(backend bare gateway)
declare -A URL=([backend]="$BACKEND$PATH_UNDER_TEST" [bare]="$BARE$PATH_UNDER_TEST" [gateway]="$GATEWAY$PATH_UNDER_TEST")
declare -A LABEL=([backend]="backend (direct)" [bare]="bare YARP 2.3" [gateway]="Gateway.Api (all policies)"
  [gw-no-audit]="  gateway, audit off" [gw-no-limit]="  gateway, rate limit off" [gw-no-token]="  gateway, no token/auth"
  [gw-no-otel]="  gateway, OTel SDK off" [gw-floor]="  gateway, all four off")
declare -A RPS P50 P99 ERRORS CPU BACKEND_CPU CACHE_CPU MEDIAN_RPS
HZ=$(getconf CLK_TCK)
per_response() { awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN {printf "%.0f", n ? t * 1e6 / hz / n : 0}'; } # <ticks> <responses> -> us
if [ "$VARIANTS" = 1 ]; then
  for variant in gw-no-audit gw-no-limit gw-no-token gw-no-otel gw-floor; do
    TARGETS+=("$variant")
    URL[$variant]="http://127.0.0.1:${PORT[$variant]}$PATH_UNDER_TEST"
  done
fi
COUNT=${#TARGETS[@]}
token_for() { NO_TOKEN=$([[ $1 == gw-no-token || $1 == gw-floor ]] && echo 1 || echo 0); } # sets what wrk_run sends

for target in "${TARGETS[@]}"; do
  if [[ $target == gw-no-token || $target == gw-floor ]]; then
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${URL[$target]}")" = 200 ] || die "$target did not answer 200 without a token"
  else
    smoke "${URL[$target]}"
  fi
done
for target in "${TARGETS[@]}"; do token_for "$target"; warm_up "$target" "${URL[$target]}"; done

# round <kind> <round> <target> [rate]: one measurement; appends its figures to the target's lists.
# CPU is the target process's own (utime + stime), in microseconds per response.
round() {
  local kind=$1 r=$2 target=$3 rate=${4:-0} out pid before after responses errors backend cache
  out="$RUN/$kind-$r-$target.txt"
  pid=${PIDS[$target]}
  before=$(cpu_ticks "$pid") backend=$(cpu_ticks "${PIDS[backend]}") cache=$(cpu_ticks "${PIDS[cache]}")
  token_for "$target"
  wrk_run "$out" "$SECONDS_PER_ROUND" "${URL[$target]}" "$rate"
  after=$(cpu_ticks "$pid")
  responses=$(wrk_responses "$out")
  [ "$target" = backend ] || BACKEND_CPU[$kind:$target]+=" $(per_response $(($(cpu_ticks "${PIDS[backend]}") - backend)) "$responses")"
  CACHE_CPU[$kind:$target]+=" $(per_response $(($(cpu_ticks "${PIDS[cache]}") - cache)) "$responses")"
  errors=$(($(wrk_non2xx "$out") + $(wrk_socket_errors "$out")))
  RPS[$kind:$target]+=" $(wrk_rps "$out")"
  P50[$kind:$target]+=" $(wrk_percentile_ms "$out" 50)"
  P99[$kind:$target]+=" $(wrk_percentile_ms "$out" 99)"
  ERRORS[$kind:$target]=$((${ERRORS[$kind:$target]:-0} + errors))
  CPU[$kind:$target]+=" $(per_response $((after - before)) "$responses")"
  log "$kind round $r $target: $(wrk_rps "$out") req/s, p99 $(wrk_percentile_ms "$out" 99) ms, errors $errors"
}

# Rotating order: round r starts with target r mod N, so drift over the run hits every target alike.
for r in $(seq 0 $((ROUNDS - 1))); do
  for i in $(seq 0 $((COUNT - 1))); do round max "$r" "${TARGETS[$(((r + i) % COUNT))]}"; done
done

for target in "${TARGETS[@]}"; do
  # shellcheck disable=SC2086 # word splitting of the lists is the point
  MEDIAN_RPS[$target]=$(median ${RPS[max:$target]})
done
HALF=$(awk -v r="${MEDIAN_RPS[bare]}" 'BEGIN {printf "%.0f", r / 2}')
# A second fixed rate both can carry when the gateway's maximum is below the first.
HALF_GW=$(awk -v r="${MEDIAN_RPS[gateway]}" 'BEGIN {printf "%.0f", r / 2}')
log "half load: $HALF req/s (half of the bare proxy's median), then $HALF_GW (half of the gateway's)"
for r in $(seq 0 $((ROUNDS - 1))); do
  if [ $((r % 2)) = 0 ]; then order=(bare gateway); else order=(gateway bare); fi
  for target in "${order[@]}"; do round half "$r" "$target" "$HALF"; done
done
if awk -v a="$HALF_GW" -v b="$HALF" 'BEGIN {exit !(a < b * 0.95)}'; then
  for r in $(seq 0 $((ROUNDS - 1))); do
    if [ $((r % 2)) = 0 ]; then order=(gateway bare); else order=(bare gateway); fi
    for target in "${order[@]}"; do round halfgw "$r" "$target" "$HALF_GW"; done
  done
fi

# --- DPoP-bound tokens next to bearer tokens ----------------------------------------------------
# The same gateway at a fixed rate both carry, alternating bearer and DPoP rounds: what a proof
# (its ES256 verify, claim checks and the jti claimed in the cache) costs per request. Proofs are
# signed just before this phase, one per request, since a proof is accepted only once.
DPOP_RATE=${LOAD_DPOP_RATE:-1000}
DPOP_COUNT=$((DPOP_RATE * (30 + ROUNDS * SECONDS_PER_ROUND) * 12 / 10 + 2000))
DPOP_PROOFS="$RUN/dpop-proofs.txt" DPOP_NEXT=1
log "signing $DPOP_COUNT DPoP proofs for ${URL[gateway]}"
(cd "$BIN/Issuer/release" && taskset -c "$LOAD_CPU" dotnet Issuer.dll proofs "$DPOP_KEY_FILE" GET "${URL[gateway]}" "$DPOP_TOKEN" "$DPOP_COUNT" "$DPOP_PROOFS") \
  || die "the issuer could not sign DPoP proofs"
DPOP=1 wrk_run "$RUN/warm-dpop.txt" 30 "${URL[gateway]}" "$DPOP_RATE"
log "warm-up dpop (30 s at $DPOP_RATE req/s): $(wrk_rps "$RUN/warm-dpop.txt") req/s, non-2xx $(wrk_non2xx "$RUN/warm-dpop.txt")"
for r in $(seq 0 $((ROUNDS - 1))); do
  if [ $((r % 2)) = 0 ]; then order=(bearer dpop); else order=(dpop bearer); fi
  for kind in "${order[@]}"; do
    if [ "$kind" = dpop ]; then DPOP=1 round dpop "$r" gateway "$DPOP_RATE"; else round bearer "$r" gateway "$DPOP_RATE"; fi
  done
done

# --- the report --------------------------------------------------------------------------------
status() { [ "${ERRORS[$1]:-0}" = 0 ] && echo "0" || echo "${ERRORS[$1]} FAILED"; }
# shellcheck disable=SC2086 # word splitting of the per-round lists is the point
half_table() { # half_table <kind> <offered req/s> <title>
  echo "== p99 at a fixed rate: $2 req/s offered ($3) by wrk's delay() hook, medians of $ROUNDS rounds"
  printf '%-28s %12s %9s %9s %10s %10s\n' target 'achieved/s' 'p50 ms' 'p99 ms' errors 'p99 x bare'
  for target in bare gateway; do
    local achieved
    achieved=$(median ${RPS[$1:$target]})
    printf '%-28s %12s %9s %9s %10s %10s%s\n' "${LABEL[$target]}" "$achieved" \
      "$(median ${P50[$1:$target]})" "$(median ${P99[$1:$target]})" "$(status "$1:$target")" \
      "$(ratio "$(median ${P99[$1:$target]})" "$(median ${P99[$1:bare]})")" \
      "$(awk -v a="$achieved" -v o="$2" 'BEGIN {if (a < o * 0.95) print "   saturated: below the offered rate"}')"
  done
  echo
}
# shellcheck disable=SC2086
{
  echo
  echo "== Load comparison ($MODE): $ROUNDS rounds x ${SECONDS_PER_ROUND}s per target, rotating order, after warm-up"
  echo "   $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); servers on CPU $SERVER_CPU, wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); .NET $(dotnet --list-runtimes | awk '/AspNetCore/ {v = $2} END {print v}')"
  echo "   load average: at start $LOAD_AT_START, now $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "   CPU us/r: CPU time per response of the target process itself, of the backend and of redis-server"
  echo
  printf '%-28s %7s %7s %7s %7s %9s %6s %6s %7s %6s   %s\n' target 'req/s' 'p50 ms' 'p99 ms' errors 'x backend' 'x bare' 'own' 'backend' 'cache' 'req/s per round'
  for target in "${TARGETS[@]}"; do
    printf '%-28s %7s %7s %7s %7s %9s %6s %6s %7s %6s   %s\n' "${LABEL[$target]}" "${MEDIAN_RPS[$target]}" \
      "$(median ${P50[max:$target]})" "$(median ${P99[max:$target]})" "$(status "max:$target")" \
      "$(ratio "${MEDIAN_RPS[$target]}" "${MEDIAN_RPS[backend]}")" "$(ratio "${MEDIAN_RPS[$target]}" "${MEDIAN_RPS[bare]}")" \
      "$(median ${CPU[max:$target]})" "$( [ "$target" = backend ] && echo - || median ${BACKEND_CPU[max:$target]})" \
      "$(median ${CACHE_CPU[max:$target]})" "${RPS[max:$target]# }"
  done
  echo
  half_table half "$HALF" "half of bare YARP's median"
  [ -n "${RPS[halfgw:gateway]:-}" ] && half_table halfgw "$HALF_GW" "half of the gateway's median, a rate both carry"
  echo "== DPoP-bound vs bearer tokens: the gateway with every policy at $DPOP_RATE req/s, medians of $ROUNDS rounds"
  printf '%-28s %12s %9s %9s %10s %10s %10s\n' token 'achieved/s' 'p50 ms' 'p99 ms' errors 'CPU us/r' 'cache us/r'
  for kind in bearer dpop; do
    printf '%-28s %12s %9s %9s %10s %10s %10s\n' "$([ "$kind" = dpop ] && echo "DPoP + proof per request" || echo "bearer")" \
      "$(median ${RPS[$kind:gateway]})" "$(median ${P50[$kind:gateway]})" "$(median ${P99[$kind:gateway]})" \
      "$(status "$kind:gateway")" "$(median ${CPU[$kind:gateway]})" "$(median ${CACHE_CPU[$kind:gateway]})"
  done
  echo
  awk -v t="$(ratio "${MEDIAN_RPS[gateway]}" "${MEDIAN_RPS[bare]}")" \
      -v p="$(ratio "$(median ${P99[half:gateway]})" "$(median ${P99[half:bare]})")" \
      -v e="$((${ERRORS[max:gateway]:-0} + ${ERRORS[half:gateway]:-0} + ${ERRORS[max:bare]:-0} + ${ERRORS[half:bare]:-0}))" 'BEGIN {
    printf "target: gateway >= 0.80 x bare req/s: %s (%s); p99 at half load <= 2.0 x bare: %s (%s)%s\n",
      t, (t >= 0.8 ? "met" : "NOT met"), p, (p <= 2.0 ? "met" : "NOT met"), (e > 0 ? "; rows with errors are FAILED" : "") }'
  echo "raw wrk outputs and server logs: $RUN"
} | tee "$RUN/result.txt"
