# --profile (after a quick or full comparison): where the gateway's time goes. dotnet-trace
# (local tool, tests/Load/.config) samples the gateway's thread stacks for 20 s while wrk drives
# it flat out, and scripts/trace_summary.py folds the samples into the gateway's pieces.

log "profiling the gateway: dotnet-trace sampled thread time, 20 s under full load"
restore_tools
NO_TOKEN=0
(cd "$LOAD_DIR" && exec dotnet dotnet-trace collect -p "${PIDS[gateway]}" --profile dotnet-sampled-thread-time \
  --format Speedscope --duration 00:00:00:20 -o "$RUN/gateway.nettrace") >"$RUN/trace.log" 2>&1 &
TRACE_PID=$!
PIDS[trace]=$TRACE_PID
sleep 2
wrk_run "$RUN/profile-wrk.txt" 20 "$GATEWAY$PATH_UNDER_TEST"
wait "$TRACE_PID"; unset "PIDS[trace]"
[ -f "$RUN/gateway.speedscope.json" ] || die "no trace was written (see $RUN/trace.log)"
{
  echo
  echo "== Profile of the gateway at $(wrk_rps "$RUN/profile-wrk.txt") req/s (while traced): share of its busy samples"
  python3 "$LOAD_DIR/scripts/trace_summary.py" "$RUN/gateway.speedscope.json"
  echo "trace: $RUN/gateway.nettrace (open in PerfView or speedscope)"
} | tee -a "$RUN/result.txt"
