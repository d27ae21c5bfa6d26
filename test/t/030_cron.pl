# idx_check() on a schedule, and after a crash.
#
# 1. With pg_cron preloaded, idx_schedule() registers a job that runs
#    idx_check(): in pg_cron's own database with cron.schedule, and from
#    another database with cron.schedule_in_database (through dblink).
#    Debian's pg_cron 1.4 has minute granularity, so the test waits for the
#    next minute (at most 150 s) for snapshots to appear in both databases.
# 2. A server crash in the middle of a build leaves the row 'building' and
#    an INVALID index; the next idx_check() reports it as a crashed build
#    (not as a stray INVALID index), and the worker it starts drops the
#    leftover and marks the row failed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
# pg_cron connects to run a job: through this node's socket directory
my $host = $node->host;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.host = '$host'
max_worker_processes = 16
restart_after_crash = on
});
$node->start;

# a tracked, used index in each database
my $setup = q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE t (a integer, b text);
    INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
    ANALYZE t;
    SELECT idx_apply('CREATE INDEX t_a_idx ON t (a)', ARRAY['SELECT * FROM t WHERE a = 42']);
    SET client_min_messages = warning;
    CALL idx_wait();
};
$node->safe_psql('postgres', 'CREATE EXTENSION pg_cron');
$node->safe_psql('postgres', $setup);
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', $setup);

# pg_cron's database: cron.schedule
my $job = $node->safe_psql('postgres', q{SELECT idx_schedule('* * * * *')});
like($job, qr/^\d+$/, 'idx_schedule() returns the job id');
is($node->safe_psql('postgres',
    "SELECT jobname || ' ' || schedule || ' ' || database FROM cron.job WHERE jobid = $job"),
   'index_advisor_check * * * * * postgres', 'the job is registered in pg_cron');

# another database, without dblink: the error says what to run, and where
my ($ret, $out, $err) = $node->psql('app', q{SELECT idx_schedule('* * * * *')});
isnt($ret, 0, 'from another database without dblink: an error');
like($err, qr/pg_cron is installed in database "postgres", not in "app"/,
     'the error names both databases');
like($err, qr/HINT:.*cron\.schedule_in_database\('index_advisor_check\@app'/,
     'the hint gives the statement to run there');

# ... with dblink: cron.schedule_in_database, run as the caller
$node->safe_psql('app', 'CREATE EXTENSION dblink');
my $app_job = $node->safe_psql('app', q{SELECT idx_schedule('* * * * *')});
like($app_job, qr/^\d+$/, 'idx_schedule() from another database returns the job id');
is($node->safe_psql('postgres',
    "SELECT jobname || ' ' || database FROM cron.job WHERE jobid = $app_job"),
   'index_advisor_check@app app', 'the job runs in the other database');

# wait for the next minute: both jobs run idx_check(), snapshots appear
my $deadline = time() + 150;
my ($here, $there) = (0, 0);
while (time() < $deadline)
{
    $here = $node->safe_psql('postgres', 'SELECT count(*) FROM idx_snapshots');
    $there = $node->safe_psql('app', 'SELECT count(*) FROM idx_snapshots');
    last if $here > 0 && $there > 0;
    usleep(1_000_000);
}
ok($here > 0, 'pg_cron ran idx_check(): snapshots in pg_cron\'s database');
ok($there > 0, 'pg_cron ran idx_check(): snapshots in the other database');
is($node->safe_psql('postgres', qq{
    SELECT bool_and(status = 'succeeded') FROM cron.job_run_details
     WHERE jobid IN ($job, $app_job) AND status <> 'running'}),
   't', 'the runs succeeded');
is($node->safe_psql('postgres',
    q{SELECT index_name || ' ' || queries_using || '/' || queries_total FROM idx_snapshots}),
   't_a_idx 1/1', 'the snapshot has the plan verdict of the stored query');

is($node->safe_psql('postgres', 'SELECT idx_unschedule()'), 't', 'idx_unschedule() here');
is($node->safe_psql('app', 'SELECT idx_unschedule()'), 't', 'idx_unschedule() from the other database');
is($node->safe_psql('app', 'SELECT idx_unschedule()'), 'f', 'nothing left to unschedule');
is($node->safe_psql('postgres', 'SELECT count(*) FROM cron.job'), '0', 'no job left');

# 2. a crash during a build
$node->safe_psql('postgres', q{
    CREATE TABLE big (a integer, b text, c text);
    INSERT INTO big SELECT g, md5(g::text), md5((-g)::text) FROM generate_series(1, 2000000) g;
    VACUUM ANALYZE big;
});
my $id = $node->safe_psql('postgres',
    q{SELECT idx_apply('CREATE INDEX big_bc_idx ON big (b, c)')});
ok($node->poll_query_until('postgres',
    "SELECT phase LIKE 'building index%' FROM idx_progress WHERE id = $id"),
   'the build is running');
my $pid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $id");
kill 'KILL', $pid;
ok($node->poll_query_until('postgres', 'SELECT true'), 'server back after the crash');
is($node->safe_psql('postgres', qq{
    SELECT h.status || ' ' || x.indisvalid FROM idx_history h, pg_index x
     WHERE h.id = $id AND x.indexrelid = 'big_bc_idx'::regclass}),
   'building false', 'the row is left building, the index INVALID');

my $found = $node->safe_psql('postgres',
    q{SELECT kind || ' ' || index_name || ' ' || history_id FROM idx_check() WHERE table_name = 'big'});
is($found, "crashed big_bc_idx $id", 'idx_check() reports the crashed build, not a stray INVALID index');
ok($node->poll_query_until('postgres',
    "SELECT status = 'failed' FROM idx_history WHERE id = $id"),
   'the worker idx_check() started marked the row failed');
is($node->safe_psql('postgres', "SELECT error_code FROM idx_history WHERE id = $id"),
   '57P02', 'with the SQLSTATE of the crash');
ok($node->poll_query_until('postgres',
    q{SELECT count(*) = 0 FROM pg_class WHERE relname = 'big_bc_idx'}),
   'and dropped the leftover index');
is($node->safe_psql('postgres',
    q{SELECT count(*) FROM idx_check() WHERE table_name = 'big'}),
   '0', 'the next idx_check() finds nothing');
is($node->safe_psql('postgres', qq{
    SELECT resolved_at IS NOT NULL FROM idx_findings WHERE kind = 'crashed' AND history_id = $id}),
   't', 'the crashed finding is resolved');

$node->stop;
done_testing();
