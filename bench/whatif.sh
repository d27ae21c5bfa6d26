#!/bin/bash
# whatif.sh -- idx_whatif side by side with HypoPG, in one run: the time of
# one what-if question, and how close each one's estimates of size and cost
# come to the same index built for real.
#
#   bench/whatif.sh [--quick] [--keep] [--rows N]
#
# Creates a throw-away cluster (initdb in a temporary directory, Unix socket
# only), installs index_advisor (it must be installed: make install) and,
# when the server has it, HypoPG (postgresql-15-hypopg), and a table of
# --rows rows (full 1,000,000, quick 50,000; random but seeded data,
# analysed with a full sample).  For each case (an index definition and a
# query it serves):
#
#   time      median over interleaved rounds (full 15 x 200 calls, quick
#             3 x 20) of the time per call, in one session:
#               idx_whatif(ARRAY[def], ARRAY[query])  (cost before and after,
#                   the plan, the definition checked as idx_apply checks it)
#               idx_whatif(..., plan_before => false)  (the same, but the
#                   cost after only: one planning, as HypoPG's 1 EXPLAIN)
#               HypoPG, 1 EXPLAIN: hypopg_create_index(def) + EXPLAIN query
#                   + hypopg_reset()   (the cost after only)
#               HypoPG, 2 EXPLAINs: EXPLAIN query + hypopg_create_index(def)
#                   + EXPLAIN query + hypopg_reset()   (the same answer as
#                   idx_whatif: before and after)
#             and the spread of the ratios: in each round, the geometric
#             mean over the cases of idx_whatif's time / HypoPG's (both
#             measured in that round, so that the machine's load, which
#             drifts, weighs on both alike); median and min-max over rounds
#   accuracy  estimated size (idx_hypo_size, hypopg_relation_size) against
#             pg_relation_size of the index built for real, and the query's
#             cost planned with each hypothetical index against its cost
#             planned with the real one
#
# Prints a Markdown table; writes it to bench/out/whatif.md and, in full
# mode, into bench/RESULTS.md between the markers "<!-- whatif:begin -->"
# and "<!-- whatif:end -->".  --quick asserts only that every step ran and
# produced numbers.  Run as root (the cluster runs as "postgres") or as any
# non-root user.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
quick=0
keep=0
rows=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --keep) keep=1 ;;
        --rows) rows=$2; shift ;;
        *) echo "usage: $0 [--quick] [--keep] [--rows N]" >&2; exit 2 ;;
    esac
    shift
done
if [ $quick -eq 1 ]; then
    rows=${rows:-50000}; rounds=3; calls=20
else
    rows=${rows:-1000000}; rounds=15; calls=200
fi

. "$(dirname "$0")/lib.sh"
bench_dir ia-whatif
port=5432
cleanup() { bench_cleanup data; }
trap cleanup EXIT

as_user "$bindir/initdb" -D "$dir/data" -A trust >/dev/null
cat >> "$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
shared_buffers = 256MB
fsync = off
autovacuum = off
max_parallel_workers_per_gather = 0
EOF
as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null

psql_() { as_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $port -d postgres "$@"; }

psql_ -c "CREATE EXTENSION index_advisor" 2>/dev/null
hypopg=0
if psql_ -c "CREATE EXTENSION hypopg" 2>/dev/null; then
    hypopg=1
else
    echo "HypoPG is not installed for this server: its columns say n/a" >&2
fi

started=$(date +%s)
psql_ <<EOF
SELECT setseed(0.5) AS seed \\gset
CREATE TABLE acc (id int, cust int, created date, status text,
                  amount numeric(10,2), note text, active bool);
INSERT INTO acc
SELECT i, (random() * ($rows / 10))::int, date '2020-01-01' + (random() * 1500)::int,
       (ARRAY['new','paid','shipped','done','cancelled'])[1 + i % 5],
       (i % 1000) / 10.0, md5(i::text), i % 10 = 0
  FROM generate_series(1, $rows) i;
SET default_statistics_target = 10000;
VACUUM ANALYZE acc;

CREATE TABLE cases (n int, name text, def text, q text);
INSERT INTO cases VALUES
 (1, 'btree (cust)', 'CREATE INDEX ON acc (cust)', 'SELECT * FROM acc WHERE cust = 42'),
 (2, 'btree (id), unique values', 'CREATE INDEX ON acc (id)', 'SELECT * FROM acc WHERE id BETWEEN 100 AND 300'),
 (3, 'INCLUDE', 'CREATE INDEX ON acc (cust) INCLUDE (amount)', 'SELECT amount FROM acc WHERE cust = 42'),
 (4, 'partial', 'CREATE INDEX ON acc (cust) WHERE active', 'SELECT * FROM acc WHERE cust = 40 AND active'),
 (5, 'DESC, ORDER BY LIMIT', 'CREATE INDEX ON acc (cust, created DESC)', 'SELECT * FROM acc WHERE cust = 42 ORDER BY created DESC LIMIT 5'),
 (6, 'low cardinality (dedup)', 'CREATE INDEX ON acc (status)', 'SELECT * FROM acc WHERE status = ''new'''),
 (7, 'two columns, dedup', 'CREATE INDEX ON acc (status, created)', 'SELECT * FROM acc WHERE status = ''new'' AND created = ''2020-02-01'''),
 (8, 'text', 'CREATE INDEX ON acc (note)', 'SELECT * FROM acc WHERE note = ''x'''),
 (9, 'expression', 'CREATE INDEX ON acc (lower(note))', 'SELECT * FROM acc WHERE lower(note) = ''x''');

CREATE TABLE timings (n int, method text, round int, us float8);
CREATE TABLE accuracy (n int, est bigint, hypo_est bigint, actual bigint,
                       cost float8, hypo_cost float8, real_cost float8,
                       used bool, hypo_used bool, real_used bool);

-- microseconds per call of one method, over "calls" calls
CREATE FUNCTION time_calls(method text, d text, q text, calls int) RETURNS float8
LANGUAGE plpgsql AS \$\$
DECLARE
  t0 timestamptz := clock_timestamp();
  r record;
BEGIN
  FOR i IN 1..calls LOOP
    IF method = 'idx_whatif' THEN
      PERFORM * FROM idx_whatif(ARRAY[d], ARRAY[q]);
    ELSIF method = 'idx_whatif1' THEN
      PERFORM * FROM idx_whatif(ARRAY[d], ARRAY[q], plan_before => false);
    ELSIF method = 'hypopg1' THEN
      PERFORM hypopg_create_index(d);
      FOR r IN EXECUTE 'EXPLAIN ' || q LOOP END LOOP;
      PERFORM hypopg_reset();
    ELSE
      FOR r IN EXECUTE 'EXPLAIN ' || q LOOP END LOOP;
      PERFORM hypopg_create_index(d);
      FOR r IN EXECUTE 'EXPLAIN ' || q LOOP END LOOP;
      PERFORM hypopg_reset();
    END IF;
  END LOOP;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / calls;
END \$\$;

CREATE FUNCTION measure_accuracy(c cases, with_hypopg bool) RETURNS void
LANGUAGE plpgsql AS \$\$
DECLARE
  w record;
  j json;
  a accuracy;
  hname text;
BEGIN
  a.n := c.n;
  SELECT * INTO w FROM idx_whatif(ARRAY[c.def], ARRAY[c.q]);
  a.est := idx_hypo_size(c.def);
  a.cost := w.cost_after;
  a.used := cardinality(w.uses) = 1;
  IF with_hypopg THEN
    SELECT indexrelid, indexname INTO w FROM hypopg_create_index(c.def);
    a.hypo_est := hypopg_relation_size(w.indexrelid);
    hname := w.indexname;
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || c.q INTO j;
    a.hypo_cost := (j->0->'Plan'->>'Total Cost')::float8;
    a.hypo_used := position(hname IN j::text) > 0;
    PERFORM hypopg_reset();
  END IF;
  EXECUTE regexp_replace(c.def, '^CREATE INDEX', 'CREATE INDEX acc_real_idx');
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || c.q INTO j;
  a.actual := pg_relation_size('acc_real_idx');
  a.real_cost := (j->0->'Plan'->>'Total Cost')::float8;
  a.real_used := j::text LIKE '%acc_real_idx%';
  EXECUTE 'DROP INDEX acc_real_idx';
  INSERT INTO accuracy SELECT a.*;
END \$\$;
EOF

# accuracy: one real build per case
psql_ -c "SELECT measure_accuracy(c, $hypopg = 1) FROM cases c ORDER BY n" >/dev/null

# time: interleaved rounds, every method of every case in each round
methods="'idx_whatif','idx_whatif1'"
[ $hypopg -eq 1 ] && methods="'idx_whatif','idx_whatif1','hypopg1','hypopg2'"
for ((r = 1; r <= rounds; r++)); do
    psql_ -c "INSERT INTO timings
              SELECT n, m, $r, time_calls(m, def, q, $calls)
                FROM cases, unnest(ARRAY[$methods]) AS m ORDER BY n, m" >/dev/null
done
elapsed=$(( $(date +%s) - started ))

mkdir -p "$bench_dir/out"
out="$bench_dir/out/whatif.md"
{
    echo "## Hypothetical indexes: idx_whatif and HypoPG side by side (bench/whatif.sh)"
    echo
    echo "- $(psql_ -Atc "SELECT version()" | sed 's/ on .*//'), HypoPG $(psql_ -Atc "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'hypopg'), 'not installed')")"
    echo "- table acc: $rows rows (random, seeded), analysed with a full sample; $(nproc) cores, load average at end $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); run took ${elapsed} s"
    echo "- time: median over $rounds interleaved rounds of $calls calls each, one session, µs per call"
    echo
    echo "| case | idx_whatif µs | HypoPG create + 1 EXPLAIN µs | ratio | HypoPG EXPLAIN + create + EXPLAIN µs | ratio | idx_whatif plan_before => false µs | ratio to create + 1 EXPLAIN | est. size (ours / HypoPG / real) | size error (ours / HypoPG) | cost with hyp. index (ours / HypoPG / real) | cost error (ours / HypoPG) | used (ours / HypoPG / real) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    psql_ -At -F '|' <<'EOF'
WITH t AS (
  SELECT n, method, percentile_cont(0.5) WITHIN GROUP (ORDER BY us) AS us
    FROM timings GROUP BY n, method
), p AS (
  SELECT n,
         max(us) FILTER (WHERE method = 'idx_whatif') AS ours,
         max(us) FILTER (WHERE method = 'hypopg1') AS h1,
         max(us) FILTER (WHERE method = 'hypopg2') AS h2,
         max(us) FILTER (WHERE method = 'idx_whatif1') AS ours1
    FROM t GROUP BY n
)
SELECT '', c.name, round(p.ours::numeric, 0),
       coalesce(round(p.h1::numeric, 0)::text, 'n/a'),
       coalesce(round((p.ours / p.h1)::numeric, 2)::text || '×', 'n/a'),
       coalesce(round(p.h2::numeric, 0)::text, 'n/a'),
       coalesce(round((p.ours / p.h2)::numeric, 2)::text || '×', 'n/a'),
       round(p.ours1::numeric, 0),
       coalesce(round((p.ours1 / p.h1)::numeric, 2)::text || '×', 'n/a'),
       pg_size_pretty(a.est) || ' / ' || coalesce(pg_size_pretty(a.hypo_est), 'n/a') || ' / ' || pg_size_pretty(a.actual),
       to_char(100.0 * (a.est - a.actual) / a.actual, 'FMSG990.0') || '% / ' ||
         coalesce(to_char(100.0 * (a.hypo_est - a.actual) / a.actual, 'FMSG990.0') || '%', 'n/a'),
       round(a.cost::numeric, 2) || ' / ' || coalesce(round(a.hypo_cost::numeric, 2)::text, 'n/a') || ' / ' || round(a.real_cost::numeric, 2),
       to_char(100.0 * (a.cost - a.real_cost) / a.real_cost, 'FMSG990.0') || '% / ' ||
         coalesce(to_char(100.0 * (a.hypo_cost - a.real_cost) / a.real_cost, 'FMSG990.0') || '%', 'n/a'),
       a.used || ' / ' || coalesce(a.hypo_used::text, 'n/a') || ' / ' || a.real_used, ''
  FROM cases c JOIN p USING (n) JOIN accuracy a USING (n)
 ORDER BY n;
EOF
    psql_ -At -F '|' <<'EOF'
WITH t AS (
  SELECT n, method, percentile_cont(0.5) WITHIN GROUP (ORDER BY us) AS us
    FROM timings GROUP BY n, method
)
SELECT '', '**all cases (geometric mean of ratios)**', '', '', coalesce(round(exp(avg(ln(o.us / h1.us)))::numeric, 2)::text || '×', 'n/a'),
       '', coalesce(round(exp(avg(ln(o.us / h2.us)))::numeric, 2)::text || '×', 'n/a'),
       '', coalesce(round(exp(avg(ln(o1.us / h1.us)))::numeric, 2)::text || '×', 'n/a'), '', '', '', '', '', ''
  FROM t o
  JOIN t o1 ON o1.n = o.n AND o1.method = 'idx_whatif1'
  LEFT JOIN t h1 ON h1.n = o.n AND h1.method = 'hypopg1'
  LEFT JOIN t h2 ON h2.n = o.n AND h2.method = 'hypopg2'
 WHERE o.method = 'idx_whatif';
EOF
    echo
    echo "Spread over the $rounds rounds (in each round, the geometric mean over the cases of the ratio of the two times measured in that round):"
    echo
    echo "| ratio | median | min | max |"
    echo "|---|---|---|---|"
    psql_ -At -F '|' <<'EOF'
WITH r AS (
  SELECT o.round, v.ratio, v.k, exp(avg(ln(o.us / h.us))) AS g
    FROM timings o
    JOIN (VALUES (1, 'idx_whatif', 'hypopg1', 'idx_whatif ÷ HypoPG create + 1 EXPLAIN'),
                 (2, 'idx_whatif1', 'hypopg1', 'idx_whatif plan_before => false ÷ HypoPG create + 1 EXPLAIN'),
                 (3, 'idx_whatif', 'hypopg2', 'idx_whatif ÷ HypoPG EXPLAIN + create + EXPLAIN'),
                 (4, 'idx_whatif1', 'idx_whatif', 'idx_whatif plan_before => false ÷ idx_whatif'))
         AS v(k, ours, theirs, ratio) ON o.method = v.ours
    JOIN timings h ON h.n = o.n AND h.round = o.round AND h.method = v.theirs
   GROUP BY o.round, v.ratio, v.k
)
SELECT '', ratio, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY g)::numeric, 2) || '×',
       round(min(g)::numeric, 2) || '×', round(max(g)::numeric, 2) || '×', ''
  FROM r GROUP BY ratio, k ORDER BY k;
EOF
} > "$out"
cat "$out"

# quick mode: every case measured, every number present
missing=$(psql_ -Atc "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM accuracy a WHERE a.n = c.n AND a.est > 0 AND a.actual > 0 AND a.cost > 0)
                      OR (SELECT count(*) FROM timings t WHERE t.n = c.n AND t.us > 0) < $rounds")
if [ "$missing" != "0" ]; then
    echo "whatif.sh: $missing cases without numbers" >&2
    exit 1
fi

if [ $quick -eq 0 ] && [ -f "$bench_dir/RESULTS.md" ]; then
    python3 - "$bench_dir/RESULTS.md" "$out" <<'EOF'
import sys
results, section = sys.argv[1], open(sys.argv[2]).read()
text = open(results).read()
begin, end = "<!-- whatif:begin -->", "<!-- whatif:end -->"
block = begin + "\n" + section + end
if begin in text and end in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(results, "w").write(text)
EOF
    echo "bench/RESULTS.md updated" >&2
fi
