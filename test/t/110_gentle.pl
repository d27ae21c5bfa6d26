# Gentle builds (doc/gentle.md), with a real worker:
#  1. priority: while a low / idle build runs, /proc/<pid>/stat (nice, and
#     the scheduling policy: SCHED_IDLE for idle) and
#     ionice (I/O class) of the building worker and of its parallel
#     maintenance workers show the lowered priority; afterwards the worker
#     is back at its priority before (or gone: an unprivileged process
#     cannot raise its nice value back, so it ends after the job), and the
#     next, normal build runs at nice 0;
#  2. not_before: the row waits with its reason, then builds after it;
#  3. the build window: closed -> the row waits with its reason (in
#     idx_history, idx_progress and idx_wait's NOTICE); opened (ALTER SYSTEM
#     and a reload) -> it builds; a build already running when the window
#     closes is not interrupted;
#  4. max_active_backends: two busy sessions defer a build, their end
#     releases it;
#  5. max_replica_lag: a standby whose replay is paused defers a build,
#     resuming the replay releases it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('gentle');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
max_parallel_maintenance_workers = 2
maintenance_work_mem = '256MB'
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE t (id integer, a integer, b integer, c integer);
    INSERT INTO t SELECT g, g % 100, g % 7, g % 13 FROM generate_series(1, 1200) g;
    ALTER TABLE t SET (parallel_workers = 2);
    -- each row takes 10 ms to index: a build scanning 600 rows lasts
    -- seconds, long enough to look at its processes
    CREATE FUNCTION slow(integer) RETURNS integer IMMUTABLE PARALLEL SAFE
        LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN $1; END $$;
    VACUUM ANALYZE t;
});

# a field of /proc/<pid>/stat, counted from the state (field 3) as 0
sub stat_field
{
    my ($pid, $i) = @_;
    open(my $fh, '<', "/proc/$pid/stat") or return undef;
    my $stat = <$fh>;
    close($fh);
    $stat =~ s/^.*\)\s+//;
    my @f = split(/\s+/, $stat);
    return $f[$i];
}

sub nice_of { return stat_field($_[0], 16); }      # field 19: nice

sub policy_of { return stat_field($_[0], 38); }    # field 41: 0 SCHED_OTHER, 5 SCHED_IDLE

sub ioclass_of
{
    my ($pid) = @_;
    my $out = `ionice -p $pid 2>/dev/null`;
    chomp $out;
    return $out;
}

sub set_system
{
    my ($setting) = @_;
    $node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM $setting");
    $node->safe_psql('postgres', 'SELECT pg_reload_conf()');
}

# --- 1. priority, of the worker and of its parallel workers ------------
foreach my $case (['low', 10, qr/^best-effort: prio 7$/, 'a', 0], ['idle', 19, qr/^idle$/, 'c', 5])
{
    my ($prio, $nice, $class, $col, $policy) = @$case;
    my $id = $node->safe_psql('postgres',
        "SELECT idx_apply('CREATE INDEX t_${prio}_idx ON t (slow($col))', priority => '$prio')");
    ok($node->poll_query_until('postgres', qq{
        SELECT count(*) > 0 FROM pg_stat_activity a JOIN idx_history h
            ON a.leader_pid = h.worker_pid
         WHERE h.id = $id AND h.status = 'building'}),
       "$prio: the build runs with parallel workers");
    my $pid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $id");
    # the parallel workers, read while they run (polled: they come and go
    # with the build's scan)
    my @read;
    for (my $i = 0; $i < 300 && !@read; $i++)
    {
        foreach my $h (split(/\n/, $node->safe_psql('postgres',
            "SELECT pid FROM pg_stat_activity WHERE leader_pid = $pid AND pid <> $pid")))
        {
            my $n = nice_of($h);
            my $c = ioclass_of($h);
            my $p = policy_of($h);
            push @read, [ $n, $c, $p ] if defined $n && defined $p && -e "/proc/$h";
        }
        usleep(50_000) unless @read;
    }
    ok(@read > 0, "$prio: a parallel worker read while it ran");
    foreach my $r (@read)
    {
        is($r->[0], $nice, "$prio: parallel worker at nice $nice");
        like($r->[1], $class, "$prio: parallel worker's I/O class");
        is($r->[2], $policy, "$prio: parallel worker's scheduling policy is $policy");
    }
    is(nice_of($pid), $nice, "$prio: the building worker runs at nice $nice");
    is(policy_of($pid), $policy, "$prio: the building worker's scheduling policy is $policy");
    like(ioclass_of($pid), $class, "$prio: the building worker's I/O class");
    $node->safe_psql('postgres', "CALL idx_wait($id)");
    is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $id"),
       'done', "$prio: built");
    # restored, or the process ended (its nice could not be raised back)
    my $restored = 0;
    for (my $i = 0; $i < 600; $i++)
    {
        my $n = nice_of($pid);
        if (!defined $n || ($n == 0 && ioclass_of($pid) !~ /idle|prio 7/ && policy_of($pid) == 0))
        {
            $restored = 1;
            last;
        }
        usleep(100_000);
    }
    ok($restored, "$prio: after the job, the worker is back at its priority or gone");
}

# the next build, at normal priority, runs at nice 0 (held by a writer)
my $writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe('INSERT INTO t VALUES (0, 0, 0, 0)');
my $nid = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX t_normal_idx ON t (b)')");
ok($node->poll_query_until('postgres',
    "SELECT phase LIKE 'waiting for writers%' FROM idx_progress WHERE id = $nid"),
   'normal: the build is held by the writer');
my $npid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $nid");
is(nice_of($npid), 0, 'normal: the next build runs at nice 0');
is(policy_of($npid), 0, 'normal: and with the normal scheduling policy');
unlike(ioclass_of($npid), qr/idle|prio 7/, 'normal: and at the normal I/O class');

# --- 3b. a running build is not interrupted when the window closes ------
my $closed = $node->safe_psql('postgres', q{
    SELECT to_char(now() + interval '2 hours', 'HH24:MI') || '-' ||
           to_char(now() + interval '3 hours', 'HH24:MI')});
set_system("SET index_advisor.build_window = '$closed'");
$writer->query_safe('COMMIT');
$node->safe_psql('postgres', "CALL idx_wait($nid)");
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $nid"),
   'done', 'window: a build already running when the window closed finished');

# --- 3. the window is closed: a new row waits, with its reason ----------
my $wid = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX t_window_idx ON t (c)')");
ok($node->poll_query_until('postgres', qq{
    SELECT status = 'waiting' AND wait_reason = 'outside the build window $closed (index_advisor.build_window)'
      FROM idx_history WHERE id = $wid}),
   'window closed: the row waits, and says why');
is($node->safe_psql('postgres', "SELECT wait_reason FROM idx_progress WHERE id = $wid"),
   "outside the build window $closed (index_advisor.build_window)",
   'window closed: idx_progress shows the reason');
my ($stdout, $stderr);
$node->psql('postgres', "CALL idx_wait($wid, timeout => '1s')",
            stdout => \$stdout, stderr => \$stderr);
like($stderr, qr/NOTICE:  $wid t_window_idx: waiting: outside the build window \Q$closed\E/,
     'window closed: idx_wait says why the row waits');
# only one worker watches, holding no worker slot
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 101}),
   '0', 'window closed: the waiting row holds no worker slot');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'index_advisor worker'}),
   '1', 'window closed: one worker watches');
set_system("RESET index_advisor.build_window");
ok($node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $wid"),
   'window opened: the row is built');

# --- 2. not_before -----------------------------------------------------
my $lid = $node->safe_psql('postgres', q{
    SELECT idx_apply('CREATE INDEX t_later_idx ON t (a, b)', not_before => now() + interval '4 seconds')});
ok($node->poll_query_until('postgres', qq{
    SELECT status = 'waiting' AND wait_reason LIKE 'not before %' FROM idx_history WHERE id = $lid}),
   'not_before: the row waits, and says why');
ok($node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $lid"),
   'not_before: then it is built');
is($node->safe_psql('postgres', "SELECT started_at >= not_before FROM idx_history WHERE id = $lid"),
   't', 'not_before: not started before its time');

# --- 4. active backends ------------------------------------------------
set_system("SET index_advisor.max_active_backends = 1");
my @busy;
foreach my $i (1 .. 2)
{
    my ($o, $e) = ('', '');
    push @busy, IPC::Run::start(
        [ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
          "SET application_name = 'busy'; SELECT pg_sleep(300)" ],
        '>', \$o, '2>', \$e);
}
ok($node->poll_query_until('postgres',
    "SELECT count(*) = 2 FROM pg_stat_activity WHERE application_name = 'busy' AND state = 'active'"),
   'backends: two sessions are busy');
my $bid = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX t_busy_idx ON t (a, c)')");
ok($node->poll_query_until('postgres', qq{
    SELECT status = 'waiting' AND wait_reason = 'more than 1 active backends (index_advisor.max_active_backends)'
      FROM idx_history WHERE id = $bid}),
   'backends: the row waits while they are busy, and says why');
$node->safe_psql('postgres',
    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'busy'");
$_->finish foreach @busy;
ok($node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $bid"),
   'backends: released once they are idle');
set_system("RESET index_advisor.max_active_backends");

# --- 5. replica lag ----------------------------------------------------
$node->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('gentle_standby');
$standby->init_from_backup($node, 'b', has_streaming => 1);
$standby->append_conf('postgresql.conf', "wal_receiver_status_interval = 1s\n");
$standby->start;
$node->wait_for_catchup($standby, 'replay');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
set_system("SET index_advisor.max_replica_lag = '64kB'");
$node->safe_psql('postgres', 'CREATE TABLE filler AS SELECT g FROM generate_series(1, 20000) g');
ok($node->poll_query_until('postgres', q{
    SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) > 65536 FROM pg_stat_replication}),
   'lag: the paused standby lags');
my $rid = $node->safe_psql('postgres', "SELECT idx_apply('CREATE INDEX t_lag_idx ON t (b, c)')");
ok($node->poll_query_until('postgres', qq{
    SELECT status = 'waiting'
           AND wait_reason = 'a standby replays more than 64kB behind (index_advisor.max_replica_lag)'
      FROM idx_history WHERE id = $rid}),
   'lag: the row waits while the standby lags, and says why');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
ok($node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $rid"),
   'lag: released once the standby caught up');
set_system("RESET index_advisor.max_replica_lag");

$standby->stop;
$node->stop;
done_testing();
