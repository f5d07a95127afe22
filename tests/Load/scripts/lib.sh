# Shared by run.sh and its modes: processes (start pinned, stop on exit), ports, wrk runs and
# the parsing of their output. Sourced, never run on its own.

SERVER_CPU=${SERVER_CPU:-0}   # every server: backend, proxies, cache, issuer
LOAD_CPU=${LOAD_CPU:-1}       # wrk alone
CONNECTIONS=${CONNECTIONS:-32}
declare -A PIDS=()            # name -> pid of everything this run started

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need() { # need <command> <apt package>
  command -v "$1" >/dev/null && return
  log "installing $2 (apt-get)"
  as_root apt-get update -qq >/dev/null && as_root apt-get install -y -qq "$2" >/dev/null || die "could not install $2"
}

# A port nothing listens on, below the kernel's ephemeral range: a port inside it can be taken by
# the local end of an outgoing connection (wrk's, a proxy's to its backend) between this check and
# the server's bind, which once failed a fresh gateway with "address already in use".
free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  while port=$(shuf -i "10000-$((low - 1))" -n 1); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do :; done
  echo "$port"
}

# start <name> <working dir> <command...>: pinned to SERVER_CPU, output in $RUN/<name>.log.
# Environment for the command is passed with `env` in the command itself.
start() {
  local name=$1 dir=$2; shift 2
  (cd "$dir" && exec taskset -c "$SERVER_CPU" "$@") >>"$RUN/$name.log" 2>&1 &
  PIDS[$name]=$!
  echo "${PIDS[$name]}" >"$RUN/$name.pid"
}

# stop <name> [seconds]: SIGTERM, then SIGKILL after the grace period (the gateway needs one to flush its audit queue).
stop() {
  local name=$1 grace=${2:-15} pid=${PIDS[$1]:-}
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "$name did not stop in ${grace}s; killing it"; kill -KILL "$pid" 2>/dev/null; }
  fi
  wait "$pid" 2>/dev/null
  unset "PIDS[$name]"
}

stop_all() {
  local name
  for name in "${!PIDS[@]}"; do [[ $name == gw-* ]] && stop "$name" 20; done
  for name in gateway bare backend issuer cache; do stop "$name" 20; done
  for name in "${!PIDS[@]}"; do stop "$name" 5; done
}

wait_http() { # wait_http <url> <seconds> [header]: until it answers 200
  local url=$1 seconds=$2 header=${3:-X-Load: 1}
  for _ in $(seq 1 $((seconds * 5))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$url")" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

vm_rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # utime + stime
# thread_ticks <pid> <thread name>: utime + stime of the process's threads of that name (0 if none).
thread_ticks() {
  local task total=0
  for task in /proc/"$1"/task/*; do
    [ "$(cat "$task/comm" 2>/dev/null)" = "$2" ] && total=$((total + $(cpu_ticks "$1/task/${task##*/}")))
  done
  echo "$total"
}

# wrk_run <output file> <seconds> <url> [rate] [bucket ms]: one wrk thread on LOAD_CPU,
# CONNECTIONS keep-alive connections, the bearer token on every request (unless NO_TOKEN=1); with
# DPOP=1 the DPoP-bound token and a fresh proof from DPOP_PROOFS (line DPOP_NEXT on) instead.
wrk_run() {
  local out=$1 seconds=$2 url=$3 rate=${4:-0} bucket=${5:-0} auth="Authorization: Bearer $TOKEN" script=load.lua extra=()
  [ "${NO_TOKEN:-0}" = 1 ] && auth="X-Load: no-token"
  if [ "${DPOP:-0}" = 1 ]; then
    auth="Authorization: DPoP $DPOP_TOKEN" script=dpop.lua extra=("proofs=$DPOP_PROOFS" "first=$DPOP_NEXT")
  fi
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s --latency \
    -s "$LOAD_DIR/scripts/$script" -H "$auth" "$url" \
    -- "rate=$rate" "bucket_ms=$bucket" "${extra[@]}" >"$out" 2>&1
  if [ "${DPOP:-0}" = 1 ]; then
    DPOP_NEXT=$((DPOP_NEXT + $(awk '$1 == "proofs_used" {print $2}' "$out")))
  fi
}

# The diagnostics tools pinned in tests/Load/.config (dotnet-trace, dotnet-counters), restored once per run.
restore_tools() {
  [ "${TOOLS_RESTORED:-0}" = 1 ] && return 0
  (cd "$LOAD_DIR" && dotnet tool restore >/dev/null) || die "dotnet tool restore failed (dotnet-trace, dotnet-counters)"
  TOOLS_RESTORED=1
}

# counters_start <pid> <csv> <seconds>: with LOAD_COUNTERS=1, dotnet-counters (local tool) samples
# the process's System.Runtime meter once a second into <csv>, on LOAD_CPU, for <seconds>; waits
# until it has attached. counters_per_second <csv> <name> <seconds> <scale> <format>: that rate's
# samples summed (a total over the round), times <scale>, per second of the round.
counters_start() {
  [ "${LOAD_COUNTERS:-0}" = 1 ] || return 0
  (cd "$LOAD_DIR" && exec taskset -c "$LOAD_CPU" dotnet dotnet-counters collect -p "$1" --counters System.Runtime \
    --refresh-interval 1 --format csv -o "$2" --duration "00:00:00:$3") >/dev/null 2>&1 &
  local _
  for _ in $(seq 1 50); do [ -s "$2" ] && return 0; sleep 0.1; done
}
counters_per_second() {
  awk -F, -v name="$2" -v n="$3" -v k="$4" -v f="$5" 'index($3, name) == 1 && $4 == "Rate" {s += $5} END {printf f, s * k / n}' "$1" 2>/dev/null || echo 0
}

# Parsing of one wrk output file.
wrk_rps() { awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$1"; }
wrk_responses() { awk '$1 == "status" {s += $3} END {print s + 0}' "$1"; }
wrk_non2xx() { awk '$1 == "status" && ($2 < 200 || $2 > 299) {s += $3} END {print s + 0}' "$1"; }
wrk_socket_errors() { # connect + read + write + timeout
  awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10; found = 1} END {if (!found) print 0}' "$1"
}
wrk_percentile_ms() { # wrk_percentile_ms <file> <50|75|90|99>
  awk -v p="$2%" '$1 == p {
    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
    if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
    printf "%.2f", v }' "$1"
}

median() { # median of the arguments (numbers)
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }

load1() { cut -d' ' -f1 /proc/loadavg; }

# warm_up <name> <url>: 10 s windows, at least WARM_MIN s; in full mode more windows (up to
# WARM_MAX s) while a window is still 3% above the best before it. Prints the progression.
warm_up() {
  local name=$1 url=$2 elapsed=0 best=0 rps rising progression=""
  while :; do
    wrk_run "$RUN/warm-$name-$elapsed.txt" 10 "$url"
    rps=$(wrk_rps "$RUN/warm-$name-$elapsed.txt"); rps=${rps:-0}
    progression+=" $rps"
    elapsed=$((elapsed + 10))
    rising=$(awk -v r="$rps" -v b="$best" 'BEGIN {print (r > b * 1.03) ? 1 : 0}')
    [ "$rps" -gt "$best" ] && best=$rps
    [ "$elapsed" -lt "$WARM_MIN" ] && continue
    [ "$rising" = 1 ] && [ "$elapsed" -lt "$WARM_MAX" ] || break
  done
  log "warm-up $name (${elapsed}s, req/s per 10 s):$progression"
  echo "warm-up $name ${elapsed}s:$progression" >>"$RUN/warm-up.txt"
}
