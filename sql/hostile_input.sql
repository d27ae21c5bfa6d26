-- Hostile and malformed input.  Every case gets a clear error with an
-- SQLSTATE (printed after it), leaves no history row and no index, and the
-- server never goes down.  Between groups, :check counts history rows,
-- indexes on the test schema and INVALID indexes anywhere: all must stay as
-- they were.  (Foreign rows and roles: see security.sql.)
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
\set SHOW_CONTEXT never
TRUNCATE idx_history RESTART IDENTITY;
\set VERBOSITY default
CREATE SCHEMA hi;
SET search_path = hi, public;
CREATE TABLE h_t (a integer PRIMARY KEY, b text, c integer, d timestamptz,
                  v tsvector, x xml, p point);
INSERT INTO h_t SELECT g, 'b' || g, g % 10, now(), to_tsvector('a b'), '<a/>', point(g, g)
  FROM generate_series(1, 1000) g;
CREATE TABLE h_victims (v integer);
INSERT INTO h_victims VALUES (1), (2), (3);
CREATE SEQUENCE h_seq;
CREATE VIEW h_view AS SELECT * FROM h_t;
CREATE MATERIALIZED VIEW h_matview AS SELECT a, b FROM h_t;
CREATE FOREIGN DATA WRAPPER h_dummy;
CREATE SERVER h_server FOREIGN DATA WRAPPER h_dummy;
CREATE FOREIGN TABLE h_foreign (a integer) SERVER h_server;
CREATE TYPE h_composite AS (a integer);
CREATE TEMP TABLE h_temp (a integer);
CREATE TABLE h_shadowed (a integer);
CREATE TEMP TABLE h_shadowed (a integer);
CREATE FUNCTION h_volatile(integer) RETURNS integer LANGUAGE plpgsql VOLATILE AS 'BEGIN RETURN $1; END';
\set check 'SELECT (SELECT count(*) FROM idx_history) AS history_rows, (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = ''hi''::regnamespace) AS hi_indexes, (SELECT count(*) FROM pg_index WHERE NOT indisvalid) AS invalid_indexes, (SELECT count(*) FROM h_victims) AS victims'
:check;

-- 1. not exactly one CREATE INDEX statement
SELECT idx_apply('CREATE INDEX ON h_t (c); DROP TABLE h_victims');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c); CREATE INDEX ON h_t (b)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('-- CREATE INDEX ON h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('   ');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('/* CREATE INDEX ON h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON "h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('SELECT pg_sleep(60)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('ALTER TABLE h_t ADD UNIQUE (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('REINDEX TABLE h_t');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE SCHEMA h_evil CREATE INDEX ON h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('DO $$BEGIN DROP TABLE h_victims; END$$');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('COPY h_t TO PROGRAM ''id''');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CALL idx_wait()');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('COMMIT');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('ALTER SYSTEM SET work_mem = 1');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE STATISTICS h_st ON b, c FROM h_t');
\echo :LAST_ERROR_SQLSTATE
:check;

-- 2. SQL injection through names, options, labels and queries: the text
-- is parsed, never pasted, so it is either one statement or refused
SELECT idx_apply('CREATE INDEX ON h_t; DROP TABLE h_victims; -- (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t USING "btree; DROP TABLE h_victims" (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) WITH (fillfactor = ''10); DROP TABLE h_victims; --'')');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) TABLESPACE "pg_default; DROP TABLE h_victims"');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SELECT 1; DROP TABLE h_victims']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM idx_rollback('''); DROP TABLE h_victims; --');
\echo :LAST_ERROR_SQLSTATE
-- a label or a literal shaped like an injection is stored as given
BEGIN;
SELECT idx_apply('CREATE INDEX ON h_t ((b || $x$''); DROP TABLE h_victims; --$x$))',
                 ARRAY['SELECT * FROM h_t WHERE b = ''''''; DROP TABLE h_victims; --'''],
                 '''); DROP TABLE h_victims; --') AS id \gset
SELECT index_name, migration, queries FROM idx_history WHERE id = :id;
ROLLBACK;
-- names shaped like injections are just names: built and rolled back by the
-- workers, nothing else happens
CREATE TABLE "h_t""; DROP TABLE h_victims; --" (a integer);
SELECT idx_apply('CREATE INDEX "h_i""); DROP TABLE h_victims; --" ON "h_t""; DROP TABLE h_victims; --" (a)') AS id \gset
SET client_min_messages = warning;
CALL idx_wait(:id);
RESET client_min_messages;
SELECT index_name, status, indexdef FROM idx_history WHERE id = :id;
SELECT idx_rollback(:id) AS drop_id \gset
SET client_min_messages = warning;
CALL idx_wait(:drop_id);
RESET client_min_messages;
SELECT operation, status, definition FROM idx_history WHERE id IN (:id, :drop_id) ORDER BY id;
DROP TABLE "h_t""; DROP TABLE h_victims; --";
TRUNCATE idx_history;
:check;

-- 3. the table is not a plain, permanent user table
SELECT idx_apply('CREATE INDEX ON h_view (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_matview (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_foreign (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_seq (last_value)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_composite (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t_pkey (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_temp (a)');
\echo :LAST_ERROR_SQLSTATE
-- unqualified, the temporary table shadows the permanent one of that name
SELECT idx_apply('CREATE INDEX ON h_shadowed (a)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON pg_catalog.pg_authid (rolname)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON pg_catalog.pg_description (description)');
\echo :LAST_ERROR_SQLSTATE
-- a TOAST table (its name holds an OID: the message is shown without it)
DO $$
BEGIN
    PERFORM idx_apply(format('CREATE INDEX ON pg_toast.%I (chunk_id)',
                             (SELECT t.relname FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid
                               WHERE c.oid = 'hi.h_t'::regclass)));
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE '% %', SQLSTATE, regexp_replace(SQLERRM, '[0-9]+', 'N', 'g');
END
$$;
SELECT idx_apply('CREATE INDEX ON other_db.hi.h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_no_schema.h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_missing (c)');
\echo :LAST_ERROR_SQLSTATE
:check;

-- 4. missing or unusable columns, operator classes, methods, options
SELECT idx_apply('CREATE INDEX ON h_t ("C")');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (xmin)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((ctid))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((tableoid::integer + c))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) WHERE xmin <> ''0''');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c text_ops)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c int4_minmax_ops)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c int4_ops (foo = 1))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t USING gist (v tsvector_ops (siglen = 100000))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t USING brin (c) WITH (pages_per_range = 0)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (x)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t USING gin (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((c) COLLATE "C")');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (b COLLATE "no such collation")');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((c)) INCLUDE ((c + 1))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (' || (SELECT string_agg('(c + ' || g || ')', ', ') FROM generate_series(1, 33) g) || ')');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) TABLESPACE pg_global');
\echo :LAST_ERROR_SQLSTATE
:check;

-- 5. expressions and predicates: volatile, missing or forbidden functions
SELECT idx_apply('CREATE INDEX ON h_t ((c + random()::integer))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((b::regclass))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((h_volatile(c)))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) WHERE nextval(''h_seq'') > 0');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((h_no_such_function(c)))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((pg_catalog.pg_sleep(c)))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (((SELECT max(v) FROM h_victims)))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((count(c)))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((row_number() OVER ()))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((generate_series(1, c)))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((h_victims.v))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) WHERE c = $1');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) WHERE c');
\echo :LAST_ERROR_SQLSTATE
:check;

-- 6. identifiers at and over NAMEDATALEN (63 bytes): truncated as
-- PostgreSQL truncates them, never past the end of a character
BEGIN;
SELECT idx_apply('CREATE INDEX ' || repeat('i', 63) || ' ON h_t (c)') AS id \gset
SELECT length(index_name) AS exactly_63 FROM idx_history WHERE id = :id;
ROLLBACK;
BEGIN;
SELECT idx_apply('CREATE INDEX ' || repeat('j', 70) || ' ON h_t (c)') AS id \gset
SELECT length(index_name) AS truncated_to_63 FROM idx_history WHERE id = :id;
ROLLBACK;
CREATE TABLE hi.tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt63 (
    cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc63 integer);
BEGIN;
SELECT idx_apply('CREATE INDEX ON tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt63 (cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc63)') AS id \gset
SELECT index_name FROM idx_history WHERE id = :id;
ROLLBACK;
CREATE TABLE "hé_ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé" (é integer);
BEGIN;
SELECT idx_apply('CREATE INDEX ON "hé_ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé" (é)') AS id \gset
SELECT table_name, octet_length(table_name::text) AS table_bytes,
       index_name, octet_length(index_name::text) AS index_bytes
  FROM idx_history WHERE id = :id;
ROLLBACK;
SELECT idx_apply('CREATE INDEX ON h_' || repeat('m', 200) || ' (c)');
\echo :LAST_ERROR_SQLSTATE
:check;

-- 7. odd Unicode: look-alikes and invisible characters are not keywords;
-- quoted, anything is a name; NUL and invalid bytes never reach idx_apply
SELECT idx_apply('ＣＲＥＡＴＥ INDEX ON h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('СREATE INDEX ON h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply(E'CREATE\u00a0INDEX ON h_t (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply(E'CREATE INDEX ON h_t\u200b (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON U&"h_t\0000" (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)' || chr(0));
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply(E'CREATE INDEX ON h_t (c) WHERE b = \'\xff\'');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE "h_📦 ضبط" ("🔑" integer);
BEGIN;
SELECT idx_apply(E'CREATE INDEX "\u202egnp.exe\u200d" ON "h_📦 ضبط" ("🔑")') AS id1 \gset
SELECT idx_apply('CREATE INDEX ON "h_📦 ضبط" (("🔑" + 1))') AS id2 \gset
SELECT index_name, index_name = E'\u202egnp.exe\u200d' AS stored_as_given
  FROM idx_history WHERE id IN (:id1, :id2) ORDER BY id;
ROLLBACK;
:check;

-- 8. huge input: more than 64 kB of definition or query is refused before
-- it is parsed or stored; under that, deep nesting is refused by the parser
\set VERBOSITY terse
SELECT idx_apply('CREATE INDEX ON h_t (c) WHERE c NOT IN (' ||
                 (SELECT string_agg(g::text, ',') FROM generate_series(1000000, 1150000) g) || ')');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) /*' || repeat('x', 1048576) || '*/');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_' || repeat('m', 1048576) || ' (c)');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c) WHERE ' || repeat('(', 20000) || 'true' || repeat(')', 20000));
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t ((c' || repeat(' + c', 15000) || '))');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SELECT * FROM h_t WHERE c IN (' ||
                 (SELECT string_agg(g::text, ',') FROM generate_series(1000000, 1150000) g) || ')']);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- so is a migration label over 1 kB (it is indexed in the history)
SELECT idx_apply('CREATE INDEX ON h_t (c)', NULL, repeat('m', 1048576));
\echo :LAST_ERROR_SQLSTATE
:check;

-- 9. NULL arguments
SELECT idx_apply(NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY[NULL::text]);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_cancel(NULL) IS NULL AS cancel_null, idx_rollback(NULL::bigint) IS NULL AS rollback_null;
SELECT count(*) AS rollback_null_migration FROM idx_rollback(NULL::text);
CALL idx_wait(NULL, NULL);
BEGIN;
SELECT idx_apply('CREATE INDEX ON h_t (c)', '{}') AS id \gset
SELECT queries IS NULL AS no_queries FROM idx_history WHERE id = :id;
ROLLBACK;
:check;

-- 10. queries that are not one plannable SELECT/INSERT/UPDATE/DELETE, or
-- whose parameters cannot be resolved
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['TRUNCATE h_victims']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['CREATE TABLE h_new AS SELECT * FROM h_t']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['EXPLAIN ANALYZE DELETE FROM h_victims']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['COPY h_victims FROM PROGRAM ''id''']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SET ROLE NONE']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['LOCK TABLE h_t IN ACCESS EXCLUSIVE MODE']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['CALL idx_wait()']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['/* nothing */']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY[['SELECT 1'], ['SELECT 2']]);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SELECT * FROM h_t WHERE h_missing_column = 1']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SELECT * FROM h_t WHERE c = $2']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SELECT * FROM h_t WHERE $1 IS NULL']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SELECT * FROM h_t WHERE c = $0']);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON h_t (c)', ARRAY['SELECT * FROM h_t WHERE c = $300000000::integer']);
\echo :LAST_ERROR_SQLSTATE
-- queries that would write are planned, never run
BEGIN;
SELECT idx_apply('CREATE INDEX ON h_t (c)',
                 ARRAY['DELETE FROM h_victims WHERE v = $1',
                       'WITH d AS (DELETE FROM h_victims RETURNING *) SELECT * FROM d',
                       'INSERT INTO h_victims SELECT v FROM h_victims',
                       'SELECT nextval(''h_seq'')',
                       'SELECT pg_terminate_backend(pg_backend_pid())']) IS NOT NULL AS accepted;
ROLLBACK;
SELECT last_value, is_called FROM h_seq;
:check;

-- 11. cancel, roll back or wait for ids that do not exist, or that are in
-- no state to be cancelled or rolled back
SELECT idx_cancel(0);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_cancel(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_cancel(9223372036854775807);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_rollback(0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM idx_rollback('h_no_such_migration');
\echo :LAST_ERROR_SQLSTATE
CALL idx_wait(123456789);
\echo :LAST_ERROR_SQLSTATE
CALL idx_wait(-1, '1 second');
\echo :LAST_ERROR_SQLSTATE
:check;
-- a build that only the data can make fail: the row says so, no index is
-- left (ids restart here: nothing is running)
TRUNCATE idx_history RESTART IDENTITY;
INSERT INTO h_t (a, b, c) VALUES (1001, 'b1', 0);
SELECT idx_apply('CREATE UNIQUE INDEX h_t_b_key ON h_t (b)') AS failed_id \gset
SET client_min_messages = warning;
CALL idx_wait(:failed_id);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT id, status, error_code, error_message, error_detail FROM idx_history WHERE id = :failed_id;
SELECT idx_cancel(:failed_id);
SELECT idx_rollback(:failed_id);
\echo :LAST_ERROR_SQLSTATE
-- a done build: rolled back once; a second rollback, a rollback of the drop,
-- and a rollback of what is already rolled back are refused
SELECT idx_apply('CREATE INDEX h_t_c_idx ON h_t (c)') AS done_id \gset
SET client_min_messages = warning;
CALL idx_wait(:done_id);
RESET client_min_messages;
-- (in one transaction: a waiting worker would otherwise drop the index
-- before the second call)
BEGIN;
SELECT idx_rollback(:done_id) AS drop_id \gset
SAVEPOINT second;
SELECT idx_rollback(:done_id);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT second;
COMMIT;
SET client_min_messages = warning;
CALL idx_wait(:drop_id);
RESET client_min_messages;
SELECT idx_rollback(:drop_id);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_rollback(:done_id);
\echo :LAST_ERROR_SQLSTATE
SELECT id, operation, index_name, status, reverts FROM idx_history
 WHERE id IN (:done_id, :drop_id) ORDER BY id;

-- after all of it: only the three rows of the last cases, no index but the
-- primary key, no INVALID index, the victims intact, the server up
:check;
SELECT indexrelid::regclass AS hi_index FROM pg_index
 WHERE indrelid = 'hi.h_t'::regclass ORDER BY 1;
SELECT 'still up' AS server;
SET client_min_messages = warning;
DROP SCHEMA hi CASCADE;
DROP SERVER h_server;
DROP FOREIGN DATA WRAPPER h_dummy;
RESET client_min_messages;
RESET search_path;
