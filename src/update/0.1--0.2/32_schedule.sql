/* index_advisor 0.1 -> 0.2, part "schedule": idx_schedule() and
 * idx_unschedule() through pg_cron, found through pg_extension and never by
 * a schema's name (doc/reference.md); the job's command, idx_check_and_cycle(),
 * is in 90_autopilot_cycle.sql. */

-- ---------------------------------------------------------------------
-- pg_cron
-- ---------------------------------------------------------------------

-- Internal: the schema of pg_cron's functions in this database (remote
-- false) or in pg_cron's database through dblink (remote true); NULL when
-- pg_cron is not installed there.  pg_cron is found through pg_extension and
-- the schema that belongs to it (pg_depend), never by the schema name
-- "cron", which anyone with CREATE on a database may create there.
CREATE FUNCTION @extschema@.idx_cron_schema(remote boolean)
RETURNS name
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_cron_schema$
DECLARE
    lookup constant text :=
        'SELECT n.nspname::pg_catalog.text'
        ' FROM pg_catalog.pg_extension e'
        ' JOIN pg_catalog.pg_depend d'
        '   ON d.refclassid OPERATOR(pg_catalog.=) ''pg_catalog.pg_extension''::pg_catalog.regclass'
        '  AND d.refobjid OPERATOR(pg_catalog.=) e.oid'
        '  AND d.deptype OPERATOR(pg_catalog.=) ''e'''
        '  AND d.classid OPERATOR(pg_catalog.=) ''pg_catalog.pg_namespace''::pg_catalog.regclass'
        ' JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) d.objid'
        ' WHERE e.extname OPERATOR(pg_catalog.=) ''pg_cron'''
        ' ORDER BY n.oid LIMIT 1';
    nsp text;
BEGIN
    IF remote THEN
        RETURN @extschema@.idx_cron_remote(lookup)::name;
    END IF;
    EXECUTE lookup INTO nsp;
    RETURN nsp::name;
END
$idx_cron_schema$;
COMMENT ON FUNCTION @extschema@.idx_cron_schema(boolean) IS
    'internal (idx_schedule, idx_unschedule): the schema of pg_cron''s functions here or in pg_cron''s database, found through pg_extension; NULL without pg_cron';
REVOKE ALL ON FUNCTION @extschema@.idx_cron_schema(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.idx_cron_schema(boolean) TO index_advisor_admin;

CREATE OR REPLACE FUNCTION @extschema@.idx_schedule(schedule text DEFAULT '*/15 * * * *')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_schedule$
DECLARE
    cron_db text;
    -- idx_check, then an autopilot cycle when the policy is not off
    -- (90_autopilot_cycle.sql: a cycle's error never undoes the check)
    command text := format('SELECT %s',
                           '@extschema@.idx_check_and_cycle()'::regprocedure);
    job     text := 'index_advisor_check@' || current_database();
    cron    name := @extschema@.idx_cron_schema(false);
    jobid   bigint;
BEGIN
    IF cron IS NOT NULL THEN
        EXECUTE format('SELECT %I.schedule($1, $2, $3)', cron)
           INTO jobid USING 'index_advisor_check'::text, schedule, command;
        RETURN jobid;
    END IF;
    -- only here: cron.database_name is for superusers and members of
    -- pg_read_all_settings, and pg_cron's own database needs it not
    cron_db := current_setting('cron.database_name', true);
    IF cron_db IS NULL OR cron_db = current_database() THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'idx_schedule() registers idx_check() and the autopilot''s cycle as a pg_cron job.',
                  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name, restart, and run CREATE EXTENSION pg_cron in that database; or call "SELECT idx_check_and_cycle()" from another scheduler.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'dblink') THEN
        -- idx_cron_remote's error, whose hint is the statement to run there
        PERFORM @extschema@.idx_cron_remote(
            format('SELECT cron.schedule_in_database(%L, %L, %L, %L)',
                   job, schedule, command, current_database()));
    END IF;
    cron := @extschema@.idx_cron_schema(true);
    IF cron IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database "%"', cron_db
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'cron.database_name names it, but it has no pg_cron extension.',
                  HINT = format('Run CREATE EXTENSION pg_cron in database "%s".', cron_db);
    END IF;
    RETURN @extschema@.idx_cron_remote(
        format('SELECT %I.schedule_in_database(%L, %L, %L, %L)::pg_catalog.text',
               cron, job, schedule, command, current_database()))::bigint;
END
$idx_schedule$;
COMMENT ON FUNCTION @extschema@.idx_schedule(text) IS
    'register idx_check_and_cycle() (idx_check(), then an autopilot cycle when the policy is not off) as the pg_cron job "index_advisor_check" (or "index_advisor_check@<database>" when pg_cron lives in another database), run as the caller; returns the job id; pg_cron is found through pg_extension, never by a schema name';

CREATE OR REPLACE FUNCTION @extschema@.idx_unschedule()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $idx_unschedule$
DECLARE
    cron_db text;
    job     text := 'index_advisor_check@' || current_database();
    cron    name := @extschema@.idx_cron_schema(false);
    jobid   bigint;
    done    boolean;
BEGIN
    IF cron IS NOT NULL THEN
        EXECUTE format('SELECT j.jobid FROM %I.job j'
                       ' WHERE j.jobname OPERATOR(pg_catalog.=) $1'
                       '   AND j.username OPERATOR(pg_catalog.=) current_user', cron)
           INTO jobid USING 'index_advisor_check'::text;
        IF jobid IS NULL THEN
            RETURN false;
        END IF;
        EXECUTE format('SELECT %I.unschedule($1)', cron) INTO done USING jobid;
        RETURN done;
    END IF;
    cron_db := current_setting('cron.database_name', true);   -- as in idx_schedule
    IF cron_db IS NULL OR cron_db = current_database() THEN
        RAISE EXCEPTION 'pg_cron is not installed'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Without pg_cron there is no job to remove.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'dblink') THEN
        -- idx_cron_remote's error, whose hint is the statement to run there
        PERFORM @extschema@.idx_cron_remote(
            format('SELECT cron.unschedule(j.jobid) FROM cron.job j WHERE j.jobname = %L AND j.username = current_user',
                   job));
    END IF;
    cron := @extschema@.idx_cron_schema(true);
    IF cron IS NULL THEN
        RETURN false;
    END IF;
    RETURN COALESCE(@extschema@.idx_cron_remote(
        format('SELECT pg_catalog.bool_or(%I.unschedule(j.jobid))::pg_catalog.text FROM %I.job j WHERE j.jobname OPERATOR(pg_catalog.=) %L AND j.username OPERATOR(pg_catalog.=) current_user',
               cron, cron, job))::boolean, false);
END
$idx_unschedule$;
COMMENT ON FUNCTION @extschema@.idx_unschedule() IS
    'remove the pg_cron job of idx_schedule(); false if there was none';
