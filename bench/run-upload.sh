#!/usr/bin/env bash
# One large tus upload over loopback straight to intake (POST creating it, kind video, then one
# PATCH streaming the file from disk), timed against dd writing the same bytes into the same
# folder (bs=1M conv=fsync), alternating runs; intake's RSS sampled every 100 ms before and
# during the uploads. Fails when the upload reaches less than 70% of dd's throughput, or when
# intake's RSS grows by 32 MiB or more.
#
# Usage: bench/run-upload.sh [--size-mib N] [--rounds R]
#   --size-mib N   the file's size in MiB (default 1024; at most 2048, the call's video rule)
#   --rounds R     alternate R runs of each, compare the medians (default 3)
# Exit status: 0 targets met, 1 a target missed, 2 the measurement itself failed.
# BENCH_TMP: where the work folder goes (default /var/tmp): the source file, the database and
# intake's upload folder (CASECALL_UPLOAD_DIR), which dd writes into too. BENCH_KEEP=1 keeps it.
set -euo pipefail
shopt -s inherit_errexit

size_mib=1024
rounds=3
usage() { sed -n '8,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --size-mib) size_mib=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --size-mib=*) size_mib=${1#*=}; shift ;;
    --rounds) rounds=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --rounds=*) rounds=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run-upload: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"
bench_int_option run-upload --size-mib "$size_mib" 2048
bench_int_option run-upload --rounds "$rounds" 9

bench_init upload 55454 18185 18186
command -v dd >/dev/null || bench_fail "dd is not installed"

size=$((size_mib * 1024 * 1024))
# Room for the source, dd's copy and every round's upload (each a new file in the store),
# and 1 GiB to spare.
parent=${BENCH_TMP:-/var/tmp}
need_kib=$(((rounds + 2) * size / 1024 + 1024 * 1024))
free_kib=$(df --output=avail -k "$parent" | tail -n 1 | tr -d ' ')
((free_kib > need_kib)) || bench_fail "$parent has $((free_kib / 1024)) MiB free; this run needs $((need_kib / 1024)) MiB"

bench_build
bench_start_cluster
bench_start_mail_sink
bench_start_intake

# The file: an MP4 header (00 00 00 18 'ftyp' 'isom' 00 00 02 00 'isom' 'iso2', for libmagic to
# say video/mp4), then pseudo-random bytes: AES-CTR over zeros, which is fast, or urandom.
src=$work/source.mp4
echo "making a $size_mib MiB file: $src" >&2
{
  printf '\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2'
  if command -v openssl >/dev/null; then
    openssl enc -aes-128-ctr -K 6361736563616c6c2d62656e63682d31 -iv 00000000000000000000000000000000 \
      -in /dev/zero 2>/dev/null | head -c $((size - 24)) || true
  else
    head -c $((size - 24)) /dev/urandom
  fi
} >"$src"
[[ $(stat -c %s "$src") == "$size" ]] || bench_fail "could not make the $size-byte file $src"
# Its own write-back must not fall on the first measurement.
sync "$src"

bench_busy_check
bench_node upload-load.mjs --src "$src" --dd-target "$work/uploads/dd-target.bin" --rounds "$rounds"
exit "$bench_status"
