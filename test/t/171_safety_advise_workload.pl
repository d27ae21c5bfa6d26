# Issue 19, item 1, through idx_advise_workload() (doc/safety-planning.md,
# "The advisor"): a role's statement in pg_stat_statements whose WHERE calls
# its IMMUTABLE g(), which calls a VOLATILE evil(), never runs evil() with
# the rights of the superuser who asks for advice.  evil() advances a
# sequence of the superuser when, and only when, it runs as a superuser;
# setval() survives the subtransactions the advisor rolls back, so the
# sequence is what a user would look at.  The advice is still given: the
# candidate (a + g()) is folded by the statement's planning role (mallory),
# so the index offered is ((a + 1)), which serves the statement.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('safety_advise_workload');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pg_stat_statements'\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE EXTENSION pg_stat_statements;
    CREATE ROLE mallory LOGIN;
    CREATE SCHEMA m AUTHORIZATION mallory;
    CREATE SEQUENCE public.pwned;     -- the superuser's, not mallory's
});
$node->safe_psql('postgres', q{
    CREATE FUNCTION m.evil() RETURNS void VOLATILE LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
            PERFORM pg_catalog.setval('public.pwned', 666);
        END IF;
    END $$;
    CREATE FUNCTION m.g() RETURNS int IMMUTABLE LANGUAGE plpgsql AS
      $$ BEGIN PERFORM m.evil(); RETURN 1; END $$;
    CREATE TABLE m.t (a int, b int);
    INSERT INTO m.t SELECT g, g % 1000 FROM generate_series(1, 50000) g;
    ANALYZE m.t;
}, extra_params => ['-U', 'mallory']);

# mallory's workload, as pg_stat_statements records it
$node->safe_psql('postgres', q{
    SELECT pg_stat_statements_reset();
});
$node->safe_psql('postgres',
    join('', map { "SELECT count(*) FROM m.t WHERE a + m.g() = $_;\n"
                   . "SELECT count(*) FROM m.t WHERE b = $_;\n" } 1 .. 5),
    extra_params => ['-U', 'mallory']);
is($node->safe_psql('postgres',
        "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '%m.g()%'"),
   '1', 'pg_stat_statements recorded mallory\'s statement that calls g()');
is($node->safe_psql('postgres', 'SELECT last_value FROM public.pwned'), '1',
   'the sequence starts at 1');

# the superuser asks, in a new session
my $advice = $node->safe_psql('postgres', q{
    SET client_min_messages = warning;
    SELECT definition FROM idx_advise_workload() WHERE definition IS NOT NULL ORDER BY 1;
});
is($node->safe_psql('postgres', 'SELECT last_value, is_called FROM public.pwned'),
   '1|f', 'evil() never ran as the superuser (the sequence did not move)');
like($advice, qr/ON m\.t \(+a \+ 1\)+/,
     'the statement calling g() still gets its index, with g() folded by mallory');
like($advice, qr/ON m\.t \(b\)/, 'and mallory\'s other statement its own');

# the advice goes to idx_apply as is (mallory owns the table)
$node->safe_psql('postgres', q{
    SET client_min_messages = warning;
    SELECT idx_apply(definition, queries, migration => 'advised_171')
      FROM idx_advise_workload() WHERE definition LIKE '%a + 1%';
}, extra_params => ['-U', 'mallory']);
ok($node->poll_query_until('postgres',
    "SELECT bool_and(status = 'done') AND count(*) = 1 FROM idx_history WHERE migration = 'advised_171'"),
   'the advised expression index was built');
# (planned as mallory: a superuser's own EXPLAIN would run g() as itself)
is($node->safe_psql('postgres', q{
    SET enable_seqscan = off;
    EXPLAIN (COSTS OFF) SELECT count(*) FROM m.t WHERE a + m.g() = 5;
}, extra_params => ['-U', 'mallory']) =~ /Index.*Scan/ ? 'used' : 'not used', 'used',
   'and serves the statement that calls g()');
is($node->safe_psql('postgres', 'SELECT last_value, is_called FROM public.pwned'),
   '1|f', 'evil() never ran as the superuser at any step');

$node->stop;
done_testing();
