# The start-up launcher (shared_preload_libraries) that finds no free
# background worker slot retries every second, but logs it once when the
# wait begins (then at growing intervals from a minute on), with a hint
# that names the setting to raise (issue 19, review finding: it logged a
# WARNING every second, for as long as the slots stayed taken).
#
# max_worker_processes = 1 and no logical replication launcher: the
# launcher itself holds the only slot, so no worker can ever start.  The
# claim is about what is *not* logged during a span of time, so the test
# watches a bounded span: 6 seconds after the first WARNING (6 retries),
# measured by the server's clock, not slept in a statement.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('launcher_slots');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'index_advisor'
max_worker_processes = 1
max_logical_replication_workers = 0
});
$node->start;

# (0.2 before this said "could not start an index_advisor worker")
my $warning = qr/WARNING:  (?:index_advisor launcher cannot start a worker for database \d+: no background worker slot is free|could not start an index_advisor worker)/;
my $first_seen;
for (my $i = 0; $i < 300 && !defined $first_seen; $i++)
{
	if (slurp_file($node->logfile) =~ $warning)
	{
		$first_seen = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
		last;
	}
	usleep(100_000);
}
ok(defined $first_seen, 'the launcher warns that no worker slot is free');
ok($node->poll_query_until('postgres',
	"SELECT clock_timestamp() >= '$first_seen'::timestamptz + interval '6 seconds'"),
	'six seconds (six retries) pass');

my $log = slurp_file($node->logfile);
my $count = () = $log =~ /$warning/g;
is($count, 1, 'one WARNING for the whole wait, not one a second');
like($log, qr/$warning\n(?:.*\n)*?.*HINT:  You may need to increase "max_worker_processes"\./,
	'... whose hint names the setting to raise');
like($log, qr/DETAIL:  It tries again every second; this is logged again only if it still waits in 60 seconds/,
	'... and whose detail says when it is logged again');
$node->stop;
done_testing();
