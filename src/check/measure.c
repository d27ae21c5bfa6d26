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
 * as the planning role (verify.c ia_planning_role: the rules of planning,
 * and executing runs at least the same code), under
 * SECURITY_RESTRICTED_OPERATION, with the transaction read-only, inside
 * verify.c's subtransaction, which is rolled back; the whole of one query's
 * planning and runs is bounded by index_advisor.check_timeout (and by the
 * caller's statement_timeout).  Each $n gets a representative value from
 * pg_stats of the column it is compared with: its most common value, else
 * the middle of its histogram.  The query is planned with those values (a
 * custom plan, as an application's first executions get), run "runs" times,
 * planned again with the index hidden and run "runs" times; the medians are
 * reported.
 *
 * Caller's rules: called by verify.c only (verify_in_subxact), inside its
 * subtransaction, as the requester, with the hooks that switch role and
 * hide an index (verify.c owns both).  Nothing here calls back into
 * verify.c otherwise.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_statistic.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/params.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_measure.h"

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

/* A $n compared with a column: the column's representative value. */
typedef struct ParamValues
{
	Query	   *query;
	int			nparams;
	Oid		   *types;
	Datum	   *values;
	bool	   *found;
	StringInfo	said;
} ParamValues;

/* The most common value of relid.attnum, else its histogram's middle. */
static bool
column_value(Oid relid, AttrNumber attnum, bool inh, Oid type, Datum *value,
			 const char **source)
{
	HeapTuple	st;
	AttStatsSlot sslot;
	bool		ok = false;

	/* a plain table's statistics are not "inherited" ones, whatever rte->inh */
	inh = inh && get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE;
	st = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
						 Int16GetDatum(attnum), BoolGetDatum(inh));

	if (!HeapTupleIsValid(st))
		return false;
	for (int kind = 0; kind < 2 && !ok; kind++)
	{
		if (!get_attstatsslot(&sslot, st, kind == 0 ? STATISTIC_KIND_MCV : STATISTIC_KIND_HISTOGRAM,
							  InvalidOid, ATTSTATSSLOT_VALUES))
			continue;
		if (sslot.nvalues > 0 && sslot.valuetype == type)
		{
			int16		typlen;
			bool		typbyval;

			get_typlenbyval(type, &typlen, &typbyval);
			*value = datumCopy(sslot.values[kind == 0 ? 0 : sslot.nvalues / 2],
							   typbyval, typlen);
			*source = kind == 0 ? "most common value" : "middle of the histogram";
			ok = true;
		}
		free_attstatsslot(&sslot);
	}
	ReleaseSysCache(st);
	return ok;
}

static bool
param_values_walker(Node *node, ParamValues *pv)
{
	if (node == NULL)
		return false;
	if (IsA(node, OpExpr) && list_length(((OpExpr *) node)->args) == 2)
	{
		Node	   *a = strip_implicit_coercions(linitial(((OpExpr *) node)->args));
		Node	   *b = strip_implicit_coercions(lsecond(((OpExpr *) node)->args));

		if (IsA(a, Param))
		{
			Node	   *tmp = a;

			a = b;
			b = tmp;
		}
		if (IsA(a, Var) && IsA(b, Param) && ((Var *) a)->varlevelsup == 0 &&
			((Param *) b)->paramkind == PARAM_EXTERN)
		{
			Var		   *var = (Var *) a;
			int			n = ((Param *) b)->paramid - 1;
			RangeTblEntry *rte = rt_fetch(var->varno, pv->query->rtable);
			const char *source;

			if (n >= 0 && n < pv->nparams && !pv->found[n] &&
				rte->rtekind == RTE_RELATION &&
				column_value(rte->relid, var->varattno, rte->inh, pv->types[n],
							 &pv->values[n], &source))
			{
				Oid			out;
				bool		varlena;

				pv->found[n] = true;
				getTypeOutputInfo(pv->types[n], &out, &varlena);
				appendStringInfo(pv->said, "; $%d = %s (%s of %s.%s)", n + 1,
								 OidOutputFunctionCall(out, pv->values[n]), source,
								 get_rel_name(rte->relid),
								 get_attname(rte->relid, var->varattno, false));
			}
		}
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, param_values_walker, pv, 0);
	return expression_tree_walker(node, param_values_walker, pv);
}

/*
 * Give each $n of the (single, plain SELECT) query a value; NULL (and *why)
 * when one has none.
 */
static ParamListInfo
representative_params(Query *q, Oid *types, int nparams, StringInfo said,
					  const char **why)
{
	ParamValues pv;
	ParamListInfo params;

	if (nparams == 0)
		return NULL;
	pv.query = q;
	pv.nparams = nparams;
	pv.types = types;
	pv.values = palloc0(sizeof(Datum) * nparams);
	pv.found = palloc0(sizeof(bool) * nparams);
	pv.said = said;
	(void) query_tree_walker(pv.query, param_values_walker, &pv, 0);
	params = makeParamList(nparams);
	for (int i = 0; i < nparams; i++)
	{
		if (!pv.found[i])
		{
			*why = psprintf("no representative value for $%d (compare it with a column that has statistics: ANALYZE)", i + 1);
			return NULL;
		}
		params->params[i].value = pv.values[i];
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
		params = representative_params(linitial_node(Query, queries), types,
									   nparams, &said, &why);
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
