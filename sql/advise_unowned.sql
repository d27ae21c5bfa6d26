-- idx_advise for a role that only reads the table: it gets advice (the
-- candidates are checked as idx_apply checks a definition, except for who
-- may build them), the row's note says idx_apply would refuse it to that
-- role (42501), and idx_apply and idx_whatif do refuse it.
SET client_min_messages = warning;
CREATE SCHEMA advise_unowned;
SET search_path = advise_unowned, public;
CREATE TABLE tickets (id int PRIMARY KEY, queue_id int NOT NULL,
                      state text NOT NULL, opened date NOT NULL);
INSERT INTO tickets
SELECT g, 1 + g % 200, CASE WHEN g % 10 = 0 THEN 'open' ELSE 'closed' END,
       '2024-01-01'::date + g % 365
  FROM generate_series(1, 20000) g;
VACUUM ANALYZE tickets;
CREATE ROLE regress_unowned_reader;
GRANT USAGE ON SCHEMA advise_unowned TO regress_unowned_reader;
GRANT SELECT ON tickets TO regress_unowned_reader;
RESET client_min_messages;

-- the owner: advice, no note about idx_apply
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM tickets WHERE queue_id = 7 ORDER BY opened DESC LIMIT 5');

-- a reader: the same advice, and a note that idx_apply would refuse it
SET ROLE regress_unowned_reader;
SELECT rank, definition, note
  FROM idx_advise('SELECT id FROM tickets WHERE queue_id = 7 ORDER BY opened DESC LIMIT 5');
-- idx_apply refuses it to the reader, as the note says
SELECT idx_apply('CREATE INDEX ON advise_unowned.tickets (queue_id, opened DESC) INCLUDE (id)');
-- idx_whatif keeps idx_apply's ownership check
SELECT uses FROM idx_whatif(ARRAY['CREATE INDEX ON advise_unowned.tickets (queue_id, opened DESC)'],
                            ARRAY['SELECT id FROM tickets WHERE queue_id = 7 ORDER BY opened DESC LIMIT 5']);
RESET ROLE;

-- a reader without SELECT on the table gets the planner's refusal
CREATE ROLE regress_unowned_none;
GRANT USAGE ON SCHEMA advise_unowned TO regress_unowned_none;
SET ROLE regress_unowned_none;
SELECT rank, definition, note FROM idx_advise('SELECT id FROM tickets WHERE queue_id = 7');
RESET ROLE;

SET client_min_messages = warning;
DROP SCHEMA advise_unowned CASCADE;
DROP ROLE regress_unowned_reader;
DROP ROLE regress_unowned_none;
