# The autopilot builds for statements whose recorded text does not parse as
# it stands: pg_stat_statements records "interval '30 days'" as
# "interval $2", which idx_apply cannot plan.  The recommendation keeps the
# text the advisor planned ("$2::interval") beside the recorded one, and
# idx_apply gets that: the build is queued, not rejected with 42601 (what
# bench/autopilot.sh showed for carts (touched_at) before).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('autopilot_texts');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,index_advisor'
index_advisor.autopilot_min_calls = 20
log_statement = none
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION index_advisor;
    CREATE TABLE ev (id int PRIMARY KEY, k int NOT NULL, at timestamptz NOT NULL);
    INSERT INTO ev SELECT g, g % 5000, now() - (g % 1000) * interval '1 hour'
      FROM generate_series(1, 200000) g;
    VACUUM ANALYZE ev;
});
my $dir = PostgreSQL::Test::Utils::tempdir;
open(my $fh, '>', "$dir/ev.sql") or die;
print $fh "\\set k random(1, 4999)\nSELECT count(*) FROM ev WHERE k = :k AND at > now() - interval '30 days';\n";
close $fh;

sub cycle
{
    return $node->safe_psql('postgres', q{SET client_min_messages = warning;
        SELECT COALESCE(string_agg(action || ' ' || COALESCE(status, '-') || ': ' || detail, E'\n'), '')
          FROM idx_autopilot_run()});
}

$node->safe_psql('postgres', q{SELECT idx_autopilot_set('apply')});
cycle();    # the first snapshot
$node->command_ok([ 'pgbench', '-n', '-t', '60', '-f', "$dir/ev.sql",
                    '-h', $node->host, '-p', $node->port, 'postgres' ], 'pgbench ev');
like($node->safe_psql('postgres',
         q{SELECT query FROM pg_stat_statements WHERE query LIKE 'SELECT count(*) FROM ev%'}),
     qr/interval \$\d/, 'pg_stat_statements recorded the typed literal as "interval $n"');
my $steps = cycle();
like($steps, qr/^queued building: /m, 'the index is queued') or diag($steps);
unlike($steps, qr/rejected/, 'not rejected by idx_apply');
like($node->safe_psql('postgres', q{
         SELECT array_to_string(h.queries, ' ')
           FROM idx_recommendations r JOIN idx_history h ON h.id = r.history_id
          WHERE r.table_name = 'ev'}),
     qr/\$\d::interval/, 'idx_apply stored the text the advisor planned');
is($node->safe_psql('postgres', q{
         SELECT count(*) FROM idx_recommendations r, jsonb_array_elements(r.statements) s
          WHERE r.table_name = 'ev' AND s->>'query' ~ 'interval \$\d' AND s->>'planned' ~ '::interval'}),
   '1', 'the recommendation keeps both texts');

$node->stop;
done_testing();
