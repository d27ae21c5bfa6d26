# The pg_cron job runs idx_check() as the superuser; a stored query that
# joins a table of another role is still planned as that role, so the
# code of its expression index never runs as the superuser (issue 8,
# item 1; doc/safety-planning.md).  Debian's pg_cron 1.4 has minute
# granularity: the test waits for the next minute (at most 150 s).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('cron_isolation');
$node->init;
my $host = $node->host;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.host = '$host'
max_worker_processes = 16
});
$node->start;

my $superuser = $node->safe_psql('postgres', 'SELECT current_user');
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_cron;
    CREATE EXTENSION index_advisor;
    CREATE ROLE mallory LOGIN;
    CREATE SCHEMA app;
    GRANT USAGE ON SCHEMA app TO PUBLIC;
    GRANT CREATE ON SCHEMA app TO mallory;
    CREATE TABLE app.orders (id integer, cust integer);
    INSERT INTO app.orders SELECT g, g % 100 FROM generate_series(1, 10000) g;
    ANALYZE app.orders;
});
$node->safe_psql('postgres', q{
    SET ROLE mallory;
    CREATE TABLE app.cust (id integer, name text);
    GRANT SELECT ON app.cust TO PUBLIC;
    CREATE FUNCTION app.f(integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql
    AS $$BEGIN RAISE WARNING 'f() runs as %', current_user; RETURN $1; END$$;
});

# the superuser stores a query that joins mallory's table
my $id = $node->safe_psql('postgres', q{
    SELECT idx_apply('CREATE INDEX orders_cust_idx ON app.orders (cust)',
      ARRAY['SELECT * FROM app.orders o JOIN app.cust c ON c.id = o.cust WHERE o.cust = $1'])});
$node->safe_psql('postgres', "SET client_min_messages = warning; CALL idx_wait($id)");
is($node->safe_psql('postgres', "SELECT status FROM idx_history WHERE id = $id"),
   'done', 'the index is built');

# later, mallory adds an expression index whose function calls out
$node->safe_psql('postgres',
    'SET ROLE mallory; CREATE INDEX cust_f_idx ON app.cust ((id + app.f(0)))');

my $log_offset = -s $node->logfile;
my $job = $node->safe_psql('postgres', q{SELECT idx_schedule('* * * * *')});
like($job, qr/^\d+$/, 'idx_check() is scheduled');
is($node->safe_psql('postgres', "SELECT username FROM cron.job WHERE jobid = $job"),
   $superuser, 'the job runs as the superuser');

my $deadline = time() + 150;
my $ran = 0;
while (time() < $deadline)
{
    $ran = $node->safe_psql('postgres', qq{
        SELECT count(*) FROM cron.job_run_details
         WHERE jobid = $job AND status = 'succeeded'});
    last if $ran > 0;
    usleep(1_000_000);
}
ok($ran > 0, 'pg_cron ran idx_check()');
is($node->safe_psql('postgres',
    "SELECT queries_total || '/' || queries_using FROM idx_snapshots WHERE history_id = $id"),
   '1/1', 'the job planned the stored query');

my $log = slurp_file($node->logfile, $log_offset);
like($log, qr/f\(\) runs as mallory/, 'planning ran the owner\'s code as its owner');
unlike($log, qr/f\(\) runs as \Q$superuser\E/, 'and never as the superuser');

is($node->safe_psql('postgres', 'SELECT idx_unschedule()'), 't', 'unscheduled');

# another database, without pg_cron: a role with CREATE on it plants a
# schema "cron" with a look-alike of pg_cron's function; the superuser's
# idx_schedule() there finds pg_cron through pg_extension (in pg_cron's
# database) and never calls it
$node->safe_psql('postgres', q{
    CREATE DATABASE app;
    CREATE ROLE planter LOGIN;
    GRANT CREATE ON DATABASE app TO planter;
});
$node->safe_psql('app', q{
    CREATE EXTENSION index_advisor;
    SET ROLE planter;
    CREATE SCHEMA cron;
    GRANT USAGE ON SCHEMA cron TO PUBLIC;
    CREATE FUNCTION cron.schedule(text, text, text) RETURNS bigint LANGUAGE plpgsql
    AS $$BEGIN RAISE WARNING 'planted cron.schedule() runs as %', current_user; RETURN 42; END$$;
    CREATE FUNCTION cron.schedule_in_database(text, text, text, text) RETURNS bigint
    IMMUTABLE LANGUAGE plpgsql
    AS $$BEGIN RAISE WARNING 'planted cron.schedule_in_database() runs as %', current_user; RETURN 42; END$$;
});
my ($ret, $out, $err) = $node->psql('app', q{SELECT idx_schedule('* * * * *')});
isnt($ret, 0, 'idx_schedule() in a database with a planted schema "cron": an error');
like($err, qr/pg_cron is installed in database "postgres", not in "app"/,
     'it names pg_cron\'s database');
unlike($err, qr/planted/, 'the planted functions are not called');
$node->stop;
done_testing();
