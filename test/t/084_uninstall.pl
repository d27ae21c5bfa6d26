# Uninstalling: CREATE EXTENSION says it created the cluster-wide role
# index_advisor_admin; DROP EXTENSION index_advisor (or DROP SCHEMA of its
# schema) is refused while a build is running or queued, naming the rows,
# with a hint to wait or cancel; once they are cancelled or finished the
# drop succeeds, no INVALID index and no worker are left, and what stays is
# the role, removed with DROP ROLE.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('uninstall');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;

# 1. the first install in the cluster creates the role, and says so
my ($ret, $out, $err) = $node->psql('postgres', 'CREATE EXTENSION index_advisor');
is($ret, 0, 'CREATE EXTENSION index_advisor');
like($err, qr/NOTICE:  created role "index_advisor_admin" for index_advisor/,
     'CREATE EXTENSION says it created the role');
like($err, qr/DETAIL:  The role is cluster-wide.*DROP EXTENSION leaves it\./,
     'and that DROP EXTENSION leaves it');
like($err, qr/HINT:  .*DROP ROLE index_advisor_admin\./, 'and how to remove it');
$node->safe_psql('postgres', 'CREATE DATABASE other');
($ret, $out, $err) = $node->psql('other',
    'CREATE SCHEMA ia; CREATE EXTENSION index_advisor SCHEMA ia');
is($ret, 0, 'CREATE EXTENSION in another database');
unlike($err, qr/created role/, 'the role exists already: no notice');

my $table = q{
    CREATE TABLE big (a integer, b integer);
    INSERT INTO big SELECT g, g FROM generate_series(1, 100000) g;
};
$node->safe_psql('postgres', $table);
$node->safe_psql('other', $table);

# a build held by a writer's open transaction, and one queued behind it
sub hold
{
    my ($db, $schema) = @_;
    my $writer = $node->background_psql($db);
    $writer->query_safe('BEGIN');
    $writer->query_safe('INSERT INTO big VALUES (0, 0)');
    my $running = $node->safe_psql($db, "SELECT ${schema}idx_apply('CREATE INDEX big_a_idx ON big (a)')");
    ok($node->poll_query_until($db,
        "SELECT phase LIKE 'waiting for writers%' FROM ${schema}idx_progress WHERE id = $running"),
       "$db: a build is running (waiting for a writer)");
    my $queued = $node->safe_psql($db, "SELECT ${schema}idx_apply('CREATE INDEX big_b_idx ON big (b)')");
    is($node->safe_psql($db, "SELECT status FROM ${schema}idx_history WHERE id = $queued"), 'queued',
       "$db: another is queued behind it");
    return ($writer, $running, $queued);
}

# 2. DROP EXTENSION is refused while they are unfinished
my ($writer, $running, $queued) = hold('postgres', '');
is($node->safe_psql('postgres', q{
    SELECT string_agg(concat_ws(' ', id, status, index_name, partitions_built, partitions_total), ', ' ORDER BY id)
      FROM idx_progress WHERE parent_id IS NULL}),
   "$running building big_a_idx, $queued queued big_b_idx", 'idx_progress lists what is unfinished');
for my $drop ('DROP EXTENSION index_advisor', 'DROP EXTENSION IF EXISTS pg_trgm, index_advisor CASCADE')
{
    ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$drop");
    isnt($ret, 0, "$drop: refused");
    like($err, qr/ERROR:  55006: cannot drop extension index_advisor while 2 of its operations are unfinished/,
         "$drop: the error says why, with SQLSTATE 55006");
    like($err, qr/DETAIL:  Unfinished history rows: $running \(building\), $queued \(queued\)\./,
         "$drop: the detail names the rows");
    like($err, qr/HINT:  Wait for each with CALL idx_wait\(id\), or stop it with idx_cancel\(id\), then drop the extension again\./,
         "$drop: the hint says what to do");
}
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_extension WHERE extname = 'index_advisor'}),
   '1', 'the extension is still there');
is($node->safe_psql('postgres', "SELECT string_agg(status, ' ' ORDER BY id) FROM idx_history"),
   'building queued', 'and its rows, untouched');
# other DROPs are not concerned
$node->safe_psql('postgres', 'CREATE EXTENSION pg_trgm; DROP EXTENSION pg_trgm; CREATE SCHEMA s; DROP SCHEMA s');
pass('DROP EXTENSION / DROP SCHEMA of something else works meanwhile');

# 3. cancel both: the running build stops and leaves nothing; then the drop works
$node->safe_psql('postgres', "SELECT idx_cancel($queued); SELECT idx_cancel($running)");
# the leftover of the cancelled build is dropped concurrently, which waits for the writer too
$writer->query_safe('COMMIT');
$writer->quit;
ok($node->poll_query_until('postgres',
    q{SELECT bool_and(status = 'cancelled') FROM idx_history}), 'both rows cancelled');
($ret, $out, $err) = $node->psql('postgres', 'DROP EXTENSION index_advisor');
is($ret, 0, 'then DROP EXTENSION index_advisor succeeds') or diag($err);
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_index WHERE NOT indisvalid}), '0',
   'no INVALID index left');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'big\_%'}), '0',
   'no index of the cancelled builds left');
ok($node->poll_query_until('postgres',
    q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'index_advisor worker'}),
   'no worker left');

# 4. DROP SCHEMA ... CASCADE of the extension's schema: the same guard;
#    after the builds finish, the drop works
($writer, $running, $queued) = hold('other', 'ia.');
($ret, $out, $err) = $node->psql('other', "\\set VERBOSITY verbose\nDROP SCHEMA ia CASCADE");
isnt($ret, 0, 'DROP SCHEMA of the extension\'s schema: refused');
like($err, qr/ERROR:  55006: cannot drop schema "ia": extension index_advisor in it has 2 unfinished operation\(s\)/,
     'the error names the schema and the extension');
$writer->query_safe('COMMIT');
$writer->quit;
($ret, $out, $err) = $node->psql('other', "CALL ia.idx_wait($running); CALL ia.idx_wait($queued)");
is($ret, 0, 'CALL idx_wait(id) until they are done') or diag($err);
($ret, $out, $err) = $node->psql('other', 'DROP SCHEMA ia CASCADE');
is($ret, 0, 'then DROP SCHEMA ia CASCADE succeeds') or diag($err);
is($node->safe_psql('other', q{SELECT count(*) FROM pg_index WHERE NOT indisvalid}), '0',
   'no INVALID index left');
is($node->safe_psql('other', q{SELECT string_agg(indexrelid::regclass::text, ' ' ORDER BY 1) FROM pg_index WHERE indrelid = 'big'::regclass}),
   'big_a_idx big_b_idx', 'the indexes built stay (they are the user\'s)');

# 5. what stays: the role, until dropped by hand
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_roles WHERE rolname = 'index_advisor_admin'}),
   '1', 'the role index_advisor_admin stays');
($ret, $out, $err) = $node->psql('postgres', 'DROP ROLE index_advisor_admin');
is($ret, 0, 'DROP ROLE index_advisor_admin removes it') or diag($err);

$node->stop;
done_testing();
