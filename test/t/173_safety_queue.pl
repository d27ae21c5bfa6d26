# Two concurrent requests to drop the same index queue one drop, not two
# (issue 19, review finding).  The check "is a drop of this index already
# queued?" and the INSERT of the drop row ran without a lock, so a second
# transaction, not seeing the first one's uncommitted row, queued a second
# drop.  Now the check holds a lock on what is dropped until the
# transaction ends: the second request waits for the first transaction,
# then sees its row and is refused (55000).
#
# Both paths of idx_apply_script's DROP INDEX: an index index_advisor did
# not build (a drop row of its own) and one it built (a rollback of its
# create row; that one already waited, on the create row's FOR UPDATE, but
# then checked with the statement's snapshot, older than the first
# request's commit).  A session holding the table in SHARE mode keeps the
# worker's DROP INDEX CONCURRENTLY waiting, so the first drop stays live
# while the second is checked.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('drop_race');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION index_advisor;
	CREATE TABLE t (a integer, b integer);
	INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
	CREATE INDEX t_b ON t (b);
});
my $built = $node->safe_psql('postgres', q{SELECT idx_apply('CREATE INDEX t_a ON t (a)')});
$node->safe_psql('postgres', "CALL idx_wait($built)");
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $built"), 'done',
	'the index index_advisor builds is done');

my $hold = $node->background_psql('postgres');
$hold->query_safe('BEGIN');
$hold->query_safe('LOCK TABLE t IN SHARE MODE');

for my $index ('t_b', 't_a')
{
	my $first = $node->background_psql('postgres');
	my $second = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $second->query_safe('SELECT pg_backend_pid()');

	$first->query_safe('BEGIN');
	$first->query_safe("SELECT count(*) FROM idx_apply_script('DROP INDEX $index', 'first')");
	$second->query_until(qr/sent/,
		"\\echo sent\nSELECT count(*) FROM idx_apply_script('DROP INDEX $index', 'second');\n");
	ok($node->poll_query_until('postgres',
		"SELECT wait_event_type = 'Lock' OR state = 'idle' FROM pg_stat_activity WHERE pid = $pid"),
		"$index: the second request has waited or ended");
	is($node->safe_psql('postgres', "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $pid"),
		'Lock', "$index: the second request waits for the first transaction");
	$first->query_safe('COMMIT');
	$second->query('SELECT 1');
	like($second->{stderr}, qr/ERROR:  a (drop of index "public\.$index"|rollback of history row \d+) is already queued/,
		"$index: ... then is refused");
	is($node->safe_psql('postgres', q{SELECT string_agg(migration || ' ' || (status IN ('queued', 'waiting', 'building')), ', ' ORDER BY id)
		FROM idx_history WHERE operation = 'drop' AND index_name = '} . $index . q{'}),
		'first true', "$index: one drop is queued (and not yet done), the first one's");
	$first->quit;
	$second->quit;
}

$hold->query_safe('COMMIT');
$hold->quit;
$node->safe_psql('postgres', 'CALL idx_wait()');
is($node->safe_psql('postgres', q{SELECT string_agg(index_name || ' ' || status, ', ' ORDER BY index_name)
	FROM idx_history WHERE operation = 'drop'}),
	't_a done, t_b done', 'each index is dropped once');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_index WHERE indrelid = 't'::regclass}), '0',
	'no index is left');
$node->stop;
done_testing();
