#!/usr/bin/env bash
# Drafts created and saved per second through intake's API (POST /calls/{id}/cases, then
# PATCH /cases/{id} with If-Match, API token, keep-alive connections), against pgbench writing
# the same rows (bench/drafts.pgbench.sql) into the same database, alternating runs. Fails when
# the API reaches less than 50% of pgbench's rate.
#
# Usage: bench/run-drafts.sh [--seconds S] [--connections C] [--rounds R]
#   --seconds S       length of each run (default 20)
#   --connections C   concurrent connections of the API load and pgbench clients (default 32)
#   --rounds R        alternate R runs of each, compare the medians (default 3)
# Exit status: 0 target met, 1 below target, 2 the measurement itself failed.
# BENCH_TMP: where the work folder goes (default /var/tmp). BENCH_KEEP=1 keeps it.
set -euo pipefail
shopt -s inherit_errexit

seconds=20
connections=32
rounds=3
target_percent=50
usage() { sed -n '7,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --seconds) seconds=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --connections) connections=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --connections=*) connections=${1#*=}; shift ;;
    --rounds) rounds=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --rounds=*) rounds=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run-drafts: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"
bench_int_option run-drafts --seconds "$seconds" 9999
# pgbench's clients and the services' pool share the cluster's max_connections = 200.
bench_int_option run-drafts --connections "$connections" 150
bench_int_option run-drafts --rounds "$rounds" 99

bench_init drafts 55453 18183 18184
pgbench=/usr/lib/postgresql/15/bin/pgbench
[[ -x $pgbench ]] || bench_fail "$pgbench is missing (apt-get install -y postgresql-client-15)"

bench_build
bench_busy_check
bench_start_cluster
bench_start_mail_sink
bench_start_intake
export BENCH_PGBENCH=$pgbench
bench_node drafts-load.mjs \
  --seconds "$seconds" --connections "$connections" --rounds "$rounds" --target "$target_percent"
exit "$bench_status"
