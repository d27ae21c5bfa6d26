-- idx_schedule / idx_unschedule: idx_check() as a pg_cron job.  The test
-- instance preloads pg_cron with cron.database_name = contrib_regression.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- without the extension: a clear error, with what to do
SELECT idx_schedule();
\echo :LAST_ERROR_SQLSTATE
SELECT idx_unschedule();
\echo :LAST_ERROR_SQLSTATE


-- a role with CREATE on the database plants a schema "cron" with look-alikes
-- of pg_cron's functions: the superuser's idx_schedule() and
-- idx_unschedule() find pg_cron through pg_extension and never call them
SELECT current_user AS superuser \gset
CREATE ROLE regress_ia_planter LOGIN;
SELECT format('GRANT CREATE ON DATABASE %I TO regress_ia_planter', current_database()) \gexec
\c - regress_ia_planter
CREATE SCHEMA cron;
GRANT USAGE ON SCHEMA cron TO PUBLIC;
CREATE FUNCTION cron.schedule(text, text, text) RETURNS bigint LANGUAGE plpgsql
AS $$BEGIN RAISE WARNING 'planted cron.schedule() runs as %', current_user; RETURN 42; END$$;
CREATE FUNCTION cron.unschedule(bigint) RETURNS boolean LANGUAGE plpgsql
AS $$BEGIN RAISE WARNING 'planted cron.unschedule() runs as %', current_user; RETURN true; END$$;
CREATE TABLE cron.job (jobid bigint, jobname text, username text);
INSERT INTO cron.job VALUES (42, 'index_advisor_check', :'superuser');
GRANT SELECT ON cron.job TO PUBLIC;
\c - :superuser
SELECT idx_schedule();
\echo :LAST_ERROR_SQLSTATE
SELECT idx_unschedule();
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA cron CASCADE;
SELECT format('REVOKE CREATE ON DATABASE %I FROM regress_ia_planter', current_database()) \gexec
DROP ROLE regress_ia_planter;

CREATE EXTENSION pg_cron;
SELECT idx_schedule() > 0 AS scheduled;
SELECT jobname, schedule, command, database = current_database() AS here,
       username = current_user AS as_me, active
  FROM cron.job;
-- scheduling again changes the schedule of the same job
SELECT idx_schedule('0 3 * * *') > 0 AS scheduled;
SELECT jobname, schedule FROM cron.job;
SELECT idx_unschedule();
SELECT idx_unschedule();
SELECT count(*) AS jobs FROM cron.job;
-- a schedule pg_cron refuses
SELECT idx_schedule('every now and then');
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION pg_cron;
