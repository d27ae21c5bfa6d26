-- Nodes (doc/nodes.md): the registry's argument errors, the password rule,
-- masking, and the new arguments of idx_rollback and idx_wait.
\set VERBOSITY default
CREATE ROLE regress_nodes_admin LOGIN;
GRANT index_advisor_admin TO regress_nodes_admin;
CREATE ROLE regress_nodes_plain LOGIN;

-- bad arguments
SELECT idx_node_add(NULL, 'host=x');
SELECT idx_node_add('s1', NULL);
SELECT idx_node_add('', 'host=x');
SELECT idx_node_add('bad name', 'host=x');
SELECT idx_node_add('primary', 'host=x');
-- libpq's message would quote the string: it is not shown
SELECT idx_node_add('s1', 'host=x password=hunter2 what');
SELECT idx_node_remove('nope');
SELECT * FROM idx_node_test('nope');

-- a superuser may register a node without a password
SELECT idx_node_add('replica_1', 'host=replica1.example port=5433 dbname=contrib_regression');
SELECT idx_node_add('replica_1', 'host=elsewhere password=hunter2');

-- a non-superuser admin must give one
SET ROLE regress_nodes_admin;
SELECT idx_node_add('replica_2', 'host=replica2.example dbname=contrib_regression');
SELECT idx_node_add('replica_2', 'host=replica2.example dbname=contrib_regression user=ia password=hunter2');
-- admins read the list, the password masked
SELECT name, conninfo, added_by = 'regress_nodes_admin'::regrole AS by_admin FROM idx_node_list ORDER BY name;
RESET ROLE;

-- every option libpq marks as secret is masked, not only "password"
SELECT idx_node_add('replica_ssl', 'host=replica3.example user=ia password=hunter2 sslmode=verify-full sslcert=/c sslkey=/k sslpassword=keypass');
SELECT name, conninfo FROM idx_node_list WHERE name = 'replica_ssl';
SELECT idx_conninfo_mask('postgresql://ia:hunter2@h/db?sslpassword=keypass&application_name=x');

-- idx_node_add writes the registry as its owner with search_path pinned: a
-- function the caller put on its path is not the one the owner runs (here
-- through an audit trigger whose function names lower() unqualified)
CREATE FUNCTION nodes_audit() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN NEW.last_error := lower(NEW.last_error); RETURN NEW; END $$;
CREATE TRIGGER nodes_audit BEFORE INSERT ON idx_nodes FOR EACH ROW EXECUTE FUNCTION nodes_audit();
CREATE SCHEMA nodes_evil AUTHORIZATION regress_nodes_admin;
SET ROLE regress_nodes_admin;
CREATE FUNCTION nodes_evil.lower(text) RETURNS text LANGUAGE plpgsql
AS $$ BEGIN RAISE NOTICE 'nodes_evil.lower ran, as a superuser: %',
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
            RETURN $1; END $$;
SET search_path = nodes_evil, pg_catalog, public;
SELECT idx_node_add('replica_path', 'host=x password=y');
RESET search_path;
RESET ROLE;
DROP TRIGGER nodes_audit ON idx_nodes;
DROP FUNCTION nodes_audit();
DROP SCHEMA nodes_evil CASCADE;
SELECT idx_node_remove('replica_ssl'), idx_node_remove('replica_path');

-- a plain role reads neither the table nor the list, and may not register
SET ROLE regress_nodes_plain;
SELECT * FROM idx_nodes;
SELECT * FROM idx_node_list;
SELECT idx_node_add('replica_3', 'host=x password=y');
SELECT idx_node_remove('replica_1');
-- names and reachability only
SELECT name, unreachable_since FROM idx_node_states();
RESET ROLE;

-- settings
SHOW index_advisor.node_connect_timeout;
SHOW index_advisor.node_statement_timeout;
SET index_advisor.node_connect_timeout = 0;

-- idx_rollback(..., force) and idx_wait(..., replayed) take the new arguments
SELECT idx_rollback(424242, force => true);
SELECT * FROM idx_rollback('no such migration', force => false);
CALL idx_wait(424242, replayed => true);

SELECT idx_node_remove('replica_1'), idx_node_remove('replica_2');
SELECT count(*) FROM idx_node_list;
DROP ROLE regress_nodes_admin, regress_nodes_plain;
