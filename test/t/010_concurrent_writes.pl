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

# Writers run in back-to-back pgbench rounds of $seconds each, started
# until the build has ended (however long a loaded machine makes it), so the
# build is always inside the writing period.
my $seconds = 10;
my @rounds;
sub start_round
{
    my $k = scalar @rounds;
    my %r = (out => '', err => '');
    my @cmd = ('pgbench', '-n', '-c', '4', '-j', '2', '-T', $seconds, '-f', $script,
               '-l', '--log-prefix', "$dir/lat$k",
               '-h', $node->host, '-p', $node->port, 'postgres');
    $r{h} = IPC::Run::start(\@cmd, '>', \$r{out}, '2>', \$r{err});
    push @rounds, \%r;
}
my $t0 = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
start_round();

# let the writers get going, then ask for the index
sleep 2;
my $id = $node->safe_psql('postgres',
    q{SELECT idx_apply('CREATE INDEX big_b_a_idx ON big (b, a)')});
my $ended = 0;
for my $i (1 .. 3000)    # 0.2 s polls: at most 10 minutes
{
    $ended = $node->safe_psql('postgres',
        "SELECT status IN ('done', 'failed', 'cancelled') FROM idx_history WHERE id = $id") eq 't';
    last if $ended;
    my $h = $rounds[-1]{h};
    $h->pump_nb if $h->pumpable;
    unless ($h->pumpable)
    {
        $rounds[-1]{ok} = $h->finish;
        start_round();
    }
    select(undef, undef, undef, 0.2);
}
ok($ended, 'build ended');
for my $r (@rounds)
{
    $r->{ok} = $r->{h}->finish unless exists $r->{ok};
    ok($r->{ok}, 'pgbench round ran without error') or diag($r->{err});
}
my $t_end = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
note(scalar(@rounds) . " pgbench rounds of $seconds s");

my $row = $node->safe_psql('postgres',
    "SELECT status, coalesce(error_message, '') FROM idx_history WHERE id = $id");
is($row, 'done|', 'index built through idx_apply');
is($node->safe_psql('postgres',
    q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_b_a_idx'::regclass}),
   't', 'index is valid');

# the build started and ended while the writers were running: after the
# first round began, and before the last one ended
is($node->safe_psql('postgres',
    "SELECT started_at > '$t0' AND finished_at < '$t_end' FROM idx_history WHERE id = $id"),
   't', 'build overlapped the writes');

# every transaction committed, none waited a second
my ($n, $max, $failed, $reported) = (0, 0, 0, 0);
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
for my $r (@rounds)
{
    $reported += $1 if $r->{out} =~ /number of transactions actually processed: (\d+)/;
}
ok($n > 100, "writers committed $n transactions");
is($failed, 0, 'no write failed');
cmp_ok($max, '<', 1_000_000, "slowest write took ${max} us, under a second");
is($reported, $n, 'pgbench and its logs agree');

# the row count is exact: one insert per transaction
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'), 1000000 + $n,
   'row count exact');

$node->stop;
done_testing();
