# The launcher (shared_preload_libraries) starts a worker in every database
# at server start without waiting for one database's queue to drain: two
# databases, each with a build that cannot finish (its table is locked by
# a prepared transaction, which survives the restart), both get a worker.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('launcher');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'index_advisor'
max_prepared_transactions = 4
max_worker_processes = 16
index_advisor.max_workers = 1
});
$node->start;
for my $db ('d1', 'd2')
{
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    $node->safe_psql($db, qq{
        CREATE EXTENSION index_advisor;
        CREATE TABLE p (v integer); CREATE TABLE q (v integer);
        INSERT INTO p SELECT generate_series(1, 1000);
        INSERT INTO q SELECT generate_series(1, 1000);
        BEGIN;
        LOCK TABLE p, q IN ROW EXCLUSIVE MODE;
        PREPARE TRANSACTION 'hold_$db';
    });
    $node->safe_psql($db, "SELECT idx_apply('CREATE INDEX p_v ON p (v)')");
    ok($node->poll_query_until($db, q{SELECT status = 'building' FROM idx_history WHERE index_name = 'p_v'}),
       "$db: the build of p waits for the prepared transaction");
    $node->safe_psql($db, "SELECT idx_apply('CREATE INDEX q_v ON q (v)')");
    is($node->safe_psql($db, q{SELECT status FROM idx_history WHERE index_name = 'q_v'}),
       'queued', "$db: the build of q is queued (max_workers = 1)");
}

$node->restart;
ok($node->poll_query_until('postgres', q{
    SELECT count(DISTINCT datname) = 2 FROM pg_stat_activity
     WHERE backend_type = 'index_advisor worker' AND datname IN ('d1', 'd2')}),
   'after the restart, both databases have a worker at once');

for my $db ('d1', 'd2')
{
    $node->safe_psql($db, "COMMIT PREPARED 'hold_$db'");
    my ($ret, $out, $err) = $node->psql($db, "CALL idx_wait(timeout => '2 minutes')");
    is($node->safe_psql($db, q{SELECT status || ' ' || coalesce(error_code, '-') FROM idx_history WHERE index_name = 'p_v'}),
       'failed 57P02', "$db: the build cut by the restart is reconciled");
    is($node->safe_psql($db, q{SELECT status FROM idx_history WHERE index_name = 'q_v'}),
       'done', "$db: the queued build is done");
    is($node->safe_psql($db, 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'), '0',
       "$db: no INVALID index");
}
$node->stop;
done_testing();
