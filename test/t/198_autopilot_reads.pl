# Which statements are "a table's" (doc/autopilot.md, "The statements of
# a table"; doc/safety.md, "Autopilot"): those that read it once
# parse-analysed and rewritten as their author (idx_autopilot_reads,
# src/autopilot/reads.c), never a word of their text.  The validation
# (88), the drops (89), the proposals (87) and idx_hidden_statements (84)
# measure with that rule.  Before, a regular expression over the text
# decided, and on a server with pg_stat_statements and index_advisor
# preloaded:
#  1. a comment that names a table made a statement one of the table's;
#  2. a short name (t) matched an alias and a column of another table's
#     statement;
#  3. a statement on a view over the table was not one of its statements;
#  4. so the drops hid an index that only a view's statement used,
#     measured nothing, and dropped it although the statement got hundreds
#     of times slower; now it is shown again;
#  5. a statement that cannot be analysed (its table dropped since) counts
#     for no table, and the cycle's note counts it (queryid and SQLSTATE,
#     never its text);
#  6. the validation's Bonferroni test: a role that added a hundred cheap
#     statements on a table divided the level of every other statement by
#     a hundred, so a real regression was not "slower"; the levels are now
#     weighted by each statement's share of the table's time (weighted
#     Bonferroni), and the cheap statements take away at most half.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/..";
use AutopilotTap;

my $t = AutopilotTap->new('autopilot_reads', conf => q{
index_advisor.snapshot_all = on
index_advisor.unused_after = '60min'
index_advisor.autopilot_min_calls = 20
});
my $node = $t->node;
$node->safe_psql('postgres', q{
    CREATE ROLE ap LOGIN;
    GRANT index_advisor_admin, pg_read_all_stats TO ap;
    CREATE ROLE app LOGIN;
    CREATE TABLE public.t (id integer PRIMARY KEY, a integer, t integer);
    CREATE TABLE public.other (id integer PRIMARY KEY, t integer);
    CREATE VIEW public.tv AS SELECT id, a FROM public.t;
    CREATE TABLE public.gone (id integer);
    GRANT SELECT ON public.t, public.other, public.tv, public.gone TO app;
    -- ev: ev_k_idx serves a workload that reads ev only through a view;
    -- its scans predate the usage snapshots, so idx_report calls it unused
    CREATE TABLE ev (id integer PRIMARY KEY, k integer, pad text);
    INSERT INTO ev SELECT g, g % 10000, repeat('x', 50) FROM generate_series(1, 200000) g;
    CREATE INDEX ev_k_idx ON ev (k);
    CREATE VIEW ev_v AS SELECT id, k FROM ev;
    ALTER TABLE ev OWNER TO ap;
    ALTER VIEW ev_v OWNER TO ap;
    GRANT SELECT ON ev_v TO app;
    VACUUM ANALYZE ev;
});

sub app { $t->psql($_[0], user => 'app') }
sub ap { $t->psql($_[0], user => 'ap') }

# ---------------------------------------------------------------------
# 1-3. One statement at a time: is it one of t's?  idx_hidden_statements
# (84) counts the statements of a table by the autopilot's rule.
# ---------------------------------------------------------------------
sub counted
{
    my ($sql) = @_;
    $node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
    app($sql);
    return $node->safe_psql('postgres',
        q{SELECT (idx_hidden_statements('public.t'))->>'statements'});
}
is(counted('SELECT * FROM other /* t */ WHERE id = 1'), '0',
   'a comment that names t does not make a statement one of t\'s');
is(counted(q{SELECT 'from t' FROM other WHERE id = 1}), '0',
   'nor does a string that names t');
is(counted('SELECT t.t FROM other t WHERE t.id = 2'), '0',
   'nor an alias and a column called t');
is(counted('SELECT * FROM tv WHERE id = 3'), '1',
   'a statement on a view over t is one of t\'s');
is(counted('SELECT * FROM t WHERE a = 4'), '1', 'a statement on t is one of t\'s');

# ---------------------------------------------------------------------
# 4. The drops: an index only a view's statement uses is shown again
# when the statement gets slower without it (it was dropped).
# ---------------------------------------------------------------------
$t->scripts(ev_v => "\\set k random(1, 10000)\nSELECT count(*) FROM ev_v WHERE k = :k;\n");

# the view's workload runs as app, the cycles as ap
sub bench { $t->bench('ev_v', $_[0], user => 'app') }
sub cycle { $t->cycle('SELECT action, target, status FROM idx_autopilot_run() ORDER BY 2, 1', user => 'ap') }

# max_regression 200 %: losing the index turns the lookup into a
# sequential scan of 200,000 rows, hundreds of times slower
ap(q{SELECT FROM idx_autopilot_set('apply', drops => true, hide_for => '1 second',
                                   max_regression => 2.0)});
cycle();
bench(200);
$t->usage_snapshots_back;
like(ap(q{SELECT verdict FROM idx_report(NULL, true) WHERE index_name = 'ev_k_idx'}),
     qr/^unused for/, 'idx_report calls ev_k_idx unused (its scans predate the snapshots)');
like(cycle(), qr/^hidden\|public\.ev_k_idx\|hidden$/m, 'ev_k_idx hidden');
like(ap(q{SELECT statements::text FROM idx_recommendations WHERE index_name = 'ev_k_idx'}),
     qr/FROM ev_v WHERE k = \$1/, 'its statements: the view\'s statement reads ev');
bench(60);
$t->hide_for_passed;
my $c3 = cycle();
like($c3, qr/^unhidden\|public\.ev_k_idx\|reverted$/m,
     'the view\'s statement got slower: ev_k_idx shown again, not dropped') or diag($c3);
like(ap(q{SELECT reason FROM idx_recommendations WHERE index_name = 'ev_k_idx'}),
     qr/^needed: SELECT count\(\*\) FROM ev_v WHERE k = \$1 went [0-9.]+ → [0-9.]+ ms over 60 calls/,
     'the reason names the view\'s statement');
is($node->safe_psql('postgres', q{SELECT to_regclass('ev_k_idx') IS NOT NULL}), 't', 'ev_k_idx is there');

# ---------------------------------------------------------------------
# 5. A statement that cannot be analysed counts for no table; the note
# counts it by queryid and SQLSTATE.
# ---------------------------------------------------------------------
# 25 calls: the proposals analyse statements of autopilot_min_calls (20)
app(join('', map { "SELECT * FROM gone WHERE id = 1;\n" } 1 .. 25));
$node->safe_psql('postgres', 'DROP TABLE public.gone');
my $gone = ap(q{SELECT queryid FROM pg_stat_statements WHERE query LIKE 'SELECT * FROM gone%'});
like($gone, qr/^-?\d+$/, 'the statement on gone is in pg_stat_statements');
cycle();
like(ap(q{SELECT detail FROM idx_autopilot_events
           WHERE action = 'note' AND cycle = (SELECT max(id) FROM idx_autopilot_snapshots)
             AND detail LIKE '%could not be analysed%'}),
     qr/could not be analysed as (its|their) authors? under the cycle's search_path.*queryid \Q$gone\E of app: SQLSTATE 42P01/,
     'the cycle\'s note counts the statement that could not be analysed, with its SQLSTATE');
unlike(ap(q{SELECT string_agg(detail, ' ') FROM idx_autopilot_events}), qr/FROM gone/,
       'and does not quote its text');

# ---------------------------------------------------------------------
# 6. Bonferroni: one statement of pad went 1.0 -> 1.26 ms over 200 calls
# ("more than 10 % slower": p about 0.0013)
# while a hundred cheap statements of pad, added by one role, stayed as
# they were.  The validation's family is every statement of the table.
# ---------------------------------------------------------------------
$node->safe_psql('postgres', q{
    CREATE TABLE public.pad (id integer PRIMARY KEY, v integer);
    GRANT SELECT ON public.pad TO app;
    INSERT INTO idx_autopilot_snapshots (id, taken_at, started_at)
    VALUES (9001, now() - interval '2 hours', now() - interval '3 hours'),
           (9002, now() - interval '1 hour', now() - interval '3 hours'),
           (9003, now(), now() - interval '3 hours');
    -- the target (1), the statement that regressed (2), the cheap ones (3..102)
    INSERT INTO idx_autopilot_statements (userid, queryid, query)
    SELECT 'app'::regrole, q, CASE q WHEN 1 THEN 'SELECT v FROM pad WHERE v = $1'
                                     WHEN 2 THEN 'SELECT v FROM pad WHERE id = $1'
                                     ELSE format('SELECT v FROM pad WHERE id = $1 AND v <> %s', q) END
      FROM generate_series(1, 102) q;
    -- counters: zero at 9001; (calls, mean, sd, blocks per call) before
    -- (9001..9002) and after (9002..9003)
    WITH w(q, c1, m1, s1, b1, c2, m2, s2, b2) AS (
        VALUES (1::bigint, 1000, 2.0, 0.2, 100, 1000, 0.2, 0.02, 3),
               (2, 200, 1.0, 0.5, 3, 200, 1.26, 0.5, 10))
    INSERT INTO idx_autopilot_counters (snapshot_id, userid, queryid, calls, total_ms, sumsq_ms,
                                        rows, blks_hit, blks_read)
    SELECT s, 'app'::regrole, q, c, t, sq, 0, b, 0
      FROM w, LATERAL (VALUES (9001, 0, 0.0, 0.0, 0),
                              (9002, c1, c1 * m1, c1 * (s1 ^ 2 + m1 ^ 2), c1 * b1),
                              (9003, c1 + c2, c1 * m1 + c2 * m2,
                               c1 * (s1 ^ 2 + m1 ^ 2) + c2 * (s2 ^ 2 + m2 ^ 2), c1 * b1 + c2 * b2))
                   AS v(s, c, t, sq, b)
    UNION ALL
    SELECT s, 'app'::regrole, q, c, c * 0.01, c * (0.001 ^ 2 + 0.01 ^ 2), 0, c, 0
      FROM generate_series(3, 102) q, (VALUES (9001, 0), (9002, 3), (9003, 6)) v(s, c);
    INSERT INTO idx_recommendations (id, kind, definition, schema_name, index_name, table_name, table_oid,
                                     statements, status, role_oid, before_from, before_to, after_from)
    VALUES (9001, 'create', 'CREATE INDEX pad_v_idx ON public.pad (v)', 'public', 'pad_v_idx', 'pad',
            'public.pad'::regclass, jsonb_build_array(jsonb_build_object('userid', 'app'::regrole::oid, 'queryid', 1)),
            'validating', 'postgres', 9001, 9002, 9002);
});
my $cmp = $node->safe_psql('postgres', q{
    SELECT count(*) || ' ' || bool_or(c.slower) FILTER (WHERE c.queryid = 2) || ' '
           || round(max(c.p) FILTER (WHERE c.queryid = 2)::numeric, 4)
      FROM idx_autopilot_compare(9001, 9003, 0.2, 0.1) c});
like($cmp, qr/^102 true 0\.00[0-9]+$/,
     'the regressed statement is slower, although a hundred cheap statements of pad were tested with it')
  or diag($cmp);
is($node->safe_psql('postgres', q{
    SELECT bool_and(NOT c.slower) FROM idx_autopilot_compare(9001, 9003, 0.2, 0.1) c WHERE c.queryid > 2}),
   't', 'the cheap statements, unchanged, are not slower');


# ---------------------------------------------------------------------
# 7. The functions themselves
# ---------------------------------------------------------------------
$node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
app('SELECT * FROM t WHERE a = 4');
is(ap(q{SELECT string_agg(idx_autopilot_reads(s.userid, s.queryid, s.query, 'public')::regclass[]::text,
                          ' ' ORDER BY s.query)
          FROM pg_stat_statements s WHERE s.userid = 'app'::regrole}),
   '{t}', 'idx_autopilot_reads: the relations the statement reads');
$node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
app('SELECT * FROM tv WHERE id = 3');
is(ap(q{SELECT idx_autopilot_reads(s.userid, s.queryid, s.query, 'public')::regclass[]::text
          FROM pg_stat_statements s WHERE s.userid = 'app'::regrole}),
   '{tv,t}', 'a view and the table under it');

# a $n PostgreSQL cannot type ("current_date - $2": date - date, date -
# integer or date - interval) is typed as the advisor types it
$node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
app('SELECT * FROM t WHERE a = 1 AND current_date - 7 < current_date');
is(ap(q{SELECT idx_autopilot_reads(s.userid, s.queryid, s.query, 'public')::regclass[]::text
          FROM pg_stat_statements s WHERE s.userid = 'app'::regrole}),
   '{t}', 'a statement whose $n needs a type guessed is analysed too');

is($node->safe_psql('postgres', q{
    SELECT round(sum(c.level)::numeric, 6) FROM idx_autopilot_compare(9001, 9003, 0.2, 0.1) c}),
   '0.050000', 'the levels add up to alpha (5 %): the family keeps its error rate');

$node->stop;
done_testing();
