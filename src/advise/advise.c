/*-------------------------------------------------------------------------
 *
 * advise.c
 *		idx_advise(queries, budget, max_indexes) and the statements of
 *		idx_advise_workload(): which indexes to build, chosen by the
 *		planner over hypothetical indexes, ready for idx_apply.  This file
 *		holds the SQL functions, the run and the rows; advise_plan.c the
 *		costing and the selection.
 *
 * Design.  Each query is analysed once, as the role it belongs to (the
 * caller for idx_advise, the statement's author for the workload), and
 * planned many times as ia_planning_role() says, under
 * SECURITY_RESTRICTED_OPERATION, inside one subtransaction that is always
 * rolled back.  A query with $n parameters is planned generically and with
 * representative values from pg_statistic (a middle most-common value for
 * "col = $n", the 10th/90th percentile for a range; LIMIT $n = 10); its
 * cost is the mean of the two.  Candidates come from the queries
 * (advise_candidates.c); each becomes a hypothetical index of the one
 * engine (hypo.c: resolved as idx_apply resolves a definition, except that
 * the caller need not own the table; sized by its model), visible to the
 * planner only inside ia_plan_prepared() (plan_prepared.c).  Costs are
 * memoised per (query, candidates on the tables it reads).  A pick that
 * idx_apply would refuse to the caller (not the owner: 42501) says so in
 * its note.
 *
 * Selection is greedy: each round adds the candidate with the largest
 * weighted cost reduction over the queries it helps (a query is helped
 * when its cost drops by 5 % or more), less what it adds to queries it
 * makes dearer; under a budget, the largest joint gain per byte instead
 * (advise_select.c, joint_gain(): the factor by which the total falls
 * plus the weighted mean factor by which each query's cost falls, in
 * logs, so a lookup cut 100-fold counts as a report cut 100-fold, and the
 * geometric mean of cost falls with the total); nearly equal ones
 * go to the one that leaves its queries clearly cheaper relative to their
 * cost.  The arms of an OR come together.  Then every pick that no longer
 * helps, or without which the workload costs no more, is dropped (a pick
 * that would drop an earlier one so must beat it clearly, by the same
 * near-tie rule, or it is passed over: the advice must not move with the
 * ANALYZE sample); a pick
 * that idx_apply would refuse as a duplicate (definition/duplicates.c's rule) is
 * skipped.  Until max_indexes picks, the budget, or nothing helps.
 * Without a budget each pick must pay for its bytes (advise_pay.c): over
 * the statements it helps, their cost times the bytes of the indexes
 * serving them on its table must fall, and of two candidates of a table
 * the one that leaves that product lower is preferred; a wider index that
 * does not pay is named in the note of the pick it would widen.
 * Under a budget, a candidate that gains twice as much per byte is
 * clearly better, and an exchange pass follows (a local search of the
 * knapsack): each pick taken out in turn, the largest joint gain the
 * freed bytes let in put in, the rest refilled per byte; then pairs of picks
 * (at most IA_EXCHANGE_PAIRS, only those whose bytes together let in a
 * candidate neither alone does, on tables its statements read) traded
 * the same way for one candidate.  A trade is kept when the workload's
 * total times its geometric mean of cost falls clearly (1 %), the
 * greedy's own measure (advise_exchange.c, trade_wins()).  The picks are then
 * judged on exact plannings, none of the memo's shortcuts (drop_harmful):
 * a pick without which the workload costs no more is dropped, and under
 * a budget the bytes it frees are filled again (advise_final.c).  Without
 * a budget, two picks one index can serve are first merged into it when
 * that pays (advise_merge.c).  A
 * candidate that an existing index already serves (its keys that index's
 * first keys: the `replaces` rule read the other way round) is none
 * (make_candidates).
 *
 * Rules.  A workload statement is planned only when the caller has the
 * privileges of its author (has_privs_of_role), and never as a role with
 * more privileges than the author (verify.c).  Nothing is ever executed.
 * No code of a statement runs as the caller: what its candidates are drawn
 * from is folded once, as its planning role (advise_plan.c: fold_uses),
 * candidates are resolved as written (definition/resolve.c) and sized as the author
 * and planning role of the statement they were drawn from (advise_size.c;
 * a candidate that cannot be sized is left out, with a note); existing
 * indexes' expressions are folded as their table's owner
 * (ia_index_folded_form).
 * idx_advise_statements is bounded as idx_advise is (max_queries_per_index,
 * max_query_bytes: definition/queries.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/regproc.h"
#include "pgstat.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "access/genam.h"
#include "access/table.h"
#include "utils/rel.h"

#include "index_advisor.h"
#include "ia_advise.h"
#include "ia_definition.h"
#include "ia_queue.h"
#include "ia_check.h"
#include "ia_plan.h"
#include "advise_internal.h"

/* ---------------------------------------------------------------------
 * What the rows say
 * ---------------------------------------------------------------------
 */

/* Existing indexes that c makes redundant: names, as text[] or NULL. */
static Datum
replaced_indexes(IaCand *c, bool *isnull)
{
	Relation	rel = table_open(c->relid, AccessShareLock);
	List	   *oids = RelationGetIndexList(rel);
	ArrayBuildState *astate = NULL;
	ListCell   *lc;

	foreach(lc, oids)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);

		if (ia_advise_is_prefix_of(irel, c))
			astate = accumArrayResult(astate,
									  CStringGetTextDatum(RelationIsVisible(lfirst_oid(lc)) ?
														  quote_identifier(RelationGetRelationName(irel)) :
														  quote_qualified_identifier(get_namespace_name(RelationGetNamespace(irel)),
																					 RelationGetRelationName(irel))),
									  false, TEXTOID, CurrentMemoryContext);
		index_close(irel, AccessShareLock);
	}
	table_close(rel, AccessShareLock);
	*isnull = (astate == NULL);
	return astate ? makeArrayResult(astate, CurrentMemoryContext) : (Datum) 0;
}

/* Notes: values that stood for $n, VACUUM, literal predicates, HOT, a
 * wider index that would not pay for its bytes. */
static char *
pick_note(AdvState *st, List *picks, IaCand *c, List *helped)
{
	char	   *wider = ia_advise_wider_note(st, picks, c);

	StringInfoData s;
	ListCell   *lc;
	HeapTuple	tup;
	PgStat_StatTabEntry *tab;

	initStringInfo(&s);
	foreach(lc, helped)
	{
		AdvQuery   *q = lfirst(lc);

		if (q->rep_note)
		{
			appendStringInfo(&s, "%s%s", s.len ? "; " : "", q->rep_note);
			break;
		}
	}
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(c->relid));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_class rc = (Form_pg_class) GETSTRUCT(tup);

		if (c->include && rc->relpages > 0 && rc->relallvisible < rc->relpages / 2)
			appendStringInfo(&s, "%sindex-only scans need a recent VACUUM (%.0f%% of %s is all-visible)",
							 s.len ? "; " : "",
							 100.0 * rc->relallvisible / rc->relpages,
							 NameStr(rc->relname));
		ReleaseSysCache(tup);
	}
	if (c->apply_refusal)
		appendStringInfo(&s, "%s%s", s.len ? "; " : "", c->apply_refusal);
	if (c->literal_pred)
		appendStringInfo(&s, "%shelps only with literal values like %s (a $n parameter in its place cannot use a partial index)",
						 s.len ? "; " : "", quote_literal_cstr(c->pred_literal));
	if (c->hot_loss)
		appendStringInfo(&s, "%s%s", s.len ? "; " : "", c->hot_loss);
	tab = pgstat_fetch_stat_tabentry(c->relid);
	if (tab && tab->tuples_updated >= 1000 &&
		tab->tuples_hot_updated * 2 >= tab->tuples_updated)
		appendStringInfo(&s, "%scolumn is updated often: fewer HOT updates (%lld updates, %.0f%% HOT, are no longer HOT when they change an indexed column)",
						 s.len ? "; " : "", (long long) tab->tuples_updated,
						 100.0 * tab->tuples_hot_updated / tab->tuples_updated);
	if (wider)
		appendStringInfo(&s, "%s%s", s.len ? "; " : "", wider);
	return s.len ? s.data : NULL;
}

/* "CREATE INDEX name ON ...", the name PostgreSQL would choose and not one
 * of the earlier rows'. */
static char *
named_definition(IaCand *c, List **names)
{
	char	   *name = ia_choose_index_name(c->relid, ia_parse_index_stmt(c->text));
	char	   *base = name;

	for (int i = 1; list_member(*names, makeString(name)); i++)
		name = psprintf("%s%d", base, i);
	*names = lappend(*names, makeString(name));
	return psprintf("CREATE INDEX %s ON %s", quote_identifier(name),
					c->text + strlen("CREATE INDEX ON "));
}

#define ADV_COLS 9

/* A row per query that could not be advised: the query, its error. */
static void
emit_failed_rows(AdvState *st, ReturnSetInfo *rsinfo)
{
	Datum		v[ADV_COLS];
	bool		nulls[ADV_COLS];
	ListCell   *lc;

	foreach(lc, st->failed)
	{
		AdvQuery   *q = lfirst(lc);
		Datum		text = CStringGetTextDatum(q->text);
		char	   *prefix = psprintf("query %d: ", q->qno + 1);
		char	   *error = q->error;
		char	   *at = strstr(error, prefix);

		/* "42P01: query 2: relation ..." -> "42P01: relation ..." */
		if (at == error + 7)
			error = psprintf("%.7s%s", error, at + strlen(prefix));

		memset(nulls, true, sizeof(nulls));
		nulls[4] = nulls[8] = false;
		v[4] = PointerGetDatum(construct_array(&text, 1, TEXTOID, -1, false,
											   TYPALIGN_INT));
		v[8] = CStringGetTextDatum(psprintf("query %d could not be advised: %s",
											q->qno + 1, error));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
}

/*
 * One row per pick, or one row saying why there is none; then the drop
 * rows (advise_drops.c) and the rows of queries that could not be advised.
 */
static void
emit_rows(AdvState *st, List *picks, bool workload, ReturnSetInfo *rsinfo)
{
	Datum		v[ADV_COLS];
	bool		nulls[ADV_COLS];
	double		before = ia_advise_workload_cost(st, NIL);
	List	   *names = NIL;
	ListCell   *lc;
	int			rank = 0;

	foreach(lc, picks)
	{
		IaCand	   *c = lfirst(lc);
		List	   *sofar = list_copy_head(picks, rank + 1);
		ArrayBuildState *qa = NULL;
		List	   *helped = NIL;
		ListCell   *lq;
		char	   *note;

		foreach(lq, st->queries)
		{
			AdvQuery   *q = lfirst(lq);
			Bitmapset  *used = NULL;

			(void) ia_advise_query_cost(st, q, picks, &used);
			if (!bms_is_member(c->id, used) ||
				list_length(helped) >= ia_max_queries_per_index())
				continue;
			helped = lappend(helped, q);
			qa = accumArrayResult(qa, CStringGetTextDatum(q->text), false,
								  TEXTOID, CurrentMemoryContext);
		}
		memset(nulls, 0, sizeof(nulls));
		v[0] = Int32GetDatum(++rank);
		v[1] = CStringGetTextDatum(named_definition(c, &names));
		v[2] = CStringGetTextDatum(get_rel_name(c->relid));
		v[3] = Int64GetDatum((int64) ia_advise_cand_bytes(c));
		nulls[4] = (qa == NULL);
		v[4] = qa ? makeArrayResult(qa, CurrentMemoryContext) : (Datum) 0;
		v[5] = Float8GetDatum(before);
		v[6] = Float8GetDatum(ia_advise_workload_cost(st, sofar));
		v[7] = replaced_indexes(c, &nulls[7]);
		note = pick_note(st, picks, c, helped);
		nulls[8] = (note == NULL);
		v[8] = note ? CStringGetTextDatum(note) : (Datum) 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	if (picks == NIL)
	{
		StringInfoData s;
		int			statements = 0;

		foreach(lc, st->queries)
			if (((AdvQuery *) lfirst(lc))->twin_of == NULL)
				statements++;
		initStringInfo(&s);
		foreach(lc, st->queries)
		{
			AdvQuery   *q = lfirst(lc);

			if (q->twin_of)
				continue;		/* its statement says it */
			if (statements > 1)
				appendStringInfo(&s, "%squery %d: ", s.len ? "; " : "", q->qno + 1);
			else if (s.len)
				appendStringInfoString(&s, "; ");
			appendStringInfoString(&s, q->reason ? q->reason :
								   "no index lowers the cost of this query by 5% or more");
			if (q->notes)
				appendStringInfo(&s, "; %s", q->notes);
		}
		if (st->queries == NIL)
			appendStringInfoString(&s, "no statement could be planned");
		memset(nulls, true, sizeof(nulls));
		nulls[5] = nulls[6] = nulls[8] = false;
		v[5] = v[6] = Float8GetDatum(before);
		v[8] = CStringGetTextDatum(s.data);
		if (st->queries != NIL || st->failed == NIL)
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	ia_advise_emit_drops(st, picks, names, workload, rsinfo);
	emit_failed_rows(st, rsinfo);
}

/* ---------------------------------------------------------------------
 * The run
 * ---------------------------------------------------------------------
 */
static const char *const skip_reasons[] = {
	"utility statements", "statements of roles whose privileges you do not have",
	"statements on temporary tables", "statements that fail to plan",
	"statements of other databases",
	"statements longer than index_advisor.max_query_bytes"
};

static void
report_skipped(AdvState *st)
{
	StringInfoData s;
	int			total = 0;

	initStringInfo(&s);
	for (int i = 0; i < (int) lengthof(skip_reasons); i++)
	{
		if (st->skipped[i] == 0)
			continue;
		appendStringInfo(&s, "%s%d %s", s.len ? ", " : "", st->skipped[i],
						 skip_reasons[i]);
		total += st->skipped[i];
	}
	if (total > 0)
		ereport(NOTICE,
				(errmsg("idx_advise_workload skipped %d statement%s: %s",
						total, total == 1 ? "" : "s", s.data)));
}

/* Candidates from every query's uses, less those an existing index
 * already serves (ia_advise_served_by_existing); at most IA_MAX_CANDIDATES. */
static List *
make_candidates(List *uses)
{
	int			nextid = 0;
	List	   *cands = ia_advise_generate(uses, &nextid);
	ListCell   *lc;

	foreach(lc, cands)
		if (ia_advise_served_by_existing(lfirst(lc)))
			cands = foreach_delete_current(cands, lc);

	if (list_length(cands) > IA_MAX_CANDIDATES)
		cands = list_truncate(cands, IA_MAX_CANDIDATES);
	return ia_advise_make_hypos(cands);
}

static AdvQuery *new_query(int qno, char *text, Oid role, double weight);

/*
 * q's twin: the workload statement "text" with the rare values q->rare
 * bound into it (advise_plan.c, representative_values), numbered "qno"
 * (after every statement's: its costs are its own), prepared and added
 * to the queries when it plans; its uses, or NIL.  The twin stands for the
 * calls that send the rare values and q for the others: without a record
 * of the constants sent, each value of the column's most-common list is
 * taken as as likely as the others, so a twin of a status among three
 * weighs a third of q's calls and q keeps two thirds (the statement's
 * weight is shared, not counted twice).  A twin that fails is
 * left out silently (its statement is advised on as it stands).
 */
static List *
add_twin(AdvState *st, AdvQuery *q, char *text, int qno)
{
	double		share = 1;
	AdvQuery   *t;
	int			skipped[lengthof(st->skipped)];
	List	   *uses;
	ListCell   *lc;

	/* the calls that send the rare values, of all the statement's calls */
	foreach(lc, q->rare)
		share *= ((AdvRareValue *) lfirst(lc))->share;
	t = new_query(qno, text, q->role, q->weight * share);

	t->sent = q->sent;
	t->bind_rare = q->rare;
	t->twin_of = q;
	memcpy(skipped, st->skipped, sizeof(skipped));
	uses = ia_advise_prepare_query(st, t, true);
	memcpy(st->skipped, skipped, sizeof(skipped));
	if (!t->ok)
		return NIL;
	q->weight -= t->weight;
	st->queries = lappend(st->queries, t);
	return uses;
}

/* Everything, in one subtransaction that is rolled back. */
static void
advise_in_subxact(AdvState *st, List *qs, int64 budget, int max_indexes,
				  bool workload, ReturnSetInfo *rsinfo)
{
	List	   *uses = NIL;
	List	   *picks;
	ListCell   *lc;
	int			next_qno = 0;

	foreach(lc, qs)
		next_qno = Max(next_qno, ((AdvQuery *) lfirst(lc))->qno + 1);

	st->memo = ia_advise_memo_create();
	st->plan_cxt = AllocSetContextCreate(CurrentMemoryContext,
										 "index_advisor advise plans",
										 ALLOCSET_DEFAULT_SIZES);
	foreach(lc, qs)
	{
		AdvQuery   *q = lfirst(lc);
		char	   *text = q->text;

		CHECK_FOR_INTERRUPTS();
		if (q->error == NULL)
			uses = list_concat(uses, ia_advise_prepare_query(st, q, workload));
		/* a MERGE is not advised on, but what it updates counts (HOT) */
		if (!q->ok)
			uses = list_concat(uses, ia_advise_merge_sets(st, q, workload));
		if (q->ok)
			st->queries = lappend(st->queries, q);
		else if (q->error)
			st->failed = lappend(st->failed, q);
		if (q->ok && q->rare != NIL)
			uses = list_concat(uses, add_twin(st, q, text, next_qno++));
	}
	foreach(lc, st->queries)
		st->mean_weight += ((AdvQuery *) lfirst(lc))->weight /
			list_length(st->queries);
	st->cands = make_candidates(uses);
	ia_advise_size_candidates(st);
	picks = ia_advise_select(st, budget, max_indexes);
	if (budget < 0)
		picks = ia_advise_merge_picks(st, picks);
	emit_rows(st, ia_advise_final_picks(st, picks, budget, max_indexes),
			  workload, rsinfo);
	elog(DEBUG1, "index_advisor: %d queries, %d candidates, %d sets of candidates planned",
		 list_length(st->queries), list_length(st->cands), st->plannings);
}

static void
advise_run(FunctionCallInfo fcinfo, List *qs, int64 budget, int max_indexes,
		   bool workload, int64 other_databases, int not_yours,
		   int too_long)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MemoryContext work;
	AdvState	st;
	Oid			save_user;

	/* idx_apply's duplicate rule reads queued rows of idx_history */
	ia_queue_set_schema(get_func_namespace(fcinfo->flinfo->fn_oid));
	memset(&st, 0, sizeof(st));
	st.skipped[SKIP_OTHER_DB] = (int) other_databases;
	st.skipped[SKIP_NOT_YOURS] = not_yours;
	st.skipped[SKIP_TOO_LONG] = too_long;
	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(caller, "index_advisor advise",
								 ALLOCSET_DEFAULT_SIZES);
	GetUserIdAndSecContext(&save_user, &st.outer_sec);
	st.caller = save_user;
	ia_subxact_begin(work);
	PG_TRY();
	{
		advise_in_subxact(&st, qs, budget, max_indexes, workload, rsinfo);
		ia_subxact_end(caller, owner, false);
	}
	PG_CATCH();
	{
		ia_rethrow(ia_subxact_caught(caller, owner, false));
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_user, st.outer_sec);
	if (workload)
		report_skipped(&st);
	MemoryContextDelete(work);
}

/*
 * The budget (NULL: none, passed as has_budget false) and max_indexes as
 * given; the budget becomes -1 (none) or the number of bytes.
 */
static int64
check_limits(bool has_budget, int64 budget, int max_indexes)
{
	if (has_budget && budget < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget must be a number of bytes, not %lld",
						(long long) budget),
				 errhint("Pass NULL for no budget.")));
	if (max_indexes < 1 || max_indexes > IA_MAX_INDEXES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_indexes must be between 1 and %d, not %d",
						IA_MAX_INDEXES, max_indexes),
				 errhint("Pass NULL for no limit but the budget and the rule that each index pays for its bytes.")));
	return has_budget ? budget : -1;
}

/* "SQLSTATE: message (detail)" of the error caught in a subtransaction of
 * ours; a cancel is re-thrown */
static char *
caught_error(MemoryContext cxt, ResourceOwner owner)
{
	ErrorData  *edata = ia_subxact_caught(cxt, owner, true);

	return psprintf("%s: %s%s%s%s", unpack_sql_state(edata->sqlerrcode),
					edata->message, edata->detail ? " (" : "",
					edata->detail ? edata->detail : "",
					edata->detail ? ")" : "");
}

/*
 * The queries checked as idx_apply checks stored queries (ia_check_queries:
 * limits, one DML statement, planned as the caller with the executor's
 * privilege checks).  When one fails, each is checked alone, the others
 * standing in as "SELECT 1" so that its number and the array's size stay
 * the same, and a query that fails gets its error in q->error (a row of
 * its own) instead of failing the call; more queries than the limit still
 * fail the call, and so does a cancel.
 */
static void
check_queries(ArrayType *arr, List *qs)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	int			n = list_length(qs);
	volatile bool all_ok = true;
	Datum	   *one;
	ListCell   *lc;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		ia_check_queries(arr);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		(void) caught_error(cxt, owner);
		all_ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	if (all_ok)
		return;
	if (n > ia_max_queries_per_index())
		ia_check_queries(arr);
	one = palloc(sizeof(Datum) * n);
	foreach(lc, qs)
	{
		AdvQuery   *q = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < n; i++)
			one[i] = CStringGetTextDatum(i == q->qno ? q->text : "SELECT 1");
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			ia_check_queries(construct_array(one, n, TEXTOID, -1, false,
											 TYPALIGN_INT));
			ReleaseCurrentSubTransaction();
		}
		PG_CATCH();
		{
			q->error = caught_error(cxt, owner);
		}
		PG_END_TRY();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
}

static AdvQuery *
new_query(int qno, char *text, Oid role, double weight)
{
	AdvQuery   *q = palloc0(sizeof(AdvQuery));

	q->qno = qno;
	q->text = text;
	q->role = role;
	q->weight = weight;
	return q;
}

/*
 * idx_advise(queries text[], budget bigint DEFAULT NULL,
 *            max_indexes int DEFAULT NULL) RETURNS SETOF record
 *
 * The queries are checked as idx_apply checks stored queries (same limits,
 * same errors), then advised on with weight 1 each.
 */
PG_FUNCTION_INFO_V1(idx_advise);
Datum
idx_advise(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *qs = NIL;
	int64		budget;
	int			max_indexes = PG_ARGISNULL(2) ? IA_MAX_INDEXES : PG_GETARG_INT32(2);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("queries must not be null"),
				 errhint("Pass the queries the indexes are for, for example ARRAY['SELECT ...'].")));
	budget = check_limits(!PG_ARGISNULL(1),
						  PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1), max_indexes);
	arr = PG_GETARG_ARRAYTYPE_P(0);
	if (ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no queries to advise on"),
				 errhint("Pass at least one query.")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (nulls[i])
			ia_check_queries(arr);	/* its error: not a statement */
	for (int i = 0; i < n; i++)
		qs = lappend(qs, new_query(i, TextDatumGetCString(elems[i]),
								   GetUserId(), 1.0));
	check_queries(arr, qs);
	advise_run(fcinfo, qs, budget, max_indexes, false, 0, 0, 0);
	return (Datum) 0;
}

/*
 * idx_advise_statements(queries text[], roles oid[], weights float8[],
 *                       budget bigint, max_indexes int,
 *                       other_databases bigint) RETURNS SETOF record
 *
 * For idx_advise_workload(): statement i was run by roles[i], weights[i]
 * times.  A statement is planned only when the caller has the privileges
 * of its role, analysed as that role and planned as verify.c's rule says;
 * the others are counted and skipped, as are utility statements, those on
 * temporary tables, those that fail to plan and those longer than
 * index_advisor.max_query_bytes (a NOTICE says how many).  More statements
 * than index_advisor.max_queries_per_index are refused, as by idx_advise.
 * qual_stmts, qual_rels, qual_atts, qual_ops, qual_values (may be NULL): constants
 * the application sent (normalised.c: ia_attach_sent_values).
 */
PG_FUNCTION_INFO_V1(idx_advise_statements);
Datum
idx_advise_statements(PG_FUNCTION_ARGS)
{
	Datum	   *texts;
	Datum	   *roles;
	Datum	   *weights;
	bool	   *tn,
			   *rn,
			   *wn;
	int			n,
				nr,
				nw;
	List	   *qs = NIL;
	int			not_yours = 0;
	int			skipped_long = 0;
	int64		budget;
	int			max_indexes = PG_ARGISNULL(4) ? IA_MAX_INDEXES : PG_GETARG_INT32(4);

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("queries, roles and weights must not be null")));
	budget = check_limits(!PG_ARGISNULL(3),
						  PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3), max_indexes);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false,
					  TYPALIGN_INT, &texts, &tn, &n);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), OIDOID, sizeof(Oid), true,
					  TYPALIGN_INT, &roles, &rn, &nr);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), FLOAT8OID, sizeof(float8),
					  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &weights, &wn, &nw);
	if (nr != n || nw != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("queries, roles and weights must have the same length")));
	/* idx_advise's limits (definition/queries.c): the count refused as there, a
	 * statement too long to parse skipped and counted, unread */
	ia_check_query_count(n, true);
	for (int i = 0; i < n; i++)
	{
		Oid			role = rn[i] ? InvalidOid : DatumGetObjectId(roles[i]);

		if (!tn[i] && ia_query_too_long(texts[i]))
		{
			skipped_long++;
			continue;
		}
		if (tn[i] || !OidIsValid(role) ||
			!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)) ||
			!has_privs_of_role(GetUserId(), role))
		{
			not_yours++;
			continue;
		}
		if (!wn[i] && isinf(DatumGetFloat8(weights[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight %d must be a finite number", i + 1)));
		/* NULL, NaN or below 1 weighs 1 (Max takes 1.0 over NaN) */
		qs = lappend(qs, new_query(i, TextDatumGetCString(texts[i]), role,
								   wn[i] ? 1.0 : Max(DatumGetFloat8(weights[i]), 1.0)));
	}
	if (PG_NARGS() > 10 && !PG_ARGISNULL(6) && !PG_ARGISNULL(7) &&
		!PG_ARGISNULL(8) && !PG_ARGISNULL(9) && !PG_ARGISNULL(10))
		ia_attach_sent_values(qs, PG_GETARG_ARRAYTYPE_P(6),
							  PG_GETARG_ARRAYTYPE_P(7),
							  PG_GETARG_ARRAYTYPE_P(8),
							  PG_GETARG_ARRAYTYPE_P(9),
							  PG_GETARG_ARRAYTYPE_P(10));
	advise_run(fcinfo, qs, budget, max_indexes, true,
			   PG_ARGISNULL(5) ? 0 : PG_GETARG_INT64(5), not_yours,
			   skipped_long);
	return (Datum) 0;
}
