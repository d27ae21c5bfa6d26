-- Workers rely only on locks no SQL session can take: a session holding
-- every advisory lock with the keys index_advisor used before (slots and
-- claim: 7597 and 0..n, or 65535), in both the int4-pair and the int8
-- form, and the keys a history id would give, stalls nothing.
CREATE TABLE worker_locks_t (a integer, b integer);
INSERT INTO worker_locks_t SELECT g, g % 10 FROM generate_series(1, 1000) g;

SELECT count(pg_advisory_lock(7597, n)) AS int4_pairs
  FROM generate_series(0, 64) n;
SELECT pg_advisory_lock(7597, 65535);
SELECT count(pg_advisory_lock((7597::bigint << 32) + n)) AS int8_keys
  FROM generate_series(0, 64) n;
SELECT pg_advisory_lock((7597::bigint << 32) + 65535);
SELECT count(pg_advisory_lock(0, n)) AS row_keys FROM generate_series(0, 1000) n;
SELECT count(pg_advisory_lock(n)) AS row_keys_int8 FROM generate_series(0, 1000) n;

-- two builds and a rollback all run while this session holds them
SELECT idx_apply('CREATE INDEX worker_locks_a ON worker_locks_t (a)') AS a_id \gset
SELECT idx_apply('CREATE INDEX worker_locks_b ON worker_locks_t (b)') AS b_id \gset
SET client_min_messages = warning;
CALL idx_wait(timeout => '1 minute');
RESET client_min_messages;
SELECT idx_rollback(:b_id) AS drop_id \gset
SET client_min_messages = warning;
CALL idx_wait(:drop_id, '1 minute');
RESET client_min_messages;

SELECT id - :a_id AS n, operation, index_name, status, error_code
  FROM idx_history WHERE id IN (:a_id, :b_id, :drop_id) ORDER BY id;

SELECT pg_advisory_unlock_all();
DROP TABLE worker_locks_t;

-- doc/workers.md: the worker of each running row (none is left here)
SELECT h.id, h.status, a.pid, a.usename, a.wait_event_type, a.query
  FROM idx_history h JOIN pg_stat_activity a ON a.pid = h.worker_pid
 WHERE h.status IN ('waiting', 'building');
