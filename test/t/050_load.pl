# Load: 10 indexes applied (on a plain and on a partitioned table) while
# 4 clients write without pause for 60 seconds: no write fails, the row
# counts are exact, and all 10 end done with no INVALID index.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use File::Temp qw(tempdir);

my $seconds = $ENV{IA_LOAD_SECONDS} // 60;
my $node = PostgreSQL::Test::Cluster->new('load');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE acc (id bigserial PRIMARY KEY, owner integer NOT NULL, kind text NOT NULL,
                      amount numeric NOT NULL, note text);
    INSERT INTO acc (owner, kind, amount, note)
    SELECT g % 5000, (ARRAY['a', 'b', 'c'])[g % 3 + 1], g % 1000, md5(g::text)
      FROM generate_series(1, 300000) g;
    CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, owner integer NOT NULL, v integer)
        PARTITION BY RANGE (at);
    CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2026-07-01');
    CREATE TABLE ev_2 PARTITION OF ev FOR VALUES FROM ('2026-07-01') TO ('2027-01-01');
    INSERT INTO ev SELECT g, date '2026-01-01' + g % 365, g % 5000, g FROM generate_series(1, 300000) g;
    VACUUM ANALYZE acc, ev;
});

my $dir = tempdir(CLEANUP => 1);
open my $fh, '>', "$dir/write.sql" or die;
print $fh <<'SQL';
\set id random(1, 300000)
\set o random(1, 5000)
INSERT INTO acc (owner, kind, amount, note) VALUES (:o, 'b', :id % 100, 'load');
UPDATE acc SET amount = amount + 1 WHERE id = :id;
INSERT INTO ev VALUES (:id, date '2026-01-01' + :id % 365, :o, 0);
SQL
close $fh;

my ($out, $err) = ('', '');
my $bench = IPC::Run::start(
    [ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', $seconds, '-f', "$dir/write.sql",
      '-h', $node->host, '-p', $node->port, 'postgres' ],
    '>', \$out, '2>', \$err);
sleep 2;

my @defs = (
    'CREATE INDEX ON acc (owner, kind)',
    'CREATE INDEX ON acc (owner, id DESC) INCLUDE (amount)',
    'CREATE INDEX ON acc (kind) WHERE amount > 900',
    'CREATE INDEX ON acc (lower(note))',
    'CREATE INDEX ON acc USING hash (note)',
    'CREATE INDEX ON acc USING brin (id)',
    'CREATE INDEX ON ev (owner, at)',
    'CREATE INDEX ON ev (v) WHERE v > 100',
    'CREATE INDEX ON ev USING brin (at)',
    'CREATE INDEX ON ev (at DESC, owner)');
my @ids;
for my $d (@defs)
{
    push @ids, $node->safe_psql('postgres', "SELECT idx_apply('$d', migration => 'load')");
    sleep 1;
}
my $ids = join(',', @ids);
ok($node->poll_query_until('postgres',
    "SELECT bool_and(status IN ('done', 'failed', 'cancelled')) FROM idx_history WHERE id IN ($ids)"),
   'all 10 ended');
ok($bench->pumpable, 'the writers were still running when the last index was done');

IPC::Run::finish($bench);
is($?, 0, 'pgbench ran without error') or diag($err);
my ($n) = $out =~ /number of transactions actually processed: (\d+)/;
ok(defined $n && $n > 100, "writers committed $n transactions");
like($out, qr/number of failed transactions: 0 /, 'no write failed');

is($node->safe_psql('postgres',
    "SELECT string_agg(DISTINCT status, ',') FROM idx_history WHERE id IN ($ids)"),
   'done', 'all 10 done');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
   '0', 'no INVALID index');
is($node->safe_psql('postgres', 'SELECT count(*) FROM acc'), 300000 + $n, 'acc row count exact');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ev'), 300000 + $n, 'ev row count exact');

$node->stop;
done_testing();
