# The autopilot as an attacker sees it (issue 22 on issue 19's threat model;
# doc/safety.md, "Autopilot").  The cycle runs on a schedule as the
# policy's owner -- a member of index_advisor_admin, here a superuser --
# and reads, plans and acts on what other roles wrote: their statements in
# pg_stat_statements, their tables, indexes and functions.  On a server
# with pg_stat_statements and index_advisor preloaded:
#  1. who may call what: no function whose comment says "internal" is
#     PUBLIC's; a plain role cannot run a cycle, set the policy or call a
#     stage; an admin that is not the policy's owner cannot run a cycle;
#  2. what a role learns: an admin without pg_read_all_stats reads no other
#     role's statement text in idx_autopilot_statements, idx_recommendations
#     or idx_autopilot_events (pg_stat_statements shows it none); it reads
#     its own; a member of pg_read_all_stats reads them; a plain role reads
#     no row the superuser's cycle wrote;
#  3. the rule by which a statement is one of a table's
#     (idx_autopilot_reads_table: the relations it reads, analysed as its
#     author; test/t/198_autopilot_reads.pl tests the rule itself) finds
#     tables whose names hold any character, and does not depend on
#     standard_conforming_strings (with it off, the text rule it replaced
#     made no statement one of any table's: no regression could be seen);
#  4. a session whose search_path puts look-alike functions and operators
#     ahead of pg_catalog changes nothing in the owner's cycle;
#  5. the cycle never runs a table owner's function as the policy's owner:
#     mallory's index expression, predicate, default and CHECK constraint
#     call a function that would advance a sequence only as a superuser,
#     through cycles that propose, hide and drop mallory's index;
#  6. one cycle at a time: a second waits for the first (lock_timeout),
#     and so does idx_autopilot_set; 'off' stops the next cycle before its
#     snapshot; a cycle waiting for the policy while the owner changes is
#     refused (it would act as a role that is no longer the owner);
#  7. a cycle cancelled half-way (after its snapshot) leaves nothing;
#  8. statements of the owner that are themselves cycles, and texts with
#     $$, comments and quotes, go through a cycle;
# 10. retention: a cycle drops the snapshots (and texts) older than the
#     autopilot window that no recommendation names -- any role running
#     ever new statements would otherwise fill the disk;
# 11. a 57014 that a table owner's function RAISEs while the cycle plans
#     its statement is that statement's error, not the cycle's end (it was:
#     any role could stop every cycle); statement_timeout still ends it;
# 12. an admin that is not the policy's owner cannot add or change a
#     recommendation that the owner's cycle would act on (it built, as a
#     superuser, what the admin wrote); a role "Ap" is not ap;
#  9. random SQL from sqlsmith (test/fuzz/schema.sql, as in
#     175_fuzz_sqlsmith.pl) run as a role, then cycles in recommend mode
#     with drops: no cycle fails, no step records an internal error
#     (XX000), no backend crashes.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use File::Basename qw(dirname);

my $node = PostgreSQL::Test::Cluster->new('autopilot_safety');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,index_advisor'
pg_stat_statements.track = 'all'
index_advisor.autopilot_min_calls = 2
index_advisor.check_timeout = '300ms'
log_error_verbosity = verbose
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION index_advisor;
    CREATE ROLE alice LOGIN;
    CREATE ROLE eve LOGIN;                 -- an admin, not pg_read_all_stats
    GRANT index_advisor_admin TO eve;
    CREATE ROLE reader LOGIN;              -- an admin and pg_read_all_stats
    GRANT index_advisor_admin, pg_read_all_stats TO reader;
    CREATE ROLE ap LOGIN;                  -- an admin that owns a policy for a while
    GRANT index_advisor_admin TO ap;
    CREATE ROLE mallory LOGIN;
    CREATE TABLE public.acct (id integer PRIMARY KEY, a integer, note text);
    INSERT INTO public.acct SELECT g, g % 100, 'n' || g FROM generate_series(1, 2000) g;
    -- acct_a is a leading prefix of acct_a_id: idx_check calls it redundant
    CREATE INDEX acct_a ON public.acct (a);
    CREATE INDEX acct_a_id ON public.acct (a, id);
    ALTER TABLE public.acct OWNER TO alice;
    GRANT SELECT ON public.acct TO eve;
    ANALYZE public.acct;
});

sub psql_as
{
    my ($role, $sql, $db) = @_;
    my ($ret, $out, $err) = $node->psql($db // 'postgres', $sql,
        extra_params => [ '-U', $role ], on_error_stop => 1);
    return ($ret, $out, $err);
}

sub as
{
    my ($role, $sql, $db) = @_;
    return $node->safe_psql($db // 'postgres', $sql, extra_params => [ '-U', $role ]);
}

# ---------------------------------------------------------------------
# 1. Who may call what
# ---------------------------------------------------------------------
is(as('postgres', q{
    SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
      FROM pg_proc p
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'index_advisor'
     WHERE (p.proname LIKE 'idx\_autopilot%' OR p.proname LIKE 'idx\_recommendation%')
       AND obj_description(p.oid, 'pg_proc') LIKE 'internal%'
       -- pure helpers (formatting, statistics) may be PUBLIC's: the
       -- report, which anyone may call, calls some of them
       AND p.provolatile <> 'i'
       AND has_function_privilege('mallory', p.oid, 'EXECUTE')}),
   '', 'no internal autopilot function that reads or writes may be called by PUBLIC');

for my $call ('SELECT idx_autopilot_snapshot()',
              'SELECT * FROM idx_autopilot_window(1, 2)',
              q{SELECT idx_autopilot_event(1, NULL, 'note', 'forged')},
              q{SELECT idx_autopilot_drops(1, p) FROM idx_autopilot_policy p},
              'SELECT * FROM idx_autopilot_run()',
              q{SELECT * FROM idx_autopilot_set('apply')})
{
    my ($ret, $out, $err) = psql_as('mallory', $call);
    like($err, qr/permission denied for function/, "a plain role may not: $call");
}

# a role "Ap" is not ap: current_user::regrole took one for the other
$node->safe_psql('postgres', q{CREATE ROLE "Ap" LOGIN IN ROLE index_advisor_admin});
is(as('Ap', q{SELECT owner FROM idx_autopilot_set('recommend', drops => true)}), '"Ap"',
   'the policy set by a role "Ap" is owned by "Ap", not by ap');
{
    my ($ret, $out, $err) = psql_as('ap', 'SELECT * FROM idx_autopilot_run()');
    like($err, qr/only the autopilot policy's owner ""Ap"" may run a cycle/, '... and ap may not run its cycles');
}
as('postgres', q{SELECT idx_autopilot_set('recommend', drops => true)});
{
    # the policy's row: another admin may take it over, not rewrite it in
    # the owner's name
    my ($ret, $out, $err) = psql_as('eve', q{UPDATE idx_autopilot_config SET mode = 'apply', drops = true, hide_for = '0'});
    like($err, qr/new row violates row-level security policy/,
         'an admin cannot change the policy and leave its owner the superuser');
    is(as('postgres', 'SELECT mode || \' \' || owner FROM idx_autopilot_policy'), 'recommend postgres', '... the policy is as it was');
}
{
    my ($ret, $out, $err) = psql_as('eve', 'SELECT * FROM idx_autopilot_run()');
    like($err, qr/only the autopilot policy's owner "postgres" may run a cycle/,
         'an admin that is not the policy\'s owner may not run a cycle');
}

# ---------------------------------------------------------------------
# 2. What a role learns from the record
# ---------------------------------------------------------------------
as('postgres', 'SELECT count(*) FROM idx_autopilot_run()');    # the first snapshot
as('alice', q{
    SELECT count(*) FROM public.acct WHERE a = 5 /* alice-secret-token */;
    SELECT count(*) FROM public.acct WHERE a = 6 /* alice-secret-token */;
    SELECT count(*) FROM public.acct WHERE note = $$it's $x$ -- not a comment$$ /* alice-secret-token */;
});
as('eve', q{
    SELECT count(*) FROM public.acct WHERE a = 7 /* eve-own-token */;
    SELECT count(*) FROM public.acct WHERE a = 8 /* eve-own-token */;
});
# 8. the owner's own cycles are statements of pg_stat_statements too
as('postgres', q{
    SELECT count(*) FROM idx_check();
    SELECT * FROM idx_autopilot_run();
    SELECT * FROM idx_autopilot_run();
});
my $proposed = as('postgres', q{
    SELECT string_agg(r.index_name || ' ' || r.status, ', ' ORDER BY r.id)
      FROM idx_recommendations r});
is($proposed, 'acct_a proposed', 'the redundant acct_a is proposed for dropping (recommend mode)');
like(as('postgres', q{SELECT statements::text FROM idx_recommendations WHERE index_name = 'acct_a'}),
     qr/alice-secret-token/, 'the proposal quotes alice\'s statements, with their texts');
is(as('postgres', q{SELECT count(*) FROM idx_recommendations r
                     WHERE r.table_oid IN (SELECT c.oid FROM pg_class c
                                             JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e')}),
   '0', 'nothing is proposed on the extension\'s own tables (the cycles\' statements name them)');

is(as('eve', q{SELECT count(*) FROM idx_autopilot_statements WHERE query LIKE '%alice-secret-token%'})
   . ' ' . as('eve', q{SELECT count(*) FROM idx_recommendations WHERE statements::text LIKE '%alice-secret-token%'})
   . ' ' . as('eve', q{SELECT count(*) FROM idx_autopilot_events e WHERE e.role_oid = 'postgres'::regrole}),
   '0 0 0', 'an admin without pg_read_all_stats reads no other role\'s statement text (texts, recommendations, events)');
is(as('eve', q{SELECT count(*) FROM idx_autopilot_statements WHERE query LIKE '%eve-own-token%'}),
   '1', '... and reads its own');
is(as('reader', q{SELECT count(*) FROM idx_autopilot_statements WHERE query LIKE '%alice-secret-token%'})
   . ' ' . as('reader', q{SELECT count(*) FROM idx_recommendations WHERE statements::text LIKE '%alice-secret-token%'}),
   '2 1', 'a member of pg_read_all_stats reads them, as in pg_stat_statements');
is(as('alice', 'SELECT count(*) FROM idx_recommendations') . ' '
   . as('alice', 'SELECT count(*) FROM idx_autopilot_events'),
   '0 0', 'a plain role reads no row the superuser\'s cycle wrote');
{
    my ($ret, $out, $err) = psql_as('alice', 'SELECT count(*) FROM idx_autopilot_statements');
    like($err, qr/permission denied for table idx_autopilot_statements/, 'a plain role reads no statement text');
}
{
    # the measurements: another admin cannot rewrite a window
    is(as('postgres', 'SELECT count(*) > 0 FROM idx_autopilot_counters'), 't', 'there are counters');
    my ($ret, $out, $err) = psql_as('reader', q{UPDATE idx_autopilot_counters SET total_ms = total_ms * 100 RETURNING 1});
    is($out, '', 'an admin that is not the policy\'s owner changes no counter');
    ($ret, $out, $err) = psql_as('reader', q{DELETE FROM idx_autopilot_snapshots RETURNING 1});
    is($out, '', '... deletes no snapshot');
    ($ret, $out, $err) = psql_as('reader', q{INSERT INTO idx_autopilot_snapshots (started_at) VALUES (now())});
    like($err, qr/new row violates row-level security policy/, '... and adds none');
}

# ---------------------------------------------------------------------
# 3. The rule by which a statement is one of a table's
# ---------------------------------------------------------------------
as('postgres', q{
    CREATE SCHEMA odd;
    CREATE TABLE odd."a.b" (x int);   CREATE TABLE odd."x|y" (x int);
    CREATE TABLE odd."p(" (x int);    CREATE TABLE odd."b\s" (x int);
    CREATE TABLE odd."q*" (x int);    CREATE TABLE odd."$$" (x int);
    CREATE TABLE odd."t{1}" (x int);  CREATE TABLE odd."r[a]" (x int);
    CREATE TABLE odd."n
l" (x int);
    CREATE TABLE odd.ab (x int);      CREATE TABLE odd.x (x int);
});
is(as('postgres', q{
    SELECT string_agg(format('%s:%s%s', c.relname,
               idx_autopilot_reads_table('postgres'::regrole, c.oid::bigint,
                                         format('SELECT * FROM odd.%I WHERE x = 1', c.relname),
                                         c.oid, 'public')::int,
               idx_autopilot_reads_table('postgres'::regrole, -1,
                                         'SELECT * FROM odd.ab, odd.x WHERE x.x = 1', c.oid, 'public')::int), ' '
               ORDER BY c.relname)
      FROM pg_class c WHERE c.relnamespace = 'odd'::regnamespace AND c.relkind = 'r'
       AND c.relname NOT IN ('ab', 'x')}),
   "\$\$:10 a.b:10 b\\s:10 n\nl:10 p(:10 q*:10 r[a]:10 t{1}:10 x|y:10",
   'every odd name is found where a statement reads it, and not where it does not');
is(as('postgres', q{
    SET standard_conforming_strings = off;
    SELECT idx_autopilot_reads_table('postgres'::regrole, -2, 'SELECT * FROM acct WHERE a = $1',
                                     'acct'::regclass, 'public')::int::text
           || idx_autopilot_reads_table('postgres'::regrole, -3, 'SELECT * FROM odd.ab /* acct */',
                                        'acct'::regclass, 'public')::int::text}),
   '10', 'the rule holds with standard_conforming_strings off');
is((psql_as('postgres', q{
    SET standard_conforming_strings = off;
    SELECT s.index_name || ' ' || s.table_oid || ' ' || s.shape
      FROM idx_autopilot_shape('CREATE INDEX acct_note_idx ON public.acct USING btree (note)') s}))[1],
   'acct_note_idx acct  ON public.acct USING btree (note)',
   'an advised definition is read with standard_conforming_strings off too (idx_autopilot_shape)');

# ---------------------------------------------------------------------
# 4, 5. The owner's cycle runs no one else's code
# ---------------------------------------------------------------------
# hit() advances public.pwned when, and only when, it runs as a superuser
$node->safe_psql('postgres', q{
    CREATE SEQUENCE public.pwned;
    CREATE SCHEMA m AUTHORIZATION mallory;
    CREATE SCHEMA evil AUTHORIZATION mallory;
    GRANT USAGE ON SCHEMA m, evil TO PUBLIC;
});
as('mallory', q{
    CREATE FUNCTION m.hit() RETURNS boolean VOLATILE LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
            PERFORM pg_catalog.nextval('public.pwned');
        END IF;
        RETURN true;
    END $$;
    CREATE FUNCTION m.g(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS
      $$ BEGIN PERFORM m.hit(); RETURN $1 % 10; END $$;
    CREATE FUNCTION m.ok(int) RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS
      $$ BEGIN PERFORM m.hit(); RETURN $1 IS NOT NULL; END $$;
    CREATE TABLE m.t (a int CHECK (m.ok(a)), b int DEFAULT m.g(7), c int);
    INSERT INTO m.t (a, c) SELECT g, g % 50 FROM generate_series(1, 3000) g;
    CREATE INDEX t_g ON m.t (m.g(a)) WHERE m.ok(c);
    CREATE INDEX t_c ON m.t (c);
    CREATE INDEX t_c_a ON m.t (c, a);        -- t_c: a redundant prefix
    ANALYZE m.t;
    SELECT count(*) FROM m.t WHERE m.g(a) = 3 AND m.ok(c);
    SELECT count(*) FROM m.t WHERE m.g(a) = 4 AND m.ok(c);
    SELECT count(*) FROM m.t WHERE c = 3 AND b = m.g(7) /* mallory-token */;
    SELECT count(*) FROM m.t WHERE c = 4 AND b = m.g(7) /* mallory-token */;
    -- look-alikes of what the cycle calls, for a session that puts them first
    CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.now() $$;
    CREATE FUNCTION evil.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.clock_timestamp() $$;
    CREATE FUNCTION evil.quote_ident(text) RETURNS text LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.quote_ident($1) $$;
    CREATE FUNCTION evil.pg_has_role(name, oid, text) RETURNS boolean LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.pg_has_role($1, $2, $3) $$;
    CREATE FUNCTION evil.pg_has_role(oid, oid, text) RETURNS boolean LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.pg_has_role($1, $2, $3) $$;
    CREATE FUNCTION evil.pg_relation_size(regclass) RETURNS bigint LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.pg_relation_size($1) $$;
    CREATE FUNCTION evil.regexp_replace(text, text, text, text) RETURNS text LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.regexp_replace($1, $2, $3, $4) $$;
    CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.texteq($1, $2) $$;
    CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
    CREATE FUNCTION evil.oideq(oid, oid) RETURNS boolean LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.oideq($1, $2) $$;
    CREATE OPERATOR evil.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = evil.oideq);
    CREATE FUNCTION evil.int8eq(bigint, bigint) RETURNS boolean LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.int8eq($1, $2) $$;
    CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.int8eq);
    CREATE FUNCTION evil.texticregexeq(text, text) RETURNS boolean LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.texticregexeq($1, $2) $$;
    CREATE OPERATOR evil.~* (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texticregexeq);
    CREATE FUNCTION evil.textcat(text, text) RETURNS text LANGUAGE sql AS
      $$ SELECT m.hit(); SELECT pg_catalog.textcat($1, $2) $$;
    CREATE OPERATOR evil.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.textcat);
});
my $evil_path = q{SET search_path = evil, pg_catalog, public;};
is(as('postgres', $evil_path . q{SELECT 'a'::text = 'a'::text; SELECT pg_catalog.nextval('public.pwned') > 1}),
   "t\nt", 'the look-alikes are reached where the path is not pinned (sanity)');
as('postgres', q{SELECT pg_catalog.setval('public.pwned', 1, false)});
sub pwned { return as('postgres', 'SELECT last_value || CASE WHEN is_called THEN \'\' ELSE \'-\' END FROM public.pwned'); }
is(pwned(), '1-', 'public.pwned untouched so far');

# the owner's cycles, in apply mode with drops, from a hostile path: t_c
# is proposed, hidden, then dropped; and idx_check as the superuser
as('postgres', q{
    SELECT count(*) FROM idx_check();
    SELECT count(*) FROM idx_autopilot_set('apply', drops => true, hide_for => '0 seconds',
                                            max_regression => 100);
});
for my $i (1 .. 3)
{
    as('postgres', $evil_path . 'SELECT count(*) FROM public.idx_autopilot_run()');
    # what the cycle queued (the drop of t_c) is done before the next one
    # plans: else that cycle raced the worker's DROP INDEX CONCURRENTLY,
    # and, seeing t_c still, proposed no create for mallory's statements
    $node->safe_psql('postgres', 'CALL idx_wait()');
    as('mallory', q{SELECT count(*) FROM m.t WHERE c = 5 AND b = m.g(7) /* mallory-token */;
                    SELECT count(*) FROM m.t WHERE m.g(a) = 3 AND m.ok(c) /* mallory-token */});
}
$node->safe_psql('postgres', 'CALL idx_wait()');
is(as('postgres', q{SELECT string_agg(index_name || ' ' || status, ', ' ORDER BY id)
                     FROM idx_recommendations WHERE table_oid = 'm.t'::regclass AND kind = 'drop'}),
   't_c dropped', 'mallory\'s redundant index went through the cycle: proposed, hidden, dropped');
note(as('postgres', q{SELECT string_agg(kind || ' ' || definition || ' ' || status, E'\n' ORDER BY id)
                       FROM idx_recommendations WHERE table_oid = 'm.t'::regclass AND kind = 'create'}));
is(as('postgres', q{SELECT count(*) FROM pg_class WHERE relname = 't_c' AND relnamespace = 'm'::regnamespace}),
   '0', '... and is gone');
is(pwned(), '1-', 'no function of mallory\'s, nor a look-alike on the session\'s path, ran as the superuser owner');
# the build the cycle queued for mallory's statements is the superuser's
# idx_history row, which every admin reads: it quotes none of them
is(as('postgres', q{SELECT count(*) FROM idx_history WHERE migration = 'autopilot' AND operation = 'create'}),
   '1', 'the cycle queued a build for mallory\'s statements');
is(as('eve', q{SELECT count(*) FROM idx_history WHERE array_to_string(queries, ' ') LIKE '%mallory-token%'}),
   '0', 'an admin without pg_read_all_stats reads no other role\'s statement text in idx_history');

# ---------------------------------------------------------------------
# 6. One cycle at a time; the policy during a cycle
# ---------------------------------------------------------------------
as('postgres', q{SELECT count(*) FROM idx_autopilot_set('recommend', drops => true)});
sub snapshots { return as('postgres', 'SELECT count(*) FROM idx_autopilot_snapshots'); }
{
    my $first = $node->background_psql('postgres');
    $first->query_safe('SET client_min_messages = warning');
    $first->query_safe('BEGIN');
    $first->query('SELECT count(*) FROM idx_autopilot_run()');
    my ($ret, $out, $err) = psql_as('postgres', q{SET lock_timeout = '200ms'; SELECT count(*) FROM idx_autopilot_run()});
    like($err, qr/lock timeout/, 'a second cycle waits for the first');
    ($ret, $out, $err) = psql_as('postgres', q{SET lock_timeout = '200ms'; SELECT count(*) FROM idx_autopilot_set('off')});
    like($err, qr/lock timeout/, 'idx_autopilot_set waits for the cycle');
    $first->query_safe('COMMIT');
    $first->quit;
    as('postgres', q{SELECT count(*) FROM idx_autopilot_set('off')});
    my $before = snapshots();
    is(as('postgres', 'SELECT count(*) FROM idx_autopilot_run()') . ' ' . snapshots(), "0 $before",
       'once off, a cycle does nothing, not even a snapshot');
}
# ap owns the policy; while a superuser's idx_autopilot_set is not yet
# committed, ap starts a cycle, which waits for the policy's row; the
# owner is then the superuser: ap's cycle must not run
as('ap', q{SELECT count(*) FROM idx_autopilot_set('recommend', drops => true)});
{
    my $setter = $node->background_psql('postgres');
    $setter->query_safe('SET client_min_messages = warning');
    $setter->query_safe('BEGIN');
    $setter->query_safe(q{SELECT count(*) FROM idx_autopilot_set('recommend', drops => true)});
    my $cycle = $node->background_psql('postgres', on_error_stop => 0, extra_params => [ '-U', 'ap' ]);
    my $pid = $cycle->query_safe('SELECT pg_backend_pid()');
    $cycle->query_safe('SET client_min_messages = warning');
    my $before = snapshots();
    $cycle->query_until(qr/sent/, "\\echo sent\nSELECT count(*) FROM idx_autopilot_run();\n");
    ok($node->poll_query_until('postgres',
        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid"),
       'ap\'s cycle waits for the policy\'s row');
    $setter->query_safe('COMMIT');
    $setter->quit;
    $cycle->query('SELECT 1');
    like($cycle->{stderr}, qr/only the autopilot policy's owner "postgres" may run a cycle/,
         'the owner changed while it waited: ap\'s cycle is refused');
    $cycle->quit;
    is(snapshots(), $before, '... and took no snapshot');
}

# ---------------------------------------------------------------------
# 7. A cycle cancelled half-way leaves nothing
# ---------------------------------------------------------------------
{
    my $hold = $node->background_psql('postgres');
    $hold->query_safe('BEGIN');
    $hold->query_safe('LOCK TABLE idx_recommendations IN ACCESS EXCLUSIVE MODE');
    my $counts = q{SELECT (SELECT count(*) FROM idx_autopilot_snapshots) || ' '
                        || (SELECT count(*) FROM idx_autopilot_counters) || ' '
                        || (SELECT count(*) FROM idx_autopilot_events)};
    my $before = as('postgres', $counts);
    for my $how ('user request', 'statement timeout')
    {
        my $cycle = $node->background_psql('postgres', on_error_stop => 0);
        my $pid = $cycle->query_safe('SELECT pg_backend_pid()');
        $cycle->query_safe(q{SET statement_timeout = '3s'}) if $how eq 'statement timeout';
        $cycle->query_until(qr/sent/, "\\echo sent\nSELECT count(*) FROM idx_autopilot_run();\n");
        if ($how eq 'user request')
        {
            # it has taken its snapshot (it holds idx_autopilot_counters) and waits
            ok($node->poll_query_until('postgres', qq{
                SELECT a.wait_event_type = 'Lock'
                       AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = $pid AND l.granted
                                      AND l.relation = 'idx_autopilot_counters'::regclass
                                      AND l.mode = 'RowExclusiveLock')
                  FROM pg_stat_activity a WHERE a.pid = $pid}),
               'a cycle has taken its snapshot and waits');
            as('postgres', "SELECT pg_cancel_backend($pid)");
        }
        $cycle->query('SELECT 1');
        like($cycle->{stderr}, qr/canceling statement due to $how/, "a cycle ended half-way by $how ...");
        $cycle->quit;
        is(as('postgres', $counts), $before, '... left no snapshot, counter or step');
    }
    $hold->query_safe('ROLLBACK');
    $hold->quit;
}
as('postgres', 'SELECT count(*) FROM idx_autopilot_run()');

# ---------------------------------------------------------------------
# 10. Retention: what no decision needs does not stay for ever
# ---------------------------------------------------------------------
# every snapshot so far is moved back beyond the autopilot window (1 day)
as('postgres', q{UPDATE idx_autopilot_snapshots SET taken_at = taken_at - interval '2 days';
                 SELECT pg_stat_statements_reset()});
my $old = snapshots();
as('postgres', 'SELECT count(*) FROM idx_autopilot_run()');
is(as('postgres', q{
    SELECT count(*) FROM idx_autopilot_snapshots x
     WHERE x.id < (SELECT max(y.id) FROM idx_autopilot_snapshots y)
       AND NOT EXISTS (SELECT 1 FROM idx_recommendations r
                        WHERE x.id IN (r.before_from, r.before_to, r.after_from))}),
   '0', 'a cycle drops the snapshots older than the window that no recommendation names');
cmp_ok(snapshots(), '<', $old, '... so there are fewer than before');
is(as('postgres', q{
    SELECT count(*) FROM idx_autopilot_statements t
     WHERE NOT EXISTS (SELECT 1 FROM idx_autopilot_counters c
                        WHERE c.userid = t.userid AND c.queryid = t.queryid)}),
   '0', '... and the texts no counter names any more');
is(as('postgres', q{
    SELECT count(*) FROM idx_recommendations r
     WHERE NOT EXISTS (SELECT 1 FROM idx_autopilot_snapshots x WHERE x.id = r.before_from)
        OR NOT EXISTS (SELECT 1 FROM idx_autopilot_snapshots x WHERE x.id = r.before_to)}),
   '0', 'every recommendation keeps its window');

# ---------------------------------------------------------------------
# 11. A table owner's 57014 is its statement's error; a real cancel ends
#     the cycle
# ---------------------------------------------------------------------
as('mallory', q{
    -- raises 57014 only when planned inside a cycle
    -- (no argument: pg_stat_statements would make a constant $1, and a
    -- call with a parameter is not folded)
    CREATE FUNCTION m.boom() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
    BEGIN
        IF pg_catalog.current_query() LIKE '%idx_autopilot_run%' THEN
            RAISE EXCEPTION 'canceling statement due to user request' USING ERRCODE = 'query_canceled';
        END IF;
        RETURN 3;
    END $$;
    CREATE TABLE m.u (a int, b int);
    INSERT INTO m.u SELECT g, g FROM generate_series(1, 5000) g;
    ANALYZE m.u;
    SELECT count(*) FROM m.u WHERE a = m.boom();
    SELECT count(*) FROM m.u WHERE a = m.boom();
    SELECT count(*) FROM m.u WHERE a = m.boom();
});
{
    my ($ret, $out, $err) = psql_as('postgres', 'SELECT count(*) FROM idx_autopilot_run()');
    is($ret, 0, 'a 57014 that a table owner\'s function raises while the cycle plans its statement does not end the cycle')
      or diag($err);
}
as('mallory', q{
    -- sleeps only when planned inside a cycle
    CREATE FUNCTION m.nap() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
    BEGIN
        IF pg_catalog.current_query() LIKE '%idx_autopilot_run%' THEN
            PERFORM pg_catalog.pg_sleep(5);
        END IF;
        RETURN 3;
    END $$;
    SELECT count(*) FROM m.u WHERE b = m.nap();
    SELECT count(*) FROM m.u WHERE b = m.nap();
    SELECT count(*) FROM m.u WHERE b = m.nap();
});
{
    my $counts = q{SELECT (SELECT count(*) FROM idx_autopilot_snapshots) || ' ' || (SELECT count(*) FROM idx_autopilot_events)};
    my $before = as('postgres', $counts);
    my ($ret, $out, $err) = psql_as('postgres', q{SET index_advisor.check_timeout = '20s';
                                                    SET statement_timeout = '1s';
                                                    SELECT count(*) FROM idx_autopilot_run()});
    like($err, qr/canceling statement due to statement timeout/,
         'statement_timeout while the cycle plans a slow statement ends the cycle');
    is(as('postgres', $counts), $before, '... and leaves nothing');
}

# ---------------------------------------------------------------------
# 12. The record cannot be forged into the owner's actions
# ---------------------------------------------------------------------
as('postgres', q{SELECT count(*) FROM idx_autopilot_set('apply', max_builds_per_day => 10)});
for my $as ('postgres', 'reader')
{
    my ($ret, $out, $err) = psql_as('reader', qq{
        INSERT INTO idx_recommendations (kind, definition, schema_name, table_name, table_oid,
                                         index_name, status, role_oid)
        VALUES ('create', 'CREATE INDEX forged_$as ON public.acct (note)', 'public', 'acct',
                'public.acct'::regclass, 'forged_$as', 'proposed', '$as')});
    like($err, qr/new row violates row-level security policy/,
         "an admin that is not the policy's owner cannot add a recommendation in the name of $as");
}
{
    # reader reads every row (pg_read_all_stats) but may not change them
    my ($ret, $out, $err) = psql_as('reader', q{
        UPDATE idx_recommendations
           SET kind = 'create', status = 'proposed', decided_at = now(), index_oid = NULL,
               definition = 'CREATE INDEX forged_update ON public.acct (note)', index_name = 'forged_update'
         WHERE id = (SELECT max(id) FROM idx_recommendations) RETURNING id});
    is($out, '', 'an admin cannot change a recommendation of the owner\'s');
}
as('postgres', q{SET client_min_messages = warning; SELECT count(*) FROM idx_autopilot_run()});
$node->safe_psql('postgres', 'CALL idx_wait()');
is(as('postgres', q{SELECT string_agg(relname, ', ') FROM pg_class WHERE relname LIKE 'forged%'}), '',
   'the owner\'s cycle builds nothing another admin wrote');
as('postgres', q{SELECT count(*) FROM idx_autopilot_set('recommend', drops => true)});

# ---------------------------------------------------------------------
# 9. sqlsmith's statements, then cycles
# ---------------------------------------------------------------------
my $sqlsmith = `command -v sqlsmith 2>/dev/null`;
chomp $sqlsmith;
SKIP:
{
    skip 'sqlsmith is not installed', 5 unless $sqlsmith;
    my $fuzz_dir = dirname(__FILE__) . '/../fuzz';
    $node->safe_psql('postgres', 'CREATE DATABASE fuzz');
    $node->command_ok(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('fuzz'),
                       '-f', "$fuzz_dir/schema.sql"], 'the schema of test/fuzz/schema.sql');
    $node->safe_psql('fuzz', q{
        CREATE EXTENSION pg_stat_statements;
        CREATE EXTENSION index_advisor;
        SELECT count(*) FROM idx_autopilot_set('recommend', drops => true);
        SELECT count(*) FROM idx_autopilot_run();
    });
    # statements with effects outside the statement are left out, as in 175
    my $deny_re = qr/\b(?:pg_terminate_backend|pg_cancel_backend|pg_signal_backend|pg_reload_conf|pg_rotate_logfile\w*|pg_switch_wal|pg_promote|pg_wal_replay_\w+|pg_create_restore_point|pg_backup_\w+|pg_start_backup|pg_stop_backup|pg_stop_making_pinned_objects|pg_nextoid|pg_sleep\w*|set_config|pg_notify|pg_log_backend_memory_contexts|pg_import_system_collations|pg_stat_reset\w*|pg_read_file|pg_read_binary_file|pg_stat_file|pg_ls_\w+|pg_logical_emit_message|pg_export_snapshot|pg_\w*advisory\w*|lo_\w+|pg_replication_\w+|\w*replication_slot\w*)\s*\(/;
    my $script = '';
    my $fed = 0;
    for my $seed (1 .. 2)
    {
        my ($out, $err) = ('', '');
        IPC::Run::run([$sqlsmith, '--target=' . $node->connstr('fuzz') . ' user=fuzz_owner',
                       '--exclude-catalog', '--dry-run', '--max-queries=300', "--seed=$seed"],
                      '>', \$out, '2>', \$err)
          or die "sqlsmith --seed=$seed failed: $err";
        for my $stmt (split /;\n/, $out)
        {
            $stmt =~ s/^\s+|\s+$//g;
            next if $stmt eq '' || $stmt =~ $deny_re;
            # twice, each time rolled back: calls in pg_stat_statements
            $script .= "BEGIN;\nSET LOCAL statement_timeout = '200ms';\n$stmt;\nROLLBACK;\n" x 2;
            $fed++;
        }
    }
    my ($out, $err) = ('', '');
    IPC::Run::run(['psql', '-X', '-q', '-d', $node->connstr('fuzz'), '-U', 'fuzz_owner'],
                  '<', \$script, '>', \$out, '2>', \$err);
    note("fed $fed sqlsmith statements (twice each) as fuzz_owner");
    # from here on the log is the cycles' (PostgreSQL's own XX000s on
    # some of sqlsmith's statements, run by fuzz_owner above, are not)
    my $log_from = -s $node->logfile;
    $node->safe_psql('fuzz', 'SELECT count(*) FROM idx_check()');
    my $ok = 1;
    for my $i (1 .. 2)
    {
        my ($ret, $o, $e) = $node->psql('fuzz', 'SELECT count(*) FROM idx_autopilot_run()');
        $ok = 0 if $ret != 0;
        diag("cycle $i: $e") if $ret != 0;
    }
    ok($ok, 'every cycle over sqlsmith\'s statements succeeds');
    is($node->safe_psql('fuzz', q{SELECT string_agg(detail, E'\n') FROM idx_autopilot_events WHERE detail LIKE '%XX000%'}),
       '', 'no step records an internal error (XX000)');
    unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
    unlike(slurp_file($node->logfile, $log_from), qr/ERROR:  XX000/,
           'no internal error in the server log during the cycles (log_error_verbosity = verbose)');
}

$node->stop;
done_testing();
