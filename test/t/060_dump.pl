# The history is kept by pg_dump: a dump restored into a new database has
# the same rows, and the sequence goes on from where it was.
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
my $rows = q{SELECT string_agg(concat_ws('|', id, migration, index_name, status, indexdef, queries::text, requested_by), E'\n' ORDER BY id) FROM idx_history};
my $before = $node->safe_psql('postgres', $rows);

my $file = $node->basedir . '/dump.pgc';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $file, '-d', $node->connstr('postgres') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $file ], 'pg_restore');

is($node->safe_psql('restored', $rows), $before, 'history rows restored');
like($before, qr/t_a_idx\|done\|CREATE INDEX t_a_idx/, 'and they are the real ones');
my $next = $node->safe_psql('restored',
    q{SELECT idx_apply('CREATE INDEX t_ab_idx ON t (a, b)')});
is($next, '3', 'new rows go on after the restored ones');
$node->safe_psql('restored', 'CALL idx_wait()');
is($node->safe_psql('restored', 'SELECT status FROM idx_history WHERE id = 3'), 'done',
   'and are built in the restored database');

$node->stop;
done_testing();
