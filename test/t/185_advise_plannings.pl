# idx_advise's speed on big joins (issue 20, "Speed on big queries"),
# counted in plannings rather than timed (the machine is shared): the
# decision-support workload of bench/advise.sh (bench/advise_dss.sql: 22
# reports, joins of up to 8 tables, here 5,000 sales) is advised on with
# max_indexes 10 and 20, and the DEBUG1 line says how many sets of
# candidates were planned.  Three rules keep that count down
# (doc/advisor.md, "Greedy selection"): a candidate is planned with a
# query only when it can change the query's plan (a clause, order,
# predicate or index-only scan it can serve: src/advise/advise_reach.c),
# a set whose plans' candidates are all in a smaller set costs what that
# set costs, and a candidate a query's plans did not use beside fewer
# picks is not planned with it again.  Before them: 1,928 sets at
# max_indexes 10 and 3,927 at 20; after: 995 and 1,262, the same advice.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('advise_plannings');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION index_advisor');
my ($ret, $out, $err) = $node->psql('postgres', undef,
    extra_params => ['-v', 'scale=5000', '-f', 'bench/advise_dss.sql']);
is($ret, 0, 'the decision-support workload loads') or diag($err);

# max_indexes => bound on the sets planned (before the rules, after)
my %bound = (10 => 1300,    # 1,928 before, 995 after
             20 => 1700);   # 3,927 before, 1,262 after (17 picks)
for my $max (10, 20)
{
    ($ret, $out, $err) = $node->psql('postgres', qq{
        SET client_min_messages = debug1;
        SELECT count(*) FROM idx_advise((SELECT array_agg(query ORDER BY qno) FROM bench_queries),
                                         max_indexes => $max) WHERE rank IS NOT NULL});
    ok($out >= 10 && $out <= $max, "max_indexes $max: 10 to $max indexes advised ($out)")
      or diag($err);
    my ($sets) = $err =~ /index_advisor: 22 queries, \d+ candidates, (\d+) sets of candidates planned/;
    ok(defined $sets && $sets <= $bound{$max},
       "max_indexes $max: at most $bound{$max} sets of candidates planned (" . ($sets // 'none') . ')');
}

$node->stop;
done_testing();
