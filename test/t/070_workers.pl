# The workers as a DBA and as an untrusted role see them (doc/workers.md):
#  1. identity: a worker connects as the bootstrap superuser, whoever's
#     session started it, and runs each job as its requester; role a's
#     ALTER ROLE settings do not reach role b's build; a cannot terminate
#     the worker building b's index;
#  2. liveness: a row whose worker is alive is never reconciled, whatever
#     its timestamps say (the worker holds a lock on its row);
#  3. capacity: open transactions that queued rows keep at most
#     max_workers workers per database and server_max_workers in the server,
#     and every row is built once they commit;
#  4. fair shares: a role whose builds are blocked by its own lock does not
#     hold every slot;
#  5. discipline: a cancel landing while the worker writes its records does
#     not kill it; READ COMMITTED is forced in the workers;
#  6. the worker's records are not cut short by a database lock_timeout;
#  7. an ERROR outside a build is logged and recorded; the worker goes on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('workers');
$node->init;
# (no worker waits for work here: the slots counted below are those of
# workers that run or wait for open transactions; 072_waiting_worker.pl
# tests the waiting worker)
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 24
max_connections = 40
index_advisor.worker_idle_timeout = 0
});
$node->start;
my $su = $node->safe_psql('postgres', 'SELECT rolname FROM pg_roles WHERE oid = 10');
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE ROLE a LOGIN;
    CREATE ROLE b LOGIN;
    CREATE ROLE x LOGIN;
    CREATE ROLE y LOGIN;
    GRANT CREATE ON SCHEMA public TO a, b, x, y;
    ALTER ROLE a SET lock_timeout = '1ms';
});
$node->safe_psql('postgres', q{
    CREATE TABLE ta (p integer, q text);
    INSERT INTO ta SELECT g, md5(g::text) FROM generate_series(1, 1000000) g;
    CREATE TABLE tb (p integer);
    INSERT INTO tb SELECT generate_series(1, 1000);
}, extra_params => ['-U', 'a']);
$node->safe_psql('postgres', 'ALTER TABLE tb OWNER TO b');
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.max_workers = 1");
$node->reload;

sub status
{
    my ($id) = @_;
    return $node->safe_psql('postgres',
        "SELECT status || ' ' || coalesce(error_code, '-') FROM idx_history WHERE id = $id");
}

# 1. the worker a's session started runs b's job, blocked by a lock
my $s1 = $node->background_psql('postgres');
$s1->query_safe('BEGIN');
$s1->query_safe('LOCK TABLE tb IN SHARE UPDATE EXCLUSIVE MODE');
my $ida = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX ta_q ON ta (q, p)')",
    extra_params => ['-U', 'a']);
ok($node->poll_query_until('postgres', "SELECT status IN ('building', 'done') FROM idx_history WHERE id = $ida"),
   "a's build runs");
my $idb = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX tb_p ON tb (p)')",
    extra_params => ['-U', 'b']);
ok($node->poll_query_until('postgres', qq{
    SELECT h.status = 'building' AND a.wait_event_type = 'Lock'
      FROM idx_history h JOIN pg_stat_activity a ON a.pid = h.worker_pid WHERE h.id = $idb}),
   "b's build waits for the lock on its table");
is(status($ida), 'done -', "a's build is done");
my $wpid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $idb");
is($node->safe_psql('postgres', "SELECT usename FROM pg_stat_activity WHERE pid = $wpid"),
   $su, 'the worker is connected as the bootstrap superuser');
my ($ret, $out, $err) = $node->psql('postgres', "SELECT pg_terminate_backend($wpid)",
    extra_params => ['-U', 'a']);
isnt($ret, 0, 'a cannot terminate the worker building b\'s index');
like($err, qr/superuser/, '... because it is a superuser\'s backend');
($ret, $out, $err) = $node->psql('postgres', "SELECT query FROM pg_stat_activity WHERE pid = $wpid",
    extra_params => ['-U', 'a']);
is($out, '<insufficient privilege>', 'a does not see what the worker runs');

# 2. the row of a live worker is never reconciled: not even when its
#    started_at says the worker started after it (a clock step backwards)
$node->safe_psql('postgres',
    "UPDATE idx_history SET started_at = started_at - interval '1 day' WHERE id = $idb");
$node->safe_psql('postgres', 'SELECT idx_kick()');
usleep(2_000_000);
is(status($idb), 'building -', 'the row of a live worker stays building');
is($node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $idb"),
   $wpid, '... with the same worker');
is($node->safe_psql('postgres',
    "SELECT count(*) FROM idx_check() f WHERE f.kind = 'crashed' AND f.history_id = $idb"),
   '0', '... and idx_check does not call it crashed (it asks the row lock too)');
usleep(1_000_000);
$s1->query_safe('COMMIT');
ok($node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $idb"),
   "b's build is done: a's lock_timeout did not apply to it");
is(status($idb), 'done -', 'no error recorded');

$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.max_workers = 2;
                              ALTER SYSTEM SET index_advisor.server_max_workers = 3");
$node->reload;

# 3. capacity: 4 + 3 open transactions, each with two requests, in two databases
$node->safe_psql('postgres', 'CREATE DATABASE db2');
$node->safe_psql('db2', 'CREATE EXTENSION index_advisor');
my @sessions;
for my $db ('postgres', 'db2')
{
    my $n = $db eq 'postgres' ? 4 : 3;
    for my $i (1 .. $n)
    {
        $node->safe_psql($db, "CREATE TABLE c${i}a (v integer); CREATE TABLE c${i}b (v integer);
                               INSERT INTO c${i}a SELECT generate_series(1, 1000);
                               INSERT INTO c${i}b SELECT generate_series(1, 1000);");
        my $s = $node->background_psql($db);
        $s->query_safe('BEGIN');
        $s->query_safe("SELECT idx_apply('CREATE INDEX ON c${i}a (v)')");
        $s->query_safe("SELECT idx_apply('CREATE INDEX ON c${i}b (v)')");
        push @sessions, $s;
    }
}
usleep(2_000_000);
my ($max_db, $max_all) = (0, 0);
for (1 .. 15)
{
    my ($p, $all) = split /\|/, $node->safe_psql('postgres', q{
        SELECT max(n), sum(n) FROM (SELECT count(*) AS n FROM pg_stat_activity
         WHERE backend_type = 'index_advisor worker' GROUP BY datid) w});
    $p ||= 0; $all ||= 0;
    $max_db = $p if $p > $max_db;
    $max_all = $all if $all > $max_all;
    usleep(200_000);
}
cmp_ok($max_db, '<=', 2, "open transactions: at most max_workers workers per database ($max_db)");
cmp_ok($max_all, '<=', 3, "open transactions: at most server_max_workers in the server ($max_all)");
$_->query_safe('COMMIT') for @sessions;
$_->quit for @sessions;
for my $db ('postgres', 'db2')
{
    ($ret, $out, $err) = $node->psql($db, "CALL idx_wait(timeout => '3 minutes')");
    is($ret, 0, "$db: every build finished after the commits") or diag($err);
    is($node->safe_psql($db, "SELECT count(*) FROM idx_history WHERE table_name ~ '^c' AND status = 'done'"),
       $db eq 'postgres' ? '8' : '6', "$db: all done");
}

# 3b. every server slot taken by another database: the request says so, and
#     the next idx_wait() in this database starts its build
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.server_max_workers = 1");
$node->reload;
my $hold = $node->background_psql('postgres');
$hold->query_safe('BEGIN');
$hold->query_safe("SELECT idx_apply('CREATE INDEX ON c1a (v DESC)')");
ok($node->poll_query_until('postgres',
    "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'index_advisor worker' AND datname = 'postgres'"),
   'a worker of postgres waits for the open transaction');
($ret, $out, $err) = $node->psql('db2', "SELECT idx_apply('CREATE INDEX ON c1a (v DESC)')");
like($err, qr/no index_advisor worker can start now/, 'db2: the request says no worker can start');
$hold->query_safe('COMMIT');
$hold->quit;
($ret, $out, $err) = $node->psql('db2', "CALL idx_wait(timeout => '2 minutes')");
is($ret, 0, 'db2: idx_wait starts the build once the slot is free') or diag($err);
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.server_max_workers = 3");
$node->reload;
$node->safe_psql('postgres', 'CALL idx_wait()');

# 4. fair shares: x's two builds wait for x's own lock, y's build still runs
$node->safe_psql('postgres', q{
    CREATE TABLE tx1 (v integer); CREATE TABLE tx2 (v integer);
    INSERT INTO tx1 SELECT generate_series(1, 1000); INSERT INTO tx2 SELECT generate_series(1, 1000);
}, extra_params => ['-U', 'x']);
$node->safe_psql('postgres', q{
    CREATE TABLE ty (v integer); INSERT INTO ty SELECT generate_series(1, 1000);
}, extra_params => ['-U', 'y']);
my $xs = $node->background_psql('postgres', extra_params => ['-U', 'x']);
$xs->query_safe('BEGIN');
$xs->query_safe('LOCK TABLE tx1, tx2 IN ROW EXCLUSIVE MODE');
my ($x1, $x2) = split /\n/, $node->safe_psql('postgres', q{
    SELECT idx_apply('CREATE INDEX tx1_v ON tx1 (v)');
    SELECT idx_apply('CREATE INDEX tx2_v ON tx2 (v)');}, extra_params => ['-U', 'x']);
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM idx_history WHERE id IN ($x1, $x2) AND status = 'building'"),
   "x's first build waits for x's own lock");
my $y1 = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX ty_v ON ty (v)')",
    extra_params => ['-U', 'y']);
($ret, $out, $err) = $node->psql('postgres', "CALL idx_wait($y1, '2 minutes')",
    extra_params => ['-U', 'y']);
is($ret, 0, "y's build finishes while x's wait") or diag($err);
is($node->safe_psql('postgres', "SELECT string_agg(status, ',' ORDER BY status) FROM idx_history WHERE id IN ($x1, $x2)"),
   'building,queued', 'x runs at most its share (max_workers_per_role = 1)');
$xs->query_safe('COMMIT');
$xs->quit;
($ret, $out, $err) = $node->psql('postgres', "CALL idx_wait(timeout => '2 minutes')");
is($ret, 0, "then x's builds finish") or diag($err);

# 5a. a cancel while the worker records a partitioned build's parts: the
#     worker keeps going (before: it died, and the finished index was dropped)
$node->safe_psql('postgres', q{
    CREATE TABLE pt (k integer, v integer) PARTITION BY RANGE (k);
    CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (1000);
    CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM (1000) TO (2000);
    INSERT INTO pt SELECT g, g FROM generate_series(0, 1999) g;
});
my $s3 = $node->background_psql('postgres');
$s3->query_safe('BEGIN');
$s3->query_safe('LOCK TABLE pt2 IN SHARE UPDATE EXCLUSIVE MODE');
my $idp = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX pt_v ON pt (v)')");
ok($node->poll_query_until('postgres', "SELECT count(*) = 2 FROM idx_history WHERE parent_id = $idp"),
   'partitioned build: parts planned');
my $s2 = $node->background_psql('postgres');
$s2->query_safe('BEGIN');
$s2->query_safe("SELECT id FROM idx_history WHERE parent_id = $idp FOR UPDATE");
$s3->query_safe('COMMIT');
$wpid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $idp");
ok($node->poll_query_until('postgres', qq{
    SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $wpid AND NOT granted
                     AND locktype IN ('transactionid', 'tuple'))}),
   'the worker waits to record the parts');
$s2->query_safe("SELECT idx_cancel($idp)");
$s2->query_safe('COMMIT');
ok($node->poll_query_until('postgres', "SELECT status <> 'building' FROM idx_history WHERE id = $idp"),
   'the partitioned row ended');
is(status($idp), 'done -', 'cancel after the last build: the build is kept, no 57P02');
is($node->safe_psql('postgres', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'pt_v'::regclass"),
   't', 'the partitioned index is valid');
unlike(slurp_file($node->logfile), qr/index_advisor worker.*exited with exit code 1/,
       'no worker died');
$s2->quit;
$s3->quit;

# 5c. a cancel that lands while the worker plans a partitioned build (it
#     waits for a lock on a partition) takes effect at the next statement:
#     the row ends with 57014, nothing is left, the worker goes on
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.max_workers = 1");
$node->reload;
$node->safe_psql('postgres', q{
    CREATE TABLE qt (k integer, v integer) PARTITION BY RANGE (k);
    CREATE TABLE qt1 PARTITION OF qt FOR VALUES FROM (0) TO (1000);
    CREATE TABLE qt2 PARTITION OF qt FOR VALUES FROM (1000) TO (2000);
    INSERT INTO qt SELECT g, g FROM generate_series(0, 1999) g;
    CREATE TABLE tw (v integer); INSERT INTO tw SELECT generate_series(1, 1000);
});
$s3 = $node->background_psql('postgres');
$s3->query_safe('BEGIN');
$s3->query_safe('LOCK TABLE tw IN SHARE UPDATE EXCLUSIVE MODE');
my $idw = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX tw_v ON tw (v)')");
ok($node->poll_query_until('postgres', "SELECT status = 'building' FROM idx_history WHERE id = $idw"),
   'the one slot is busy');
my $idq = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX qt_v ON qt (v)')");
$s2 = $node->background_psql('postgres');
$s2->query_safe('BEGIN');
$s2->query_safe('LOCK TABLE qt2 IN ACCESS EXCLUSIVE MODE');
$s3->query_safe('COMMIT');
ok($node->poll_query_until('postgres', qq{
    SELECT h.status = 'waiting' AND a.wait_event_type = 'Lock'
      FROM idx_history h JOIN pg_stat_activity a ON a.pid = h.worker_pid WHERE h.id = $idq}),
   'the worker waits for the partition while it plans the parts');
$wpid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $idq");
is($node->safe_psql('postgres', "SELECT pg_cancel_backend($wpid)"), 't', 'cancel sent');
$s2->query_safe('COMMIT');
ok($node->poll_query_until('postgres', "SELECT status NOT IN ('waiting', 'building') FROM idx_history WHERE id = $idq"),
   'the partitioned row ended');
is(status($idq), 'failed 57014', 'the cancel took effect at the next statement: 57014, not 57P02');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'qt%v%' AND relkind IN ('i', 'I')}),
   '0', 'no partition index is left');
unlike(slurp_file($node->logfile), qr/index_advisor worker.*exited with exit code 1/,
       'no worker died');
$s2->quit;
$s3->quit;
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.max_workers = 2");
$node->reload;

# 5b. READ COMMITTED is forced: serializable by default in the database,
#     two workers at once
$node->safe_psql('postgres', "ALTER DATABASE postgres SET default_transaction_isolation = 'serializable'");
my @ids = split /\n/, $node->safe_psql('postgres', q{
    BEGIN;
    SELECT idx_apply('CREATE INDEX ta_p ON ta (p)');
    SELECT idx_apply('CREATE INDEX tb_h ON tb USING hash (p)');
    SELECT idx_apply('CREATE INDEX ty_h ON ty USING hash (v)');
    SELECT idx_apply('CREATE INDEX c2a_h ON c2a USING hash (v)');
    SELECT idx_apply('CREATE INDEX c3a_h ON c3a USING hash (v)');
    SELECT idx_apply('CREATE INDEX c4a_h ON c4a USING hash (v)');
    COMMIT;});
($ret, $out, $err) = $node->psql('postgres', "CALL idx_wait(timeout => '2 minutes')");
is($ret, 0, 'serializable database: the builds finish') or diag($err);
is($node->safe_psql('postgres', 'SELECT string_agg(DISTINCT status, \',\') FROM idx_history WHERE id IN (' . join(',', @ids) . ')'),
   'done', 'serializable database: all done');
unlike(slurp_file($node->logfile), qr/could not serialize|index_advisor worker.*exited with exit code 1/,
       'serializable database: no serialization failure, no worker died');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET default_transaction_isolation');

# 6. the record of a finished build waits for a row lock longer than the
#    database's lock_timeout: the worker's own records are not cut short
#    (timeouts, like a cancel, are held while it writes them) and the row
#    ends done
$node->safe_psql('postgres', q{
    CREATE TABLE tz (v integer); INSERT INTO tz SELECT generate_series(1, 1000);
    ALTER DATABASE postgres SET lock_timeout = '1s';
});
# the worker of the build must be a new one, with the database's settings
ok($node->poll_query_until('postgres',
    "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'index_advisor worker'"),
   'no worker is left from before');
$s3 = $node->background_psql('postgres');
$s3->query_safe('BEGIN');
$s3->query_safe('LOCK TABLE tz IN SHARE UPDATE EXCLUSIVE MODE');
my $idz = $node->safe_psql('postgres',
    "SET index_advisor.lock_timeout = 0; SELECT idx_apply('CREATE INDEX tz_v ON tz (v)')");
ok($node->poll_query_until('postgres', "SELECT status = 'building' FROM idx_history WHERE id = $idz"),
   'the build waits for the table lock');
$s2 = $node->background_psql('postgres');
$s2->query_safe('BEGIN');
$s2->query_safe("SELECT id FROM idx_history WHERE id = $idz FOR UPDATE");
$s3->query_safe('COMMIT');
ok($node->poll_query_until('postgres', qq{
    SELECT count(*) > 0 FROM pg_index WHERE indexrelid = 'tz_v'::regclass AND indisvalid}),
   'the index is built');
usleep(2_500_000);
is(status($idz), 'building -', 'the record waits for the row lock');
$s2->query_safe('COMMIT');
ok($node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $idz"),
   'the row is done');
unlike(slurp_file($node->logfile), qr/index_advisor worker.*exited with exit code 1/,
       'no worker died');
$s2->quit;
$s3->quit;
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET lock_timeout');

# 7. an ordinary ERROR outside the build (injected: a trigger refuses the
#    move to 'building') is logged and recorded on the row with its own
#    SQLSTATE; the worker goes on (before: it died, and the row waited for
#    the next call to be marked 57P02)
$node->safe_psql('postgres', q{
    CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = 'P0042'; END $$;
    CREATE TRIGGER boom BEFORE UPDATE ON idx_history FOR EACH ROW
      WHEN (NEW.status = 'building' AND NEW.index_name = 'tz_boom') EXECUTE FUNCTION boom();
});
my $idb1 = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX tz_boom ON tz (v DESC)')");
my $idb2 = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX tz_ok ON tz USING hash (v)')");
ok($node->poll_query_until('postgres',
    "SELECT bool_and(status IN ('done', 'failed', 'cancelled')) FROM idx_history WHERE id IN ($idb1, $idb2)"),
   'both rows ended without any further call');
is(status($idb1), 'failed P0042', 'the error outside the build is recorded with its SQLSTATE');
is(status($idb2), 'done -', 'the next build runs');
like(slurp_file($node->logfile), qr/ERROR:  boom/, 'the error is in the server log');
unlike(slurp_file($node->logfile), qr/index_advisor worker.*exited with exit code 1/,
       'no worker died');
$node->safe_psql('postgres', 'DROP TRIGGER boom ON idx_history');

is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'), '0',
   'no INVALID index anywhere');
$node->stop;
done_testing();
