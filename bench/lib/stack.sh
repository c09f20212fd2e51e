# shellcheck shell=bash disable=SC2034  # the variables set here are the callers'
# What bench/run-drafts.sh, run-upload.sh and run-slow-uploads.sh share: a throwaway world of
# their own, as run-healthz.sh makes one — a Postgres cluster (deploy/local/pg-cluster), the
# SMTP sink (deploy/local/smtp-sink: a partner's verification mail lands there) and
# casecall-intake alone, each on the benchmark's own ports, its files under one work folder —
# and a trap that stops them and deletes the folder on success, failure or Ctrl-C.
#
# Source it after `set -euo pipefail`; check the script's own options with bench_int_option;
# then call, in this order:
#   bench_init NAME PG_PORT INTAKE_PORT SMTP_PORT   names, folders, the tools check
#   bench_build [TARGET...]                         the release preset (output to stderr)
#   bench_busy_check                                warns when the cores are busy already
#   bench_start_cluster; bench_start_mail_sink
#   bench_start_intake                              intake, as ./casecall up runs it
#   bench_node SCRIPT [args]                        a Node script, with what bench/lib/world.mjs
#                                                   needs in its environment; its exit status is
#                                                   in bench_status (0 met, 1 missed, 2 failed)
# Afterwards: $intake_pid, $intake_url, $work (the work folder), $out (logs of the last run).
#
# Set BENCH_TMP to put the work folder (the database, the uploads) on another disk than
# /var/tmp; BENCH_KEEP=1 keeps it after the run; BENCH_PG_CLUSTER as in run-healthz.sh.
# For diagnosis only, BENCH_EXTRA_ENV="CASECALL_X=1 CASECALL_Y=2" adds settings to intake's.

# bench_int_option SCRIPT OPTION VALUE MAX: exit 2, naming the option, unless VALUE is a whole
# number from 1 to MAX. (For the scripts' own options, checked before bench_init.)
bench_int_option() {
  if ! [[ $3 =~ ^[1-9][0-9]{0,5}$ ]] || (($3 > $4)); then
    echo "$1: $2 wants 1 to $4, got '$3'" >&2
    exit 2
  fi
}

bench_init() {
  bench_name=$1
  pg_port=$2
  intake_port=$3
  smtp_port=$4
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  pg_cluster=${BENCH_PG_CLUSTER:-$repo/deploy/local/pg-cluster}
  bin=$repo/build/release/bin
  out=$repo/build/release/bench-$bench_name  # logs and reports of the last run
  # Under /var/tmp: when run as root the cluster runs as `postgres`, which must reach it.
  work=${BENCH_TMP:-/var/tmp}/casecall-bench-$bench_name-$(id -u)
  pg_base=$work/pg
  intake_url=http://127.0.0.1:$intake_port
  intake_pid=
  mail_pid=
  cluster_started=false
  bench_status=2

  # Only what the script sets reaches intake: a stray CASECALL_* in the caller's environment
  # would change what is measured.
  local name
  while read -r name; do unset "$name"; done < <(compgen -e | grep '^CASECALL_' || true)

  local tool
  for tool in curl node python3; do
    command -v "$tool" >/dev/null || bench_fail "$tool is not installed"
  done
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
    bench_fail "the SMTP sink needs aiosmtpd (apt-get install -y python3-aiosmtpd; ./casecall up installs it)"
  [[ -x $pg_cluster ]] || bench_fail "$pg_cluster is missing or not executable"
  [[ -d $repo/tests/e2e/node_modules/ajv ]] ||
    bench_fail "tests/e2e/node_modules is missing: (cd tests/e2e && npm ci) — the set-up uses the end-to-end tests' helpers"
  # A cluster left running by an interrupted run of this benchmark holds its port: stop it.
  if [[ -d $pg_base ]]; then "$pg_cluster" stop "$pg_base" >/dev/null 2>&1 || true; fi
  local port
  for port in "$pg_port" "$intake_port" "$smtp_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then bench_fail "port $port on 127.0.0.1 is already in use"; fi
  done

  mkdir -p "$out"
  rm -f "$out"/*.log
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bench_fail() {
  echo "$bench_name: $*" >&2
  exit 2
}

# bench_build [TARGET...]: the release build, of the targets named (default: everything).
bench_build() {
  cd "$repo" || bench_fail "cannot enter $repo"
  local targets=()
  (($#)) && targets=(--target "$@")
  { cmake --preset release >/dev/null && cmake --build --preset release -j2 "${targets[@]}"; } >&2 ||
    bench_fail "the release build failed"
  local binary=${1:-casecall-intake}
  [[ -x $bin/$binary ]] || bench_fail "$bin/$binary is missing after the build"
}

# Stops what this run started, by the ids it recorded; removes the work folder.
bench_cleanup() {
  if [[ -n $intake_pid ]] && kill -0 "$intake_pid" 2>/dev/null; then
    kill -TERM "$intake_pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$intake_pid" 2>/dev/null && ((waited < 400)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -0 "$intake_pid" 2>/dev/null && kill -KILL "$intake_pid" 2>/dev/null
    wait "$intake_pid" 2>/dev/null || true
  fi
  if [[ -n $mail_pid ]]; then
    kill -TERM "$mail_pid" 2>/dev/null || true
    wait "$mail_pid" 2>/dev/null || true
  fi
  if $cluster_started; then
    if ! "$pg_cluster" stop "$pg_base" >"$out/pg-cluster-stop.log" 2>&1; then
      echo "$bench_name: could not stop the cluster under $pg_base (see $out/pg-cluster-stop.log)" >&2
      return
    fi
  fi
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    echo "$bench_name: kept $work (BENCH_KEEP=1)" >&2
  elif [[ -d $work ]]; then
    rm -rf -- "$work"
  fi
}

# The machine is shared: say how busy it was just before measuring (as run-healthz.sh).
bench_busy_check() {
  local -a a b
  read -ra a < <(head -n 1 /proc/stat)
  sleep 1
  read -ra b < <(head -n 1 /proc/stat)
  local busy
  busy=$(awk -v idle=$(((b[4] + b[5]) - (a[4] + a[5]))) \
    -v total=$(((b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + b[7] + b[8]) - (a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7] + a[8]))) \
    'BEGIN { printf "%.0f", (total > 0 ? 100 * (total - idle) / total : 0) }')
  echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1);" \
    "CPU busy before the run: ${busy}%, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  if ((busy > 10)); then
    echo "$bench_name: warning: the cores were ${busy}% busy before the run; figures will be low and noisy" >&2
  fi
}

bench_start_cluster() {
  if [[ -e $work ]]; then
    "$pg_cluster" stop "$pg_base" >/dev/null 2>&1 || true
    rm -rf -- "$work"
  fi
  mkdir -p "$work"
  chmod 755 "$work"
  mkdir -p "$work/mail" "$work/uploads"
  cluster_started=true
  "$pg_cluster" init "$pg_base" "$pg_port" >"$out/pg-cluster-init.log" 2>&1 ||
    bench_fail "pg-cluster init failed (see $out/pg-cluster-init.log)"
}

bench_start_mail_sink() {
  /usr/bin/python3 "$repo/deploy/local/smtp-sink" --dir "$work/mail" --port "$smtp_port" >"$out/mail.log" 2>&1 </dev/null &
  mail_pid=$!
  local _
  for _ in $(seq 100); do
    grep -q "listening 127.0.0.1 $smtp_port" "$out/mail.log" && return 0
    kill -0 "$mail_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$out/mail.log" >&2
  bench_fail "the SMTP sink did not start on :$smtp_port (log: $out/mail.log)"
}

# intake as `./casecall up` runs it (its own role, migrations by the owner, access log on,
# default threads, pool and limits), on the benchmark's ports and folders.
bench_start_intake() {
  local extra=()
  read -ra extra <<<"${BENCH_EXTRA_ENV:-}"
  env PGPASSFILE="$pg_base/pgpass" \
    CASECALL_HTTP_PORT="$intake_port" \
    CASECALL_DB_URL="postgresql://casecall_intake@127.0.0.1:$pg_port/casecall" \
    CASECALL_DB_OWNER_URL="postgresql://casecall_owner@127.0.0.1:$pg_port/casecall" \
    CASECALL_SMTP_URL="smtp://127.0.0.1:$smtp_port" \
    CASECALL_UPLOAD_DIR="$work/uploads" "${extra[@]}" \
    "$bin/casecall-intake" >"$out/intake.log" 2>&1 </dev/null &
  intake_pid=$!
  local _
  for _ in $(seq 300); do
    kill -0 "$intake_pid" 2>/dev/null || { tail -n 20 "$out/intake.log" >&2; bench_fail "casecall-intake exited (log: $out/intake.log)"; }
    if grep -q '"msg":"listening"' "$out/intake.log" && curl -sf -o /dev/null --max-time 1 "$intake_url/healthz"; then
      return 0
    fi
    sleep 0.1
  done
  bench_fail "casecall-intake did not answer on :$intake_port within 30 s (log: $out/intake.log)"
}

# Runs a Node script of bench/ with the environment bench/lib/world.mjs (and through it the
# end-to-end tests' helpers) reads. Sets bench_status to its exit status; never exits.
bench_node() {
  local script=$1
  shift
  bench_status=0
  CASECALL_TEST_BIN_DIR=$bin \
    CASECALL_TEST_PG_PORT=$pg_port \
    CASECALL_E2E_MAIL_DIR=$work/mail \
    PGPASSFILE=$pg_base/pgpass \
    BENCH_INTAKE_URL=$intake_url \
    BENCH_INTAKE_PID=$intake_pid \
    BENCH_OUT=$out \
    node "$repo/bench/$script" "$@" || bench_status=$?
}
