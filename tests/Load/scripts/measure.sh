# The comparison (--quick and the default), sourced by run.sh once the servers are up:
# 1. maximum throughput of every target over interleaved rounds (wrk as fast as 32 connections go);
# 2. p50/p99 of every proxy at one fixed rate, half of the gateway's own maximum (a rate every
#    row carries, so their tails compare);
# 3. time to full speed: a fresh process of each proxy, started while the load waits, then driven
#    flat out for RAMP_SECONDS; when its responses per second (2 s mean) first reach 90% of that
#    target's maximum from step 1, counted from the moment it was started;
# 4. DPoP-bound next to bearer tokens at a fixed rate.

PATH_UNDER_TEST=/api/v1/trading/quotes/AAPL
if [ "${LOAD_COUNTERS:-0}" = 1 ]; then restore_tools; fi # dotnet-counters, before any round
TARGETS=(backend bare gateway)
declare -A URL=([backend]="$BACKEND$PATH_UNDER_TEST" [bare]="$BARE$PATH_UNDER_TEST" [gateway]="$GATEWAY$PATH_UNDER_TEST")
declare -A LABEL=([backend]="backend (direct)" [bare]="bare YARP 2.3" [gateway]="Gateway.Api (all policies)"
  [gw-no-audit]="  gateway, audit off" [gw-no-limit]="  gateway, rate limit off" [gw-no-token]="  gateway, no token/auth"
  [gw-no-otel]="  gateway, OTel SDK off" [gw-floor]="  gateway, all four off")
declare -A RPS P50 P99 ERRORS CPU WRITER_CPU BACKEND_CPU CACHE_CPU MEDIAN_RPS GC_MS LOCKS
HZ=$(getconf CLK_TCK)
per_response() { awk -v t="$1" -v n="$2" -v hz="$HZ" -v f="${3:-%.0f}" 'BEGIN {printf f, n ? t * 1e6 / hz / n : 0}'; } # <ticks> <responses> [format] -> us
if [ "$VARIANTS" = 1 ]; then
  for variant in "${VARIANT_NAMES[@]}"; do
    TARGETS+=("$variant")
    URL[$variant]="http://127.0.0.1:${PORT[$variant]}$PATH_UNDER_TEST"
  done
fi
COUNT=${#TARGETS[@]}

for target in "${TARGETS[@]}"; do
  if [[ $target == gw-no-token || $target == gw-floor ]]; then
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${URL[$target]}")" = 200 ] || die "$target did not answer 200 without a token"
  else
    smoke "${URL[$target]}"
  fi
done
for target in "${TARGETS[@]}"; do token_for "$target"; warm_up "$target" "${URL[$target]}"; done

# round <kind> <round> <target> [rate]: one measurement; appends its figures to the target's lists.
# CPU is the target process's own (utime + stime), in microseconds per response; of it, the
# audit writer's thread (a gateway's only; 0 with audit off).
round() {
  local kind=$1 r=$2 target=$3 rate=${4:-0} out pid before after responses errors backend cache writer
  out="$RUN/$kind-$r-$target.txt"
  pid=${PIDS[$target]}
  before=$(cpu_ticks "$pid") backend=$(cpu_ticks "${PIDS[backend]}") cache=$(cpu_ticks "${PIDS[cache]}") writer=$(thread_ticks "$pid" audit-writer)
  token_for "$target"
  [ "$target" = backend ] || counters_start "$pid" "$RUN/counters-$kind-$r-$target.csv" "$SECONDS_PER_ROUND"
  wrk_run "$out" "$SECONDS_PER_ROUND" "${URL[$target]}" "$rate"
  after=$(cpu_ticks "$pid")
  if [ "${LOAD_COUNTERS:-0}" = 1 ] && [ "$target" != backend ]; then
    wait "$!" 2>/dev/null
    GC_MS[$kind:$target]+=" $(counters_per_second "$RUN/counters-$kind-$r-$target.csv" dotnet.gc.pause.time "$SECONDS_PER_ROUND" 1000 %.1f)"
    LOCKS[$kind:$target]+=" $(counters_per_second "$RUN/counters-$kind-$r-$target.csv" dotnet.monitor.lock_contentions "$SECONDS_PER_ROUND" 1 %.0f)"
  fi
  responses=$(wrk_responses "$out")
  [ "$target" = backend ] || BACKEND_CPU[$kind:$target]+=" $(per_response $(($(cpu_ticks "${PIDS[backend]}") - backend)) "$responses")"
  CACHE_CPU[$kind:$target]+=" $(per_response $(($(cpu_ticks "${PIDS[cache]}") - cache)) "$responses")"
  errors=$(($(wrk_non2xx "$out") + $(wrk_socket_errors "$out")))
  RPS[$kind:$target]+=" $(wrk_rps "$out")"
  P50[$kind:$target]+=" $(wrk_percentile_ms "$out" 50)"
  P99[$kind:$target]+=" $(wrk_percentile_ms "$out" 99)"
  ERRORS[$kind:$target]=$((${ERRORS[$kind:$target]:-0} + errors))
  CPU[$kind:$target]+=" $(per_response $((after - before)) "$responses")"
  WRITER_CPU[$kind:$target]+=" $(per_response $(($(thread_ticks "$pid" audit-writer) - writer)) "$responses" %.1f)"
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
# Every proxy at one rate: half of the gateway's maximum with every policy on.
HALF=$(awk -v r="${MEDIAN_RPS[gateway]}" 'BEGIN {printf "%.0f", r / 2}')
PROXIES=("${TARGETS[@]:1}")
log "half load: $HALF req/s (half of the gateway's median maximum) for every proxy"
for r in $(seq 0 $((ROUNDS - 1))); do
  for i in $(seq 0 $((${#PROXIES[@]} - 1))); do round half "$r" "${PROXIES[$(((r + i) % ${#PROXIES[@]}))]}" "$HALF"; done
done

# --- time to full speed ------------------------------------------------------------------------
# ramp <target>: a fresh process of the target (its own port, audit file and key), started now;
# wrk waits for it to answer, then drives it flat out for RAMP_SECONDS with a per-second timeline.
RAMP_SECONDS=${LOAD_RAMP_SECONDS:-60}
declare -A READY FULL_SPEED
ramp() {
  local target=$1 fresh="fresh-$1" started out="$RUN/ramp-$1.txt" port
  started=$(date +%s%3N)
  # shellcheck disable=SC2086 # the settings are words
  if [ "$target" = bare ]; then start_bare "$fresh"; else start_gateway "$fresh" ${VARIANT[$target]:-}; fi
  READY[$target]=$(awk -v a="$started" -v b="$(date +%s%3N)" 'BEGIN {printf "%.1f", (b - a) / 1000}')
  port=${PORT[$fresh]}
  token_for "$target"
  wrk_run "$out" "$RAMP_SECONDS" "http://127.0.0.1:$port$PATH_UNDER_TEST" 0 1000
  stop "$fresh" 20
  ERRORS[ramp:$target]=$(($(wrk_non2xx "$out") + $(wrk_socket_errors "$out")))
  # The end of the first whole second whose mean with the second before reaches 90% of the maximum.
  FULL_SPEED[$target]=$(awk -v start="$started" -v goal="$(awk -v r="${MEDIAN_RPS[$target]}" 'BEGIN {print r * 0.9}')" -v cap="$RAMP_SECONDS" '
    $1 == "bucket" { n = 0; for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] >= 200 && kv[1] < 300) n += kv[2] }
                     at[++count] = $2; ok[count] = n }
    END { for (i = 3; i < count; i++) if ((ok[i - 1] + ok[i]) / 2 >= goal) { printf "%.1f", (at[i] + 1000 - start) / 1000; exit }
          printf ">%d", cap }' "$out")
  log "time to full speed $target: ready after ${READY[$target]} s, 90% of ${MEDIAN_RPS[$target]} req/s after ${FULL_SPEED[$target]} s"
}
for target in "${PROXIES[@]}"; do ramp "$target"; done

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
status() { # errors of a target over its max, half and ramp phases
  local n=$((${ERRORS[max:$1]:-0} + ${ERRORS[half:$1]:-0} + ${ERRORS[ramp:$1]:-0}))
  [ "$n" = 0 ] && echo 0 || echo "$n FAILED"
}
# shellcheck disable=SC2086 # word splitting of the per-round lists is the point
{
  echo
  echo "== Load comparison ($MODE): $ROUNDS rounds x ${SECONDS_PER_ROUND}s per target and phase, rotating order, after warm-up"
  echo "   $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); servers on CPU $SERVER_CPU, wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); .NET $(dotnet --list-runtimes | awk '/AspNetCore/ {v = $2} END {print v}')"
  echo "   load average: at start $LOAD_AT_START, now $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "   p50/p99 in ms; full load: flat out; h: half load, $HALF req/s offered to every proxy (half of the gateway's maximum) by wrk's delay() hook"
  echo "   CPU us/r at full load: the target process itself (audit: of it, the audit writer's thread), the backend, redis-server; ready / 90%: seconds from the start"
  echo "   of a fresh process to its first 200 and to 90% of its maximum under full load (${RAMP_SECONDS} s at most)"
  echo
  printf '%-28s %7s %6s %6s %6s %6s %6s %6s %6s %5s %6s %7s %5s %6s %6s  %s\n' target 'req/s' 'x bare' \
    'p50' 'p99' 'x bare' 'p50 h' 'p99 h' 'x bare' 'CPU' 'audit' 'backend' 'cache' 'ready' '90%' errors
  for target in "${TARGETS[@]}"; do
    half_p99=$([ "$target" = backend ] && echo - || median ${P99[half:$target]})
    printf '%-28s %7s %6s %6s %6s %6s %6s %6s %6s %5s %6s %7s %5s %6s %6s  %s\n' "${LABEL[$target]:-  $target}" "${MEDIAN_RPS[$target]}" \
      "$(ratio "${MEDIAN_RPS[$target]}" "${MEDIAN_RPS[bare]}")" \
      "$(median ${P50[max:$target]})" "$(median ${P99[max:$target]})" "$(ratio "$(median ${P99[max:$target]})" "$(median ${P99[max:bare]})")" \
      "$([ "$target" = backend ] && echo - || median ${P50[half:$target]})" "$half_p99" \
      "$([ "$target" = backend ] && echo - || ratio "$half_p99" "$(median ${P99[half:bare]})")" \
      "$(median ${CPU[max:$target]})" "$([[ $target == backend || $target == bare ]] && echo - || median ${WRITER_CPU[max:$target]})" \
      "$([ "$target" = backend ] && echo - || median ${BACKEND_CPU[max:$target]})" \
      "$(median ${CACHE_CPU[max:$target]})" "${READY[$target]:--}" "${FULL_SPEED[$target]:--}" "$(status "$target")"
  done
  echo
  echo "req/s per round (full load): $(for t in "${TARGETS[@]}"; do printf '%s:%s; ' "$t" "${RPS[max:$t]# }"; done)"
  echo "audit writer us/r per round (full load; half load): $(for t in "${TARGETS[@]}"; do [[ $t == backend || $t == bare ]] || printf '%s:%s;%s; ' "$t" "${WRITER_CPU[max:$t]# }" "${WRITER_CPU[half:$t]# }"; done)"
  if [ "${LOAD_COUNTERS:-0}" = 1 ]; then
    echo "GC pause ms per s, per round (full load; half load): $(for t in "${PROXIES[@]}"; do printf '%s:%s;%s; ' "$t" "${GC_MS[max:$t]# }" "${GC_MS[half:$t]# }"; done)"
    echo "monitor lock contentions per s, per round (full load; half load): $(for t in "${PROXIES[@]}"; do printf '%s:%s;%s; ' "$t" "${LOCKS[max:$t]# }" "${LOCKS[half:$t]# }"; done)"
  fi
  echo
  echo "== DPoP-bound vs bearer tokens: the gateway with every policy at $DPOP_RATE req/s, medians of $ROUNDS rounds"
  printf '%-28s %12s %9s %9s %10s %10s %10s\n' token 'achieved/s' 'p50 ms' 'p99 ms' errors 'CPU us/r' 'cache us/r'
  for kind in bearer dpop; do
    errors=${ERRORS[$kind:gateway]:-0}
    printf '%-28s %12s %9s %9s %10s %10s %10s\n' "$([ "$kind" = dpop ] && echo "DPoP + proof per request" || echo "bearer")" \
      "$(median ${RPS[$kind:gateway]})" "$(median ${P50[$kind:gateway]})" "$(median ${P99[$kind:gateway]})" \
      "$([ "$errors" = 0 ] && echo 0 || echo "$errors FAILED")" "$(median ${CPU[$kind:gateway]})" "$(median ${CACHE_CPU[$kind:gateway]})"
  done
  echo
  awk -v t="$(ratio "${MEDIAN_RPS[gateway]}" "${MEDIAN_RPS[bare]}")" \
      -v f="$(ratio "$(median ${P99[max:gateway]})" "$(median ${P99[max:bare]})")" \
      -v h="$(ratio "$(median ${P99[half:gateway]})" "$(median ${P99[half:bare]})")" \
      -v s="${FULL_SPEED[gateway]}" -v e="$(status gateway)$(status bare)" 'BEGIN {
    printf "targets: throughput >= 0.6 x bare: %s (%s); p99 at full load <= 2 x bare: %s (%s); p99 at half load <= 2 x bare: %s (%s); 90%% speed <= 20 s: %s (%s)%s\n",
      t, (t >= 0.6 ? "met" : "NOT met"), f, (f <= 2.0 ? "met" : "NOT met"), h, (h <= 2.0 ? "met" : "NOT met"),
      s, (s !~ /^>/ && s + 0 <= 20 ? "met" : "NOT met"), (e != "00" ? "; rows with errors are FAILED" : "") }'
  echo "raw wrk outputs and server logs: $RUN"
} | tee "$RUN/result.txt"
