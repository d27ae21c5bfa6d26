-- Text written for another language is escaped for that language
-- (doc/safety.md, src/script/escape.c):
--  1. a migration label with a control character is refused wherever a
--     label enters (idx_apply, idx_apply_script, the drops of a script);
--  2. a label stored before that check (a 0.1 install, a restored dump:
--     written here by hand) is exported as inert text in all three
--     formats: the 'sql' export, run by psql, runs no statement of the
--     label's; the Python exports hold it only as an escaped literal.
-- (Loading the Python exports with the real Django and Alembic:
-- test/t/130_orm.pl.)
TRUNCATE idx_history RESTART IDENTITY CASCADE;
CREATE TABLE se_t (a integer, b text);
CREATE TABLE se_u (a integer);
CREATE TABLE se_victim (a integer);
CREATE INDEX se_plain ON se_t (b);
\set VERBOSITY default

-- 1. refused where a label enters, with 22023; nothing is queued
SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, E'm1\nDROP TABLE se_victim; --');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, E'm1\r');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, E'm1\tx');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script('CREATE INDEX ON se_t (a)', E'm1\nimport os');
\echo :LAST_ERROR_SQLSTATE
-- a label inside the script, and the label of a script's DROP INDEX
SELECT idx_apply_script($s$SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, E'm1\x0b');$s$);
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply_script('DROP INDEX se_plain', E'x\x1b[2J');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rows FROM idx_history;
-- printable labels, quotes and comment marks included, are accepted
BEGIN;
SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, $l$it's "m1" -- /* */ \ #$l$) IS NOT NULL AS queued;
ROLLBACK;

-- 2. a hostile label stored before the check: on a done create row
SELECT idx_apply('CREATE INDEX se_u_a ON se_u (a)', ARRAY[E'SELECT * FROM se_u WHERE a = 1\n'], 'old') AS id \gset
SET client_min_messages = warning;
CALL idx_wait(:id);
RESET client_min_messages;
UPDATE idx_history SET migration = E'old\nDROP TABLE se_victim; -- */ DROP TABLE se_victim; /* \r\'"""\\'
 WHERE id = :id;
SELECT idx_export(migration) AS sql_export, idx_export(migration, 'django') AS django_export,
       idx_export(migration, 'alembic') AS alembic_export
  FROM idx_history WHERE id = :id \gset
-- the 'sql' export: one comment line per line, the label an escaped literal
SELECT :'sql_export';
-- run by psql as it is: its CREATE INDEX is skipped (IF NOT EXISTS), no
-- statement of the label runs
SET client_min_messages = warning;
:sql_export
RESET client_min_messages;
SELECT to_regclass('se_victim') IS NOT NULL AS victim_still_there;
-- ... and fed to idx_apply_script: the same
SELECT count(*) FROM idx_apply_script(:'sql_export', 'again');
SELECT to_regclass('se_victim') IS NOT NULL AS victim_still_there;
-- the Python exports: the label only as an escaped literal, in code, never
-- in a comment or docstring; no line of the export starts with the label's
-- text
SELECT :'django_export';
SELECT :'alembic_export';
SELECT count(*) AS label_lines
  FROM unnest(string_to_array(:'django_export' || :'alembic_export', E'\n')) l
 WHERE l LIKE 'DROP%' OR l LIKE '%"""%"""%' OR l ~ E'\r';

-- 3. the escapers, which anything writing history text into SQL or Python
-- calls: each reads back as its argument
SELECT s, idx_export_sqlstr(s) AS sql, idx_export_pystr(s) AS python
  FROM (VALUES ('plain'), ('it''s'), (E'a\\b'), ('x */ y'), ('x /* y'), ('**/'),
               ('/*/'), (E'line\nnext'), (E'tab\there'), (E'cr\r')) v(s);
-- the SQL constant reads back as the text
DO $do$
DECLARE
    s text;
    r text;
BEGIN
    FOREACH s IN ARRAY ARRAY['plain', 'it''s', E'a\\b', 'x */ y', '**/', '/*/',
                             E'line\nnext', E'tab\there', E'cr\r\x7f']
    LOOP
        EXECUTE 'SELECT ' || idx_export_sqlstr(s) INTO r;
        IF r IS DISTINCT FROM s THEN
            RAISE EXCEPTION 'idx_export_sqlstr(%) reads back as %', s, r;
        END IF;
    END LOOP;
    RAISE NOTICE 'every SQL constant reads back as its text';
END
$do$;

-- 4. Unicode: line separators, bidirectional controls and C1 controls are
-- refused in labels and escaped in exports (a UTF8 database)
CREATE DATABASE ia_safety_utf8 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c ia_safety_utf8
SET client_min_messages = warning;
CREATE EXTENSION index_advisor;
RESET client_min_messages;
CREATE TABLE se_t (a integer);
\set VERBOSITY default
SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, E'm1\u2028DROP');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, E'm1\u202egnp.exe');
\echo :LAST_ERROR_SQLSTATE
SELECT idx_apply('CREATE INDEX ON se_t (a)', NULL, E'm1\u0085');
\echo :LAST_ERROR_SQLSTATE
SELECT s AS code_points, idx_export_sqlstr(t) AS sql, idx_export_pystr(t) AS python
  FROM (VALUES ('2028', E'a\u2028b'), ('202e', E'a\u202eb'), ('0085', E'a\u0085b'),
               ('feff', E'\ufeffa'), ('00e9 1f600', E'caf\u00e9 \U0001F600')) v(s, t);
DO $do$
DECLARE
    s text;
    r text;
BEGIN
    FOREACH s IN ARRAY ARRAY[E'a\u2028b', E'a\u202eb', E'a\u0085b', E'\ufeffa */',
                             E'caf\u00e9 \U0001F600']
    LOOP
        EXECUTE 'SELECT ' || idx_export_sqlstr(s) INTO r;
        IF r IS DISTINCT FROM s THEN
            RAISE EXCEPTION 'idx_export_sqlstr(%) reads back as %', s, r;
        END IF;
    END LOOP;
    RAISE NOTICE 'every SQL constant reads back as its text';
END
$do$;
SELECT count(*) AS rows FROM idx_history;
\c contrib_regression
DROP DATABASE ia_safety_utf8;
DROP TABLE se_t, se_u, se_victim;
