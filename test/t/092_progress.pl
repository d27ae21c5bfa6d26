# Progress that scales: an index on a table of 100 partitions is shown by
# idx_progress as counts (partitions_total, partitions_built) and the
# partition index being built, and CALL idx_wait() prints one line per
# phase for it, not one per partition: the number of NOTICE lines stays
# bounded whatever the number of partitions.
#
# The build is held on partition 50 by a writer's open transaction, so the
# state seen mid-build is exact: 49 of 100 built, ev_050_kind_idx waiting
# for writers.  idx_wait runs with a search_path whose first schema has
# look-alike text operators that raise an error.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $parts = 100;

my $node = PostgreSQL::Test::Cluster->new('progress');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', qq{
    CREATE EXTENSION index_advisor;
    CREATE TABLE ev (id integer, at integer NOT NULL, kind integer) PARTITION BY RANGE (at);
    SELECT format('CREATE TABLE ev_%s PARTITION OF ev FOR VALUES FROM (%s) TO (%s)',
                  lpad(g::text, 3, '0'), g, g + 1)
      FROM generate_series(1, $parts) g \\gexec
    INSERT INTO ev SELECT g, g % $parts + 1, g % 7 FROM generate_series(1, 50000) g;
});

# operators that a caller's search_path could put before pg_catalog's: the
# lines idx_wait prints must not use them
$node->safe_psql('postgres', q{
    CREATE SCHEMA evil;
    CREATE FUNCTION evil.op(text, text) RETURNS boolean LANGUAGE plpgsql
        AS $$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
    CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.op);
    CREATE OPERATOR evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.op);
    CREATE OPERATOR evil.~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.op);
});

my $writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe('INSERT INTO ev VALUES (0, 50, 0)');

my $id = $node->safe_psql('postgres', q{SELECT idx_apply('CREATE INDEX ON ev (kind)')});
ok($node->poll_query_until('postgres',
    "SELECT partition_index_building = 'ev_050_kind_idx' FROM idx_progress WHERE id = $id"),
   'the build reaches the held partition');
is($node->safe_psql('postgres', qq{
    SELECT concat_ws(' ', partitions_total, partitions_built, partition_index_building,
                     phase, blocked_by_state)
      FROM idx_progress WHERE id = $id}),
   "$parts 49 ev_050_kind_idx waiting for writers before build idle in transaction",
   'idx_progress: 49 of 100 partitions built, the 50th waits for the writer');
is($node->safe_psql('postgres', qq{
    SELECT count(*) || ' ' || count(phase) || ' ' || string_agg(index_name, ',') FILTER (WHERE phase IS NOT NULL)
      FROM idx_progress WHERE parent_id = $id}),
   "$parts 1 ev_050_kind_idx",
   'idx_progress: of the partition rows, only the one being built shows a phase');

# CALL idx_wait() from another session while the build is held there
my ($out, $err) = ('', '');
my $wait = IPC::Run::start(
    [ 'psql', '-XAtq', '-d', $node->connstr('postgres'),
      '-c', 'SET search_path = evil, pg_catalog, public', '-c', 'CALL idx_wait()' ],
    '>', \$out, '2>', \$err);
my $deadline = time() + 60;
while ($err !~ /49 of $parts/ && time() < $deadline)
{
    IPC::Run::pump_nb($wait);
    usleep(100_000);
}
like($err, qr/NOTICE:  $id ev_kind_idx: 49 of $parts partitions built, building ev_050_kind_idx: waiting for writers before build, blocked by pid \d+ \(idle in transaction for [0-9:]+: "INSERT INTO ev VALUES \(0, 50, 0\)[^"\n]*"\)$/m,
     'idx_wait: one line with the counts and the partition being built');
$writer->query_safe('COMMIT');
$writer->quit;
$wait->finish;
is($?, 0, 'idx_wait ends without error, whatever operators the search_path puts first') or diag($err);

my @notices = $err =~ /^NOTICE:  (.*)$/mg;
note("idx_wait printed:\n" . join("\n", @notices));
like($notices[-1], qr/^$id ev_kind_idx: create done in .* \($parts partition indexes\)$/,
     'the last line says the whole build is done, with the number of partitions');
ok(@notices <= 12, 'idx_wait printed ' . scalar(@notices) . " lines for $parts partitions (at most 12)")
  or diag(join("\n", @notices));
is(scalar(grep { !/^$id ev_kind_idx: / } @notices), 0, 'every line is about the partitioned row')
  or diag(join("\n", @notices));
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $id"), 'done',
   'the build is done');

$node->stop;
done_testing();
