# Isolation under load (issue 8): 8 roles queue builds on their own tables
# while one of them holds its own tables locked (its builds cannot start)
# and another holds advisory locks at random, including every key the
# extension used to use for its slots.  Every other role's builds finish,
# no INVALID index is left, idx_history has exactly one row per request,
# and each role sees exactly its own rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('isoload');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 24
index_advisor.max_workers = 2
});
$node->start;

my @roles = map { "r$_" } 1 .. 8;
my ($locker, $advisory) = ('r7', 'r8');
my @tables = (1 .. 3);

$node->safe_psql('postgres', 'CREATE EXTENSION index_advisor');
for my $r (@roles)
{
    my $sql = "CREATE ROLE $r LOGIN; CREATE SCHEMA $r AUTHORIZATION $r; SET ROLE $r;";
    $sql .= "CREATE TABLE $r.t$_ (id integer, a integer, b text);"
          . "INSERT INTO $r.t$_ SELECT g, g % 97, md5(g::text) FROM generate_series(1, 20000) g;"
      for @tables;
    $node->safe_psql('postgres', $sql);
}

# The advisory role: every (7597, n) pair and int8 key near it, plus random
# ones, held for the whole test in an idle session.
my $adv = $node->background_psql('postgres', extra_params => [ '-U', $advisory ], timeout => 3 * $PostgreSQL::Test::Utils::timeout_default);
$adv->query_safe(
    'SELECT count(pg_catalog.pg_advisory_lock(7597, n)) FROM generate_series(0, 255) n');
$adv->query_safe(
    'SELECT count(pg_catalog.pg_advisory_lock((7597::bigint << 32) + n)) FROM generate_series(0, 255) n');
$adv->query_safe(
    'SELECT count(pg_catalog.pg_advisory_lock((random() * 100000)::integer, (random() * 1000)::integer)) FROM generate_series(1, 64)');

# The locker: its own tables locked against any index build, held open.
my $lock = $node->background_psql('postgres', extra_params => [ '-U', $locker ], timeout => 3 * $PostgreSQL::Test::Utils::timeout_default);
$lock->query_safe('BEGIN');
# t1 against the build's own lock (a build that waited for that lock would
# hold a snapshot that every other build in the database waits for, at
# "waiting for old snapshots"); t2 and t3 as an open writing transaction
# would hold them (a build waits for it at "waiting for writers").  The
# locker's first request is the one on t1.
$lock->query_safe("LOCK TABLE $locker.t1 IN SHARE UPDATE EXCLUSIVE MODE");
$lock->query_safe("LOCK TABLE $locker.t2, $locker.t3 IN ROW EXCLUSIVE MODE");

# The locker queues first, so that a queue taken in order would give it
# every slot; then everyone else, two requests in one transaction and one
# alone, from sessions of their own.
sub apply_all
{
    my ($r) = @_;
    my $s = $node->background_psql('postgres', extra_params => [ '-U', $r ]);
    $s->query_safe('BEGIN');
    $s->query_safe("SELECT idx_apply('CREATE INDEX ON $r.t1 (a)')");
    $s->query_safe("SELECT idx_apply('CREATE INDEX ON $r.t2 (a, id DESC)')");
    $s->query_safe('COMMIT');
    $s->query_safe("SELECT idx_apply('CREATE INDEX ON $r.t3 (lower(b))')");
    $s->quit;
}
apply_all($locker);
apply_all($_) for grep { $_ ne $locker } @roles;

my @others = grep { $_ ne $locker } @roles;
my $others = join(',', map { "'$_'" } @others);
ok($node->poll_query_until('postgres',
    "SELECT count(*) = " . 3 * @others . " FROM idx_history"
    . " WHERE requested_by IN ($others) AND status = 'done'"),
   'every other role\'s builds finish while one role holds its tables locked')
  or diag($node->safe_psql('postgres',
    'SELECT id, requested_by, status, error_code, error_message FROM idx_history ORDER BY id'));

is($node->safe_psql('postgres',
    "SELECT count(*) FROM idx_history WHERE requested_by = '$locker' AND status = 'done'"),
   '0', 'the locked role\'s builds have not run');
my $locker_pid = $lock->query_safe('SELECT pg_backend_pid()');
is($node->safe_psql('postgres',
    "SELECT p.blocked_by_pid FROM idx_progress p"
    . " WHERE p.id = (SELECT min(id) FROM idx_history WHERE requested_by = '$locker')"),
   $locker_pid, 'idx_progress names the session whose lock the build waits for');

# The locker lets go: its builds finish too.
$lock->query_safe('COMMIT');
ok($node->poll_query_until('postgres',
    "SELECT count(*) = " . 3 * @roles . " FROM idx_history WHERE status = 'done'"),
   'once the lock is released, the locked role\'s builds finish');

is($node->safe_psql('postgres', 'SELECT count(*) FROM idx_history'),
   3 * @roles, 'exactly one history row per request');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
   '0', 'no INVALID index');
is($node->safe_psql('postgres',
    "SELECT count(*) FROM pg_indexes WHERE schemaname IN ("
    . join(',', map { "'$_'" } @roles) . ")"),
   3 * @roles, 'exactly one index per request');
for my $r (@roles)
{
    is($node->safe_psql('postgres', "SET ROLE $r; SELECT count(*) FROM idx_history"),
       '3', "$r sees exactly its own 3 rows");
}

# A build waiting for its table's lock keeps to the lock_timeout of its
# request, and fails with PostgreSQL's own SQLSTATE and message.
$lock->query_safe('BEGIN');
$lock->query_safe("LOCK TABLE $locker.t1 IN SHARE UPDATE EXCLUSIVE MODE");
my $id = $node->safe_psql('postgres',
    "SET ROLE $locker; SET index_advisor.lock_timeout = '500ms';"
    . " SELECT idx_apply('CREATE INDEX ON $locker.t1 (b)')");
ok($node->poll_query_until('postgres',
    "SELECT status = 'failed' FROM idx_history WHERE id = $id"),
   'a build that waits for its table lock ends at its lock_timeout');
is($node->safe_psql('postgres',
    "SELECT error_code || ' ' || error_message FROM idx_history WHERE id = $id"),
   '55P03 canceling statement due to lock timeout', 'with 55P03, as a lock wait would');
$lock->query_safe('COMMIT');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
   '0', 'no INVALID index after the lock timeout');

$adv->quit;
$lock->quit;
$node->stop;
done_testing();
