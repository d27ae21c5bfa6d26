# ALTER EXTENSION index_advisor UPDATE loses nothing, and leaves the same
# extension as a fresh CREATE EXTENSION.
#
# For each [from, to] pair of @paths, in a database of its own:
#  1. CREATE EXTENSION index_advisor VERSION 'from', with the library of
#     today (the package is upgraded first, the SQL later): history rows in
#     every status (done, failed, cancelled, rolled back, a partitioned
#     build with its parts), a build held 'building' by a writer's open
#     transaction and one 'queued' behind it on the same table, and a
#     pg_cron job from idx_schedule();
#  2. ALTER EXTENSION index_advisor UPDATE TO 'to' while those two wait;
#  3. every row is still there, the same, and each role still reads
#     exactly its own rows (row-level security); the held build and the
#     queued one complete once the writer commits; a new request works;
#     the pg_cron job is still registered, its command succeeds, and
#     pg_cron itself runs it successfully after the update;
#  4. the extension's objects, described from the catalogs through
#     pg_depend (functions with signature, volatility, security, settings,
#     source; tables with columns, types, defaults, constraints, indexes,
#     policies, triggers; views; sequences; event triggers; grants; initial
#     privileges; comments; configuration tables) are identical to those of
#     a fresh CREATE EXTENSION index_advisor VERSION 'to' in another
#     database.
#
# A new release adds one line to @paths; the test fails until the newest
# pair ends at the control file's default_version.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my @paths = (
    [ '0.1', '0.2' ],
);

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
my $host = $node->host;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.host = '$host'
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_cron;
    CREATE ROLE regress_up_alice LOGIN;
    CREATE ROLE regress_up_bob LOGIN;
});

is($node->safe_psql('postgres',
    q{SELECT default_version FROM pg_available_extensions WHERE name = 'index_advisor'}),
   $paths[-1][1], 'the newest upgrade path tested ends at the default version');

# The extension's objects as text, one line per fact, from the catalogs:
# whatever pg_depend says belongs to the extension, nothing hard-coded.
my $acl = q{(SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                               || '=' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END
                               || '/' || a.grantor::regrole::text, ',' ORDER BY 1)
               FROM aclexplode(%s) a)};
my $describe = q{
WITH ext AS (
    SELECT * FROM pg_extension WHERE extname = 'index_advisor'),
member AS (
    SELECT d.classid, d.objid, d.objsubid, o.type, o.identity
      FROM pg_depend d, ext, pg_identify_object(d.classid, d.objid, d.objsubid) o
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
       AND d.deptype = 'e'),
rel AS (
    -- member tables, views, sequences, and the relations of member composite types
    SELECT m.identity, c.* FROM member m
      JOIN pg_class c ON (m.classid = 'pg_class'::regclass AND c.oid = m.objid)
                      OR (m.classid = 'pg_type'::regclass AND c.reltype = m.objid)),
line(l) AS (
    SELECT 'extension ' || extname || ' ' || extversion || ' schema=' || extnamespace::regnamespace
           || ' relocatable=' || extrelocatable || ' owner=' || extowner::regrole
           || ' config=' || coalesce((SELECT string_agg(c::regclass::text || ':' || coalesce(w, ''), ',' ORDER BY 1)
                                        FROM unnest(extconfig, extcondition) u(c, w)), '')
      FROM ext
    UNION ALL
    SELECT 'member ' || m.type || ' ' || m.identity
           || ' comment=' || coalesce(obj_description(m.objid, m.classid::regclass::text), '')
      FROM member m
    UNION ALL
    SELECT 'function ' || m.identity || ' kind=' || p.prokind::text
           || ' args=' || pg_get_function_arguments(p.oid)
           || ' result=' || coalesce(pg_get_function_result(p.oid), '')
           || ' language=' || l.lanname || ' volatility=' || p.provolatile::text
           || ' strict=' || p.proisstrict || ' security_definer=' || p.prosecdef
           || ' leakproof=' || p.proleakproof || ' parallel=' || p.proparallel::text
           || ' cost=' || p.procost || ' rows=' || p.prorows
           || ' config=' || coalesce(p.proconfig::text, '')
           || ' owner=' || p.proowner::regrole || ' bin=' || coalesce(p.probin, '')
           || ' src=' || md5(p.prosrc)
           || ' acl=' || coalesce(} . sprintf($acl, q{coalesce(p.proacl, acldefault('f', p.proowner))}) . q{, '')
      FROM member m JOIN pg_proc p ON p.oid = m.objid JOIN pg_language l ON l.oid = p.prolang
     WHERE m.classid = 'pg_proc'::regclass
    UNION ALL
    SELECT 'relation ' || r.identity || ' kind=' || r.relkind::text || ' persistence=' || r.relpersistence::text
           || ' rls=' || r.relrowsecurity || ' force_rls=' || r.relforcerowsecurity
           || ' options=' || coalesce(r.reloptions::text, '') || ' owner=' || r.relowner::regrole
           || ' acl=' || coalesce(} . sprintf($acl,
               q{coalesce(r.relacl, acldefault(CASE r.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", r.relowner))}) . q{, '')
           || CASE WHEN r.relkind = 'v' THEN ' view=' || md5(pg_get_viewdef(r.oid)) ELSE '' END
      FROM rel r
    UNION ALL
    SELECT 'column ' || r.identity || ' #' || lpad((row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum))::text, 3, '0')
           || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' not_null=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
           || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
           || ' collation=' || coalesce((SELECT collname FROM pg_collation WHERE oid = a.attcollation), '')
           || ' acl=' || coalesce(a.attacl::text, '')
           || ' comment=' || coalesce(col_description(r.oid, a.attnum), '')
      FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
    UNION ALL
    SELECT 'constraint ' || r.identity || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
           || ' deferrable=' || c.condeferrable || ' validated=' || c.convalidated
           || ' comment=' || coalesce(obj_description(c.oid, 'pg_constraint'), '')
      FROM rel r JOIN pg_constraint c ON c.conrelid = r.oid
    UNION ALL
    SELECT 'index ' || r.identity || ' ' || pg_get_indexdef(i.indexrelid)
           || ' valid=' || i.indisvalid || ' primary=' || i.indisprimary
           || ' comment=' || coalesce(obj_description(i.indexrelid, 'pg_class'), '')
      FROM rel r JOIN pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT 'policy ' || r.identity || ' ' || p.polname || ' cmd=' || p.polcmd::text
           || ' permissive=' || p.polpermissive
           || ' roles=' || (SELECT string_agg(CASE WHEN x = 0 THEN 'PUBLIC' ELSE x::regrole::text END, ',' ORDER BY 1)
                              FROM unnest(p.polroles) x)
           || ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '')
           || ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
           || ' comment=' || coalesce(obj_description(p.oid, 'pg_policy'), '')
      FROM rel r JOIN pg_policy p ON p.polrelid = r.oid
    UNION ALL
    SELECT 'trigger ' || r.identity || ' ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
      FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT 'sequence ' || r.identity || ' ' || s.seqtypid::regtype || ' start=' || s.seqstart
           || ' increment=' || s.seqincrement || ' min=' || s.seqmin || ' max=' || s.seqmax
           || ' cache=' || s.seqcache || ' cycle=' || s.seqcycle
      FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid
    UNION ALL
    SELECT 'event trigger ' || e.evtname || ' on ' || e.evtevent || ' function=' || e.evtfoid::regprocedure
           || ' enabled=' || e.evtenabled::text || ' tags=' || coalesce(e.evttags::text, '')
           || ' owner=' || e.evtowner::regrole
      FROM member m JOIN pg_event_trigger e ON e.oid = m.objid
     WHERE m.classid = 'pg_event_trigger'::regclass
    UNION ALL
    SELECT 'type ' || m.identity || ' kind=' || t.typtype::text
           || ' labels=' || coalesce((SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder)
                                        FROM pg_enum WHERE enumtypid = t.oid), '')
      FROM member m JOIN pg_type t ON t.oid = m.objid
     WHERE m.classid = 'pg_type'::regclass
    UNION ALL
    SELECT 'initial privileges ' || m.identity || ' ' || ip.objsubid || ' ' || ip.privtype::text
           || ' ' || coalesce(} . sprintf($acl, 'ip.initprivs') . q{, '')
      FROM member m JOIN pg_init_privs ip ON ip.classoid = m.classid AND ip.objoid = m.objid)
SELECT string_agg(regexp_replace(l, '\s+', ' ', 'g'), E'\n' ORDER BY l COLLATE "C") FROM line
};

sub describe
{
    my ($db) = @_;
    return split /\n/, $node->safe_psql($db, $describe);
}

# The lines of two descriptions that differ: (only in the first, only in the second).
sub differences
{
    my ($got_db, $want_db) = @_;
    my @got = describe($got_db);
    my @want = describe($want_db);
    my %in_got = map { $_ => 1 } @got;
    my %in_want = map { $_ => 1 } @want;
    return ([ grep { !$in_want{$_} } @got ], [ grep { !$in_got{$_} } @want ], scalar @got);
}

sub same_objects
{
    my ($got_db, $want_db, $name) = @_;
    my ($extra, $missing, $n) = differences($got_db, $want_db);
    ok($n > 20 && !@$missing && !@$extra, $name)
      or diag("only in $want_db:\n  " . join("\n  ", @$missing)
        . "\nonly in $got_db:\n  " . join("\n  ", @$extra));
}

my $rows_sql = q{SELECT count(*) || E'\n' || coalesce(string_agg(concat_ws('|', id, coalesce(parent_id, 0), coalesce(reverts, 0), operation,
                        status, schema_name, table_name, index_name, definition, requested_by,
                        error_code), E'\n' ORDER BY id), '')
                   FROM idx_history};

sub rows_as
{
    my ($db, $role) = @_;
    return $node->safe_psql($db, ($role ? "SET ROLE $role; " : '') . $rows_sql);
}

sub status_of
{
    my ($db, $id) = @_;
    return $node->safe_psql($db, "SELECT status FROM idx_history WHERE id = $id");
}

sub wait_ended
{
    my ($db, $id) = @_;
    return $node->poll_query_until($db,
        "SELECT status NOT IN ('queued', 'waiting', 'building') FROM idx_history WHERE id = $id");
}

for my $path (@paths)
{
    my ($from, $to) = @$path;
    (my $tag = "${from}_$to") =~ s/\./_/g;
    my $db = "up_$tag";
    my $fresh = "fresh_$tag";
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    $node->safe_psql('postgres', "CREATE DATABASE $fresh");

    # 1. the old version, used with the new library
    $node->safe_psql($db, qq{
        CREATE EXTENSION index_advisor VERSION '$from';
        CREATE EXTENSION dblink;
        GRANT CREATE ON SCHEMA public TO regress_up_alice, regress_up_bob;
        SET ROLE regress_up_alice;
        CREATE TABLE a_t (a integer, b integer, c text);
        INSERT INTO a_t SELECT g, g % 100, md5(g::text) FROM generate_series(1, 20000) g;
        CREATE TABLE a_ev (at date NOT NULL, k integer) PARTITION BY RANGE (at);
        CREATE TABLE a_ev_1 PARTITION OF a_ev FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
        CREATE TABLE a_ev_2 PARTITION OF a_ev FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
        INSERT INTO a_ev SELECT date '2026-01-01' + g % 59, g FROM generate_series(1, 5000) g;
        CREATE TABLE a_hold (a integer, b integer);
        INSERT INTO a_hold SELECT g, g FROM generate_series(1, 20000) g;
        SET ROLE regress_up_bob;
        CREATE TABLE b_t (k integer, v text);
        INSERT INTO b_t SELECT g % 1000, md5(g::text) FROM generate_series(1, 5000) g;
    });
    is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'index_advisor'}),
       $from, "$db: installed at $from");

    my %id;
    $id{done} = $node->safe_psql($db, q{SET ROLE regress_up_alice;
        SELECT idx_apply('CREATE INDEX a_t_a_idx ON a_t (a)', ARRAY['SELECT * FROM a_t WHERE a = 42'], 'm1')});
    $id{part} = $node->safe_psql($db, q{SET ROLE regress_up_alice;
        SELECT idx_apply('CREATE INDEX ON a_ev (k)', migration => 'm1')});
    $id{failed} = $node->safe_psql($db, q{SET ROLE regress_up_bob;
        SELECT idx_apply('CREATE UNIQUE INDEX b_t_k_idx ON b_t (k)')});
    $id{to_roll} = $node->safe_psql($db, q{SET ROLE regress_up_alice;
        SELECT idx_apply('CREATE INDEX a_t_b_idx ON a_t (b)', migration => 'm2')});
    $id{cancelled} = $node->safe_psql($db, q{SET ROLE regress_up_bob;
        BEGIN;
        SELECT idx_apply('CREATE INDEX b_t_v_idx ON b_t (v)') \gset
        SELECT idx_cancel(:idx_apply) \g /dev/null
        COMMIT;
        SELECT :idx_apply});
    ok(wait_ended($db, $id{$_}), "$db: row $id{$_} ($_) ended") for qw(done part failed to_roll cancelled);
    my ($ret, $out, $err) = $node->psql($db, "SET ROLE regress_up_alice; CALL idx_wait($id{done})");
    is($ret, 0, "$db: CALL idx_wait(id) at $from") or diag($err);
    $id{drop} = $node->safe_psql($db, "SET ROLE regress_up_alice; SELECT idx_rollback($id{to_roll})");
    ok(wait_ended($db, $id{drop}), "$db: rollback ended");
    is(join(' ', map { status_of($db, $id{$_}) } qw(done part failed to_roll cancelled drop)),
       'done done failed rolled_back cancelled done',
       "$db: rows in every ended status at $from");
    is($node->safe_psql($db,
        "SELECT string_agg(DISTINCT status, ',') || ' ' || count(*) FROM idx_history WHERE parent_id = $id{part}"),
       'done 2', "$db: the partitioned build has its parts");
    # reporting works on the old catalog too
    $node->safe_psql($db, 'SELECT count(*) FROM idx_check(); SELECT count(*) FROM idx_report()');

    my $job = $node->safe_psql($db, q{SELECT idx_schedule('* * * * *')});
    like($job, qr/^\d+$/, "$db: idx_schedule() at $from");

    # a build held 'building' by a writer's open transaction, one queued behind it
    my $writer = $node->background_psql($db);
    $writer->query_safe('BEGIN');
    $writer->query_safe('INSERT INTO a_hold VALUES (0, 0)');
    $id{building} = $node->safe_psql($db, q{SET ROLE regress_up_alice;
        SELECT idx_apply('CREATE INDEX a_hold_a_idx ON a_hold (a)')});
    ok($node->poll_query_until($db,
        "SELECT phase LIKE 'waiting for writers%' FROM idx_progress WHERE id = $id{building}"),
       "$db: a build waits for the writer");
    $id{queued} = $node->safe_psql($db, q{SET ROLE regress_up_alice;
        SELECT idx_apply('CREATE INDEX a_hold_b_idx ON a_hold (b)')});
    # give a worker the chance to (wrongly) take it
    $node->safe_psql($db, 'SELECT idx_kick()');
    usleep(500_000);
    is(status_of($db, $id{building}) . ' ' . status_of($db, $id{queued}), 'building queued',
       "$db: one building, one queued behind it, before the update");

    my %before = map { $_ => rows_as($db, $_) } ('', 'regress_up_alice', 'regress_up_bob');
    my $update_time = $node->safe_psql($db, 'SELECT now()');

    # 2. the update, while they wait
    ($ret, $out, $err) = $node->psql($db, "ALTER EXTENSION index_advisor UPDATE TO '$to'",
        timeout => 120);
    is($ret, 0, "$db: ALTER EXTENSION index_advisor UPDATE TO '$to'") or diag($err);
    is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'index_advisor'}),
       $to, "$db: now at $to");

    # 3. nothing lost, each role still reads its own rows
    is(rows_as($db, ''), $before{''}, "$db: every row is still there, unchanged");
    for my $role ('regress_up_alice', 'regress_up_bob')
    {
        is(rows_as($db, $role), $before{$role}, "$db: $role reads exactly its rows");
    }
    like($before{regress_up_alice}, qr/^8\n/, "$db: (alice had 8 rows, 2 of them parts)");
    like($before{regress_up_bob}, qr/^2\n/, "$db: (bob had 2 rows)");
    is(status_of($db, $id{building}) . ' ' . status_of($db, $id{queued}), 'building queued',
       "$db: still building and queued after the update");

    $writer->query_safe('COMMIT');
    $writer->quit;
    ok(wait_ended($db, $id{building}) && wait_ended($db, $id{queued}), "$db: both ended after the writer committed");
    is(status_of($db, $id{building}) . ' ' . status_of($db, $id{queued}), 'done done',
       "$db: the held build and the queued one completed");
    is($node->safe_psql($db, q{SELECT count(*) FROM pg_index WHERE NOT indisvalid}), '0',
       "$db: no INVALID index");
    my $new = $node->safe_psql($db, q{SET ROLE regress_up_bob;
        SELECT idx_apply('CREATE INDEX b_t_kv_idx ON b_t (k, v)')});
    ok(wait_ended($db, $new), "$db: a new request ends");
    is(status_of($db, $new), 'done', "$db: a new request is built at $to");

    # the schedule: still registered, its command works, and pg_cron runs it
    my $command = $node->safe_psql('postgres',
        "SELECT command FROM cron.job WHERE jobid = $job AND database = '$db'");
    like($command, qr/idx_check/, "$db: the pg_cron job is still registered");
    ($ret, $out, $err) = $node->psql($db, $command);
    is($ret, 0, "$db: its command succeeds at $to") or diag($err);
    ok($node->poll_query_until('postgres', qq{
        SELECT count(*) > 0 FROM cron.job_run_details
         WHERE jobid = $job AND status = 'succeeded' AND start_time > '$update_time'}),
       "$db: pg_cron ran the job successfully after the update");
    is($node->safe_psql('postgres', qq{
        SELECT count(*) FROM cron.job_run_details
         WHERE jobid = $job AND status = 'failed' AND start_time > '$update_time'}),
       '0', "$db: and no run failed");
    $node->safe_psql($db, 'SELECT idx_unschedule()');

    # 4. the same objects as a fresh install of the new version
    $node->safe_psql($fresh, "CREATE EXTENSION index_advisor VERSION '$to'");
    same_objects($db, $fresh, "$db: the objects after the update are those of a fresh $to");
}

# The comparison sees a difference in a grant, a function's settings, a
# column default or a policy (changed in the first upgraded database).
my $db = "up_$paths[0][0]_$paths[0][1]" =~ s/\./_/gr;
my $fresh = "fresh_$paths[0][0]_$paths[0][1]" =~ s/\./_/gr;
$node->safe_psql($db, q{
    REVOKE EXECUTE ON FUNCTION idx_kick() FROM PUBLIC;
    ALTER FUNCTION idx_cancel(bigint) SET search_path = public;
    ALTER TABLE idx_history ALTER COLUMN migration SET DEFAULT 'x';
    ALTER POLICY idx_history_admin_rows ON idx_history USING (false);
});
my ($extra) = differences($db, $fresh);
my %seen;
for (@$extra)
{
    $seen{grant} = 1 if /^function \S*idx_kick\(\).* acl=/ && !/PUBLIC=EXECUTE/;
    $seen{setting} = 1 if /^function \S*idx_cancel\(bigint\).* config=\{search_path=public\}/;
    $seen{default} = 1 if /^column \S*idx_history #\d+ migration .* default='x'/;
    $seen{policy} = 1 if /^policy \S*idx_history idx_history_admin_rows .* using=false/;
}
is(join(' ', sort keys %seen), 'default grant policy setting',
   'the comparison sees a changed grant, setting, default and policy');

$node->stop;
done_testing();
