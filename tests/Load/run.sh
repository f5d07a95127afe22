#!/usr/bin/env bash
# Load harness of the gateway. One command, from a fresh clone:
#
#   tests/Load/run.sh            full comparison: direct backend, bare YARP, Gateway.Api (~20 min)
#   tests/Load/run.sh --quick    the same, shorter warm-up and rounds (~10 min after the build)
#   tests/Load/run.sh --faults   cache, backend and audit store outages under steady load (~3 min)
#   tests/Load/run.sh --soak     10 minutes at half the gateway's measured maximum (~13 min)
#   tests/Load/run.sh --perf     perf's CPU profile of the gateway under full load (~3 min)
#   tests/Load/run.sh --startup  time to full speed alone: fresh processes ramped flat out, twice each
#   tests/Load/run.sh --gc       GC pauses of the gateway with and without audit, full and half load (~6 min)
#
# Options: --no-build (reuse tests/Load/artifacts), --rate N (faults: requests/s, default 1000),
# --soak-minutes N (default 10), --variants (quick/full: also the gateway with one policy off at
# a time, and with all of them off, as extra rows, to show what each costs; ~2 min more per row;
# LOAD_VARIANTS replaces them with rows of your own settings, see below), --profile (quick/full: then 20 s of dotnet-trace
# on the gateway under full load, summarized by scripts/trace_summary.py). Everything runs on loopback: redis-server (apt), the stand-in
# backend, the token issuer, the bare proxy and the gateway pinned to CPU 0, wrk to CPU 1.
# Logs, wrk outputs and the audit database stay in tests/Load/runs/<time>/; the result is printed.
set -uo pipefail
LOAD_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LOAD_DIR/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# shellcheck source=scripts/lib.sh
. "$LOAD_DIR/scripts/lib.sh"

MODE=full BUILD=1 FAULT_RATE=1000 SOAK_MINUTES=10 VARIANTS=0 PROFILE=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) MODE=quick ;;
    --faults) MODE=faults ;;
    --soak) MODE=soak ;;
    --perf) MODE=perf ;;
    --gc) MODE=gc ;;
    --startup) MODE=startup ;;
    --no-build) BUILD=0 ;;
    --variants) VARIANTS=1 ;;
    --profile) PROFILE=1 ;;
    --rate) FAULT_RATE=$2; shift ;;
    --soak-minutes) SOAK_MINUTES=$2; shift ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

# The gateway's throughput jumps once, 60-70 s into its warm-up (tiered JIT), after a plateau
# that the "still rising" rule alone would take for the end: hence the minimums.
if [ "$MODE" = quick ] || [ "$MODE" = perf ] || [ "$MODE" = gc ]; then
  WARM_MIN=70 WARM_MAX=100 ROUNDS=3 SECONDS_PER_ROUND=8
else
  WARM_MIN=90 WARM_MAX=180 ROUNDS=5 SECONDS_PER_ROUND=15
fi
# For trying the harness itself out, not for measuring: shorter phases from the environment.
WARM_MIN=${LOAD_WARM_MIN:-$WARM_MIN} WARM_MAX=${LOAD_WARM_MAX:-$WARM_MAX}
ROUNDS=${LOAD_ROUNDS:-$ROUNDS} SECONDS_PER_ROUND=${LOAD_ROUND_SECONDS:-$SECONDS_PER_ROUND}

[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: servers on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU"
need wrk wrk
need redis-server redis-server
need sqlite3 sqlite3
need taskset util-linux
need curl curl

RUN="$LOAD_DIR/runs/$(date +%Y%m%d-%H%M%S)-$MODE"
mkdir -p "$RUN"
ARTIFACTS="$LOAD_DIR/artifacts"
BIN="$ARTIFACTS/bin"

trap 'stop_all' EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
  for project in tests/Load/Backend tests/Load/BareProxy tests/Load/Issuer tests/Load/GcPauses Gateway.Api; do
    log "building $project (Release)"
    # A private artifacts folder: no clash with Debug builds of the same projects in the work tree.
    dotnet build "$ROOT/$project" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q >"$RUN/build.log" 2>&1 \
      || { cat "$RUN/build.log"; die "build of $project failed"; }
  done
fi

# --- the servers -------------------------------------------------------------------------------
CACHE_PORT=$(free_port) BACKEND_PORT=$(free_port) BARE_PORT=$(free_port) GATEWAY_PORT=$(free_port)
AUDIT_DB="$RUN/audit/audit.db"
BACKEND="http://127.0.0.1:$BACKEND_PORT"
BARE="http://127.0.0.1:$BARE_PORT"
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"

start_cache() {
  start cache "$RUN" redis-server --port "$CACHE_PORT" --bind 127.0.0.1 --save "" --appendonly no
  for _ in $(seq 1 50); do redis-cli -p "$CACHE_PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
  die "redis-server did not start (see $RUN/cache.log)"
}

start_backend() {
  # The stand-in must not spin-wait on the core it shares with the proxy (see the note on load testing).
  start backend "$BIN/Backend/release" env ASPNETCORE_URLS="$BACKEND" DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
    dotnet Backend.dll
  wait_http "$BACKEND/health" 30 || die "backend did not start (see $RUN/backend.log)"
}

DPOP_KEY_FILE="$RUN/dpop-key.pem"
start_issuer() {
  start issuer "$BIN/Issuer/release" env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 DPOP_KEY_FILE="$DPOP_KEY_FILE" dotnet Issuer.dll 24
  for _ in $(seq 1 150); do grep -q '^token=' "$RUN/issuer.log" 2>/dev/null && break; sleep 0.2; done
  AUTHORITY=$(sed -n 's/^authority=//p' "$RUN/issuer.log")
  TOKEN=$(sed -n 's/^token=//p' "$RUN/issuer.log")
  DPOP_TOKEN=$(sed -n 's/^dpop_token=//p' "$RUN/issuer.log")
  [ -n "$TOKEN" ] || die "issuer printed no token (see $RUN/issuer.log)"
}

# start_bare [name]: another name gets its own port (a fresh proxy for the time to full speed).
start_bare() {
  local name=${1:-bare}
  PORT[$name]=${PORT[$name]:-$(free_port)}
  start "$name" "$BIN/BareProxy/release" env ASPNETCORE_URLS="http://127.0.0.1:${PORT[$name]}" BACKEND_ADDRESS="$BACKEND" dotnet BareProxy.dll
  wait_http "http://127.0.0.1:${PORT[$name]}/health" 30 || die "$name did not start (see $RUN/$name.log)"
}

# Every policy on, as configured in appsettings.json, except: the read limit is out of reach (one
# token, one partition), destinations point at the stand-in backend, tokens come from the issuer,
# and a DPoP proof is accepted for 10 minutes instead of 2 (the harness signs its proofs ahead of
# the rows that use them; each is still accepted once).
# start_gateway [name] [KEY=VALUE...]: another name gets its own port, audit file and extra settings.
# Each gateway is an audit log of its own: its own file and signing key (a secret like the one the
# AppHost generates); the checkpoint file lands next to the audit file.
declare -A PORT=([gateway]=$GATEWAY_PORT [bare]=$BARE_PORT) CHECKPOINT_KEY=()
start_gateway() {
  local name=${1:-gateway}; shift || true
  # GATEWAY_BIN=<folder> among the settings runs another build (another commit's Release output,
  # say), side by side with this one's.
  local bin="$BIN/Gateway.Api/release" setting settings=()
  for setting in "$@"; do
    case $setting in GATEWAY_BIN=*) bin=${setting#GATEWAY_BIN=} ;; *) settings+=("$setting") ;; esac
  done
  set -- "${settings[@]}"
  PORT[$name]=${PORT[$name]:-$(free_port)}
  CHECKPOINT_KEY[$name]=${CHECKPOINT_KEY[$name]:-$(head -c 33 /dev/urandom | base64)}
  start "$name" "$bin" env \
    ASPNETCORE_URLS="http://127.0.0.1:${PORT[$name]}" ASPNETCORE_ENVIRONMENT=Production \
    Auth__Authority="$AUTHORITY" \
    ConnectionStrings__cache="127.0.0.1:$CACHE_PORT" \
    ConnectionStrings__auditdb="Data Source=$([ "$name" = gateway ] && echo "$AUDIT_DB" || echo "$RUN/audit-$name/audit.db")" \
    Gateway__Audit__CheckpointKey="${CHECKPOINT_KEY[$name]}" \
    Gateway__RateLimiting__Policies__read__PermitLimit=1000000000 \
    Auth__DPoP__ProofLifetime=00:10:00 \
    DOTNET_PerfMapEnabled="$([ "$MODE" = perf ] && echo 1 || echo 0)" \
    DOTNET_EnableWriteXorExecute="$([ "$MODE" = perf ] && echo 0 || echo 1)" \
    ReverseProxy__Clusters__trading__Destinations__primary__Address="$BACKEND" \
    ReverseProxy__Clusters__identity__Destinations__primary__Address="$BACKEND" \
    "$@" dotnet Gateway.Api.dll
  wait_http "http://127.0.0.1:${PORT[$name]}/health" 60 || die "$name is not healthy (see $RUN/$name.log)"
}

# smoke <url>: one request with the token must be a 200, else nothing below would mean anything.
smoke() {
  local status
  status=$(curl -s -o "$RUN/smoke.txt" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$1")
  [ "$status" = 200 ] || { cat "$RUN/smoke.txt"; die "$1 answered $status"; }
}

log "run directory: $RUN"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at start: $LOAD_AT_START"
start_cache
start_backend
start_issuer
[ "$MODE" = faults ] || [ "$MODE" = soak ] || [ "$MODE" = perf ] || [ "$MODE" = gc ] || start_bare
start_gateway
# --variants: the gateway with one policy off at a time, and with all four off (what is left is
# the gateway's pipeline itself: hardening, routing, YARP, breakers). "No token" makes the route
# anonymous and sends no token: JwtBearer, revocation and authorization are skipped.
VARIANT_NAMES=(gw-no-audit gw-no-limit gw-no-token gw-no-otel gw-floor)
declare -A VARIANT=(
  [gw-no-audit]="Gateway__Audit__Enabled=false"
  [gw-no-limit]="Gateway__RateLimiting__Enabled=false"
  [gw-no-token]="ReverseProxy__Routes__trading-read__AuthorizationPolicy=anonymous"
  [gw-no-otel]="OTEL_SDK_DISABLED=true"
  [gw-floor]="Gateway__Audit__Enabled=false Gateway__RateLimiting__Enabled=false ReverseProxy__Routes__trading-read__AuthorizationPolicy=anonymous OTEL_SDK_DISABLED=true"
)
# LOAD_VARIANTS="name:KEY=VALUE,KEY=VALUE ..." replaces those rows with gateways of your own
# settings (e.g. gw-commit20:Gateway__Audit__GroupCommitInterval=00:00:00.020), to try one, or of
# another build (e.g. before:GATEWAY_BIN=/tmp/before/bin/Gateway.Api/release).
if [ -n "${LOAD_VARIANTS:-}" ]; then
  VARIANTS=1 VARIANT_NAMES=() VARIANT=()
  for spec in $LOAD_VARIANTS; do
    name=${spec%%:*} settings=${spec#*:}
    VARIANT_NAMES+=("$name") VARIANT[$name]=${settings//,/ }
  done
fi
token_for() { NO_TOKEN=$([[ $1 == gw-no-token || $1 == gw-floor ]] && echo 1 || echo 0); } # sets what wrk_run sends
if [ "$VARIANTS" = 1 ] && [ "$MODE" != startup ]; then
  # shellcheck disable=SC2086 # the settings are words
  for variant in "${VARIANT_NAMES[@]}"; do start_gateway "$variant" ${VARIANT[$variant]}; done
fi
log "cache :$CACHE_PORT, backend :$BACKEND_PORT, bare :$BARE_PORT, gateway :$GATEWAY_PORT, issuer $AUTHORITY"

case $MODE in
  quick | full)
    . "$LOAD_DIR/scripts/measure.sh"
    if [ "$PROFILE" = 1 ]; then . "$LOAD_DIR/scripts/profile.sh"; fi ;;
  faults) . "$LOAD_DIR/scripts/faults.sh" ;;
  soak) . "$LOAD_DIR/scripts/soak.sh" ;;
  perf) . "$LOAD_DIR/scripts/perf.sh" ;;
  gc) . "$LOAD_DIR/scripts/gc.sh" ;;
  startup) . "$LOAD_DIR/scripts/startup.sh" ;;
esac
