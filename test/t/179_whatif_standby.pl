# idx_whatif on a hot standby (issue 19, item 10; doc/safety-planning.md):
# hypothetical indexes take their fake OIDs from those free below
# FirstNormalObjectId, read from pg_class, so they need no OID counter (a
# standby cannot assign OIDs) and the standby answers as the primary does.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('whatif_primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', q{
    SET client_min_messages = warning;
    CREATE EXTENSION index_advisor;
    CREATE TABLE s (id int, k int, v text);
    INSERT INTO s SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 50000) g;
    VACUUM ANALYZE s;
});
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('whatif_standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't',
   'the standby is in recovery');

my $whatif = q{SELECT uses, scan FROM idx_whatif(
    ARRAY['CREATE INDEX s_k_hypo ON s (k)', 'CREATE INDEX ON s (v)'],
    ARRAY['SELECT * FROM s WHERE k = 7'])};
my $on_primary = $primary->safe_psql('postgres', $whatif);
is($on_primary, '{"CREATE INDEX s_k_hypo ON s (k)"}|Bitmap Index Scan',
   'the primary: the hypothetical index is used');
is($standby->safe_psql('postgres', $whatif), $on_primary,
   'the standby answers the same');
like($standby->safe_psql('postgres', q{SELECT plan FROM idx_whatif(
         ARRAY['CREATE INDEX s_k_hypo ON s (k)'],
         ARRAY['SELECT * FROM s WHERE k = 7'])}),
     qr/Bitmap Index Scan on s_k_hypo/, 'its plan names the index');
# many calls on the standby: fake OIDs wrap around, answers stay right
is($standby->safe_psql('postgres', q{
    SELECT count(*) FILTER (WHERE uses = ARRAY['CREATE INDEX s_k_hypo ON s (k)'])
      FROM generate_series(1, 1500) i,
           idx_whatif(ARRAY['CREATE INDEX s_k_hypo ON s (k)', 'CREATE INDEX ON s (v)'],
                      ARRAY['SELECT * FROM s WHERE k = ' || (i % 900)])}),
   '1500', '1,500 calls (3,000 hypothetical indexes) on the standby, all right');

$standby->stop;
$primary->stop;
done_testing();
