#!/usr/bin/env bash
# Order placement throughput of Trading.Api on its two stores, side by side in one run:
#
#   tests/Load/orders.sh              SQLite file vs PostgreSQL, 5 interleaved rounds (~6 min)
#
# Options: --no-build, --rounds N (default 5), --seconds N per round (default 15), --traders N
# (accounts the orders are spread over, default 8). Trading.Api (Release, Production) runs pinned
# to CPU 0 with its cache (redis-server) and, for the PostgreSQL rows, a throwaway cluster made
# for this run (initdb in the run folder; durable settings: fsync and synchronous commit on). wrk
# (-t1, ORDER_CONNECTIONS=16 by default) runs on CPU 1 and sends market buys of one share, each with its
# own Idempotency-Key. Every order is a real one: a cash debit under the account's concurrency
# token, a position, an order, an execution and the idempotency record, in one transaction.
set -uo pipefail
LOAD_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LOAD_DIR/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# shellcheck source=scripts/lib.sh
. "$LOAD_DIR/scripts/lib.sh"
CONNECTIONS=${ORDER_CONNECTIONS:-16}

BUILD=1 ROUNDS=5 SECONDS_PER_ROUND=15 TRADERS=8 WARM=60
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0 ;;
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECONDS_PER_ROUND=$2; shift ;;
    --traders) TRADERS=$2; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: servers on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU"
need wrk wrk
need redis-server redis-server
need taskset util-linux
need curl curl
need jq jq
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then
  log "installing postgresql (apt-get)"
  as_root apt-get update -qq >/dev/null && as_root apt-get install -y -qq postgresql >/dev/null || die "could not install postgresql"
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

RUN="$LOAD_DIR/runs/$(date +%Y%m%d-%H%M%S)-orders"
mkdir -p "$RUN"
ARTIFACTS="$LOAD_DIR/artifacts"
BIN="$ARTIFACTS/bin"
PGDATA_DIR="$RUN/pg"

stop_postgres() { [ -d "$PGDATA_DIR/data" ] && as_postgres "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -m fast stop >/dev/null 2>&1; true; }
trap 'stop_all; stop_postgres' EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
  for project in tests/Load/Issuer Trading.Api; do
    log "building $project (Release)"
    dotnet build "$ROOT/$project" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q >"$RUN/build.log" 2>&1 \
      || { cat "$RUN/build.log"; die "build of $project failed"; }
  done
fi

CACHE_PORT=$(free_port) PG_PORT=$(free_port)
log "run directory: $RUN"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
start cache "$RUN" redis-server --port "$CACHE_PORT" --bind 127.0.0.1 --save "" --appendonly no
for _ in $(seq 1 50); do redis-cli -p "$CACHE_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

mkdir -p "$PGDATA_DIR"; as_root chown postgres "$PGDATA_DIR"
as_postgres "$PGBIN/initdb" -D "$PGDATA_DIR/data" -A trust -U postgres >/dev/null || die "initdb failed"
taskset -c "$SERVER_CPU" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -l "$PGDATA_DIR/log" -w start \
  -o "-p $PG_PORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1" >/dev/null || die "PostgreSQL did not start (see $PGDATA_DIR/log)"

start issuer "$BIN/Issuer/release" dotnet Issuer.dll 24 "$TRADERS"
for _ in $(seq 1 150); do grep -q '^token=' "$RUN/issuer.log" 2>/dev/null && break; sleep 0.2; done
AUTHORITY=$(sed -n 's/^authority=//p' "$RUN/issuer.log")
mapfile -t TOKENS < <(sed -n 's/^trader=//p' "$RUN/issuer.log")
[ "${#TOKENS[@]}" -eq "$TRADERS" ] || die "issuer printed ${#TOKENS[@]} traders (see $RUN/issuer.log)"

declare -A STORE=(
  [sqlite]="Data Source=$RUN/sqlite/trading.db"
  [postgres]="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=trading"
)
declare -A URL=()
mkdir -p "$RUN/sqlite"
for engine in sqlite postgres; do
  port=$(free_port)
  URL[$engine]="http://127.0.0.1:$port"
  start "trading-$engine" "$BIN/Trading.Api/release" env ASPNETCORE_URLS="${URL[$engine]}" ASPNETCORE_ENVIRONMENT=Production \
    Auth__Authority="$AUTHORITY" ConnectionStrings__cache="127.0.0.1:$CACHE_PORT" ConnectionStrings__tradingdb="${STORE[$engine]}" \
    Trading__Encryption__ActiveKeyId=k1 Trading__Encryption__Keys__k1="$(head -c 32 /dev/urandom | base64)" \
    Trading__PaperTrading__StartingCash=1000000000 dotnet Trading.Api.dll
  wait_http "${URL[$engine]}/health" 60 || die "trading-$engine is not healthy (see $RUN/trading-$engine.log)"
done

# One account per trader and store (opened on first use); the wrk script gets "<token>,<account>".
# Both services share the cache, so every Idempotency-Key names its store too ("run=<store>-<round>").
declare -A ARGS=()
for engine in sqlite postgres; do
  for token in "${TOKENS[@]}"; do
    account=$(curl -s -H "Authorization: Bearer $token" "${URL[$engine]}/api/v1/trading/accounts" | jq -r '.accounts[0].account_id')
    [ -n "$account" ] && [ "$account" != null ] || die "no account from trading-$engine"
    ARGS[$engine]+="$token,$account "
  done
done

orders_run() { # orders_run <engine> <output> <seconds> <run id>
  # shellcheck disable=SC2086
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${3}s" --timeout 5s --latency -s "$LOAD_DIR/scripts/orders.lua" \
    "${URL[$1]}" -- "run=$1-$4" ${ARGS[$1]} >"$2" 2>&1
}

for engine in sqlite postgres; do
  log "warming up trading-$engine for ${WARM}s"
  orders_run "$engine" "$RUN/warm-$engine.txt" "$WARM" "warm"
done

declare -A RPS=() P50=() P99=() BAD=() CPU=()
for round in $(seq 1 "$ROUNDS"); do
  for engine in sqlite postgres; do
    pid=${PIDS[trading-$engine]}
    before=$(cpu_ticks "$pid")
    orders_run "$engine" "$RUN/round$round-$engine.txt" "$SECONDS_PER_ROUND" "r$round"
    after=$(cpu_ticks "$pid")
    out="$RUN/round$round-$engine.txt"
    RPS[$engine]+="$(wrk_rps "$out") "; P50[$engine]+="$(wrk_percentile_ms "$out" 50) "; P99[$engine]+="$(wrk_percentile_ms "$out" 99) "
    BAD[$engine]=$(( ${BAD[$engine]:-0} + $(wrk_non2xx "$out") + $(wrk_socket_errors "$out") ))
    # Trading.Api's own CPU per order (µs), from its utime + stime ticks (100 per second).
    CPU[$engine]+="$(awk -v t=$((after - before)) -v n="$(wrk_responses "$out")" 'BEGIN {if (n > 0) printf "%.0f", t * 10000 / n; else print 0}') "
    log "round $round $engine: $(wrk_rps "$out") orders/s, p99 $(wrk_percentile_ms "$out" 99) ms"
  done
done


{
  echo "Order placement, Trading.Api $(git -C "$ROOT" rev-parse --short HEAD), $ROUNDS rounds of ${SECONDS_PER_ROUND}s, $CONNECTIONS connections, $TRADERS accounts"
  printf '%-10s %10s %9s %9s %14s %8s\n' store "orders/s" "p50 ms" "p99 ms" "CPU µs/order" "non-2xx"
  for engine in sqlite postgres; do
    # shellcheck disable=SC2086
    printf '%-10s %10s %9s %9s %14s %8s\n' "$engine" "$(median ${RPS[$engine]})" "$(median ${P50[$engine]})" "$(median ${P99[$engine]})" "$(median ${CPU[$engine]})" "${BAD[$engine]}"
  done
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RUN/result.txt"
