/*-------------------------------------------------------------------------
 *
 * verify_queries.c
 *		The check of stored queries: at idx_apply (are they plannable?) and
 *		at every check (idx_explain, idx_report, idx_check: does the plan
 *		use the index?), each query through the one planner path of
 *		src/plan (verify.c: analyse, planning role, plan, EXPLAIN; never
 *		executed, except a plain SELECT for idx_explain(id, analyze =>
 *		true), which measure.c runs inside this file's subtransaction).
 *
 * Design.  Each stored query is analysed as the role that asked for the
 * index (idx_history.role_oid, with the search_path stored at idx_apply)
 * and planned as its planning role (planning_role.c) as a generic plan;
 * the plan is walked (plan_walk.c) for a scan of the index.  For the cost
 * without the index the query is planned again while the planner hooks
 * (plan_hooks.c) remove the index from the indexlist (HypoPG's "hide
 * index").  Both steps run under SECURITY_RESTRICTED_OPERATION in a new
 * GUC nest level, inside one subtransaction that is always rolled back
 * (locks released at once; an error does not abort the caller).  At check
 * time each query's planning is bounded by index_advisor.check_timeout and
 * by the caller's deadline (its share of
 * index_advisor.check_total_timeout, usage.c): the timer and how its
 * cancel is told from a real one are in check_time.c.  A query cancel or
 * statement_timeout is never swallowed.
 *
 * Caller's rules: see ia_check.h.  The SQL-callable functions that read
 * idx_history live in usage.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_plan.h"
#include "measure.h"
#include "ia_check.h"

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

	(void) ia_internal_errposition(c->query);
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
 * The work for one query, inside verify_batch's subtransaction, as the
 * requester.  Strings put into r are allocated in "out".
 */
static void
verify_in_subxact(const IaVerifyTarget *t, const char *query, int flags,
				  int outer_sec, IaQueryResult *r, MemoryContext out)
{
	List	   *queries = analyze_query(query);
	Oid			planner = ia_planning_role(t->role, queries);
	List	   *stmts = ia_plan_queries(queries, query, planner, t->role,
										outer_sec, NIL);
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

	r->total_cost = r->cost_without_index = ia_stmts_cost(stmts);
	foreach(lc, stmts)
	{
		PlannedStmt *stmt = lfirst_node(PlannedStmt, lc);

		r->scan = ia_find_index_scan(stmt, indexoids);	/* a constant */
		if (r->scan != NULL)
		{
			r->uses_index = true;
			break;
		}
		if (winner == NULL)
			winner = ia_find_table_scan(stmt, tableoids);
	}

	if (flags & IA_VERIFY_EXPLAIN)
		plan = ia_explain_text(stmts, query);

	if ((flags & IA_VERIFY_HIDDEN) && r->uses_index)
	{
		r->cost_without_index =
			ia_stmts_cost(ia_plan_queries(queries, query, planner, t->role,
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
