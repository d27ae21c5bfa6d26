-- idx_report, idx_check and idx_explain follow the index recorded at build
-- time (idx_history.index_oid on table_oid), not its schema and name: a
-- renamed index is still tracked; a same-named index that index_advisor
-- never built is not taken for it.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
TRUNCATE idx_history, idx_snapshots, idx_findings RESTART IDENTITY;
\set VERBOSITY terse

CREATE TABLE v_oid (a integer, b integer);
INSERT INTO v_oid SELECT g, g % 10 FROM generate_series(1, 10000) g;
ANALYZE v_oid;
SELECT idx_apply('CREATE INDEX v_oid_a_idx ON v_oid (a)',
                 ARRAY['SELECT * FROM v_oid WHERE a = 42'], 'v_oids') AS a_id \gset
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;

-- renamed by hand: still the same index
ALTER INDEX v_oid_a_idx RENAME TO v_oid_a_renamed;
SELECT index_name, valid, queries_using, verdict FROM idx_report('v_oids');
SELECT uses_index, scan FROM idx_explain(:a_id);
SELECT kind, index_name FROM idx_check() WHERE table_name = 'v_oid';
SELECT index_name, history_id = :a_id AS tracked, queries_using
  FROM idx_snapshots WHERE table_name = 'v_oid';

-- dropped by hand, and another index created under the recorded name: it
-- is not the index index_advisor built
DROP INDEX v_oid_a_renamed;
CREATE INDEX v_oid_a_idx ON v_oid (a);
SELECT index_name, valid, verdict, detail FROM idx_report('v_oids');
SELECT uses_index, scan FROM idx_explain(:a_id);

DROP TABLE v_oid;
