# idx_advise_workload() reads the top statements of pg_stat_statements by
# total_exec_time, a figure that moves from run to run; the advice must
# not move with it (doc/advisor.md, "idx_advise_workload").  Two databases
# hold the same table and record the same two statements, the same number
# of times, but in one the first statement is the slower and in the other
# the second (each waits 50 ms once per run, in an InitPlan, in turn): the
# one index advised (max_indexes => 1; the two candidates are of equal
# worth, so the order they are drawn in decides) must be the same in both.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('advise_order');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pg_stat_statements'\n"
  . "max_worker_processes = 16\n");
$node->start;

my %wait = (d1 => ['0.05', '0'], d2 => ['0', '0.05']);
for my $db (sort keys %wait)
{
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    $node->safe_psql($db, q{
        CREATE EXTENSION index_advisor;
        CREATE EXTENSION pg_stat_statements;
        CREATE TABLE ord_t (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL,
                            pad text NOT NULL);
        -- a and b: the same values, as often each
        INSERT INTO ord_t
        SELECT g, g % 1000, (g * 7) % 1000, repeat('x', 40)
          FROM generate_series(1, 30000) g;
        VACUUM ANALYZE ord_t;
    });
    my ($wa, $wb) = @{ $wait{$db} };
    my $sql = '';
    for (1 .. 3)
    {
        $sql .= "SELECT id FROM ord_t WHERE a = 5 AND (SELECT pg_sleep($wa)) IS NOT NULL;\n"
          . "SELECT id FROM ord_t WHERE b = 5 AND (SELECT pg_sleep($wb)) IS NOT NULL;\n";
    }
    $node->safe_psql($db, $sql);
}

# the precondition: pg_stat_statements ranks the two the other way round
# in d2
my %slower;
for my $db (sort keys %wait)
{
    $slower{$db} = $node->safe_psql($db, q{
        SELECT CASE WHEN query LIKE '%WHERE a = %' THEN 'a' ELSE 'b' END
          FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND query LIKE 'SELECT id FROM ord_t%' AND calls = 3
         ORDER BY total_exec_time DESC LIMIT 1});
}
is_deeply(\%slower, { d1 => 'a', d2 => 'b' },
    'the statements are ranked in the opposite order by time in the two databases');

my %advised;
for my $db (sort keys %wait)
{
    $advised{$db} = $node->safe_psql($db, q{
        SELECT definition FROM idx_advise_workload(max_indexes => 1) WHERE rank = 1});
}
like($advised{d1}, qr/^CREATE INDEX .* ON public\.ord_t \([ab]\)/,
    'one index on ord_t is advised');
is($advised{d2}, $advised{d1},
    'the same index is advised whichever statement took longer');

$node->stop;
done_testing();
