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

#include "access/amapi.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/relation.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "catalog/pg_tablespace.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_target.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/resowner.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "ia_queue.h"
#include "verify.h"
#include "definition_internal.h"

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
