# Usage from standbys (doc/nodes.md), with a real streaming standby:
#  1. idx_wait(..., replayed => true) returns once the standby has the
#     index valid;
#  2. a standby streaming from the primary but not registered is a finding;
#  3. registry: a non-superuser admin must give a password, and the node
#     must ask for it; a password is never visible to a plain role (every
#     table, view and function it may read) nor in error messages; admins
#     see it masked;
#  4. an index scanned only on the standby: idx_report on the primary says
#     used, with the standby's scans summed and shown per node;
#     idx_rollback refuses without force, naming the standby;
#     a backend keeps its connection to a node: three checks in one
#     session connect once;
#  5. standby stopped: a finding says so; an index nobody used is
#     "unknown: standby ... unreachable since", never unused, and its
#     rollback is refused unless forced;
#  6. standby restarted: its scans are still counted; after checks that
#     changed nothing, the next scans on the standby are counted;
#  7. on the standby, writing functions fail at once with 25006 and the
#     reading ones work;
#  8. the standby promoted: idx_check goes on;
#  9. a node that never answers: bounded by index_advisor.node_connect_timeout,
#     and a statement_timeout of idx_check() stops it at once;
# 10. nodes are asked at once: three that never answer cost one
#     node_connect_timeout in one check, and the node that answers is read.
use strict;
use warnings;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$primary->start;
$primary->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE ROLE plain LOGIN;
    CREATE ROLE admin_np LOGIN;
    GRANT index_advisor_admin TO admin_np;
    CREATE TABLE t (a integer, b integer, c text);
    INSERT INTO t SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 20000) g;
    ANALYZE t;
    GRANT SELECT ON t TO plain;
});
$primary->backup('b1');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b1', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup('standby');

sub psql_err
{
    my ($node, $sql, @opts) = @_;
    my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql", @opts);
    return ($ret, $out, $err);
}

# 1. replay wait
my $idb = $primary->safe_psql('postgres',
    q{SELECT idx_apply('CREATE INDEX t_b_idx ON t (b)', ARRAY['SELECT * FROM t WHERE b = $1'])});
my ($ret, $out, $err) = $primary->psql('postgres', "CALL idx_wait($idb, replayed => true)");
is($ret, 0, 'idx_wait(replayed => true) returns');
like($err, qr/replayed by every standby up to/, 'and says every standby replayed the build');
is($standby->safe_psql('postgres',
    q{SELECT indisvalid FROM pg_index WHERE indexrelid = 't_b_idx'::regclass}),
   't', 'right after it, the index is valid on the standby');
isnt($primary->safe_psql('postgres', "SELECT commit_lsn FROM idx_history WHERE id = $idb"), '',
     'the history row records the build\'s commit_lsn');
my $ida = $primary->safe_psql('postgres',
    q{SELECT idx_apply('CREATE INDEX t_a_idx ON t (a)', ARRAY['SELECT * FROM t WHERE a = $1'])});
$primary->safe_psql('postgres', "CALL idx_wait($ida, replayed => true)");

# 2. discovery
like($primary->safe_psql('postgres',
    q{SELECT detail FROM idx_check() WHERE kind = 'unregistered_standby' AND index_name = 'standby'}),
     qr/standby standby .* streams from this server and may serve reads, but is not registered/,
     'a streaming standby that is not registered is a finding');

# 3. registry and passwords
my $conn = $standby->connstr('postgres');
($ret, $out, $err) = psql_err($primary, "SELECT idx_node_add('s_np', \$\$$conn\$\$)",
                              extra_params => ['-U', 'admin_np']);
like($err, qr/ERROR:  2F003: password is required/, 'an admin that is not a superuser must give a password');
($ret, $out, $err) = psql_err($primary,
    "SELECT idx_node_add('s_pw', \$\$$conn password=sekrit_pw_42\$\$)",
    extra_params => ['-U', 'admin_np']);
is($ret, 0, 'with a password it registers the node');
like($primary->safe_psql('postgres', q{SELECT detail FROM idx_node_test('s_pw')}),
     qr/password is required/, 'but a node that does not ask for the password is refused');
($ret, $out, $err) = psql_err($primary,
    q{SELECT idx_node_add('bad', 'host=x password=sekrit_pw_42 garbage')});
like($err, qr/ERROR:  42601: invalid connection string/, 'an invalid connection string is refused');
$primary->safe_psql('postgres',
    q{SELECT idx_node_add('gone', 'host=/nonexistent port=1 dbname=postgres password=sekrit_pw_42')});
my $test_gone = $primary->safe_psql('postgres', q{SELECT reachable, detail FROM idx_node_test('gone')});
like($test_gone, qr/^f\|could not connect to node "gone"/, 'idx_node_test says a node cannot be reached');
like($primary->safe_psql('postgres', q{SELECT string_agg(conninfo, ' ') FROM idx_node_list},
                         extra_params => ['-U', 'admin_np']),
     qr/password=\*{8}/, 'admins see connection strings with the password masked');
$primary->safe_psql('postgres', 'SELECT count(*) FROM idx_check()');

# every relation and every function a plain role may read or call
my $seen = $primary->safe_psql('postgres', q{
    SELECT string_agg(format('%s.%s', n.nspname, c.relname), ' ')
      FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND c.relkind IN ('r', 'v')});
my $everything = '';
for my $rel (split / /, $seen)
{
    my ($r, $o, $e) = $primary->psql('postgres', "SELECT * FROM $rel", extra_params => ['-U', 'plain']);
    $everything .= "$o $e";
}
for my $sql ('SELECT * FROM idx_report()', 'SELECT * FROM idx_report_nodes()',
             'SELECT * FROM idx_node_states()', q{SELECT * FROM idx_node_test('gone')},
             'SELECT * FROM idx_node_list', 'SELECT * FROM idx_nodes', 'SELECT * FROM idx_check()',
             "SELECT idx_replay_pending('0/0')", "SELECT idx_node_users($idb)",
             q{SELECT * FROM idx_node_probe('gone', 'x', 'plain')})
{
    my ($r, $o, $e) = $primary->psql('postgres', $sql, extra_params => ['-U', 'plain']);
    $everything .= "$o $e";
}
like($everything, qr/permission denied for table idx_nodes/, 'a plain role cannot read idx_nodes');
unlike($everything . $test_gone . $err, qr/sekrit_pw_42/,
       'the password is never visible to a plain role, nor in messages');
# (the TAP cluster logs every statement: only the statements themselves
# may show it, as they show any literal)
my @leaks = grep { /sekrit_pw_42/ && !/(LOG:  statement: |STATEMENT:  )/ }
    split /\n/, slurp_file($primary->logfile);
is(scalar(@leaks), 0, 'nor in any message of the server log') or diag(join("\n", @leaks));
$primary->safe_psql('postgres', q{SELECT idx_node_remove('gone'), idx_node_remove('s_pw')});

$primary->safe_psql('postgres', "SELECT idx_node_add('standby', \$\$$conn\$\$)");
like($primary->safe_psql('postgres', q{SELECT reachable, in_recovery, detail FROM idx_node_test('standby')}),
     qr/^t\|t\|ok$/, 'idx_node_test reaches the standby');

# 4. the index is used on the standby only
$standby->safe_psql('postgres', 'SET enable_seqscan = off; SET enable_bitmapscan = off;'
                    . ' SELECT count(*) FROM t WHERE b = 5;' x 30);
ok($standby->poll_query_until('postgres',
    q{SELECT idx_scan >= 30 FROM pg_stat_user_indexes WHERE indexrelname = 't_b_idx'}),
   'the standby counted 30 scans');
is($primary->safe_psql('postgres',
    q{SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 't_b_idx'}), '0',
   'the primary counted none');
is($primary->safe_psql('postgres',
    q{SELECT count(*) FROM idx_check() WHERE kind IN ('unregistered_standby', 'node_unreachable')}), '0',
   'idx_check: the standby is registered and reached');
# a backend keeps its connection to a node: three checks in one session
# connect once (the standby logs each connection it authorizes)
$standby->append_conf('postgresql.conf', 'log_connections = on');
$standby->reload;
ok($standby->poll_query_until('postgres', q{SELECT current_setting('log_connections')::boolean}),
   'the standby logs connections');
my $log_at = -s $standby->logfile;
$primary->safe_psql('postgres', 'SELECT count(*) FROM idx_check();' x 3);
my $authorized = () = substr(slurp_file($standby->logfile), $log_at)
    =~ /connection authorized: .*application_name=index_advisor/g;
is($authorized, 1, 'three checks in one session: one connection to the standby');
# a check that finds a node's counters unchanged writes no snapshot row:
# the last one stands for it (idx_snapshots.still_reported), and the
# report still says the index was checked then
is($primary->safe_psql('postgres', q{
    SELECT string_agg(index_name || ':' || n, ' ' ORDER BY index_name)
      FROM (SELECT index_name, count(*) AS n FROM idx_snapshots
             WHERE node = 'standby' GROUP BY index_name) s}),
   't_a_idx:1 t_b_idx:1', 'four checks, counters unchanged after the first: one snapshot row per index of the standby');
is($primary->safe_psql('postgres', q{
    SELECT bool_and(r.checked_at = n.last_contact AND r.checked_at > s.taken_at)
      FROM idx_report_nodes() r
      JOIN idx_node_list n ON n.name = r.node
      JOIN idx_snapshots s ON s.node = r.node AND s.history_id = r.id}),
   't', 'idx_report_nodes: checked at the last check, after the row was taken');
like($primary->safe_psql('postgres', q{SELECT verdict || ' ' || idx_scan || ' ' || (last_used IS NOT NULL) FROM idx_report() WHERE index_name = 't_b_idx'}),
     qr/^used (3\d|[4-9]\d) true$/, 'idx_report on the primary: used, scans summed over nodes, last used on the standby');
like($primary->safe_psql('postgres', q{SELECT detail FROM idx_report() WHERE index_name = 't_b_idx'}),
     qr/; (3\d|[4-9]\d) scans since valid/, 'idx_report on the primary: its detail counts the standby\'s scans too');
is($primary->safe_psql('postgres', q{
    SELECT string_agg(node || ':' || (scans >= 30) || ':' || reachable || ':' || restarted, ' ' ORDER BY node)
      FROM idx_report_nodes() WHERE index_name = 't_b_idx'}),
   'primary:false:true:false standby:true:true:false', 'idx_report_nodes shows the scans per node');
($ret, $out, $err) = psql_err($primary, "SELECT idx_rollback($idb)");
like($err, qr/ERROR:  55006: index "public.t_b_idx" of history row $idb may still be used on a standby/,
     'idx_rollback refuses an index a standby uses');
like($err, qr/DETAIL:  standby standby scanned it \d+ times, last seen at/, 'naming the standby');
like($err, qr/HINT:  .*idx_rollback\($idb, force => true\)/, 'and says how to force it');

# 7. on the standby
$primary->wait_for_catchup('standby');
for my $call ("SELECT idx_apply('CREATE INDEX ON t (c)')", "SELECT idx_cancel($idb)",
              "SELECT idx_rollback($idb, force => true)", 'SELECT * FROM idx_check()',
              q{SELECT idx_node_add('x', 'host=y')}, q{SELECT idx_node_remove('standby')})
{
    ($ret, $out, $err) = psql_err($standby, $call);
    like($err, qr/ERROR:  25006: cannot run idx_\w+\(\) during recovery.*HINT:  Run idx_\w+\(\) on the primary/s,
         "standby: $call fails with 25006, saying to run it on the primary");
}
like($standby->safe_psql('postgres', q{SELECT verdict FROM idx_report() WHERE index_name = 't_b_idx'}),
     qr/used/, 'standby: idx_report works');
is($standby->safe_psql('postgres', "SELECT bool_or(uses_index) FROM idx_explain($idb)"), 't',
   'standby: idx_explain works');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM idx_progress'), '0', 'standby: idx_progress works');

# 5. the standby stopped
$standby->stop('fast');
like($primary->safe_psql('postgres', q{SELECT detail FROM idx_check() WHERE kind = 'node_unreachable'}),
     qr/^node standby unreachable since .*: could not connect to node "standby"/,
     'idx_check: the standby is unreachable');
is($primary->safe_psql('postgres', q{
    SELECT bool_and(r.checked_at = n.last_contact AND NOT r.reachable)
           AND NOT bool_or(s.still_reported)
      FROM idx_report_nodes() r
      JOIN idx_node_list n ON n.name = r.node
      JOIN idx_snapshots s ON s.node = r.node AND s.history_id = r.id}),
   't', 'its snapshots are closed at its last contact, which the report gives as checked_at');
like($primary->safe_psql('postgres', q{SELECT verdict FROM idx_report() WHERE index_name = 't_a_idx'}),
     qr/^unknown: standby standby unreachable since \d{4}-/,
     'an index not used on the primary is "unknown", not unused, while the standby is unreachable');
($ret, $out, $err) = psql_err($primary, "SELECT idx_rollback($ida)");
like($err, qr/ERROR:  55006: .*DETAIL:  standby standby was unreachable at the last idx_check\(\)/s,
     'its rollback is refused: the standby\'s use is unknown');
$primary->safe_psql('postgres', "SELECT idx_rollback($ida, force => true)");
$primary->safe_psql('postgres', 'CALL idx_wait()');
is($primary->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $ida"), 'rolled_back',
   'forced, the rollback goes through');

# 6. the standby restarted
$standby->start;
is($primary->safe_psql('postgres',
    q{SELECT count(*) FROM idx_check() WHERE kind IN ('unregistered_standby', 'node_unreachable')}), '0',
   'idx_check reaches the restarted standby');
is($primary->safe_psql('postgres', q{
    SELECT scans >= 30 AND reachable FROM idx_report_nodes()
     WHERE index_name = 't_b_idx' AND node = 'standby'}), 't',
   'its scans before the restart are still counted');
is($primary->safe_psql('postgres', q{
    SELECT restarted FROM idx_report_nodes() WHERE index_name = 't_b_idx' AND node = 'standby'}), 't',
   'and the restart is shown');
# a check that finds the node's answer unchanged decides from idx_nodes
# alone (reported_since): scans made after such checks must still be
# counted (two checks: the one after the restart writes its rows again)
$primary->safe_psql('postgres', 'SELECT count(*) FROM idx_check();' x 2);
my $scans_before = $primary->safe_psql('postgres',
    q{SELECT scans FROM idx_report_nodes() WHERE index_name = 't_b_idx' AND node = 'standby'});
my $here_before = $standby->safe_psql('postgres',
    q{SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 't_b_idx'});
$standby->safe_psql('postgres', 'SET enable_seqscan = off; SET enable_bitmapscan = off;'
                    . ' SELECT count(*) FROM t WHERE b = 5;' x 5);
ok($standby->poll_query_until('postgres',
    qq{SELECT idx_scan >= $here_before + 5 FROM pg_stat_user_indexes WHERE indexrelname = 't_b_idx'}),
   'the standby counted 5 more scans');
$primary->safe_psql('postgres', 'SELECT count(*) FROM idx_check()');
is($primary->safe_psql('postgres', q{
    SELECT s.scans - } . $scans_before . q{ || ':' || (s.taken_at = n.last_contact)
      FROM idx_snapshots s JOIN idx_node_list n ON n.name = s.node
     WHERE s.node = 'standby' AND s.index_name = 't_b_idx'
     ORDER BY s.taken_at DESC LIMIT 1}),
   '5:true', 'after checks that changed nothing, the next check counts the standby\'s new scans');
# a row replaced by a newer one (restart, then the check after it, then
# new scans) no longer stands for later checks: only the newest row of an
# index on a node may be still_reported, as the column's comment says
is($primary->safe_psql('postgres', q{
    SELECT (count(*) FILTER (WHERE r.newer) >= 2) || ' replaced, '
           || count(*) FILTER (WHERE r.newer AND s.still_reported) || ' of them still_reported; newest: '
           || bool_and(s.still_reported) FILTER (WHERE NOT r.newer)
      FROM idx_snapshots s
     CROSS JOIN LATERAL (
           SELECT EXISTS (SELECT 1 FROM idx_snapshots x
                           WHERE x.index_oid = s.index_oid AND x.node = s.node
                             AND x.history_id = s.history_id AND x.taken_at > s.taken_at) AS newer) r
     WHERE s.node = 'standby' AND s.index_name = 't_b_idx'}),
   'true replaced, 0 of them still_reported; newest: true', 'rows replaced by newer ones are no longer still_reported');

# 8. promotion
$standby->promote;
$primary->safe_psql('postgres', 'SELECT count(*) FROM idx_check()');
is($primary->safe_psql('postgres', q{SELECT in_recovery FROM idx_node_list WHERE name = 'standby'}), 'f',
   'after promotion, idx_check goes on and sees the node out of recovery');
like($primary->safe_psql('postgres', q{SELECT detail FROM idx_node_test('standby')}),
     qr/not in recovery/, 'idx_node_test says so');
$primary->safe_psql('postgres', "SELECT idx_rollback($idb, force => true)");
$primary->safe_psql('postgres', 'CALL idx_wait()');
is($primary->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $idb"), 'rolled_back',
   'idx_rollback(force => true) of the index the standby used');

# 9. a node that accepts the connection and never answers
my $hole = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
    or die "cannot listen: $!";
my $hport = $hole->sockport;
$primary->safe_psql('postgres',
    "SELECT idx_node_add('hang', 'host=127.0.0.1 port=$hport dbname=postgres')");
my $t0 = time;
like($primary->safe_psql('postgres',
    "SET index_advisor.node_connect_timeout = '1s'; SELECT reachable, detail FROM idx_node_test('hang')"),
     qr/^f\|node "hang" did not answer in time$/, 'a node that never answers: not reachable');
my $took = time - $t0;
ok($took >= 0.9 && $took < 4, "bounded by index_advisor.node_connect_timeout (took ${took}s)");
$t0 = time;
($ret, $out, $err) = psql_err($primary, "SET statement_timeout = '300ms'; SELECT count(*) FROM idx_check()");
$took = time - $t0;
like($err, qr/ERROR:  57014: canceling statement due to statement timeout/,
     'a statement_timeout stops idx_check() while it waits for a node');
ok($took < 3, "at once (took ${took}s, node_connect_timeout is 5s)");
$primary->safe_psql('postgres', "SELECT idx_node_remove('hang')");

# 10. every node is asked at once: three nodes that never answer cost one
# node_connect_timeout, not three, and a node that answers is still read
my @holes = ($hole, map {
    IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
      or die "cannot listen: $!" } 1 .. 2);
for my $i (0 .. 2)
{
    my $p = $holes[$i]->sockport;
    $primary->safe_psql('postgres',
        "SELECT idx_node_add('hang$i', 'host=127.0.0.1 port=$p dbname=postgres')");
}
$t0 = time;
is($primary->safe_psql('postgres', q{
    SET index_advisor.node_connect_timeout = '1s';
    SELECT string_agg(index_name || ': ' || (detail LIKE '%did not answer in time%'), ', ' ORDER BY index_name)
      FROM idx_check() WHERE kind = 'node_unreachable'}),
   'hang0: true, hang1: true, hang2: true', 'three nodes that never answer: each unreachable, timed out');
$took = time - $t0;
ok($took >= 0.9 && $took < 2.5,
   "one check with three such nodes takes one node_connect_timeout (1s), not three (took ${took}s)");
is($primary->safe_psql('postgres', q{
    SELECT last_contact = (SELECT max(unreachable_since) FROM idx_node_list)
      FROM idx_node_list WHERE name = 'standby'}),
   't', 'the node that answers is read by the same check');
$t0 = time;
($ret, $out, $err) = psql_err($primary, "SET statement_timeout = '300ms'; SELECT count(*) FROM idx_check()");
$took = time - $t0;
like($err, qr/ERROR:  57014: canceling statement due to statement timeout/,
     'a statement_timeout stops idx_check() while it waits for three nodes');
ok($took < 3, "at once (took ${took}s)");
$primary->safe_psql('postgres', "SELECT idx_node_remove('hang$_')") for 0 .. 2;
close($_) for @holes;

done_testing();
