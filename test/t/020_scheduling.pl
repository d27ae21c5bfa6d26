# Scheduling of the workers, read from the history the workers keep:
# two builds on one table never overlap; builds on two tables do; with
# index_advisor.max_workers = 1 nothing overlaps; idx_cancel stops a build
# in progress and leaves no INVALID index, and the same definition then
# applies again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('sched');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION index_advisor');
for my $t (qw(t1 t2 t3))
{
    $node->safe_psql('postgres', qq{
        CREATE TABLE $t (a integer, b text, c text);
        INSERT INTO $t SELECT g, md5(g::text), md5((g + 1)::text) FROM generate_series(1, 400000) g;
        VACUUM ANALYZE $t;
    });
}

sub wait_all
{
    my ($ids) = @_;
    ok($node->poll_query_until('postgres',
        "SELECT bool_and(status IN ('done', 'failed', 'cancelled')) FROM idx_history WHERE id IN ($ids)"),
       "rows $ids ended");
    is($node->safe_psql('postgres',
        "SELECT string_agg(DISTINCT status, ',') FROM idx_history WHERE id IN ($ids)"),
       'done', "rows $ids done");
}

# do the intervals [started_at, finished_at] of two rows overlap?
sub overlap
{
    my ($x, $y) = @_;
    return $node->safe_psql('postgres', qq{
        SELECT greatest(x.started_at, y.started_at) < least(x.finished_at, y.finished_at)
          FROM idx_history x, idx_history y WHERE x.id = $x AND y.id = $y});
}

sub apply2
{
    my ($d1, $d2) = @_;
    my $ids = $node->safe_psql('postgres', qq{
        BEGIN;
        SELECT idx_apply('$d1');
        SELECT idx_apply('$d2');
        COMMIT;});
    return split /\n/, $ids;
}

# 1. the same table: serialised, first come first served
my ($a1, $a2) = apply2('CREATE INDEX t1_b ON t1 (b)', 'CREATE INDEX t1_c ON t1 (c)');
wait_all("$a1,$a2");
is(overlap($a1, $a2), 'f', 'two builds on one table never run together');
is($node->safe_psql('postgres',
    "SELECT (SELECT started_at FROM idx_history WHERE id = $a1) < (SELECT started_at FROM idx_history WHERE id = $a2)"),
   't', 'in the order they were asked for');

# 2. two tables, max_workers = 2 (the default): concurrent
my ($b1, $b2) = apply2('CREATE INDEX t2_b ON t2 (b, c)', 'CREATE INDEX t3_b ON t3 (b, c)');
wait_all("$b1,$b2");
is(overlap($b1, $b2), 't', 'builds on two tables run together');
isnt($node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $b1"),
     $node->safe_psql('postgres', "SELECT worker_pid FROM idx_history WHERE id = $b2"),
     'in two workers');

# 3. max_workers = 1: one build at a time in the database
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM SET index_advisor.max_workers = 1");
$node->reload;
my ($c1, $c2) = apply2('CREATE INDEX t2_c ON t2 (c, b)', 'CREATE INDEX t3_c ON t3 (c, b)');
wait_all("$c1,$c2");
is(overlap($c1, $c2), 'f', 'max_workers = 1: builds on two tables one after the other');
$node->safe_psql('postgres', "LOAD 'index_advisor'; ALTER SYSTEM RESET index_advisor.max_workers");
$node->reload;

# 4. idx_cancel on a running build
$node->safe_psql('postgres', q{
    CREATE TABLE huge AS SELECT g AS a, md5(g::text) AS b FROM generate_series(1, 3000000) g;});
my $d = $node->safe_psql('postgres', q{SELECT idx_apply('CREATE INDEX huge_b ON huge (b, a)')});
ok($node->poll_query_until('postgres',
    "SELECT phase LIKE 'building index%' FROM idx_progress WHERE id = $d"),
   'build is running');
is($node->safe_psql('postgres', "SELECT idx_cancel($d)"), 't', 'idx_cancel says it stopped it');
my ($ret, $stdout, $stderr) = $node->psql('postgres', "CALL idx_wait($d)");
isnt($ret, 0, 'idx_wait fails for a cancelled build');
like($stderr, qr/cancelled \(57014\)/, 'and says why');
is($node->safe_psql('postgres', "SELECT status || ' ' || error_code FROM idx_history WHERE id = $d"),
   'cancelled 57014', 'row cancelled with its SQLSTATE');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname = 'huge_b'}),
   '0', 'no INVALID index left behind');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_index WHERE NOT indisvalid}),
   '0', 'no INVALID index anywhere');
my $e = $node->safe_psql('postgres', q{SELECT idx_apply('CREATE INDEX huge_b ON huge (b, a)')});
($ret, $stdout, $stderr) = $node->psql('postgres', "CALL idx_wait($e)");
is($ret, 0, 'the same definition applies again') or diag($stderr);

# no worker is left behind once the queue is empty
ok($node->poll_query_until('postgres',
    q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'index_advisor worker'}),
   'workers exit when the queue is empty');

$node->stop;
done_testing();
