#!/usr/bin/env bash
# Many slow uploads at once: 1,000 tus PATCHes held open, each paced to 64 KiB/s in 4 KiB
# pieces, for 60 s; meanwhile intake's RSS (sampled every 100 ms) and the latency of GET
# /healthz (20 a second on a keep-alive connection of its own). Fails when intake's RSS
# reaches 300 MiB, when the p99 of /healthz is 10 ms or more, or when intake ends an upload
# (or a /healthz request fails) before the client does.
#
# Usage: bench/run-slow-uploads.sh [--uploads N] [--seconds S] [--rate-kib K]
#   --uploads N    uploads held at once (default 1000; intake answers 503 past
#                  CASECALL_HTTP_MAX_IN_FLIGHT, 1024 requests)
#   --seconds S    how long they are held once all are open (default 60)
#   --rate-kib K   each upload's rate in KiB/s (default 64)
# Exit status: 0 targets met, 1 a target missed, 2 the measurement itself failed.
# BENCH_TMP: where the work folder goes (default /var/tmp). BENCH_KEEP=1 keeps it.
set -euo pipefail
shopt -s inherit_errexit

uploads=1000
seconds=60
rate_kib=64
usage() { sed -n '8,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --uploads) uploads=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --uploads=*) uploads=${1#*=}; shift ;;
    --seconds) seconds=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --rate-kib) rate_kib=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --rate-kib=*) rate_kib=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run-slow-uploads: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"
bench_int_option run-slow-uploads --uploads "$uploads" 3000
bench_int_option run-slow-uploads --seconds "$seconds" 3600
bench_int_option run-slow-uploads --rate-kib "$rate_kib" 1024

# Each upload holds a socket and a spool file in intake, and a socket in the client: about
# 2,100 descriptors for 1,000. Both inherit this limit.
ulimit -n 8192 2>/dev/null ||
  { echo "run-slow-uploads: cannot raise the open-file limit to 8192 (hard limit $(ulimit -Hn))" >&2; exit 2; }

bench_init slow-uploads 55455 18187 18188

# The bytes that arrive stay in intake's spool until the work folder goes: room for them and
# 1 GiB to spare.
parent=${BENCH_TMP:-/var/tmp}
need_kib=$((uploads * rate_kib * (seconds + 30) + 1024 * 1024))
free_kib=$(df --output=avail -k "$parent" | tail -n 1 | tr -d ' ')
((free_kib > need_kib)) || bench_fail "$parent has $((free_kib / 1024)) MiB free; this run needs $((need_kib / 1024)) MiB"

bench_build
bench_start_cluster
bench_start_mail_sink
bench_start_intake
echo "open-file limit: $(ulimit -n) (intake: $(sed -n 's/^Max open files *\([0-9]*\).*/\1/p' "/proc/$intake_pid/limits"))" >&2
bench_busy_check
bench_node slow-uploads-load.mjs --uploads "$uploads" --seconds "$seconds" --rate-kib "$rate_kib"
exit "$bench_status"
