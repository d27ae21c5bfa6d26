# The autopilot's drops (issue 22, doc/autopilot.md "Drops"), on a server
# with pg_stat_statements and index_advisor preloaded (hidden indexes need
# the preload), workloads from pgbench scripts, cycles by calling
# idx_autopilot_run():
#  1. apply mode, drops => true: an unused index is hidden, then dropped
#     after hide_for (a drop row in idx_history, migration autopilot), with
#     its evidence;
#  2. a hidden index whose removal slows a statement of its table is shown
#     again at once and recorded as reverted, "needed: <statement> went
#     a → b ms over n calls";
#  3. indexes that back a constraint (primary key, UNIQUE constraint), a
#     unique index that is the replica identity, and an index on a table
#     whose owner the policy's owner may not act for are never proposed,
#     though idx_report calls every one of them unused;
#  4. a redundant index (a leading prefix of another, idx_check's finding)
#     is proposed; recommend mode records it and hides nothing; a person's
#     approval (idx_autopilot_hide, what idx_recommendation_apply calls)
#     hides it, and the next cycle starts measuring;
#  5. drops => false: the hidden index is shown again and expires;
#  6. while a standby streams from the server and is not registered,
#     nothing is taken for unused (a note says why).
#
# "Unused" needs no scan for index_advisor.unused_after (60 min here; the
# default is 14 days): the test takes idx_check()'s usage snapshots
# (snapshot_all) and moves their start two hours back, rather than waiting
# (AutopilotTap's usage_snapshots_back).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/..";
use AutopilotTap;

my $t = AutopilotTap->new('autopilot_drops', init => { allows_streaming => 1 }, conf => q{
index_advisor.snapshot_all = on
index_advisor.unused_after = '60min'
index_advisor.autopilot_min_calls = 20
});
my $node = $t->node;
$node->safe_psql('postgres', q{
    CREATE ROLE ap LOGIN;
    GRANT index_advisor_admin TO ap;
    CREATE ROLE bob LOGIN;
    -- acct: acct_a_idx is used; acct_b_idx is not; the primary key, the
    -- UNIQUE constraint and the replica identity are not scanned either
    CREATE TABLE acct (id integer PRIMARY KEY, a integer, b integer, code text,
                       ref integer NOT NULL, CONSTRAINT acct_code_key UNIQUE (code));
    INSERT INTO acct SELECT g, g % 5000, g % 777, 'c' || g, g FROM generate_series(1, 100000) g;
    CREATE INDEX acct_a_idx ON acct (a);
    CREATE INDEX acct_b_idx ON acct (b);
    CREATE UNIQUE INDEX acct_ref_idx ON acct (ref);
    ALTER TABLE acct REPLICA IDENTITY USING INDEX acct_ref_idx;
    ALTER TABLE acct OWNER TO ap;
    -- ev: ev_k_idx serves the workload, but its scans predate the usage
    -- snapshots: idx_report calls it unused
    CREATE TABLE ev (id integer PRIMARY KEY, k integer, pad text);
    INSERT INTO ev SELECT g, g % 10000, repeat('x', 50) FROM generate_series(1, 200000) g;
    CREATE INDEX ev_k_idx ON ev (k);
    ALTER TABLE ev OWNER TO ap;
    -- bob's table: the policy's owner may not act for bob
    CREATE TABLE other (id integer, x integer);
    INSERT INTO other SELECT g, g FROM generate_series(1, 1000) g;
    CREATE INDEX other_x_idx ON other (x);
    ALTER TABLE other OWNER TO bob;
    VACUUM ANALYZE acct, ev, other;
});

$t->scripts(
    acct_read => "\\set a random(1, 5000)\nSELECT count(*) FROM acct WHERE a = :a;\n",
    ev_read   => "\\set k random(1, 10000)\nSELECT count(*) FROM ev WHERE k = :k;\n");

# the workloads, the cycles and every query run as ap
sub bench { $t->bench(@_, user => 'ap') }
sub ap { $t->psql($_[0], user => 'ap') }
sub cycle { $t->cycle('SELECT action, target, status FROM idx_autopilot_run() ORDER BY 2, 1', user => 'ap') }

sub rec
{
    my ($index, $cols) = @_;
    $cols //= 'status';
    return ap("SELECT $cols FROM idx_recommendations WHERE kind = 'drop' AND index_name = '$index' ORDER BY id DESC LIMIT 1");
}

# the max_regression is 200 %: on a machine shared with other tests, noise
# can make a statement 10 % slower with significance; losing an index turns
# ev's lookup into a sequential scan, hundreds of times slower
is(ap(q{SELECT mode || ' ' || drops || ' ' || hide_for
          FROM idx_autopilot_set('apply', drops => true, hide_for => '1 second',
                                 max_regression => 2.0)}),
   'apply true 00:00:01', 'policy: apply, drops, hide_for 1 second');

# cycle 1: the first snapshot, no window: nothing proposed
is(cycle(), '', 'the first cycle proposes nothing (no window yet)');

# ev's workload runs with ev_k_idx before the usage snapshots
bench('ev_read', 200);
$t->usage_snapshots_back;
# acct's workload runs after them: acct_a_idx is used
bench('acct_read', 200);

my $verdicts = ap(q{
    SELECT string_agg(index_name || ':' || (verdict LIKE 'unused for %'), ',' ORDER BY index_name)
      FROM idx_report(NULL, true)
     WHERE index_name IN ('acct_a_idx', 'acct_b_idx', 'acct_pkey', 'acct_code_key',
                          'acct_ref_idx', 'ev_k_idx', 'other_x_idx')});
is($verdicts,
   'acct_a_idx:false,acct_b_idx:true,acct_code_key:true,acct_pkey:true,acct_ref_idx:true,ev_k_idx:true,other_x_idx:true',
   'idx_report calls every index but acct_a_idx unused');

# cycle 2: proposals, hidden at once (apply)
my $c2 = cycle();
like($c2, qr/^proposed\|public\.acct_b_idx\|proposed$/m, 'acct_b_idx proposed');
like($c2, qr/^hidden\|public\.acct_b_idx\|hidden$/m, 'acct_b_idx hidden');
like($c2, qr/^hidden\|public\.ev_k_idx\|hidden$/m, 'ev_k_idx hidden');
is(ap(q{SELECT string_agg(index_name::text, ',' ORDER BY index_name::text) FROM idx_hidden}),
   'acct_b_idx,ev_k_idx', 'idx_hidden lists the two');
is(rec('acct_b_idx', q{definition || ' ' || (history_id = (SELECT history_id FROM idx_hidden WHERE index_name::text = 'acct_b_idx'))
                       || ' ' || (after_from IS NOT NULL) || ' ' || (valid_at IS NOT NULL)}),
   'DROP INDEX CONCURRENTLY public.acct_b_idx true true true',
   'the recommendation: definition, history_id = the hide row, after_from, valid_at');
like(rec('acct_b_idx', 'jsonb_path_query_first(statements, \'$[0].query\')::text'),
     qr/FROM acct WHERE a =/, 'its statements: those of its table in the window');

# 3. never: constraints, unique, replica identity, another owner's table
is(ap(q{SELECT count(*) FROM idx_recommendations
         WHERE index_name IN ('acct_pkey', 'acct_code_key', 'acct_ref_idx', 'ev_pkey', 'other_x_idx')}),
   '0', 'no recommendation for a primary key, a UNIQUE constraint, the replica identity or bob\'s index');

# while hidden: ev's statement slows down, acct's does not
bench('ev_read', 100);
bench('acct_read', 200);

# cycle 3 (hide_for has passed once this poll returns)
$t->hide_for_passed;
my $c3 = cycle();
like($c3, qr/^dropped\|public\.acct_b_idx\|dropped$/m, 'acct_b_idx dropped after hide_for');
like($c3, qr/^unhidden\|public\.ev_k_idx\|reverted$/m, 'ev_k_idx shown again: reverted');
like(rec('ev_k_idx', 'reason'),
     qr/^needed: SELECT count\(\*\) FROM ev WHERE k = \$1 went [0-9.]+ → [0-9.]+ ms over 100 calls/,
     'the reason names the statement, its times and its calls');
is(ap(q{SELECT count(*) FROM idx_hidden WHERE index_name::text = 'ev_k_idx'}), '0', 'ev_k_idx is not hidden any more');
is(ap(q{SELECT h.operation || ' ' || h.status FROM idx_history h
          JOIN idx_recommendations r ON r.history_id = h.id WHERE r.index_name = 'ev_k_idx'}),
   'unhide done', 'ev_k_idx: history_id is the unhide row');
is(ap(q{SELECT jsonb_path_query_first(evidence, '$.statements[*] ? (@.query like_regex "FROM ev") .calls_after')
          FROM idx_recommendations WHERE index_name = 'ev_k_idx'}),
   '100', 'the evidence counts the calls after the hide');
ok(ap(q{SELECT (evidence->>'gain')::float8 < 0 AND (evidence->'before'->>'seconds')::float8 > 0
          FROM idx_recommendations WHERE index_name = 'ev_k_idx'}) eq 't',
   'the evidence: a negative gain (slower), the before window');

my $drop = ap(q{SELECT h.id || ' ' || h.operation || ' ' || h.migration FROM idx_history h
                 JOIN idx_recommendations r ON r.history_id = h.id WHERE r.index_name = 'acct_b_idx'});
like($drop, qr/^\d+ drop autopilot$/, 'acct_b_idx: history_id is a drop row of migration autopilot');
my ($drop_id) = split / /, $drop;
$node->safe_psql('postgres', "CALL idx_wait($drop_id)");
is($node->safe_psql('postgres', q{SELECT to_regclass('acct_b_idx') IS NULL AND to_regclass('ev_k_idx') IS NOT NULL}),
   't', 'acct_b_idx is gone, ev_k_idx is there');
is($node->safe_psql('postgres', q{
    SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
     WHERE x.indrelid IN ('acct'::regclass, 'other'::regclass)}),
   'acct_a_idx,acct_code_key,acct_pkey,acct_ref_idx,other_x_idx', 'the constraint indexes and bob\'s are untouched');

# a cycle later nothing is proposed again for ev_k_idx (found needed)
my $c4 = cycle();
unlike($c4, qr/ev_k_idx/, 'a needed index is not proposed again');

# 4. recommend mode: the redundant rt_c_idx is proposed, nothing is hidden
ap(q{SELECT FROM idx_autopilot_set('recommend', drops => true, hide_for => '1 second', max_regression => 2.0)});
$node->safe_psql('postgres', q{
    -- rt: rt_c_idx is a leading prefix of rt_c_d_idx
    CREATE TABLE rt (id integer, c integer, d integer);
    INSERT INTO rt SELECT g, g % 100, g % 7 FROM generate_series(1, 10000) g;
    CREATE INDEX rt_c_idx ON rt (c);
    CREATE INDEX rt_c_d_idx ON rt (c, d);
    ALTER TABLE rt OWNER TO ap;
    SELECT count(*) FROM idx_check();
});
my $c5 = cycle();
like($c5, qr/^proposed\|public\.rt_c_idx\|proposed$/m, 'recommend: rt_c_idx proposed');
unlike($c5, qr/^hidden/m, 'recommend: nothing hidden');
like(rec('rt_c_idx', 'reason'), qr/redundant.*leading prefix of rt_c_d_idx/, 'the reason: idx_check\'s finding');
is(ap(q{SELECT count(*) FROM idx_hidden}), '0', 'recommend mode hides nothing');
is(cycle(), '', 'a proposal stays proposed in recommend mode');

# a person approves: idx_recommendation_apply calls idx_autopilot_hide
my $rt = rec('rt_c_idx', 'id');
ap("SELECT idx_autopilot_hide($rt, NULL)");
is(rec('rt_c_idx', 'status || \' \' || (after_from IS NULL)'), 'hidden true',
   'approved: hidden, the window after not started (hidden outside a cycle)');
cycle();
is(rec('rt_c_idx', '(after_from IS NOT NULL)'), 't', 'the next cycle starts the window after');

# 5. drops => false: the hidden index is shown again
ap(q{SELECT FROM idx_autopilot_set('recommend', drops => false)});
like(cycle(), qr/^unhidden\|public\.rt_c_idx\|expired$/m, 'drops => false: shown again, expired');
is(ap(q{SELECT count(*) FROM idx_hidden}), '0', 'nothing hidden');

# 6. an unregistered standby: its use of any index is not known
$node->safe_psql('postgres', q{
    CREATE TABLE sb (id integer, x integer);
    INSERT INTO sb SELECT g, g FROM generate_series(1, 1000) g;
    CREATE INDEX sb_x_idx ON sb (x);
    ALTER TABLE sb OWNER TO ap;
});
$node->backup('b1');
my $standby = PostgreSQL::Test::Cluster->new('autopilot_drops_standby');
$standby->init_from_backup($node, 'b1', has_streaming => 1);
$standby->start;
$node->wait_for_catchup('autopilot_drops_standby');
$t->usage_snapshots_back;
is(ap(q{SELECT count(*) FROM idx_findings WHERE kind = 'unregistered_standby' AND resolved_at IS NULL}),
   '1', 'idx_check finds the unregistered standby');
like(ap(q{SELECT verdict FROM idx_report(NULL, true) WHERE index_name = 'sb_x_idx'}),
     qr/^unused for/, 'idx_report calls sb_x_idx unused');
ap(q{SELECT FROM idx_autopilot_set('apply', drops => true, hide_for => '1 second', max_regression => 2.0)});
unlike(cycle(), qr/sb_x_idx/, 'sb_x_idx is not proposed');
# (the drops' note: a cycle may also note statements it could not analyse)
like(ap(q{SELECT detail FROM idx_autopilot_events WHERE action = 'note' AND detail LIKE 'drops:%' ORDER BY id DESC LIMIT 1}),
     qr/^drops: \d+ \(.*public\.sb_x_idx.*\) not taken for unused: standby autopilot_drops_standby streams from this server but is not registered/,
     'a note says why');
is(ap(q{SELECT count(*) FROM idx_recommendations WHERE index_name = 'sb_x_idx'}), '0',
   'no recommendation for sb_x_idx');

$standby->stop;
$node->stop;
done_testing();
