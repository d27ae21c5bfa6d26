# A cancel that lands between two leaf builds of a partitioned job (issue 13):
# leaf 1's index is built and committed, leaf 2's table is held locked by
# another session, so the worker waits at the start of leaf 2's build, and
# idx_cancel() comes then.  The job must end 'cancelled' with 57014 (not
# kill the worker): its parts too, no index (INVALID or not) left on any
# leaf or on the partitioned table, and the same worker goes on with the
# next job in the queue.  Twice: idx_cancel() on its own, and idx_cancel()
# in a transaction that commits only once the worker has reacted (the
# parts must still say 'cancelled', not 'failed').
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cancel_leaves');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
index_advisor.max_workers = 1
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE pt (k integer, v integer) PARTITION BY RANGE (k);
    CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (0) TO (1000);
    CREATE TABLE pt_2 PARTITION OF pt FOR VALUES FROM (1000) TO (2000);
    CREATE TABLE pt_3 PARTITION OF pt FOR VALUES FROM (2000) TO (3000);
    INSERT INTO pt SELECT g, g % 7 FROM generate_series(0, 2999) g;
    CREATE TABLE next_t (a integer);
    INSERT INTO next_t SELECT generate_series(1, 1000);
});
my $leaf_indexes = q{('pt_v_idx', 'pt_1_v_idx', 'pt_2_v_idx', 'pt_3_v_idx')};

sub q1
{
    return $node->safe_psql('postgres', $_[0]);
}

# $cancel->($id, $worker_pid) cancels the job; $what names the case
sub cancel_between_leaves
{
    my ($what, $cancel) = @_;

    # leaf 2's table held (SHARE UPDATE EXCLUSIVE: what its build needs)
    my $holder = $node->background_psql('postgres');
    $holder->query_safe('BEGIN');
    $holder->query_safe('LOCK TABLE pt_2 IN SHARE UPDATE EXCLUSIVE MODE');

    my $id = q1(q{SELECT idx_apply('CREATE INDEX pt_v_idx ON pt (v)')});
    # the next job waits for the only worker
    my $next = q1(q{SELECT idx_apply('CREATE INDEX ON next_t (a)')});

    ok($node->poll_query_until('postgres', qq{
        SELECT (SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE c.relname = 'pt_1_v_idx')
           AND EXISTS (SELECT 1 FROM pg_stat_activity a JOIN idx_history h ON h.worker_pid = a.pid
                        WHERE h.id = $id AND a.wait_event_type = 'Lock'
                          AND a.query LIKE '%pt_2_v_idx%')}),
       "$what: leaf 1 is built and committed; the worker waits for leaf 2");
    my $worker = q1("SELECT worker_pid FROM idx_history WHERE id = $id");
    is(q1("SELECT count(*) FROM pg_class WHERE relname = 'pt_2_v_idx'"), '0',
       "$what: leaf 2 has not started");

    $cancel->($id, $worker);

    ok($node->poll_query_until('postgres',
        "SELECT status <> 'building' FROM idx_history WHERE id = $id"),
       "$what: the job ends");
    is(q1("SELECT status || ' ' || error_code FROM idx_history WHERE id = $id"),
       'cancelled 57014', "$what: the job is cancelled with SQLSTATE 57014");
    is(q1("SELECT string_agg(DISTINCT status || ' ' || error_code, ', ') FROM idx_history WHERE parent_id = $id"),
       'cancelled 57014', "$what: its parts are cancelled with 57014 too");
    is(q1("SELECT count(*) FROM pg_class WHERE relname IN $leaf_indexes"), '0',
       "$what: no index left on the partitioned table or any leaf (leaf 1's was dropped)");
    is(q1('SELECT count(*) FROM pg_index WHERE NOT indisvalid'), '0',
       "$what: no INVALID index anywhere");

    # the worker lived on: it runs the next job
    ok($node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $next"),
       "$what: the next job is built");
    is(q1("SELECT worker_pid FROM idx_history WHERE id = $next"), $worker,
       "$what: by the same worker process, which the cancel did not kill");

    $holder->query_safe('COMMIT');
    $holder->quit;
    q1("SELECT idx_rollback($next)");
    q1('CALL idx_wait()');
}

cancel_between_leaves('idx_cancel()', sub {
    my ($id) = @_;
    is(q1("SELECT idx_cancel($id)"), 't', 'idx_cancel() accepts the job');
});

cancel_between_leaves('idx_cancel() in a transaction', sub {
    my ($id, $worker) = @_;
    my $s = $node->background_psql('postgres');
    $s->query_safe('BEGIN');
    is($s->query_safe("SELECT idx_cancel($id)"), 't', 'idx_cancel() accepts the job');
    # the worker has stopped leaf 2 and waits to record, for this transaction
    ok($node->poll_query_until('postgres', qq{
        SELECT wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple')
          FROM pg_stat_activity WHERE pid = $worker}),
       'the worker waits for the cancelling transaction before it records');
    $s->query_safe('COMMIT');
    $s->quit;
});

ok(!$node->log_contains(qr/terminated by signal|exited with exit code/),
   'no worker died (server log)');

# the same definition applies again and builds on every leaf
my ($ret, $out, $err) = $node->psql('postgres',
    q{SELECT idx_apply('CREATE INDEX pt_v_idx ON pt (v)') \gset
      CALL idx_wait(:idx_apply)});
is($ret, 0, 'the definition applies again') or diag($err);
is(q1("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN $leaf_indexes AND i.indisvalid"),
   '4', 'and is valid on the partitioned table and its three leaves');

$node->stop;
done_testing();
