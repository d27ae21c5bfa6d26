/*-------------------------------------------------------------------------
 *
 * verify.c
 *		The one planner path for stored queries: at idx_apply (are they
 *		plannable?) and at every check (idx_explain, idx_report, idx_check:
 *		does the plan use the index?).  Never executes them, except a
 *		plain SELECT for idx_explain(id, analyze => true), which measure.c
 *		runs inside this file's subtransaction.
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
 * get_relation_info_hook (plan_hooks.c) removes the index from the indexlist
 * (HypoPG's "hide index").
 *
 * Safety (doc/safety-planning.md).  Planning runs other roles' code:
 * IMMUTABLE functions with constant arguments are folded, in the query and
 * in the index expressions, predicates, defaults and constraints of every
 * table, view, partition and child it reads.  So a query is analysed as
 * the role that asked for the index (idx_history.role_oid, with the
 * search_path stored at idx_apply), then planned as the least privileged
 * of that role and the owners of everything the rewritten query reads or
 * calls, one whose privileges all of them have (ia_planning_role); when
 * there is none, the query is refused (42501).  Both steps run under
 * SECURITY_RESTRICTED_OPERATION in a new GUC nest level, as DefineIndex
 * runs index expressions, inside one subtransaction that is always rolled
 * back (locks released at once; an error does not abort the caller).
 * Table privileges are checked as the asking role, as the executor would.
 * At check time each query's planning is bounded by
 * index_advisor.check_timeout and by the caller's deadline (its share of
 * index_advisor.check_total_timeout, usage.c): the timer and how its
 * cancel is told from a real one are in check_time.c.  A query cancel or
 * statement_timeout is never swallowed.
 *
 * Caller's rules: see verify.h.  The SQL-callable functions that read
 * idx_history live in usage.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/functions.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/plancat.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

#include "index_advisor.h"
#include "ia_hidden.h"
#include "ia_hypo.h"
#include "check_time.h"
#include "ia_measure.h"
#include "verify.h"
#include "verify_internal.h"

/* Called once from _PG_init, before MarkGUCPrefixReserved. */
void
ia_verify_init(void)
{
	ia_check_time_init();	/* index_advisor.check_timeout */
	ia_plan_hooks_init();
}

/* ---------------------------------------------------------------------
 * Walking a PlannedStmt
 * ---------------------------------------------------------------------
 */
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
bool
ia_walk_stmt(PlannedStmt *stmt, PlanVisitor visit, void *ctx)
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
 * Who plans as whom
 *
 * Planning runs code: the planner folds IMMUTABLE functions with constant
 * arguments, in the query and in the index expressions, predicates,
 * defaults and constraints of every table it touches (views, partitions
 * and inheritance children included).  That code belongs to the owners of
 * those tables and functions, and the query text to the role that asked.
 * A query is planned as the least privileged of these roles that every
 * other one has the privileges of; when there is none, it is not planned
 * (42501).  A superuser has every role's privileges, so objects owned by a
 * superuser (the built-in functions) never stand in the way.
 * ---------------------------------------------------------------------
 */
typedef struct CodeOwners
{
	List	   *relids;			/* relations read, before expansion */
	List	   *funcids;		/* functions called, SQL bodies included */
	List	   *bodies;			/* SQL functions whose body was walked */
} CodeOwners;

static bool collect_walker(Node *node, CodeOwners *c);

static bool
collect_func(Oid funcid, void *ctx)
{
	CodeOwners *c = (CodeOwners *) ctx;

	c->funcids = list_append_unique_oid(c->funcids, funcid);
	return false;
}

/* The Query list of an SQL function's body, analysed as the planner would. */
static List *
sql_body_queries(HeapTuple tup, FuncExpr *fexpr)
{
	bool		isnull;
	Datum		body = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosqlbody,
									   &isnull);
	List	   *queries = NIL;
	ListCell   *lc;

	if (!isnull)
	{
		/* BEGIN ATOMIC or RETURN: analysed, to be rewritten (views) */
		Node	   *n = stringToNode(TextDatumGetCString(body));
		List	   *stored = IsA(n, List) ?
			linitial_node(List, castNode(List, n)) : list_make1(n);

		foreach(lc, stored)
		{
			Query	   *q = lfirst_node(Query, lc);

			AcquireRewriteLocks(q, true, false);
			queries = list_concat(queries, pg_rewrite_query(q));
		}
	}
	else
	{
		char	   *src = TextDatumGetCString(SysCacheGetAttr(PROCOID, tup,
															  Anum_pg_proc_prosrc,
															  &isnull));
		SQLFunctionParseInfoPtr pinfo =
			prepare_sql_fn_parse_info(tup, (Node *) fexpr, fexpr->inputcollid);

		foreach(lc, pg_parse_query(src))
			queries = list_concat(queries,
								  pg_analyze_and_rewrite_withcb(lfirst_node(RawStmt, lc),
																src,
																(ParserSetupHook) sql_fn_parser_setup,
																pinfo, NULL));
	}
	return queries;
}

/*
 * The planner inlines SQL functions (a set-returning one in FROM brings its
 * tables into the plan): walk the body of every SQL function the query
 * calls, once per function, over-approximating what the planner inlines.
 */
static void
collect_sql_body(FuncExpr *fexpr, CodeOwners *c)
{
	HeapTuple	tup;
	List	   *queries;

	if (list_member_oid(c->bodies, fexpr->funcid))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fexpr->funcid));
	if (!HeapTupleIsValid(tup))
		return;
	if (((Form_pg_proc) GETSTRUCT(tup))->prolang != SQLlanguageId)
	{
		ReleaseSysCache(tup);
		return;
	}
	c->bodies = lappend_oid(c->bodies, fexpr->funcid);
	queries = sql_body_queries(tup, fexpr);
	ReleaseSysCache(tup);
	(void) collect_walker((Node *) queries, c);
}

/* Every relation and function of a rewritten query, sub-queries included. */
static bool
collect_walker(Node *node, CodeOwners *c)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, collect_walker, c,
								 QTW_EXAMINE_RTES_BEFORE);
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		/* a view's RTE, and the *OLD* entry the rewriter leaves for it */
		if (OidIsValid(rte->relid))
			c->relids = list_append_unique_oid(c->relids, rte->relid);
		return false;
	}
	if (IsA(node, FuncExpr))
		collect_sql_body((FuncExpr *) node, c);
	(void) check_functions_in_node(node, collect_func, c);
	return expression_tree_walker(node, collect_walker, c);
}

typedef struct OwnedObject
{
	Oid			owner;
	char		kind;			/* 'r' relation, 'f' function */
	Oid			oid;
} OwnedObject;

/* The relations a rewritten Query list reads (SQL function bodies too). */
List *
ia_query_relids(List *queries)
{
	CodeOwners	c = {NIL, NIL, NIL};

	(void) collect_walker((Node *) queries, &c);
	return c.relids;
}

static List *
owned_objects(List *queries)
{
	CodeOwners c = {NIL, NIL, NIL};
	List	   *objects = NIL;
	List	   *rels = NIL;
	ListCell   *lc;

	(void) collect_walker((Node *) queries, &c);
	/* a partitioned or inherited table is planned with its children */
	foreach(lc, c.relids)
	{
		Oid			relid = lfirst_oid(lc);

		if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ||
			has_subclass(relid))
			rels = list_concat_unique_oid(rels,
										  find_all_inheritors(relid, AccessShareLock, NULL));
		else
			rels = list_append_unique_oid(rels, relid);
	}
	foreach(lc, rels)
	{
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(lfirst_oid(lc)));
		OwnedObject *o;

		if (!HeapTupleIsValid(tup))
			continue;
		o = palloc(sizeof(OwnedObject));
		o->owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
		o->kind = 'r';
		o->oid = lfirst_oid(lc);
		objects = lappend(objects, o);
		ReleaseSysCache(tup);
	}
	foreach(lc, c.funcids)
	{
		HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(lfirst_oid(lc)));
		OwnedObject *o;

		if (!HeapTupleIsValid(tup))
			continue;
		o = palloc(sizeof(OwnedObject));
		o->owner = ((Form_pg_proc) GETSTRUCT(tup))->proowner;
		o->kind = 'f';
		o->oid = lfirst_oid(lc);
		objects = lappend(objects, o);
		ReleaseSysCache(tup);
	}
	return objects;
}

/* Does every owner (and the requester) have the privileges of "role"? */
static OwnedObject *
first_stronger_than(Oid role, Oid requester, List *objects)
{
	static OwnedObject requester_obj;
	ListCell   *lc;

	if (!has_privs_of_role(requester, role))
	{
		requester_obj.owner = requester;
		requester_obj.kind = 'q';
		requester_obj.oid = InvalidOid;
		return &requester_obj;
	}
	foreach(lc, objects)
	{
		OwnedObject *o = (OwnedObject *) lfirst(lc);

		if (!has_privs_of_role(o->owner, role))
			return o;
	}
	return NULL;
}

static char *
describe_object(OwnedObject *o)
{
	if (o->kind == 'r')
		return psprintf("%s \"%s.%s\"",
						get_rel_relkind(o->oid) == RELKIND_VIEW ? "view" : "table",
						get_namespace_name(get_rel_namespace(o->oid)),
						get_rel_name(o->oid));
	return psprintf("function %s", format_procedure(o->oid));
}

/*
 * ia_planning_role -- the role a stored query of "requester" is planned as,
 * given its rewritten Query list: the requester or the owner of one of the
 * objects it reads, whose privileges every one of those owners has.
 * ERROR 42501 when there is none, naming an object and its owner.
 */
Oid
ia_planning_role(Oid requester, List *queries)
{
	List	   *objects = owned_objects(queries);
	OwnedObject *blocker;
	OwnedObject *other;
	ListCell   *lc;

	blocker = first_stronger_than(requester, requester, objects);
	if (blocker == NULL)
		return requester;
	foreach(lc, objects)
	{
		OwnedObject *o = (OwnedObject *) lfirst(lc);

		if (first_stronger_than(o->owner, requester, objects) == NULL)
			return o->owner;
	}
	/* name an owner and a role that does not have its privileges */
	other = first_stronger_than(blocker->owner, requester, objects);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("stored query reads %s, owned by role \"%s\", which index_advisor cannot plan as role \"%s\"",
					describe_object(blocker),
					GetUserNameFromId(blocker->owner, false),
					GetUserNameFromId(requester, false)),
			 errdetail("Planning runs the code of the tables and functions a query reads, so it runs as a role whose privileges every owner of them and the requester have; role \"%s\" does not have the privileges of role \"%s\".",
					   GetUserNameFromId(other ? other->owner : requester, false),
					   GetUserNameFromId(blocker->owner, false)),
			 errhint("Store queries that read only tables and functions of roles whose privileges you have, or grant role \"%s\" to role \"%s\".",
					 GetUserNameFromId(blocker->owner, false),
					 GetUserNameFromId(other ? other->owner : requester, false))));
	return InvalidOid;			/* keep compiler quiet */
}

/* ---------------------------------------------------------------------
 * Planning one stored query
 * ---------------------------------------------------------------------
 */
typedef struct VerifyErrCtx
{
	const IaVerifyTarget *target;
	int			queryno;
	const char *query;
} VerifyErrCtx;

/*
 * Error context: at idx_apply, positions point into the query text (as in
 * SQL functions); at check time, which query of which operation.
 */
static void
verify_error_context(void *arg)
{
	VerifyErrCtx *c = (VerifyErrCtx *) arg;
	int			pos = geterrposition();

	if (pos > 0 && c->query != NULL)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(c->query);
	}
	if (c->target->id != 0)
		errcontext("stored query %d of index_advisor operation %lld",
				   c->queryno, (long long) c->target->id);
}

/* Parse and analyse query; the rewritten Query list. */
static List *
analyze_query(const char *query)
{
	Oid		   *paramtypes = NULL;
	int			nparams = 0;

	return ia_analyze_query(query, &paramtypes, &nparams);
}

/*
 * ia_analyze_query -- parse and analyse query as PREPARE does with no
 * parameter types given ($n types inferred, into paramtypes and nparams);
 * the rewritten Query list.
 */
List *
ia_analyze_query(const char *query, Oid **paramtypes_out, int *nparams_out)
{
	List	   *raw = raw_parser(query, RAW_PARSE_DEFAULT);
	Oid		   *paramtypes = NULL;
	int			nparams = 0;
	List	   *queries;
	ListCell   *lc;
	int			p;

	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a stored query must hold exactly one statement, not %d",
						list_length(raw))));

	queries = pg_analyze_and_rewrite_varparams(linitial_node(RawStmt, raw),
											   query, &paramtypes, &nparams,
											   NULL);
	for (p = 0; p < nparams; p++)
		if (paramtypes[p] == InvalidOid || paramtypes[p] == UNKNOWNOID)
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine data type of parameter $%d",
							p + 1),
					 errhint("Add a cast, for example $%d::integer.", p + 1)));
	foreach(lc, queries)
	{
		Query	   *q = lfirst_node(Query, lc);

		if (q->commandType == CMD_UTILITY)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a stored query must be SELECT, INSERT, UPDATE, DELETE or MERGE"),
					 errdetail("Utility statements have no plan to verify.")));
	}
	*paramtypes_out = paramtypes;
	*nparams_out = nparams;
	return queries;
}

/* Run as "role" from now on, restricted as DefineIndex runs index code. */
void
ia_become(Oid role, int outer_sec)
{
	SetUserIdAndSecContext(role, outer_sec |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

/* ---------------------------------------------------------------------
 * Planning subtransactions (doc/safety-planning.md, STYLE.md habit 13)
 *
 * Every subtransaction index_advisor opens to plan, resolve or fold
 * (verify.c, plan_prepared.c, advise*.c) ends in one of these three, so that
 * on every path -- success, error, cancel -- the caller's memory context and
 * resource owner are current again.  Ending a subtransaction leaves
 * CurrentMemoryContext on the parent's CurTransactionContext (DESIGN.md
 * fact 23), which a later rollback frees: whatever a caller allocates there
 * afterwards, an error copied there first of all, dangles (0.2: SIGSEGV in
 * EmitErrorReport on a cancel during idx_advise).  "cxt" must be a context
 * of the caller that outlives the subtransaction: never a context the
 * subtransaction made current.
 * ---------------------------------------------------------------------
 */

/* ia_subxact_begin -- begin a subtransaction and stay in cxt. */
void
ia_subxact_begin(MemoryContext cxt)
{
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
}

/*
 * ia_subxact_end -- commit (keep its locks) or roll back the current
 * subtransaction; cxt and owner are current again.
 */
void
ia_subxact_end(MemoryContext cxt, ResourceOwner owner, bool commit)
{
	MemoryContextSwitchTo(cxt);
	if (commit)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
}

/*
 * ia_rethrow -- ReThrowError(edata), an error from ia_subxact_caught, that
 * never depends on the memory it was copied into: ReThrowError copies the
 * message and the like into ErrorContext, but not the file and function
 * names, which CopyErrorData copies (PostgreSQL 15.20) into the memory of
 * the catch; copy those too, so that an outer rollback that frees that
 * memory before the error is reported leaves nothing dangling.
 */
void
ia_rethrow(ErrorData *edata)
{
	if (edata->filename)
		edata->filename = MemoryContextStrdup(ErrorContext, edata->filename);
	if (edata->funcname)
		edata->funcname = MemoryContextStrdup(ErrorContext, edata->funcname);
	ReThrowError(edata);
}

/*
 * ia_subxact_caught -- in the PG_CATCH of a subtransaction begun in memory
 * context cxt with resource owner owner: the error, copied into cxt, the
 * subtransaction rolled back, cxt and owner current again.  With
 * "rethrow_cancel" a cancel is re-thrown: it must never be taken for a
 * failure of the query or candidate at hand.
 */
ErrorData *
ia_subxact_caught(MemoryContext cxt, ResourceOwner owner, bool rethrow_cancel)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	ia_subxact_end(cxt, owner, false);
	if (rethrow_cancel && edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		ia_rethrow(edata);
	return edata;
}

/*
 * Plan every Query of the list (a copy: the planner scribbles on input) as
 * "planner", with the real indexes "hide" left out, then check the privileges the executor would check as the
 * requester.  Ends as the requester.
 */
static List *
plan_queries(List *queries, const char *query, Oid planner,
			 Oid requester, int outer_sec, List *hide)
{
	List	   *stmts = NIL;
	ListCell   *lc;

	ia_become(planner, outer_sec);
	foreach(lc, queries)
	{
		Query	   *q = copyObject(lfirst_node(Query, lc));

		stmts = lappend(stmts, ia_plan_one(q, query, NULL, NIL, hide));
	}
	ia_become(requester, outer_sec);
	foreach(lc, stmts)
		ia_check_plan_permissions(lfirst_node(PlannedStmt, lc));
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

char *
ia_explain_text(List *stmts, const char *query)
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
 * The work for one query, inside verify_batch's subtransaction, as the
 * requester.  Strings put into r are allocated in "out".
 */
static void
verify_in_subxact(const IaVerifyTarget *t, const char *query, int flags,
				  int outer_sec, IaQueryResult *r, MemoryContext out)
{
	List	   *queries = analyze_query(query);
	Oid			planner = ia_planning_role(t->role, queries);
	List	   *stmts = plan_queries(queries, query, planner, t->role, outer_sec,
									 NIL);
	List	   *indexoids = NIL;
	List	   *tableoids = NIL;
	ListCell   *lc;
	char	   *winner = NULL;
	char	   *plan = NULL;

	r->planned_as = planner;
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

		if (indexoids != NIL && ia_walk_stmt(stmt, visit_find_index, &fi))
		{
			r->uses_index = true;
			r->scan = fi.scan;	/* a string constant */
			break;
		}
		if (winner == NULL && tableoids != NIL &&
			ia_walk_stmt(stmt, visit_find_table_scan, &ft))
			winner = describe_scan(ft.scan, stmt->rtable);
	}

	if (flags & IA_VERIFY_EXPLAIN)
		plan = ia_explain_text(stmts, query);

	if ((flags & IA_VERIFY_HIDDEN) && r->uses_index)
	{
		r->cost_without_index =
			stmts_cost(plan_queries(queries, query, planner, t->role,
									outer_sec, indexoids));
	}

	r->winner = (winner && !r->uses_index) ?
		MemoryContextStrdup(out, winner) : NULL;
	r->plan = plan ? MemoryContextStrdup(out, plan) : NULL;
	if (flags & IA_VERIFY_ANALYZE)
	{
		IaMeasureHooks hooks = {ia_become, ia_planning_hide};

		ia_measure_query(t, query, planner, indexoids, outer_sec, &hooks, r, out);
	}
}

/* ---------------------------------------------------------------------
 * The check loop
 *
 * Each query is planned under the time limits of check_time.c: our own
 * timer stops it at index_advisor.check_timeout (a planning error, and the
 * check goes on) or at the target's deadline (this query and the rest of
 * the row are "not checked"); a real cancel or statement_timeout is always
 * re-thrown.
 * ---------------------------------------------------------------------
 */

/* results[from .. to-1]: not checked, the deadline came before them */
static void
mark_not_checked(IaQueryResult *results, int from, int to)
{
	for (int i = from; i < to; i++)
	{
		memset(&results[i], 0, sizeof(IaQueryResult));
		results[i].not_checked = true;
		results[i].error = IA_NOT_CHECKED_MESSAGE;
		results[i].sqlerrcode = ERRCODE_QUERY_CANCELED;
	}
}

/* Record a caught error as the result of results[i], or re-throw it. */
static void
record_error(ErrorData *edata, int flags, int i, IaQueryResult *results)
{
	IaCheckStop stop = ia_check_caught(edata, flags);	/* or re-thrown */

	if (flags & IA_VERIFY_APPLY)
		edata->message = psprintf("query %d: %s", i + 1, edata->message);
	if (flags & IA_VERIFY_RETHROW)
		ReThrowError(edata);
	if (stop == IA_CHECK_NOT_CHECKED)
	{
		mark_not_checked(results, i, i + 1);
		return;
	}
	memset(&results[i], 0, sizeof(IaQueryResult));
	results[i].ok = false;
	results[i].error = edata->message;
	results[i].sqlerrcode = edata->sqlerrcode;
}

/*
 * Plan queries[first .. first+n-1] in one subtransaction, as described at
 * the top of this section.  Returns the position after the last query it
 * settled: first + n when all went well or the deadline came (the rest is
 * marked not checked); after an error, the failed query's position + 1,
 * the error re-raised (IA_VERIFY_RETHROW, or a real cancel) or recorded
 * in that query's result.
 */
static int
verify_batch(const IaVerifyTarget *t, char **queries, int first, int n,
			 int flags, IaQueryResult *results)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MemoryContext work;
	Oid			save_user;
	int			save_sec;
	VerifyErrCtx ectx = {t, first + 1, NULL};
	ErrorContextCallback cb;
	int			i;

	for (i = first; i < first + n; i++)
	{
		memset(&results[i], 0, sizeof(IaQueryResult));
		results[i].ok = true;
	}
	work = AllocSetContextCreate(caller, "index_advisor verify",
								 ALLOCSET_DEFAULT_SIZES);
	GetUserIdAndSecContext(&save_user, &save_sec);

	ia_subxact_begin(work);
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
					 errdetail("Stored queries are never planned with more privileges than the role that asked for the index.")));
		ia_become(t->role, save_sec);
		(void) NewGUCNestLevel();
		(void) set_config_option("search_path", t->search_path,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);

		for (i = first; i < first + n; i++)
		{
			ectx.queryno = i + 1;
			ectx.query = queries[i];
			if (!ia_check_timer_start(t->deadline, flags))
			{
				mark_not_checked(results, i, first + n);
				break;
			}
			verify_in_subxact(t, queries[i], flags, save_sec, &results[i],
							  caller);
			ia_check_timer_stop();
			MemoryContextReset(work);
		}

		error_context_stack = cb.previous;
		/* undoes the role, the search_path and every lock planning took */
		ia_subxact_end(caller, owner, false);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		ia_check_timer_stop();
		edata = ia_subxact_caught(caller, owner, false);
		MemoryContextDelete(work);
		record_error(edata, flags, ectx.queryno - 1, results);
		return ectx.queryno;
	}
	PG_END_TRY();
	MemoryContextDelete(work);
	return first + n;
}

/*
 * ia_verify_queries -- plan the n stored queries of a tracked index (or, at
 * idx_apply, of the index being requested: id 0, IA_VERIFY_APPLY).
 *
 * Fills results[0 .. n-1].  Errors (a dropped table, a parameter whose type
 * cannot be inferred, a privilege the asking role lost, a query no role may
 * plan, check_timeout) are re-raised with IA_VERIFY_RETHROW, else recorded
 * in that query's error / sqlerrcode.  Queries not planned before the
 * target's deadline are marked not_checked.  A query cancel or
 * statement_timeout is always re-raised.  The queries share one
 * subtransaction (one set of locks); after a query fails, the ones after it
 * go on in a new one, so no query is planned twice.
 */
void
ia_verify_queries(const IaVerifyTarget *t, int n, char **queries, int flags,
				  IaQueryResult *results)
{
	volatile int next = 0;

	if (n == 0)
		return;
	ia_hidden_exempt(t->indexoid);	/* "with": visible to us if hidden */
	ia_check_begin();
	PG_TRY();
	{
		while (next < n)
		{
			if (ia_check_deadline_passed(t->deadline))
			{
				mark_not_checked(results, next, n);
				break;
			}
			next = verify_batch(t, queries, next, n - next, flags, results);
		}
	}
	PG_FINALLY();
	{
		ia_check_end();
	}
	PG_END_TRY();
}
