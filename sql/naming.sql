-- Names chosen by idx_apply() for a definition without one are the names
-- plain CREATE INDEX picks (ChooseIndexColumnNames / ChooseRelationName):
-- repeated column names are de-duplicated with a number, INCLUDE columns
-- count, long names are truncated, a taken name gets idx1, idx2, ...
TRUNCATE idx_history RESTART IDENTITY;
\set SHOW_CONTEXT never
CREATE SCHEMA nm;
SET search_path = nm, public;
CREATE TABLE nm_t (a text, b text, c integer, d integer);
CREATE TABLE nm_a_table_whose_name_is_long_enough_to_be_truncated_xxxxxxxxx (
    a_column_whose_name_is_long_enough_to_be_truncated_when_numbere text,
    c integer);

-- The name plain CREATE INDEX gives "definition" and the one idx_apply()
-- chooses for it, both in subtransactions that are rolled back.
CREATE FUNCTION nm_names(definition text, OUT postgres name, OUT index_advisor name)
LANGUAGE plpgsql AS $$
DECLARE
    before name[] := ARRAY(SELECT relname FROM pg_class WHERE relnamespace = 'nm'::regnamespace);
    hid bigint;
BEGIN
    BEGIN
        EXECUTE definition;
        SELECT relname INTO postgres FROM pg_class
         WHERE relnamespace = 'nm'::regnamespace AND relkind = 'i'
           AND relname <> ALL (before);
        RAISE EXCEPTION USING ERRCODE = 'P0004';
    EXCEPTION WHEN assert_failure THEN
    END;
    BEGIN
        hid := idx_apply(definition);
        SELECT h.index_name INTO index_advisor FROM idx_history h WHERE h.id = hid;
        RAISE EXCEPTION USING ERRCODE = 'P0004';
    EXCEPTION WHEN assert_failure THEN
    END;
END $$;

SELECT d AS definition, n.postgres, n.postgres = n.index_advisor AS same
  FROM unnest(ARRAY[
        'CREATE INDEX ON nm_t (lower(a), lower(b))',
        'CREATE INDEX ON nm_t (lower(a), lower(b), lower(a || b))',
        'CREATE INDEX ON nm_t (a, (a || ''x''), (b || ''x''))',
        'CREATE INDEX ON nm_t ((c + 1), (d + 1), (c * d))',
        'CREATE INDEX ON nm_t (c) INCLUDE (d, a)',
        'CREATE INDEX ON nm_t ((c::text)) INCLUDE (c)',
        'CREATE INDEX ON nm_t (c, d) WHERE c > 0',
        'CREATE INDEX ON nm_t USING hash (upper(a))',
        'CREATE INDEX ON nm_a_table_whose_name_is_long_enough_to_be_truncated_xxxxxxxxx
             (lower(a_column_whose_name_is_long_enough_to_be_truncated_when_numbere),
              upper(a_column_whose_name_is_long_enough_to_be_truncated_when_numbere),
              lower(a_column_whose_name_is_long_enough_to_be_truncated_when_numbere))',
        'CREATE INDEX ON nm_a_table_whose_name_is_long_enough_to_be_truncated_xxxxxxxxx
             (c, c, c)',
        'CREATE INDEX ON nm_a_table_whose_name_is_long_enough_to_be_truncated_xxxxxxxxx
             (a_column_whose_name_is_long_enough_to_be_truncated_when_numbere, a_column_whose_name_is_long_enough_to_be_truncated_when_numbere)'
       ]) WITH ORDINALITY AS u(d, o)
 CROSS JOIN LATERAL nm_names(u.d) n
 ORDER BY u.o;

-- a name already taken (by an index on other columns): both move on to idx1
CREATE INDEX nm_t_c_d_idx ON nm_t (a);
SELECT n.postgres, n.postgres = n.index_advisor AS same
  FROM nm_names('CREATE INDEX ON nm_t (c, d)') n;

-- built for real: the index has the name the history row says
SELECT idx_apply('CREATE INDEX ON nm_t (upper(a), upper(b))') AS id \gset
SET client_min_messages = warning;
CALL idx_wait(:id);
RESET client_min_messages;
SELECT h.index_name, c.relname IS NOT NULL AS exists
  FROM idx_history h LEFT JOIN pg_class c ON c.relname = h.index_name
 WHERE h.id = :id;

-- the index of each partition is named as PostgreSQL names it too
CREATE TABLE nm_p (a text, b text) PARTITION BY LIST (a);
CREATE TABLE nm_p_1 PARTITION OF nm_p FOR VALUES IN ('1');
CREATE TABLE nm_p_2 PARTITION OF nm_p FOR VALUES IN ('2') PARTITION BY LIST (b);
CREATE TABLE nm_p_2_x PARTITION OF nm_p_2 FOR VALUES IN ('x');
BEGIN;
CREATE INDEX ON nm_p (lower(a), lower(b));
SELECT relname FROM pg_class WHERE relname LIKE 'nm_p%idx' ORDER BY relname;
ROLLBACK;
SELECT idx_apply('CREATE INDEX ON nm_p (lower(a), lower(b))') AS pid \gset
SET client_min_messages = warning;
CALL idx_wait(:pid);
RESET client_min_messages;
SELECT index_name, status FROM idx_history WHERE :pid IN (id, parent_id) ORDER BY index_name;

-- only the two built are in the history: none of the rolled-back calls
SELECT count(*) AS history_rows FROM idx_history WHERE parent_id IS NULL;
DROP SCHEMA nm CASCADE;
TRUNCATE idx_history RESTART IDENTITY;
