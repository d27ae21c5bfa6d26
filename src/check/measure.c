/*-------------------------------------------------------------------------
 *
 * measure.c
 *		Measured speed-up: idx_explain(id, "analyze" => true, runs => n)
 *		executes each stored plain SELECT with the index and with it hidden,
 *		and reports the median times.
 *
 * Only a plain SELECT is executed: one Query, CMD_SELECT, no data-modifying
 * CTE, no FOR UPDATE/SHARE, no volatile function (decided on the rewritten
 * parse tree, never on the text); anything else is "not measured".  It runs
 * as the planning role (planning_role.c ia_planning_role: the rules of
 * planning, and executing runs at least the same code), under
 * SECURITY_RESTRICTED_OPERATION, with the transaction read-only, inside
 * verify_queries.c's subtransaction, which is rolled back; the whole of one
 * query's planning and runs is bounded by index_advisor.check_timeout (and
 * by the caller's statement_timeout).  Each $n gets the representative value
 * of the column it is compared with (values.c, the rule idx_advise uses
 * too), used only when the planning role may see that column in pg_stats
 * and printed only when the requester may (the caller has the requester's
 * privileges: usage.c checks it); a $n without one is "not measured", with
 * the reason.  The query is planned with those values (a custom plan, as an
 * application's first executions get), run "runs" times, planned again
 * with the index hidden and run "runs" times; the medians are reported.
 *
 * Caller's rules: called by verify_queries.c only (verify_in_subxact),
 * inside its subtransaction, as the requester, with the hooks that switch
 * role and hide an index (src/plan's verify.c and plan_hooks.c own both).
 * Nothing here calls back into verify_queries.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/params.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "index_advisor.h"
#include "measure.h"
#include "ia_plan.h"

/* Why a rewritten query may not be executed, or NULL when it may. */
static const char *
not_measurable(List *queries)
{
	Query	   *q;

	if (list_length(queries) != 1)
		return "not a SELECT (rewritten into several statements)";
	q = linitial_node(Query, queries);
	if (q->commandType != CMD_SELECT || q->utilityStmt != NULL)
		return "not a SELECT";
	if (q->hasModifyingCTE)
		return "not a SELECT (a WITH clause modifies data)";
	if (q->rowMarks != NIL || q->hasForUpdate)
		return "not a SELECT (it locks rows: FOR UPDATE/SHARE)";
	if (contain_volatile_functions((Node *) q))
		return "calls a volatile function";
	return NULL;
}

/*
 * Give each $n of the (single, plain SELECT) query its representative value
 * (values.c: used as "planner", shown to "viewer"); NULL (and *why) when
 * one has none.  said gets "; $n = value (kind of table.column)".
 */
static ParamListInfo
representative_params(List *queries, Oid *types, int nparams, Oid planner,
					  Oid viewer, StringInfo said, const char **why)
{
	IaParamValue *vals;
	ParamListInfo params;

	if (nparams == 0)
		return NULL;
	vals = ia_param_values(queries, types, nparams, planner, viewer);
	params = makeParamList(nparams);
	for (int i = 0; i < nparams; i++)
	{
		if (vals[i].hidden)
		{
			*why = ia_value_refusal(&vals[i], i + 1, planner);
			return NULL;
		}
		if (!vals[i].found)
		{
			*why = psprintf("no representative value for $%d (compare it with a column that has statistics: ANALYZE)", i + 1);
			return NULL;
		}
		if (vals[i].shown)
			appendStringInfo(said, "; $%d = %s (%s of %s)", i + 1,
							 ia_value_text(vals[i].value, types[i]),
							 vals[i].kind, ia_value_column(&vals[i]));
		else
			appendStringInfo(said, "; %s",
							 ia_value_refusal(&vals[i], i + 1, viewer));
		params->params[i].value = vals[i].value;
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = types[i];
	}
	params->numParams = nparams;
	return params;
}

/* One measured query: what plan_and_run needs. */
typedef struct MeasureCall
{
	Query	   *q;
	const char *query;
	ParamListInfo params;
	Oid			planner;
	int			outer_sec;
	int			runs;
	const IaMeasureHooks *hooks;
} MeasureCall;

/* Run stmt m->runs times, read-only; each time in ms into times[]. */
static void
run_times(const MeasureCall *m, PlannedStmt *stmt, double *times)
{
	for (int i = 0; i < m->runs; i++)
	{
		QueryDesc  *qd;
		instr_time	start;
		instr_time	took;

		CHECK_FOR_INTERRUPTS();
		INSTR_TIME_SET_CURRENT(start);
		qd = CreateQueryDesc(stmt, m->query, GetActiveSnapshot(), InvalidSnapshot,
							 None_Receiver, m->params, NULL, 0);
		ExecutorStart(qd, 0);
		ExecutorRun(qd, ForwardScanDirection, 0, true);
		ExecutorFinish(qd);
		ExecutorEnd(qd);
		FreeQueryDesc(qd);
		INSTR_TIME_SET_CURRENT(took);
		INSTR_TIME_SUBTRACT(took, start);
		times[i] = INSTR_TIME_GET_MILLISEC(took);
	}
}

/*
 * Plan the (single) query as the planning role with the parameter values
 * (with "hide" hidden from the planner), run it m->runs times with the
 * transaction read-only; the median time in ms.
 */
static double
plan_and_run(const MeasureCall *m, List *hide)
{
	PlannedStmt *stmt;
	double	   *times = palloc(sizeof(double) * m->runs);
	bool		save_ro = XactReadOnly;

	m->hooks->become(m->planner, m->outer_sec);
	m->hooks->hide(hide);
	PG_TRY();
	{
		stmt = pg_plan_query(copyObject(m->q), m->query, 0, m->params);
		m->hooks->hide(NIL);
		XactReadOnly = true;
		run_times(m, stmt, times);
	}
	PG_FINALLY();
	{
		m->hooks->hide(NIL);
		XactReadOnly = save_ro;
	}
	PG_END_TRY();
	/* median: a small insertion sort */
	for (int i = 1; i < m->runs; i++)
		for (int j = i; j > 0 && times[j - 1] > times[j]; j--)
		{
			double		tmp = times[j];

			times[j] = times[j - 1];
			times[j - 1] = tmp;
		}
	return m->runs % 2 ? times[m->runs / 2] :
		(times[m->runs / 2 - 1] + times[m->runs / 2]) / 2;
}

/*
 * ia_measure_query -- measure one stored query (see the file header); fills
 * time_ms, time_without_index_ms and measured (allocated in "out").
 */
void
ia_measure_query(const IaVerifyTarget *t, const char *query, Oid planner,
				 List *indexoids, int outer_sec, const IaMeasureHooks *hooks,
				 IaQueryResult *r, MemoryContext out)
{
	StringInfoData said;
	List	   *queries;
	ParamListInfo params = NULL;
	const char *why = NULL;
	MeasureCall m;
	Oid		   *types = NULL;
	int			nparams = 0;

	initStringInfo(&said);
	/* analysed again, keeping the parameter types */
	queries = pg_analyze_and_rewrite_varparams(linitial_node(RawStmt, raw_parser(query, RAW_PARSE_DEFAULT)),
											   query, &types, &nparams, NULL);
	why = not_measurable(queries);
	if (why == NULL && indexoids == NIL)
		why = "the index no longer exists";
	if (why == NULL)
		params = representative_params(queries, types, nparams, planner,
									   t->role, &said, &why);
	if (why != NULL)
	{
		r->measured = MemoryContextStrdup(out, psprintf("not measured: %s", why));
		return;
	}
	m.q = linitial_node(Query, queries);
	m.query = query;
	m.params = params;
	m.planner = planner;
	m.outer_sec = outer_sec;
	m.runs = t->runs;
	m.hooks = hooks;
	r->time_ms = plan_and_run(&m, NIL);
	r->time_without_index_ms = plan_and_run(&m, indexoids);
	hooks->become(t->role, outer_sec);
	r->measured = MemoryContextStrdup(out, psprintf("median of %d runs each, as role %s%s",
													t->runs,
													GetUserNameFromId(planner, false),
													said.data));
}
