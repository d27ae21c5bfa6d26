# idx_advise_workload() (doc/advisor.md):
#  1. without pg_stat_statements installed: 42704 and a hint to CREATE
#     EXTENSION; installed but not in shared_preload_libraries: 55000 and a
#     hint to add it;
#  2. the top statements of this database, weighted by calls, give the
#     indexes they need; utility statements, statements on temporary
#     tables, statements that fail to plan and statements of other
#     databases are skipped and counted in a NOTICE;
#  3. security: a role's statement that calls its own IMMUTABLE function
#     (run by the planner) is planned as that role, never as the calling
#     superuser; a caller without a role's privileges skips its statements
#     ("not yours") and gets no advice from them;
#  4. the advice goes to idx_apply as is and the index is built;
#  5. drop rows for indexes no statement needs;
#  6. without pg_qualstats, a rare most-common value of a status hidden by
#     normalisation ("status = $1") is tried too: a small partial index.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('advise_workload');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION index_advisor');

sub psql_err
{
    my ($sql, %opt) = @_;
    my ($out, $err) = ('', '');
    $node->psql($opt{db} // 'postgres', $sql, stdout => \$out, stderr => \$err,
                on_error_stop => 0);
    return ($out, $err);
}

# 1. missing pg_stat_statements
my ($out, $err) = psql_err("\\set VERBOSITY verbose\nSELECT * FROM idx_advise_workload()");
like($err, qr/ERROR:  42704: extension "pg_stat_statements" is not installed/,
     'not installed: 42704');
like($err, qr/HINT:  Run CREATE EXTENSION pg_stat_statements/, 'hint: CREATE EXTENSION');
$node->safe_psql('postgres', 'CREATE EXTENSION pg_stat_statements');
($out, $err) = psql_err("\\set VERBOSITY verbose\nSELECT * FROM idx_advise_workload()");
like($err, qr/ERROR:  55000: pg_stat_statements is not loaded/, 'not loaded: 55000');
like($err, qr/HINT:  Add pg_stat_statements to shared_preload_libraries/,
     'hint: shared_preload_libraries');

$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pg_stat_statements'\n");
$node->restart;

# 2. a workload of two roles
$node->safe_psql('postgres', q{
    CREATE ROLE alice LOGIN;
    CREATE ROLE bob LOGIN;
    GRANT CREATE ON SCHEMA public TO alice, bob;
    CREATE DATABASE other;
    SET ROLE alice;
    CREATE TABLE wl_t (id int PRIMARY KEY, a int NOT NULL, c int NOT NULL, note text);
    INSERT INTO wl_t SELECT g, g % 1000, g % 2000, 'n' || g FROM generate_series(1, 50000) g;
    CREATE FUNCTION alice_f() RETURNS int LANGUAGE plpgsql IMMUTABLE AS
      $$ BEGIN RAISE NOTICE 'alice_f runs as %', current_user; RETURN 7; END $$;
    CREATE TABLE wl_gone (a int);
    ANALYZE wl_t;
    SET ROLE bob;
    CREATE TABLE wl_b (id int PRIMARY KEY, x int NOT NULL);
    INSERT INTO wl_b SELECT g, g % 3000 FROM generate_series(1, 50000) g;
    ANALYZE wl_b;
    RESET ROLE;
    SELECT pg_stat_statements_reset();
});
for my $i (1 .. 5)
{
    $node->safe_psql('postgres', qq{
        SET client_min_messages = warning;
        SET ROLE alice;
        SELECT count(*) FROM wl_t WHERE a = alice_f();
        SELECT note FROM wl_t WHERE c = $i;
        SELECT count(*) FROM wl_gone WHERE a = 1;
        SET ROLE bob;
        SELECT id FROM wl_b WHERE x = $i;
    });
}
$node->safe_psql('other', 'SELECT 1');
$node->safe_psql('postgres', 'SET ROLE alice; DROP TABLE wl_gone');

($out, $err) = psql_err(q{
    CREATE TEMP TABLE tmp_t (a int);
    SELECT * FROM tmp_t WHERE a = 1;
    SELECT definition, array_to_string(queries, ' | ') FROM idx_advise_workload()
     WHERE definition IS NOT NULL ORDER BY definition;
});
like($out, qr/CREATE INDEX wl_t_a_idx ON public\.wl_t \(a\)/, 'advice for alice\'s first statement');
like($out, qr/ON public\.wl_t \(c\)/, 'advice for alice\'s second statement');
like($out, qr/ON public\.wl_b \(x\)/, 'advice for bob\'s statement');
unlike($out, qr/wl_gone|tmp_t/, 'nothing for skipped statements');
like($err, qr/NOTICE:  alice_f runs as alice/,
     'the planner ran alice_f as alice');
unlike($err, qr/alice_f runs as postgres/,
       'never as the calling superuser');
like($err, qr/NOTICE:  idx_advise_workload skipped \d+ statements: (.*)\d+ utility statements/,
     'utility statements counted');
like($err, qr/1 statements on temporary tables/, 'temporary table counted');
like($err, qr/1 statements that fail to plan/, 'a statement that fails to plan counted');
like($err, qr/\d+ statements of other databases/, 'other databases counted');

# 3. bob's statements are not alice's to plan
($out, $err) = psql_err(q{
    SET ROLE alice;
    SELECT definition FROM idx_advise_workload() WHERE definition IS NOT NULL ORDER BY 1;
});
like($out, qr/wl_t/, 'alice gets advice for her own statements');
unlike($out, qr/wl_b/, 'and none from bob\'s');
like($err, qr/statements of roles whose privileges you do not have/,
     'bob\'s statements counted as not hers');
($out, $err) = psql_err("\\set VERBOSITY verbose\nSELECT * FROM idx_advise_workload(top => 0)");
like($err, qr/ERROR:  22023: top must be between 1 and 1000/, 'top is bounded');

# 4. from advice to build, as alice
$node->safe_psql('postgres', q{
    SET client_min_messages = warning;
    SET ROLE alice;
    SELECT idx_apply(definition, queries, migration => 'advised_wl')
      FROM idx_advise_workload(top => 10) WHERE rank IS NOT NULL;
});
ok($node->poll_query_until('postgres',
    "SELECT bool_and(status = 'done') AND count(*) = 2 FROM idx_history WHERE migration = 'advised_wl'"),
   'both advised indexes of alice built');

# 5. drop rows: an index of wl_t that no workload statement needs is
# flagged, with its idx_scan; the indexes the statements use and the
# primary key are not
$node->safe_psql('postgres', q{
    SET ROLE alice;
    CREATE INDEX wl_t_note_idx ON wl_t (note);
    ANALYZE wl_t;
});
($out, $err) = psql_err(q{
    SET ROLE alice;
    SELECT definition || ' / ' || note FROM idx_advise_workload() WHERE definition LIKE 'DROP%' ORDER BY 1;
});
like($out, qr{^DROP INDEX CONCURRENTLY wl_t_note_idx / none of the \d+ workload statements on wl_t needs it with the advised indexes .*; idx_scan = 0 in pg_stat_user_indexes$},
     'workload: a drop row for the index no statement needs, with idx_scan');
is(scalar(() = $out =~ /^DROP/mg), 1, 'workload: ... and none for the used indexes or the primary key')
  or diag($out);

# 6. without pg_qualstats, a rare status hidden by normalisation: "status
# = 'blocked'" (0.45 % of the rows) is recorded as "status = $1", which
# the statistics' middle common value would stand for; the rare
# most-common value is tried too, so the statement, bound with it, gets
# its small partial index (and the statement as recorded keeps its own
# advice); the note says which value it was planned with, why, and for
# which share of the statement's calls it stands (one of the 4 values of
# status: the twin weighs a quarter of the calls, the statement as
# recorded the rest)
$node->safe_psql('postgres', 'CREATE DATABASE rare');
$node->safe_psql('rare', q{
    CREATE EXTENSION index_advisor;
    CREATE EXTENSION pg_stat_statements;
    CREATE TABLE rq (id int PRIMARY KEY, customer_id int NOT NULL,
                     status text NOT NULL, body text NOT NULL);
    INSERT INTO rq
    SELECT g, 1 + g % 2000,
           CASE WHEN g % 2000 < 9 THEN 'blocked'
                WHEN g % 10 < 3 THEN 'in_progress'
                WHEN g % 10 < 6 THEN 'open' ELSE 'done' END,
           repeat('x', 40)
      FROM generate_series(1, 60000) g;
    -- every row in the sample: 'blocked' is in the most-common values
    ALTER TABLE rq ALTER status SET STATISTICS 1000;
    VACUUM ANALYZE rq;
    SELECT pg_stat_statements_reset();
});
$node->safe_psql('rare', "SELECT * FROM rq WHERE status = 'blocked';") for 1 .. 20;
($out, $err) = psql_err(q{
    SELECT definition || ' | ' || array_to_string(queries, ' | ') || ' | ' || note
      FROM idx_advise_workload() WHERE definition IS NOT NULL ORDER BY rank},
    db => 'rare');
like($out, qr/^CREATE INDEX \S+ ON public\.rq \(\w+\) WHERE \(status = 'blocked'::text\) \| SELECT \* FROM rq WHERE status = 'blocked'::text \| planned with \$1 = 'blocked' \(a rare value of rq\.status: 0\.45 % of the rows; tried besides a common one, for 1 in 4 of the statement's calls\)/m,
     'workload without pg_qualstats: a rare most-common value gets its partial index')
  or diag($out . $err);
unlike($out, qr/WHERE \(status = '(?:open|done|in_progress)'/,
       'and no partial index on a common value') or diag($out);

$node->stop;
done_testing();
