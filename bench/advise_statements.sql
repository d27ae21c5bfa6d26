-- bench/advise_statements.sql -- run by bench/advise.sh: 100 distinct
-- statements (different columns read and tested, so 100 pg_stat_statements
-- entries) run once each, then idx_advise_workload(top => 100) timed.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT pg_stat_statements_reset();
DO $$
DECLARE
    t text;
    cols text[];
    w text;
    n int := 0;
BEGIN
    FOR t IN SELECT unnest(ARRAY['customers', 'orders', 'tickets', 'events', 'order_items']) LOOP
        SELECT array_agg(attname ORDER BY attnum) INTO cols FROM pg_attribute
         WHERE attrelid = t::regclass AND attnum > 0 AND NOT attisdropped
           AND atttypid <> 'jsonb'::regtype;
        FOREACH w IN ARRAY cols[2:6] LOOP
            FOR k IN 1 .. 5 LOOP
                EXIT WHEN n >= 100;
                EXECUTE format('SELECT %s FROM %I WHERE %I = (SELECT %I FROM %I WHERE id = 7) LIMIT 5',
                               array_to_string(cols[1:k], ', '), t, w, w, t);
                n := n + 1;
            END LOOP;
        END LOOP;
    END LOOP;
END $$;
SELECT count(*) AS statements FROM pg_stat_statements
 WHERE query LIKE 'SELECT % LIMIT $%' \g (tuples_only=on format=unaligned)
\timing on
SELECT count(*) AS advised FROM idx_advise_workload(top => 100);
