/* index_advisor 0.2 part: the autopilot's proposals and builds (stage 4 of
 * a cycle).  A person's approval or refusal, and the report, are
 * 91_autopilot_report.sql's; the scheduled job is 90_autopilot_cycle.sql's.
 *
 *  * idx_autopilot_propose(cycle, policy) -- stage 4.  Reads the proposal
 *    window (the oldest snapshot within autopilot_window before the cycle,
 *    to the cycle), hands its statements, by time, to
 *    idx_advise_statements (each planned as its author; statements of
 *    roles whose privileges the owner lacks are left out and counted),
 *    and keeps the advised indexes that save at least min_gain of their
 *    statements' time and fit what is left of the budget.  Each one kept
 *    becomes an idx_recommendations row at 'proposed'; in apply mode it is
 *    queued at once (idx_autopilot_queue).  What was left out, and why, is
 *    one 'note' event.
 *  * idx_autopilot_queue(cycle, rec, by_person) -- the one way a create
 *    recommendation is queued: idx_apply(migration 'autopilot') with the
 *    gentle-build settings idx_apply reads itself; within
 *    max_builds_per_day and the budget unless a person approved it.
 *
 * Rules kept here, each written once:
 *  * the shape of an index (its definition without its name):
 *    idx_autopilot_shape(); the same shape is never proposed twice while
 *    one is live, nor again after a person rejected it or a validation
 *    reverted it, unless its workload changed (idx_autopilot_workload_changed);
 *  * one leading key per table at a time: an index whose table and leading
 *    key (idx_autopilot_shape) are those of a recommendation not yet
 *    judged (proposed, building, validating) waits for its verdict;
 *  * what the budget has spent: idx_autopilot_budget_used();
 *  * the builds of the last 24 hours: idx_autopilot_builds_today().
 * Reference: doc/autopilot.md, "Proposals and builds". */

-- ---------------------------------------------------------------------
-- The parts of an advised definition
-- ---------------------------------------------------------------------

-- "CREATE INDEX name ON schema.table ...": the index's name, its table
-- (NULL when it no longer resolves), its shape (everything from " ON ",
-- the definition without the name: two proposals of the same shape are
-- the same index) and its leading key (its first key column or expression
-- as written, without its direction: ASC, DESC, NULLS ...; two indexes of
-- one table with the same leading key compete for the same statements,
-- as "(created_at)" and "(created_at) INCLUDE (total)" do).
CREATE FUNCTION @extschema@.idx_autopilot_shape(definition text,
                                               OUT index_name name,
                                               OUT table_oid pg_catalog.regclass,
                                               OUT shape text,
                                               OUT leading_key text)
RETURNS record
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_shape$
DECLARE
    -- E'' strings: the body is parsed with the caller's
    -- standard_conforming_strings
    ident constant text := E'(?:"(?:[^"]|"")+"|[^\\s."(]+)';
    m text[];
    keys text;
    depth integer := 0;
    quote text := NULL;
    ch text;
BEGIN
    m := regexp_match(definition,
                      '^CREATE (?:UNIQUE )?INDEX (' || ident || ')( ON (?:ONLY )?('
                      || ident || E'\\.' || ident || E')[\\s(].*)$', 's');
    IF m IS NULL THEN
        RETURN;
    END IF;
    index_name := (parse_ident(m[1]))[1];
    table_oid := to_regclass(m[3]);
    shape := m[2];
    -- the leading key: up to the first comma or closing parenthesis of the
    -- key list outside parentheses and quotes (lower(email), "a,b", 'x,y')
    keys := substr(shape, strpos(shape, m[3]) + length(m[3]));
    keys := (regexp_match(keys, E'^(?: USING \\w+)? \\((.*)$', 's'))[1];
    FOR i IN 1 .. COALESCE(length(keys), 0) LOOP
        ch := substr(keys, i, 1);
        IF quote IS NOT NULL THEN
            IF ch = quote THEN
                quote := NULL;      -- a doubled quote closes and opens again
            END IF;
        ELSIF ch IN ('"', '''') THEN
            quote := ch;
        ELSIF ch = '(' THEN
            depth := depth + 1;
        ELSIF depth > 0 AND ch = ')' THEN
            depth := depth - 1;
        ELSIF depth = 0 AND ch IN (',', ')') THEN
            leading_key := regexp_replace(btrim(substr(keys, 1, i - 1)),
                                          E'(\\s+(ASC|DESC))?(\\s+NULLS\\s+(FIRST|LAST))?$', '');
            EXIT;
        END IF;
    END LOOP;
    RETURN;
END
$idx_autopilot_shape$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_shape(text) IS
    'internal (autopilot): the index name, the table, the shape (the definition from " ON ", without the name) and the leading key (the first key, without its direction) of an advised CREATE INDEX';

-- ---------------------------------------------------------------------
-- The limits: budget and builds per day
-- ---------------------------------------------------------------------

-- Bytes the autopilot's creates hold or will hold: est_size of those
-- proposed, building or validating; the real size of the kept ones whose
-- index is still there.
CREATE FUNCTION @extschema@.idx_autopilot_budget_used()
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(sum(CASE
               WHEN r.status = @extschema@.idx_autopilot_status('kept') THEN
                    (SELECT pg_relation_size(c.oid) FROM pg_class c
                      WHERE c.oid = r.index_oid AND c.relkind IN ('i', 'I'))
               ELSE r.est_size END), 0)::bigint
      FROM @extschema@.idx_recommendations r
     WHERE r.kind = 'create'
       AND r.status IN (@extschema@.idx_autopilot_status('proposed'), @extschema@.idx_autopilot_status('building'), @extschema@.idx_autopilot_status('validating'), @extschema@.idx_autopilot_status('kept'))
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_budget_used() IS
    'internal (autopilot): bytes the autopilot''s indexes take or will take (estimated until built and kept, then their real size); the budget is spent against this';

-- Builds queued in the last 24 hours ('queued' events): what
-- max_builds_per_day counts.
CREATE FUNCTION @extschema@.idx_autopilot_builds_today()
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*)::integer FROM @extschema@.idx_autopilot_events e
     WHERE e.action = 'queued' AND e.at > clock_timestamp() - interval '24 hours'
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_builds_today() IS
    'internal (autopilot): builds queued in the last 24 hours, by the autopilot or approved by a person; what max_builds_per_day counts';

-- Sizes for people: "118 MB", as pg_size_pretty says it.
CREATE FUNCTION @extschema@.idx_autopilot_bytes(bytes bigint)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$SELECT COALESCE(pg_size_pretty($1), 'unknown size')$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_bytes(bigint) IS
    'internal (autopilot): a size in bytes as people read it';

-- ---------------------------------------------------------------------
-- Rejected and reverted: back only when the workload changed
-- ---------------------------------------------------------------------

-- workload_key is jsonb text: {"statements": ["userid:queryid", ...]
-- sorted, "share": fraction of the window's time they took}.  The
-- workload of an index changed when its statements are not the same set,
-- or their share of the window's time more than doubled (a share that
-- shrank makes the index worth less, not more).
CREATE FUNCTION @extschema@.idx_autopilot_workload_changed(old_key text, new_key text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT old_key IS NULL
        OR (old_key::jsonb -> 'statements') IS DISTINCT FROM (new_key::jsonb -> 'statements')
        OR (new_key::jsonb ->> 'share')::float8 > 2 * (old_key::jsonb ->> 'share')::float8
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_workload_changed(text, text) IS
    'internal (autopilot): a rejected or reverted recommendation comes back only when true: its statements (userid:queryid) are not the same, or their share of the window''s time more than doubled';

-- ---------------------------------------------------------------------
-- Queueing a create: the one way
-- ---------------------------------------------------------------------

-- The schemas of the search_path a new session of the current role starts
-- with (pg_settings.reset_val: the role's and the database's settings,
-- else the server's; "$user" resolved, schemas that do not exist left
-- out), in order, each with why it is not trusted, or NULL.  A schema is
-- not trusted when a role without the privileges of its owner may create
-- objects in it (CREATE granted to PUBLIC or to another role: the first
-- such role by name is named), or when it bears the current role's name
-- (what "$user" finds) and is owned by a role without the current role's
-- privileges (any role with CREATE on the database can make one).  Such a
-- role could plant a table, view or function there that an unqualified
-- name of a recorded statement would resolve to, ahead of the one the
-- application meant (PostgreSQL's "secure schema usage pattern": a path
-- of schemas that only their owners write).  A schema's owner, its
-- members and superusers may write it: pg_database_owner's public
-- schema, the database owner's, stays.
CREATE FUNCTION @extschema@.idx_autopilot_path_schemas(OUT pos integer,
                                                      OUT schema_name name,
                                                      OUT distrust text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_path_schemas$
DECLARE
    path name[];
BEGIN
    -- resolved by PostgreSQL itself under that path (only qualified names
    -- are used while it is set); the SET clause puts ours back
    PERFORM pg_catalog.set_config('search_path',
        (SELECT s.reset_val FROM pg_catalog.pg_settings s WHERE s.name = 'search_path'), true);
    path := pg_catalog.current_schemas(false);
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    RETURN QUERY
        SELECT p.pos::integer, p.nspname,
               COALESCE((SELECT format('role %I may create in it', min(r.rolname))
                           FROM pg_roles r
                          WHERE has_schema_privilege(r.oid, n.oid, 'CREATE')
                            AND NOT pg_has_role(r.oid, n.nspowner, 'USAGE')
                         HAVING count(*) > 0),
                        CASE WHEN n.nspname = current_user
                              AND NOT pg_has_role(n.nspowner, @extschema@.idx_autopilot_me()::oid, 'USAGE')
                             THEN format('it bears the name of role %I but role %I owns it',
                                         current_user, n.nspowner::regrole::text)
                        END)
          FROM unnest(path) WITH ORDINALITY AS p(nspname, pos)
          JOIN pg_namespace n ON n.nspname = p.nspname
         ORDER BY p.pos;
END
$idx_autopilot_path_schemas$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_path_schemas() IS
    'internal (idx_autopilot_session_path, idx_autopilot_path_note): the schemas of the search_path a new session of the current role starts with, each with why it is not trusted (a role without its owner''s privileges may create in it, or it bears the current role''s name and another role owns it), NULL when it is';

-- The search_path a new session of the current role starts with, less
-- the schemas it does not trust (idx_autopilot_path_schemas; the cycle's
-- note says which, idx_autopilot_path_note), as a search_path value.  The
-- one place the cycle takes its path from: idx_autopilot_session_path
-- sets it for idx_autopilot_advise and idx_autopilot_apply, and the
-- statements of a table are analysed under it (idx_autopilot_reads, 86).
CREATE FUNCTION @extschema@.idx_autopilot_trusted_path()
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$SELECT COALESCE((SELECT pg_catalog.string_agg(pg_catalog.quote_ident(p.schema_name), ', '
                                                  ORDER BY p.pos)
                       FROM @extschema@.idx_autopilot_path_schemas() p
                      WHERE p.distrust IS NULL), '')$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_trusted_path() IS
    'internal (autopilot): the search_path a new session of the current role starts with, less the schemas it does not trust (idx_autopilot_path_schemas)';

-- Set (for the rest of the calling function, whose SET clause puts its
-- own back) idx_autopilot_trusted_path.
CREATE FUNCTION @extschema@.idx_autopilot_session_path()
RETURNS text
LANGUAGE sql VOLATILE
AS $$SELECT pg_catalog.set_config('search_path', @extschema@.idx_autopilot_trusted_path(), true)$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_session_path() IS
    'internal (idx_autopilot_advise, idx_autopilot_apply): set the search_path a new session of the current role starts with, less the schemas it does not trust (idx_autopilot_trusted_path), until the calling function returns';

-- What the cycle's note says of the path, NULL when no schema was left out.
CREATE FUNCTION @extschema@.idx_autopilot_path_note()
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$SELECT format('Statements are planned and queued without the schema%s %s of the search_path (%s): an unqualified name of a statement could resolve to an object another role put there.',
                   CASE WHEN count(*) > 1 THEN 's' END,
                   string_agg(format('%I (%s)', p.schema_name, p.distrust), ', '
                              ORDER BY p.pos),
                   (SELECT s.reset_val FROM pg_settings s WHERE s.name = 'search_path'))
      FROM @extschema@.idx_autopilot_path_schemas() p
     WHERE p.distrust IS NOT NULL
    HAVING count(*) > 0$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_path_note() IS
    'internal (idx_autopilot_run): the note that says which schemas of the session''s search_path the cycle leaves out, or NULL';

-- idx_apply for idx_autopilot_queue, under the search_path of
-- idx_autopilot_advise (the same reason: idx_apply plans the queries it
-- is given, and they name their tables as the application does).
CREATE FUNCTION @extschema@.idx_autopilot_apply(definition text, queries text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_apply$
BEGIN
    PERFORM @extschema@.idx_autopilot_session_path();
    RETURN @extschema@.idx_apply(definition => definition, queries => queries,
                                 migration => 'autopilot');
END
$idx_autopilot_apply$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_apply(text, text[]) IS
    'internal (idx_autopilot_queue): idx_apply (migration autopilot) under the search_path a new session of the current role starts with, as idx_autopilot_advise plans';

-- Queue recommendation rec through idx_apply as the current role (the
-- policy's owner in a cycle, the approving person otherwise).  Unless
-- by_person, only within max_builds_per_day and the budget: a proposal
-- held back stays 'proposed' (a 'skipped' event says why) and a later
-- cycle queues it.  idx_apply's refusal makes it 'rejected' with the
-- error.  Returns true when queued.
CREATE FUNCTION @extschema@.idx_autopilot_queue(cycle bigint, rec_id bigint,
                                               by_person boolean)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_queue$
DECLARE
    policy  @extschema@.idx_autopilot_policy;
    rec     @extschema@.idx_recommendations;
    used    bigint;
    today   integer;
    hid     bigint;
    queries text[];
    state   text;
    msg     text;
BEGIN
    SELECT * INTO policy FROM @extschema@.idx_autopilot_policy;
    SELECT * INTO rec FROM @extschema@.idx_recommendations r WHERE r.id = rec_id;
    IF NOT by_person THEN
        today := @extschema@.idx_autopilot_builds_today();
        IF today >= policy.max_builds_per_day THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'skipped',
                format('Not queued yet: %s build%s queued in the last 24 hours (max_builds_per_day %s); a later cycle queues it.',
                       today, CASE WHEN today = 1 THEN ' was' ELSE 's were' END, policy.max_builds_per_day));
            RETURN false;
        END IF;
        -- one change per table at a time (as drops, 89): a statement of the
        -- table that gets slower then points at one index
        IF EXISTS (SELECT 1 FROM @extschema@.idx_recommendations x
                    WHERE x.table_oid = rec.table_oid AND x.id <> rec.id
                      AND x.status IN (@extschema@.idx_autopilot_status('building'),
                                       @extschema@.idx_autopilot_status('validating'),
                                       @extschema@.idx_autopilot_status('hidden'))) THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'skipped',
                format('Not queued yet: another change to %I.%I is being measured; one change per table at a time, so that a statement that gets slower points at one index.',
                       rec.schema_name, rec.table_name));
            RETURN false;
        END IF;
        -- this one is counted in used already (proposed)
        used := @extschema@.idx_autopilot_budget_used();
        IF policy.budget IS NOT NULL AND used > policy.budget THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'skipped',
                format('Not queued yet: the autopilot''s indexes would take %s, more than its budget of %s.',
                       @extschema@.idx_autopilot_bytes(used), @extschema@.idx_autopilot_bytes(policy.budget)));
            RETURN false;
        END IF;
    END IF;
    -- the statements the queuing role wrote itself: the idx_history row
    -- is read by every member of index_advisor_admin, and another role's
    -- text is shown only to whom pg_stat_statements would show it
    -- (doc/safety.md, "Autopilot"); the others stay in the recommendation
    queries := ARRAY(SELECT COALESCE(s ->> 'planned', s ->> 'query')
                       FROM jsonb_array_elements(rec.statements) s
                      WHERE s ->> 'query' IS NOT NULL
                        AND (s ->> 'userid')::oid = @extschema@.idx_autopilot_me()::oid);
    BEGIN
        hid := @extschema@.idx_autopilot_apply(rec.definition, NULLIF(queries, '{}'));
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'rejected',
            format('idx_apply refused it: %s (SQLSTATE %s).', msg, state), 'rejected');
        RETURN false;
    END;
    UPDATE @extschema@.idx_recommendations r SET history_id = hid WHERE r.id = rec_id;
    PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'queued',
        format('Queued as idx_history row %s (migration autopilot)%s; it builds with the gentle-build settings (index_advisor.build_window, build_priority, max_replica_lag).',
               hid, CASE WHEN by_person THEN format(', approved by %s', current_user) ELSE '' END),
        'building');
    RETURN true;
END
$idx_autopilot_queue$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_queue(bigint, bigint, boolean) IS
    'internal (autopilot): queue a create recommendation through idx_apply (migration autopilot); within max_builds_per_day and the budget unless a person approved it; idx_apply''s refusal makes it rejected';

-- ---------------------------------------------------------------------
-- Stage 4: proposals
-- ---------------------------------------------------------------------

-- idx_advise_statements for the cycle, with the search_path a session of
-- the cycle's role starts with (pg_settings.reset_val: the role's and the
-- database's settings, else the server's; "$user", public by default),
-- less the schemas it does not trust (idx_autopilot_session_path).
-- pg_stat_statements keeps no search_path: a statement of the window that
-- names its tables unqualified, as most applications do, resolves them
-- as it would in a new session, not under the stages' own search_path
-- (pg_catalog, pg_temp), under which it fails to plan and nothing is ever
-- proposed.  Only this call sees that path: the SET clause puts the
-- stage's back when it returns.
CREATE FUNCTION @extschema@.idx_autopilot_advise(queries text[], roles pg_catalog.oid[],
                                                weights double precision[], budget bigint,
                                                max_indexes integer)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_advise$
BEGIN
    PERFORM @extschema@.idx_autopilot_session_path();
    RETURN QUERY SELECT a.rank, a.definition, a.est_size, a.queries, a.cost_before, a.cost_after
                   FROM @extschema@.idx_advise_statements(queries, roles, weights, budget,
                                                         max_indexes, 0) a;
END
$idx_autopilot_advise$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_advise(text[], pg_catalog.oid[], double precision[], bigint, integer) IS
    'internal (idx_autopilot_propose): idx_advise_statements under the search_path a new session of the cycle''s role starts with (unqualified names in pg_stat_statements resolve as the application''s would)';

-- Stage 4, as the policy's owner: expire stale waiting proposals, queue
-- the waiting ones (apply), then advise on the proposal window's
-- statements that are the owner's to tune -- enough calls, an author whose
-- privileges the owner has (idx_may_act), no table read whose owner's
-- privileges it lacks -- and record (and in apply queue) the indexes that
-- pass min_gain, the policy's schemas, the never-twice rule and the
-- budget.  Whatever is left out is counted in one note.  The tables'
-- owners are not asked for the advisor's sake (it plans and sizes as each
-- statement's author, advise_size.c) but for the budget's: a pick on a
-- table the owner may not act for is left out after the advisor chose it
-- within left_budget and max_indexes, and would take that room from the
-- owner's own indexes at every cycle.
CREATE FUNCTION @extschema@.idx_autopilot_propose(cycle bigint, policy @extschema@.idx_autopilot_policy)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
-- the advisor's NOTICE of skipped statements is for a person calling it;
-- a cycle records what it left out as a step instead
SET client_min_messages = warning
AS $idx_autopilot_propose$
DECLARE
    win_from  bigint;
    win_total double precision;
    stmts     jsonb;
    q         text[];
    r         oid[];
    w         double precision[];
    not_yours integer;
    not_ours  integer;
    few       bigint;
    min_calls integer;
    foreign_tables text;
    picks     jsonb;
    state     text;
    msg       text;
    top       integer;
    left_out  text[] := '{}';
    pick      record;
    part      record;
    prev_after double precision;
    served    jsonb;
    served_ms double precision;
    served_cost double precision;
    gain      double precision;
    key       text;
    old       @extschema@.idx_recommendations;
    earlier   @extschema@.idx_recommendations;
    left_budget bigint;
    rec_id    bigint;
    pending   bigint;
    path      text := @extschema@.idx_autopilot_trusted_path();
BEGIN
    -- a proposal older than the window rests on figures no longer in it:
    -- expired (a later cycle proposes it again if it still helps)
    FOR pending IN SELECT x.id FROM @extschema@.idx_recommendations x
                    WHERE x.kind = 'create' AND x.status = @extschema@.idx_autopilot_status('proposed')
                      AND x.decided_at < now() - (@extschema@.idx_autopilot_settings())."window"
                    ORDER BY x.id LOOP
        PERFORM @extschema@.idx_autopilot_event(cycle, pending, 'expired',
            format('Proposed more than autopilot_window (%s) ago and neither built nor decided on: its figures are out of the window; a later cycle proposes it again if it still helps.',
                   (@extschema@.idx_autopilot_settings())."window"),
            'expired');
    END LOOP;
    -- a proposal whose table left the policy's schemas (the policy changed)
    FOR pending IN SELECT x.id FROM @extschema@.idx_recommendations x
                    WHERE x.kind = 'create' AND x.status = @extschema@.idx_autopilot_status('proposed')
                      AND policy.schemas IS NOT NULL
                      AND x.schema_name::text <> ALL (policy.schemas)
                    ORDER BY x.id LOOP
        PERFORM @extschema@.idx_autopilot_event(cycle, pending, 'expired',
            'Its schema is no longer in the policy''s schemas.', 'expired');
    END LOOP;
    -- proposals held back by max_builds_per_day or the budget, oldest first
    IF policy.mode = 'apply' THEN
        FOR pending IN SELECT x.id FROM @extschema@.idx_recommendations x
                        WHERE x.kind = 'create' AND x.status = @extschema@.idx_autopilot_status('proposed')
                        ORDER BY x.id LOOP
            PERFORM @extschema@.idx_autopilot_queue(cycle, pending, false);
        END LOOP;
    END IF;

    -- the window: from the oldest snapshot within autopilot_window
    win_from := @extschema@.idx_autopilot_window_from(cycle);
    IF win_from IS NULL THEN
        RETURN;     -- the first cycle: nothing to compare yet
    END IF;

    -- its statements by total time (stmts keeps that order, the one the
    -- steps report them in), at most idx_advise_workload's 50 and
    -- index_advisor.max_queries_per_index, each with at least
    -- autopilot_min_calls calls in the window (a statement run a few
    -- times, say by hand, is no workload to build for)
    top := least(50, current_setting('index_advisor.max_queries_per_index')::integer);
    min_calls := (@extschema@.idx_autopilot_settings()).min_calls;
    SELECT sum(x.total_ms), count(*) FILTER (WHERE x.calls < min_calls)
      INTO win_total, few
      FROM @extschema@.idx_autopilot_window(win_from, cycle) x;
    IF few > 0 THEN
        left_out := left_out || format('%s statement%s with fewer than autopilot_min_calls (%s) calls in the window',
                                       few, CASE WHEN few > 1 THEN 's' END, min_calls);
    END IF;
    SELECT count(*) FILTER (WHERE NOT x.yours),
           count(*) FILTER (WHERE x.yours AND x.foreign_table IS NOT NULL),
           string_agg(DISTINCT x.foreign_table, ', '),
           jsonb_agg(jsonb_build_object('userid', x.userid, 'queryid', x.queryid,
                         'query', x.query, 'calls', x.calls, 'mean_ms', x.mean_ms,
                         'stddev_ms', x.stddev_ms, 'total_ms', x.total_ms)
                     ORDER BY x.total_ms DESC)
                     FILTER (WHERE x.yours AND x.foreign_table IS NULL)
      INTO not_yours, not_ours, foreign_tables, stmts
      FROM (SELECT y.*, @extschema@.idx_may_act(y.userid::regrole) AS yours,
                   -- a table it reads (idx_autopilot_reads, the rule of
                   -- "one of a table's statements") that the owner may
                   -- not act for: the statement is not the owner's to tune
                   -- (one that reads an extension's table is left out
                   -- below, whoever owns it)
                   (SELECT min(c.oid::regclass::text)
                      FROM unnest(y.reads) AS rd(oid)
                      JOIN pg_class c ON c.oid = rd.oid
                     WHERE c.relkind IN ('r', 'p', 'm')
                       AND c.relnamespace NOT IN ('pg_catalog'::regnamespace,
                                                  'information_schema'::regnamespace,
                                                  'pg_toast'::regnamespace)
                       AND NOT pg_has_role(current_user, c.relowner, 'USAGE')) AS foreign_table
              FROM (SELECT z.*, @extschema@.idx_autopilot_reads(z.userid, z.queryid, z.query, path) AS reads
                      FROM @extschema@.idx_autopilot_window(win_from, cycle) z
                     WHERE z.query IS NOT NULL AND z.calls >= min_calls
                       AND EXISTS (SELECT 1 FROM pg_roles a WHERE a.oid = z.userid)) y
               -- not the work of extensions (index_advisor's own record
               -- included, pg_stat_statements' view too): their tables
               -- are theirs to index
             WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
                                  AND d.objid = ANY (y.reads))
             ORDER BY y.total_ms DESC LIMIT top) x;
    IF not_yours > 0 THEN
        left_out := left_out || format('%s statement%s of roles whose privileges %s does not have (not planned)',
                                       not_yours, CASE WHEN not_yours > 1 THEN 's' END, current_user);
    END IF;
    IF not_ours > 0 THEN
        left_out := left_out || format('%s statement%s on tables %s may not act for (%s; not planned)',
                                       not_ours, CASE WHEN not_ours > 1 THEN 's' END, current_user,
                                       foreign_tables);
    END IF;
    -- statements with too few calls alone are not worth a step every
    -- cycle: they are counted when something else is said
    IF stmts IS NULL THEN
        IF not_yours > 0 OR not_ours > 0 THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, NULL, 'note',
                format('Left out: %s.', array_to_string(left_out, '; ')));
        END IF;
        RETURN;
    END IF;
    -- chosen by time and weighed by time, but advised on in an order of
    -- their own (calls, then text and role), idx_advise_workload's (72):
    -- the advice, which among near-equal candidates keeps the first drawn
    -- (advise_select.c), must not change with the timings of the window
    SELECT array_agg(s.query ORDER BY s.calls DESC, s.query, s.userid),
           array_agg(s.userid ORDER BY s.calls DESC, s.query, s.userid),
           array_agg(s.total_ms ORDER BY s.calls DESC, s.query, s.userid)
      INTO q, r, w
      FROM jsonb_to_recordset(stmts) AS s(query text, userid oid, calls bigint,
                                          total_ms double precision);
    IF policy.budget IS NOT NULL THEN
        left_budget := policy.budget - @extschema@.idx_autopilot_budget_used();
        IF left_budget <= 0 THEN
            PERFORM @extschema@.idx_autopilot_event(cycle, NULL, 'note',
                format('No proposals this cycle: the autopilot''s indexes take %s of its budget of %s.',
                       @extschema@.idx_autopilot_bytes(policy.budget - left_budget),
                       @extschema@.idx_autopilot_bytes(policy.budget)));
            RETURN;
        END IF;
    END IF;

    -- the advice (each statement planned as its author; weights = time)
    -- an error of the advisor is recorded and ends this stage only: the
    -- stages before it keep what they did
    BEGIN
        SELECT jsonb_agg(to_jsonb(a) ORDER BY a.rank) INTO picks
          FROM @extschema@.idx_autopilot_advise(q, r, w, left_budget, 10)
               AS a(rank integer, definition text, est_size bigint, queries text[],
                    cost_before double precision, cost_after double precision)
         WHERE a.definition IS NOT NULL;
    EXCEPTION WHEN query_canceled THEN
        RAISE;
    WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        PERFORM @extschema@.idx_autopilot_event(cycle, NULL, 'note',
            format('No proposals this cycle: the advisor failed on the window''s statements (SQLSTATE %s: %s).', state, msg));
        RETURN;
    END;
    prev_after := NULL;
    FOR pick IN SELECT * FROM jsonb_to_recordset(COALESCE(picks, '[]'))
                    AS a(rank integer, definition text, est_size bigint, queries text[],
                         cost_before double precision, cost_after double precision)
                 -- creates only: the advisor's drop rows (no rank) are
                 -- stage 3's to judge, with usage over every node (89)
                 WHERE a.rank IS NOT NULL
                 ORDER BY a.rank LOOP
        gain := NULL;
        -- the statements it serves, as measured in the window
        -- each with the text the advisor planned ("planned": pg_stat_statements'
        -- text may not parse; idx_apply stores and checks this one)
        SELECT jsonb_agg(s || jsonb_build_object('planned',
                   (SELECT pq.text FROM unnest(pick.queries) AS pq(text)
                     WHERE @extschema@.idx_autopilot_query_shape(pq.text)
                           = @extschema@.idx_autopilot_query_shape(s ->> 'query')
                     LIMIT 1))
                 ORDER BY (s ->> 'total_ms')::float8 DESC),
               sum((s ->> 'total_ms')::float8)
          INTO served, served_ms
          FROM jsonb_array_elements(stmts) s
         -- by shape: the advisor may hand back a rewritten text (86)
         WHERE @extschema@.idx_autopilot_query_shape(s ->> 'query')
               = ANY (ARRAY(SELECT @extschema@.idx_autopilot_query_shape(pq.text)
                              FROM unnest(pick.queries) AS pq(text)));
        -- its gain: the weighted cost it takes off (given the picks before
        -- it), as a fraction of the weighted cost of the statements it serves
        IF served IS NOT NULL THEN
            BEGIN
                SELECT max(b.cost_before) INTO served_cost
                  FROM @extschema@.idx_autopilot_advise(
                           ARRAY(SELECT s ->> 'query' FROM jsonb_array_elements(served) s),
                           ARRAY(SELECT (s ->> 'userid')::oid FROM jsonb_array_elements(served) s),
                           ARRAY(SELECT (s ->> 'total_ms')::float8 FROM jsonb_array_elements(served) s),
                           NULL, 1)
                       AS b(rank integer, definition text, est_size bigint, queries text[],
                            cost_before double precision, cost_after double precision);
            EXCEPTION WHEN query_canceled THEN
                RAISE;
            WHEN OTHERS THEN
                served_cost := NULL;    -- no estimate: left out below
            END;
            IF served_cost > 0 THEN
                gain := (COALESCE(prev_after, pick.cost_before) - pick.cost_after) / served_cost;
            END IF;
        END IF;
        prev_after := pick.cost_after;
        SELECT * INTO part FROM @extschema@.idx_autopilot_shape(pick.definition);
        key := jsonb_build_object(
                   'statements', ARRAY(SELECT (s ->> 'userid') || ':' || (s ->> 'queryid')
                                         FROM jsonb_array_elements(served) s ORDER BY 1),
                   'share', round((served_ms / nullif(win_total, 0))::numeric, 4))::text;
        SELECT * INTO old FROM @extschema@.idx_recommendations x
         WHERE x.kind = 'create' AND x.table_oid = part.table_oid
           AND (@extschema@.idx_autopilot_shape(x.definition)).shape = part.shape
         ORDER BY x.id DESC LIMIT 1;
        -- a recommendation on the same table and leading key that is not
        -- judged yet (proposed, building, validating): this pick waits
        -- for its verdict (one leading key at a time)
        SELECT * INTO earlier FROM @extschema@.idx_recommendations x
         WHERE x.kind = 'create' AND x.table_oid = part.table_oid
           AND x.status IN (@extschema@.idx_autopilot_status('proposed'),
                            @extschema@.idx_autopilot_status('building'),
                            @extschema@.idx_autopilot_status('validating'))
           AND (@extschema@.idx_autopilot_shape(x.definition)).leading_key = part.leading_key
         ORDER BY x.id LIMIT 1;

        IF served IS NULL OR part.table_oid IS NULL THEN
            left_out := left_out || format('%s: not traced to the window''s statements', pick.definition);
        ELSIF policy.schemas IS NOT NULL
              AND NOT (SELECT n.nspname::text = ANY (policy.schemas)
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE c.oid = part.table_oid) THEN
            left_out := left_out || format('%s: its schema is not in the policy''s schemas', pick.definition);
        -- the pre-filter's rule again, for a table no statement was known
        -- to read (idx_autopilot_reads NULL: it could not be analysed)
        ELSIF NOT (SELECT pg_has_role(current_user, c.relowner, 'USAGE')
                     FROM pg_class c WHERE c.oid = part.table_oid) THEN
            left_out := left_out || format('%s: %s may not act for the owner of %s',
                                           pick.definition, current_user, part.table_oid);
        ELSIF old.status IN (SELECT s.status FROM @extschema@.idx_autopilot_statuses() s WHERE s.live) THEN
            NULL;   -- already proposed, building or validating: said then
        ELSIF old.status IN (@extschema@.idx_autopilot_status('rejected'), @extschema@.idx_autopilot_status('reverted'))
              AND NOT @extschema@.idx_autopilot_workload_changed(old.workload_key, key) THEN
            left_out := left_out || format('%s: %s as recommendation %s, and its workload has not changed',
                                           pick.definition, old.status, old.id);
        ELSIF gain IS NULL OR gain < policy.min_gain THEN
            left_out := left_out || format('%s: saves an estimated %s%% of its statements'' time, less than min_gain %s%%',
                                           pick.definition, round(100 * COALESCE(gain, 0)), round(100 * policy.min_gain));
        ELSIF policy.budget IS NOT NULL
              AND @extschema@.idx_autopilot_budget_used() + pick.est_size > policy.budget THEN
            left_out := left_out || format('%s: %s does not fit what is left of the budget (%s)',
                                           pick.definition, @extschema@.idx_autopilot_bytes(pick.est_size),
                                           @extschema@.idx_autopilot_bytes(greatest(policy.budget - @extschema@.idx_autopilot_budget_used(), 0)));
        ELSIF earlier.id IS NOT NULL THEN
            left_out := left_out || format('%s: waits until recommendation %s (%s, %s) is judged: it has the same leading key (%s), and one is measured at a time',
                                           pick.definition, earlier.id, earlier.definition, earlier.status,
                                           part.leading_key);
        ELSE
            INSERT INTO @extschema@.idx_recommendations AS x
                   (kind, definition, schema_name, index_name, table_name, table_oid,
                    statements, est_gain, est_size, status, role_oid,
                    before_from, before_to, workload_key)
            SELECT 'create', pick.definition, n.nspname, part.index_name, c.relname, c.oid,
                   served, gain, pick.est_size, 'proposed', @extschema@.idx_autopilot_me(),
                   win_from, cycle, key
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid = part.table_oid
            RETURNING x.id INTO rec_id;
            PERFORM @extschema@.idx_autopilot_event(cycle, rec_id, 'proposed',
                format('For %s statement%s taking %s%% of the window''s time (%s ms over %s calls): an estimated %s%% of their time saved, %s.',
                       jsonb_array_length(served), CASE WHEN jsonb_array_length(served) > 1 THEN 's' END,
                       round((100 * served_ms / nullif(win_total, 0))::numeric, 1),
                       round(served_ms::numeric, 1),
                       (SELECT sum((s ->> 'calls')::bigint) FROM jsonb_array_elements(served) s),
                       round(100 * gain), @extschema@.idx_autopilot_bytes(pick.est_size)),
                'proposed');
            IF policy.mode = 'apply' THEN
                PERFORM @extschema@.idx_autopilot_queue(cycle, rec_id, false);
            END IF;
        END IF;
    END LOOP;
    -- (the few-calls count, first in the list, is said only with more)
    IF cardinality(left_out) > (few > 0)::integer
       OR EXISTS (SELECT 1 FROM @extschema@.idx_autopilot_events e
                    JOIN @extschema@.idx_recommendations x ON x.id = e.recommendation_id
                   WHERE e.cycle = idx_autopilot_propose.cycle AND e.action = 'proposed'
                     AND x.kind = 'create') AND cardinality(left_out) > 0 THEN
        PERFORM @extschema@.idx_autopilot_event(cycle, NULL, 'note',
            format('Left out: %s.', array_to_string(left_out, '; ')));
    END IF;
END
$idx_autopilot_propose$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_propose(bigint, @extschema@.idx_autopilot_policy) IS
    'internal (idx_autopilot_run, stage 4): advise on the proposal window''s statements (each planned as its author), record the indexes that save at least min_gain of their statements'' time and fit the budget as proposed, and queue them in apply mode within max_builds_per_day';

-- internal functions: the cycle's and the approval's, not for PUBLIC
DO $admin_only$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'idx_autopilot_shape(text)',
        'idx_autopilot_budget_used()',
        'idx_autopilot_builds_today()',
        'idx_autopilot_path_schemas()',
        'idx_autopilot_trusted_path()',
        'idx_autopilot_session_path()',
        'idx_autopilot_path_note()',
        'idx_autopilot_apply(text, text[])',
        'idx_autopilot_queue(bigint, bigint, boolean)',
        'idx_autopilot_advise(text[], pg_catalog.oid[], double precision[], bigint, integer)',
        'idx_autopilot_propose(bigint, @extschema@.idx_autopilot_policy)'] LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO index_advisor_admin', f);
    END LOOP;
END
$admin_only$;
