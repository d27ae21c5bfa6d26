/*-------------------------------------------------------------------------
 *
 * advise.c
 *		idx_advise(queries, budget, max_indexes) and the statements of
 *		idx_advise_workload(): which indexes to build, chosen by the
 *		planner over hypothetical indexes, ready for idx_apply.
 *
 * Design.  Each query is analysed once, as the role it belongs to (the
 * caller for idx_advise, the statement's author for the workload), and
 * planned many times as ia_planning_role() says, under
 * SECURITY_RESTRICTED_OPERATION, inside one subtransaction that is always
 * rolled back.  A query with $n parameters is planned generically and with
 * representative values from pg_statistic (a middle most-common value for
 * "col = $n", the 10th/90th percentile for a range; LIMIT $n = 10); its
 * cost is the mean of the two.  Candidates come from the queries
 * (advise_candidates.c) and are made visible to the planner as
 * hypothetical indexes (advise_hypo.c) only around our own planner calls.
 * Costs are memoised per (query, candidates on the tables it reads).
 *
 * Selection is greedy: each round adds the candidate with the largest
 * weighted cost reduction (per byte when there is a budget) over the
 * queries it helps (a query is helped when its cost drops by 5 % or
 * more), then drops earlier picks that no longer help; a pick that
 * idx_apply would refuse as a duplicate (definition.c's rule) is skipped.
 * Until max_indexes picks, the budget, or nothing helps.
 *
 * Rules.  A workload statement is planned only when the caller has the
 * privileges of its author (has_privs_of_role), and never as a role with
 * more privileges than the author (verify.c).  Nothing is ever executed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

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
#include "verify.h"
#include "verify_internal.h"

#define IA_HYPO_OID_BASE	((Oid) 4294900000U)
#define IA_MIN_GAIN			0.05	/* a query is helped at -5 % */
#define IA_MIN_GAIN_COST	10.0	/* and at least this many cost units */
#define IA_MAX_CANDIDATES	400
#define IA_MAX_STATEMENTS	1000

typedef struct AdvQuery
{
	int			qno;
	char	   *text;
	Oid			role;			/* analysed as */
	Oid			planner;		/* planned as */
	double		weight;
	List	   *trees;			/* rewritten Query list */
	ParamListInfo rep;			/* representative $n values, or NULL */
	char	   *rep_note;
	List	   *relids;
	double		base;			/* cost without candidates */
	double		cur;			/* cost with the current picks */
	char	   *reason;			/* why no index helps (when none does) */
	char	   *notes;			/* what the query cannot get, e.g. pg_trgm */
	bool		ok;
} AdvQuery;

typedef struct MemoEntry
{
	char		key[256];
	double		cost;
	Bitmapset  *used;			/* candidate ids the plans use */
} MemoEntry;

typedef struct AdvState
{
	List	   *queries;		/* AdvQuery, ok ones */
	List	   *cands;			/* IaCand */
	HTAB	   *memo;
	Oid			caller;			/* the calling role, with outer_sec */
	int			outer_sec;
	MemoryContext plan_cxt;
	double		mean_weight;
	int			skipped[5];
} AdvState;

enum
{
	SKIP_UTILITY, SKIP_NOT_YOURS, SKIP_TEMP, SKIP_FAILS, SKIP_OTHER_DB
};

/* ---------------------------------------------------------------------
 * Planning
 * ---------------------------------------------------------------------
 */
typedef struct PlanFacts
{
	Bitmapset  *used;			/* candidate ids */
	List	   *real;			/* names of existing indexes used */
	char	   *seqscan;		/* "a sequential scan ..." */
	List	   *rtable;
} PlanFacts;

static void walk_plan(Plan *plan, PlanFacts *f);

static void
note_index(Oid indexid, PlanFacts *f)
{
	if (indexid >= IA_HYPO_OID_BASE)
		f->used = bms_add_member(f->used, indexid - IA_HYPO_OID_BASE);
	else if (get_rel_name(indexid))
		f->real = list_append_unique(f->real, makeString(get_rel_name(indexid)));
}

/* "a sequential scan is cheaper: status = 'active' matches 75% of rows" */
static void
note_seqscan(SeqScan *s, PlanFacts *f)
{
	RangeTblEntry *rte = rt_fetch(s->scan.scanrelid, f->rtable);
	double		reltuples;
	double		pct;
	char	   *text;
	Node	   *qual;
	char	   *rel = get_rel_name(rte->relid);

	if (f->seqscan || rel == NULL)
		return;
	if (s->scan.plan.qual == NIL)
	{
		f->seqscan = psprintf("the query reads every row of %s", rel);
		return;
	}
	qual = (Node *) make_ands_explicit(copyObject(s->scan.plan.qual));
	ChangeVarNodes(qual, s->scan.scanrelid, 1, 0);
	{
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rte->relid));

		reltuples = 1;
		if (HeapTupleIsValid(tup))
		{
			reltuples = Max(((Form_pg_class) GETSTRUCT(tup))->reltuples, 1);
			ReleaseSysCache(tup);
		}
	}
	pct = Min(100.0, 100.0 * s->scan.plan.plan_rows / reltuples);
	text = deparse_expression(qual, deparse_context_for(rel, rte->relid),
							  false, false);
	if (pct >= 5)
		f->seqscan = psprintf("a sequential scan is cheaper: %s matches %.0f%% of rows of %s",
							  text, pct, rel);
	else
		f->seqscan = psprintf("no index the advisor can propose serves %s on %s",
							  text, rel);
}

static void
walk_list(List *plans, PlanFacts *f)
{
	ListCell   *lc;

	foreach(lc, plans)
		walk_plan(lfirst(lc), f);
}

static void
walk_plan(Plan *plan, PlanFacts *f)
{
	if (plan == NULL)
		return;
	check_stack_depth();
	switch (nodeTag(plan))
	{
		case T_IndexScan:
			note_index(((IndexScan *) plan)->indexid, f);
			break;
		case T_IndexOnlyScan:
			note_index(((IndexOnlyScan *) plan)->indexid, f);
			break;
		case T_BitmapIndexScan:
			note_index(((BitmapIndexScan *) plan)->indexid, f);
			break;
		case T_SeqScan:
			note_seqscan((SeqScan *) plan, f);
			break;
		case T_Append:
			walk_list(((Append *) plan)->appendplans, f);
			break;
		case T_MergeAppend:
			walk_list(((MergeAppend *) plan)->mergeplans, f);
			break;
		case T_BitmapAnd:
			walk_list(((BitmapAnd *) plan)->bitmapplans, f);
			break;
		case T_BitmapOr:
			walk_list(((BitmapOr *) plan)->bitmapplans, f);
			break;
		case T_SubqueryScan:
			walk_plan(((SubqueryScan *) plan)->subplan, f);
			break;
		case T_CustomScan:
			walk_list(((CustomScan *) plan)->custom_plans, f);
			break;
		default:
			break;
	}
	walk_plan(plan->lefttree, f);
	walk_plan(plan->righttree, f);
}

/* Plan q's trees once with the visible candidates "set"; total cost. */
static double
plan_once(AdvState *st, AdvQuery *q, List *set, ParamListInfo params,
		  PlanFacts *f)
{
	volatile double cost = 0;
	ListCell   *lc;

	SetUserIdAndSecContext(q->planner, st->outer_sec |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	ia_advise_hypo_set(set);
	PG_TRY();
	{
		foreach(lc, q->trees)
		{
			PlannedStmt *ps = pg_plan_query(copyObject(lfirst_node(Query, lc)),
											q->text, CURSOR_OPT_PARALLEL_OK,
											params);

			cost += ps->planTree->total_cost;
			if (f)
			{
				f->rtable = ps->rtable;
				walk_plan(ps->planTree, f);
				walk_list(ps->subplans, f);
			}
		}
	}
	PG_FINALLY();
	{
		ia_advise_hypo_set(NIL);
	}
	PG_END_TRY();
	SetUserIdAndSecContext(st->caller, st->outer_sec);
	return cost;
}

/* The candidates of "set" on tables q reads, and the memo key for them. */
static List *
relevant(AdvQuery *q, List *set, char *key)
{
	List	   *out = NIL;
	ListCell   *lc;
	int			len;

	len = snprintf(key, 256, "%d:", q->qno);
	foreach(lc, set)
	{
		IaCand	   *c = lfirst(lc);

		if (!list_member_oid(q->relids, c->relid))
			continue;
		out = lappend(out, c);
		if (len < 240)
			len += snprintf(key + len, 256 - len, "%d,", c->id);
	}
	return out;
}

static int
cand_id_cmp(const ListCell *a, const ListCell *b)
{
	return ((IaCand *) lfirst(a))->id - ((IaCand *) lfirst(b))->id;
}

/*
 * query_cost -- q's cost with the candidates "set" visible (memoised);
 * *used gets the ids of those its plans use.
 */
static double
query_cost(AdvState *st, AdvQuery *q, List *set, Bitmapset **used)
{
	char		key[256];
	List	   *rel;
	MemoEntry  *e;
	bool		found;
	PlanFacts	f = {0};
	MemoryContext old;
	double		cost;

	set = list_copy(set);
	list_sort(set, cand_id_cmp);
	rel = relevant(q, set, key);
	e = hash_search(st->memo, key, HASH_ENTER, &found);
	if (!found)
	{
		old = MemoryContextSwitchTo(st->plan_cxt);
		cost = plan_once(st, q, rel, NULL, &f);
		if (q->rep)
			cost = (cost + plan_once(st, q, rel, q->rep, &f)) / 2;
		MemoryContextSwitchTo(old);
		e->cost = cost;
		e->used = bms_copy(f.used);
		MemoryContextReset(st->plan_cxt);
	}
	if (used)
		*used = e->used;
	return e->cost;
}

/* ---------------------------------------------------------------------
 * Representative values of $n (pg_statistic)
 * ---------------------------------------------------------------------
 */
static bool
stat_value(Oid relid, AttrNumber attnum, int strategy, Oid type,
		   Datum *value)
{
	HeapTuple	tup;
	AttStatsSlot sslot;
	bool		found = false;
	int16		typlen;
	bool		typbyval;

	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
						  Int16GetDatum(attnum), BoolGetDatum(false));
	if (!HeapTupleIsValid(tup))
		return false;
	get_typlenbyval(type, &typlen, &typbyval);
	if (strategy == BTEqualStrategyNumber &&
		get_attstatsslot(&sslot, tup, STATISTIC_KIND_MCV, InvalidOid,
						 ATTSTATSSLOT_VALUES))
	{
		if (sslot.nvalues > 0 && sslot.valuetype == type)
		{
			*value = datumCopy(sslot.values[sslot.nvalues / 2], typbyval, typlen);
			found = true;
		}
		free_attstatsslot(&sslot);
	}
	if (!found &&
		get_attstatsslot(&sslot, tup, STATISTIC_KIND_HISTOGRAM, InvalidOid,
						 ATTSTATSSLOT_VALUES))
	{
		int			i = sslot.nvalues / 2;

		if (strategy == BTLessStrategyNumber || strategy == BTLessEqualStrategyNumber)
			i = sslot.nvalues / 10;
		else if (strategy != BTEqualStrategyNumber)
			i = sslot.nvalues - 1 - sslot.nvalues / 10;
		if (sslot.nvalues > 0 && sslot.valuetype == type)
		{
			*value = datumCopy(sslot.values[i], typbyval, typlen);
			found = true;
		}
		free_attstatsslot(&sslot);
	}
	ReleaseSysCache(tup);
	return found;
}

/* May role read the column (and so see its values in a note)? */
static bool
may_read_column(Oid relid, AttrNumber attnum, Oid role)
{
	return pg_class_aclcheck(relid, role, ACL_SELECT) == ACLCHECK_OK ||
		pg_attribute_aclcheck(relid, attnum, role, ACL_SELECT) == ACLCHECK_OK;
}

static char *
value_text(Datum v, Oid type)
{
	Oid			out;
	bool		varlena;
	char	   *s;
	char		cat;
	bool		pref;

	getTypeOutputInfo(type, &out, &varlena);
	s = OidOutputFunctionCall(out, v);
	get_type_category_preferred(type, &cat, &pref);
	return (cat == TYPCATEGORY_NUMERIC || cat == TYPCATEGORY_BOOLEAN) ?
		s : quote_literal_cstr(s);
}

/*
 * Values for the $n of q that are compared with a column the role may
 * read, and LIMIT $n = 10.  Sets q->rep and q->rep_note.
 */
static void
representative_values(AdvQuery *q, List *uses, Oid *ptypes, int nparams)
{
	ParamListInfo pl;
	StringInfoData note;
	ListCell   *lc;
	bool		any = false;
	Query	   *top = linitial_node(Query, q->trees);

	if (nparams == 0)
		return;
	pl = makeParamList(nparams);
	for (int i = 0; i < nparams; i++)
	{
		pl->params[i].ptype = ptypes[i];
		pl->params[i].isnull = true;
		pl->params[i].pflags = 0;
	}
	initStringInfo(&note);
	foreach(lc, uses)
	{
		IaRelUse   *u = lfirst(lc);
		ListCell   *lp;

		foreach(lp, u->params)
		{
			IaParamUse *p = lfirst(lp);
			ParamExternData *prm;

			if (p->paramno < 1 || p->paramno > nparams)
				continue;
			prm = &pl->params[p->paramno - 1];
			if ((prm->pflags & PARAM_FLAG_CONST) ||
				!may_read_column(p->relid, p->attnum, q->role) ||
				!stat_value(p->relid, p->attnum, p->strategy, prm->ptype,
							&prm->value))
				continue;
			prm->isnull = false;
			prm->pflags = PARAM_FLAG_CONST;
			appendStringInfo(&note, "%s$%d = %s", any ? ", " : "", p->paramno,
							 value_text(prm->value, prm->ptype));
			any = true;
		}
	}
	if (top->limitCount && IsA(top->limitCount, Param) &&
		((Param *) top->limitCount)->paramkind == PARAM_EXTERN &&
		((Param *) top->limitCount)->paramtype == INT8OID)
	{
		ParamExternData *prm = &pl->params[((Param *) top->limitCount)->paramid - 1];

		prm->value = Int64GetDatum(10);
		prm->isnull = false;
		prm->pflags = PARAM_FLAG_CONST;
		appendStringInfo(&note, "%s$%d = 10 (LIMIT)", any ? ", " : "",
						 ((Param *) top->limitCount)->paramid);
		any = true;
	}
	if (any)
	{
		q->rep = pl;
		q->rep_note = note.data;
	}
}

/* ---------------------------------------------------------------------
 * Preparing the queries
 * ---------------------------------------------------------------------
 */

/* the tables the rewritten queries read; true if one is temporary */
static bool
query_relids(List *uses, AdvQuery *q)
{
	ListCell   *lc;
	bool		temp = false;

	foreach(lc, uses)
	{
		IaRelUse   *u = lfirst(lc);

		q->relids = list_append_unique_oid(q->relids, u->relid);
		if (get_rel_persistence(u->relid) == RELPERSISTENCE_TEMP)
			temp = true;
	}
	return temp;
}

/* The notes of the table uses, once each, "; "-separated; NULL if none. */
static char *
use_notes(List *uses)
{
	StringInfoData s;
	List	   *seen = NIL;
	ListCell   *lc;
	ListCell   *ln;

	initStringInfo(&s);
	foreach(lc, uses)
	{
		foreach(ln, ((IaRelUse *) lfirst(lc))->notes)
		{
			if (list_member(seen, makeString(lfirst(ln))))
				continue;
			seen = lappend(seen, makeString(lfirst(ln)));
			appendStringInfo(&s, "%s%s", s.len ? "; " : "", (char *) lfirst(ln));
		}
	}
	return s.len ? s.data : NULL;
}

/* Is the statement one we can plan (not utility)? */
static bool
plannable_statement(const char *text)
{
	List	   *raw = raw_parser(text, RAW_PARSE_DEFAULT);
	Node	   *stmt;

	if (list_length(raw) != 1)
		return false;
	stmt = linitial_node(RawStmt, raw)->stmt;
	return (IsA(stmt, SelectStmt) && ((SelectStmt *) stmt)->intoClause == NULL) ||
		IsA(stmt, InsertStmt) || IsA(stmt, UpdateStmt) || IsA(stmt, DeleteStmt);
}

/*
 * Analyse q as its role, choose who plans it, find its candidate uses and
 * representative values, and cost it without candidates.  Runs in a
 * subtransaction of its own that is kept (its locks with it) when all went
 * well; an error is re-thrown when "rethrow", else counted as a skip.
 */
static List *
prepare_query(AdvState *st, AdvQuery *q, bool rethrow)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *volatile uses = NIL;
	volatile int skip = -1;
	PlanFacts	f = {0};

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		Oid		   *ptypes = NULL;
		int			nparams = 0;

		SetUserIdAndSecContext(q->role, st->outer_sec |
							   SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION);
		if (!plannable_statement(q->text))
			skip = SKIP_UTILITY;
		else
		{
			q->trees = ia_analyze_query(q->text, &ptypes, &nparams);
			uses = ia_advise_extract(q->trees, q->qno);
			q->notes = use_notes(uses);
			if (query_relids(uses, q))
				skip = SKIP_TEMP;
			else
			{
				q->planner = ia_planning_role(q->role, q->trees);
				representative_values(q, uses, ptypes, nparams);
				q->base = q->cur = plan_once(st, q, NIL, NULL, &f);
				if (q->rep)
					q->base = q->cur =
						(q->base + plan_once(st, q, NIL, q->rep, &f)) / 2;
				q->reason = f.real ?
					psprintf("existing index %s already serves this query",
							 strVal(linitial(f.real))) :
					f.seqscan;
			}
		}
		SetUserIdAndSecContext(st->caller, st->outer_sec);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ia_advise_hypo_set(NIL);
		if (rethrow || edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		{
			if (rethrow)
				edata->message = psprintf("query %d: %s", q->qno + 1,
										  edata->message);
			ReThrowError(edata);
		}
		skip = SKIP_FAILS;
		uses = NIL;
	}
	PG_END_TRY();
	if (skip >= 0)
	{
		st->skipped[skip]++;
		return NIL;
	}
	q->ok = true;
	return uses;
}

/* ---------------------------------------------------------------------
 * Selection
 * ---------------------------------------------------------------------
 */

/* Does a query's cost going from "from" to "to" count as help? */
static bool
helps(double from, double to)
{
	return from - to >= IA_MIN_GAIN * from && from - to >= IA_MIN_GAIN_COST;
}

/* Weighted cost reduction of "set" against "cur" over helped queries. */
static double
benefit(AdvState *st, List *set, Oid relid, bool commit)
{
	double		total = 0;
	ListCell   *lc;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);
		double		c;

		if (OidIsValid(relid) && !list_member_oid(q->relids, relid))
			continue;
		c = query_cost(st, q, set, NULL);
		elog(DEBUG2, "index_advisor: query %d: %.2f -> %.2f", q->qno + 1, q->cur, c);
		if (helps(q->cur, c))
			total += q->weight * (q->cur - c);
		if (commit)
			q->cur = c;
	}
	return total;
}

static double
cand_bytes(IaCand *c)
{
	return Max(c->est_pages, 1) * BLCKSZ;
}

/* Would idx_apply refuse c as covered by an existing or queued index? */
static bool
refused_as_duplicate(const char *definition)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool dup = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		(void) ia_resolve_definition(definition);
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(edata);
		dup = (edata->sqlerrcode == ERRCODE_DUPLICATE_OBJECT);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return dup;
}

/*
 * Is candidate c (score, gain b) better than best?  Clearly better scores
 * win; among nearly equal ones (2 %, or a few cost units of one query), the
 * clearly smaller, then the one with more key columns (it serves more
 * orders and prefixes), then the smaller.
 */
static bool
better(IaCand *c, double score, double b, IaCand *best, double best_score,
	   double best_b, double mean_weight)
{
	double		margin = IA_MIN_GAIN_COST * mean_weight;
	double		cb,
				bb;

	if (best == NULL)
		return true;
	if (score > best_score * 1.02 && b > best_b + margin)
		return true;
	if (score < best_score * 0.98 && b < best_b - margin)
		return false;
	cb = cand_bytes(c);
	bb = cand_bytes(best);
	if (cb < bb * 0.9 || bb < cb * 0.9)
		return cb < bb;
	if (list_length(c->keys) != list_length(best->keys))
		return list_length(c->keys) > list_length(best->keys);
	return cb < bb;
}

/* The best candidate to add to picks, or NULL; *gain its benefit. */
static IaCand *
best_candidate(AdvState *st, List *picks, List *refused, double room,
			   bool per_byte, double *gain)
{
	IaCand	   *best = NULL;
	double		best_score = 0;
	ListCell   *lc;

	foreach(lc, st->cands)
	{
		IaCand	   *c = lfirst(lc);
		List	   *set;
		double		b;
		double		score;

		if (list_member_ptr(picks, c) || list_member_ptr(refused, c))
			continue;
		set = lappend(list_copy(picks), c);
		b = benefit(st, set, c->relid, false);
		if (b <= 0 || (room >= 0 && cand_bytes(c) > room))
			continue;
		score = per_byte ? b / cand_bytes(c) : b;
		elog(DEBUG1, "index_advisor: candidate %d %s: benefit %.2f, %.0f bytes",
			 c->id, c->text, b, cand_bytes(c));
		if (better(c, score, b, best, best_score, *gain, st->mean_weight))
		{
			best = c;
			best_score = score;
			*gain = b;
		}
	}
	return best;
}

/* Drop earlier picks that the last one made useless. */
static List *
drop_useless(AdvState *st, List *picks)
{
	ListCell   *lc;

	foreach(lc, picks)
	{
		IaCand	   *c = lfirst(lc);
		List	   *without;
		bool		needed = false;
		ListCell   *lq;

		if (lnext(picks, lc) == NULL)
			break;				/* the last pick */
		without = list_delete_ptr(list_copy(picks), c);
		foreach(lq, st->queries)
		{
			AdvQuery   *q = lfirst(lq);
			double		with_c;
			double		wo;

			if (!list_member_oid(q->relids, c->relid))
				continue;
			with_c = query_cost(st, q, picks, NULL);
			wo = query_cost(st, q, without, NULL);
			if (helps(wo, with_c))
				needed = true;
		}
		if (!needed)
			picks = foreach_delete_current(picks, lc);
	}
	return picks;
}

static double workload_cost(AdvState *st, List *set);

/* The picks in the order that lowers the workload's cost fastest. */
static List *
rank_picks(AdvState *st, List *picks)
{
	List	   *ranked = NIL;

	while (list_length(ranked) < list_length(picks))
	{
		IaCand	   *best = NULL;
		double		best_cost = 0;
		ListCell   *lc;

		foreach(lc, picks)
		{
			IaCand	   *c = lfirst(lc);
			double		cost;

			if (list_member_ptr(ranked, c))
				continue;
			cost = workload_cost(st, lappend(list_copy(ranked), c));
			if (best == NULL || cost < best_cost)
			{
				best = c;
				best_cost = cost;
			}
		}
		ranked = lappend(ranked, best);
	}
	return ranked;
}

/* Greedy selection under the budget (bytes, -1 = none) and max_indexes. */
static List *
select_indexes(AdvState *st, int64 budget, int max_indexes)
{
	List	   *picks = NIL;
	List	   *refused = NIL;
	ListCell   *lc;
	int			rounds = 0;

	while (list_length(picks) < max_indexes && rounds++ < 2 * max_indexes + 10)
	{
		double		used = 0;
		double		gain = 0;
		IaCand	   *best;

		foreach(lc, picks)
			used += cand_bytes(lfirst(lc));
		best = best_candidate(st, picks, refused,
							  budget >= 0 ? budget - used : -1,
							  budget >= 0, &gain);
		if (best == NULL)
			break;
		if (refused_as_duplicate(best->text))
		{
			refused = lappend(refused, best);
			continue;
		}
		picks = lappend(picks, best);
		picks = drop_useless(st, picks);
		foreach(lc, st->queries)
			((AdvQuery *) lfirst(lc))->cur =
				query_cost(st, lfirst(lc), picks, NULL);
	}
	return rank_picks(st, picks);
}

/* ---------------------------------------------------------------------
 * What the rows say
 * ---------------------------------------------------------------------
 */

/* Does existing index irel hold nothing but a prefix of c's keys? */
static bool
is_prefix_of(Relation irel, IaCand *c)
{
	Form_pg_index ix = irel->rd_index;
	Node	   *cpred = c->pred ? eval_const_expressions(NULL, copyObject(c->pred)) : NULL;
	int			i;

	if (!ix->indisvalid || ix->indisunique || ix->indisprimary ||
		ix->indisexclusion || irel->rd_rel->relam != c->amid ||
		ix->indnkeyatts > list_length(c->keys) ||
		OidIsValid(get_index_constraint(RelationGetRelid(irel))) ||
		RelationGetIndexExpressions(irel) != NIL ||
		!equal(RelationGetIndexPredicate(irel),
			   cpred ? make_ands_implicit((Expr *) cpred) : NIL))
		return false;
	for (i = 0; i < ix->indnatts; i++)
	{
		AttrNumber	att = ix->indkey.values[i];

		if (i < ix->indnkeyatts)
		{
			IaCandKey  *k = list_nth(c->keys, i);
			int16		opt = (k->desc ? INDOPTION_DESC : 0) |
				(k->nulls_first ? INDOPTION_NULLS_FIRST : 0);
			Oid			opc;

			if (k->attnum == 0 || k->attnum != att || k->opclass ||
				irel->rd_indoption[i] != opt)
				return false;
			opc = GetDefaultOpClass(get_atttype(c->relid, att), c->amid);
			if (irel->rd_opfamily[i] != get_opclass_family(opc))
				return false;
		}
		else
		{
			ListCell   *lc;
			bool		found = list_member_int(c->include, att);

			foreach(lc, c->keys)
				found |= ((IaCandKey *) lfirst(lc))->attnum == att;
			if (!found)
				return false;
		}
	}
	return true;
}

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

		if (is_prefix_of(irel, c))
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

/* Notes: values that stood for $n, VACUUM, literal predicates, HOT. */
static char *
pick_note(IaCand *c, List *helped)
{
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
			appendStringInfo(&s, "%splanned generically and with %s",
							 s.len ? "; " : "", q->rep_note);
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
	if (c->literal_pred)
		appendStringInfo(&s, "%shelps only with literal values like %s (a $n parameter in its place cannot use a partial index)",
						 s.len ? "; " : "", quote_literal_cstr(c->pred_literal));
	tab = pgstat_fetch_stat_tabentry(c->relid);
	if (tab && tab->tuples_updated >= 1000 &&
		tab->tuples_hot_updated * 2 >= tab->tuples_updated)
		appendStringInfo(&s, "%scolumn is updated often: fewer HOT updates (%lld updates, %.0f%% HOT, are no longer HOT when they change an indexed column)",
						 s.len ? "; " : "", (long long) tab->tuples_updated,
						 100.0 * tab->tuples_hot_updated / tab->tuples_updated);
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

static double
workload_cost(AdvState *st, List *set)
{
	double		total = 0;
	ListCell   *lc;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);

		total += q->weight * (set ? query_cost(st, q, set, NULL) : q->base);
	}
	return total;
}

#define ADV_COLS 9

/* One row per pick, or one row saying why there is none. */
static void
emit_rows(AdvState *st, List *picks, ReturnSetInfo *rsinfo)
{
	Datum		v[ADV_COLS];
	bool		nulls[ADV_COLS];
	double		before = workload_cost(st, NIL);
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

			(void) query_cost(st, q, picks, &used);
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
		v[3] = Int64GetDatum((int64) cand_bytes(c));
		nulls[4] = (qa == NULL);
		v[4] = qa ? makeArrayResult(qa, CurrentMemoryContext) : (Datum) 0;
		v[5] = Float8GetDatum(before);
		v[6] = Float8GetDatum(workload_cost(st, sofar));
		v[7] = replaced_indexes(c, &nulls[7]);
		note = pick_note(c, helped);
		nulls[8] = (note == NULL);
		v[8] = note ? CStringGetTextDatum(note) : (Datum) 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	if (picks == NIL)
	{
		StringInfoData s;

		initStringInfo(&s);
		foreach(lc, st->queries)
		{
			AdvQuery   *q = lfirst(lc);

			if (list_length(st->queries) > 1)
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
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
}

/* ---------------------------------------------------------------------
 * The run
 * ---------------------------------------------------------------------
 */
static const char *const skip_reasons[] = {
	"utility statements", "statements of roles whose privileges you do not have",
	"statements on temporary tables", "statements that fail to plan",
	"statements of other databases"
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

/* Candidates from every query's uses; at most IA_MAX_CANDIDATES. */
static List *
make_candidates(List *uses)
{
	int			nextid = 0;
	List	   *cands = ia_advise_generate(uses, &nextid);
	ListCell   *lc;

	if (list_length(cands) > IA_MAX_CANDIDATES)
		cands = list_truncate(cands, IA_MAX_CANDIDATES);
	foreach(lc, cands)
	{
		IaCand	   *c = lfirst(lc);

		c->fakeoid = IA_HYPO_OID_BASE + c->id;
	}
	return cands;
}

/* Everything, in one subtransaction that is rolled back. */
static void
advise_in_subxact(AdvState *st, List *qs, int64 budget, int max_indexes,
				  bool workload, ReturnSetInfo *rsinfo)
{
	List	   *uses = NIL;
	ListCell   *lc;
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = 256;
	ctl.entrysize = sizeof(MemoEntry);
	ctl.hcxt = CurrentMemoryContext;
	st->memo = hash_create("index_advisor advise memo", 1024, &ctl,
						   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	st->plan_cxt = AllocSetContextCreate(CurrentMemoryContext,
										 "index_advisor advise plans",
										 ALLOCSET_DEFAULT_SIZES);
	foreach(lc, qs)
	{
		AdvQuery   *q = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		uses = list_concat(uses, prepare_query(st, q, !workload));
		if (q->ok)
			st->queries = lappend(st->queries, q);
	}
	foreach(lc, st->queries)
		st->mean_weight += ((AdvQuery *) lfirst(lc))->weight /
			list_length(st->queries);
	st->cands = make_candidates(uses);
	emit_rows(st, select_indexes(st, budget, max_indexes), rsinfo);
}

static void
advise_run(FunctionCallInfo fcinfo, List *qs, int64 budget, int max_indexes,
		   bool workload, int64 other_databases, int not_yours)
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
	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(caller, "index_advisor advise",
								 ALLOCSET_DEFAULT_SIZES);
	GetUserIdAndSecContext(&save_user, &st.outer_sec);
	st.caller = save_user;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(work);
	PG_TRY();
	{
		advise_in_subxact(&st, qs, budget, max_indexes, workload, rsinfo);
		MemoryContextSwitchTo(caller);
		RollbackAndReleaseCurrentSubTransaction();
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ia_advise_hypo_set(NIL);
		MemoryContextSwitchTo(caller);
		RollbackAndReleaseCurrentSubTransaction();
		CurrentResourceOwner = owner;
		PG_RE_THROW();
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_user, st.outer_sec);
	if (workload)
		report_skipped(&st);
	MemoryContextDelete(work);
}

static void
check_limits(int64 budget, int max_indexes)
{
	if (budget < -1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget must be a number of bytes, not %lld",
						(long long) budget),
				 errhint("Pass NULL for no budget.")));
	if (max_indexes < 1 || max_indexes > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_indexes must be between 1 and 100, not %d",
						max_indexes)));
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
 *            max_indexes int DEFAULT 10) RETURNS SETOF record
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
	int64		budget = PG_ARGISNULL(1) ? -1 : PG_GETARG_INT64(1);
	int			max_indexes = PG_ARGISNULL(2) ? 10 : PG_GETARG_INT32(2);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("queries must not be null"),
				 errhint("Pass the queries the indexes are for, for example ARRAY['SELECT ...'].")));
	if (!PG_ARGISNULL(1) && budget < 0)
		budget = -2;
	check_limits(budget, max_indexes);
	arr = PG_GETARG_ARRAYTYPE_P(0);
	if (ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no queries to advise on"),
				 errhint("Pass at least one query.")));
	ia_check_queries(arr);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		qs = lappend(qs, new_query(i, TextDatumGetCString(elems[i]),
								   GetUserId(), 1.0));
	advise_run(fcinfo, qs, budget, max_indexes, false, 0, 0);
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
 * temporary tables and those that fail to plan (a NOTICE says how many).
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
	int64		budget = PG_ARGISNULL(3) ? -1 : PG_GETARG_INT64(3);
	int			max_indexes = PG_ARGISNULL(4) ? 10 : PG_GETARG_INT32(4);

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("queries, roles and weights must not be null")));
	if (!PG_ARGISNULL(3) && budget < 0)
		budget = -2;
	check_limits(budget, max_indexes);
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
	if (n > IA_MAX_STATEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot advise on more than %d statements at once",
						IA_MAX_STATEMENTS),
				 errhint("Ask for fewer top statements.")));
	for (int i = 0; i < n; i++)
	{
		Oid			role = rn[i] ? InvalidOid : DatumGetObjectId(roles[i]);

		if (tn[i] || !OidIsValid(role) ||
			!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)) ||
			!has_privs_of_role(GetUserId(), role))
		{
			not_yours++;
			continue;
		}
		qs = lappend(qs, new_query(i, TextDatumGetCString(texts[i]), role,
								   wn[i] ? 1.0 : Max(DatumGetFloat8(weights[i]), 1.0)));
	}
	advise_run(fcinfo, qs, budget, max_indexes, true,
			   PG_ARGISNULL(5) ? 0 : PG_GETARG_INT64(5), not_yours);
	return (Datum) 0;
}
