# Hidden indexes (issue 21, doc/hidden.md), on a server with index_advisor
# in shared_preload_libraries and a streaming standby:
#  1. a hidden index is not used by a session that was connected before and
#     had the plan prepared (a prepared statement, a plpgsql function's
#     cached plan), nor by a new session, nor on the standby (a new session,
#     and one connected before with the statement prepared);
#  2. it is maintained (rows inserted while hidden are found through it
#     after unhide; amcheck's bt_index_check passes) and a hidden unique
#     index still rejects duplicates and still arbitrates ON CONFLICT (with a
#     warning at the hide);
#  3. index_advisor.use_hidden_indexes shows it to one session only;
#  4. idx_rollback of a hide unhides; the history rows say so;
#  5. bad input: not an index, another owner's, a partitioned index, on a
#     standby; the list's owner rules (admin may);
#  6. DROP INDEX of a hidden index leaves no entry;
#  6b. idx_apply(..., visible => false): hidden while it is built and
#     after, on the standby too, its hide row recorded when done, none if
#     the build fails; idx_explain measures with and without it; idx_whatif
#     does not see it; idx_report and idx_check say "hidden since", with
#     pg_stat_statements' calls and mean time before and since, counted
#     alike with standard_conforming_strings = off;
#  7. pg_dump / pg_restore into another database keeps the hidden state;
#  8. without preload, idx_hide refuses with 55000 and names the setting.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hidden');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'index_advisor,pg_stat_statements'\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION amcheck;
    CREATE ROLE alice LOGIN;
    CREATE ROLE bob LOGIN;
    CREATE ROLE carol LOGIN;
    GRANT index_advisor_admin TO carol;
    GRANT CREATE ON SCHEMA public TO alice;
    CREATE TABLE t (id integer PRIMARY KEY, a integer, code text);
    INSERT INTO t SELECT g, g % 5000, 'c' || g FROM generate_series(1, 100000) g;
    CREATE INDEX t_a_idx ON t (a);
    CREATE UNIQUE INDEX t_code_key ON t (code);
    CREATE INDEX t_id_a_idx ON t (id, a);
    ALTER TABLE t OWNER TO alice;
    GRANT SELECT, INSERT ON t TO bob;
    CREATE TABLE pt (a integer) PARTITION BY RANGE (a);
    CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (100);
    CREATE INDEX pt_a_idx ON pt (a);
    VACUUM ANALYZE t;
});
$node->backup('b1');
my $standby = PostgreSQL::Test::Cluster->new('hidden_standby');
$standby->init_from_backup($node, 'b1', has_streaming => 1);
$standby->start;

# psql with the SQLSTATE in its messages
sub psql_err
{
    my ($n, $sql, @opts) = @_;
    my ($ret, $out, $err) = $n->psql('postgres', "\\set VERBOSITY verbose\n$sql", @opts);
    return ($ret, $out, $err);
}

my $query = 'SELECT * FROM t WHERE a = 5';
sub plan_of
{
    my ($n, $sql) = @_;
    return $n->safe_psql('postgres', "EXPLAIN (COSTS OFF) $sql");
}

# 1. sessions and the standby
$node->safe_psql('postgres', q{CREATE FUNCTION count_a(k integer) RETURNS bigint LANGUAGE plpgsql
    AS $$BEGIN RETURN (SELECT count(*) FROM t WHERE a = k); END$$});
$node->wait_for_catchup('hidden_standby');
# scans of t_a_idx, as the statistics say once this backend's are flushed
sub a_scans
{
    my ($session) = @_;
    $session->query_safe('SELECT pg_stat_force_next_flush()');
    return $node->safe_psql('postgres', q{SELECT pg_stat_get_numscans('t_a_idx'::regclass)});
}
my $s = $node->background_psql('postgres');
$s->query_safe("PREPARE p AS $query");
like($s->query_safe('EXPLAIN (COSTS OFF) EXECUTE p'), qr/t_a_idx/,
     'before the hide, the prepared statement uses the index');
$s->query_safe('SELECT count_a(5)') for 1 .. 7;    # plpgsql's plan, generic after 5
my $before = a_scans($s);
$s->query_safe('SELECT count_a(6)');
cmp_ok(a_scans($s), '>', $before, 'and so does the plan a plpgsql function cached');
my $ss = $standby->background_psql('postgres');
$ss->query_safe("PREPARE p AS $query");
like($ss->query_safe('EXPLAIN (COSTS OFF) EXECUTE p'), qr/t_a_idx/,
     'and a session of the standby, with the statement prepared');

my ($ret, $out, $err) = psql_err($node, "SET ROLE alice; SELECT idx_hide('t_a_idx')");
is($ret, 0, 'the table owner hides the index') or diag($err);
unlike($s->query_safe('EXPLAIN (COSTS OFF) EXECUTE p'), qr/t_a_idx/,
       'a session connected before, with the plan prepared, no longer uses it');
unlike($s->query_safe("EXPLAIN (COSTS OFF) $query"), qr/t_a_idx/,
       'nor when it plans the query anew');
$before = a_scans($s);
$s->query_safe('SELECT count_a(7)');
is(a_scans($s), $before, 'nor the plpgsql function whose plan was cached before the hide');
unlike(plan_of($node, $query), qr/t_a_idx/, 'a new session does not use it');
like(plan_of($node, 'SELECT * FROM t WHERE id = 7 AND a = 7'), qr/t_pkey|t_id_a_idx/,
     'the other indexes of the table are still used');
$node->wait_for_catchup('hidden_standby');
unlike(plan_of($standby, $query), qr/t_a_idx/, 'the standby does not use it');
unlike($ss->query_safe('EXPLAIN (COSTS OFF) EXECUTE p'), qr/t_a_idx/,
       'nor the standby session connected before, with its statement prepared');
$ss->quit;
is($node->safe_psql('postgres',
    q{SELECT index_name, table_name, hidden_by, history_id IS NOT NULL FROM idx_hidden}),
   't_a_idx|t|alice|t', 'idx_hidden lists it, with its table, who hid it and the history row');

# 2. maintained, constraints still enforced
$node->safe_psql('postgres', 'INSERT INTO t SELECT g, 777777, NULL FROM generate_series(100001, 100050) g');
is($node->safe_psql('postgres', q{SELECT bt_index_check('t_a_idx', true)}), '',
   'bt_index_check (heapallindexed) passes on the hidden index');
($ret, $out, $err) = psql_err($node, "SET ROLE alice; SELECT idx_hide('t_code_key')");
is($ret, 0, 'a unique index can be hidden') or diag($err);
like($err, qr/WARNING:  01000: index "t_code_key" still enforces its constraint while hidden/,
     'with a warning that it still enforces its constraint');
like($err, qr/ON CONFLICT still uses it as its arbiter/, 'and arbitrates ON CONFLICT');
unlike(plan_of($node, q{SELECT * FROM t WHERE code = 'c5'}), qr/t_code_key/,
       'the hidden unique index is not planned');
($ret, $out, $err) = psql_err($node, q{INSERT INTO t VALUES (200001, 1, 'c5')});
like($err, qr/23505/, 'a duplicate is still rejected by the hidden unique index');
is($node->safe_psql('postgres',
    q{INSERT INTO t VALUES (200001, 1, 'c5') ON CONFLICT (code) DO NOTHING RETURNING id}), '',
   'ON CONFLICT (code) still finds its arbiter in the hidden index (PostgreSQL reads the index list, not the planner\'s)');

# 3. use_hidden_indexes: one session only
$s->query_safe('SET index_advisor.use_hidden_indexes = on');
like($s->query_safe('EXPLAIN (COSTS OFF) EXECUTE p'), qr/t_a_idx/,
     'use_hidden_indexes = on: this session\'s prepared statement uses the hidden index');
unlike(plan_of($node, $query), qr/t_a_idx/, 'another session still does not');
$s->query_safe('RESET index_advisor.use_hidden_indexes');
unlike($s->query_safe('EXPLAIN (COSTS OFF) EXECUTE p'), qr/t_a_idx/,
       'after RESET, not even the plan cached while it was on');

# 4. idx_rollback of a hide unhides
my $hide_id = $node->safe_psql('postgres', q{SELECT history_id FROM idx_hidden WHERE index_name = 't_a_idx'::regclass});
my $unhide_id = $node->safe_psql('postgres', "SET ROLE alice; SELECT idx_rollback($hide_id)");
like(plan_of($node, 'SELECT * FROM t WHERE a = 777777'), qr/t_a_idx/,
     'after idx_rollback of the hide, the index is planned again');
like($s->query_safe('EXPLAIN (COSTS OFF) EXECUTE p'), qr/t_a_idx/,
     'also by the session that had prepared the statement');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SET enable_bitmapscan = off;
    SELECT count(*) FROM t WHERE a = 777777}), '50',
   'rows inserted while it was hidden are found through it');
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $hide_id"),
   'rolled_back', 'the hide row is rolled_back');
is($node->safe_psql('postgres', "SELECT operation || ' ' || status || ' ' || reverts FROM idx_history WHERE id = $unhide_id"),
   "unhide done $hide_id", 'the unhide row reverts it');
($ret, $out, $err) = psql_err($node, "SELECT idx_rollback($hide_id)");
like($err, qr/55000: history row $hide_id cannot be rolled back/, 'a second rollback is refused');
is($node->safe_psql('postgres',
    q{SELECT count(*) FROM idx_history WHERE operation IN ('hide', 'unhide') AND status <> ALL ('{done,rolled_back}')}),
   '0', 'no hide or unhide row is ever queued for a worker');
$node->safe_psql('postgres', 'SELECT idx_kick()');
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $unhide_id"), 'done',
   'idx_kick (the workers\' reconciliation) leaves them alone');

# idx_prune keeps a hide in effect (idx_rollback needs it), not an ended one
my $code_hide = $node->safe_psql('postgres', q{SELECT history_id FROM idx_hidden WHERE index_name = 't_code_key'::regclass});
$node->safe_psql('postgres', q{SELECT idx_prune('0 seconds')});
is($node->safe_psql('postgres', "SELECT count(*) FROM idx_history WHERE id IN ($code_hide, $hide_id, $unhide_id)"), '1',
   'idx_prune deletes an unhidden hide and its unhide, and keeps the hide in effect');

# 5. bad input
($ret, $out, $err) = psql_err($node, "SELECT idx_hide('t')");
like($err, qr/42809: "t" is not an index/, 'a table is not an index (42809)');
($ret, $out, $err) = psql_err($node, "SET ROLE bob; SELECT idx_hide('t_a_idx')");
like($err, qr/42501: permission denied to hide index "t_a_idx"/, 'another role may not hide it (42501)');
($ret, $out, $err) = psql_err($node, "SET ROLE bob; SELECT idx_unhide('t_code_key')");
like($err, qr/42501: permission denied to unhide index "t_code_key"/, 'nor unhide it');
($ret, $out, $err) = psql_err($node, "SET ROLE bob; SELECT idx_rollback(" .
    $node->safe_psql('postgres', q{SELECT history_id FROM idx_hidden WHERE index_name = 't_code_key'::regclass}) . ")");
like($err, qr/42501|42704/, 'nor roll back alice\'s hide');
($ret, $out, $err) = psql_err($node, "SELECT idx_hide('pt_a_idx')");
like($err, qr/0A000: cannot hide partitioned index "pt_a_idx"/, 'a partitioned index is refused (0A000)');
like($err, qr/Hide or unhide the index of each partition/, 'with a hint');
($ret, $out, $err) = psql_err($node, "SELECT idx_hide('t_code_key')");
like($err, qr/55000: index "t_code_key" is already hidden/, 'hiding twice is refused (55000)');
($ret, $out, $err) = psql_err($node, "SELECT idx_unhide('t_a_idx')");
like($err, qr/55000: index "t_a_idx" is not hidden/, 'unhiding a visible index is refused (55000)');
($ret, $out, $err) = psql_err($node, "SELECT idx_hide('pg_class_oid_index')");
like($err, qr/0A000: cannot hide index "pg_class_oid_index" of a system catalog/, 'a catalog index is refused');
$node->wait_for_catchup('hidden_standby');
($ret, $out, $err) = psql_err($standby, "SELECT idx_hide('t_a_idx')");
like($err, qr/25006/, 'on the standby, idx_hide fails with 25006');
($ret, $out, $err) = psql_err($node, "SET ROLE carol; SELECT idx_hide('t_a_idx'); SELECT idx_unhide('t_a_idx')");
is($ret, 0, 'a member of index_advisor_admin may hide and unhide another owner\'s index') or diag($err);
($ret, $out, $err) = psql_err($node, "SET ROLE bob; INSERT INTO idx_hidden_indexes SELECT * FROM idx_hidden_indexes");
like($err, qr/42501/, 'nobody writes the list directly');
($ret, $out, $err) = psql_err($node, "SET ROLE bob; SELECT idx_hidden_record('hide', 't_a_idx'::regclass, NULL, 'bob'::regrole, 'bob'::regrole)");
like($err, qr/42501/, 'nor calls the internal writer');

# 6. DROP INDEX leaves no entry
$node->safe_psql('postgres', q{CREATE INDEX t_a2_idx ON t (a, id);
    SELECT idx_hide('t_a2_idx'); DROP INDEX t_a2_idx});
is($node->safe_psql('postgres', q{SELECT count(*) FROM idx_hidden_indexes WHERE index_name = 't_a2_idx'}), '0',
   'DROP INDEX of a hidden index leaves no entry in the list');
$node->safe_psql('postgres', q{CREATE TABLE gone (a integer); CREATE INDEX gone_a_idx ON gone (a);
    SELECT idx_hide('gone_a_idx'); DROP TABLE gone});
is($node->safe_psql('postgres', q{SELECT count(*) FROM idx_hidden_indexes}), '1',
   'nor DROP TABLE of its table (only t_code_key is left)');

is($node->safe_psql('postgres', q{SELECT status FROM idx_history WHERE operation = 'hide' AND index_name = 'gone_a_idx'}),
   'rolled_back', 'the hide row of a dropped index is rolled_back (no longer in effect)');

# 6b. idx_apply(..., visible => false): hidden from birth, hide recorded once
# built; idx_explain still plans and measures with it; idx_whatif does not
# see it
$node->safe_psql('postgres', q{CREATE TABLE v (id integer, k integer);
    INSERT INTO v SELECT g, g % 2000 FROM generate_series(1, 50000) g; ANALYZE v;
    ALTER TABLE v OWNER TO alice});
my $vid = $node->safe_psql('postgres', q{SET ROLE alice;
    SELECT idx_apply('CREATE INDEX v_k_idx ON v (k)', ARRAY['SELECT * FROM v WHERE k = 3'],
                     migration => 'm_hidden', visible => false)});
# a plain session polls its plan while the build runs: never the index
my ($seen, $polls, $status) = (0, 0, '');
for my $i (1 .. 600)
{
    $seen++ if plan_of($node, 'SELECT * FROM v WHERE k = 3') =~ /v_k_idx/;
    $polls++;
    $status = $node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $vid");
    last if $status =~ /^(done|failed|cancelled)$/;
    select(undef, undef, undef, 0.05);
}
is($status, 'done', 'the hidden build is done');
is($seen, 0, "no planning saw the index while it was built ($polls polls)");
unlike(plan_of($node, 'SELECT * FROM v WHERE k = 3'), qr/v_k_idx/, 'nor after');
$node->wait_for_catchup('hidden_standby');
unlike(plan_of($standby, 'SELECT * FROM v WHERE k = 3'), qr/v_k_idx/, 'nor on the standby');
is($node->safe_psql('postgres', q{SELECT h.operation || ' ' || h.status || ' ' || h.migration || ' ' || h.role_oid
    FROM idx_hidden x JOIN idx_history h ON h.id = x.history_id WHERE x.index_name = 'v_k_idx'::regclass}),
   'hide done m_hidden alice', 'its hide row is recorded once built, in the migration, as the requester');
is($node->safe_psql('postgres', "SELECT uses_index, time_ms > 0, time_without_index_ms > 0
    FROM idx_explain($vid, \"analyze\" => true)"), 't|t|t',
   'idx_explain(id, analyze => true) plans and measures with the hidden index and without');
unlike($node->safe_psql('postgres', q{SELECT plan FROM idx_whatif(ARRAY['CREATE INDEX ON v (id)'],
    ARRAY['SELECT * FROM v WHERE k = 3'])}), qr/v_k_idx/, 'idx_whatif does not see the hidden index');
# The window between CREATE INDEX CONCURRENTLY making the index valid and
# the worker recording the build as done: held open by locking the pending
# list row, which the worker's done record must update.
my $wid = $node->safe_psql('postgres', q{SET ROLE alice;
    SELECT idx_apply('CREATE INDEX v_id_idx ON v (id)', visible => false,
                     not_before => clock_timestamp() + interval '1 second')});
my $holder = $node->background_psql('postgres');
$holder->query_safe("BEGIN; SELECT 1 FROM idx_hidden_indexes WHERE history_id = $wid FOR UPDATE");
$node->poll_query_until('postgres',
    q{SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('v_id_idx')}) or die 'no valid index';
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $wid"), 'building',
   'held: the index is valid, its build not yet recorded');
unlike(plan_of($node, 'SELECT * FROM v WHERE id = 3'), qr/v_id_idx/,
       'in that window a new session does not use the index');
$holder->query_safe('COMMIT');
$holder->quit;
$node->poll_query_until('postgres', "SELECT status = 'done' FROM idx_history WHERE id = $wid")
  or die 'build not done';
unlike(plan_of($node, 'SELECT * FROM v WHERE id = 3'), qr/v_id_idx/, 'nor once it is recorded');

($ret, $out, $err) = psql_err($node, q{SELECT idx_apply('CREATE INDEX pt_b_idx ON pt (a DESC)', visible => false)});
like($err, qr/0A000: visible => false is not supported for partitioned tables/,
     'visible => false on a partitioned table is refused (0A000)');
my $fid = $node->safe_psql('postgres', q{SELECT idx_apply('CREATE UNIQUE INDEX v_id_key ON v (k)', visible => false)});
$node->psql('postgres', "CALL idx_wait($fid)");
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $fid"), 'failed',
   'a hidden build that fails (duplicates) ...');
is($node->safe_psql('postgres', q{SELECT count(*) FROM idx_hidden_indexes WHERE index_name = 'v_id_key'}), '0',
   '... leaves no entry in the list');
# idx_report and idx_check: "hidden since", the statements before and since
$node->safe_psql('postgres', 'SELECT count(*) FROM v WHERE k = 3') for 1 .. 4;
like($node->safe_psql('postgres', "SELECT verdict FROM idx_report('m_hidden') WHERE id = $vid"),
     qr/^hidden since \d{4}-\d\d-\d\d \d\d:\d\d$/, 'idx_report: the verdict of a hidden index is "hidden since ..."');
like($node->safe_psql('postgres', "SELECT detail FROM idx_report('m_hidden') WHERE id = $vid"),
     qr/^hidden by alice \(history row \d+\); statements reading public\.v: before the hide \d+ calls, mean [\d.-]+ ms; since, 4 calls, mean [\d.]+ ms; /,
     'its detail: who, which history row, and pg_stat_statements before and since (4 calls since)');
like($node->safe_psql('postgres', q{SELECT detail FROM idx_check() WHERE kind = 'hidden' AND index_name = 'v_k_idx'}),
     qr/^hidden since .* by alice; statements reading public\.v: .*; idx_unhide\(\) shows it again/,
     'idx_check: a "hidden" finding for it');
# idx_hidden_statements (the sums above) counts the same statements under
# standard_conforming_strings = off: its kind and idx_*( patterns were
# plain literals inside EXECUTE's text, which lost their backslashes (no
# statement of v was counted); index_advisor's own calls are left out
my $v_stmts = sub {
    return $node->safe_psql('postgres', ($_[0] ? "SET standard_conforming_strings = off;\n" : '')
        . q{SELECT s.r -> 'statements', s.r -> 'calls' FROM (SELECT idx_hidden_statements('v') AS r) s});
};
my $on = $v_stmts->(0);
like($on, qr/^[1-9]\d*\|[1-9]\d*$/, 'idx_hidden_statements counts the statements of v');
$node->safe_psql('postgres', q{SELECT idx_hidden_statements('v') FROM v LIMIT 0});
is($v_stmts->(0), $on, 'not an index_advisor call that names v');
is($v_stmts->(1), $on, 'the same with standard_conforming_strings = off');
# idx_export writes the hidden index as idx_apply(..., visible => false),
# and idx_apply_script replays it hidden
my $export = $node->safe_psql('postgres', q{SELECT idx_export('m_hidden')});
like($export, qr/^SELECT idx_apply\('CREATE INDEX v_k_idx ON public\.v USING btree \(k\)', visible => false\);$/m,
     'idx_export writes the hidden index as idx_apply(..., visible => false)');
$node->safe_psql('postgres', 'CREATE DATABASE replay');
$node->safe_psql('replay', q{CREATE EXTENSION index_advisor; CREATE TABLE v (id integer, k integer);
    INSERT INTO v SELECT g, g % 2000 FROM generate_series(1, 50000) g; ANALYZE v});
my $rid = $node->safe_psql('replay', "SELECT idx_apply_script(\$\$${export}\$\$, 'replayed')");
$node->safe_psql('replay', "CALL idx_wait($rid)");
is($node->safe_psql('replay', q{SELECT index_name FROM idx_hidden}), 'v_k_idx',
   'idx_apply_script of the export builds it hidden');
unlike($node->safe_psql('replay', 'EXPLAIN (COSTS OFF) SELECT * FROM v WHERE k = 3'), qr/v_k_idx/,
       'and the planner there does not use it');

$node->safe_psql('postgres', "SET ROLE alice; SELECT idx_unhide('v_k_idx')");
unlike($node->safe_psql('postgres', "SELECT verdict FROM idx_report('m_hidden') WHERE id = $vid"),
       qr/hidden/, 'once shown, idx_report no longer says hidden');
like(plan_of($node, 'SELECT * FROM v WHERE k = 3'), qr/v_k_idx/, 'idx_unhide shows it to everyone');

# 7. pg_dump / pg_restore into another database of the cluster (new OIDs)
$node->safe_psql('postgres', q{SELECT idx_hide('t_a_idx')});
my $file = $node->basedir . '/hidden.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $file, '-d', $node->connstr('postgres') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $file ], 'pg_restore');
is($node->safe_psql('restored', q{SELECT string_agg(index_name::text, ',' ORDER BY index_name::text) FROM idx_hidden}),
   't_a_idx,t_code_key,v_id_idx', 'the restored database lists the hidden indexes, found again by name');
unlike($node->safe_psql('restored', "EXPLAIN (COSTS OFF) $query"), qr/t_a_idx/,
       'and its planner does not use them');
$node->safe_psql('restored', q{SELECT idx_unhide('t_a_idx')});
like($node->safe_psql('restored', "EXPLAIN (COSTS OFF) $query"), qr/t_a_idx/,
     'idx_unhide there shows it again');
$s->quit;

# 8. without preload
my $plain = PostgreSQL::Test::Cluster->new('not_preloaded');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', q{CREATE EXTENSION index_advisor;
    CREATE TABLE u (a integer); CREATE INDEX u_a_idx ON u (a)});
($ret, $out, $err) = psql_err($plain, "SELECT idx_hide('u_a_idx')");
like($err, qr/55000: index_advisor must be preloaded to hide indexes/,
     'without preload, idx_hide refuses with 55000');
like($err, qr/HINT:  Add index_advisor to shared_preload_libraries/, 'and names the setting');
($ret, $out, $err) = psql_err($plain, "SELECT idx_apply('CREATE INDEX u_a2_idx ON u (a DESC)', visible => false)");
like($err, qr/55000: index_advisor must be preloaded to hide indexes/,
     'so does idx_apply(..., visible => false)');
is($plain->safe_psql('postgres', 'SELECT count(*) FROM idx_history'), '0', 'and neither records nor queues anything');
$plain->append_conf('postgresql.conf', "session_preload_libraries = 'index_advisor'\n");
$plain->restart;
($ret, $out, $err) = psql_err($plain, "SELECT idx_hide('u_a_idx')");
is($ret, 0, 'session_preload_libraries in postgresql.conf is enough') or diag($err);
$plain->stop;

$standby->stop;
$node->stop;
done_testing();
