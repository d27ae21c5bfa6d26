# The autopilot's stages 1 and 2 (doc/autopilot.md, "Validation"): a built
# index is followed from 'building' to 'validating', measured against the
# window before it with pgbench workloads, and kept or reverted; a crash
# mid-cycle or mid-build leaves the record consistent and the next cycle
# picks up.
#
# The proposal stage is another stage's (87): each recommendation here is
# set up as that stage would leave it after queueing -- idx_apply of the
# index (migration 'autopilot'), a 'building' row in idx_recommendations
# with its target statements and before window from two cycles' snapshots.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/..";
use AutopilotTap;

my $t = AutopilotTap->new('autopilot_validate', conf => q{
max_worker_processes = 16
autovacuum = off
restart_after_crash = on
log_statement = none
});
my $node = $t->node;
$node->safe_psql('postgres', q{
    -- read-heavy: a lookup by grp with no index on it, and updates of bal
    CREATE TABLE acc (id integer PRIMARY KEY, grp integer, bal integer, pad text) WITH (fillfactor = 80);
    INSERT INTO acc SELECT g, g % 2000, 0, repeat('x', 50) FROM generate_series(1, 20000) g;
    -- write-heavy: every UPDATE changes c, which a rare query reads; the
    -- other indexes make each update that is not HOT cost more
    CREATE TABLE hot (id integer PRIMARY KEY, a integer, b integer, c integer, d integer,
                      e integer, f integer, pad text)
        WITH (fillfactor = 50);
    INSERT INTO hot SELECT g, g, g, g, g, g, g, repeat('y', 50) FROM generate_series(1, 10000) g;
    CREATE INDEX hot_a ON hot (a);
    CREATE INDEX hot_b ON hot (b);
    CREATE INDEX hot_d ON hot (d);
    CREATE INDEX hot_e ON hot (e);
    CREATE INDEX hot_f ON hot (f);
    CREATE INDEX hot_pad ON hot (pad, a);
    -- for the crash cases
    CREATE TABLE cr (id integer PRIMARY KEY, k integer, m integer);
    INSERT INTO cr SELECT g, g % 1000, g FROM generate_series(1, 20000) g;
});
$node->safe_psql('postgres', 'VACUUM ANALYZE acc, hot, cr');
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.autopilot_min_calls = 20");
$node->reload;
ok($node->poll_query_until('postgres', 'SELECT min_calls = 20 FROM idx_autopilot_settings()'),
   'autopilot_min_calls is 20');
# recommend: the cycle follows what was queued, and queues nothing itself
$node->safe_psql('postgres', "SELECT idx_autopilot_set('recommend')");

$t->scripts(
    read  => "\\set g random(1, 2000)\nSELECT count(*) FROM acc WHERE grp = :g;\n",
    upd   => "\\set id random(1, 20000)\nUPDATE acc SET bal = bal + 1 WHERE id = :id;\n",
    hupd  => "\\set id random(1, 10000)\nUPDATE hot SET c = c + 1 WHERE id = :id;\n",
    hread => "\\set v random(1, 10000)\nSELECT id FROM hot WHERE c = :v;\n",
    cread => "\\set k random(0, 999)\nSELECT count(*) FROM cr WHERE k = :k;\n");

sub bench { $t->bench(@_) }
sub wait_updates { $t->wait_updates(@_) }

# one cycle: its steps, one line each
sub cycle
{
    return $t->cycle(q{
        SELECT COALESCE(string_agg(COALESCE(recommendation_id::text, '-') || ' ' || action || ' '
                                   || COALESCE(status, '-') || ': ' || detail, E'\n'), '')
          FROM idx_autopilot_run()});
}

sub last_snapshot
{
    return $node->safe_psql('postgres', 'SELECT max(id) FROM idx_autopilot_snapshots');
}

sub rec
{
    my ($id, $what) = @_;
    return $node->safe_psql('postgres', "SELECT $what FROM idx_recommendations WHERE id = $id");
}

# A before window: a cycle, the workloads, a cycle; returns the two
# snapshots
sub before_window
{
    my @benches = @_;
    cycle();
    my $from = last_snapshot();
    bench(@$_) for @benches;
    cycle();
    return ($from, last_snapshot());
}

# What the proposal stage leaves after queueing: the index applied
# (migration autopilot) and a 'building' recommendation whose statements
# are the targets measured in the window between two snapshots.
sub building
{
    my ($table, $definition, $index, $like, $from, $to) = @_;
    return $node->safe_psql('postgres', qq{
        WITH h AS (SELECT idx_apply('$definition', NULL, 'autopilot') AS id)
        INSERT INTO idx_recommendations
               (kind, definition, schema_name, table_name, table_oid, index_name,
                statements, est_gain, est_size, status, history_id, role_oid,
                before_from, before_to)
        SELECT 'create', '$definition', 'public', '$table', '$table'::regclass, '$index',
               (SELECT jsonb_agg(jsonb_build_object('userid', w.userid, 'queryid', w.queryid,
                                 'query', w.query, 'calls', w.calls, 'mean_ms', w.mean_ms,
                                 'stddev_ms', w.stddev_ms, 'total_ms', w.total_ms))
                  FROM idx_autopilot_window($from, $to) w WHERE w.query LIKE '$like'),
               0.9, 8192, 'building', h.id, current_user::regrole, $from, $to
          FROM h
        RETURNING id});
}

# The recommendation's build done, the next cycle makes it validating
sub validating
{
    my ($id, $what) = @_;
    $node->safe_psql('postgres', 'CALL idx_wait()');
    like(cycle(), qr/^$id validating validating: /m, "$what is validating");
}

# A cycle stuck behind a session that holds the recommendation's row:
# returns the holder, the stuck session and the stuck backend's pid
sub stuck_cycle
{
    my ($id) = @_;
    my $holder = $node->background_psql('postgres');
    $holder->query_safe('BEGIN');
    $holder->query_safe("SELECT 1 FROM idx_recommendations WHERE id = $id FOR UPDATE");
    my $stuck = $node->background_psql('postgres', on_error_stop => 0);
    $stuck->query_until(qr/started/, "\\echo started\nSELECT count(*) FROM idx_autopilot_run();\n");
    my $waiting = q{SELECT pid FROM pg_stat_activity
                     WHERE wait_event_type = 'Lock' AND query LIKE '%idx_autopilot_run()%'};
    ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($waiting) w"),
       "a cycle is stuck on the recommendation's lock");
    return ($holder, $stuck, $node->safe_psql('postgres', $waiting));
}

# ---------------------------------------------------------------------
# 1. A read-heavy index is kept, with its measured gain
# ---------------------------------------------------------------------
my ($s1, $s2) = before_window([ 'read', 100 ], [ 'upd', 100 ]);
my $keep = building('acc', 'CREATE INDEX acc_grp_idx ON acc (grp)', 'acc_grp_idx',
                    'SELECT count(*) FROM acc%', $s1, $s2);
is(rec($keep, 'jsonb_array_length(statements)'), '1', 'the lookup by grp is the target');
$node->safe_psql('postgres', 'CALL idx_wait()');

like(cycle(), qr/^$keep validating validating: acc_grp_idx is valid since .*: its statements are measured from this cycle on, until they have 20 calls or for at most 7 days$/m,
     'stage 1: once the index is valid, the recommendation is validating');
is(rec($keep, 'after_from = ' . last_snapshot() . ' AND index_oid = \'acc_grp_idx\'::regclass AND valid_at IS NOT NULL'),
   't', 'with the index, when it became valid and the first snapshot after it');
is(cycle(), '', 'no calls yet after it: the next cycle waits for autopilot_min_calls');
is(rec($keep, 'status'), 'validating', 'and the index is still validating');

bench('read', 100);
bench('upd', 100);
wait_updates('acc', 200);
my $out = cycle();
like($out, qr/^$keep kept kept: /m, 'stage 2: the index is kept');
like(rec($keep, 'reason'),
     qr/^SELECT count\(\*\) FROM acc WHERE grp = \$1 went [\d.]+ → [\d.]+ ms over 100 calls \(\d+ % faster, p (<|=) [\d.]+\); no statement of acc lost what it saved \(10 % slower, for 10 % of the time saved\); saved [\d.]+ ms over \d+ s \(under 1 h: no daily rate\)$/,
     'the reason gives the statement, its times before and after, its calls, and the time saved over the window measured');
is(rec($keep, q{(evidence->>'gain')::float8 >= 0.5
               AND evidence->'saved_ms_per_day' = 'null'
               AND (evidence->'before'->>'seconds')::float8 > 0
               AND (evidence->'after'->>'seconds')::float8 > 0
               AND evidence->'before'->>'from' IS NOT NULL AND evidence->'after'->>'to' IS NOT NULL}),
   't', 'the evidence: the gain, both windows, and no daily rate from a window under autopilot_min_window');
is(rec($keep, q{(SELECT string_agg(concat_ws(' ', e->>'query', e->>'target', e->>'calls_before', e->>'calls_after',
                                             e->>'p' IS NOT NULL, e->>'sd_before' IS NOT NULL,
                                             e->>'sd_after' IS NOT NULL), ' | ' ORDER BY e->>'query')
                  FROM jsonb_array_elements(evidence->'statements') e)}),
   'SELECT count(*) FROM acc WHERE grp = $1 true 100 100 t t t | UPDATE acc SET bal = bal + $1 WHERE id = $2 false 100 100 t t t',
   'every statement of the table, the writes too, with calls, means and deviations before and after, and p');
is(rec($keep, q{(SELECT (e->>'mean_after')::float8 < (e->>'mean_before')::float8 / 2
                   FROM jsonb_array_elements(evidence->'statements') e WHERE (e->>'target')::boolean)}),
   't', 'the target got faster');
is(rec($keep, q{(evidence->>'hot_before')::int >= 90 AND (evidence->>'hot_after')::int >= 90
               AND (evidence->>'updates_after')::int = 100}),
   't', 'and the HOT share of the table, unchanged by an index on a column no UPDATE changes');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_indexes WHERE indexname = 'acc_grp_idx'}),
   '1', 'the index stays');

# ---------------------------------------------------------------------
# 2. An index on a column every UPDATE changes, read by a rare query, is
#    reverted: the UPDATE got slower, no longer HOT
# ---------------------------------------------------------------------
my ($s3, $s4) = before_window([ 'hupd', 2000 ], [ 'hread', 30 ]);
my $revert = building('hot', 'CREATE INDEX hot_c_idx ON hot (c)', 'hot_c_idx',
                      'SELECT id FROM hot%', $s3, $s4);
validating($revert, 'the index on c');
bench('hupd', 2000);
bench('hread', 30);
wait_updates('hot', 4000);
$out = cycle();
like($out, qr/^$revert reverted reverted: /m, 'stage 2: the index on c is reverted')
  or diag(rec($revert, 'jsonb_pretty(evidence)'));
like(rec($revert, 'reason'),
     qr/^UPDATE hot SET c = c \+ \$1 WHERE id = \$2 went [\d.]+ → [\d.]+ ms over 2,000 calls \(p (<|=) [\d.]+; [\d.]+ ms added against [\d.]+ ms saved\): fewer HOT updates \(100 % → 0 %\); hot_c_idx rolled back \(idx_history row \d+\)$/,
     'the reason names the UPDATE, its times, its calls and the HOT share');
is(rec($revert, q{(evidence->>'hot_before')::int || ' ' || (evidence->>'hot_after')::int || ' '
                  || (evidence->>'updates_after')::int || ' ' || ((evidence->>'gain')::float8 > 0)}),
   '100 0 2000 true', 'the evidence: HOT 100 % before, 0 % over the 2,000 updates after (the rare query did get faster)');
my $rollback = rec($revert, q{evidence->>'rollback_id'});
$node->safe_psql('postgres', 'CALL idx_wait()');
is($node->safe_psql('postgres', "SELECT operation || ' ' || status FROM idx_history WHERE id = $rollback"),
   'drop done', 'the rollback ran through idx_history');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_indexes WHERE indexname = 'hot_c_idx'}),
   '0', 'and the index is gone');
is(cycle(), '', 'a decided recommendation takes no further step');

# ---------------------------------------------------------------------
# 3. A cycle killed (kill -9, stuck on a lock) loses that cycle and
#    nothing else; the next cycle picks up
# ---------------------------------------------------------------------
my ($s5, $s6) = before_window([ 'cread', 50 ]);
my $crash = building('cr', 'CREATE INDEX cr_k_idx ON cr (k)', 'cr_k_idx',
                     'SELECT count(*) FROM cr%', $s5, $s6);
validating($crash, 'the index on cr');
my $s7 = last_snapshot();
bench('cread', 50);

my ($holder, $stuck, $pid) = stuck_cycle($crash);
kill 'KILL', $pid;
ok($node->poll_query_until('postgres', 'SELECT true'), 'the server is back after the crash');
# their connections died with the crash
eval { $holder->quit };
eval { $stuck->quit };
is($node->safe_psql('postgres', "SELECT count(*) FROM idx_autopilot_snapshots WHERE id > $s7"),
   '0', 'the killed cycle left no snapshot');
is(rec($crash, 'status'), 'validating', 'and the recommendation as it was');
is($node->safe_psql('postgres', "SELECT count(*) FROM idx_autopilot_events WHERE recommendation_id = $crash AND action <> 'validating'"),
   '0', 'and no step of it on the record');
# the crash emptied pg_stat_statements: the statements are measured anew
bench('cread', 50);
$out = cycle();
like($out, qr/^- note -: .*(restarted|reset)/m, 'the next cycle says the counters began anew');
like($out, qr/^$crash kept kept: SELECT count\(\*\) FROM cr WHERE k = \$1 went [\d.]+ → [\d.]+ ms over 50 calls/m,
     'and decides on the calls measured since');

# ---------------------------------------------------------------------
# 4. A build's worker killed (kill -9): the build's row is reconciled as
#    failed, and the next cycle rejects the recommendation with its error
# ---------------------------------------------------------------------
my $writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe('INSERT INTO cr VALUES (0, 0, 0)');
my $s8 = last_snapshot();
my $killed = building('cr', 'CREATE INDEX cr_m_idx ON cr (m)', 'cr_m_idx',
                      'SELECT count(*) FROM cr%', $s6, $s8);
my $hid = rec($killed, 'history_id');
ok($node->poll_query_until('postgres',
    "SELECT phase LIKE 'waiting for writers%' FROM idx_progress WHERE id = $hid"),
   'the build waits behind an open write');
$pid = $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $hid");
kill 'KILL', $pid;
ok($node->poll_query_until('postgres', 'SELECT true'), 'the server is back after the crash');
eval { $writer->quit };
ok($node->poll_query_until('postgres',
    "SELECT status = 'failed' FROM idx_history WHERE id = $hid"),
   'the launcher marks the build failed');
like(cycle(), qr/^$killed rejected rejected: the build \(idx_history row $hid\) failed: .*\(SQLSTATE 57P02\)$/m,
     "the next cycle rejects the recommendation with the build's error");
ok($node->poll_query_until('postgres', 'SELECT count(*) = 0 FROM pg_index WHERE NOT indisvalid'),
   'and no INVALID index remains');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM idx_recommendations r JOIN idx_history h ON h.id = r.history_id
     WHERE r.status = 'building' AND h.status NOT IN ('queued', 'waiting', 'building')}),
   '0', 'no recommendation is left building for a build that ended');

# ---------------------------------------------------------------------
# 5. Statements that stop running: after autopilot_max_wait the index is
#    judged on what there is, and reverted (no gain shown)
# ---------------------------------------------------------------------
my ($s9, $s10) = before_window([ 'cread', 30 ]);
my $idle = building('cr', 'CREATE INDEX cr_k_m_idx ON cr (k, m)', 'cr_k_m_idx',
                    'SELECT count(*) FROM cr%', $s9, $s10);
validating($idle, 'an index whose statements then stop');
unlike(cycle(), qr/^$idle /m, 'without calls it waits: no step for it');
$node->safe_psql('postgres', "ALTER SYSTEM SET index_advisor.autopilot_max_wait = '1s'");
$node->reload;
ok($node->poll_query_until('postgres',
    "SELECT count(*) = 1 FROM idx_autopilot_run() WHERE recommendation_id = $idle AND action = 'reverted'"),
   'once autopilot_max_wait has passed, a cycle decides');
like(rec($idle, 'reason'),
     qr/^its statements ran 0 times in the \d+ s since it became valid \(autopilot_max_wait\): too few to show a gain; cr_k_m_idx rolled back \(idx_history row \d+\)$/,
     'reverted: too few calls to show a gain');

# ---------------------------------------------------------------------
# 6. An index dropped by someone else while it is measured: expired; a
#    cycle ended by pg_terminate_backend leaves the record as it was
# ---------------------------------------------------------------------
my $gone = building('cr', 'CREATE INDEX cr_m_idx ON cr (m)', 'cr_m_idx',
                    'SELECT count(*) FROM cr%', $s9, $s10);
validating($gone, 'the index on m');

($holder, $stuck, $pid) = stuck_cycle($gone);
is($node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)"), 't',
   'the stuck cycle is terminated');
$holder->quit;
eval { $stuck->quit };
my $s11 = last_snapshot();
is($node->safe_psql('postgres', qq{SELECT count(*) FROM idx_autopilot_events WHERE cycle > $s11}),
   '0', 'the terminated cycle left no step');

$node->safe_psql('postgres', 'DROP INDEX cr_m_idx');
like(cycle(), qr/^$gone expired expired: the index cr_m_idx was dropped outside the autopilot \(idx_history row \d+ is done\): nothing to measure$/m,
     'an index dropped by someone else: expired');

$node->stop;
done_testing();
