# A table of 1M rows gets an index through idx_apply while four clients
# insert and update it without pause: no write fails or waits a second, the
# row count is exact, and the build really overlapped the writes.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use File::Temp qw(tempdir);

my $node = PostgreSQL::Test::Cluster->new('writes');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION index_advisor');
$node->safe_psql('postgres', q{
    CREATE TABLE big (id bigserial PRIMARY KEY, a integer NOT NULL, b text NOT NULL);
    INSERT INTO big (a, b) SELECT g % 100000, md5(g::text) FROM generate_series(1, 1000000) g;
    VACUUM ANALYZE big;
});

my $dir = tempdir(CLEANUP => 1);
my $script = "$dir/write.sql";
open my $fh, '>', $script or die;
print $fh <<'SQL';
\set id random(1, 1000000)
INSERT INTO big (a, b) VALUES (:id % 100000, 'new');
UPDATE big SET b = md5(random()::text) WHERE id = :id;
SQL
close $fh;

my $seconds = 20;
my ($out, $err) = ('', '');
my @cmd = ('pgbench', '-n', '-c', '4', '-j', '2', '-T', $seconds, '-f', $script,
           '-l', '--log-prefix', "$dir/lat",
           '-h', $node->host, '-p', $node->port, 'postgres');
my $t0 = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
my $bench = IPC::Run::start(\@cmd, '>', \$out, '2>', \$err);

# let the writers get going, then ask for the index
sleep 2;
my $id = $node->safe_psql('postgres',
    q{SELECT idx_apply('CREATE INDEX big_b_a_idx ON big (b, a)')});
ok($node->poll_query_until('postgres',
    "SELECT status IN ('done', 'failed', 'cancelled') FROM idx_history WHERE id = $id"),
   'build ended');
my $t_done = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
IPC::Run::finish($bench);
is($?, 0, 'pgbench ran without error') or diag($err);

my $row = $node->safe_psql('postgres',
    "SELECT status, coalesce(error_message, '') FROM idx_history WHERE id = $id");
is($row, 'done|', 'index built through idx_apply');
is($node->safe_psql('postgres',
    q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_b_a_idx'::regclass}),
   't', 'index is valid');

# the build started and ended while the writers were running
my $t_end = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
is($node->safe_psql('postgres',
    "SELECT started_at > '$t0' AND finished_at < '$t0'::timestamptz + interval '$seconds seconds' FROM idx_history WHERE id = $id"),
   't', 'build overlapped the writes');

# every transaction committed, none waited a second
my ($n, $max, $failed) = (0, 0, 0);
for my $log (glob("$dir/lat*"))
{
    open my $lf, '<', $log or die;
    while (<$lf>)
    {
        my @f = split;
        $n++;
        $max = $f[2] if $f[2] > $max;
        $failed++ if $f[2] eq 'failed';
    }
}
ok($n > 100, "writers committed $n transactions");
is($failed, 0, 'no write failed');
cmp_ok($max, '<', 1_000_000, "slowest write took ${max} us, under a second");
like($out, qr/number of transactions actually processed: $n\b/, 'pgbench and its logs agree');

# the row count is exact: one insert per transaction
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'), 1000000 + $n,
   'row count exact');

$node->stop;
done_testing();
