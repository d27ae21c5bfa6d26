-- bench/advise_tenant.sql -- the fourth workload of bench/advise.sh: a
-- multi-tenant application (a task tracker: tenants, their users,
-- projects, tasks, comments and an event log), 25 statements as the
-- application sends them (foreign-key lookups, keyset pagination, covering
-- lookups, a rare status, a constant jsonb predicate, array overlap and
-- containment, two ORs of two columns, IN lists, a prefix LIKE, a
-- retention DELETE, status <> 'done', current_date and interval
-- arithmetic), and the 16 indexes a DBA wrote by hand for them.  Written,
-- with the DBA's set, before the advisor was run on it, and not changed
-- after.  :scale tasks (events 1.5 x :scale, comments :scale, users
-- :scale/10, projects :scale/40, tenants :scale/400).
--
-- tenant_id is on every table but tenants, and skewed (tenant t holds a
-- share of the tasks and events that falls with t, as a few big
-- customers do).  Times are relative to the load's now(): events span
-- the last 366 days, so the retention DELETE of rows older than 365
-- days removes about one day of them, as a nightly job would.  The
-- statements that page from a cursor hold the cursor as a literal
-- (computed from the data when they are inserted into bench_queries).
--
-- Collation: the bench cluster is initialised with C.UTF-8, under which a
-- plain btree serves LIKE 'abc%'.  users.name is declared COLLATE
-- "und-x-icu" (ICU's root collation, present when PostgreSQL is built
-- with ICU, as Debian's is), the case of a database created with a
-- language's collation: the prefix LIKE then needs text_pattern_ops.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE TABLE tenants (id int PRIMARY KEY, slug text NOT NULL, plan text NOT NULL,
                      created_at timestamptz NOT NULL);
INSERT INTO tenants
SELECT g, 'tenant-' || g, (ARRAY['free','free','free','team','team','enterprise'])[1 + g % 6],
       now() - (g % 900) * interval '1 day'
  FROM generate_series(1, :scale / 400) g;

-- user g belongs to tenant 1 + (g - 1) % tenants: the users of tenant t
-- are t, t + tenants, t + 2 x tenants, ...
CREATE TABLE users (id int PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants,
                    email text NOT NULL, username text NOT NULL,
                    name text COLLATE "und-x-icu" NOT NULL, status text NOT NULL,
                    created_at timestamptz NOT NULL, last_login_at timestamptz);
INSERT INTO users
SELECT g, t, 'user' || g || '@t' || t || '.example', 'user' || g,
       (ARRAY['Alice','Bruno','Chloé','Dmitri','Emma','Farid','Greta','Hiro','Ines','Jonas',
              'Kenji','Lena','Malik','Nora','Oscar','Priya','Quentin','Rosa','Sven','Yara'])[1 + g % 20]
           || ' ' || g,
       CASE WHEN g % 223 = 0 THEN 'blocked' WHEN g % 10 = 3 THEN 'invited' ELSE 'active' END,
       now() - (g % 700) * interval '1 day',
       CASE WHEN g % 10 <> 3 THEN now() - (g % 90) * interval '1 hour' END
  FROM generate_series(1, :scale / 10) g, LATERAL (SELECT 1 + (g - 1) % (:scale / 400) AS t) x;

-- project p belongs to tenant 1 + (p - 1) % tenants (10 projects each)
CREATE TABLE projects (id int PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants,
                       owner_id int NOT NULL REFERENCES users, name text NOT NULL,
                       archived boolean NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO projects
SELECT g, t, t + (:scale / 400) * (g % 40), 'project ' || g, g % 7 = 0,
       now() - (g % 500) * interval '1 day'
  FROM generate_series(1, :scale / 40) g, LATERAL (SELECT 1 + (g - 1) % (:scale / 400) AS t) x;

-- tasks: the tenant skewed (x^2 of a spread of g), one of its projects,
-- its users as assignee and reporter; created in id order over 400 days
CREATE TABLE tasks (id int PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants,
                    project_id int NOT NULL REFERENCES projects,
                    assignee_id int REFERENCES users, reporter_id int NOT NULL REFERENCES users,
                    title text NOT NULL, status text NOT NULL, priority int NOT NULL,
                    tags text[] NOT NULL, due_on date,
                    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
INSERT INTO tasks
SELECT g, t, t + (:scale / 400) * (g % 10),
       t + (:scale / 400) * ((g * 31) % 40), t + (:scale / 400) * ((g * 17 + 3) % 40),
       'task ' || g || ': ' || left(md5(g::text), 16),
       CASE WHEN g % 250 = 0 THEN 'blocked' WHEN g % 20 < 14 THEN 'done'
            WHEN g % 20 < 17 THEN 'todo' WHEN g % 20 < 19 THEN 'in_progress'
            ELSE 'review' END,
       1 + g % 5,
       CASE WHEN g % 200 = 0 THEN '{security,backend}'::text[]
            WHEN g % 50 = 7 THEN '{urgent}' WHEN g % 5 = 0 THEN '{bug}'
            WHEN g % 5 = 1 THEN '{feature,ui}' WHEN g % 5 = 2 THEN '{backend}'
            WHEN g % 5 = 3 THEN '{}' ELSE '{docs,customer}' END,
       current_date - 60 + g % 120,
       c, c + (g % 200) * interval '1 hour'
  FROM generate_series(1, :scale) g,
       LATERAL (SELECT 1 + floor((:scale / 400) * power(((g::bigint * 7919) % :scale)::float8 / :scale, 2))::int AS t,
                       now() - (:scale - g) * (interval '400 days' / :scale) AS c) x;

CREATE TABLE comments (id int PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants,
                       task_id int NOT NULL REFERENCES tasks, author_id int NOT NULL REFERENCES users,
                       body text NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO comments
SELECT g, t.tenant_id, t.id, t.reporter_id,
       'comment ' || g || ' ' || md5(g::text), t.created_at + (g % 300) * interval '1 hour'
  FROM generate_series(1, :scale) g JOIN tasks t ON t.id = 1 + (g * 7919) % :scale;

-- events: 1.5 x :scale over the last 366 days, a jsonb payload whose
-- source is 'import' for 2 %
CREATE TABLE events (id bigint PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants,
                     user_id int REFERENCES users, kind text NOT NULL, payload jsonb NOT NULL,
                     created_at timestamptz NOT NULL);
INSERT INTO events
SELECT g, t, t + (:scale / 400) * (g % 40),
       (ARRAY['task.created','task.updated','task.closed','comment.added','login','export','invite','settings'])[1 + g % 8],
       jsonb_build_object('source', CASE WHEN g % 50 = 0 THEN 'import' WHEN g % 3 = 0 THEN 'api'
                                         WHEN g % 3 = 1 THEN 'web' ELSE 'mobile' END,
                          'ip', '10.' || (g % 7) || '.' || (g % 251) || '.' || (g % 253),
                          'request_id', md5(g::text)),
       now() - (3 * :scale / 2 - g) * (interval '366 days' / (3 * :scale / 2))
  FROM generate_series(1, 3 * :scale / 2) g,
       LATERAL (SELECT 1 + floor((:scale / 400) * power(((g::bigint * 104729) % (3 * :scale / 2))::float8 / (3 * :scale / 2), 2))::int AS t) x;

VACUUM ANALYZE;

-- The workload: 25 statements.  Tenant 42, its user 542 (42 + 500), its
-- project 42; the cursor of statement 3 is tenant 42's 100th newest task.
CREATE TABLE bench_queries (qno int PRIMARY KEY, query text NOT NULL);
INSERT INTO bench_queries VALUES
 (1,  $q$SELECT id, tenant_id, status FROM users WHERE email = 'user4242@t242.example'$q$),
 (2,  $q$SELECT id, title, status FROM tasks WHERE tenant_id = 42 AND project_id = 42$q$),
 (3,  (SELECT format($q$SELECT id, title, created_at FROM tasks WHERE tenant_id = 42 AND (created_at, id) < (%L, %s) ORDER BY created_at DESC, id DESC LIMIT 50$q$,
                     created_at, id)
         FROM tasks WHERE tenant_id = 42 ORDER BY created_at DESC, id DESC OFFSET 99 LIMIT 1)),
 (4,  $q$SELECT id, title, status, created_at FROM tasks WHERE tenant_id = 42 AND project_id = 42 ORDER BY created_at DESC, id DESC LIMIT 20$q$),
 (5,  $q$SELECT count(*) FROM tasks WHERE tenant_id = 42 AND assignee_id = 542 AND status <> 'done'$q$),
 (6,  $q$SELECT id, due_on FROM tasks WHERE assignee_id = 542 AND due_on < current_date + 7 ORDER BY due_on$q$),
 (7,  $q$SELECT id, tenant_id, email FROM users WHERE status = 'blocked'$q$),
 (8,  $q$SELECT id, title, updated_at FROM tasks WHERE tenant_id = 42 AND status = 'blocked' ORDER BY updated_at DESC LIMIT 20$q$),
 (9,  $q$SELECT count(*) FROM events WHERE payload @> '{"source": "import"}'$q$),
 (10, $q$SELECT id, kind, created_at FROM events WHERE tenant_id = 42 AND payload @> '{"source": "api"}' ORDER BY created_at DESC LIMIT 20$q$),
 (11, $q$SELECT id, title FROM tasks WHERE tenant_id = 42 AND tags && ARRAY['urgent', 'security']$q$),
 (12, $q$SELECT count(*) FROM tasks WHERE tags @> '{security}'$q$),
 (13, $q$SELECT id, tenant_id FROM users WHERE email = 'user777@t277.example' OR username = 'user777'$q$),
 (14, $q$SELECT id, title, status FROM tasks WHERE assignee_id = 542 OR reporter_id = 542$q$),
 (15, $q$SELECT task_id, count(*) FROM comments WHERE task_id IN (1001, 2002, 3003, 4004, 5005) GROUP BY task_id$q$),
 (16, $q$SELECT id, title, priority FROM tasks WHERE project_id = 42 AND status IN ('todo', 'in_progress') ORDER BY priority DESC LIMIT 20$q$),
 (17, $q$SELECT id, email FROM users WHERE name LIKE 'Quentin 12%'$q$),
 (18, $q$DELETE FROM events WHERE created_at < now() - interval '365 days'$q$),
 (19, $q$SELECT id, kind, created_at FROM events WHERE tenant_id = 42 AND created_at > now() - interval '7 days' ORDER BY created_at DESC$q$),
 (20, $q$SELECT id, author_id, body, created_at FROM comments WHERE task_id = 12345 ORDER BY created_at$q$),
 (21, $q$SELECT t.id, t.title, p.name FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.tenant_id = 42 AND t.assignee_id = 542 AND t.status <> 'done' ORDER BY t.due_on LIMIT 20$q$),
 (22, $q$SELECT id, assignee_id, due_on FROM tasks WHERE tenant_id = 42 AND status <> 'done' AND due_on < current_date$q$),
 (23, $q$SELECT status, count(*) FROM tasks WHERE tenant_id = 42 GROUP BY status$q$),
 (24, $q$UPDATE tasks SET status = 'done', updated_at = now() WHERE id = 4242$q$),
 (25, $q$SELECT u.id, u.email FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'tenant-42' AND u.status = 'active' ORDER BY u.created_at DESC LIMIT 20$q$);

-- The DBA's set, by hand, for the same statements: 16 indexes.
CREATE TABLE bench_expert (definition text NOT NULL);
INSERT INTO bench_expert VALUES
 ('CREATE INDEX ON users (email)'),                                  -- 1, 13
 ('CREATE INDEX ON users (username)'),                               -- 13
 ('CREATE INDEX ON users (status) WHERE status = ''blocked'''),      -- 7
 ('CREATE INDEX ON users (name text_pattern_ops)'),                  -- 17
 ('CREATE INDEX ON users (tenant_id, created_at DESC)'),             -- 25
 ('CREATE INDEX ON tenants (slug)'),                                 -- 25
 ('CREATE INDEX ON tasks (tenant_id, project_id, created_at DESC, id DESC)'),  -- 2, 4
 ('CREATE INDEX ON tasks (tenant_id, created_at DESC, id DESC)'),    -- 3, 8, 23
 ('CREATE INDEX ON tasks (assignee_id, due_on)'),                    -- 5, 6, 14, 21
 ('CREATE INDEX ON tasks (reporter_id)'),                            -- 14
 ('CREATE INDEX ON tasks (tenant_id, due_on) WHERE status <> ''done'''),  -- 22, 5
 ('CREATE INDEX ON tasks USING gin (tags)'),                         -- 11, 12
 ('CREATE INDEX ON comments (task_id, created_at)'),                 -- 15, 20
 ('CREATE INDEX ON events (tenant_id, created_at DESC)'),            -- 10, 19
 ('CREATE INDEX ON events USING gin (payload jsonb_path_ops)'),      -- 9, 10
 ('CREATE INDEX ON events (created_at)');                            -- 18
