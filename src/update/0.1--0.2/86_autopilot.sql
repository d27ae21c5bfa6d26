/* index_advisor 0.2 part: the autopilot -- policy, snapshots, record.
 *
 * The autopilot closes the loop: from pg_stat_statements it decides which
 * indexes to build (and, with drops => true, which to hide and then drop),
 * builds them through idx_apply, measures each one against the window
 * before it and keeps or reverts it, every step on the record.
 *
 *  * The policy, one per database: idx_autopilot_config (one row),
 *    set by idx_autopilot_set() (index_advisor_admin only), read through
 *    the view idx_autopilot_policy.  Its owner is the role that set it:
 *    the cycle acts as that role and no other.
 *  * Snapshots of pg_stat_statements: idx_autopilot_snapshots (one row per
 *    snapshot, with what pg_stat_statements_info and the server said:
 *    resets, evictions, restarts) and idx_autopilot_counters (the
 *    counters of this database's statements at that snapshot).  Every
 *    figure the autopilot decides on is the difference of two snapshots:
 *    idx_autopilot_window(from, to).
 *  * The statements of a table: those that read it, parse-analysed as
 *    their authors (idx_autopilot_reads_table), never a word of the text.
 *  * The record: idx_recommendations (one row per decision, create or
 *    drop, with its status) and idx_autopilot_events (one row per step a
 *    cycle took: what, which recommendation, one sentence).  Both are
 *    readable with idx_history's rules: a role reads the rows of the roles
 *    whose privileges it has; index_advisor_admin reads the others too,
 *    but not statement texts pg_stat_statements would not show it (the
 *    texts of other roles without pg_read_all_stats: idx_autopilot_may_read).
 *    The functions that act (set the policy, run a cycle, decide, write
 *    the record) or read the measurements are index_advisor_admin's only;
 *    the settings, the pure ones (statuses, statistics, formatting), those
 *    row security calls as the reading role and idx_autopilot_report()
 *    stay PUBLIC's; doc/safety.md, "Autopilot".
 *
 * The parts that follow, in the order their objects must be created:
 *    87_autopilot_create       stage 4, proposals and builds:
 *                              idx_autopilot_propose(cycle)
 *    88_autopilot_statistics   Welch's test and the rules the stages
 *                              decide with
 *    88_autopilot_validate     stages 1 and 2: idx_autopilot_progress(cycle)
 *                              (building -> validating / failed) and
 *                              idx_autopilot_validate(cycle) (validating
 *                              -> kept / reverted)
 *    89_autopilot_drops        stage 3: idx_autopilot_drops(cycle) (hide,
 *                              drop, unhide)
 *    90_autopilot_cycle        one cycle, idx_autopilot_run(): a snapshot,
 *                              then stages 1 to 4; and idx_check_and_cycle()
 *    91_autopilot_report       recommend mode (a person decides) and
 *                              idx_autopilot_report()
 *
 * The statuses of a recommendation are spelled in idx_autopilot_statuses()
 * only; the CHECK constraint below uses it, and every stage names a status
 * as idx_autopilot_status('kept'), never as a bare literal (sql/status.sql
 * checks both lists).
 * Reference: doc/autopilot.md (the statistics, the settings, the statuses).
 */

-- ---------------------------------------------------------------------
-- Settings (src/autopilot/autopilot.c: the defaults are written there)
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_autopilot_settings(OUT min_calls integer,
                                                  OUT max_wait interval,
                                                  OUT "window" interval,
                                                  OUT min_window interval)
RETURNS record
LANGUAGE C STABLE
AS 'MODULE_PATHNAME', 'idx_autopilot_settings';
COMMENT ON FUNCTION @extschema@.idx_autopilot_settings() IS
    'the autopilot''s settings (index_advisor.autopilot_min_calls, _max_wait, _window, _min_window) as the current session sees them';

-- ---------------------------------------------------------------------
-- Statuses
-- ---------------------------------------------------------------------

CREATE FUNCTION @extschema@.idx_autopilot_statuses(OUT status text, OUT live boolean,
                                                  OUT meaning text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $idx_autopilot_statuses$
    VALUES ('proposed',   true,  'decided; waiting for the build (apply) or for a person (recommend: idx_recommendation_apply / _reject)'),
           ('building',   true,  'queued through idx_apply; history_id is its row'),
           ('validating', true,  'built; measuring its statements after it became valid'),
           ('kept',       false, 'built and measured: its statements got faster and no statement of its table got slower'),
           ('reverted',   false, 'built and measured, then rolled back: reason says which statement and by how much'),
           ('rejected',   false, 'not built: refused by a person (idx_recommendation_reject) or by idx_apply; reason says why'),
           ('hidden',     true,  'a drop: the index is hidden (idx_hide); dropped after hide_for unless a statement of its table got slower'),
           ('dropped',    false, 'a drop: the index was dropped concurrently (history_id is the drop row)'),
           ('expired',    false, 'no longer applies: the index, its table or its statements went away, or the policy changed')
$idx_autopilot_statuses$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_statuses() IS
    'the statuses of idx_recommendations, each once: live ones still move; the one place they are spelled';

-- A status by name, checked: the stages write idx_autopilot_status('kept'),
-- never a bare literal (sql/status.sql checks the extension's sources), so
-- that a misspelling fails when the statement is planned instead of
-- matching no row.
CREATE FUNCTION @extschema@.idx_autopilot_status(name text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_status$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM @extschema@.idx_autopilot_statuses() s WHERE s.status = name) THEN
        RAISE EXCEPTION 'unknown autopilot status "%"', name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'idx_autopilot_statuses() lists them.';
    END IF;
    RETURN name;
END
$idx_autopilot_status$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_status(text) IS
    'a recommendation status by name, refused (22023) unless idx_autopilot_statuses() spells it: the way the extension''s SQL names one';

CREATE FUNCTION @extschema@.idx_autopilot_status_ok(status text)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$SELECT EXISTS (SELECT 1 FROM @extschema@.idx_autopilot_statuses() s
                     WHERE s.status OPERATOR(pg_catalog.=) $1)$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_status_ok(text) IS
    'internal (CHECK of idx_recommendations.status): true for a status idx_autopilot_statuses() spells';

-- ---------------------------------------------------------------------
-- The policy
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.idx_autopilot_config (
    only_row            boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    mode                text NOT NULL DEFAULT 'off'
                        CHECK (mode IN ('off', 'recommend', 'apply')),
    budget              bigint CHECK (budget >= 0),
    max_builds_per_day  integer NOT NULL DEFAULT 2 CHECK (max_builds_per_day >= 0),
    min_gain            double precision NOT NULL DEFAULT 0.2
                        CHECK (min_gain >= 0 AND min_gain <= 1),
    max_regression      double precision NOT NULL DEFAULT 0.1
                        CHECK (max_regression >= 0),
    drops               boolean NOT NULL DEFAULT false,
    hide_for            interval NOT NULL DEFAULT '7 days'
                        CHECK (hide_for >= interval '0'),
    schemas             text[],
    owner               pg_catalog.regrole NOT NULL,
    set_at              timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.idx_autopilot_config IS
    'index_advisor: the autopilot''s policy for this database (one row; idx_autopilot_set writes it, idx_autopilot_policy shows it)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_autopilot_config', '');
REVOKE ALL ON @extschema@.idx_autopilot_config FROM PUBLIC;

CREATE VIEW @extschema@.idx_autopilot_policy AS
    SELECT COALESCE(p.mode, 'off') AS mode, p.budget,
           COALESCE(p.max_builds_per_day, 2) AS max_builds_per_day,
           COALESCE(p.min_gain, 0.2) AS min_gain,
           COALESCE(p.max_regression, 0.1) AS max_regression,
           COALESCE(p.drops, false) AS drops,
           COALESCE(p.hide_for, interval '7 days') AS hide_for,
           p.schemas, p.owner, p.set_at
      FROM (SELECT 1) one
      LEFT JOIN @extschema@.idx_autopilot_config p ON true;
COMMENT ON VIEW @extschema@.idx_autopilot_policy IS
    'index_advisor: the autopilot''s policy for this database (mode off until idx_autopilot_set says otherwise)';
GRANT SELECT ON @extschema@.idx_autopilot_policy TO PUBLIC;

GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.idx_autopilot_config TO index_advisor_admin;

-- Not SECURITY DEFINER: the policy's owner is the role that calls it
-- (current_user), which must be a member of index_advisor_admin
-- (EXECUTE is granted to that role only).
CREATE FUNCTION @extschema@.idx_autopilot_set(mode text,
                                             budget bigint DEFAULT NULL,
                                             max_builds_per_day integer DEFAULT 2,
                                             min_gain double precision DEFAULT 0.2,
                                             max_regression double precision DEFAULT 0.1,
                                             drops boolean DEFAULT false,
                                             hide_for interval DEFAULT '7 days',
                                             schemas text[] DEFAULT NULL)
RETURNS SETOF @extschema@.idx_autopilot_policy
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_set$
BEGIN
    PERFORM @extschema@.idx_refuse_in_recovery('idx_autopilot_set()');
    IF mode IS NULL OR mode NOT IN ('off', 'recommend', 'apply') THEN
        RAISE EXCEPTION 'invalid autopilot mode "%"', mode
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The modes are off, recommend and apply.';
    END IF;
    IF budget < 0 OR max_builds_per_day IS NULL OR max_builds_per_day < 0
       OR min_gain IS NULL OR min_gain < 0 OR min_gain > 1
       OR max_regression IS NULL OR max_regression < 0
       OR drops IS NULL OR hide_for IS NULL OR hide_for < interval '0' THEN
        RAISE EXCEPTION 'invalid autopilot policy'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('budget %s, max_builds_per_day %s, min_gain %s, max_regression %s, drops %s, hide_for %s',
                                  COALESCE(budget::text, 'NULL'), COALESCE(max_builds_per_day::text, 'NULL'),
                                  COALESCE(min_gain::text, 'NULL'), COALESCE(max_regression::text, 'NULL'),
                                  COALESCE(drops::text, 'NULL'), COALESCE(hide_for::text, 'NULL')),
                  HINT = 'budget and max_builds_per_day are at least 0, min_gain between 0 and 1, max_regression at least 0, hide_for not negative; none but budget and schemas may be NULL.';
    END IF;
    INSERT INTO @extschema@.idx_autopilot_config AS p
           (only_row, mode, budget, max_builds_per_day, min_gain, max_regression,
            drops, hide_for, schemas, owner, set_at)
    VALUES (true, idx_autopilot_set.mode, idx_autopilot_set.budget,
            idx_autopilot_set.max_builds_per_day, idx_autopilot_set.min_gain,
            idx_autopilot_set.max_regression, idx_autopilot_set.drops,
            idx_autopilot_set.hide_for, idx_autopilot_set.schemas,
            @extschema@.idx_autopilot_me(), now())
    ON CONFLICT (only_row) DO UPDATE
       SET mode = excluded.mode, budget = excluded.budget,
           max_builds_per_day = excluded.max_builds_per_day,
           min_gain = excluded.min_gain, max_regression = excluded.max_regression,
           drops = excluded.drops, hide_for = excluded.hide_for,
           schemas = excluded.schemas, owner = excluded.owner, set_at = excluded.set_at;
    IF mode <> 'off' AND NOT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') THEN
        RAISE WARNING 'role "%" cannot see other roles'' statements in pg_stat_statements', current_user
            USING DETAIL = 'The autopilot acts on the statements its policy''s owner sees: without pg_read_all_stats, only its own.',
                  HINT = format('GRANT pg_read_all_stats TO %I;', current_user);
    END IF;
    RETURN QUERY SELECT * FROM @extschema@.idx_autopilot_policy;
END
$idx_autopilot_set$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_set(text, bigint, integer, double precision, double precision, boolean, interval, text[]) IS
    'set the autopilot''s policy for this database (index_advisor_admin only); the caller becomes its owner, the role every cycle acts as; mode off stops every new action at once';
REVOKE ALL ON FUNCTION @extschema@.idx_autopilot_set(text, bigint, integer, double precision, double precision, boolean, interval, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_autopilot_set(text, bigint, integer, double precision, double precision, boolean, interval, text[]) TO index_advisor_admin;

-- ---------------------------------------------------------------------
-- Snapshots of pg_stat_statements (fact 29 of DESIGN.md)
-- ---------------------------------------------------------------------

-- One row per snapshot.  A cycle's id is its snapshot's id.  dealloc and
-- stats_reset are pg_stat_statements_info's at the snapshot; started_at is
-- pg_postmaster_start_time(): a change of any between two snapshots is a
-- reset, evictions or a restart, which idx_autopilot_window reports.
CREATE TABLE @extschema@.idx_autopilot_snapshots (
    id           bigserial PRIMARY KEY,
    taken_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    dealloc      bigint,
    stats_reset  timestamptz,
    started_at   timestamptz NOT NULL,
    statements   integer NOT NULL DEFAULT 0,
    note         text
);
COMMENT ON TABLE @extschema@.idx_autopilot_snapshots IS
    'index_advisor: snapshots of pg_stat_statements taken by the autopilot (one per cycle); note says what happened since the one before (reset, evictions, restart)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_autopilot_snapshots', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_autopilot_snapshots_id_seq', '');

-- The counters of this database's statements at a snapshot, summed over
-- toplevel.  sumsq_ms = calls * (stddev^2 + mean^2): pg_stat_statements'
-- stddev is the population one, so the difference of two snapshots gives
-- a window's exact mean and variance.
CREATE TABLE @extschema@.idx_autopilot_counters (
    snapshot_id   bigint NOT NULL REFERENCES @extschema@.idx_autopilot_snapshots ON DELETE CASCADE,
    userid        pg_catalog.oid NOT NULL,
    queryid       bigint NOT NULL,
    calls         bigint NOT NULL,
    total_ms      double precision NOT NULL,
    sumsq_ms      double precision NOT NULL,
    rows          bigint NOT NULL,
    blks_hit      bigint NOT NULL,
    blks_read     bigint NOT NULL,
    wal_records   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (snapshot_id, userid, queryid)
);
-- a statement's counters in every snapshot (the retention of texts)
CREATE INDEX idx_autopilot_counters_statement
    ON @extschema@.idx_autopilot_counters (userid, queryid);
COMMENT ON TABLE @extschema@.idx_autopilot_counters IS
    'index_advisor: pg_stat_statements counters of this database at each autopilot snapshot (sumsq_ms = calls * (stddev^2 + mean^2)); blocks and WAL records say how much work the calls did';

-- The text of each statement, once (pg_stat_statements may evict it).
CREATE TABLE @extschema@.idx_autopilot_statements (
    userid      pg_catalog.oid NOT NULL,
    queryid     bigint NOT NULL,
    query       text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (userid, queryid)
);
COMMENT ON TABLE @extschema@.idx_autopilot_statements IS
    'index_advisor: the text of each statement the autopilot saw in pg_stat_statements, as it recorded it';
REVOKE ALL ON @extschema@.idx_autopilot_snapshots, @extschema@.idx_autopilot_counters,
              @extschema@.idx_autopilot_statements FROM PUBLIC;

-- The current role as a regrole.  Not current_user::regrole: that reads
-- the name as an identifier, so for a role "Alice" it finds alice, another
-- role (or none).
CREATE FUNCTION @extschema@.idx_autopilot_me()
RETURNS pg_catalog.regrole
LANGUAGE sql STABLE PARALLEL SAFE
AS $idx_autopilot_me$SELECT pg_catalog.quote_ident(CURRENT_USER)::pg_catalog.regrole$idx_autopilot_me$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_me() IS
    'the current role as a regrole (quoted: current_user::regrole would take a role "Alice" for alice); the owner and the authors of the autopilot''s record';

-- Who writes the policy: an admin, in its own name only.  idx_autopilot_set
-- runs as its caller and writes the row itself; without this an admin
-- could UPDATE the row and leave another role -- the superuser whose
-- pg_cron job runs the cycles -- its owner, with settings of its own
-- choosing (mode apply, drops; test/t/196).  Any admin may still take the
-- policy over (then it is its owner) or delete it (mode off).
ALTER TABLE @extschema@.idx_autopilot_config ENABLE ROW LEVEL SECURITY;
CREATE POLICY idx_autopilot_config_read ON @extschema@.idx_autopilot_config
    FOR SELECT TO index_advisor_admin USING (true);
CREATE POLICY idx_autopilot_config_set ON @extschema@.idx_autopilot_config
    FOR INSERT TO index_advisor_admin
    WITH CHECK (owner::pg_catalog.oid OPERATOR(pg_catalog.=) @extschema@.idx_autopilot_me()::pg_catalog.oid);
CREATE POLICY idx_autopilot_config_reset ON @extschema@.idx_autopilot_config
    FOR UPDATE TO index_advisor_admin USING (true)
    WITH CHECK (owner::pg_catalog.oid OPERATOR(pg_catalog.=) @extschema@.idx_autopilot_me()::pg_catalog.oid);
CREATE POLICY idx_autopilot_config_delete ON @extschema@.idx_autopilot_config
    FOR DELETE TO index_advisor_admin USING (true);

-- Who reads a statement's text: the roles pg_stat_statements shows it to
-- (its author, and the members of pg_read_all_stats: has_privs_of_role,
-- which pg_has_role(..., 'USAGE') says) and the roles that have its
-- author's privileges (idx_may_act: they can SET ROLE to it).  The policy's
-- owner records every text pg_stat_statements shows it -- all of them when
-- it is a superuser or a member of pg_read_all_stats -- and a member of
-- index_advisor_admin is neither by being one: the texts, and the record
-- rows that quote them, follow this rule and not "an admin reads all".
-- No SET search_path, every name qualified: inlined into the policies.
CREATE FUNCTION @extschema@.idx_autopilot_may_read(author pg_catalog.regrole)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $idx_autopilot_may_read$
    SELECT @extschema@.idx_may_act($1)
           OR pg_catalog.pg_has_role(CURRENT_USER, 'pg_read_all_stats', 'USAGE')
$idx_autopilot_may_read$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_may_read(pg_catalog.regrole) IS
    'true when the current role may read the statement texts of author (or those a role recorded as its own): it has author''s privileges or those of pg_read_all_stats, pg_stat_statements'' rule; the row-level security of the autopilot''s record';
REVOKE ALL ON FUNCTION @extschema@.idx_autopilot_may_read(pg_catalog.regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_autopilot_may_read(pg_catalog.regrole) TO PUBLIC;

-- The measurements are written by the policy's owner only (its cycles
-- take and prune the snapshots): another admin that could change a
-- window's counters could make a needed index look unneeded, and have the
-- owner's cycle drop it (test/t/196).  Every admin reads the snapshots
-- and counters (no text in them).
CREATE FUNCTION @extschema@.idx_autopilot_is_owner()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $idx_autopilot_is_owner$
    SELECT EXISTS (SELECT 1 FROM @extschema@.idx_autopilot_config c
                    WHERE c.owner::pg_catalog.oid OPERATOR(pg_catalog.=) @extschema@.idx_autopilot_me()::pg_catalog.oid)
$idx_autopilot_is_owner$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_is_owner() IS
    'true when the current role owns the autopilot policy: who may write the snapshots, counters and texts (row-level security)';
ALTER TABLE @extschema@.idx_autopilot_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.idx_autopilot_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.idx_autopilot_statements ENABLE ROW LEVEL SECURITY;
CREATE POLICY idx_autopilot_snapshots_read ON @extschema@.idx_autopilot_snapshots
    FOR SELECT TO index_advisor_admin USING (true);
CREATE POLICY idx_autopilot_snapshots_write ON @extschema@.idx_autopilot_snapshots
    FOR ALL TO index_advisor_admin
    USING (@extschema@.idx_autopilot_is_owner()) WITH CHECK (@extschema@.idx_autopilot_is_owner());
CREATE POLICY idx_autopilot_counters_read ON @extschema@.idx_autopilot_counters
    FOR SELECT TO index_advisor_admin USING (true);
CREATE POLICY idx_autopilot_counters_write ON @extschema@.idx_autopilot_counters
    FOR ALL TO index_advisor_admin
    USING (@extschema@.idx_autopilot_is_owner()) WITH CHECK (@extschema@.idx_autopilot_is_owner());
CREATE POLICY idx_autopilot_statements_readable ON @extschema@.idx_autopilot_statements
    FOR SELECT TO index_advisor_admin
    USING (@extschema@.idx_autopilot_may_read(userid::pg_catalog.regrole));
CREATE POLICY idx_autopilot_statements_write ON @extschema@.idx_autopilot_statements
    FOR ALL TO index_advisor_admin
    USING (@extschema@.idx_autopilot_is_owner()) WITH CHECK (@extschema@.idx_autopilot_is_owner());
COMMENT ON POLICY idx_autopilot_statements_readable ON @extschema@.idx_autopilot_statements IS
    'index_advisor: an admin reads (and changes) the texts pg_stat_statements would show it (idx_autopilot_may_read); the cycle adds what its owner sees';
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.idx_autopilot_snapshots,
      @extschema@.idx_autopilot_counters, @extschema@.idx_autopilot_statements
      TO index_advisor_admin;
GRANT USAGE ON SEQUENCE @extschema@.idx_autopilot_snapshots_id_seq TO index_advisor_admin;

-- pg_stat_statements' schema, or an error that says how to get it.
CREATE FUNCTION @extschema@.idx_autopilot_pgss_schema()
RETURNS name
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_pgss_schema$
DECLARE
    nsp name;
BEGIN
    SELECT n.nspname INTO nsp
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_stat_statements';
    IF nsp IS NULL THEN
        RAISE EXCEPTION 'extension "pg_stat_statements" is not installed in this database'
            USING ERRCODE = 'undefined_object',
                  DETAIL = 'The autopilot measures statements with pg_stat_statements.',
                  HINT = 'Run CREATE EXTENSION pg_stat_statements; it also needs shared_preload_libraries = ''pg_stat_statements''.';
    END IF;
    RETURN nsp;
END
$idx_autopilot_pgss_schema$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_pgss_schema() IS
    'internal (autopilot): the schema of pg_stat_statements, found through pg_extension; an error (42704) when it is not installed';

-- Take a snapshot; returns its id.  55000 when pg_stat_statements is not
-- loaded.  The note says what changed since the snapshot before.
CREATE FUNCTION @extschema@.idx_autopilot_snapshot()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_snapshot$
DECLARE
    nsp   name := @extschema@.idx_autopilot_pgss_schema();
    prev  @extschema@.idx_autopilot_snapshots;
    snap  @extschema@.idx_autopilot_snapshots;
    gone  bigint[];
BEGIN
    SELECT * INTO prev FROM @extschema@.idx_autopilot_snapshots
     ORDER BY id DESC LIMIT 1;
    BEGIN
        EXECUTE format('SELECT i.dealloc, i.stats_reset FROM %I.pg_stat_statements_info i', nsp)
           INTO snap.dealloc, snap.stats_reset;
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        RAISE EXCEPTION 'pg_stat_statements is not loaded'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The autopilot measures statements with pg_stat_statements, which only collects them when it is in shared_preload_libraries.',
                  HINT = 'Add pg_stat_statements to shared_preload_libraries and restart the server.';
    END;
    snap.started_at := pg_postmaster_start_time();
    snap.note := concat_ws('; ',
        CASE WHEN prev.started_at <> snap.started_at
             THEN format('the server restarted at %s: pg_stat_statements counted anew', snap.started_at) END,
        CASE WHEN prev.stats_reset IS DISTINCT FROM snap.stats_reset AND prev.started_at = snap.started_at
             THEN format('pg_stat_statements was reset at %s', snap.stats_reset) END,
        CASE WHEN snap.dealloc > prev.dealloc AND prev.started_at = snap.started_at
                  AND prev.stats_reset IS NOT DISTINCT FROM snap.stats_reset
             THEN format('pg_stat_statements evicted statements %s times (pg_stat_statements.max)',
                         snap.dealloc - prev.dealloc) END);
    INSERT INTO @extschema@.idx_autopilot_snapshots (dealloc, stats_reset, started_at, note)
    VALUES (snap.dealloc, snap.stats_reset, snap.started_at, NULLIF(snap.note, ''))
    RETURNING id INTO snap.id;
    EXECUTE format(
        'WITH s AS (
             SELECT s.userid, s.queryid, min(s.query) AS query,
                    sum(s.calls)::bigint AS calls, sum(s.total_exec_time) AS total_ms,
                    sum(s.calls * (s.stddev_exec_time ^ 2 + s.mean_exec_time ^ 2)) AS sumsq_ms,
                    sum(s.rows)::bigint AS rows,
                    sum(s.shared_blks_hit)::bigint AS blks_hit,
                    sum(s.shared_blks_read)::bigint AS blks_read,
                    sum(s.wal_records)::bigint AS wal_records
               FROM %I.pg_stat_statements s
              WHERE s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                AND s.queryid IS NOT NULL
              GROUP BY s.userid, s.queryid
         ), t AS (
             INSERT INTO @extschema@.idx_autopilot_statements (userid, queryid, query)
             SELECT s.userid, s.queryid, s.query FROM s WHERE s.query IS NOT NULL
             ON CONFLICT (userid, queryid) DO NOTHING
         )
         INSERT INTO @extschema@.idx_autopilot_counters
                (snapshot_id, userid, queryid, calls, total_ms, sumsq_ms, rows, blks_hit, blks_read,
                 wal_records)
         SELECT $1, s.userid, s.queryid, s.calls, s.total_ms, s.sumsq_ms, s.rows,
                s.blks_hit, s.blks_read, s.wal_records
           FROM s', nsp) USING snap.id;
    UPDATE @extschema@.idx_autopilot_snapshots x
       SET statements = (SELECT count(*) FROM @extschema@.idx_autopilot_counters c
                          WHERE c.snapshot_id = snap.id)
     WHERE x.id = snap.id;
    -- Retention: each snapshot holds a row per statement (up to
    -- pg_stat_statements.max), and any role that runs ever new statements
    -- adds texts; kept for ever, they would fill the disk.  A decision
    -- needs only its windows' ends: a snapshot older than the autopilot
    -- window that no recommendation names (before_from, before_to,
    -- after_from) goes, with its counters, and so do the texts no counter
    -- names any more.  Only an owner that reads every recommendation
    -- prunes (pg_read_all_stats: idx_autopilot_may_read), so that no row
    -- it cannot see loses its windows; an owner without it records only
    -- its own statements.
    IF pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') THEN
        gone := ARRAY(
            SELECT x.id FROM @extschema@.idx_autopilot_snapshots x
             WHERE x.id < snap.id
               AND x.taken_at < clock_timestamp() - (SELECT w."window" FROM @extschema@.idx_autopilot_settings() w)
               AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_recommendations r
                                WHERE x.id IN (r.before_from, r.before_to, r.after_from)));
        IF cardinality(gone) > 0 THEN
            DELETE FROM @extschema@.idx_autopilot_statements t
             WHERE (t.userid, t.queryid) IN (SELECT c.userid, c.queryid
                                               FROM @extschema@.idx_autopilot_counters c
                                              WHERE c.snapshot_id = ANY (gone))
               AND NOT EXISTS (SELECT 1 FROM @extschema@.idx_autopilot_counters c
                                WHERE c.userid = t.userid AND c.queryid = t.queryid
                                  AND c.snapshot_id <> ALL (gone));
            DELETE FROM @extschema@.idx_autopilot_snapshots x WHERE x.id = ANY (gone);
        END IF;
    END IF;
    RETURN snap.id;
END
$idx_autopilot_snapshot$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_snapshot() IS
    'internal (idx_autopilot_run): snapshot pg_stat_statements for this database; returns the snapshot id';

-- The window between two snapshots, per statement: calls, mean and sample
-- standard deviation of its execution time, rows.  A statement whose
-- counters went down (a reset, an eviction and re-entry, a restart) or
-- that is new counts from zero: restarted says so, and the window is then
-- only what the later snapshot holds.  A statement absent from the later
-- snapshot is not in the window.
CREATE FUNCTION @extschema@.idx_autopilot_window(from_snapshot bigint, to_snapshot bigint)
RETURNS TABLE(userid pg_catalog.oid, queryid bigint, query text, calls bigint,
              total_ms double precision, mean_ms double precision,
              stddev_ms double precision, rows bigint, restarted boolean,
              blocks bigint, wal_records bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_window$
    SELECT b.userid, b.queryid, t.query, d.calls, d.total_ms,
           d.total_ms / d.calls,
           CASE WHEN d.calls > 1
                THEN sqrt(greatest(d.sumsq_ms - d.total_ms ^ 2 / d.calls, 0) / (d.calls - 1))
           END,
           d.rows, d.restarted, d.blocks, d.wal_records
      FROM @extschema@.idx_autopilot_counters b
      LEFT JOIN @extschema@.idx_autopilot_counters a
             ON a.snapshot_id = $1 AND a.userid = b.userid AND a.queryid = b.queryid
      LEFT JOIN @extschema@.idx_autopilot_statements t
             ON t.userid = b.userid AND t.queryid = b.queryid
     CROSS JOIN LATERAL (
           SELECT a.calls IS NULL OR b.calls < a.calls OR b.total_ms < a.total_ms AS restarted) r
     CROSS JOIN LATERAL (
           SELECT CASE WHEN r.restarted THEN b.calls ELSE b.calls - a.calls END AS calls,
                  CASE WHEN r.restarted THEN b.total_ms ELSE b.total_ms - a.total_ms END AS total_ms,
                  CASE WHEN r.restarted THEN b.sumsq_ms ELSE b.sumsq_ms - a.sumsq_ms END AS sumsq_ms,
                  CASE WHEN r.restarted THEN b.rows ELSE b.rows - a.rows END AS rows,
                  CASE WHEN r.restarted THEN b.blks_hit + b.blks_read
                       ELSE b.blks_hit + b.blks_read - a.blks_hit - a.blks_read END AS blocks,
                  CASE WHEN r.restarted THEN b.wal_records ELSE b.wal_records - a.wal_records END AS wal_records,
                  r.restarted) d
     WHERE b.snapshot_id = $2 AND d.calls > 0
$idx_autopilot_window$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_window(bigint, bigint) IS
    'per statement, what pg_stat_statements counted between two autopilot snapshots: calls, mean and sample stddev of the execution time (ms), rows, shared blocks (hit + read) and WAL records; restarted when its counters began anew in between (reset, eviction, restart)';

-- The first snapshot of the autopilot window that ends at snapshot
-- to_snapshot: the oldest taken within (idx_autopilot_settings())."window"
-- before it; NULL when there is none but to_snapshot itself.
CREATE FUNCTION @extschema@.idx_autopilot_window_from(to_snapshot bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_window_from$
    SELECT min(s.id)
      FROM @extschema@.idx_autopilot_snapshots s, @extschema@.idx_autopilot_snapshots t
     WHERE t.id = $1 AND s.id < $1
       AND s.taken_at >= t.taken_at - (SELECT x."window" FROM @extschema@.idx_autopilot_settings() x)
$idx_autopilot_window_from$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_window_from(bigint) IS
    'internal (autopilot stages): the first snapshot of the autopilot window (index_advisor.autopilot_window) that ends at a snapshot; NULL when none';

-- A statement's shape, to find the statement an advised query stands for:
-- the advisor hands back the text it planned, which is the recorded one
-- rewritten where pg_stat_statements' text does not parse ("interval $3"
-- becomes "$3::interval", "current_date + $2" "current_date + $2::integer",
-- src/advise/normalised.c) or with a constant bound in (a rare value).  The
-- shape forgets exactly that: every $n with its cast, and every quoted
-- literal, become "?"; a word right before "?" (the type of a typed
-- literal, or a keyword such as LIMIT, on both sides alike) goes; blanks
-- go; case is folded.  (A type name takes a blank only in the types that
-- have one: "$1::integer AND x" must keep its "AND x".)  Two statements of one shape differ only
-- in their constants, which pg_stat_statements would have merged anyway.
CREATE FUNCTION @extschema@.idx_autopilot_query_shape(query text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT lower(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
               $1,
               E'\\$[0-9]+(::(double precision|character varying|time(stamp)? with(out)? time zone|[A-Za-z_][A-Za-z0-9_.]*)(\\([0-9, ]*\\))?(\\[\\])?)?', '?', 'g'),
               E'\'([^\']|\'\')*\'', '?', 'g'),
               E'[A-Za-z_][A-Za-z0-9_.]*\\s+\\?', '?', 'g'),
               E'\\s+', '', 'g'))
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_query_shape(text) IS
    'internal (autopilot): a statement''s shape without its parameters, constants, their casts and type words, so that a text the advisor rewrote finds the recorded statement it stands for';

-- ---------------------------------------------------------------------
-- The statements of a table
-- ---------------------------------------------------------------------

-- The rule by which a statement is "on" a table: the table is among the
-- relations the statement reads once parse-analysed and rewritten as its
-- author (src/autopilot/reads.c): views expanded, SQL functions' bodies
-- walked, partitions and their partitioned tables added; never its text,
-- so a comment or a string that names the table, or an alias or column
-- called like it, makes no statement one of the table's.  Analysed as the
-- author under SECURITY_RESTRICTED_OPERATION, in a subtransaction rolled
-- back (plan_prepared.c's ia_prepare_reads), with "search_path" (the
-- cycle's: idx_autopilot_trusted_path, 87); once per (userid, queryid) in
-- a transaction.  NULL when the statement cannot be analysed (its author
-- gone, a name that does not resolve on that path, a $n of no type): it
-- is then no table's; idx_autopilot_reads_failures lists those.
CREATE FUNCTION @extschema@.idx_autopilot_reads(userid pg_catalog.oid, queryid bigint, query text,
                                               search_path text)
RETURNS pg_catalog.oid[]
LANGUAGE C VOLATILE STRICT COST 1000
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_autopilot_reads';
COMMENT ON FUNCTION @extschema@.idx_autopilot_reads(pg_catalog.oid, bigint, text, text) IS
    'internal (autopilot): the relations a statement reads, parse-analysed and rewritten as its author under search_path (views expanded, SQL function bodies, partitions); NULL when it cannot be analysed';

CREATE FUNCTION @extschema@.idx_autopilot_reads_failures(OUT userid pg_catalog.oid, OUT queryid bigint,
                                                        OUT sqlstate text)
RETURNS SETOF record
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'idx_autopilot_reads_failures';
COMMENT ON FUNCTION @extschema@.idx_autopilot_reads_failures() IS
    'internal (autopilot): the statements idx_autopilot_reads could not analyse in this transaction, with the SQLSTATE of why';

CREATE FUNCTION @extschema@.idx_autopilot_reads_table(userid pg_catalog.oid, queryid bigint, query text,
                                                     table_oid pg_catalog.regclass, search_path text)
RETURNS boolean
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT $4::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (@extschema@.idx_autopilot_reads($1, $2, $3, $5))
$$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_reads_table(pg_catalog.oid, bigint, text, pg_catalog.regclass, text) IS
    'internal (autopilot): true when the statement reads the table (idx_autopilot_reads), NULL when it cannot be analysed; the rule by which a statement counts as one of a table''s';

-- ---------------------------------------------------------------------
-- The record
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.idx_recommendations (
    id             bigserial PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('create', 'drop')),
    -- create: the CREATE INDEX the advisor gave; drop: DROP INDEX CONCURRENTLY
    definition     text NOT NULL,
    -- the index built (once known) or to drop, as schema-qualified name
    schema_name    name NOT NULL,
    index_name     name,
    table_name     name NOT NULL,
    table_oid      pg_catalog.oid NOT NULL,
    index_oid      pg_catalog.oid,
    -- [{userid, queryid, query, calls, mean_ms, stddev_ms}] measured in the
    -- window before the decision
    statements     jsonb NOT NULL DEFAULT '[]',
    est_gain       double precision,      -- fraction of its statements' time
    est_size       bigint,                -- bytes (create) or bytes freed (drop)
    status         text NOT NULL CHECK (@extschema@.idx_autopilot_status_ok(status)),
    reason         text,                  -- one sentence: why this status
    history_id     bigint,                -- the idx_history row of the build, hide or drop
    role_oid       pg_catalog.regrole NOT NULL,   -- the policy's owner who decided
    before_from    bigint,                -- snapshots of the window before
    before_to      bigint,
    after_from     bigint,                -- first snapshot after valid / hidden
    -- per statement before and after, with window lengths and calls: what
    -- the validation decided on
    evidence       jsonb,
    -- what the advice was computed from: a rejected recommendation comes
    -- back only when this changes (87's rule)
    workload_key   text,
    decided_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    changed_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    valid_at       timestamptz            -- create: index valid; drop: hidden
);
COMMENT ON TABLE @extschema@.idx_recommendations IS
    'index_advisor: the autopilot''s decisions, one row each (create or drop), with the statements and figures they rest on and their status (idx_autopilot_statuses)';
CREATE INDEX idx_recommendations_live ON @extschema@.idx_recommendations (status, id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_recommendations', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_recommendations_id_seq', '');

CREATE TABLE @extschema@.idx_autopilot_events (
    id                 bigserial PRIMARY KEY,
    cycle              bigint NOT NULL,       -- the cycle's snapshot id
    at                 timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    recommendation_id  bigint REFERENCES @extschema@.idx_recommendations ON DELETE CASCADE,
    action             text NOT NULL,        -- proposed, queued, validating, kept, reverted, rejected, hidden, dropped, unhidden, expired, skipped, note
    status             text,                 -- the recommendation's status after it
    detail             text NOT NULL,        -- one sentence
    role_oid           pg_catalog.regrole NOT NULL
);
COMMENT ON TABLE @extschema@.idx_autopilot_events IS
    'index_advisor: every step an autopilot cycle took, one sentence each; idx_autopilot_run returns those of its cycle';
CREATE INDEX idx_autopilot_events_cycle ON @extschema@.idx_autopilot_events (cycle);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_autopilot_events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idx_autopilot_events_id_seq', '');

-- idx_history's rules: a role reads the rows of the roles whose privileges
-- it has; index_advisor_admin writes (the cycle runs as an admin: the
-- policy's owner) and reads all but the rows that quote statement texts
-- pg_stat_statements would not show it (idx_autopilot_may_read).
ALTER TABLE @extschema@.idx_recommendations ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.idx_autopilot_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY idx_recommendations_own_rows ON @extschema@.idx_recommendations FOR SELECT
    USING (@extschema@.idx_may_act(role_oid));
-- An admin reads every row whose statement texts (statements, evidence,
-- reason, detail quote them) pg_stat_statements would show it: those of
-- the roles whose privileges it has, or all as a member of
-- pg_read_all_stats (idx_autopilot_may_read).  What the cycle acts on is
-- written only by those it would act for: a recommendation is added only
-- by the policy's owner, in its own name (an admin that could add one, or
-- change one of the owner's, would have the owner -- often a superuser --
-- build, roll back, hide or drop what it names: test/t/196), and changed
-- or deleted only by a role with its decider's privileges; a step is
-- added in the name of the role that takes it.
CREATE POLICY idx_recommendations_admin_rows ON @extschema@.idx_recommendations
    FOR SELECT TO index_advisor_admin
    USING (@extschema@.idx_autopilot_may_read(role_oid));
CREATE POLICY idx_recommendations_owner_adds ON @extschema@.idx_recommendations
    FOR INSERT TO index_advisor_admin
    WITH CHECK (role_oid::pg_catalog.oid OPERATOR(pg_catalog.=) @extschema@.idx_autopilot_me()::pg_catalog.oid
                AND role_oid::pg_catalog.oid OPERATOR(pg_catalog.=)
                    (SELECT c.owner::pg_catalog.oid FROM @extschema@.idx_autopilot_config c));
CREATE POLICY idx_autopilot_events_own_rows ON @extschema@.idx_autopilot_events FOR SELECT
    USING (@extschema@.idx_may_act(role_oid));
CREATE POLICY idx_autopilot_events_admin_rows ON @extschema@.idx_autopilot_events
    FOR SELECT TO index_advisor_admin
    USING (@extschema@.idx_autopilot_may_read(role_oid));
CREATE POLICY idx_autopilot_events_own_adds ON @extschema@.idx_autopilot_events
    FOR INSERT TO index_advisor_admin
    WITH CHECK (role_oid::pg_catalog.oid OPERATOR(pg_catalog.=) @extschema@.idx_autopilot_me()::pg_catalog.oid);
-- both: changed or deleted only by a role with the row's role's privileges
DO $changes$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['idx_recommendations', 'idx_autopilot_events'] LOOP
        EXECUTE format('CREATE POLICY %I ON @extschema@.%I FOR UPDATE TO index_advisor_admin '
                       'USING (@extschema@.idx_may_act(role_oid)) WITH CHECK (@extschema@.idx_may_act(role_oid))',
                       t || '_changes', t);
        EXECUTE format('CREATE POLICY %I ON @extschema@.%I FOR DELETE TO index_advisor_admin '
                       'USING (@extschema@.idx_may_act(role_oid))', t || '_deletes', t);
    END LOOP;
END
$changes$;
REVOKE ALL ON @extschema@.idx_recommendations, @extschema@.idx_autopilot_events FROM PUBLIC;
GRANT SELECT ON @extschema@.idx_recommendations, @extschema@.idx_autopilot_events TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON @extschema@.idx_recommendations,
      @extschema@.idx_autopilot_events TO index_advisor_admin;
GRANT USAGE ON SEQUENCE @extschema@.idx_recommendations_id_seq,
      @extschema@.idx_autopilot_events_id_seq TO index_advisor_admin;

-- Record a step: an event row and, when rec_id and new_status are given,
-- the recommendation's new status and reason.  The one way stages write
-- the record.
CREATE FUNCTION @extschema@.idx_autopilot_event(cycle bigint, rec_id bigint,
                                               action text, detail text,
                                               new_status text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_autopilot_event$
BEGIN
    IF rec_id IS NOT NULL AND new_status IS NOT NULL THEN
        UPDATE @extschema@.idx_recommendations r
           SET status = new_status, reason = detail, changed_at = now()
         WHERE r.id = rec_id;
    END IF;
    INSERT INTO @extschema@.idx_autopilot_events
           (cycle, recommendation_id, action, status, detail, role_oid)
    VALUES (cycle, rec_id, action,
            (SELECT r.status FROM @extschema@.idx_recommendations r WHERE r.id = rec_id),
            detail, @extschema@.idx_autopilot_me());
END
$idx_autopilot_event$;
COMMENT ON FUNCTION @extschema@.idx_autopilot_event(bigint, bigint, text, text, text) IS
    'internal (autopilot stages): record one step of a cycle, and the recommendation''s new status with detail as its reason';

-- The internal functions of this part read or write the record, or
-- pg_stat_statements as the caller: index_advisor_admin's (the policy's
-- owner is a member), not PUBLIC's (test/t/196_autopilot_safety.pl checks
-- that no internal autopilot function but the immutable ones is PUBLIC's).
-- PUBLIC keeps the settings, the statuses, the query shape, and
-- idx_autopilot_me, _may_read and _is_owner, which row security calls as
-- the reading role.  Each function named once: revoked from PUBLIC,
-- granted to index_advisor_admin.
DO $admin_only$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'idx_autopilot_status_ok(text)',
        'idx_autopilot_pgss_schema()',
        'idx_autopilot_snapshot()',
        'idx_autopilot_window(bigint, bigint)',
        'idx_autopilot_window_from(bigint)',
        'idx_autopilot_reads(pg_catalog.oid, bigint, text, text)',
        'idx_autopilot_reads_failures()',
        'idx_autopilot_reads_table(pg_catalog.oid, bigint, text, pg_catalog.regclass, text)',
        'idx_autopilot_event(bigint, bigint, text, text, text)'] LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION @extschema@.%s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO index_advisor_admin', f);
    END LOOP;
END
$admin_only$;
