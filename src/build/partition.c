/*-------------------------------------------------------------------------
 *
 * partition.c
 *		Indexes on partitioned tables, built without blocking writes.
 *
 * PostgreSQL 15 cannot CREATE INDEX CONCURRENTLY on a partitioned table.
 * The worker follows the known-good recipe, in an order where a failure
 * part-way leaves only indexes that can be dropped concurrently:
 *
 *	1. a history row per partition index ("part", parent_id = the row of
 *	   the partitioned table), named as PostgreSQL would name it;
 *	2. CREATE INDEX CONCURRENTLY on each leaf partition, one after the
 *	   other, unattached;
 *	3. in one transaction: CREATE INDEX ... ON ONLY the partitioned table
 *	   and each sub-partitioned table (catalog only, no data), then
 *	   ALTER INDEX ... ATTACH PARTITION from the deepest level up; the
 *	   index of the partitioned table becomes valid when its last part is
 *	   attached.
 *
 * A failure in 2 or 3 drops the leaf indexes already built (DROP INDEX
 * CONCURRENTLY: they are not attached, the transaction of 3 having rolled
 * back) and marks the parts and the row failed (or cancelled).  Step 3
 * takes a SHARE lock on the partitioned tables for the moment it runs
 * (CREATE INDEX ON ONLY): it waits for writes in progress through the
 * parent, and new ones wait for it, for the duration of a catalog update.
 *
 * After 3, a partitioned index that is still not valid (a partition was
 * added meanwhile, without an index) is dropped like the leftover of any
 * failed build, and the row fails with a hint to apply it again.
 *
 * A crash after 3 committed leaves a valid partitioned index that the
 * worker could not record: the reconciliation keeps it and records the
 * build as done.  A partitioned index cannot be dropped concurrently in
 * PostgreSQL 15: idx_rollback() and the reconciliation of a crash before 3
 * committed drop it with a plain DROP INDEX, which locks its tables briefly.
 *
 * Called by worker.c (partition.h); uses the job steps of job.c, the
 * parse trees and names of src/definition/ and the rows of src/queue/, and never
 * calls worker.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "job.h"
#include "partition.h"
#include "ia_queue.h"

/* One partition's index in the plan of a partitioned build. */
typedef struct Part
{
	IaJob	   *job;			/* its history row */
	Oid			relid;			/* the partition */
	Oid			parent_relid;	/* the table it is a partition of */
	int			depth;			/* 1 = partition of the partitioned table */
	bool		leaf;			/* a plain table (else sub-partitioned) */
} Part;

/* The part of the table "relid" in "parts", or NULL. */
static Part *
find_part(List *parts, Oid relid)
{
	ListCell   *lc;

	foreach(lc, parts)
	{
		Part	   *part = lfirst(lc);

		if (part->relid == relid)
			return part;
	}
	return NULL;
}

/*
 * plan_parts -- in a transaction: a part row for every partition, at every
 * level, of the job's table.
 */
static List *
plan_parts(IaJob *job, MemoryContext cxt)
{
	List	   *rels = find_all_inheritors(job->table_oid, AccessShareLock, NULL);
	IndexStmt  *stmt = ia_parse_index_stmt(job->definition);
	List	   *parts = NIL;
	ListCell   *lc;

	foreach(lc, rels)
	{
		Oid			relid = lfirst_oid(lc);
		char	   *index_name;
		Part	   *part;
		MemoryContext old;

		if (relid == job->table_oid)
			continue;
		index_name = ia_choose_index_name(relid, stmt);
		old = MemoryContextSwitchTo(cxt);
		part = palloc0(sizeof(Part));
		part->relid = relid;
		part->parent_relid = get_partition_parent(relid, false);
		/* find_all_inheritors() lists a table before its partitions */
		part->depth = part->parent_relid == job->table_oid ? 1 :
			find_part(parts, part->parent_relid)->depth + 1;
		part->leaf = get_rel_relkind(relid) == RELKIND_RELATION;
		MemoryContextSwitchTo(old);
		part->job = ia_queue_add_part(job, relid,
									  get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid), index_name, cxt);
		old = MemoryContextSwitchTo(cxt);
		parts = lappend(parts, part);
		MemoryContextSwitchTo(old);
	}
	return parts;
}

/* The schema-qualified index of the table "relid": the root's or a part's. */
static RangeVar *
index_of(IaJob *root, List *parts, Oid relid)
{
	IaJob	   *job = relid == root->table_oid ? root : find_part(parts, relid)->job;

	return makeRangeVar(job->schema_name, job->index_name, -1);
}

/*
 * build_attach -- CREATE INDEX ON ONLY for the partitioned table and each
 * sub-partitioned one (shallowest first), then ATTACH PARTITION of every
 * part (deepest first), all for one transaction.
 */
static List *
build_attach(IaJob *root, void *arg, const char **sql)
{
	List	   *parts = (List *) arg;
	List	   *stmts = list_make1(ia_build_create(root, false, true));
	int			maxdepth = 0;
	ListCell   *lc;

	foreach(lc, parts)
		maxdepth = Max(maxdepth, ((Part *) lfirst(lc))->depth);

	for (int d = 1; d <= maxdepth; d++)
		foreach(lc, parts)
		{
			Part	   *part = lfirst(lc);

			if (part->depth == d && !part->leaf)
				stmts = lappend(stmts, ia_build_create(part->job, false, true));
		}

	for (int d = maxdepth; d >= 1; d--)
		foreach(lc, parts)
		{
			Part	   *part = lfirst(lc);
			AlterTableStmt *ats;
			AlterTableCmd *cmd;
			PartitionCmd *pc;

			if (part->depth != d)
				continue;
			pc = makeNode(PartitionCmd);
			pc->name = makeRangeVar(part->job->schema_name, part->job->index_name, -1);
			cmd = makeNode(AlterTableCmd);
			cmd->subtype = AT_AttachPartition;
			cmd->def = (Node *) pc;
			ats = makeNode(AlterTableStmt);
			ats->relation = index_of(root, parts, part->parent_relid);
			ats->objtype = OBJECT_INDEX;
			ats->cmds = list_make1(cmd);
			stmts = lappend(stmts, ats);
		}

	*sql = psprintf("CREATE INDEX %s ON ONLY %s ...; ALTER INDEX ... ATTACH PARTITION ... (%d partitions)",
					quote_identifier(root->index_name),
					quote_qualified_identifier(root->schema_name, root->table_name),
					list_length(parts));
	return stmts;
}

static List *
build_leaf(IaJob *job, void *arg, const char **sql)
{
	*sql = psprintf("CREATE INDEX CONCURRENTLY %s ON %s (partition of history row " INT64_FORMAT ")",
					quote_identifier(job->index_name),
					quote_qualified_identifier(job->schema_name, job->table_name),
					job->parent_id);
	return list_make1(ia_build_create(job, true, false));
}

/*
 * fail_all -- after "edata" ended the build: drop every partition index
 * left (concurrently: none is attached), record each part and the row.
 */
static void
fail_all(IaJob *root, List *parts, IaJob *culprit, ErrorData *edata)
{
	ErrorData  *other = ia_make_error(edata->sqlerrcode,
									  psprintf("not kept: the build of history row " INT64_FORMAT " failed",
											   culprit ? culprit->id : root->id));
	ListCell   *lc;
	int			dropped = 0;

	foreach(lc, parts)
	{
		Part	   *part = lfirst(lc);
		const char *extra = part->leaf ? ia_drop_leftover(part->job, InvalidOid) : NULL;

		if (extra != NULL && part->job != culprit)
			dropped++;
		ia_record(part->job, InvalidOid, part->job == culprit ? edata : other, extra);
	}
	ia_record(root, InvalidOid, edata,
			  psprintf("%d partition index(es) built before the failure were dropped.",
					   dropped));
}

/*
 * fail_not_valid -- every part attached, yet the partitioned index is not
 * valid: a partition was added (or attached) while the index was built, and
 * has no index.  Nothing is kept, as after any failure: the partitioned
 * index is dropped (with it the partition indexes attached to it), each
 * part and the row are recorded failed.  A new idx_apply() of the
 * definition then plans every partition, the new one included, which is
 * what the hint says.
 */
static void
fail_not_valid(IaJob *root, List *parts)
{
	ErrorData  *edata = ia_make_error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
									  "the partitioned index is not valid after all partitions were attached");
	ErrorData  *other = ia_make_error(edata->sqlerrcode,
									  psprintf("not kept: the build of history row " INT64_FORMAT " failed",
											   root->id));
	const char *extra;
	ListCell   *lc;

	/* (the history keeps the detail, not a hint: the advice goes there) */
	edata->detail = "A partition was added while the index was built, and has no index. Apply the definition again with idx_apply(): a new build covers every partition.";
	extra = ia_drop_leftover(root, InvalidOid);
	foreach(lc, parts)
		ia_record(((Part *) lfirst(lc))->job, InvalidOid, other, NULL);
	ia_record(root, InvalidOid, edata, extra);
}

/*
 * ia_run_create_partitioned -- the whole build of an index on a
 * partitioned table, for the worker.
 */
void
ia_run_create_partitioned(IaJob *job)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *parts;
	ListCell   *lc;
	ErrorData  *edata;
	bool		valid;
	Oid			indexoid;

	ia_begin_txn();
	if (!ia_start_checked(job))
	{
		ia_end_txn();
		return;
	}
	parts = plan_parts(job, cxt);
	ia_end_txn();

	foreach(lc, parts)
	{
		Part	   *part = lfirst(lc);

		if (!part->leaf)
			continue;
		edata = ia_run_as_requester(part->job, build_leaf, NULL);
		if (edata != NULL)
		{
			fail_all(job, parts, part->job, edata);
			return;
		}
	}

	edata = ia_run_as_requester(job, build_attach, parts);
	if (edata != NULL)
	{
		fail_all(job, parts, NULL, edata);
		return;
	}

	ia_begin_txn();
	indexoid = ia_find_index(job, &valid);
	ia_end_txn();
	if (!valid)
	{
		fail_not_valid(job, parts);
		return;
	}
	foreach(lc, parts)
	{
		Part	   *part = lfirst(lc);

		ia_begin_txn();
		indexoid = ia_find_index(part->job, &valid);
		ia_end_txn();
		ia_record(part->job, indexoid, NULL, NULL);
	}
	ia_begin_txn();
	indexoid = ia_find_index(job, &valid);
	ia_end_txn();
	ia_record(job, indexoid, NULL, NULL);
}

/*
 * all_attached -- in a transaction: whether the index of every part row,
 * found on its partition, is attached under the partitioned index
 * "indexoid" (then that index is the one the worker built).
 */
static bool
all_attached(List *jobs, Oid indexoid)
{
	List	   *tree = find_all_inheritors(indexoid, NoLock, NULL);
	ListCell   *lc;
	bool		valid;

	foreach(lc, jobs)
	{
		if (!list_member_oid(tree, ia_find_index(lfirst(lc), &valid)))
			return false;
	}
	return true;
}

/*
 * record_attached -- the partitioned index "indexoid" of the job is valid
 * (ATTACH committed before the worker could record it): record each part's
 * index, found on its partition, and the row, as done.
 */
static void
record_attached(IaJob *job, List *jobs, Oid indexoid)
{
	ListCell   *lc;
	bool		valid;

	foreach(lc, jobs)
	{
		IaJob	   *part = lfirst(lc);
		Oid			partoid;

		ia_begin_txn();
		partoid = ia_find_index(part, &valid);
		ia_end_txn();
		ia_record(part, partoid, NULL, NULL);
	}
	ia_record(job, indexoid, NULL, NULL);
}

/*
 * ia_reconcile_partitioned -- the worker of a partitioned build died.  The
 * index of the partitioned table exists only if the transaction of step 3
 * committed (the name was checked free before step 1, so it is ours): if it
 * is valid, every part is attached and the build is done, whatever the
 * worker could not record.  Otherwise drop whatever it left (an invalid
 * partitioned index with a plain DROP INDEX, the unattached partition
 * indexes concurrently) and mark everything failed.  A row left 'waiting'
 * built nothing and touches nothing.
 */
void
ia_reconcile_partitioned(IaJob *job)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *jobs;
	List	   *parts = NIL;
	ListCell   *lc;
	bool		valid = false;
	Oid			indexoid = InvalidOid;
	bool		building = job->status == IA_BUILDING;
	ErrorData  *edata = ia_make_error(ERRCODE_CRASH_SHUTDOWN,
									  "the worker running this operation ended unexpectedly");

	edata->detail = "The server crashed or the worker was killed.";
	ia_begin_txn();
	jobs = ia_queue_parts(job->id, cxt);
	if (building)
		indexoid = ia_find_index(job, &valid);
	if (OidIsValid(indexoid) && valid && !all_attached(jobs, indexoid))
		indexoid = InvalidOid;	/* someone else's: leave it */
	ia_end_txn();
	if (OidIsValid(indexoid) && valid)
	{
		record_attached(job, jobs, indexoid);
		return;
	}
	if (OidIsValid(indexoid))
		(void) ia_drop_leftover(job, InvalidOid);

	foreach(lc, jobs)
	{
		Part	   *part = palloc0(sizeof(Part));

		part->job = lfirst(lc);
		part->leaf = true;		/* drop whatever is left, concurrently */
		parts = lappend(parts, part);
	}
	fail_all(job, parts, NULL, edata);
}
