#!/usr/bin/env bash
# ./casecall up, down, up, up on a private instance (its own state folder and ports):
#   - up starts Postgres, the mail sink, three services and the front door, and they answer;
#   - up makes the demo administrator, who can sign in; a registration's mail reaches the sink;
#   - down leaves none of the processes up started running, and the ports closed;
#   - the next up finds the data written before down;
#   - up on a running stack is idempotent: nothing is restarted;
#   - with a service down, the front door answers 502 problem+json, and up brings it back.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

STATE=$(mktemp -d /tmp/casecall-lifecycle.XXXXXX)
# Ports below 32768, outside Linux's ephemeral range: a connection made meanwhile (by the tests
# before, by Postgres clients) may take any port of that range as its source, and a service
# would then fail to bind.
export CASECALL_STATE_DIR=$STATE CASECALL_FRONT_PORT=28080 CASECALL_PG_PORT=25482
export CASECALL_SERVICE_PORTS="28081 28082 28083" CASECALL_SMTP_PORT=28025
export CASECALL_PRESET=${CASECALL_PRESET:-debug}

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

cleanup() {
  ./casecall down >/dev/null 2>&1 || true
  local base; base=$(cat "$STATE/base" 2>/dev/null || true)
  [ -n "$base" ] && rm -rf "$base"
  rm -rf "$STATE"
}
trap cleanup EXIT

pids() {
  local base; base=$(cat "$STATE/base")
  cat "$STATE"/run/{intake,review,publish,mail-sink}.pid
  cat "$base/nginx/nginx.pid"
  head -n 1 "$base/pg/pgdata/postmaster.pid"
}

# A process that has exited but is not yet reaped (a zombie) is not running.
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$(echo "${stat##*) }" | cut -d' ' -f1)" != Z ]
}

owner_sql() {
  local base; base=$(cat "$STATE/base")
  PGPASSFILE=$base/pg/pgpass psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$CASECALL_PG_PORT" \
    -U casecall_owner -d casecall -c "$1"
}

./casecall up >"$STATE/up1.log" 2>&1 || { cat "$STATE/up1.log"; fail "first up"; }
for svc in intake review publish; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:28080/api/$svc/v1/readyz")
  [ "$code" = 200 ] || fail "$svc readyz through the front door answered $code"
done
ok "up: every service is ready through the front door"

password=$(cat "$STATE/secrets/admin-password")
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@casecall.localhost\",\"password\":\"$password\"}" http://127.0.0.1:28080/api/intake/v1/sessions)
[ "$code" = 201 ] || fail "the demo administrator could not sign in ($code)"
ok "up: the demo administrator signs in through the front door"

calls=$(curl -s http://127.0.0.1:28080/api/intake/v1/calls)
[ "$(printf '%s' "$calls" | node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>console.log(JSON.parse(t).items.length))')" = 1 ] ||
  fail "up did not load the demo call: $calls"
partner=$(node -e 'console.log(require(process.argv[1]).organisations[0].owner.email)' "$ROOT/deploy/local/demo/cases.json")
demo_password=$(cat "$STATE/secrets/demo-password")
cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"$partner\",\"password\":\"$demo_password\"}" http://127.0.0.1:28080/api/intake/v1/sessions |
  tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
[ -n "$cookie" ] || fail "the demo partner $partner could not sign in"
cases=$(curl -s -H "Cookie: $cookie" http://127.0.0.1:28080/api/intake/v1/cases)
[ "$(printf '%s' "$cases" | node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>console.log(JSON.parse(t).items.length))')" = 3 ] ||
  fail "the demo partner does not see its 3 cases: $cases"
ok "up: the demo call and cases are loaded, and a demo partner sees its own cases"

submitted=$(node -e 'console.log(require(process.argv[1]).cases.filter(c=>c.submit).length)' "$ROOT/deploy/local/demo/cases.json")
for _ in $(seq 300); do
  [ "$(owner_sql 'SELECT count(*) FROM review.cases')" = "$submitted" ] && break
  sleep 0.1
done
[ "$(owner_sql 'SELECT count(*) FROM review.cases')" = "$submitted" ] ||
  fail "review holds $(owner_sql 'SELECT count(*) FROM review.cases') of the $submitted submitted demo cases"
ok "up: the $submitted submitted demo cases reached review through intake's outbox"

json_field() { node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>{let v=JSON.parse(t);for(const k of process.argv[1].split("."))v=v[k];console.log(typeof v==="object"?JSON.stringify(v):v)})' "$1"; }
admin_cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@casecall.localhost\",\"password\":\"$password\"}" http://127.0.0.1:28080/api/intake/v1/sessions |
  tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
call_id=$(printf '%s' "$calls" | json_field items.0.id)
rounds=$(curl -s -H "Cookie: $admin_cookie" "http://127.0.0.1:28080/api/review/v1/calls/$call_id/rounds")
[ "$(printf '%s' "$rounds" | json_field items.0.status)" = closed ] || fail "the demo's scoring round is not closed: $rounds"
round_id=$(printf '%s' "$rounds" | json_field items.0.id)
verification=$(curl -s -H "Cookie: $admin_cookie" "http://127.0.0.1:28080/api/review/v1/rounds/$round_id/record/verification")
[ "$(printf '%s' "$verification" | json_field ok)" = true ] || fail "the demo's decision record does not verify: $verification"
accepted=$(owner_sql "SELECT count(*) FROM review.decisions WHERE decision = 'accept' AND released_at IS NOT NULL")
[ "$accepted" = 10 ] || fail "the demo released $accepted acceptances, not 10"
ok "up: the demo call was reviewed — assigned, scored, decided, closed; its record verifies, 10 cases accepted"

year=$(date -u +%Y)
edition=$(curl -s "http://127.0.0.1:28080/api/publish/v1/editions/gs7-$year")
[ "$(printf '%s' "$edition" | node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>console.log(JSON.parse(t).cases.length))')" = 10 ] ||
  fail "the demo edition does not publish the 10 accepted cases: $edition"
first=$(printf '%s' "$edition" | json_field cases.0.path)
code=$(curl -s -o "$STATE/case.html" -w '%{http_code} %{content_type}' "http://127.0.0.1:28080$first")
[ "$code" = "200 text/html; charset=utf-8" ] || fail "the demo case page $first answered $code"
grep -q "<h1>" "$STATE/case.html" || fail "the demo case page has no heading"
ok "up: the demo edition is published — 10 cases, each with its page through the front door"

code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{
  "organisation": {"names": {"en": "Lifecycle Org"}, "country": "KE", "kind": "ngo", "address": "Nairobi"},
  "account": {"email": "lifecycle@example.org", "name": "L", "language": "en", "password": "a long enough passphrase"}}' \
  http://127.0.0.1:28080/api/intake/v1/registrations)
[ "$code" = 201 ] || fail "registration through the front door answered $code"
for _ in $(seq 300); do
  grep -q "^delivered " "$STATE/logs/mail.log" 2>/dev/null && break
  sleep 0.1
done
grep -rq "lifecycle@example.org" "$STATE/mail" || fail "the verification mail did not reach the sink in $STATE/mail"
./casecall mail | grep -q "http://localhost:28080/app/verify-email#token=" || fail "./casecall mail does not show the link"
ok "up: mail goes to the local SMTP sink and ./casecall mail shows it"
./casecall audit verify | grep -q '"ok":true' || fail "./casecall audit verify did not report a whole chain"
ok "./casecall audit verify: the chain is whole"

owner_sql "CREATE SCHEMA lifecycle; CREATE TABLE lifecycle.marker (note text); INSERT INTO lifecycle.marker VALUES ('written before down')"
before=$(pids | sort)

./casecall down >/dev/null
for pid in $before; do
  if running "$pid"; then fail "process $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline)) still runs after down"; fi
done
for port in 28080 28081 28082 28083 28025 25482; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port still open after down"; fi
done
ok "down: none of the $(echo "$before" | wc -w) processes runs, every port is closed"

./casecall up >"$STATE/up2.log" 2>&1 || { cat "$STATE/up2.log"; fail "second up"; }
[ "$(owner_sql 'SELECT note FROM lifecycle.marker')" = "written before down" ] || fail "the data did not survive down/up"
ok "up again: the data written before down is there"

first=$(pids | sort)
./casecall up >"$STATE/up3.log" 2>&1 || { cat "$STATE/up3.log"; fail "third up"; }
[ "$(pids | sort)" = "$first" ] || fail "up on a running stack restarted something"
grep -q "already running" "$STATE/up3.log" || fail "up did not say the services were already running"
grep -q "demo data already there" "$STATE/up3.log" || fail "up loaded the demo data twice"
ok "up on a running stack: idempotent, nothing restarted"

review=$(cat "$STATE/run/review.pid")
kill -TERM "$review"
timeout 30 tail --pid="$review" -f /dev/null || fail "review did not exit on SIGTERM"
code=$(curl -s -o "$STATE/502.json" -w '%{http_code} %{content_type}' http://127.0.0.1:28080/api/review/v1/healthz)
[ "$code" = "502 application/problem+json" ] || fail "with review stopped the front door answered $code"
grep -q '"code":"upstream_unavailable"' "$STATE/502.json" || fail "the 502 is not the front door's problem: $(cat "$STATE/502.json")"
ok "a stopped service: the front door answers 502 problem+json"
./casecall up >"$STATE/up4.log" 2>&1 || { cat "$STATE/up4.log"; fail "fourth up"; }
code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:28080/api/review/v1/readyz)
[ "$code" = 200 ] || fail "up did not bring review back ($code)"
ok "up brings the stopped service back"
