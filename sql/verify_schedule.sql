-- idx_schedule / idx_unschedule: idx_check() as a pg_cron job.  The test
-- instance preloads pg_cron with cron.database_name = contrib_regression.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- without the extension: a clear error, with what to do
SELECT idx_schedule();
\echo :LAST_ERROR_SQLSTATE
SELECT idx_unschedule();
\echo :LAST_ERROR_SQLSTATE

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
