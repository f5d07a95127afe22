# --startup: time to full speed alone, measured more than once. For each round, in rotating
# order, a fresh process of every target (bare YARP, the gateway, and the variants with
# --variants or LOAD_VARIANTS) is started while wrk waits, then driven flat out for
# STARTUP_SECONDS with a per-second timeline. Per target, medians over the rounds of:
#   ready   seconds from the start to its first 200;
#   steady  requests/s over the last 30 s of its ramp;
#   50%/90% seconds from the start until a 2 s mean first reaches that share of the target's
#           best steady figure (so a slower configuration is judged against its own speed);
#   first 60 s  requests served in its first 60 s, the work a scale-out replica takes on;
#   JIT     methods compiled past tier 0 (from the runtime's perf map, DOTNET_PerfMapEnabled=3),
#           the JIT's work, counted the same however fast the machine is that day.

STARTUP_SECONDS=${LOAD_STARTUP_SECONDS:-180}
STARTUP_ROUNDS=${LOAD_ROUNDS:-2}
PATH_UNDER_TEST=/api/v1/trading/quotes/AAPL
smoke "$GATEWAY$PATH_UNDER_TEST"
stop gateway 20
[ -n "${PIDS[bare]:-}" ] && stop bare 5
STARTUP_TARGETS=(bare gateway)
[ "$VARIANTS" = 1 ] && STARTUP_TARGETS+=("${VARIANT_NAMES[@]}")
declare -A STARTUP_SAMPLES=()

# startup_ramp <target> <round>: one fresh process, one ramp; appends "ready steady first60 jit" and keeps the timeline.
startup_ramp() {
  local target=$1 round=$2 fresh="fresh-$1-$2" started out="$RUN/startup-$1-$2.txt" pid ready jit sample
  started=$(date +%s%3N)
  echo "$started" >"$RUN/startup-$target-$round.start"
  # shellcheck disable=SC2086 # the settings are words
  if [ "$target" = bare ]; then
    DOTNET_PerfMapEnabled=3 start_bare "$fresh"
  else
    start_gateway "$fresh" ${VARIANT[$target]:-} DOTNET_PerfMapEnabled=3
  fi
  ready=$(awk -v a="$started" -v b="$(date +%s%3N)" 'BEGIN {printf "%.1f", (b - a) / 1000}')
  pid=${PIDS[$fresh]}
  token_for "$target"
  wrk_run "$out" "$STARTUP_SECONDS" "http://127.0.0.1:${PORT[$fresh]}$PATH_UNDER_TEST" 0 1000
  # The process under `taskset ... env ... dotnet` is the last in its chain of execs: same pid.
  jit=$(grep -cE '\[(OptimizedTier1|OptimizedTier1OSR|InstrumentedTier|InstrumentedTierOptimized|Optimized)\]$' "/tmp/perf-$pid.map" 2>/dev/null)
  # Where that work went: the methods themselves, and their count by assembly, most first.
  grep -E '\[(OptimizedTier1|OptimizedTier1OSR|InstrumentedTier|InstrumentedTierOptimized|Optimized)\]$' "/tmp/perf-$pid.map" 2>/dev/null \
    | cut -d' ' -f3- >"$RUN/jit-$target-$round.methods"
  perl -ne 'print "$1\n" if /^.*? \[([\w.\-]+)\] /' "$RUN/jit-$target-$round.methods" | sort | uniq -c | sort -rn >"$RUN/jit-$target-$round.txt"
  rm -f "/tmp/perf-$pid.map" "/tmp/perfinfo-$pid.map"
  stop "$fresh" 20
  [ "$(($(wrk_non2xx "$out") + $(wrk_socket_errors "$out")))" = 0 ] || die "$target ramp $round had errors (see $out)"
  sample="$(awk -v start="$started" -v ready="$ready" -v jit="${jit:-0}" '
    $1 == "bucket" { n = 0; for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] >= 200 && kv[1] < 300) n += kv[2] }
                     count++; if ($2 - start < 60000) first += n; ok[count] = n }
    END { for (i = count - 30; i < count; i++) steady += ok[i]
          printf "%s %.0f %d %s;", ready, steady / 30, first, jit }' "$out")"
  STARTUP_SAMPLES[$target]+=$sample
  log "startup $target round $round (ready s, steady req/s, first 60 s, JIT): $sample"
}

log "startup: $STARTUP_ROUNDS rounds of ${STARTUP_SECONDS} s per target: ${STARTUP_TARGETS[*]}"
for round in $(seq 1 "$STARTUP_ROUNDS"); do
  for i in $(seq 0 $((${#STARTUP_TARGETS[@]} - 1))); do
    startup_ramp "${STARTUP_TARGETS[$(((i + round - 1) % ${#STARTUP_TARGETS[@]}))]}" "$round"
  done
done

# Times to 50% and 90% from each timeline, against the target's best steady figure.
declare -A STARTUP_LABEL=([bare]="bare YARP 2.3" [gateway]="Gateway.Api (all policies)")
# median <field>: of the ";"-separated samples on stdin (the mean of the middle two for an even count)
median() {
  tr ';' '\n' | awk -v f="$1" 'NF {v[++n] = $f} END {
    if (!n) { print "-"; exit }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    m = v[int((n + 1) / 2)]; if (n % 2 == 0 && m !~ />/ && v[n / 2 + 1] !~ />/) m = (m + v[n / 2 + 1]) / 2
    print m }'
}
{
  echo
  echo "== Time to full speed: $STARTUP_ROUNDS fresh processes per target, ${STARTUP_SECONDS} s flat out each, medians"
  echo "   ready: s to the first 200; steady: req/s over the last 30 s; 50%/90%: s from the start to the first 2 s mean"
  echo "   at that share of the target's best steady figure; first 60 s: requests served; JIT: methods compiled past tier 0"
  printf '%-28s %6s %8s %7s %7s %11s %7s\n' target ready steady '50% s' '90% s' 'first 60 s' JIT
  for target in "${STARTUP_TARGETS[@]}"; do
    best=$(tr ';' '\n' <<<"${STARTUP_SAMPLES[$target]}" | awk 'NF {if ($2 > b) b = $2} END {print b + 0}')
    times=""
    for round in $(seq 1 "$STARTUP_ROUNDS"); do
      times+=$(awk -v best="$best" -v cap="$STARTUP_SECONDS" -v start="$(cat "$RUN/startup-$target-$round.start")" '
        $1 == "bucket" { n = 0; for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] >= 200 && kv[1] < 300) n += kv[2] }
                         at[++count] = $2; ok[count] = n }
        function first(share,   i) { for (i = 2; i <= count; i++) if ((ok[i - 1] + ok[i]) / 2 >= share * best) return sprintf("%.0f", (at[i] + 1000 - start) / 1000); return ">" cap }
        END { printf "%s %s;", first(0.5), first(0.9) }' "$RUN/startup-$target-$round.txt")
    done
    printf '%-28s %6s %8s %7s %7s %11s %7s\n' "${STARTUP_LABEL[$target]:-  $target}" \
      "$(median 1 <<<"${STARTUP_SAMPLES[$target]}")" "$(median 2 <<<"${STARTUP_SAMPLES[$target]}")" \
      "$(median 1 <<<"$times")" "$(median 2 <<<"$times")" \
      "$(median 3 <<<"${STARTUP_SAMPLES[$target]}")" "$(median 4 <<<"${STARTUP_SAMPLES[$target]}")"
  done
  echo "timelines: $RUN/startup-<target>-<round>.txt"
} | tee -a "$RUN/result.txt"
