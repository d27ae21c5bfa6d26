/*-------------------------------------------------------------------------
 *
 * verify.c
 *		Verification: plan the queries stored with an index, never execute
 *		them, and say whether the plan uses the index.
 *
 * Design.  Each stored query is parsed with PostgreSQL's parser, analysed
 * with pg_analyze_and_rewrite_varparams (so "$1" parameters get their types
 * inferred) and planned as a generic plan (no parameter values).  The
 * whole PlannedStmt is walked: planTree and every entry of subplans (init
 * plans, sub-plans, CTEs), through Append, MergeAppend, BitmapAnd,
 * BitmapOr, SubqueryScan and CustomScan children, looking for an
 * IndexScan, IndexOnlyScan or BitmapIndexScan whose indexid is the index
 * (for an index on a partitioned table: one of its partitions' indexes).
 * For the cost without the index the query is planned again while our
 * get_relation_info_hook removes the index from the relation's indexlist
 * (HypoPG's "hide index").
 *
 * Safety.  Planning can run user code (constant folding of immutable
 * functions, inlining), so a query is always planned as the role that asked
 * for the index (idx_history.role_oid), under SECURITY_RESTRICTED_OPERATION,
 * with the search_path stored at idx_apply time, never as whoever reads the
 * report: a superuser running idx_check() never runs another role's code.
 * The queries of one index are planned inside one subtransaction that is
 * always rolled back, so locks taken by planning are released at once and
 * an error in a query does not abort the caller (the queries are then
 * planned again one by one, to tell which failed).  Table privileges are
 * checked as that role, as the executor would.
 *
 * Caller's rules: see verify.h.  The SQL functions read idx_history with
 * the caller's privileges, so row-level security decides which rows a
 * caller may ask about.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "optimizer/plancat.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "verify.h"

PG_FUNCTION_INFO_V1(idx_explain);
PG_FUNCTION_INFO_V1(idx_plan_summary);

/*
 * The index hidden from the planner while we plan "without" it: its OID and,
 * for a partitioned index, those of its partitions' indexes.  NIL when
 * nothing is hidden; only ever set for the duration of one planning.
 */
static List *hidden_indexes = NIL;
static get_relation_info_hook_type prev_get_relation_info = NULL;

/*
 * get_relation_info_hook: drop the hidden indexes from the relation's
 * indexes.  Chained: the previous hook (e.g. HypoPG's) runs first.
 */
static void
ia_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent,
					 RelOptInfo *rel)
{
	ListCell   *lc;

	if (prev_get_relation_info)
		prev_get_relation_info(root, relid, inhparent, rel);

	if (hidden_indexes == NIL)
		return;
	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *info = (IndexOptInfo *) lfirst(lc);

		if (list_member_oid(hidden_indexes, info->indexoid))
			rel->indexlist = foreach_delete_current(rel->indexlist, lc);
	}
}

/* Called once from _PG_init. */
void
ia_verify_init(void)
{
	prev_get_relation_info = get_relation_info_hook;
	get_relation_info_hook = ia_get_relation_info;
}

/* ---------------------------------------------------------------------
 * Walking a PlannedStmt
 * ---------------------------------------------------------------------
 */
typedef bool (*PlanVisitor) (Plan *plan, void *ctx);

/* Visit plan and every node below it; stop as soon as visit says true. */
static bool
walk_plan(Plan *plan, PlanVisitor visit, void *ctx)
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
static bool
walk_stmt(PlannedStmt *stmt, PlanVisitor visit, void *ctx)
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

typedef struct FindIndex
{
	List	   *indexoids;		/* the index and its partitions' indexes */
	const char *scan;
} FindIndex;

static bool
visit_find_index(Plan *plan, void *ctx)
{
	FindIndex  *f = (FindIndex *) ctx;

	if (IsA(plan, IndexScan) &&
		list_member_oid(f->indexoids, ((IndexScan *) plan)->indexid))
		f->scan = "Index Scan";
	else if (IsA(plan, IndexOnlyScan) &&
			 list_member_oid(f->indexoids, ((IndexOnlyScan *) plan)->indexid))
		f->scan = "Index Only Scan";
	else if (IsA(plan, BitmapIndexScan) &&
			 list_member_oid(f->indexoids, ((BitmapIndexScan *) plan)->indexid))
		f->scan = "Bitmap Index Scan";
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
typedef struct FindBitmapIndex
{
	Oid			indexoid;
} FindBitmapIndex;

static bool
visit_find_bitmap_index(Plan *plan, void *ctx)
{
	if (!IsA(plan, BitmapIndexScan))
		return false;
	((FindBitmapIndex *) ctx)->indexoid = ((BitmapIndexScan *) plan)->indexid;
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
			idx = get_rel_name(((IndexScan *) plan)->indexid);
			return psprintf("Index Scan using %s on %s", idx ? idx : "?", rel);
		case T_IndexOnlyScan:
			idx = get_rel_name(((IndexOnlyScan *) plan)->indexid);
			return psprintf("Index Only Scan using %s on %s",
							idx ? idx : "?", rel);
		case T_BitmapHeapScan:
			{
				FindBitmapIndex fb = {InvalidOid};

				(void) walk_plan(plan->lefttree, visit_find_bitmap_index, &fb);
				idx = OidIsValid(fb.indexoid) ? get_rel_name(fb.indexoid) : NULL;
				if (idx)
					return psprintf("Bitmap Heap Scan on %s using %s", rel, idx);
				return psprintf("Bitmap Heap Scan on %s", rel);
			}
		default:
			return psprintf("Tid Scan on %s", rel);
	}
}

/* ---------------------------------------------------------------------
 * Planning one stored query
 * ---------------------------------------------------------------------
 */
typedef struct VerifyErrCtx
{
	int64		id;
	int			queryno;
} VerifyErrCtx;

static void
verify_error_context(void *arg)
{
	VerifyErrCtx *c = (VerifyErrCtx *) arg;

	errcontext("stored query %d of index_advisor operation %lld",
			   c->queryno, (long long) c->id);
}

/* Parse and analyse query; the rewritten Query list. */
static List *
analyze_query(const char *query)
{
	List	   *raw = raw_parser(query, RAW_PARSE_DEFAULT);
	Oid		   *paramtypes = NULL;
	int			nparams = 0;
	List	   *queries;
	ListCell   *lc;

	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a stored query must hold exactly one statement, not %d",
						list_length(raw))));

	queries = pg_analyze_and_rewrite_varparams(linitial_node(RawStmt, raw),
											   query, &paramtypes, &nparams,
											   NULL);
	foreach(lc, queries)
	{
		Query	   *q = lfirst_node(Query, lc);

		if (q->commandType == CMD_UTILITY)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a stored query must be SELECT, INSERT, UPDATE, DELETE or MERGE"),
					 errdetail("Utility statements have no plan to verify.")));
	}
	return queries;
}

/* Plan every Query of the list (a copy: the planner scribbles on input). */
static List *
plan_queries(List *queries, const char *query)
{
	List	   *stmts = NIL;
	ListCell   *lc;

	foreach(lc, queries)
	{
		Query	   *q = copyObject(lfirst_node(Query, lc));
		PlannedStmt *stmt = pg_plan_query(q, query, CURSOR_OPT_PARALLEL_OK,
										  NULL);

		/* the privileges the executor would check, as the asking role */
		ia_check_plan_permissions(stmt);
		stmts = lappend(stmts, stmt);
	}
	return stmts;
}

static double
stmts_cost(List *stmts)
{
	ListCell   *lc;
	double		cost = 0;

	foreach(lc, stmts)
		cost += lfirst_node(PlannedStmt, lc)->planTree->total_cost;
	return cost;
}

static char *
explain_text(List *stmts, const char *query)
{
	ExplainState *es = NewExplainState();
	ListCell   *lc;

	es->costs = true;
	es->summary = false;
	es->format = EXPLAIN_FORMAT_TEXT;
	ExplainBeginOutput(es);
	foreach(lc, stmts)
	{
		if (lc != list_head(stmts))
			ExplainSeparatePlans(es);
		ExplainOnePlan(lfirst_node(PlannedStmt, lc), NULL, es, query,
					   NULL, NULL, NULL, NULL);
	}
	ExplainEndOutput(es);
	/* drop the trailing newline */
	while (es->str->len > 0 && es->str->data[es->str->len - 1] == '\n')
		es->str->data[--es->str->len] = '\0';
	return es->str->data;
}

/*
 * The work for one query, inside verify_batch's subtransaction, as the asking
 * role.  Strings put into r are allocated in "out".
 */
static void
verify_in_subxact(const IaVerifyTarget *t, const char *query, int flags,
				  IaQueryResult *r, MemoryContext out)
{
	List	   *queries = analyze_query(query);
	List	   *stmts = plan_queries(queries, query);
	List	   *indexoids = NIL;
	List	   *tableoids = NIL;
	ListCell   *lc;
	char	   *winner = NULL;
	char	   *plan = NULL;

	/* a partitioned index is used through its partitions' indexes */
	if (OidIsValid(t->indexoid))
		indexoids = get_rel_relkind(t->indexoid) == RELKIND_PARTITIONED_INDEX ?
			find_all_inheritors(t->indexoid, AccessShareLock, NULL) :
			list_make1_oid(t->indexoid);
	if (OidIsValid(t->tableoid))
		tableoids = get_rel_relkind(t->tableoid) == RELKIND_PARTITIONED_TABLE ?
			find_all_inheritors(t->tableoid, AccessShareLock, NULL) :
			list_make1_oid(t->tableoid);

	r->total_cost = r->cost_without_index = stmts_cost(stmts);
	foreach(lc, stmts)
	{
		PlannedStmt *stmt = lfirst_node(PlannedStmt, lc);
		FindIndex	fi = {indexoids, NULL};
		FindTableScan ft = {tableoids, stmt->rtable, NULL};

		if (indexoids != NIL && walk_stmt(stmt, visit_find_index, &fi))
		{
			r->uses_index = true;
			r->scan = fi.scan;	/* a string constant */
			break;
		}
		if (winner == NULL && tableoids != NIL &&
			walk_stmt(stmt, visit_find_table_scan, &ft))
			winner = describe_scan(ft.scan, stmt->rtable);
	}

	if (flags & IA_VERIFY_EXPLAIN)
		plan = explain_text(stmts, query);

	if ((flags & IA_VERIFY_HIDDEN) && r->uses_index)
	{
		PG_TRY();
		{
			hidden_indexes = indexoids;
			r->cost_without_index = stmts_cost(plan_queries(queries, query));
		}
		PG_FINALLY();
		{
			hidden_indexes = NIL;
		}
		PG_END_TRY();
	}

	r->winner = (winner && !r->uses_index) ?
		MemoryContextStrdup(out, winner) : NULL;
	r->plan = plan ? MemoryContextStrdup(out, plan) : NULL;
}

/*
 * Plan queries[first .. first+n-1] in one subtransaction, as the asking
 * role.  True if all went well.  On error: re-raised with
 * IA_VERIFY_RETHROW, else recorded in results[first] and false returned
 * (the caller retries one by one to tell which query failed).
 */
static bool
verify_batch(const IaVerifyTarget *t, char **queries, int first, int n,
			 int flags, IaQueryResult *results)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MemoryContext work;
	Oid			save_user;
	int			save_sec;
	VerifyErrCtx ectx;
	ErrorContextCallback cb;
	int			i;

	for (i = first; i < first + n; i++)
	{
		memset(&results[i], 0, sizeof(IaQueryResult));
		results[i].ok = true;
	}
	ectx.id = t->id;
	ectx.queryno = first + 1;
	work = AllocSetContextCreate(caller, "index_advisor verify",
								 ALLOCSET_DEFAULT_SIZES);
	GetUserIdAndSecContext(&save_user, &save_sec);

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(work);
	PG_TRY();
	{
		cb.callback = verify_error_context;
		cb.arg = &ectx;
		cb.previous = error_context_stack;
		error_context_stack = &cb;

		if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(t->role)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("the role that asked for index_advisor operation %lld no longer exists",
							(long long) t->id),
					 errdetail("Stored queries are planned as the role that asked for the index.")));
		SetUserIdAndSecContext(t->role, save_sec |
							   SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION);
		(void) NewGUCNestLevel();
		(void) set_config_option("search_path", t->search_path,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);

		for (i = first; i < first + n; i++)
		{
			ectx.queryno = i + 1;
			verify_in_subxact(t, queries[i], flags, &results[i], caller);
			MemoryContextReset(work);
		}

		error_context_stack = cb.previous;
		/* undoes the role, the search_path and every lock planning took */
		MemoryContextSwitchTo(caller);
		RollbackAndReleaseCurrentSubTransaction();
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller);
		CurrentResourceOwner = owner;
		hidden_indexes = NIL;
		MemoryContextDelete(work);
		if (flags & IA_VERIFY_RETHROW)
			ReThrowError(edata);
		memset(&results[first], 0, sizeof(IaQueryResult));
		results[first].ok = false;
		results[first].error = edata->message;
		results[first].sqlerrcode = edata->sqlerrcode;
		return false;
	}
	PG_END_TRY();
	MemoryContextDelete(work);
	return true;
}

/*
 * ia_verify_queries -- plan the n stored queries of a tracked index.
 *
 * Fills results[0 .. n-1].  Errors (a dropped table, a parameter whose type
 * cannot be inferred, a privilege the asking role lost) are re-raised with
 * IA_VERIFY_RETHROW, else recorded in that query's error / sqlerrcode.
 * All queries share one subtransaction (one set of locks); only when one
 * fails are they planned again one by one.
 */
void
ia_verify_queries(const IaVerifyTarget *t, int n, char **queries, int flags,
				  IaQueryResult *results)
{
	int			i;

	if (n == 0)
		return;
	if (verify_batch(t, queries, 0, n, flags, results) || n == 1)
		return;
	for (i = 0; i < n; i++)
		(void) verify_batch(t, queries, i, 1, flags, results);
}

/* ---------------------------------------------------------------------
 * Reading history rows, as the caller (row-level security applies)
 * ---------------------------------------------------------------------
 */
typedef struct TrackedRow
{
	IaVerifyTarget target;
	bool		is_create;
	int			nqueries;
	char	  **queries;
} TrackedRow;

/*
 * The rows of ids visible to the caller, allocated in the current memory
 * context; *nrows says how many.  The index is found by schema and name,
 * as an index (relkind i or I); indexoid is InvalidOid when it is gone.
 */
static TrackedRow *
load_rows(Oid fn_oid, ArrayType *ids, int *nrows)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *nsp = get_namespace_name(get_func_namespace(fn_oid));
	char	   *sql;
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];
	TrackedRow *rows;
	uint64		i;

	sql = psprintf("SELECT h.id, h.operation OPERATOR(pg_catalog.=) 'create',"
				   " h.role_oid, h.search_path, h.queries, c.oid, x.indrelid"
				   " FROM %s.idx_history h"
				   " LEFT JOIN pg_catalog.pg_namespace n"
				   "   ON n.nspname OPERATOR(pg_catalog.=) h.schema_name"
				   " LEFT JOIN pg_catalog.pg_class c"
				   "   ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
				   "  AND c.relname OPERATOR(pg_catalog.=) h.index_name"
				   "  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{i,I}'::pg_catalog.\"char\"[])"
				   " LEFT JOIN pg_catalog.pg_index x"
				   "   ON x.indexrelid OPERATOR(pg_catalog.=) c.oid"
				   " WHERE h.id OPERATOR(pg_catalog.=) ANY ($1)"
				   " ORDER BY h.id",
				   quote_identifier(nsp));
	args[0] = PointerGetDatum(ids);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, 1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "index_advisor: reading idx_history failed");

	*nrows = (int) SPI_processed;
	rows = MemoryContextAllocZero(cxt, sizeof(TrackedRow) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		TrackedRow *row = &rows[i];
		bool		isnull;
		Datum		d;

		row->target.id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		row->is_create = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
		row->target.role = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		row->target.search_path =
			MemoryContextStrdup(cxt, TextDatumGetCString(SPI_getbinval(tup, desc, 4, &isnull)));
		d = SPI_getbinval(tup, desc, 6, &isnull);
		row->target.indexoid = isnull ? InvalidOid : DatumGetObjectId(d);
		d = SPI_getbinval(tup, desc, 7, &isnull);
		row->target.tableoid = isnull ? InvalidOid : DatumGetObjectId(d);

		d = SPI_getbinval(tup, desc, 5, &isnull);
		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);
			Datum	   *elems;
			bool	   *nulls;
			int			n;
			int			j;

			deconstruct_array(DatumGetArrayTypePCopy(d), TEXTOID, -1, false,
							  TYPALIGN_INT, &elems, &nulls, &n);
			row->queries = palloc0(sizeof(char *) * (n + 1));
			for (j = 0; j < n; j++)
			{
				if (!nulls[j])
					row->queries[row->nqueries++] = TextDatumGetCString(elems[j]);
			}
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	return rows;
}

/* ---------------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------------
 */

/*
 * idx_explain(id bigint) RETURNS TABLE(query text, uses_index boolean,
 *     scan text, plan text, total_cost float8, cost_without_index float8)
 *
 * One row per stored query of a create row the caller can see.
 */
Datum
idx_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		id = PG_GETARG_INT64(0);
	Datum		idd = Int64GetDatum(id);
	ArrayType  *ids = construct_array(&idd, 1, INT8OID, 8, FLOAT8PASSBYVAL,
									  TYPALIGN_DOUBLE);
	TrackedRow *rows;
	IaQueryResult *results;
	int			nrows;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	rows = load_rows(fcinfo->flinfo->fn_oid, ids, &nrows);
	if (nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index_advisor operation %lld does not exist",
						(long long) id),
				 errhint("idx_history shows the operations you may see: your own and those of roles you are a member of.")));
	if (!rows[0].is_create)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index_advisor operation %lld is a drop, not a create",
						(long long) id),
				 errhint("Pass the id of the create row it reverts (idx_history.reverts).")));

	results = palloc0(sizeof(IaQueryResult) * (rows[0].nqueries + 1));
	ia_verify_queries(&rows[0].target, rows[0].nqueries, rows[0].queries,
					  IA_VERIFY_EXPLAIN | IA_VERIFY_HIDDEN | IA_VERIFY_RETHROW,
					  results);
	for (i = 0; i < rows[0].nqueries; i++)
	{
		IaQueryResult r = results[i];
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(rows[0].queries[i]);
		values[1] = BoolGetDatum(r.uses_index);
		if (r.scan)
			values[2] = CStringGetTextDatum(r.scan);
		else
			nulls[2] = true;
		values[3] = CStringGetTextDatum(r.plan);
		values[4] = Float8GetDatum(r.total_cost);
		values[5] = Float8GetDatum(r.cost_without_index);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * idx_plan_summary(ids bigint[]) RETURNS TABLE(id bigint, queries_total int,
 *     queries_using int, scan text, winner text, query_errors int,
 *     error text)
 *
 * Internal, for idx_report and idx_check: the EXPLAIN verdict of each
 * visible create row, without EXPLAIN text or the second plan.  A query
 * that cannot be planned is counted in query_errors (the first message in
 * error) instead of failing the whole call.
 */
Datum
idx_plan_summary(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TrackedRow *rows;
	IaQueryResult *results;
	int			nrows;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	rows = load_rows(fcinfo->flinfo->fn_oid, PG_GETARG_ARRAYTYPE_P(0), &nrows);

	for (i = 0; i < nrows; i++)
	{
		TrackedRow *row = &rows[i];
		int			using = 0;
		int			errors = 0;
		const char *scan = NULL;
		char	   *winner = NULL;
		char	   *error = NULL;
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};
		int			j;

		if (!row->is_create)
			continue;
		results = palloc0(sizeof(IaQueryResult) * (row->nqueries + 1));
		ia_verify_queries(&row->target, row->nqueries, row->queries, 0,
						  results);
		for (j = 0; j < row->nqueries; j++)
		{
			IaQueryResult r = results[j];

			if (!r.ok)
			{
				if (errors++ == 0)
					error = psprintf("query %d: %s", j + 1, r.error);
			}
			else if (r.uses_index)
			{
				using++;
				if (scan == NULL)
					scan = r.scan;
			}
			else if (winner == NULL)
				winner = r.winner;
		}
		values[0] = Int64GetDatum(row->target.id);
		values[1] = Int32GetDatum(row->nqueries);
		values[2] = Int32GetDatum(using);
		values[3] = scan ? CStringGetTextDatum(scan) : (Datum) 0;
		nulls[3] = (scan == NULL);
		values[4] = winner ? CStringGetTextDatum(winner) : (Datum) 0;
		nulls[4] = (winner == NULL);
		values[5] = Int32GetDatum(errors);
		values[6] = error ? CStringGetTextDatum(error) : (Datum) 0;
		nulls[6] = (error == NULL);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
