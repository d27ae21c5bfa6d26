-- Drop rows of idx_advise and of the workload path (idx_advise_statements,
-- what idx_advise_workload calls): an existing index is proposed for
-- dropping only when no query needs it once the advice is built (planned
-- with it hidden, no query costs 5 % more), for idx_advise only when an
-- advised index makes it redundant, and never when it backs a constraint
-- or the replica identity.
\set SHOW_CONTEXT never
CREATE SCHEMA advise_drops;
SET search_path = advise_drops, public;

CREATE TABLE r1 (a int NOT NULL, b int, c int, pad text);
INSERT INTO r1 SELECT g, g % 100, g % 1000, repeat('x', 50) FROM generate_series(1, 50000) g;
-- r2: the same rows, shuffled (a key lookup of a range reads scattered
-- pages: a covering index pays for its bytes beside the key)
CREATE TABLE r2 (LIKE r1);
INSERT INTO r2 SELECT * FROM r1 ORDER BY (a * 7919) % 50000;
CREATE INDEX r1_a_idx ON r1 (a);
CREATE INDEX r1_b_idx ON r1 (b);
ALTER TABLE r2 ADD CONSTRAINT r2_a_key UNIQUE (a);
VACUUM ANALYZE r1, r2;

-- (a) INCLUDE (c) makes r1_a_idx redundant and no query needs it: a drop
-- row, with the evidence; r1_b_idx is not made redundant: no row
SELECT rank, definition, table_name, est_size > 0 AS sized, queries, replaces, note
  FROM idx_advise(ARRAY['SELECT a, c FROM r1 WHERE a BETWEEN 100 AND 20000',
                        'SELECT count(*) FROM r1 WHERE b = 7']);

-- the drop it proposes, tried with idx_whatif: the queries keep their plan
-- with the advised index
SELECT query, cost_after <= cost_before AS not_dearer, uses
  FROM idx_whatif((SELECT array_agg(definition ORDER BY rank) FROM idx_advise(
                     ARRAY['SELECT a, c FROM r1 WHERE a BETWEEN 100 AND 20000'])),
                  ARRAY['SELECT a, c FROM r1 WHERE a BETWEEN 100 AND 20000']);

-- a role that only reads r1 gets the same drop row, and is told that it
-- cannot drop the index itself
CREATE ROLE advise_drops_reader;
GRANT USAGE ON SCHEMA advise_drops TO advise_drops_reader;
GRANT SELECT ON r1 TO advise_drops_reader;
SET ROLE advise_drops_reader;
SELECT definition, note ~ 'idx_apply_script would refuse it to you \(42501: must be owner of index r1_a_idx\)' AS refused
  FROM idx_advise(ARRAY['SELECT a, c FROM r1 WHERE a BETWEEN 100 AND 20000'])
 WHERE rank IS NULL;
RESET ROLE;

-- never a constraint's index: the same advice on r2, whose (a) is a UNIQUE
-- constraint, names nothing to replace and drops nothing (a narrower
-- range: the key stays beside the advised index, whose bytes add to the
-- key's, and the rule of advise_pay.c wants the query's cost cut by more
-- than the factor its index bytes grow)
SELECT rank, definition, replaces, note
  FROM idx_advise(ARRAY['SELECT a, c FROM r2 WHERE a BETWEEN 100 AND 2000']);

-- a redundant index that a query needs stays: a query the narrower index
-- serves clearly better than the advised one (at least 5 % cheaper)
CREATE TABLE r3 (a int NOT NULL, b int NOT NULL, c text NOT NULL);
INSERT INTO r3 SELECT g % 2000, g % 7, md5(g::text) FROM generate_series(1, 60000) g;
CREATE INDEX r3_a_idx ON r3 (a);
VACUUM ANALYZE r3;
SELECT rank, definition, replaces
  FROM idx_advise(ARRAY['SELECT a, c FROM r3 WHERE a = 42',
                        'SELECT count(*) FROM r3 WHERE a < 1500']);

-- the workload path: every index of a table the workload reads that no
-- statement needs, with idx_scan; never the primary key, a unique
-- constraint's, an exclusion constraint's or the replica identity
CREATE TABLE w (id int PRIMARY KEY, k int NOT NULL, u int NOT NULL, v int NOT NULL, m int NOT NULL,
                CONSTRAINT w_u_key UNIQUE (u),
                CONSTRAINT w_v_excl EXCLUDE USING btree (v WITH =));
INSERT INTO w SELECT g, g % 500, g, g, g % 3000 FROM generate_series(1, 30000) g;
CREATE UNIQUE INDEX w_v_ident ON w (v);
ALTER TABLE w REPLICA IDENTITY USING INDEX w_v_ident;
CREATE INDEX w_k_idx ON w (k);
CREATE INDEX w_v_idx ON w (v);
CREATE INDEX w_m_idx ON w (m);
VACUUM ANALYZE w;
SELECT rank, definition, queries, regexp_replace(note, 'idx_scan = \d+', 'idx_scan = N') AS note
  FROM idx_advise_statements(ARRAY['SELECT * FROM w WHERE k = $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[10::float8],
                             NULL, 10, 0);
-- idx_scan counts what the statistics saw
SELECT count(*) FROM w WHERE m = 7;
SELECT pg_stat_force_next_flush();
SELECT definition, note ~ 'idx_scan = [1-9]' AS counted
  FROM idx_advise_statements(ARRAY['SELECT * FROM w WHERE k = $1'],
                             ARRAY[current_user::regrole::oid], ARRAY[10::float8],
                             NULL, 10, 0)
 WHERE definition LIKE 'DROP%' ORDER BY definition;
-- an index a statement needs is not flagged (w_m_idx); w_v_idx is still
-- not needed: the unique indexes on v serve "v = $1"
SELECT definition, queries
  FROM idx_advise_statements(ARRAY['SELECT * FROM w WHERE k = $1',
                                   'SELECT * FROM w WHERE m = $1 AND v > 0'],
                             ARRAY[current_user::regrole::oid, current_user::regrole::oid],
                             ARRAY[10::float8, 10], NULL, 10, 0);

-- never an index that is not the database's own to drop: a workload that
-- queries the catalogs (pg_class, pg_depend: both have indexes that are
-- not unique) or an extension's tables (index_advisor's idx_snapshots)
-- gets no drop row for their indexes (before: pg_class_tblspc_relfilenode_index,
-- pg_depend_depender_index, idx_snapshots_taken_at_idx were named); the
-- table of the workload beside them still gets its own (w_v_idx)
SELECT definition, table_name
  FROM idx_advise_statements(ARRAY['SELECT relname FROM pg_class WHERE relname = $1',
                                   'SELECT count(*) FROM pg_depend WHERE refobjid = $1',
                                   'SELECT count(*) FROM idx_snapshots WHERE taken_at > $1',
                                   'SELECT * FROM w WHERE k = $1 AND m = $2'],
                             ARRAY[current_user::regrole::oid, current_user::regrole::oid,
                                   current_user::regrole::oid, current_user::regrole::oid],
                             ARRAY[10::float8, 10, 10, 10], NULL, 10, 0)
 WHERE definition LIKE 'DROP%' ORDER BY definition;

-- One rule for what no drop may touch (advise_drops.c ia_index_drop_refusal):
-- the advisor's drop rows and the autopilot's drops give the same reason,
-- and the autopilot adds only its policy's own limits.
CREATE TABLE advise_drops.cons (a int UNIQUE, b int, c int);
CREATE INDEX cons_b_idx ON advise_drops.cons (b);
CREATE INDEX cons_c_idx ON advise_drops.cons (c);
SELECT i::regclass AS index, idx_index_drop_refusal(i) AS advisor,
       idx_autopilot_drop_refusal(i, current_user::regrole, NULL) AS autopilot
  FROM unnest(ARRAY['pg_depend_depender_index'::regclass, 'idx_snapshots_taken_at_idx'::regclass,
                    'advise_drops.cons_a_key'::regclass, 'advise_drops.cons_b_idx'::regclass]::oid[]) i;
SELECT idx_autopilot_drop_refusal('advise_drops.cons_c_idx'::regclass, current_user::regrole,
                                  ARRAY['public']) AS policy_limit;

DROP SCHEMA advise_drops CASCADE;
DROP ROLE advise_drops_reader;
