
/* index_advisor 0.2 -- gentle builds, the column (doc/gentle.md).
 * A part of its own, before 10_progress.sql, whose idx_progress shows it.
 * idx_apply's arguments are declared in 76_apply.sql. */

-- Why a row that has not started may not start yet.  Status 'waiting' has
-- two meanings, told apart by this column: waiting to start (wait_reason
-- says why: a not_before to come, the build window, replica lag, active
-- backends; no worker took it), or taken by a worker that is about to
-- build it (wait_reason NULL, worker_pid set).  idx_waits_to_start()
-- (09_queue.sql) is the one test of the first meaning.
ALTER TABLE @extschema@.idx_history ADD COLUMN wait_reason text;
COMMENT ON COLUMN @extschema@.idx_history.wait_reason IS
    'why a row waits to start (status waiting, no worker): not before a time, outside index_advisor.build_window, replica lag, active backends; NULL otherwise';
