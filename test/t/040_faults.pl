# Faults during a build, on a table large enough that the build is really
# running when the fault hits.  After each: no INVALID index remains
# (immediately, or after the restart and the next idx_kick), the history row
# says what happened with its SQLSTATE, and the same definition applies
# again.  Also: a build waiting behind an old transaction shows its blocker
# in idx_progress; transient failures are retried with index_advisor.max_retries.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('faults');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
restart_after_crash = on
deadlock_timeout = 2s
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE big (a integer, b text, c text);
    INSERT INTO big SELECT g, md5(g::text), md5((-g)::text) FROM generate_series(1, 2000000) g;
    VACUUM ANALYZE big;
});
my $def = 'CREATE INDEX big_bc_idx ON big (b, c)';
# the worker is dropping the leftover of a failed build
my $dropping = q{SELECT count(*) > 0 FROM pg_stat_activity
                  WHERE backend_type = 'index_advisor worker' AND query LIKE '%DROP INDEX CONCURRENTLY%'};

sub apply
{
    return $node->safe_psql('postgres', "SELECT idx_apply('$def')");
}

sub wait_building
{
    my ($id) = @_;
    ok($node->poll_query_until('postgres',
        "SELECT phase LIKE 'building index%' FROM idx_progress WHERE id = $id"),
       "row $id: the build is running");
}

sub wait_ended
{
    my ($id) = @_;
    ok($node->poll_query_until('postgres',
        "SELECT status IN ('done', 'failed', 'cancelled') FROM idx_history WHERE id = $id"),
       "row $id ended");
}

sub check_clean_and_reapply
{
    my ($what) = @_;
    is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
       '0', "$what: no INVALID index remains");
    is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname = 'big_bc_idx'}),
       '0', "$what: no index of that name remains");
    my $id = apply();
    my ($ret, $out, $err) = $node->psql('postgres', "CALL idx_wait($id)");
    is($ret, 0, "$what: the same definition applies again") or diag($err);
    $node->safe_psql('postgres', "SELECT idx_rollback($id)");
    ($ret, $out, $err) = $node->psql('postgres', 'CALL idx_wait()');
    is($ret, 0, "$what: and is rolled back") or diag($err);
}

sub row
{
    my ($id) = @_;
    return $node->safe_psql('postgres',
        "SELECT status || ' ' || coalesce(error_code, '-') FROM idx_history WHERE id = $id");
}

# 1. the worker killed with SIGKILL (the postmaster restarts every backend)
my $id = apply();
wait_building($id);
my $pid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $id");
kill 'KILL', $pid;
ok($node->poll_query_until('postgres', 'SELECT true'), 'server back after the crash');
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $id"),
   'building', 'row left building by the dead worker');
$node->safe_psql('postgres', 'SELECT idx_kick()');
wait_ended($id);
is(row($id), 'failed 57P02', 'SIGKILL: row failed with 57P02');
like($node->safe_psql('postgres', "SELECT error_detail FROM idx_history WHERE id = $id"),
     qr/INVALID index left by the build was dropped/, 'SIGKILL: leftover dropped');
check_clean_and_reapply('SIGKILL');

# 2. the server stopped with -m immediate and restarted
$id = apply();
wait_building($id);
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
   '1', 'after the restart, the INVALID index is there');
$node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX big_a_idx ON big (a)')");
wait_ended($id);
is(row($id), 'failed 57P02', 'immediate stop: the next idx_apply reconciled the row');
$node->safe_psql('postgres', 'CALL idx_wait()');
$node->safe_psql('postgres', 'DROP INDEX big_a_idx');
check_clean_and_reapply('immediate stop');

# 3. index_advisor.statement_timeout reached
$id = $node->safe_psql('postgres',
    "SET index_advisor.statement_timeout = '300ms'; SELECT idx_apply('$def')");
my ($ret, $out, $err) = $node->psql('postgres', "CALL idx_wait($id)");
isnt($ret, 0, 'statement_timeout: idx_wait fails');
is(row($id), 'failed 57014', 'statement_timeout: row failed with 57014');
like($node->safe_psql('postgres', "SELECT error_message FROM idx_history WHERE id = $id"),
     qr/statement timeout/, 'statement_timeout: message says so');
check_clean_and_reapply('statement_timeout');

# 4. index_advisor.lock_timeout reached while waiting behind an old
#    transaction, which idx_progress names
my $old = $node->background_psql('postgres');
$old->query_safe('BEGIN');
$old->query_safe('INSERT INTO big VALUES (0, 0, 0)');
my $old_pid = $old->query_safe('SELECT pg_backend_pid()');
$id = $node->safe_psql('postgres',
    "SET index_advisor.lock_timeout = '4s'; SELECT idx_apply('$def')");
ok($node->poll_query_until('postgres',
    "SELECT blocked_by_pid = $old_pid AND phase LIKE 'waiting for writers%' AND blocked_by_state = 'idle in transaction' FROM idx_progress WHERE id = $id"),
   'idx_progress names the old transaction that blocks the build');
ok($node->poll_query_until('postgres', $dropping), 'lock_timeout fired, leftover being dropped');
# the leftover is dropped concurrently, which also waits for the old transaction
$old->query_safe('COMMIT');
wait_ended($id);
is(row($id), 'failed 55P03', 'lock_timeout: row failed with 55P03');
check_clean_and_reapply('lock_timeout');

# 5. a deadlock: the old transaction asks for a lock the build holds
$old->query_safe('BEGIN');
$old->query_safe('INSERT INTO big VALUES (0, 0, 0)');
$id = apply();
ok($node->poll_query_until('postgres',
    "SELECT phase LIKE 'waiting for writers%' FROM idx_progress WHERE id = $id"),
   'deadlock: the build waits for the writer');
# the build's deadlock check (2 s) comes first: the build is the victim
$old->query_safe("SET deadlock_timeout = '60s'");
$old->query_safe('LOCK TABLE big IN SHARE UPDATE EXCLUSIVE MODE');
$old->query_safe('COMMIT');
wait_ended($id);
is(row($id), 'failed 40P01', 'deadlock: row failed with 40P01');
check_clean_and_reapply('deadlock');

# 6. transient failures are retried, and the history keeps each attempt
$node->safe_psql('postgres',
    "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.max_retries = 2");
$node->reload;
$old->query_safe('BEGIN');
$old->query_safe('INSERT INTO big VALUES (0, 0, 0)');
$id = $node->safe_psql('postgres',
    "SET index_advisor.lock_timeout = '1s'; SELECT idx_apply('$def')");
ok($node->poll_query_until('postgres', $dropping), 'retry: first attempt failed');
$old->query_safe('COMMIT');
($ret, $out, $err) = $node->psql('postgres', "CALL idx_wait($id)");
is($ret, 0, 'retry: the build succeeded in the end') or diag($err);
is($node->safe_psql('postgres',
    "SELECT status || ' ' || (attempts > 1) || ' ' || (attempt_errors -> 0 ->> 'error_code') FROM idx_history WHERE id = $id"),
   'done true 55P03', 'retry: attempts and the first error are kept');
$old->quit;
$node->safe_psql('postgres', "SELECT idx_rollback($id)");
$node->safe_psql('postgres', 'CALL idx_wait()');
$node->safe_psql('postgres',
    "LOAD 'index_advisor'; ALTER SYSTEM RESET index_advisor.max_retries");
$node->reload;

# 7. with shared_preload_libraries, a launcher reconciles at server start
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'index_advisor'\n");
$node->restart;
$id = apply();
wait_building($id);
$node->stop('immediate');
$node->start;
wait_ended($id);
is(row($id), 'failed 57P02', 'launcher: reconciled at server start, without any call');
check_clean_and_reapply('launcher');

# ... and after a crash of the backends (the worker killed), again without any call
$id = apply();
wait_building($id);
$pid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $id");
kill 'KILL', $pid;
ok($node->poll_query_until('postgres', 'SELECT true'), 'launcher: server back after the crash');
wait_ended($id);
is(row($id), 'failed 57P02', 'launcher: reconciled after a crash restart, without any call');
check_clean_and_reapply('launcher after a crash');

$node->stop;
done_testing();
