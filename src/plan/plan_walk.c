/*-------------------------------------------------------------------------
 *
 * plan_walk.c
 *		Walking a PlannedStmt, and which scan a plan node is: the rules
 *		every reader of a plan uses (the check of stored queries,
 *		plan_prepared.c, the advisor).
 *
 * Design.  The whole PlannedStmt is walked: planTree and every entry of
 * subplans (init plans, sub-plans, CTEs), through Append, MergeAppend,
 * BitmapAnd, BitmapOr, SubqueryScan and CustomScan children.  An index is
 * used by a plan when an IndexScan, IndexOnlyScan or BitmapIndexScan names
 * it (for an index on a partitioned table: one of its partitions' indexes).
 *
 * Caller's rules: read plans only; nothing here plans or changes a plan.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"

#include "ia_plan.h"

/* ---------------------------------------------------------------------
 * Walking a PlannedStmt
 * ---------------------------------------------------------------------
 */
/* Visit plan and every node below it; stop as soon as visit says true. */
static bool
walk_plan(Plan *plan, IaPlanVisitor visit, void *ctx)
{
	ListCell   *lc;
	List	   *children = NIL;

	if (plan == NULL)
		return false;
	check_stack_depth();
	if (visit(plan, ctx))
		return true;

	switch (nodeTag(plan))
	{
		case T_Append:
			children = ((Append *) plan)->appendplans;
			break;
		case T_MergeAppend:
			children = ((MergeAppend *) plan)->mergeplans;
			break;
		case T_BitmapAnd:
			children = ((BitmapAnd *) plan)->bitmapplans;
			break;
		case T_BitmapOr:
			children = ((BitmapOr *) plan)->bitmapplans;
			break;
		case T_SubqueryScan:
			if (walk_plan(((SubqueryScan *) plan)->subplan, visit, ctx))
				return true;
			break;
		case T_CustomScan:
			children = ((CustomScan *) plan)->custom_plans;
			break;
		default:
			break;
	}
	foreach(lc, children)
	{
		if (walk_plan((Plan *) lfirst(lc), visit, ctx))
			return true;
	}
	return walk_plan(plan->lefttree, visit, ctx) ||
		walk_plan(plan->righttree, visit, ctx);
}

/* planTree, then every sub-plan (init plans, SubPlans, CTEs). */
bool
ia_walk_stmt(PlannedStmt *stmt, IaPlanVisitor visit, void *ctx)
{
	ListCell   *lc;

	if (walk_plan(stmt->planTree, visit, ctx))
		return true;
	foreach(lc, stmt->subplans)
	{
		/* entries of sub-plans that setrefs removed are NULL */
		if (walk_plan((Plan *) lfirst(lc), visit, ctx))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------
 * Which scan a plan node is
 * ---------------------------------------------------------------------
 */
/*
 * ia_index_scan_of -- the index plan scans and how (*scan: "Index Scan",
 * "Index Only Scan" or "Bitmap Index Scan", a string constant), or
 * InvalidOid when plan is no index scan.  The one rule of which plan node
 * is a scan of an index.
 */
Oid
ia_index_scan_of(Plan *plan, const char **scan)
{
	switch (nodeTag(plan))
	{
		case T_IndexScan:
			*scan = "Index Scan";
			return ((IndexScan *) plan)->indexid;
		case T_IndexOnlyScan:
			*scan = "Index Only Scan";
			return ((IndexOnlyScan *) plan)->indexid;
		case T_BitmapIndexScan:
			*scan = "Bitmap Index Scan";
			return ((BitmapIndexScan *) plan)->indexid;
		default:
			*scan = NULL;
			return InvalidOid;
	}
}

typedef struct FindIndex
{
	List	   *indexoids;		/* the index and its partitions' indexes */
	const char *scan;
} FindIndex;

static bool
visit_find_index(Plan *plan, void *ctx)
{
	FindIndex  *f = (FindIndex *) ctx;
	const char *scan;
	Oid			indexid = ia_index_scan_of(plan, &scan);

	if (OidIsValid(indexid) && list_member_oid(f->indexoids, indexid))
		f->scan = scan;
	return f->scan != NULL;
}

typedef struct FindTableScan
{
	List	   *tableoids;		/* the table and its partitions */
	List	   *rtable;
	Plan	   *scan;
} FindTableScan;

static bool
visit_find_table_scan(Plan *plan, void *ctx)
{
	FindTableScan *f = (FindTableScan *) ctx;
	Index		scanrelid;

	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_SampleScan:
		case T_IndexScan:
		case T_IndexOnlyScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
			scanrelid = ((Scan *) plan)->scanrelid;
			break;
		default:
			return false;
	}
	if (scanrelid > 0 && scanrelid <= (Index) list_length(f->rtable) &&
		list_member_oid(f->tableoids, rt_fetch(scanrelid, f->rtable)->relid))
		f->scan = plan;
	return f->scan != NULL;
}

/* the first Bitmap Index Scan under a Bitmap Heap Scan */
static bool
visit_find_bitmap_index(Plan *plan, void *ctx)
{
	const char *scan;

	if (!IsA(plan, BitmapIndexScan))
		return false;
	*(Oid *) ctx = ia_index_scan_of(plan, &scan);
	return true;
}

/* "Seq Scan on t", "Index Scan using t_a_idx on t", ... */
static char *
describe_scan(Plan *plan, List *rtable)
{
	const char *rel = get_rel_name(rt_fetch(((Scan *) plan)->scanrelid,
											rtable)->relid);
	const char *idx;

	if (rel == NULL)
		rel = "?";
	switch (nodeTag(plan))
	{
		case T_SeqScan:
			return psprintf("Seq Scan on %s", rel);
		case T_SampleScan:
			return psprintf("Sample Scan on %s", rel);
		case T_IndexScan:
		case T_IndexOnlyScan:
			{
				const char *scan;

				idx = get_rel_name(ia_index_scan_of(plan, &scan));
				return psprintf("%s using %s on %s", scan, idx ? idx : "?",
								rel);
			}
		case T_BitmapHeapScan:
			{
				Oid			bitmapindex = InvalidOid;

				(void) walk_plan(plan->lefttree, visit_find_bitmap_index,
								 &bitmapindex);
				idx = OidIsValid(bitmapindex) ? get_rel_name(bitmapindex) : NULL;
				if (idx)
					return psprintf("Bitmap Heap Scan on %s using %s", rel, idx);
				return psprintf("Bitmap Heap Scan on %s", rel);
			}
		default:
			return psprintf("Tid Scan on %s", rel);
	}
}

/*
 * ia_find_index_scan -- the scan ("Index Scan", "Index Only Scan", "Bitmap
 * Index Scan": a string constant) by which stmt uses one of indexoids, or
 * NULL when it uses none of them.
 */
const char *
ia_find_index_scan(PlannedStmt *stmt, List *indexoids)
{
	FindIndex	fi = {indexoids, NULL};

	if (indexoids == NIL || !ia_walk_stmt(stmt, visit_find_index, &fi))
		return NULL;
	return fi.scan;
}

/*
 * ia_find_table_scan -- how stmt scans one of tableoids ("Seq Scan on t",
 * "Index Scan using t_a_idx on t", ...), or NULL when it scans none.
 */
char *
ia_find_table_scan(PlannedStmt *stmt, List *tableoids)
{
	FindTableScan ft = {tableoids, stmt->rtable, NULL};

	if (tableoids == NIL || !ia_walk_stmt(stmt, visit_find_table_scan, &ft))
		return NULL;
	return describe_scan(ft.scan, stmt->rtable);
}
