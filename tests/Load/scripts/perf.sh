# --perf: where the gateway's CPU time goes, as the kernel sees it. perf (linux-perf) samples
# the gateway process at 499 Hz with call stacks for 20 s while wrk drives it flat out, after the
# usual warm-up; the runtime writes /tmp/perf-<pid>.map (DOTNET_PerfMapEnabled=1, and W^X off so
# JIT code lives in anonymous memory where perf looks the names up). Unlike --profile, only samples of a thread on the CPU count: waiting costs nothing.
# Prints the hottest symbols (self time) and the hottest callers (children), both by module.
# LOAD_PERF_RATE=N samples at N requests/s instead (wrk's delay() hook, as the half-load rounds).

need perf linux-perf
PATH_UNDER_TEST=/api/v1/trading/quotes/AAPL
NO_TOKEN=0
smoke "$GATEWAY$PATH_UNDER_TEST"
warm_up gateway "$GATEWAY$PATH_UNDER_TEST"
PERF_RATE=${LOAD_PERF_RATE:-0}
log "perf: sampling the gateway for 20 s under $([ "$PERF_RATE" = 0 ] && echo "full load" || echo "$PERF_RATE req/s")"
perf record -F 499 -g -p "${PIDS[gateway]}" -o "$RUN/perf.data" -- sleep 20 >"$RUN/perf-record.log" 2>&1 &
PERF_PID=$!
wrk_run "$RUN/perf-wrk.txt" 20 "$GATEWAY$PATH_UNDER_TEST" "$PERF_RATE"
wait "$PERF_PID"
report() { perf report -i "$RUN/perf.data" --stdio --percent-limit "$1" "${@:2}" 2>/dev/null | grep -v '^$' | grep -v '^#'; }
{
  echo
  echo "== perf: gateway at $(wrk_rps "$RUN/perf-wrk.txt") req/s, CPU samples by module (self)"
  report 1 --no-children --sort dso -g none
  echo
  echo "== by thread (self)"
  report 1 --no-children --sort comm -g none
  echo
  echo "== hottest symbols (self, >= 0.7 %)"
  report 0.7 --no-children --sort sym -g none | cut -c1-160
  echo
  echo "== inclusive (children, >= 3 %), gateway and library methods"
  report 3 --children --sort sym -g none | grep -E 'Gateway|Yarp|Microsoft|System|OpenTelemetry|StackExchange|Polly' | cut -c1-160 | head -60
  echo "data: $RUN/perf.data (perf report -i ...)"
} | tee -a "$RUN/result.txt"
