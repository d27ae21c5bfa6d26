/*-------------------------------------------------------------------------
 *
 * advise_plan.c
 *		The advisor's costing and selection (for advise.c): prepare each
 *		query (ia_prepare as its role: planned as verify.c's rule says),
 *		make each candidate a hypothetical index of the one engine
 *		(ia_hypo_from_definition_unowned), cost the queries over sets of
 *		them (ia_plan_prepared, memoised) with their sizes from the
 *		engine's model (ia_hypo_size_planned), and choose greedily under
 *		the budget.  The design and rules are in advise.c's header.
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
#include "pgstat.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "access/genam.h"
#include "access/table.h"
#include "utils/rel.h"

#include "index_advisor.h"
#include "ia_advise.h"
#include "ia_hypo.h"
#include "ia_definition.h"
#include "ia_queue.h"
#include "verify.h"
#include "verify_internal.h"
#include "advise_internal.h"

/* ---------------------------------------------------------------------
 * Planning
 * ---------------------------------------------------------------------
 */
typedef struct PlanFacts
{
	bool		why;			/* read the plans for real and seqscan */
	Bitmapset  *used;			/* candidate ids */
	List	   *real;			/* names of existing indexes used */
	char	   *seqscan;		/* "a sequential scan ..." */
	List	   *rtable;
} PlanFacts;


/* An existing index the plan uses (hypothetical ones have no name). */
static void
note_index(Oid indexid, PlanFacts *f)
{
	char	   *name = get_rel_name(indexid);

	if (name)
		f->real = list_append_unique(f->real, makeString(name));
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

/* A node of a plan (verify.c's walker visits them all): what it tells. */
static bool
visit_facts(Plan *plan, void *ctx)
{
	PlanFacts  *f = (PlanFacts *) ctx;

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
		default:
			break;
	}
	return false;				/* never stop: every node counts */
}

/*
 * Plan q once with the candidates "set" (IaCand) as hypothetical indexes of
 * the one engine (ia_plan_prepared: as q's planning role, in a
 * subtransaction rolled back); its total cost.  f, if not NULL, gets the ids
 * of the candidates the plans use, and, when f->why, what the plans say
 * (existing indexes used, a sequential scan), read as the planning role.
 */
static double
plan_once(AdvState *st, AdvQuery *q, List *set, ParamListInfo params,
		  PlanFacts *f)
{
	List	   *hypos = NIL;
	IaPlanned	out;
	ListCell   *lc;
	ListCell   *lu;

	foreach(lc, set)
		hypos = lappend(hypos, ((IaCand *) lfirst(lc))->hypo);
	ia_plan_prepared(q->prep, hypos, NIL, params,
					 (f && f->why) ? IA_PLAN_STMTS : 0, &out);
	if (f == NULL)
		return out.total_cost;
	foreach(lu, out.used_hypos)
		foreach(lc, set)
		{
			IaCand	   *c = lfirst(lc);

			if (c->hypo == lfirst(lu))
				f->used = bms_add_member(f->used, c->id);
		}
	if (out.stmts)
	{
		Oid			save_user;
		int			save_sec;

		GetUserIdAndSecContext(&save_user, &save_sec);
		ia_become(q->prep->planner, save_sec);
		foreach(lc, out.stmts)
		{
			PlannedStmt *ps = lfirst_node(PlannedStmt, lc);

			f->rtable = ps->rtable;
			(void) ia_walk_stmt(ps, visit_facts, f);
		}
		SetUserIdAndSecContext(save_user, save_sec);
	}
	return out.total_cost;
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
double
ia_advise_query_cost(AdvState *st, AdvQuery *q, List *set, Bitmapset **used)
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
	Query	   *top = linitial_node(Query, q->prep->queries);

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
 * well.  An error (a cancel is re-thrown) is kept in q->error when
 * "keep_error" (idx_advise: the query gets a row of its own), else counted
 * as a skip.
 */
List *
ia_advise_prepare_query(AdvState *st, AdvQuery *q, bool keep_error)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *volatile uses = NIL;
	volatile int skip = -1;
	PlanFacts	f = {0};

	f.why = true;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		ia_become(q->role, st->outer_sec);
		if (!plannable_statement(q->text))
			skip = SKIP_UTILITY;
		else
		{
			q->prep = ia_prepare(q->text, cxt);
			uses = ia_advise_extract(copyObject(q->prep->queries), q->qno);
			q->notes = use_notes(uses);
			if (query_relids(uses, q))
				skip = SKIP_TEMP;
			else
			{
				representative_values(q, uses, q->prep->paramtypes,
									  q->prep->nparams);
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
		ErrorData  *edata = ia_subxact_caught(cxt, owner, true);

		if (keep_error)
			q->error = psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode),
								edata->message);
		else
			skip = SKIP_FAILS;
		uses = NIL;
	}
	PG_END_TRY();
	if (skip >= 0)
	{
		st->skipped[skip]++;
		return NIL;
	}
	if (q->error)
		return NIL;
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

/*
 * Weighted cost reduction of "set" against "cur" over helped queries, less
 * what it adds to the queries it makes dearer (a plan the planner finds
 * fuzzily equal, a parallel plan it switches to).  *rel, if not NULL, gets
 * the relative cost each query is left with: sum of weight * ln(cost with
 * set / cur), the lower the better.
 */
static double
benefit(AdvState *st, List *set, Oid relid, bool commit, double *rel)
{
	double		total = 0;
	ListCell   *lc;

	if (rel)
		*rel = 0;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);
		double		c;

		if (OidIsValid(relid) && !list_member_oid(q->relids, relid))
			continue;
		c = ia_advise_query_cost(st, q, set, NULL);
		elog(DEBUG2, "index_advisor: query %d: %.2f -> %.2f", q->qno + 1, q->cur, c);
		if (helps(q->cur, c))
			total += q->weight * (q->cur - c);
		else if (c > q->cur)
			total -= q->weight * (c - q->cur);
		if (rel)
			*rel += q->weight * log(Max(c, 0.01) / Max(q->cur, 0.01));
		if (commit)
			q->cur = c;
	}
	return total;
}

/*
 * c's size in bytes: the engine's model (ia_hypo_size; from the plannings
 * that already saw c when they estimated every leaf), asked once.
 */
double
ia_advise_cand_bytes(IaCand *c)
{
	if (c->est_bytes < 0)
		c->est_bytes = Max(ia_hypo_size_planned(c->hypo), BLCKSZ);
	return c->est_bytes;
}

/*
 * Would idx_apply refuse c as covered by an existing or queued index?  Asks
 * definition.c as the caller; a refusal because the caller may not build
 * it (42501: not the owner) is kept in c->apply_refusal for the row's note.
 */
static bool
refused_as_duplicate(IaCand *c)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool dup = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		(void) ia_resolve_definition(c->text);
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata = ia_subxact_caught(cxt, owner, true);

		dup = (edata->sqlerrcode == ERRCODE_DUPLICATE_OBJECT);
		if (edata->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE)
			c->apply_refusal = psprintf("idx_apply would refuse it to you (42501: %s); the table's owner can apply it",
										edata->message);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return dup;
}

/*
 * ia_advise_make_hypos -- each candidate's hypothetical index, resolved by
 * definition.c as idx_apply resolves it except for who may build it
 * (ia_hypo_from_definition_unowned), in cands' memory; the list of those
 * that resolved (one that an existing index covers, say, is left out).
 */
List *
ia_advise_make_hypos(List *cands)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *volatile out = NIL;
	ListCell   *lc;

	foreach(lc, cands)
	{
		IaCand	   *c = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			c->hypo = ia_hypo_from_definition_unowned(c->text);
			ReleaseCurrentSubTransaction();
			out = lappend(out, c);
		}
		PG_CATCH();
		{
			ErrorData  *edata = ia_subxact_caught(cxt, owner, true);

			elog(DEBUG1, "index_advisor: candidate %s left out: %s",
				 c->text, edata->message);
		}
		PG_END_TRY();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	return out;
}

/*
 * Is candidate c (score, gain b, relative cost left rel: benefit()) better
 * than best?  Clearly better scores win; among nearly equal ones (2 %, or a
 * few cost units of one query), the one that leaves its queries clearly
 * cheaper relative to their cost (one query at half the cost or less: a
 * page that costs 10 where 0.9 was possible is slow whatever the workload's
 * total), then the clearly smaller, then the one with more key columns (it
 * serves more orders and prefixes), then the smaller.
 */
static bool
better(IaCand *c, double score, double b, double rel, IaCand *best,
	   double best_score, double best_b, double best_rel, double mean_weight)
{
	double		margin = IA_MIN_GAIN_COST * mean_weight;
	double		rel_margin = IA_REL_MARGIN * mean_weight;
	double		cb,
				bb;

	if (best == NULL)
		return true;
	if (score > best_score * 1.02 && b > best_b + margin)
		return true;
	if (score < best_score * 0.98 && b < best_b - margin)
		return false;
	if (rel < best_rel - rel_margin || best_rel < rel - rel_margin)
		return rel < best_rel;
	cb = ia_advise_cand_bytes(c);
	bb = ia_advise_cand_bytes(best);
	if (cb < bb * 0.9 || bb < cb * 0.9)
		return cb < bb;
	if (list_length(c->keys) != list_length(best->keys))
		return list_length(c->keys) > list_length(best->keys);
	return cb < bb;
}

/*
 * c and the partners it comes with (the other arms of an OR: a BitmapOr
 * needs them all) that are not picked yet, not refused, and candidates
 * still; *bytes their size.
 */
static List *
with_partners(AdvState *st, IaCand *c, List *picks, List *refused,
			  double *bytes)
{
	List	   *out = list_make1(c);
	ListCell   *lc;

	*bytes = ia_advise_cand_bytes(c);
	foreach(lc, c->partners)
	{
		IaCand	   *p = lfirst(lc);

		if (list_member_ptr(picks, p) || list_member_ptr(refused, p) ||
			!list_member_ptr(st->cands, p) || list_member_ptr(out, p))
			continue;
		out = lappend(out, p);
		*bytes += ia_advise_cand_bytes(p);
	}
	return out;
}

/* The best candidate to add to picks, or NULL; *gain its benefit.  Its
 * partners (with_partners) come with it; at most "slots" indexes. */
static IaCand *
best_candidate(AdvState *st, List *picks, List *refused, double room,
			   int slots, bool per_byte, double *gain)
{
	IaCand	   *best = NULL;
	double		best_score = 0;
	double		best_rel = 0;
	ListCell   *lc;

	foreach(lc, st->cands)
	{
		IaCand	   *c = lfirst(lc);
		List	   *group;
		double		b;
		double		rel;
		double		bytes;
		double		score;

		if (list_member_ptr(picks, c) || list_member_ptr(refused, c))
			continue;
		group = with_partners(st, c, picks, refused, &bytes);
		if (list_length(group) > slots)
			continue;
		b = benefit(st, list_concat(list_copy(picks), group), c->relid, false,
					&rel);
		if (b <= 0 || (room >= 0 && bytes > room))
			continue;
		score = per_byte ? b / bytes : b;
		elog(DEBUG1, "index_advisor: candidate %d %s: benefit %.2f, %.0f bytes",
			 c->id, c->text, b, bytes);
		if (better(c, score, b, rel, best, best_score, *gain, best_rel,
				   st->mean_weight))
		{
			best = c;
			best_score = score;
			best_rel = rel;
			*gain = b;
		}
	}
	return best;
}

/*
 * Drop the picks that the last one made useless, and any pick whose
 * marginal benefit, re-costed with all the others, is not positive: one
 * that helps no query by IA_MIN_GAIN, or without which the workload costs
 * no more (it helps one query and makes another dearer).
 */
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

		without = list_delete_ptr(list_copy(picks), c);
		if (ia_advise_workload_cost(st, without) <=
			ia_advise_workload_cost(st, picks))
		{
			picks = foreach_delete_current(picks, lc);
			continue;
		}
		foreach(lq, st->queries)
		{
			AdvQuery   *q = lfirst(lq);
			double		with_c;
			double		wo;

			if (!list_member_oid(q->relids, c->relid))
				continue;
			with_c = ia_advise_query_cost(st, q, picks, NULL);
			wo = ia_advise_query_cost(st, q, without, NULL);
			if (helps(wo, with_c))
				needed = true;
		}
		if (!needed)
			picks = foreach_delete_current(picks, lc);
	}
	return picks;
}


/* c, then its partners among picks, none of them in ranked */
static List *
picked_partners(IaCand *c, List *picks, List *ranked)
{
	List	   *out = list_make1(c);
	ListCell   *lc;

	foreach(lc, c->partners)
		if (list_member_ptr(picks, lfirst(lc)) &&
			!list_member_ptr(ranked, lfirst(lc)))
			out = list_append_unique_ptr(out, lfirst(lc));
	return out;
}

/* The picks in the order that lowers the workload's cost fastest (the arms
 * of an OR together). */
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
			cost = ia_advise_workload_cost(st,
										   list_concat(list_copy(ranked),
													   picked_partners(c, picks, ranked)));
			if (best == NULL || cost < best_cost)
			{
				best = c;
				best_cost = cost;
			}
		}
		ranked = list_concat(ranked, picked_partners(best, picks, ranked));
	}
	return ranked;
}

/* Greedy selection under the budget (bytes, -1 = none) and max_indexes. */
List *
ia_advise_select(AdvState *st, int64 budget, int max_indexes)
{
	List	   *picks = NIL;
	List	   *refused = NIL;
	ListCell   *lc;
	int			rounds = 0;

	while (list_length(picks) < max_indexes && rounds++ < 2 * max_indexes + 10)
	{
		double		used = 0;
		double		gain = 0;
		double		bytes;
		IaCand	   *best;

		foreach(lc, picks)
			used += ia_advise_cand_bytes(lfirst(lc));
		best = best_candidate(st, picks, refused,
							  budget >= 0 ? budget - used : -1,
							  max_indexes - list_length(picks),
							  budget >= 0, &gain);
		if (best == NULL)
			break;
		if (refused_as_duplicate(best))
		{
			refused = lappend(refused, best);
			continue;
		}
		foreach(lc, with_partners(st, best, picks, refused, &bytes))
		{
			IaCand	   *p = lfirst(lc);

			if (p == best || !refused_as_duplicate(p))
				picks = lappend(picks, p);
			else
				refused = lappend(refused, p);
		}
		picks = drop_useless(st, picks);
		foreach(lc, st->queries)
			((AdvQuery *) lfirst(lc))->cur =
				ia_advise_query_cost(st, lfirst(lc), picks, NULL);
	}
	return rank_picks(st, picks);
}

/* The weighted cost of the workload with "set" (NIL: without candidates). */
double
ia_advise_workload_cost(AdvState *st, List *set)
{
	double		total = 0;
	ListCell   *lc;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);

		total += q->weight * (set ? ia_advise_query_cost(st, q, set, NULL) : q->base);
	}
	return total;
}
