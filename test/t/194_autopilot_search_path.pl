# The search_path the autopilot plans and queues under (doc/safety.md,
# "Autopilot", "What it runs"): pg_stat_statements keeps no search_path, so
# a cycle resolves the unqualified names of recorded statements with the
# path a new session of the policy's owner starts with (reset_val).  A
# schema on that path that another role may create in could shadow a table
# of the application: there the attacker plants a look-alike table, and the
# cycle (a superuser's, here) plans the application's statements against it
# and proposes nothing for the real one.  The cycle leaves such schemas
# out of the path and says so in a note:
#  1. PostgreSQL 15's own public schema (pg_database_owner's, written by the
#     database's owner only) is trusted: no note, the path is kept;
#  2. with CREATE on public granted to mallory, who plants public.orders
#     ahead of app.orders on the owner's path, the cycle still proposes the
#     index of app.orders (before: the statement resolved to mallory's
#     table and nothing was proposed) and its note names public and mallory;
#  3. a schema bearing the owner's name ("$user") that another role owns
#     (any role with CREATE on the database can make one) is left out too;
#  4. with mallory's CREATE revoked and her schema gone, the path is whole
#     again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('autopilot_search_path');
$node->init;
my $host = $node->host;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,index_advisor'
index_advisor.autopilot_min_calls = 5
log_statement = none
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION index_advisor;
    CREATE ROLE alice LOGIN;
    CREATE ROLE mallory LOGIN;
    CREATE SCHEMA app AUTHORIZATION alice;
    ALTER ROLE alice SET search_path = app;
    -- the policy's owner's sessions: its own schema, public, then the app's
    ALTER ROLE postgres SET search_path = "$user", public, app;
});
$node->safe_psql('postgres', q{
    CREATE TABLE app.orders (id int PRIMARY KEY, customer int NOT NULL, note text);
    INSERT INTO app.orders SELECT g, g % 5000, md5(g::text) FROM generate_series(1, 100000) g;
    VACUUM ANALYZE app.orders;
}, extra_params => ['-U', 'alice']);

my $dir = PostgreSQL::Test::Utils::tempdir;
open(my $fh, '>', "$dir/orders.sql") or die;
print $fh "\\set c random(1, 5000)\nSELECT * FROM orders WHERE customer = :c;\n";
close $fh;

sub su
{
    return $node->safe_psql('postgres', "SET client_min_messages = warning;\n$_[0]",
                            extra_params => ['-U', $_[1] // 'postgres']);
}

# a cycle: its steps as "action|target|detail" lines
sub cycle
{
    return su(q{SELECT action || '|' || COALESCE(target, '') || '|' || detail FROM idx_autopilot_run()});
}

# the path a cycle plans under (set by idx_autopilot_session_path)
sub cycle_path
{
    return su(q{BEGIN;
SELECT FROM idx_autopilot_session_path();
SHOW search_path;
ROLLBACK;});
}

# ---------------------------------------------------------------------
# 1. PostgreSQL 15's public schema is trusted
# ---------------------------------------------------------------------
is(su('SHOW search_path'), '"$user", public, app', "the owner's sessions start with \"\$user\", public, app");
is(su('SELECT idx_autopilot_path_note() IS NULL'), 't',
   'pg_database_owner\'s public schema, written by the database\'s owner only: no note');
is(cycle_path(), 'public, app', 'the cycle plans under public, app ("$user" does not exist)');
su(q{SELECT mode FROM idx_autopilot_set('recommend')});
is(cycle(), '', 'the first cycle has no window: no step');

# ---------------------------------------------------------------------
# 2. mallory may create in public and plants a look-alike orders there
# ---------------------------------------------------------------------
su('GRANT CREATE ON SCHEMA public TO mallory');
su(q{CREATE TABLE public.orders (id int, customer int, note text)}, 'mallory');
su('SELECT pg_stat_statements_reset()');
$node->command_ok([ 'pgbench', '-n', '-t', 40, '-f', "$dir/orders.sql",
                    '-h', $host, '-p', $node->port, '-U', 'alice', 'postgres' ],
                  'alice runs her statement (unqualified: app.orders on her path)');
my $steps = cycle();
like($steps, qr/^proposed\|app\.orders_customer_idx\|/m,
     'the cycle proposes the index of app.orders, not misled by mallory\'s public.orders')
  or diag($steps);
like($steps, qr/^note\|\|Statements are planned and queued without the schema public \(role mallory may create in it\) of the search_path \("\$user", public, app\): an unqualified name of a statement could resolve to an object another role put there\.$/m,
     'a note says public was left out of the path, and why');
is(su(q{SELECT count(*) FROM idx_recommendations WHERE schema_name <> 'app'}), '0',
   'nothing proposed on mallory\'s table');
is(cycle_path(), 'app', 'the cycle plans under app only');

# ---------------------------------------------------------------------
# 3. a schema named after the owner, owned by mallory
# ---------------------------------------------------------------------
su('GRANT CREATE ON DATABASE postgres TO mallory');
su('CREATE SCHEMA postgres', 'mallory');
like(su('SELECT idx_autopilot_path_note()'),
     qr/without the schemas postgres \(it bears the name of role postgres but role mallory owns it\), public \(role mallory may create in it\) of the search_path/,
     '"$user" finds mallory\'s schema "postgres": left out, with why');
is(cycle_path(), 'app', 'the cycle still plans under app only');

# ---------------------------------------------------------------------
# 4. trusted again
# ---------------------------------------------------------------------
su('DROP SCHEMA postgres CASCADE; DROP TABLE public.orders;
    REVOKE CREATE ON SCHEMA public FROM mallory; REVOKE CREATE ON DATABASE postgres FROM mallory');
is(su('SELECT idx_autopilot_path_note() IS NULL'), 't', 'no note once only the owners write the path');
is(cycle_path(), 'public, app', 'and the whole path again');
$steps = cycle();
unlike($steps, qr/^note\|\|Statements are planned/m, 'the cycle says nothing of the path');

done_testing();
