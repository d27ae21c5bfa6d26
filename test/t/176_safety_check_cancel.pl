# Issue 19, item 12 (the check timer): a real cancel during idx_check() is
# never taken for the check's own time limit.  index_advisor.check_timeout
# cancels a stored query's planning the way statement_timeout does; when
# both, or a pg_cancel_backend(), land in the same window, the call must end
# with 57014 as the real cancel, and nothing may be recorded as a timeout.
#
# The window is made certain, not hoped for: while the backend plans a
# stored query (it sleeps in a folded IMMUTABLE function, check_timeout
# armed) it is stopped with SIGSTOP; once every deadline has passed, and
# the cancel is sent, it is continued: SIGALRM runs both timeouts (ours and
# statement_timeout) in one handler, or SIGINT and our SIGALRM are both
# pending, before the next CHECK_FOR_INTERRUPTS.
#
# Also: a folded function that RAISEs query_canceled itself is that
# query's error (a finding), not a cancel that stops everybody's check.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('check_cancel');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;

sub q1
{
    return $node->safe_psql('postgres', $_[0]);
}

q1(q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE v (a integer);
    INSERT INTO v SELECT generate_series(1, 1000);
    CREATE FUNCTION slowf(integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql
    AS $$BEGIN
        IF current_setting('ia_test.slow', true) = 'on' THEN
            PERFORM pg_sleep(60);
        END IF;
        IF current_setting('ia_test.fake', true) = 'on' THEN
            RAISE EXCEPTION 'a cancel raised by the function' USING ERRCODE = 'query_canceled';
        END IF;
        RETURN $1;
    END$$;
    SELECT idx_apply('CREATE INDEX v_a_idx ON v (a)',
                     ARRAY['SELECT * FROM v WHERE a = slowf(1)']);
});
q1('CALL idx_wait()');

# Run idx_check() with $settings, stop its backend while it plans, wait
# until $wait_s seconds after the statement began, $before_cont->($pid),
# continue it.  Returns (stdout, stderr) of the call.
sub check_stopped
{
    my ($what, $settings, $wait_s, $before_cont) = @_;
    my $bg = $node->background_psql('postgres', on_error_stop => 0);
    my $pid = $bg->query_safe('SELECT pg_backend_pid()');
    $bg->query_safe("SET ia_test.slow = on; $settings");
    $bg->query_until(qr/started/, "\\echo started\nSELECT count(*) FROM idx_check();\n");
    ok($node->poll_query_until('postgres',
        "SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $pid"),
       "$what: idx_check() plans the stored query (the folded function sleeps)");
    kill 'STOP', $pid;
    my $at = q1("SELECT extract(epoch FROM now() - query_start) FROM pg_stat_activity WHERE pid = $pid");
    # the timers were armed after the statement began: none has fired yet
    cmp_ok($at, '<', 2.5, "$what: stopped ${at} s into the statement, before any time limit");
    ok($node->poll_query_until('postgres',
        "SELECT now() > query_start + interval '$wait_s s' FROM pg_stat_activity WHERE pid = $pid"),
       "$what: every deadline has passed while it was stopped");
    $before_cont->($pid);
    kill 'CONT', $pid;
    my $out = $bg->query('SELECT 1 AS after');
    my $err = $bg->{stderr};
    $bg->{stderr} = '';
    $bg->quit;
    return ($out, $err);
}

my ($out, $err);

# statement_timeout (6 s) and check_timeout (3 s) fire in one SIGALRM
($out, $err) = check_stopped('statement_timeout',
    "SET index_advisor.check_timeout = '3s'; SET statement_timeout = '6s';",
    6.5, sub { });
like($err, qr/ERROR:  canceling statement due to statement timeout/,
     'statement_timeout: idx_check() ends with the statement timeout');
unlike($out, qr/^\d+\n/, 'statement_timeout: idx_check() returned nothing');

# pg_cancel_backend() and check_timeout (3 s) pending together
($out, $err) = check_stopped('pg_cancel_backend',
    "SET index_advisor.check_timeout = '3s';",
    6, sub { q1("SELECT pg_cancel_backend($_[0])") });
like($err, qr/ERROR:  canceling statement due to user request/,
     "pg_cancel_backend: idx_check() ends with the user's cancel");
unlike($out, qr/^\d+\n/, 'pg_cancel_backend: idx_check() returned nothing');

is(q1(q{SELECT count(*) FROM idx_findings}), '0',
   'neither cancel was recorded as a check timeout (nothing was recorded)');
is(q1(q{SELECT count(*) FROM idx_snapshots}), '0', 'no snapshot either');

# without a cancel, the same planning is a check_timeout finding
is(q1(q{SET ia_test.slow = on; SET index_advisor.check_timeout = '1s';
        SELECT kind || ': ' || detail FROM idx_check() WHERE index_name = 'v_a_idx'}),
   'query_error: 1 of 1 stored queries cannot be planned: query 1: planning took longer than index_advisor.check_timeout (1000 ms)',
   'with no cancel, our time limit is a finding and the check goes on');

# a function that raises query_canceled does not stop the check
my ($ret, $stdout, $stderr) = $node->psql('postgres', q{SET ia_test.fake = on;
    SELECT kind || ': ' || detail FROM idx_check() WHERE index_name = 'v_a_idx'});
is($ret, 0, 'a folded function raising 57014 does not end idx_check()') or diag($stderr);
is($stdout,
   'query_error: 1 of 1 stored queries cannot be planned: query 1: a cancel raised by the function',
   "it is that query's error");

# lock_timeout also arrives as SIGINT: a stored query that waits too long
# for a lock is that query's error, and is no cancel of the queries after
# it (here the next query of the same index, stopped by check_timeout: a
# planning error too)
q1(q{
    CREATE TABLE lk (a integer);
    CREATE TABLE w (a integer);
    SELECT idx_apply('CREATE INDEX w_a_idx ON w (a)',
                     ARRAY['SELECT * FROM w JOIN lk ON lk.a = w.a WHERE w.a = 1',
                           'SELECT * FROM w WHERE a = slowf(1)']);
});
q1('CALL idx_wait()');
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN');
$holder->query_safe('LOCK TABLE lk IN ACCESS EXCLUSIVE MODE');
($ret, $stdout, $stderr) = $node->psql('postgres', q{SET ia_test.slow = on;
    SET index_advisor.check_timeout = '1s'; SET lock_timeout = '200ms';
    SELECT detail FROM idx_check() WHERE kind = 'query_error' AND index_name = 'w_a_idx'});
is($ret, 0, 'a lock_timeout in one stored query does not end idx_check()') or diag($stderr);
is($stdout, '2 of 2 stored queries cannot be planned: query 1: canceling statement due to lock timeout',
   "the lock timeout is that query's error, and the next query's check_timeout is ours: both are findings");
$holder->query_safe('ROLLBACK');
$holder->quit;

$node->stop;
done_testing();
