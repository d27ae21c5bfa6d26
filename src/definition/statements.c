/*-------------------------------------------------------------------------
 *
 * statements.c
 *		The parse trees a worker runs: CREATE INDEX and DROP INDEX of a job.
 *
 * Design: rebuilt from the definition as given (ia_parse_index_stmt) and
 * adjusted at tree level with the job's recorded schema, table and index
 * names, never pasted into SQL text.
 *
 * Caller's rules: inside a transaction (the worker's).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"


#include "ia_definition.h"

/*
 * ia_build_create -- CREATE INDEX [CONCURRENTLY] for the job, rebuilt from
 * the definition as given and adjusted at tree level: the job's schema,
 * table and index name; ON ONLY when "only" (partitioned tables).
 */
Node *
ia_build_create(IaJob *job, bool concurrent, bool only)
{
	IndexStmt  *is = ia_parse_index_stmt(job->definition);

	is->concurrent = concurrent;
	is->if_not_exists = false;
	is->idxname = pstrdup(job->index_name);
	is->relation->schemaname = pstrdup(job->schema_name);
	is->relation->relname = pstrdup(job->table_name);
	is->relation->catalogname = NULL;
	is->relation->inh = !only;
	return (Node *) is;
}

/* ia_build_drop -- DROP INDEX [CONCURRENTLY] of the job's index. */
Node *
ia_build_drop(IaJob *job, bool concurrent)
{
	DropStmt   *ds = makeNode(DropStmt);

	ds->removeType = OBJECT_INDEX;
	ds->objects = list_make1(list_make2(makeString(pstrdup(job->schema_name)),
										makeString(pstrdup(job->index_name))));
	ds->behavior = DROP_RESTRICT;
	ds->missing_ok = false;
	ds->concurrent = concurrent;
	return (Node *) ds;
}
