-- The duplicate rule, written once: for each pair of indexes, what
-- idx_apply() says about the second (refused as a duplicate of the first,
-- or accepted) is what idx_check() says once both exist (a 'duplicate'
-- finding for the second, or none).  Each pair below is one where the C
-- rule of idx_apply and the old SQL rule of idx_check disagreed, or a
-- neighbour of one.
SET client_min_messages = warning;
CALL idx_wait();
RESET client_min_messages;
\set VERBOSITY terse

CREATE TABLE dup_t (a integer, b integer, c text, v varchar(20));

-- existing: CREATE INDEX dup_a ...; candidate: CREATE INDEX dup_b ...
-- (the same text, given without a name to idx_apply)
CREATE FUNCTION dup_pair(existing text, candidate text,
                         OUT idx_apply text, OUT idx_check text, OUT agree boolean)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE %s INDEX dup_a ON dup_t %s',
                   split_part(existing, '|', 1), split_part(existing, '|', 2));
    -- idx_apply's verdict, then undone (the request is rolled back)
    BEGIN
        PERFORM idx_apply(format('CREATE %s INDEX ON dup_t %s',
                                 split_part(candidate, '|', 1),
                                 split_part(candidate, '|', 2)));
        RAISE EXCEPTION 'accepted';
    EXCEPTION
        WHEN duplicate_object THEN idx_apply := 'refused: ' || SQLERRM;
        WHEN raise_exception THEN idx_apply := 'accepted';
    END;
    EXECUTE format('CREATE %s INDEX dup_b ON dup_t %s',
                   split_part(candidate, '|', 1), split_part(candidate, '|', 2));
    SELECT string_agg(format('%s: %s', c.index_name, c.detail), '; '
                      ORDER BY c.index_name)
      INTO idx_check
      FROM idx_check() c
     WHERE c.kind = 'duplicate' AND c.table_name = 'dup_t';
    agree := (idx_apply LIKE 'refused%')
             = COALESCE(idx_check LIKE '%dup_b: same definition as dup_a%', false);
    idx_check := COALESCE(idx_check, 'no duplicate');
    DROP INDEX dup_a, dup_b;
END
$$;

-- operator classes of the same family and input type (varchar_ops is
-- text_ops's twin): one index serves both
SELECT * FROM dup_pair('|(v varchar_ops)', '|(v text_ops)');
-- UNIQUE NULLS NOT DISTINCT does not cover UNIQUE (different constraint)
SELECT * FROM dup_pair('UNIQUE|(a) NULLS NOT DISTINCT', 'UNIQUE|(a)');
SELECT * FROM dup_pair('UNIQUE|(a)', 'UNIQUE|(a) NULLS NOT DISTINCT');
-- a unique index covers a plain one, not the other way round (then the
-- plain one is the duplicate)
SELECT * FROM dup_pair('UNIQUE|(a) NULLS NOT DISTINCT', '|(a)');
SELECT * FROM dup_pair('|(a)', 'UNIQUE|(a)');
-- expressions and predicates compare as the planner sees them (constants
-- folded), not as their text
SELECT * FROM dup_pair('|((a + (1 + 1)))', '|((a + 2))');
SELECT * FROM dup_pair('|(lower(c))', '|(lower(c))');
SELECT * FROM dup_pair('|(lower(c))', '|(upper(c))');
SELECT * FROM dup_pair('|(a) WHERE b > (0 + 1)', '|(a) WHERE b > 1');
SELECT * FROM dup_pair('|(a) WHERE b > 1', '|(a) WHERE b > 2');
-- INCLUDE columns: the same ones in the same order, or not a duplicate
SELECT * FROM dup_pair('|(a) INCLUDE (b)', '|(a) INCLUDE (b)');
SELECT * FROM dup_pair('|(a) INCLUDE (b)', '|(a) INCLUDE (c)');
SELECT * FROM dup_pair('|(a) INCLUDE (b, c)', '|(a) INCLUDE (c, b)');
-- another operator family, another order, another method
SELECT * FROM dup_pair('|(c text_pattern_ops)', '|(c)');
SELECT * FROM dup_pair('|(a DESC)', '|(a)');
SELECT * FROM dup_pair('|USING hash (a)', '|(a)');

-- The same rule for a create still queued (nothing is built before the
-- transaction commits): (a), then USING btree (a ASC), which is the same
-- index, is refused as it is once (a) is built; it used to be accepted while
-- (a) was queued, compared as text
BEGIN;
SELECT idx_apply('CREATE INDEX ON dup_t (a)') IS NOT NULL AS queued;
SELECT idx_apply('CREATE INDEX ON dup_t USING btree (a ASC)');
ROLLBACK;
-- a queued create stands only for the same index: a unique one may still
-- fail on duplicate values, so a plain one beside it is accepted (a built
-- unique index would refuse it); another order is another index
BEGIN;
SELECT idx_apply('CREATE UNIQUE INDEX ON dup_t (b)') IS NOT NULL AS queued;
SELECT idx_apply('CREATE INDEX ON dup_t (b)') IS NOT NULL AS accepted;
SELECT idx_apply('CREATE INDEX ON dup_t (b DESC)') IS NOT NULL AS accepted;
SELECT idx_apply('CREATE UNIQUE INDEX ON dup_t USING btree (b ASC NULLS LAST)');
ROLLBACK;
-- a queued definition is read with its requester's search_path, not the
-- next caller's: twice() below is found only through dup_s
BEGIN;
CREATE SCHEMA dup_s;
CREATE FUNCTION dup_s.twice(integer) RETURNS integer IMMUTABLE
    LANGUAGE sql AS 'SELECT $1 * 2';
SET LOCAL search_path = dup_s, public;
SELECT idx_apply('CREATE INDEX ON dup_t (twice(a))') IS NOT NULL AS queued;
SET LOCAL search_path = public;
SELECT idx_apply('CREATE INDEX ON dup_t (c)') IS NOT NULL AS accepted;
SELECT idx_apply('CREATE INDEX ON dup_t (dup_s.twice(a))');
ROLLBACK;
-- a queued definition that no longer resolves (its column dropped since)
-- does not make the next request on the table fail: its own build will
BEGIN;
ALTER TABLE dup_t ADD COLUMN gone integer;
SELECT idx_apply('CREATE INDEX ON dup_t (gone)') IS NOT NULL AS queued;
ALTER TABLE dup_t DROP COLUMN gone;
SELECT idx_apply('CREATE INDEX ON dup_t (c, a)') IS NOT NULL AS accepted;
ROLLBACK;

-- The advisor's "replaces" asks the same rule (keys a prefix): an index on
-- an expression is replaced as a column's is.  The advisor's own copy never
-- compared expressions, so (lower(c), a) did not replace (lower(c)), which
-- idx_apply would call a duplicate of (lower(c)) once its key was cut
CREATE INDEX dup_lower ON dup_t (lower(c));
INSERT INTO dup_t SELECT g, g % 100, 'n' || (g % 5000) FROM generate_series(1, 50000) g;
VACUUM ANALYZE dup_t;
SELECT rank, definition, replaces
  FROM idx_advise(ARRAY['SELECT v FROM dup_t WHERE lower(c) = ''n42'' AND a < 1000']);
DROP INDEX dup_lower;
TRUNCATE dup_t;

-- idx_index_covers is internal
SELECT has_function_privilege('public', 'idx_index_covers(regclass, regclass)', 'EXECUTE');
CREATE INDEX dup_x ON dup_t (a);
SELECT idx_index_covers('dup_x', 'dup_x') AS itself,
       idx_index_covers('dup_x', 'dup_t') AS a_table;
DROP TABLE dup_t;
DROP FUNCTION dup_pair(text, text);
