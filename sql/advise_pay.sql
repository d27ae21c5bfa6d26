-- Without a budget an index must pay for its bytes (issue 20: "cost per
-- byte always counts, with or without a budget"; src/advise/advise_pay.c).
-- Over the statements a candidate helps, the product of their remaining
-- cost and the bytes of the indexes serving them on its table must fall:
-- the cost must fall by more than the factor by which the bytes grow.
SET client_min_messages = warning;
-- pw: 40,000 wide rows (about 200 bytes of body), grp clustered (400 rows
-- each); the count reads grp and a prefix of body
CREATE TABLE pw (id int PRIMARY KEY, grp int NOT NULL, body text NOT NULL);
INSERT INTO pw SELECT i, i / 400, repeat(md5(i::text), 6)
  FROM generate_series(1, 40000) i;
-- po: 100,000 rows, cust scattered (100 rows each, on 100 pages)
CREATE TABLE po (id int PRIMARY KEY, cust int NOT NULL, total int NOT NULL,
                 pad text);
INSERT INTO po SELECT i, (i * 7919) % 1000, i % 500, repeat('x', 60)
  FROM generate_series(1, 100000) i;
-- statistics target 1000: ANALYZE reads every row, no cost moves with the
-- sample
ALTER TABLE pw ALTER grp SET STATISTICS 1000, ALTER body SET STATISTICS 1000;
ALTER TABLE po ALTER cust SET STATISTICS 1000, ALTER total SET STATISTICS 1000;
VACUUM ANALYZE pw, po;
RESET client_min_messages;

-- one count over a wide table: the narrow key leaves it at about 27 (the
-- 400 rows of group 7 are on a few pages); (grp, body text_pattern_ops),
-- as big as the table, would leave it at about 5: five times cheaper for
-- more than 25 times the bytes.  The narrow key is advised, and the note says
-- what the wider one would add (before the rule: the wider one, 9.4 MB
-- for one count)
SELECT rank, definition, est_size < 1000000 AS small,
       round(cost_before) AS cost_before, round(cost_after) AS cost_after,
       regexp_replace(note, '\(\d+\.\d MB more\)', '(N MB more)') AS note
  FROM idx_advise(ARRAY['SELECT count(*) FROM pw WHERE grp = 7 AND body LIKE ''a%''']);

-- what the note says, checked: the wider index would cut the count's cost
-- by about 80 % more, and it is at least 25 times the narrow key's bytes
SELECT round(100 * (1 - w.cost_after / n.cost_after)) AS further_cut_pct,
       idx_hypo_size('CREATE INDEX ON pw (grp, body text_pattern_ops)') >
         25 * idx_hypo_size('CREATE INDEX ON pw (grp)') AS wide
  FROM idx_whatif(ARRAY['CREATE INDEX ON pw (grp, body text_pattern_ops)'],
                  ARRAY['SELECT count(*) FROM pw WHERE grp = 7 AND body LIKE ''a%''']) w,
       idx_whatif(ARRAY['CREATE INDEX ON pw (grp)'],
                  ARRAY['SELECT count(*) FROM pw WHERE grp = 7 AND body LIKE ''a%''']) n;

-- a covering variant that buys a lot still pays: (cust) INCLUDE (total),
-- more than twice the bytes of the deduplicated (cust), leaves the sum at
-- about 6 instead of about 300 (100 heap fetches): it is advised
SELECT rank, definition,
       est_size > 2 * idx_hypo_size('CREATE INDEX ON po (cust)') AS wider_than_key,
       round(cost_after) AS cost_after, note
  FROM idx_advise(ARRAY['SELECT sum(total) FROM po WHERE cust = 42']);
SELECT round(cost_after) AS key_alone
  FROM idx_whatif(ARRAY['CREATE INDEX ON po (cust)'],
                  ARRAY['SELECT sum(total) FROM po WHERE cust = 42']);

-- under a budget the bytes are the budget's: the rule is not applied, the
-- per-byte greedy and its exchange pass choose (sql/advise_knapsack.sql);
-- a budget of the table's size lets the wide index in
SELECT rank, definition
  FROM idx_advise(ARRAY['SELECT count(*) FROM pw WHERE grp = 7 AND body LIKE ''a%'''],
                  budget => pg_relation_size('pw') * 2);
DROP TABLE pw, po;
