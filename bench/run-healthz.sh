#!/usr/bin/env bash
# What libs/http costs on the cheapest route: GET /healthz on casecall-intake (router, request
# id, metrics, JSON access log) against bare_beast_server (Beast alone), same thread count,
# same wrk load. Fails when the framework keeps less than 80% of the bare requests/second.
#
# Usage: bench/run-healthz.sh [--threads N] [--rounds R] [--access-log on|off]
#   --threads N         server threads for both servers (default: the number of cores, as the
#                       services use by default)
#   --rounds R          alternate R runs of 5 s on each server, compare the medians (default 5)
#   --access-log off    diagnosis only: intake without its access log (the target is measured
#                       with it on, as in production)
# Exit status: 0 target met, 1 below target, 2 the measurement itself failed.
# Set BENCH_PG_CLUSTER to use another script with deploy/local/pg-cluster's interface.
set -euo pipefail
shopt -s inherit_errexit

threads=$(nproc)  # as the services: one thread per core
rounds=5
access_log=on
usage() { sed -n '6,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --threads) threads=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --threads=*) threads=${1#*=}; shift ;;
    --rounds) rounds=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --rounds=*) rounds=${1#*=}; shift ;;
    --access-log) access_log=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --access-log=*) access_log=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run-healthz: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ $threads =~ ^[1-9][0-9]{0,2}$ ]] || ((threads > 256)); then
  echo "run-healthz: --threads wants a whole number from 1 to 256, got '$threads'" >&2
  exit 2
fi
if ! [[ $rounds =~ ^[1-9][0-9]?$ ]]; then
  echo "run-healthz: --rounds wants a whole number from 1 to 99, got '$rounds'" >&2
  exit 2
fi
if [[ $access_log != on && $access_log != off ]]; then
  echo "run-healthz: --access-log wants on or off, got '$access_log'" >&2
  exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pg_cluster=${BENCH_PG_CLUSTER:-$repo/deploy/local/pg-cluster}
pg_base=/var/tmp/casecall-bench-$(id -u)
pg_port=55452
bare_port=18181
framework_port=18182
target_percent=80
wrk_load=(-t1 -c64)
out=$repo/build/release/bench-healthz  # logs and wrk reports of the last run

# Only what this script sets reaches intake: a stray CASECALL_* in the caller's environment
# would change what is measured.
while read -r name; do unset "$name"; done < <(compgen -e | grep '^CASECALL_' || true)

fail() {
  echo "run-healthz: $*" >&2
  exit 2
}

for tool in wrk curl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (apt-get install -y $tool)"
done
[[ -x $pg_cluster ]] || fail "$pg_cluster is missing or not executable"

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$bare_port" "$framework_port" "$pg_port"; do
  if port_taken "$port"; then fail "port $port on 127.0.0.1 is already in use"; fi
done

cd "$repo"
# The build's output goes to stderr, like wrk's reports: stdout is only the summary.
{ cmake --preset release >/dev/null && cmake --build --preset release -j2; } >&2 ||
  fail "the release build failed"
bin=$repo/build/release/bin
mkdir -p "$out"

bare_pid=
framework_pid=
cluster_started=false
cleanup() {
  for pid in $bare_pid $framework_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if $cluster_started; then
    if "$pg_cluster" stop "$pg_base" >"$out/pg-cluster-stop.log" 2>&1; then
      rm -rf -- "$pg_base"
    else
      echo "run-healthz: could not stop the cluster under $pg_base (see $out/pg-cluster-stop.log)" >&2
    fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits, a bounded time, until GET /healthz answers 2xx; fails at once if the process died.
wait_until_serving() {
  local port=$1 log=$2 pid=$3
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; fail "the server exited (log: $log)"; }
    curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    sleep 0.1
  done
  fail "nothing answered on port $port within 10 s (log: $log)"
}

# Prints the requests/second of one 5 s run; wrk's report goes to stderr and to
# $out/<name>-<round>-wrk.txt.
measure() {
  local name=$1 port=$2 round=$3 report=$out/$1-$3-wrk.txt
  local url=http://127.0.0.1:$port/healthz
  wrk "${wrk_load[@]}" -d5s --latency "$url" >"$report"
  { echo "--- $name, round $round: wrk ${wrk_load[*]} -d5s --latency $url"; cat "$report"; } >&2
  if grep -q 'Non-2xx or 3xx responses' "$report"; then fail "$name answered errors (see $report)"; fi
  grep -q 'Socket errors' "$report" && echo "run-healthz: warning: $name had socket errors" >&2
  awk '/^Requests\/sec:/ { print $2; found = 1 } END { exit !found }' "$report" ||
    fail "no Requests/sec in $report"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# The machine is shared: say how busy it was just before measuring, and warn when something
# else (a compiler, another test run) is using a good part of the cores.
busy_percent() {
  local -a a b
  read -ra a < <(head -n 1 /proc/stat)
  sleep 1
  read -ra b < <(head -n 1 /proc/stat)
  awk -v idle=$(((b[4] + b[5]) - (a[4] + a[5]))) \
    -v total=$(((b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + b[7] + b[8]) - (a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7] + a[8]))) \
    'BEGIN { printf "%.0f", (total > 0 ? 100 * (total - idle) / total : 0) }'
}
busy=$(busy_percent)
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1);" \
  "CPU busy before the run: ${busy}%, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if ((busy > 10)); then
  echo "run-healthz: warning: the cores were ${busy}% busy before the run; figures will be low and noisy" >&2
fi

# intake verifies its schema at start: give it a throwaway cluster of its own.
if [[ -e $pg_base ]]; then
  "$pg_cluster" stop "$pg_base" >/dev/null 2>&1 || true
  rm -rf -- "$pg_base"
fi
cluster_started=true
"$pg_cluster" init "$pg_base" "$pg_port" >"$out/pg-cluster-init.log" 2>&1 ||
  fail "pg-cluster init failed (see $out/pg-cluster-init.log)"

"$bin/bare_beast_server" "$bare_port" "$threads" >"$out/bare.log" 2>&1 &
bare_pid=$!
wait_until_serving "$bare_port" "$out/bare.log" "$bare_pid"

PGPASSFILE=$pg_base/pgpass \
  CASECALL_HTTP_PORT=$framework_port \
  CASECALL_HTTP_THREADS=$threads \
  CASECALL_HTTP_ACCESS_LOG=$access_log \
  CASECALL_DB_URL=postgresql://casecall_intake@127.0.0.1:$pg_port/casecall \
  CASECALL_DB_OWNER_URL=postgresql://casecall_owner@127.0.0.1:$pg_port/casecall \
  CASECALL_DB_POOL_SIZE=2 \
  "$bin/casecall-intake" >"$out/intake.log" 2>&1 &
framework_pid=$!
for _ in $(seq 200); do
  grep -q '"msg":"listening"' "$out/intake.log" && break
  kill -0 "$framework_pid" 2>/dev/null || { tail -n 20 "$out/intake.log" >&2; fail "casecall-intake exited"; }
  sleep 0.1
done
grep -q '"msg":"listening"' "$out/intake.log" || fail "casecall-intake did not listen within 20 s"
wait_until_serving "$framework_port" "$out/intake.log" "$framework_pid"

# Both servers stay up (the idle one costs nothing); runs alternate, so that a change in the
# machine's load between runs falls on both, and the medians are compared.
wrk "${wrk_load[@]}" -d2s "http://127.0.0.1:$bare_port/healthz" >/dev/null
wrk "${wrk_load[@]}" -d2s "http://127.0.0.1:$framework_port/healthz" >/dev/null
bare_runs=()
framework_runs=()
for round in $(seq "$rounds"); do
  bare_runs+=("$(measure bare "$bare_port" "$round")")
  framework_runs+=("$(measure framework "$framework_port" "$round")")
done
bare_rps=$(median "${bare_runs[@]}")
framework_rps=$(median "${framework_runs[@]}")

percent=$(awk -v f="$framework_rps" -v b="$bare_rps" 'BEGIN { printf "%.1f", 100 * f / b }')
echo
echo "GET /healthz, wrk ${wrk_load[*]}, $rounds alternating runs of 5 s, $threads server thread(s), access log $access_log"
printf '  bare Beast       %12.0f requests/s (median of: %s)\n' "$bare_rps" "$(printf '%.0f ' "${bare_runs[@]}")"
printf '  casecall-intake  %12.0f requests/s (median of: %s)\n' "$framework_rps" "$(printf '%.0f ' "${framework_runs[@]}")"
echo "  framework/bare   ${percent}% (target >= ${target_percent}%)"
echo "  (wrk reports and logs: $out)"
if awk -v p="$percent" -v t="$target_percent" 'BEGIN { exit !(p < t) }'; then
  echo "BELOW TARGET"
  exit 1
fi
