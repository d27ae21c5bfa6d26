# The history is kept by pg_dump: a dump restored into a new database has
# the same rows, and the sequence goes on from where it was.  The dump is
# quiet (nothing on stderr: no "circular foreign-key constraints" warning).
# Restored into another cluster whose role and table OIDs differ, each row
# still belongs to the same role by name (role_oid is a regrole, table_oid a
# regclass), row-level security shows each role its own rows, a queued row
# builds as its role, and a done row rolls back (its index identified again
# on the restored table).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE t (a integer, b text);
    INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 10000) g;
    SELECT idx_apply('CREATE INDEX t_a_idx ON t (a)', ARRAY['SELECT * FROM t WHERE a = $1'], 'm1');
    SELECT idx_apply('CREATE INDEX t_b_idx ON t (b)', migration => 'm1');
});
$node->safe_psql('postgres', 'CALL idx_wait()');

# two roles with their own tables and rows, a rollback (a row that refers
# to another), and a partitioned build (rows that refer to their parent)
my $roles = q{
    CREATE ROLE alice LOGIN;
    CREATE ROLE bob LOGIN;
    GRANT CREATE ON SCHEMA public TO alice, bob;
};
$node->safe_psql('postgres', $roles);
$node->safe_psql('postgres', q{
    SET ROLE alice;
    CREATE TABLE ta (a integer, b integer);
    INSERT INTO ta SELECT g, g FROM generate_series(1, 1000) g;
    SELECT idx_apply('CREATE INDEX ta_a_idx ON ta (a)');
    SELECT idx_apply('CREATE INDEX ta_b_idx ON ta (b)');
});
$node->safe_psql('postgres', q{
    SET ROLE bob;
    CREATE TABLE tb (a integer) PARTITION BY RANGE (a);
    CREATE TABLE tb1 PARTITION OF tb FOR VALUES FROM (0) TO (100);
    CREATE TABLE tb2 PARTITION OF tb FOR VALUES FROM (100) TO (200);
    SELECT idx_apply('CREATE INDEX tb_a_idx ON tb (a)');
});
$node->safe_psql('postgres', 'CALL idx_wait()');
my $ta_b = $node->safe_psql('postgres', q{SELECT id FROM idx_history WHERE index_name = 'ta_b_idx'});
$node->safe_psql('postgres', "SET ROLE alice; SELECT idx_rollback($ta_b)");
$node->safe_psql('postgres', 'CALL idx_wait()');
# a row of alice's kept queued until restored (not_before, as a retry has)
my $queued = $node->safe_psql('postgres', q{
    BEGIN;
    SET LOCAL ROLE alice;
    SELECT idx_apply('CREATE INDEX ta_ab_idx ON ta (a, b)');
    RESET ROLE;
    UPDATE idx_history SET not_before = now() + interval '1 day' WHERE index_name = 'ta_ab_idx';
    COMMIT;
});

my $rows = q{SELECT string_agg(concat_ws('|', id, migration, index_name, status, indexdef,
                   queries::text, requested_by, role_oid, login_role_oid, table_oid,
                   reverts, parent_id), E'\n' ORDER BY id) FROM idx_history};
my $before = $node->safe_psql('postgres', $rows);
like($before, qr/\|tb1_a_idx\|done\|CREATE INDEX tb1_a_idx ON public.tb1 USING btree \(a\)\|bob\|bob\|postgres\|tb1\|\d+\n/,
     'the history has parts, named by role and table');

my $file = $node->basedir . '/dump.pgc';
my ($out, $err) = run_command([ 'pg_dump', '-Fc', '-f', $file, '-d', $node->connstr('postgres') ]);
is($err, '', 'pg_dump (custom format) prints nothing on stderr');
($out, $err) = run_command([ 'pg_dump', '-d', $node->connstr('postgres') ]);
is($err, '', 'pg_dump (plain) prints nothing on stderr');
unlike($out, qr/circular|disable-triggers/, 'and no warning in the script either');

$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $file ], 'pg_restore');

is($node->safe_psql('restored', $rows), $before, 'history rows restored');
like($before, qr/t_a_idx\|done\|CREATE INDEX t_a_idx/, 'and they are the real ones');
my $next = $node->safe_psql('restored',
    q{SELECT idx_apply('CREATE INDEX t_ab_idx ON t (a, b)')});
is($next, $queued + 1, 'new rows go on after the restored ones');
$node->safe_psql('restored', "CALL idx_wait($next)");
is($node->safe_psql('restored', "SELECT status FROM idx_history WHERE id = $next"), 'done',
   'and are built in the restored database');

# Another cluster, where the same role names have other OIDs.
my $other = PostgreSQL::Test::Cluster->new('other');
$other->init;
$other->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$other->start;
$other->safe_psql('postgres', 'CREATE ROLE dummy1; CREATE ROLE dummy2; CREATE ROLE dummy3; CREATE TABLE filler (a int)');
$other->safe_psql('postgres', $roles);
my $oids = q{SELECT string_agg(oid::text, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('alice', 'bob')};
isnt($other->safe_psql('postgres', $oids), $node->safe_psql('postgres', $oids),
     'the other cluster gives alice and bob other OIDs');
$other->safe_psql('postgres', 'CREATE DATABASE restored');
($out, $err) = run_command([ 'pg_restore', '-d', $other->connstr('restored'), $file ]);
is($err, '', 'restored into the other cluster without a message');

is($other->safe_psql('restored', $rows), $before,
   'other cluster: the same rows, roles and tables by name');
is($other->safe_psql('restored', q{SELECT count(*) FROM idx_history h
        JOIN pg_roles r ON r.oid = h.role_oid WHERE r.rolname <> h.requested_by}), '0',
   'other cluster: each row belongs to the role that requested it');
is($other->safe_psql('restored', q{SELECT count(*) FROM idx_history h
        WHERE h.table_oid <> to_regclass(quote_ident(h.schema_name) || '.' || quote_ident(h.table_name))}), '0',
   'other cluster: each row names its table');
for my $role ('alice', 'bob')
{
    is($other->safe_psql('restored', "SET ROLE $role; SELECT string_agg(id::text, ',' ORDER BY id) FROM idx_history"),
       $node->safe_psql('postgres', "SELECT string_agg(id::text, ',' ORDER BY id) FROM idx_history WHERE requested_by = '$role'"),
       "other cluster: row-level security shows $role its own rows");
}

# the index OIDs are identified again there (by idx_kick: also idx_check)
my $bound = q{SELECT string_agg(id || ':' || (index_oid = to_regclass(quote_ident(schema_name) || '.' || quote_ident(index_name)))::text, ','
                 ORDER BY id) FROM idx_history WHERE status = 'done' AND operation = 'create' AND parent_id IS DISTINCT FROM -1};
is($other->safe_psql('restored', $bound), '1:false,2:false,3:false,5:false,6:false,7:false',
   'other cluster: the restored index OIDs are the old cluster\'s');
$other->safe_psql('restored', 'SELECT idx_kick()');
is($other->safe_psql('restored', $bound), '1:true,2:true,3:true,5:true,6:true,7:true',
   'other cluster: idx_kick() records this cluster\'s');

# the queued row builds there, as alice (the owner of ta: no other role could)
$other->safe_psql('restored', "UPDATE idx_history SET not_before = NULL WHERE id = $queued; SELECT idx_kick()");
$other->safe_psql('restored', "CALL idx_wait($queued)");
is($other->safe_psql('restored', "SELECT status || ' ' || pg_get_userbyid(role_oid) FROM idx_history WHERE id = $queued"),
   'done alice', 'other cluster: the queued row is built as alice');
is($other->safe_psql('restored', q{SELECT count(*) FROM pg_index WHERE indexrelid = 'ta_ab_idx'::regclass AND indisvalid}),
   '1', 'other cluster: its index is there');

# a done row rolls back there
my $ta_a = $other->safe_psql('restored', q{SELECT id FROM idx_history WHERE index_name = 'ta_a_idx'});
my $drop = $other->safe_psql('restored', "SET ROLE alice; SELECT idx_rollback($ta_a)");
$other->safe_psql('restored', "CALL idx_wait($drop)");
is($other->safe_psql('restored', "SELECT status FROM idx_history WHERE id = $ta_a"), 'rolled_back',
   'other cluster: a restored row rolls back');
is($other->safe_psql('restored', q{SELECT count(*) FROM pg_class WHERE relname = 'ta_a_idx'}), '0',
   'other cluster: its index is dropped');

$other->stop;
$node->stop;
done_testing();
