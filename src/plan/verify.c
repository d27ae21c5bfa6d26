/*-------------------------------------------------------------------------
 *
 * verify.c
 *		The one planner path: parse and analyse a query (ia_analyze_query),
 *		act as its planning role (ia_become; planning_role.c chooses it),
 *		plan it in index_advisor's own planner call (ia_plan_queries,
 *		plan_hooks.c), the planning subtransaction that restores the
 *		caller on every path (ia_subxact_*), and EXPLAIN.
 *
 * Design.  Each query is parsed with PostgreSQL's parser, analysed with
 * pg_analyze_and_rewrite_varparams (so "$1" parameters get their types
 * inferred) and planned as a generic plan (no parameter values), with
 * the hooks of plan_hooks.c acting only on that planner call (a hidden
 * index left out, hypothetical ones added).
 *
 * Safety (doc/safety-planning.md).  Planning runs other roles' code:
 * IMMUTABLE functions with constant arguments are folded, in the query and
 * in the index expressions, predicates, defaults and constraints of every
 * table, view, partition and child it reads.  So a query is analysed as
 * the role that asked, then planned as the least privileged of that role
 * and the owners of everything the rewritten query reads or calls, one
 * whose privileges all of them have (ia_planning_role); when there is
 * none, the query is refused (42501).  Callers run both steps under
 * SECURITY_RESTRICTED_OPERATION (ia_become), inside a subtransaction
 * (ia_subxact_begin .. end / caught).  Table privileges are checked as
 * the asking role, as the executor would.
 *
 * Callers: the check of stored queries (src/check/verify_queries.c),
 * plan_prepared.c (idx_whatif, the advisor), definition/ (queries.c,
 * resolve.c, duplicates.c).
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
#include "ia_plan.h"
#include "ia_check.h"

/* Called once from _PG_init, before MarkGUCPrefixReserved. */
void
ia_verify_init(void)
{
	ia_check_time_init();	/* index_advisor.check_timeout */
	ia_plan_hooks_init();
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
 * failure of the query or candidate at hand.  A cancel is a 57014 that
 * PostgreSQL raised in ProcessInterrupts (pg_cancel_backend,
 * statement_timeout, a timer of ours, a recovery conflict): code the
 * planner runs can RAISE the same SQLSTATE, and that is the query's own
 * error -- else one table owner's function would end every request that
 * plans its statements, every autopilot cycle included
 * (test/t/196_autopilot_safety.pl).  (A function that catches a real
 * cancel can swallow it whatever we do here.)
 */
ErrorData *
ia_subxact_caught(MemoryContext cxt, ResourceOwner owner, bool rethrow_cancel)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	ia_subxact_end(cxt, owner, false);
	if (rethrow_cancel && edata->sqlerrcode == ERRCODE_QUERY_CANCELED &&
		edata->funcname && strcmp(edata->funcname, "ProcessInterrupts") == 0)
		ia_rethrow(edata);
	return edata;
}

/*
 * Plan every Query of the list (a copy: the planner scribbles on input) as
 * "planner", with the real indexes "hide" left out, then check the privileges the executor would check as the
 * requester.  Ends as the requester.
 */
List *
ia_plan_queries(List *queries, const char *query, Oid planner,
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

/* the total cost of a list of PlannedStmts */
double
ia_stmts_cost(List *stmts)
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

/* ia_explain_text(stmts, query), hypothetical indexes named as in hypos */
char *
ia_explain_named(List *stmts, const char *query, List *hypos)
{
	int			mark = ia_planning_push(NIL, NIL, hypos);
	char	   *volatile text = NULL;

	PG_TRY();
	{
		text = ia_explain_text(stmts, query);
	}
	PG_FINALLY();
	{
		ia_planning_pop(mark);
	}
	PG_END_TRY();
	return text;
}
