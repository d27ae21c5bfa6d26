# Hypothetical indexes never leak: while one session plans thousands of
# times with a hypothetical index (idx_whatif in a loop), another session's
# EXPLAIN of the same query never shows it, no catalog row appears, and the
# session that ran idx_whatif sees no trace of it afterwards, also after an
# idx_whatif that failed while planning, and after a cancel in the middle.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('whatif_sessions');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE TABLE s (id integer, k integer, v text);
    INSERT INTO s SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 100000) g;
    VACUUM ANALYZE s;
});
my $classes = $node->safe_psql('postgres', 'SELECT count(*) FROM pg_class');

# session A: idx_whatif of 100 queries, 400 times (80,000 plannings), then a
# marker row
my $a = $node->background_psql('postgres', on_error_stop => 0);
$a->query_until(qr/started/, q{
    \echo started
    CREATE TABLE done (at timestamptz);
    DO $$
    BEGIN
      FOR i IN 1..400 LOOP
        PERFORM * FROM idx_whatif(ARRAY['CREATE INDEX s_k_hypo ON s (k)'],
                                  array_fill('SELECT * FROM s WHERE k = 7'::text, ARRAY[100]));
      END LOOP;
    END $$;
    INSERT INTO done VALUES (now());
});

# session B: EXPLAIN the same query until A is done; never the hypothetical
# index
my $explains = 0;
my $seen = 0;
my $finished = 0;
for my $i (1 .. 3000)
{
    my $plan = $node->safe_psql('postgres',
        'EXPLAIN SELECT * FROM s WHERE k = 7');
    $explains++;
    $seen++ if $plan =~ /s_k_hypo|Index/;
    $finished = $node->safe_psql('postgres',
        q{SELECT count(*) FROM pg_class WHERE relname = 'done'}) eq '1'
      && $node->safe_psql('postgres', 'SELECT count(*) FROM done') eq '1';
    last if $finished;
    usleep(20_000);
}
ok($finished, 'session A finished its 80,000 plannings');
cmp_ok($explains, '>', 1, "session B planned $explains times meanwhile");
is($seen, 0, 'session B never saw the hypothetical index');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_class'),
    $classes + 1, 'no catalog row but table "done"');

# session A itself, after the loop, after an error while planning, after a
# cancel in the middle of an idx_whatif
my $out = $a->query_safe('EXPLAIN SELECT * FROM s WHERE k = 7');
unlike($out, qr/Index/, 'session A: a plain EXPLAIN does not see it');
$a->query(q{SELECT * FROM idx_whatif(ARRAY['CREATE INDEX s_k_hypo ON s (k)'],
                                     ARRAY['SELECT * FROM s WHERE k = 7 AND id = 1/0'])});
like($a->{stderr}, qr/division by zero/, 'an error while planning is raised');
# (BackgroundPsql keeps the stderr of a failed query: query, not query_safe)
$out = $a->query('EXPLAIN SELECT * FROM s WHERE k = 7');
like($out, qr/Seq Scan/, 'session A: planned again');
unlike($out, qr/Index/, 'session A: not seen after the error');

my $pid = $a->query('SELECT pg_backend_pid()');
$a->query_until(qr/looping/, q{
    \echo looping
    DO $$
    BEGIN
      FOR i IN 1..100000 LOOP
        PERFORM * FROM idx_whatif(ARRAY['CREATE INDEX s_k_hypo ON s (k)'],
                                  ARRAY['SELECT * FROM s WHERE k = 7']);
      END LOOP;
    END $$;
});
usleep(300_000);
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
$out = $a->query('EXPLAIN SELECT * FROM s WHERE k = 7');
like($a->{stderr}, qr/canceling statement due to user request/,
    'the cancel stopped idx_whatif (not swallowed)');
unlike($out, qr/Index/, 'session A: not seen after the cancel');
$a->quit;

done_testing();
