/*-------------------------------------------------------------------------
 *
 * plan_prepared.c
 *		Prepare a query once, plan it many times against sets of
 *		hypothetical indexes: the costing API of idx_whatif and the advisor
 *		(ia_plan.h), on verify.c's one planner path.
 *
 * Design.  ia_prepare() parses and analyses the query once, as the caller
 * (the requester) with its search_path, as PREPARE does with no parameter
 * types given, and chooses the planning role by the rule of
 * doc/safety-planning.md (ia_planning_role: a superuser's query on mallory's
 * table is planned as mallory; 42501 when no role may plan it).  Analysis
 * runs under SECURITY_RESTRICTED_OPERATION in a subtransaction that is
 * rolled back; the relations the query reads are then AccessShareLocked in
 * the caller's transaction, as a SELECT would lock them, so that the
 * analysed query stays valid for every later planning.
 *
 * ia_plan_prepared() plans a copy of the analysed query as the planning
 * role, under SECURITY_RESTRICTED_OPERATION in a new GUC nest level, inside
 * a subtransaction that is always rolled back (what planning folds and runs
 * leaves nothing behind; partitions' locks are released).  plan_hooks.c's
 * get_relation_info hook adds the hypothetical indexes (hypoplan.c) and
 * hides the real ones asked for, in the planner call made here and in no
 * other (not in planning nested inside it, which caches may keep); the
 * frame is popped on every path, so an error (or a cancel, re-thrown as
 * is: nothing is swallowed) never leaves them visible.  No check_timeout: these
 * are interactive calls, bounded by statement_timeout.  Table privileges are
 * checked as the requester, as the executor would, the first time.
 *
 * ia_prepare_reads() is the same analysis for a question that needs no
 * plan: which relations a statement reads once rewritten (the autopilot's
 * "statements of a table", src/autopilot/reads.c).  It chooses no planning
 * role (a statement no role may plan still reads what it reads), keeps no
 * lock (the subtransaction's are released with it) and returns no
 * IaPrepared, so nothing it analysed can be planned.
 *
 * Caller's rules: see ia_plan.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "nodes/plannodes.h"
#include "storage/lmgr.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "index_advisor.h"
#include "ia_plan.h"

/* Roll the current subtransaction back and re-throw the error being caught. */
static void
rollback_and_rethrow(MemoryContext caller, ResourceOwner owner)
{
	ia_rethrow(ia_subxact_caught(caller, owner, false));
}

/*
 * Analyse "query" as "requester" and choose its planning role: "planner",
 * or by ia_planning_role's rule when InvalidOid (see the file header);
 * everything returned lives in cxt.  "path", when not NULL, is the
 * search_path the names resolve with (for the analysis only).  Without
 * "plannable" no planning role is chosen and nothing is locked: only
 * p->relids is for use (ia_prepare_reads).
 */
static IaPrepared *
prepare(const char *query, Oid requester, Oid planner, const char *path,
		bool plannable, MemoryContext cxt)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MemoryContext work = AllocSetContextCreate(caller, "index_advisor prepare",
											   ALLOCSET_DEFAULT_SIZES);
	IaPrepared *p = MemoryContextAllocZero(cxt, sizeof(IaPrepared));
	Oid			save_user;
	int			save_sec;
	ListCell   *lc;

	p->query = MemoryContextStrdup(cxt, query);
	p->requester = requester;
	p->cxt = cxt;
	GetUserIdAndSecContext(&save_user, &save_sec);

	ia_subxact_begin(work);
	PG_TRY();
	{
		Oid		   *types;
		List	   *queries;

		ia_become(p->requester, save_sec);
		(void) NewGUCNestLevel();
		if (path != NULL)
			(void) set_config_option("search_path", path, PGC_USERSET,
									 PGC_S_SESSION, GUC_ACTION_SAVE, true,
									 0, false);
		queries = ia_analyze_query(query, &types, &p->nparams);
		p->planner = !plannable ? InvalidOid :
			OidIsValid(planner) ? planner :
			ia_planning_role(p->requester, queries);
		MemoryContextSwitchTo(cxt);
		p->relids = list_copy(ia_query_relids(queries));
		p->queries = copyObject(queries);
		p->paramtypes = palloc0(sizeof(Oid) * (p->nparams + 1));
		memcpy(p->paramtypes, types, sizeof(Oid) * p->nparams);
		ia_subxact_end(caller, owner, false);
	}
	PG_CATCH();
	{
		rollback_and_rethrow(caller, owner);
	}
	PG_END_TRY();
	MemoryContextDelete(work);

	/* keep what the query reads as a SELECT would, to the end of the xact */
	if (plannable)
		foreach(lc, p->relids)
			LockRelationOid(lfirst_oid(lc), AccessShareLock);
	return p;
}

/*
 * ia_prepare -- analyse "query" as the caller (see the file header);
 * everything returned lives in cxt.
 */
IaPrepared *
ia_prepare(const char *query, MemoryContext cxt)
{
	return prepare(query, GetUserId(), InvalidOid, NULL, true, cxt);
}

/*
 * ia_prepare_for -- "query", which must read only relations that "source"
 * reads (the advisor's "SELECT FROM <table>" that sizes a candidate drawn
 * from source: hypo.c), prepared on source's terms: analysed as source's
 * requester (the statement's author) and planned as source's planning
 * role, a role whose privileges the owner of every relation source reads
 * has, so that planning it runs their code with no more rights than they
 * have, whoever calls.  Its table privileges are source's, checked when
 * source was first planned (source may reach the table through another
 * role's view, as the executor would allow it): they are not checked again,
 * and nothing of the table but what planning source may read is read.  A
 * relation source does not read is refused (42501).
 */
IaPrepared *
ia_prepare_for(const char *query, const IaPrepared *source, MemoryContext cxt)
{
	IaPrepared *p = prepare(query, source->requester, source->planner,
							 NULL, true, cxt);
	ListCell   *lc;

	foreach(lc, p->relids)
		if (!list_member_oid(source->relids, lfirst_oid(lc)))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("index_advisor cannot plan a query on %s as the author of a statement that does not read it",
							get_rel_name(lfirst_oid(lc)))));
	p->perms_checked = true;
	return p;
}

/*
 * ia_prepare_reads -- the relations "query" reads once rewritten (views
 * expanded: the view and the relations under it; the bodies of the SQL
 * functions it calls walked), analysed as "author" with "path" as its
 * search_path (NULL: the current one), as ia_prepare analyses (see the
 * file header).  A list of OIDs in cxt; an error when the query cannot be
 * analysed.
 */
List *
ia_prepare_reads(const char *query, Oid author, const char *path,
				 MemoryContext cxt)
{
	return prepare(query, author, InvalidOid, path, false, cxt)->relids;
}

/*
 * ia_prepared_params -- values for $1..$n of p, from their text forms
 * (NULL where nulls[i]), as constants the planner folds (a custom plan).
 */
ParamListInfo
ia_prepared_params(IaPrepared *p, char **values, bool *nulls, int n)
{
	ParamListInfo params;

	if (n < p->nparams)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query has %d parameters but %d values were given",
						p->nparams, n),
				 errhint("Give a value for each $n, or none for a generic plan.")));
	params = makeParamList(p->nparams);
	for (int i = 0; i < p->nparams; i++)
	{
		ParamExternData *prm = &params->params[i];
		Oid			infunc;
		Oid			ioparam;
		bool		isnull = (nulls != NULL && nulls[i]) || values[i] == NULL;

		getTypeInputInfo(p->paramtypes[i], &infunc, &ioparam);
		prm->value = OidInputFunctionCall(infunc, isnull ? NULL : values[i],
										  ioparam, -1);
		prm->isnull = isnull;
		prm->pflags = PARAM_FLAG_CONST;
		prm->ptype = p->paramtypes[i];
	}
	return params;
}

/* The indexes a plan uses: hypothetical ones (with the scan) and real ones. */
typedef struct UsedIndexes
{
	List	   *hypos;			/* candidates */
	IaPlanned  *out;
} UsedIndexes;

static bool
visit_used(Plan *plan, void *ctx)
{
	UsedIndexes *u = (UsedIndexes *) ctx;
	Oid			indexid;
	const char *scan;
	ListCell   *lc;

	indexid = ia_index_scan_of(plan, &scan);
	if (!OidIsValid(indexid))
		return false;
	foreach(lc, u->hypos)
	{
		IaHypoIndex *h = (IaHypoIndex *) lfirst(lc);

		if (h->oid != indexid)
			continue;
		if (!list_member_ptr(u->out->used_hypos, h))
		{
			u->out->used_hypos = lappend(u->out->used_hypos, h);
			u->out->used_scans = lappend(u->out->used_scans, (void *) scan);
		}
		return false;
	}
	u->out->used_real = list_append_unique_oid(u->out->used_real, indexid);
	return false;
}

/*
 * Plan p's queries, each in a planner call that alone sees the
 * hypothetical indexes and the hidden ones (plan_hooks.c).
 */
static List *
plan_with(IaPrepared *p, List *hypos, List *hide, ParamListInfo params)
{
	List	   *stmts = NIL;
	ListCell   *lc;

	foreach(lc, p->queries)
	{
		Query	   *q = copyObject(lfirst_node(Query, lc));

		stmts = lappend(stmts, ia_plan_one(q, p->query, params, hypos, hide));
	}
	return stmts;
}

/* What the plans say, into out (strings and lists in "caller"). */
static void
read_plans(IaPrepared *p, List *stmts, List *hypos, int flags,
		   MemoryContext caller, IaPlanned *out)
{
	MemoryContext work = MemoryContextSwitchTo(caller);
	UsedIndexes u = {hypos, out};
	ListCell   *lc;

	foreach(lc, stmts)
	{
		PlannedStmt *stmt = lfirst_node(PlannedStmt, lc);

		out->total_cost += stmt->planTree->total_cost;
		(void) ia_walk_stmt(stmt, visit_used, &u);
	}
	MemoryContextSwitchTo(work);
	if (flags & IA_PLAN_EXPLAIN)
	{
		char	   *text = ia_explain_named(stmts, p->query, hypos);

		out->plan = MemoryContextStrdup(caller, text);
	}
	if (flags & IA_PLAN_STMTS)
	{
		MemoryContextSwitchTo(caller);
		out->stmts = copyObject(stmts);
		MemoryContextSwitchTo(work);
	}
}

/*
 * ia_plan_prepared -- plan p with the hypothetical indexes "hypos" added
 * and the real indexes "hide" left out, $n bound to "params" (or generic);
 * see ia_plan.h and the file header.
 */
void
ia_plan_prepared(IaPrepared *p, List *hypos, List *hide,
				 ParamListInfo params, int flags, IaPlanned *out)
{
	ia_plan_batch(p, 1, &hypos, hide, params, flags, out);
}

/*
 * ia_plan_batch -- ia_plan_prepared for n sets of hypothetical indexes
 * (hypo_sets[i], NIL for none) in one subtransaction: out[i] for each.
 */
void
ia_plan_batch(IaPrepared *p, int n, List **hypo_sets, List *hide,
			  ParamListInfo params, int flags, IaPlanned *out)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MemoryContext work = AllocSetContextCreate(caller, "index_advisor plan",
											   ALLOCSET_DEFAULT_SIZES);
	Oid			save_user;
	int			save_sec;

	memset(out, 0, sizeof(IaPlanned) * n);
	GetUserIdAndSecContext(&save_user, &save_sec);
	ia_subxact_begin(work);
	PG_TRY();
	{
		for (int i = 0; i < n; i++)
		{
			List	   *stmts;

			ia_become(p->planner, save_sec);
			(void) NewGUCNestLevel();
			stmts = plan_with(p, hypo_sets[i], hide, params);
			ia_become(p->requester, save_sec);
			if (!p->perms_checked)
			{
				ListCell   *lc;

				foreach(lc, stmts)
					ia_check_plan_permissions(lfirst_node(PlannedStmt, lc));
				p->perms_checked = true;
			}
			read_plans(p, stmts, hypo_sets[i],
					   (i == n - 1 || !(flags & IA_PLAN_EXPLAIN_LAST)) ?
					   flags : 0, caller, &out[i]);
			MemoryContextReset(work);
		}
		ia_subxact_end(caller, owner, false);
	}
	PG_CATCH();
	{
		rollback_and_rethrow(caller, owner);
	}
	PG_END_TRY();
	MemoryContextDelete(work);
}
