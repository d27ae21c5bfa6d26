# Issue 19, item 7: a check has a total bound, not only one per query, and
# no role can use it all.  Role r_slow stores two indexes of 100 queries
# each that fold an IMMUTABLE function sleeping 0.5 s (100 s to plan them
# all, each well under check_timeout); role r_fast stores one plain query.
# With index_advisor.check_total_timeout = 4s:
#   - idx_check() returns within a bound far below 100 s;
#   - r_fast's index is still checked (r_slow's share is capped);
#   - r_slow's queries that had no time are reported "not checked", not as
#     errors, regressions or a verdict, in idx_check() and idx_report();
#   - the next check starts with what the last one left unchecked.
# The statement_timeout of 60 s only guards the test itself: without the
# bound, idx_check() would plan for 100 s and stop there with 57014.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('check_bound');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;

sub q1
{
    return $node->safe_psql('postgres', $_[0]);
}

my $queries = join(', ', map { "'SELECT * FROM s_slow.ts WHERE a = s_slow.slow_fn($_)'" } 1 .. 100);
my $queries_b = join(', ', map { "'SELECT * FROM s_slow.ts WHERE b = s_slow.slow_fn($_)'" } 1 .. 100);
q1(qq{
    CREATE EXTENSION index_advisor;
    CREATE ROLE r_slow;
    CREATE ROLE r_fast;
    CREATE SCHEMA s_slow AUTHORIZATION r_slow;
    CREATE SCHEMA s_fast AUTHORIZATION r_fast;
    SET ROLE r_slow;
    CREATE TABLE s_slow.ts (a integer, b integer);
    INSERT INTO s_slow.ts SELECT g, g FROM generate_series(1, 10000) g;
    ANALYZE s_slow.ts;
    -- slow only when the checking session asks (idx_apply plans them too)
    CREATE FUNCTION s_slow.slow_fn(integer) RETURNS integer
        IMMUTABLE LANGUAGE plpgsql AS \$\$BEGIN
            IF current_setting('ia_test.slow', true) = 'on' THEN
                PERFORM pg_sleep(0.5);
            END IF;
            RETURN \$1;
        END\$\$;
    SELECT idx_apply('CREATE INDEX ts_a_idx ON s_slow.ts (a)', ARRAY[$queries]);
    SELECT idx_apply('CREATE INDEX ts_b_idx ON s_slow.ts (b)', ARRAY[$queries_b]);
    SET ROLE r_fast;
    CREATE TABLE s_fast.tf (a integer);
    INSERT INTO s_fast.tf SELECT generate_series(1, 10000);
    ANALYZE s_fast.tf;
    SELECT idx_apply('CREATE INDEX tf_a_idx ON s_fast.tf (a)',
                     ARRAY['SELECT * FROM s_fast.tf WHERE a = 5']);
    RESET ROLE;
});
q1('CALL idx_wait()');
is(q1(q{SELECT string_agg(index_name || ' ' || status, ', ' ORDER BY id) FROM idx_history}),
   'ts_a_idx done, ts_b_idx done, tf_a_idx done', 'three indexes built, two of r_slow, one of r_fast');

my $settings = q{
    SET ia_test.slow = on;
    SET index_advisor.check_total_timeout = '4s';
    SET statement_timeout = '60s';
};

# $sql in a session with the slow function on; (ok, output, seconds)
sub timed
{
    my ($sql) = @_;
    my ($out, $err);
    my $t0 = time();
    my $ret = $node->psql('postgres', $settings . $sql, stdout => \$out, stderr => \$err);
    my $secs = time() - $t0;
    diag($err) if $ret != 0;
    return ($ret == 0, $out, $secs);
}

my ($ok, $out, $secs) = timed(q{SELECT count(*) FROM idx_check()});
ok($ok, 'idx_check() ends without error');
cmp_ok($secs, '<', 30, sprintf('idx_check() returns within the total bound (%.1f s; all queries would take 100 s)', $secs));

is(q1(q{SELECT queries_using || '/' || queries_total || ', not checked ' || queries_not_checked
          FROM idx_snapshots WHERE index_name = 'tf_a_idx' ORDER BY taken_at DESC LIMIT 1}),
   '1/1, not checked 0', "r_fast's index is checked: its query was planned and uses it");
is(q1(q{SELECT count(*) FROM idx_findings WHERE index_name = 'tf_a_idx' AND resolved_at IS NULL}),
   '0', "no finding about r_fast's index");

my $a_nc = q1(q{SELECT queries_not_checked FROM idx_snapshots WHERE index_name = 'ts_a_idx' ORDER BY taken_at DESC LIMIT 1});
my $b_nc = q1(q{SELECT queries_not_checked FROM idx_snapshots WHERE index_name = 'ts_b_idx' ORDER BY taken_at DESC LIMIT 1});
cmp_ok($a_nc + $b_nc, '>=', 150, "most of r_slow's 200 queries were not checked ($a_nc + $b_nc)");
cmp_ok($a_nc + $b_nc, '<', 200, "some of r_slow's queries were checked in its share");
is(q1(q{SELECT string_agg(kind || ': ' || index_name, ', ' ORDER BY index_name)
          FROM idx_findings WHERE resolved_at IS NULL AND index_name LIKE 'ts%'}),
   'not_checked: ts_a_idx, not_checked: ts_b_idx',
   "r_slow's indexes are reported not checked (no query_error, no regression)");
like(q1(q{SELECT detail FROM idx_findings WHERE index_name = 'ts_b_idx' AND resolved_at IS NULL}),
     qr/^not checked: the check's time ran out \(index_advisor\.check_total_timeout, a share per role\); $b_nc of 100 stored queries were not planned$/,
     'the finding says why and how many');

# idx_report: the same bound, and "not checked" is no verdict
($ok, $out, $secs) = timed(q{SELECT index_name || ' | ' || verdict || ' | ' || detail FROM idx_report() ORDER BY id});
ok($ok, 'idx_report() ends without error');
cmp_ok($secs, '<', 30, sprintf('idx_report() returns within the total bound (%.1f s)', $secs));
my @report = split /\n/, $out;
like($report[2], qr/^tf_a_idx \| planned, not used yet \| Index (Only )?Scan for 1\/1 queries/,
     "idx_report: r_fast's index is checked");
like($report[1], qr/^ts_b_idx \| not checked \| .*100\/100 queries not checked: the check's time ran out/,
     "idx_report: r_slow's second index is not checked, and says so");

# fairness across checks: the rows the last check left most queries
# unchecked of come first, so ts_b_idx gets checked this time
($ok, $out, $secs) = timed(q{SELECT count(*) FROM idx_check()});
ok($ok, 'the second idx_check() ends without error');
cmp_ok($secs, '<', 30, sprintf('and within the bound (%.1f s)', $secs));
my $b_nc2 = q1(q{SELECT queries_not_checked FROM idx_snapshots WHERE index_name = 'ts_b_idx' ORDER BY taken_at DESC LIMIT 1});
cmp_ok($b_nc2, '<', 100, "the second check starts with ts_b_idx, which the first skipped ($b_nc2 of 100 not checked)");
is(q1(q{SELECT queries_not_checked FROM idx_snapshots WHERE index_name = 'tf_a_idx' ORDER BY taken_at DESC LIMIT 1}),
   '0', "r_fast's index is checked again");

# without the slow function, everything is checked and the findings resolve
is(q1(q{SELECT string_agg(kind, ', ') FROM idx_check() WHERE index_name LIKE 't%'}), '',
   'a check with time for everything: no finding');
is(q1(q{SELECT count(*) FROM idx_findings WHERE kind = 'not_checked' AND resolved_at IS NULL}), '0',
   'the not_checked findings are resolved');

$node->stop;
done_testing();
