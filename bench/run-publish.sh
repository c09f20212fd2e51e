#!/usr/bin/env bash
# The public collection under load: over an edition of 10,000 published cases, wrk at 64
# connections on one case page (publish renders it from the database each time) and, in the
# same run, on nginx serving that same rendered page as a static file; then a search query;
# then new queries, none of them kept (a figure, without a target).
# Targets: the case page at least 50% of nginx's requests/second; search p99 under 20 ms.
#
# Usage: bench/run-publish.sh [--cases N] [--seconds S]
#   --cases N     cases in the edition (default 10000)
#   --seconds S   each wrk run (default 10)
# Exit status: 0 targets met, 1 missed, 2 the measurement itself failed.
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

cases=10000
seconds=10
while (($#)); do
  case $1 in
    --cases) cases=${2:-}; shift 2 || exit 2 ;;
    --seconds) seconds=${2:-}; shift 2 || exit 2 ;;
    *) echo "run-publish: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
bench_int_option run-publish --cases "$cases" 100000
bench_int_option run-publish --seconds "$seconds" 600

publish_port=18291
nginx_port=18292
bench_init publish 55462 "$publish_port" 18293
command -v wrk >/dev/null || bench_fail "wrk is not installed"
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || bench_fail "nginx is not installed"
bench_build casecall-publish
bench_busy_check
bench_start_cluster

owner_sql() {
  PGPASSFILE=$pg_base/pgpass psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 55462 -U casecall_owner -d casecall "$@"
}

env PGPASSFILE="$pg_base/pgpass" CASECALL_HTTP_PORT="$publish_port" \
  CASECALL_DB_URL="postgresql://casecall_publish@127.0.0.1:55462/casecall" \
  CASECALL_DB_OWNER_URL="postgresql://casecall_owner@127.0.0.1:55462/casecall" \
  CASECALL_PUBLIC_URL="http://127.0.0.1:$publish_port" \
  "$bin/casecall-publish" >"$out/publish.log" 2>&1 </dev/null &
intake_pid=$!  # bench_cleanup stops it under this name
for _ in $(seq 300); do
  curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$publish_port/healthz" && break
  kill -0 "$intake_pid" 2>/dev/null || bench_fail "casecall-publish exited (log: $out/publish.log)"
  sleep 0.1
done

# The edition, written straight into publish's tables: records shaped as publishing makes them,
# a fifth of them Chinese (indexed by bigrams, as index_version does; it also adds ICU's words,
# which only rank), the rest in English,
# French and Spanish, about 600 words each.
echo "seeding $cases cases" >&2
owner_sql -f - >"$out/seed.log" <<SQL
BEGIN;
INSERT INTO publish.editions (slug, call_id, title, description, created_by)
VALUES ('bench', gen_random_uuid(), '{"en": "Benchmark edition"}', '{"en": "Ten thousand cases."}', gen_random_uuid());
CREATE TEMP TABLE seed AS
SELECT i, 'B-' || lpad(i::text, 5, '0') AS reference,
       (ARRAY['en', 'fr', 'es', 'zh', 'en'])[1 + i % 5] AS language,
       (ARRAY['KE', 'SN', 'PE', 'CN', 'IN', 'BR', 'VN', 'TN'])[1 + i % 8] AS country,
       CASE WHEN i % 5 = 3 THEN repeat('县里建设了电商服务站，帮助茶农把茶叶卖到城市。合作社统一包装，由服务站在网上销售。', 20)
            ELSE repeat('Farmers in ' || i || ' villages formed groups that saved together, bought seed in bulk and sold their harvest '
                        'to buyers who agreed a floor price before planting. ', 24) END AS body
FROM generate_series(1, $cases) i;
INSERT INTO publish.entries (edition_id, reference, case_id, source_number, source_sha256, original, rank)
SELECT e.id, s.reference, gen_random_uuid(), 1, repeat('a', 64), '{}', s.i FROM seed s, publish.editions e WHERE e.slug = 'bench';
INSERT INTO publish.versions (edition_id, reference, number, record, sha256, published_by, published_at)
SELECT e.id, s.reference, 1, jsonb_build_object(
  'format', 'casecall-published-case/1', 'reference', s.reference, 'number', 1, 'language', s.language,
  'edition', jsonb_build_object('slug', 'bench', 'title', jsonb_build_object('en', 'Benchmark edition')),
  'title', 'Case ' || s.reference || ': savings groups and fair prices', 'country', s.country, 'region', 'africa',
  'themes', jsonb_build_array('agriculture', 'finance'), 'published_at', '2026-11-01T10:00:00Z', 'note', NULL,
  'path', '/cases/bench/' || s.reference, 'version_path', '/cases/bench/' || s.reference || '/v1',
  'organisation', jsonb_build_object('name', 'Organisation ' || s.i, 'names', jsonb_build_object('en', 'Organisation ' || s.i), 'country', s.country, 'kind', 'ngo'),
  'authors', jsonb_build_array('Organisation ' || s.i, 'A. Author'),
  'credit', jsonb_build_object('organisation', 'Organisation ' || s.i, 'co_authors', jsonb_build_array(jsonb_build_object('name', 'A. Author', 'organisation', NULL))),
  'sections', jsonb_build_array(
     jsonb_build_object('field', 'background', 'heading', jsonb_build_object('en', 'Background'), 'text', s.body),
     jsonb_build_object('field', 'approach', 'heading', jsonb_build_object('en', 'Approach'), 'text', s.body),
     jsonb_build_object('field', 'results', 'heading', jsonb_build_object('en', 'Results'), 'text', s.body)),
  'edited_fields', '[]'::jsonb, 'translations', '{}'::jsonb, 'photos', '[]'::jsonb, 'files', '[]'::jsonb, 'rank', s.i, 'partners', '[]'::jsonb),
  repeat('b', 64), gen_random_uuid(), '2026-11-01T10:00:00Z'
FROM seed s, publish.editions e WHERE e.slug = 'bench';
INSERT INTO publish.search (edition_id, reference, number, edition_slug, language, country, region, themes, organisation_kind, title, published_at, document)
SELECT e.id, s.reference, 1, 'bench', s.language, s.country, 'africa', '{agriculture,finance}', 'ngo',
       'Case ' || s.reference || ': savings groups and fair prices', '2026-11-01T10:00:00Z',
       setweight(to_tsvector(publish.text_config(s.language), 'Case ' || s.reference || ': savings groups and fair prices'), 'A') ||
       setweight(to_tsvector(publish.text_config(s.language), s.body), 'B') ||
       CASE WHEN s.language = 'zh' THEN (SELECT string_agg(quote_literal(substr(s.body, k, 2)) || ':' || least(k, 16383), ' ')
                                         FROM generate_series(1, length(s.body) - 1) k)::tsvector ELSE ''::tsvector END
FROM seed s, publish.editions e WHERE e.slug = 'bench';
COMMIT;
ANALYZE publish.search;
ANALYZE publish.versions;
SQL

page=/cases/bench/B-05000
search='/api/publish/v1/search?q=farmers%20prices&country=KE'
mkdir -p "$work/static/cases/bench"
curl -sf "http://127.0.0.1:$publish_port$page" -o "$work/static/cases/bench/B-05000" || bench_fail "the case page did not render"
curl -sf "http://127.0.0.1:$publish_port$search" -o "$out/search.json" || bench_fail "the search did not answer"

# nginx with as many workers as there are cores, serving the same page as a file.
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server { listen 127.0.0.1:$nginx_port; root $work/static; location / { } }
}
CONF
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" || bench_fail "nginx did not start"
trap '/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true; bench_cleanup' EXIT

run_wrk() {  # URL NAME: requests/s and p99 (ms) on stdout
  wrk -t2 -c64 -d"${seconds}s" --latency "$1" >"$out/wrk-$2.txt" 2>&1 || bench_fail "wrk failed on $1"
  awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { p = $2 } END {
         if (p ~ /us$/) { sub(/us/, "", p); p = p / 1000 } else if (p ~ /ms$/) { sub(/ms/, "", p) } else if (p ~ /s$/) { sub(/s/, "", p); p = p * 1000 }
         printf "%s %s\n", rps, p }' "$out/wrk-$2.txt"
}

read -r nginx_rps nginx_p99 < <(run_wrk "http://127.0.0.1:$nginx_port$page" nginx)
read -r page_rps page_p99 < <(run_wrk "http://127.0.0.1:$publish_port$page" case-page)
read -r search_rps search_p99 < <(run_wrk "http://127.0.0.1:$publish_port$search" search)
# New queries, none kept: one thread, two connections (the cores), six kinds in turn.
wrk -t1 -c2 -d"${seconds}s" --latency -s "$(dirname "${BASH_SOURCE[0]}")/publish-new-queries.lua" \
  "http://127.0.0.1:$publish_port" >"$out/wrk-new-queries.txt" 2>&1 || bench_fail "wrk failed on new queries"
read -r new_rps new_p50 new_p99 < <(awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { a = $2 } /^ +99%/ { b = $2 } END {
  printf "%s %s %s\n", rps, a, b }' "$out/wrk-new-queries.txt")
ratio=$(awk -v a="$page_rps" -v b="$nginx_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
echo "case page: $page_rps req/s (p99 $page_p99 ms); nginx, same page as a file: $nginx_rps req/s (p99 $nginx_p99 ms): ${ratio}%"
echo "search ($search): $search_rps req/s, p99 $search_p99 ms"
echo "new queries, none kept (bench/publish-new-queries.lua, 2 connections): $new_rps req/s, p50 $new_p50, p99 $new_p99"
met=0
awk -v r="$ratio" 'BEGIN { exit !(r >= 50) }' || { echo "run-publish: the case page is below 50% of nginx" >&2; met=1; }
awk -v p="$search_p99" 'BEGIN { exit !(p < 20) }' || { echo "run-publish: search p99 is not under 20 ms" >&2; met=1; }
exit $met
