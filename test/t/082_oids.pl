# The worker follows the OIDs a row recorded, not the names it carries
# (doc/history.md):
#  1. a table dropped and created again under its name between idx_apply()
#     and the build: the row fails (42P01), nothing is built on the new table;
#  2. an index name taken between idx_apply() and the build: the row fails
#     (42P07) before any build, the owner's index is left alone;
#  3. a row a crash left 'waiting' built nothing: its reconciliation does not
#     drop the owner's index of the same name;
#  4. idx_rollback() of an index dropped by hand and replaced by a
#     same-named one is refused (55000), the hand-made index stays; a renamed
#     index is rolled back under its new name;
#  5. a crash after the ATTACH of a partitioned build committed and before
#     the worker recorded it: the index is kept, the row and its parts done;
#  6. an INVALID leftover whose drop failed (lock timeout) is dropped by the
#     next worker (idx_kick);
#  7. the library serves a 0.1 catalog (oid columns), and the update to 0.2
#     keeps every row usable.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('oids');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE ROLE owner1 LOGIN;
    GRANT CREATE ON SCHEMA public TO owner1;
});

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub wait_ended
{
    my ($id, $db) = @_;
    ok($node->poll_query_until($db // 'postgres',
        "SELECT status NOT IN ('queued', 'waiting', 'building') FROM idx_history WHERE id = $id"),
       "row $id ended");
}

sub row
{
    my ($id, $db) = @_;
    return $node->safe_psql($db // 'postgres',
        "SELECT status || ' ' || coalesce(error_code, '-') FROM idx_history WHERE id = $id");
}

# 1. the table is dropped and created again under its name before the build
my $id = sql(q{
    BEGIN;
    CREATE TABLE r (a integer);
    SELECT idx_apply('CREATE INDEX r_a_idx ON r (a)');
    DROP TABLE r;
    CREATE TABLE r (a integer);
    COMMIT;
});
wait_ended($id);
is(row($id), 'failed 42P01', 're-created table: the row failed with 42P01');
like(sql("SELECT error_message || ' / ' || error_detail FROM idx_history WHERE id = $id"),
     qr/table "public.r" is no longer the table history row $id was requested for .*another one created under its name/,
     're-created table: the message says why');
is(sql(q{SELECT count(*) FROM pg_index WHERE indrelid = 'r'::regclass}), '0',
   're-created table: no index on the new table');

# 2. the name is taken before the build starts
$id = sql(q{
    BEGIN;
    CREATE TABLE s (a integer, b integer);
    SELECT idx_apply('CREATE INDEX s_a_idx ON s (a)');
    CREATE INDEX s_a_idx ON s (b);
    COMMIT;
});
wait_ended($id);
is(row($id), 'failed 42P07', 'name taken: the row failed with 42P07');
like(sql("SELECT error_detail FROM idx_history WHERE id = $id"),
     qr/created after idx_apply\(\) and before the build started/, 'name taken: before any build');
is(sql(q{SELECT pg_get_indexdef('s_a_idx'::regclass)}), 'CREATE INDEX s_a_idx ON public.s USING btree (b)',
   'name taken: the owner\'s index is untouched');

# 3. a row left 'waiting' by a worker that is gone (the state a crash
#    between the claim and the build leaves: the worker's pid, no row lock;
#    'waiting' with no pid is a deferred row, gentle builds), and the owner's
#    index of the same name: the reconciliation fails the row and keeps the
#    index
$id = sql(q{
    BEGIN;
    CREATE TABLE w (a integer, b integer);
    SELECT idx_apply('CREATE INDEX w_a_idx ON w (a)');
    UPDATE idx_history SET status = 'waiting', worker_pid = pg_backend_pid(), started_at = now()
     WHERE index_name = 'w_a_idx';
    CREATE INDEX w_a_idx ON w (b);
    COMMIT;
});
wait_ended($id);
is(row($id), 'failed 57P02', 'waiting row reconciled: failed with 57P02');
like(sql("SELECT error_detail FROM idx_history WHERE id = $id"), qr/nothing was built/,
     'waiting row reconciled: says nothing was built');
is(sql(q{SELECT pg_get_indexdef('w_a_idx'::regclass)}), 'CREATE INDEX w_a_idx ON public.w USING btree (b)',
   'waiting row reconciled: the owner\'s same-named index is still there');

# 4. idx_rollback() identifies the index by the OIDs recorded at build time
sql(q{CREATE TABLE rb (a integer, b integer) ; ALTER TABLE rb OWNER TO owner1});
$id = $node->safe_psql('postgres', q{SET ROLE owner1; SELECT idx_apply('CREATE INDEX rb_a_idx ON rb (a)')});
sql("CALL idx_wait($id)");
sql(q{DROP INDEX rb_a_idx; CREATE INDEX rb_a_idx ON rb (b)});
my ($ret, $out, $err) = $node->psql('postgres', "SET ROLE owner1; SELECT idx_rollback($id)",
                                    extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($ret, 0, 'rollback of a replaced index: refused');
like($err, qr/55000: index "public.rb_a_idx" was not built by history row $id/,
     'rollback of a replaced index: 55000, and says which');
like($err, qr/DETAIL:  The index that history row $id built was dropped outside index_advisor/,
     'rollback of a replaced index: the detail says why');
is(sql(q{SELECT pg_get_indexdef('rb_a_idx'::regclass)}), 'CREATE INDEX rb_a_idx ON public.rb USING btree (b)',
   'rollback of a replaced index: the hand-made index is still there');
is(sql("SELECT status FROM idx_history WHERE id = $id"), 'done', 'and the row is unchanged');

$id = $node->safe_psql('postgres', q{SET ROLE owner1; SELECT idx_apply('CREATE INDEX rb_ab_idx ON rb (a, b)')});
sql("CALL idx_wait($id)");
sql(q{ALTER INDEX rb_ab_idx RENAME TO rb_renamed_idx});
my $drop = $node->safe_psql('postgres', "SET ROLE owner1; SELECT idx_rollback($id)");
sql("CALL idx_wait($drop)");
is(sql(q{SELECT count(*) FROM pg_class WHERE relname = 'rb_renamed_idx'}), '0',
   'rollback of a renamed index: dropped under its new name');
is(sql("SELECT status FROM idx_history WHERE id = $id"), 'rolled_back', 'and the row is rolled back');

# 5. a crash between the ATTACH of a partitioned build and its record.
#    Session A holds up the build of the first partition; once the parts are
#    planned, session B locks their rows so that the worker, its ATTACH
#    committed, waits to record them; then the server stops (immediate).
sql(q{
    CREATE TABLE p (a integer, b integer) PARTITION BY RANGE (a);
    CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (1000);
    CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (1000) TO (2000);
    INSERT INTO p SELECT g, g FROM generate_series(0, 1999) g;
});
my $a = $node->background_psql('postgres');
$a->query_safe('BEGIN');
$a->query_safe('LOCK TABLE p1 IN SHARE UPDATE EXCLUSIVE MODE');
$id = sql(q{SELECT idx_apply('CREATE INDEX p_b_idx ON p (b)')});
ok($node->poll_query_until('postgres', "SELECT count(*) = 2 FROM idx_history WHERE parent_id = $id"),
   'partitioned: the parts are planned');
my $b = $node->background_psql('postgres');
$b->query_safe('BEGIN');
$b->query_safe("SELECT id FROM idx_history WHERE parent_id = $id FOR UPDATE");
$a->query_safe('COMMIT');
$a->quit;
ok($node->poll_query_until('postgres', q{
    SELECT coalesce(bool_and(x.indisvalid), false) FROM pg_index x
      JOIN pg_class c ON c.oid = x.indexrelid WHERE c.relname = 'p_b_idx'}),
   'partitioned: ATTACH committed, the index is valid');
ok($node->poll_query_until('postgres', "SELECT wait_event_type = 'Lock' FROM pg_stat_activity a
    JOIN idx_history h ON h.worker_pid = a.pid WHERE h.id = $id"),
   'partitioned: the worker waits to record it');
is(row($id), 'building -', 'partitioned: not recorded yet');
$node->stop('immediate');
eval { $b->quit; };
$node->start;
sql('SELECT idx_kick()');
wait_ended($id);
is(row($id), 'done -', 'partitioned crash after ATTACH: the row is done');
is(sql("SELECT string_agg(status, ',') FROM idx_history WHERE parent_id = $id"), 'done,done',
   'partitioned crash after ATTACH: its parts are done');
is(sql(q{SELECT x.indisvalid AND h.index_oid = x.indexrelid FROM pg_index x, idx_history h
        WHERE x.indexrelid = 'p_b_idx'::regclass AND h.id = } . $id),
   't', 'partitioned crash after ATTACH: the index is kept, valid, recorded by OID');
$drop = sql("SELECT idx_rollback($id)");
sql("CALL idx_wait($drop)");
is(sql(q{SELECT count(*) FROM pg_class WHERE relname LIKE 'p%_b_idx'}), '0',
   'partitioned crash after ATTACH: and rolls back');

# 6. the drop of an INVALID leftover fails (lock timeout): the next worker
#    retries it.  Session H holds a lock that DROP INDEX CONCURRENTLY waits
#    for but CREATE INDEX CONCURRENTLY does not.
sql(q{CREATE TABLE u (a integer); INSERT INTO u SELECT g % 10 FROM generate_series(1, 1000) g});
my $h = $node->background_psql('postgres');
$h->query_safe('BEGIN');
$h->query_safe('SELECT count(*) FROM u');
$id = sql(q{SET index_advisor.lock_timeout = '500ms'; SELECT idx_apply('CREATE UNIQUE INDEX u_a_key ON u (a)')});
wait_ended($id);
is(row($id), 'failed 23505', 'leftover: the build failed (duplicates)');
like(sql("SELECT error_detail FROM idx_history WHERE id = $id"), qr/could not be dropped/,
     'leftover: its drop failed');
is(sql("SELECT leftover_oid = 'u_a_key'::regclass FROM idx_history WHERE id = $id"), 't',
   'leftover: recorded by OID');
$h->query_safe('COMMIT');
$h->quit;
sql('SELECT idx_kick()');
ok($node->poll_query_until('postgres', "SELECT leftover_oid IS NULL FROM idx_history WHERE id = $id"),
   'leftover: retried');
is(sql(q{SELECT count(*) FROM pg_class WHERE relname = 'u_a_key'}), '0', 'leftover: dropped');
like(sql("SELECT error_detail FROM idx_history WHERE id = $id"), qr/It was dropped later, by a retry\./,
     'leftover: the row says so');

# 7. a database still at 0.1 (the new library installed, no ALTER EXTENSION
#    UPDATE yet): builds, the table check and rollbacks work on oid columns
sql('CREATE DATABASE old');
$node->safe_psql('old', q{
    CREATE EXTENSION index_advisor VERSION '0.1';
    CREATE TABLE t (a integer, b integer);
    INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
});
is($node->safe_psql('old', q{SELECT format_type(atttypid, NULL) FROM pg_attribute
    WHERE attrelid = 'idx_history'::regclass AND attname = 'role_oid'}), 'oid', '0.1: oid columns');
$id = $node->safe_psql('old', q{SELECT idx_apply('CREATE INDEX t_a_idx ON t (a)')});
$node->safe_psql('old', "CALL idx_wait($id)");
is(row($id, 'old'), 'done -', '0.1: built');
my $id2 = $node->safe_psql('old', q{
    BEGIN;
    SELECT idx_apply('CREATE INDEX t_b_idx ON t (b)');
    ALTER TABLE t RENAME TO t_old;
    CREATE TABLE t (a integer, b integer);
    COMMIT;
});
wait_ended($id2, 'old');
is(row($id2, 'old'), 'failed 42P01', '0.1: a re-created table is refused too');
$node->safe_psql('old', 'DROP TABLE t; ALTER TABLE t_old RENAME TO t');
$node->safe_psql('old', 'ALTER EXTENSION index_advisor UPDATE');
is($node->safe_psql('old', q{SELECT format_type(atttypid, NULL) FROM pg_attribute
    WHERE attrelid = 'idx_history'::regclass AND attname IN ('role_oid', 'table_oid') ORDER BY attname}),
   "regrole\nregclass", '0.2: regrole and regclass');
$drop = $node->safe_psql('old', "SELECT idx_rollback($id)");
$node->safe_psql('old', "CALL idx_wait($drop)");
is(row($id, 'old'), 'rolled_back -', '0.2: a row built under 0.1 rolls back');

$node->stop;
done_testing();
