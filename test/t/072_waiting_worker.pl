# A worker with nothing to do waits for the next request
# (index_advisor.worker_idle_timeout, doc/workers.md), with a real server:
#  1. after a build, one worker stays, holding no worker slot;
#  2. the next request is built by that same process (no new worker
#     starts), and within a short time of its commit;
#  3. an aborted request leaves the waiting worker waiting, nothing queued;
#  4. DROP EXTENSION and DROP DATABASE of a database whose worker waits
#     succeed (the worker leaves for them); one worker waits in the whole
#     server;
#  5. the worker leaves once the timeout has passed since its last job;
#     with 0, no worker stays after the queue is empty.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('waiting');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
index_advisor.worker_idle_timeout = '1h'
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE DATABASE other;
    CREATE EXTENSION index_advisor;
    CREATE TABLE t (a integer, b integer, c integer);
    INSERT INTO t SELECT g, g % 7, g % 13 FROM generate_series(1, 10000) g;
});
$node->safe_psql('other', q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE u (a integer);
    INSERT INTO u SELECT generate_series(1, 1000);
});

my $workers = q{SELECT count(*) FROM pg_stat_activity
                 WHERE backend_type = 'index_advisor worker' AND datname = current_database()};

sub build
{
    my ($db, $def) = @_;
    my $id = $node->safe_psql($db, "SELECT idx_apply('$def')");
    $node->safe_psql($db, "CALL idx_wait($id)");
    is($node->safe_psql($db, "SELECT status FROM idx_history WHERE id = $id"), 'done', "$def: done");
    return $id;
}

# --- 1. one worker waits after a build, holding no slot -----------------
my $first = build('postgres', 'CREATE INDEX t_a_idx ON t (a)');
my $pid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $first");
usleep(300_000);
is($node->safe_psql('postgres', $workers), '1', 'after the build, one worker waits');
is($node->safe_psql('postgres', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'index_advisor worker'"),
   $pid, 'it is the worker that built');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 101}),
   '0', 'the waiting worker holds no worker slot');

# --- 2. the next request: the same process, started soon after commit ---
# (without the wake, the waiting worker would look again only every 2 s)
foreach my $col ('b', 'b, a', 'b, c')
{
    (my $name = "t_${col}_idx") =~ s/, /_/g;
    my $id = build('postgres', "CREATE INDEX $name ON t ($col)");
    is($node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $id"),
       $pid, "$name: built by the waiting worker");
    my $start_ms = $node->safe_psql('postgres', qq{
        SELECT round(extract(epoch FROM started_at - requested_at) * 1000) FROM idx_history WHERE id = $id});
    cmp_ok($start_ms, '<', 700, "$name: started $start_ms ms after the request (woken at commit)");
}
# several rows in one transaction: the waiting worker takes the first, a
# new worker may take another; all are built
$node->safe_psql('postgres', q{
    BEGIN;
    SELECT idx_apply('CREATE INDEX t_c_idx ON t (c)');
    SELECT idx_apply('CREATE INDEX t_ab_idx ON t (a, b)');
    COMMIT;
});
$node->safe_psql('postgres', 'CALL idx_wait()');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM idx_history WHERE index_name IN ('t_c_idx', 't_ab_idx') AND status = 'done'}),
   '2', 'two rows of one transaction: both built');

# --- 3. an aborted request: nothing queued, the worker still waits -------
$node->safe_psql('postgres', q{
    BEGIN;
    SELECT idx_apply('CREATE INDEX t_never_idx ON t (c, a)');
    ROLLBACK;
});
usleep(300_000);
is($node->safe_psql('postgres', "SELECT count(*) FROM idx_history WHERE index_name = 't_never_idx'"),
   '0', 'an aborted request queued nothing');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = 't_never_idx'"),
   '0', 'and built nothing');
ok($node->poll_query_until('postgres', "SELECT ($workers) = 1"), 'a worker still waits');

# --- 4. DROP EXTENSION and DROP DATABASE with a waiting worker; one
#        waiting worker in the whole server ------------------------------
my ($ret, $out, $err) = $node->psql('postgres', 'DROP EXTENSION index_advisor');
is($ret, 0, 'DROP EXTENSION with a waiting worker succeeds') or diag($err);
ok($node->poll_query_until('postgres', "SELECT ($workers) = 0"), 'the waiting worker leaves');
$node->safe_psql('postgres', 'CREATE EXTENSION index_advisor');
build('other', 'CREATE INDEX u_a_idx ON u (a)');
ok($node->poll_query_until('other', "SELECT ($workers) = 1"), 'other: a worker waits');
build('postgres', 'CREATE INDEX t_ca_idx ON t (c, a)');
ok($node->poll_query_until('postgres', "SELECT ($workers) = 0"),
   'postgres: its worker does not wait too (one waiting worker in the server)');
is($node->safe_psql('other', $workers), '1', 'other: its worker still waits');
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE other');
is($ret, 0, 'DROP DATABASE of a database whose worker waits succeeds') or diag($err);
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'other'"),
   '0', 'the database is gone');
unlike(slurp_file($node->logfile), qr/index_advisor worker.*exited with exit code 1/,
       'no worker ended on an error');

# --- 5. the timeout --------------------------------------------------------
$node->safe_psql('postgres', q{LOAD 'index_advisor';
                               ALTER SYSTEM SET index_advisor.worker_idle_timeout = '2s'});
$node->reload;
build('postgres', 'CREATE INDEX t_a2_idx ON t (a, c)');
my $t0 = time();
ok($node->poll_query_until('postgres', "SELECT ($workers) = 0"), 'the worker leaves after the timeout');
cmp_ok(time() - $t0, '<=', 30, 'within the timeout (2 s) and a recheck');
$node->safe_psql('postgres', q{LOAD 'index_advisor';
                               ALTER SYSTEM SET index_advisor.worker_idle_timeout = 0});
$node->reload;
build('postgres', 'CREATE INDEX t_cba_idx ON t (c, b, a)');
ok($node->poll_query_until('postgres', "SELECT ($workers) = 0"), 'with 0, no worker stays');

$node->stop;
done_testing();
