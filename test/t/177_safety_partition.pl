# A partition added while the index of its partitioned table is built
# (issue 19, review finding): the partitioned index is not valid once the
# partitions the worker planned are attached.  The row fails, and what its
# message tells the user to do works: the index left is dropped (nothing
# half-built stays), and applying the definition again builds a valid index
# over every partition.  (0.2 before this said "Roll it back with
# idx_rollback()", which idx_rollback refuses for a failed row, and left
# the INVALID index in place.)
#
# The window is held open without sleeping: a session keeps a snapshot, so
# the worker's CREATE INDEX CONCURRENTLY of the first partition waits for
# it (DESIGN fact 15); the new partition is created meanwhile.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('partition_hint');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION index_advisor;
	CREATE TABLE p (a integer) PARTITION BY RANGE (a);
	CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (1000);
	INSERT INTO p SELECT g FROM generate_series(0, 999) g;
});

my $hold = $node->background_psql('postgres');
$hold->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
$hold->query_safe('SELECT 1');
my $id = $node->safe_psql('postgres', q{SELECT idx_apply('CREATE INDEX p_a ON p (a)')});
ok($node->poll_query_until('postgres', q{
	SELECT EXISTS (SELECT 1 FROM pg_stat_activity
	                WHERE backend_type = 'index_advisor worker'
	                  AND wait_event_type = 'Lock' AND wait_event = 'virtualxid')}),
	'the build of the first partition waits for the open snapshot');
$node->safe_psql('postgres', 'CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (1000) TO (2000)');
$hold->query_safe('COMMIT');
$hold->quit;

ok($node->poll_query_until('postgres',
	"SELECT status NOT IN ('queued', 'waiting', 'building') FROM idx_history WHERE id = $id"),
	'the build ends');
is($node->safe_psql('postgres', "SELECT status || ' ' || error_code FROM idx_history WHERE id = $id"),
	'failed 55000', 'the row fails: the partitioned index is not valid');
my $detail = $node->safe_psql('postgres', "SELECT error_detail FROM idx_history WHERE id = $id");
like($detail, qr/A partition was added while the index was built/, '... the message says why');
like($detail, qr/Apply the definition again with idx_apply\(\)/, '... and what to do');
unlike($detail, qr/idx_rollback/, '... not a rollback, which a failed row cannot have');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_index WHERE indrelid IN ('p'::regclass, 'p1'::regclass, 'p2'::regclass)}),
	'0', 'no index is left, valid or not');
is($node->safe_psql('postgres', "SELECT string_agg(status, ',') FROM idx_history WHERE parent_id = $id"),
	'failed', 'the part of the first partition is failed too');

# doing what the message says works
my $again = $node->safe_psql('postgres', q{SELECT idx_apply('CREATE INDEX p_a ON p (a)')});
$node->safe_psql('postgres', "CALL idx_wait($again)");
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $again"), 'done',
	'applying the definition again: done');
is($node->safe_psql('postgres', q{SELECT count(*) FILTER (WHERE indisvalid) || '/' || count(*)
	FROM pg_index WHERE indrelid IN ('p'::regclass, 'p1'::regclass, 'p2'::regclass)}),
	'3/3', '... a valid index on the table and on both partitions');
$node->stop;
done_testing();
