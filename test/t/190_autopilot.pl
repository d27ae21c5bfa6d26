# The autopilot's proposals and builds (issue 22; doc/autopilot.md,
# "Proposals and builds", "Recommend mode", "Report"), on a server with
# pg_stat_statements and index_advisor preloaded, workloads from pgbench
# scripts, cycles called by hand (idx_autopilot_run) as the policy's owner
# "ap", a member of index_advisor_admin and of pg_read_all_stats (to see
# other roles' statements in pg_stat_statements) with alice's privileges:
#
#  1. recommend: a cycle proposes the missing indexes of alice's tables and
#     builds nothing; the statements of bob (whose privileges ap does not
#     have) and those on bob's table (ap may not act for bob) are left out
#     and counted in a note, and nothing is proposed on bob's table, nor
#     for a statement with fewer than autopilot_min_calls calls;
#     alice's statement calls alice.tag(), an IMMUTABLE function that
#     advances the sequence folded_by_<current_user> when the planner
#     folds it: the cycle moved folded_by_alice, never folded_by_ap or
#     folded_by_postgres (planned as its author only);
#  2. a rejected recommendation is not proposed again (its workload did
#     not change); the errors of apply and reject (P0002, 55000, 42501);
#  3. idx_recommendation_apply(id) queues the build (idx_apply, migration
#     autopilot) and it is built;
#  4. apply: nothing beyond the budget (a note says so), and no more than
#     max_builds_per_day queued (the one approved by hand counts): the
#     others wait as proposed with a 'skipped' step;
#  5. the report: totals first, then one row per recommendation;
#  6. off: a cycle returns nothing and takes no snapshot; another admin's
#     cycle is refused (42501); proposals older than the window expire
#     and come back while they help; an index outside the policy's schemas
#     is left out, and a waiting proposal there expires;
#  7. the pg_cron job's command (idx_schedule): idx_check, then a cycle as
#     the owner; another role's job skips the cycle with a WARNING; a
#     failing cycle is a WARNING and idx_check's work stays.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('autopilot');
$node->init;
my $host = $node->host;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,index_advisor,pg_cron'
cron.database_name = 'postgres'
cron.host = '$host'
max_worker_processes = 16
index_advisor.autopilot_min_calls = 30
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION index_advisor;
    CREATE EXTENSION pg_cron;
    CREATE ROLE ap LOGIN IN ROLE index_advisor_admin, pg_read_all_stats;
    CREATE ROLE ap2 LOGIN IN ROLE index_advisor_admin;
    CREATE ROLE alice LOGIN;
    CREATE ROLE bob LOGIN;
    GRANT alice TO ap;
    -- bob has alice's privileges, not the other way round: alice's
    -- statements on bob's table are planned as alice, but ap may not act
    -- for bob
    GRANT alice TO bob;
    CREATE SCHEMA alice AUTHORIZATION alice;
    CREATE SCHEMA bob AUTHORIZATION bob;
    GRANT USAGE ON SCHEMA cron TO ap, ap2;
    -- who folded alice.tag(): one sequence per role, moved outside any
    -- transaction the advisor rolls back
    CREATE SEQUENCE public.folded_by_alice;
    CREATE SEQUENCE public.folded_by_ap;
    CREATE SEQUENCE public.folded_by_postgres;
    CREATE SEQUENCE public.folded_by_bob;
    GRANT USAGE, SELECT ON SEQUENCE public.folded_by_alice, public.folded_by_ap,
          public.folded_by_postgres, public.folded_by_bob TO PUBLIC;
    -- so that the window holds only the test's statements: ap resets
    GRANT EXECUTE ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) TO ap;
});
$node->safe_psql('postgres', q{
    CREATE FUNCTION alice.tag() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM nextval(format('public.%I', 'folded_by_' || current_user));
        RETURN 0;
    END $$;
    CREATE TABLE alice.orders (id int PRIMARY KEY, customer int NOT NULL, note text);
    INSERT INTO alice.orders SELECT g, g % 5000, md5(g::text) FROM generate_series(1, 200000) g;
    CREATE TABLE alice.items (id int PRIMARY KEY, sku int NOT NULL, qty int);
    INSERT INTO alice.items SELECT g, g % 3000, g % 7 FROM generate_series(1, 200000) g;
    CREATE TABLE alice.t1 (id int PRIMARY KEY, x int NOT NULL, pad text);
    INSERT INTO alice.t1 SELECT g, g % 4000, md5(g::text) FROM generate_series(1, 150000) g;
    CREATE TABLE alice.t2 (LIKE alice.t1 INCLUDING ALL);
    INSERT INTO alice.t2 SELECT * FROM alice.t1;
    CREATE TABLE alice.t3 (LIKE alice.t1 INCLUDING ALL);
    INSERT INTO alice.t3 SELECT * FROM alice.t1;
    VACUUM ANALYZE alice.orders; VACUUM ANALYZE alice.items;
    VACUUM ANALYZE alice.t1; VACUUM ANALYZE alice.t2; VACUUM ANALYZE alice.t3;
}, extra_params => ['-U', 'alice']);
$node->safe_psql('postgres', q{
    CREATE TABLE bob.secret (id int PRIMARY KEY, k int NOT NULL);
    INSERT INTO bob.secret SELECT g, g % 4000 FROM generate_series(1, 200000) g;
    VACUUM ANALYZE bob.secret;
    GRANT USAGE ON SCHEMA bob TO alice;
    GRANT SELECT ON bob.secret TO alice;
}, extra_params => ['-U', 'bob']);

my $dir = PostgreSQL::Test::Utils::tempdir;
my %script = (
    orders => "\\set c random(1, 5000)\nSELECT * FROM alice.orders WHERE customer = :c;\n",
    items  => "\\set s random(1, 3000)\nSELECT sum(qty) FROM alice.items WHERE sku = :s + alice.tag();\n",
    secret => "\\set k random(1, 4000)\nSELECT * FROM bob.secret WHERE k = :k;\n",
    rare   => "\\set c random(1, 5000)\nSELECT id FROM alice.orders WHERE note = md5(:c::text);\n",
    t1     => "\\set x random(1, 4000)\nSELECT pad FROM alice.t1 WHERE x = :x;\n",
    t2     => "\\set x random(1, 4000)\nSELECT pad FROM alice.t2 WHERE x = :x;\n",
    t3     => "\\set x random(1, 4000)\nSELECT pad FROM alice.t3 WHERE x = :x;\n",
);
for my $k (keys %script)
{
    open(my $fh, '>', "$dir/$k.sql") or die;
    print $fh $script{$k};
    close $fh;
}

# pgbench -n -f script -t n as a role
sub workload
{
    my ($role, $n, @names) = @_;
    for my $name (@names)
    {
        $node->command_ok([ 'pgbench', '-n', '-t', $n, '-f', "$dir/$name.sql",
                            '-h', $host, '-p', $node->port, '-U', $role, 'postgres' ],
                          "pgbench $name as $role");
    }
}

sub as_ap
{
    my ($sql, $role) = @_;
    return $node->safe_psql('postgres', "SET client_min_messages = warning;\n$sql",
                            extra_params => ['-U', $role // 'ap']);
}

sub try_as
{
    my ($role, $sql) = @_;
    my ($ret, $out, $err) = $node->psql('postgres', $sql, extra_params => ['-U', $role]);
    return $err;
}

# a cycle: its steps as "action|target|status|detail" lines
sub cycle
{
    return as_ap(q{SELECT action || '|' || COALESCE(target, '') || '|' || COALESCE(status, '') || '|' || detail
                     FROM idx_autopilot_run()});
}

# read as ap: its own statements, not another role's in the window
sub seq { return as_ap("SELECT last_value FROM public.$_[0]"); }

# ---------------------------------------------------------------------
# 1. recommend
# ---------------------------------------------------------------------
as_ap(q{SELECT mode FROM idx_autopilot_set('recommend')});
is(cycle(), '', 'the first cycle has no window: no step');
as_ap('SELECT pg_stat_statements_reset()');
workload('alice', 40, 'orders', 'items', 'secret');
workload('bob', 30, 'secret');
workload('alice', 5, 'rare');      # a statement run a few times, say by hand

my %before = map { $_ => seq("folded_by_$_") } qw(alice ap postgres bob);
my $steps = cycle();
like($steps, qr/^proposed\|alice\.orders_customer_idx\|proposed\|For 1 statement taking [\d.]+% of the window's time .*an estimated \d+% of their time saved/m,
     'recommend: the index of the orders statement is proposed') or diag($steps);
like($steps, qr/^proposed\|alice\.items_sku\w*\|proposed\|/m,
     'recommend: the index of the items statement is proposed');
like($steps, qr/^note\|\|\|Left out: \d+ statements with fewer than autopilot_min_calls \(30\) calls in the window; 1 statement of roles whose privileges ap does not have \(not planned\); 1 statement on tables ap may not act for \(bob\.secret; not planned\)/m,
     'bob\'s statement and the statement on bob\'s table are left out and counted, as are statements with few calls');
is(as_ap(q{SELECT count(*) FROM idx_recommendations WHERE definition LIKE '%(note)%'}), '0',
   'nothing proposed for a statement run 5 times (autopilot_min_calls 30)');
unlike($steps, qr/^queued/m, 'recommend: nothing queued');
is(as_ap(q{SELECT count(*) FROM idx_recommendations WHERE table_name = 'secret'}), '0',
   'nothing proposed on a table ap may not act for');
is(as_ap(q{SELECT count(*) FROM idx_history}), '0', 'recommend builds nothing');
is(as_ap(q{SELECT string_agg(status, ',') FROM idx_recommendations}), 'proposed,proposed',
   'two recommendations recorded, proposed');
is(as_ap(q{SELECT count(*) FROM idx_recommendations
            WHERE role_oid = 'ap'::regrole AND before_from < before_to
              AND jsonb_array_length(statements) = 1
              AND (statements -> 0 ->> 'calls')::int = 40
              AND (statements -> 0 ->> 'userid')::oid = 'alice'::regrole
              AND est_gain >= 0.2 AND est_size > 0 AND workload_key IS NOT NULL}), '2',
   'each records its statement as measured (40 calls by alice), its window, estimated gain and size');
ok(seq('folded_by_alice') > $before{alice}, 'the cycle folded alice.tag() as alice, the statement\'s author');
is(seq('folded_by_ap'), $before{ap}, 'never as ap, the policy\'s owner');
is(seq('folded_by_postgres'), $before{postgres}, 'never as the superuser');
is(seq('folded_by_bob'), $before{bob}, 'never as bob');

# ---------------------------------------------------------------------
# 2. reject, and the errors
# ---------------------------------------------------------------------
my $orders = as_ap(q{SELECT id FROM idx_recommendations WHERE table_name = 'orders'});
my $items = as_ap(q{SELECT id FROM idx_recommendations WHERE table_name = 'items'});
is(as_ap(qq{SELECT status || ': ' || reason FROM idx_recommendation_reject($orders, 'orders are read by the nightly batch only')}),
   'rejected: Rejected by ap: orders are read by the nightly batch only', 'rejected, with the reason');
like(try_as('ap', qq{SELECT idx_recommendation_reject($orders, 'again')}),
     qr/ERROR:  recommendation $orders is rejected, not proposed/, 'a rejected one cannot be rejected again');
like(try_as('ap', qq{\\set VERBOSITY verbose\nSELECT idx_recommendation_apply($orders)}),
     qr/ERROR:  55000: recommendation $orders is rejected, not proposed/, 'nor applied (55000)');
like(try_as('ap', q{\set VERBOSITY verbose
SELECT idx_recommendation_apply(424242)}),
     qr/ERROR:  P0002: recommendation 424242 does not exist/, 'an unknown id: P0002');
like(try_as('alice', qq{\\set VERBOSITY verbose\nSELECT idx_recommendation_apply($items)}),
     qr/ERROR:  42501: permission denied for function idx_recommendation_apply/, 'a role outside index_advisor_admin may not approve');

workload('alice', 40, 'orders', 'items');
$steps = cycle();
unlike($steps, qr/^proposed/m, 'the next cycle proposes neither again') or diag($steps);
like($steps, qr/CREATE INDEX orders_customer_idx ON alice\.orders \(customer\): rejected as recommendation $orders, and its workload has not changed/,
     'the note says the rejected one stays out, and why');
is(as_ap(q{SELECT count(*) FROM idx_recommendations}), '2', 'no new recommendation');

# ---------------------------------------------------------------------
# 3. apply by id
# ---------------------------------------------------------------------
is(as_ap(qq{SELECT status || ' ' || (history_id IS NOT NULL) FROM idx_recommendation_apply($items)}),
   'building true', 'approved: queued, with its history row');
is(as_ap(qq{SELECT h.migration || ' ' || h.requested_by FROM idx_history h
             JOIN idx_recommendations r ON r.history_id = h.id WHERE r.id = $items}),
   'autopilot ap', 'through idx_apply, migration autopilot, as the approving admin');
as_ap('CALL idx_wait()');
is(as_ap(qq{SELECT h.status FROM idx_history h JOIN idx_recommendations r ON r.history_id = h.id WHERE r.id = $items}),
   'done', 'and built');
like(as_ap(qq{SELECT detail FROM idx_autopilot_events WHERE recommendation_id = $items AND action = 'queued'}),
     qr/^Queued as idx_history row \d+ \(migration autopilot\), approved by ap;/, 'the record says who approved it');

# ---------------------------------------------------------------------
# 4. apply: budget and max_builds_per_day
# ---------------------------------------------------------------------
as_ap(q{SELECT mode FROM idx_autopilot_set('apply', budget => 1, max_builds_per_day => 2)});
workload('alice', 40, 't1', 't2', 't3');
$steps = cycle();
like($steps, qr/^note\|\|\|No proposals this cycle: the autopilot's indexes take .* of its budget of 1 bytes\.$/m,
     'budget spent: no proposal, and a note says so') or diag($steps);
unlike($steps, qr/^(?:proposed|queued)/m, 'nothing proposed or queued beyond the budget');

as_ap(q{SELECT mode FROM idx_autopilot_set('apply', max_builds_per_day => 2)});
workload('alice', 40, 't1', 't2', 't3');
$steps = cycle();
my @proposed = ($steps =~ /^proposed\|alice\.(t\d)_x\w*\|/mg);
is(scalar(@proposed), 3, 'apply: the three indexes of t1, t2, t3 are proposed') or diag($steps);
my @queued = ($steps =~ /^queued\|/mg);
is(scalar(@queued), 1, 'one queued: with the approved one, 2 today (max_builds_per_day 2)');
my @held = ($steps =~ /^skipped\|[^|]*\|proposed\|Not queued yet: 2 builds were queued in the last 24 hours \(max_builds_per_day 2\)/mg);
is(scalar(@held), 2, 'the two others wait as proposed, with the reason');
is(as_ap(q{SELECT count(*) FROM idx_history WHERE migration = 'autopilot'}), '2',
   'two builds in all through idx_apply');
as_ap('CALL idx_wait()');
$steps = cycle();
unlike($steps, qr/^queued/m, 'the next cycle still queues nothing: the day\'s builds are used');
is(as_ap(q{SELECT count(*) FROM idx_recommendations WHERE table_name IN ('t1', 't2', 't3')}), '3',
   'and proposes none of them again');

# the day's limit lifted, a budget lowered below what the autopilot's
# indexes take with the waiting ones: they stay waiting
my $used = as_ap(q{SELECT idx_autopilot_budget_used()});
as_ap(sprintf(q{SELECT mode FROM idx_autopilot_set('apply', budget => %d, max_builds_per_day => 10)}, $used - 1));
$steps = cycle();
unlike($steps, qr/^queued/m, 'apply: nothing queued beyond the budget') or diag($steps);
like($steps, qr/^skipped\|[^|]*\|proposed\|Not queued yet: the autopilot's indexes would take .*, more than its budget of /m,
     'the waiting ones say why');

# ---------------------------------------------------------------------
# 5. the report
# ---------------------------------------------------------------------
my $report = as_ap(q{SELECT COALESCE(recommendation_id::text, 'totals') || '|' || COALESCE(status, '') || '|' || what || '|' || COALESCE(measured, '') || '|' || COALESCE(bytes::text, '') FROM idx_autopilot_report()});
my @lines = split /\n/, $report;
like($lines[0], qr/^totals\|\|0 indexes kept: 0 min\/day saved, 0 bytes; 0 reverted; 0 hidden, 0 dropped; 2 proposed, 2 building or validating, 1 rejected\|/,
     'the report opens with the totals') or diag($report);
like($report, qr/^$items\|building\|CREATE INDEX items_sku\w* ON alice\.items .*\|before: SELECT sum\(qty\) FROM alice\.items WHERE sku = \$1 \+ alice\.tag[^|]*: [\d.]+ ms over 40 calls; not measured after yet\|\d+$/m,
     'then one row per recommendation: what, measured before, bytes');
is(scalar(@lines), 6, 'one row per recommendation after the totals');

# ---------------------------------------------------------------------
# 6. off, and another admin
# ---------------------------------------------------------------------
as_ap(q{SELECT mode FROM idx_autopilot_set('recommend')});
like(try_as('ap2', q{\set VERBOSITY verbose
SELECT * FROM idx_autopilot_run()}),
     qr/ERROR:  42501: only the autopilot policy's owner "ap" may run a cycle/, 'another admin may not run a cycle (42501)');
as_ap(q{SELECT mode FROM idx_autopilot_set('off')});
my $snapshots = as_ap(q{SELECT count(*) FROM idx_autopilot_snapshots});
my $events = as_ap(q{SELECT count(*) FROM idx_autopilot_events});
workload('alice', 20, 't1');
is(cycle(), '', 'off: a cycle returns nothing');
is(as_ap(q{SELECT count(*) FROM idx_autopilot_snapshots}) . ' ' . as_ap(q{SELECT count(*) FROM idx_autopilot_events}),
   "$snapshots $events", 'off: no snapshot, no step');

# proposals older than the window expire (t2's and t3's, held back above)
as_ap(q{SELECT mode FROM idx_autopilot_set('recommend')});
$node->safe_psql('postgres', q{ALTER ROLE ap SET index_advisor.autopilot_window = '1s'});
ok($node->poll_query_until('postgres', q{
    SELECT bool_and(decided_at < now() - interval '2 seconds')
      FROM idx_recommendations WHERE status = 'proposed'}),
   'the waiting proposals are older than a window of 1 s');
$steps = cycle();
my @expired = ($steps =~ /^expired\|alice\.t\d_x\w*\|expired\|Proposed more than autopilot_window \(00:00:01\) ago and neither built nor decided on/mg);
is(scalar(@expired), 2, 'stale proposals expire, with the reason') or diag($steps);
$node->safe_psql('postgres', q{ALTER ROLE ap RESET index_advisor.autopilot_window});

# expired is not live: the next cycle proposes them again, still helpful
$steps = cycle();
my @again = ($steps =~ /^proposed\|alice\.t\d_x\w*\|proposed\|/mg);
is(scalar(@again), 2, 'expired proposals come back while they still help') or diag($steps);

# schemas: an index of a table outside them is left out, and said so
as_ap(q{SELECT mode FROM idx_autopilot_set('recommend', schemas => ARRAY['public'])});
$steps = cycle();
like($steps, qr/CREATE INDEX orders_customer_idx ON alice\.orders \(customer\): its schema is not in the policy's schemas/,
     'schemas: an index outside them is left out, with the reason') or diag($steps);
unlike($steps, qr/^proposed/m, 'and nothing is proposed');
my @gone = ($steps =~ /^expired\|alice\.t\d_x\w*\|expired\|Its schema is no longer in the policy's schemas\.$/mg);
is(scalar(@gone), 2, 'the waiting proposals outside the new schemas expire');


# ---------------------------------------------------------------------
# 7. the pg_cron job (never waited for: its command is run by hand)
# ---------------------------------------------------------------------
$snapshots = as_ap(q{SELECT count(*) FROM idx_autopilot_snapshots});
my $job = as_ap(q{SELECT idx_schedule('0 0 1 1 *')});
my $command = $node->safe_psql('postgres', "SELECT command FROM cron.job WHERE jobid = $job");
is($command, 'SELECT public.idx_check_and_cycle()', 'the job runs idx_check_and_cycle()');
my $checks = as_ap(q{SELECT count(*) FROM idx_snapshots});
my ($ret, $out, $err) = $node->psql('postgres', $command, extra_params => ['-U', 'ap']);
is($ret, 0, 'the job\'s command succeeds as the owner');
is(as_ap(q{SELECT count(*) FROM idx_autopilot_snapshots}), $snapshots + 1, 'it ran a cycle');
ok(as_ap(q{SELECT count(*) FROM idx_snapshots}) > $checks, 'after idx_check');

($ret, $out, $err) = $node->psql('postgres', $command, extra_params => ['-U', 'ap2']);
is($ret, 0, 'as another admin the job still succeeds');
like($err, qr/WARNING:  autopilot cycle skipped: this job runs as "ap2", the autopilot policy's owner is "ap"/,
     'and skips the cycle with a WARNING that says whose it is');
is(as_ap(q{SELECT count(*) FROM idx_autopilot_snapshots}), $snapshots + 1, 'no cycle ran');

# a cycle that fails (pg_stat_statements gone) does not undo idx_check
$node->safe_psql('postgres', 'DROP EXTENSION pg_stat_statements');
$checks = as_ap(q{SELECT count(*) FROM idx_snapshots});
($ret, $out, $err) = $node->psql('postgres', $command, extra_params => ['-U', 'ap']);
is($ret, 0, 'a failing cycle: the job still succeeds');
like($err, qr/WARNING:  autopilot cycle failed: extension "pg_stat_statements" is not installed in this database/,
     'the failure is a WARNING with the cycle\'s error');
ok(as_ap(q{SELECT count(*) FROM idx_snapshots}) > $checks, 'idx_check\'s work is kept');
is(as_ap('SELECT idx_unschedule()'), 't', 'unscheduled');

# through every cycle, approval, build and idx_check of this test
is(seq('folded_by_ap') . ' ' . seq('folded_by_postgres'), "$before{ap} $before{postgres}",
   'alice.tag() was never folded as ap or as the superuser');

done_testing();
