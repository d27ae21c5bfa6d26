/*-------------------------------------------------------------------------
 *
 * advise_plan.c
 *		The advisor's costing (for advise.c and advise_select.c): prepare
 *		each query (ia_prepare as its role: planned as verify.c's rule
 *		says), fold what its candidates are drawn from as its planning role
 *		(fold_uses), find representative values for its $n, and cost it
 *		over sets of candidates (ia_plan_prepared, memoised per query and
 *		the candidates of the set that can change its plan: advise_reach.c).
 *		A set not in the memo is first reduced: a candidate the query's
 *		plans left unused beside some of the others is left out
 *		(without_unused, the greedy's own assumption), and a set whose
 *		candidates a larger planned set's plans were limited to costs what
 *		that set costs (costed_superset, exact); only then is it planned.
 *		advise_select.c chooses among them.  The design and rules are in
 *		advise.c's header.
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
#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/guc.h"
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
#include "ia_plan.h"
#include "ia_definition.h"
#include "ia_queue.h"
#include "ia_check.h"
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
	List	   *real_oids;		/* and their oids */
	char	   *seqscan;		/* "a sequential scan ..." */
	List	   *rtable;
} PlanFacts;


/* An existing index the plan uses (hypothetical ones have no name). */
static void
note_index(Oid indexid, PlanFacts *f)
{
	char	   *name = get_rel_name(indexid);

	if (name)
	{
		f->real = list_append_unique(f->real, makeString(name));
		f->real_oids = list_append_unique_oid(f->real_oids, indexid);
	}
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

/* A node of a plan (plan_walk.c's walker visits them all): what it tells. */
static bool
visit_facts(Plan *plan, void *ctx)
{
	PlanFacts  *f = (PlanFacts *) ctx;
	const char *scan;
	Oid			indexid = ia_index_scan_of(plan, &scan);

	if (OidIsValid(indexid))
		note_index(indexid, f);
	else if (IsA(plan, SeqScan))
		note_seqscan((SeqScan *) plan, f);
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

/*
 * The memo of costings: keyed by the query and the ids of all the
 * candidates of the set that can change its plan (candidates_on_tables_of(), advise_reach.c; a key cut
 * shorter would hand one set the cost of another).
 */
static uint32
memo_hash(const void *key, Size keysize)
{
	const MemoKey *k = (const MemoKey *) key;

	return hash_combine(hash_uint32((uint32) k->qno), bms_hash_value(k->ids));
}

static int
memo_match(const void *key1, const void *key2, Size keysize)
{
	const MemoKey *a = (const MemoKey *) key1;
	const MemoKey *b = (const MemoKey *) key2;

	return (a->qno == b->qno && bms_equal(a->ids, b->ids)) ? 0 : 1;
}

/* ia_advise_memo_create -- an empty memo, in CurrentMemoryContext. */
HTAB *
ia_advise_memo_create(void)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(MemoKey);
	ctl.entrysize = sizeof(MemoEntry);
	ctl.hash = memo_hash;
	ctl.match = memo_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create("index_advisor advise memo", 1024, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/*
 * The candidates of "set" that can change q's plan (advise_reach.c), and the
 * memo key for them: the others leave every plan of q as it is, so a set
 * that differs from another only in them costs q the same.
 */
static List *
candidates_on_tables_of(AdvQuery *q, List *set, MemoKey *key)
{
	List	   *out = NIL;
	ListCell   *lc;

	key->qno = q->qno;
	key->ids = NULL;
	foreach(lc, set)
	{
		IaCand	   *c = lfirst(lc);

		if (!list_member_oid(q->relids, c->relid) || !ia_advise_cand_reaches(q, c))
			continue;
		out = lappend(out, c);
		key->ids = bms_add_member(key->ids, c->id);
	}
	return out;
}

static int
cand_id_cmp(const ListCell *a, const ListCell *b)
{
	return ((IaCand *) lfirst(a))->id - ((IaCand *) lfirst(b))->id;
}

/*
 * A costing of q with a set S of candidates that holds "ids" and whose
 * plans used none of the candidates S has beyond them, or NULL.  The
 * planner chose those plans over every plan "ids" allows (each is one S
 * allows too), and they use only candidates of "ids": q costs the same
 * with "ids" (the cheapest plan is the cheapest of any set between the
 * candidates it uses and S).  Only plannings count (q->costed), never an
 * entry found so, so the rule is applied to what the planner said.
 */
static MemoEntry *
costed_superset(AdvQuery *q, Bitmapset *ids)
{
	ListCell   *lc;

	foreach(lc, q->costed)
	{
		MemoEntry  *e = lfirst(lc);

		if (bms_is_subset(e->used, ids) && bms_is_subset(ids, e->key.ids))
			return e;
	}
	return NULL;
}

/*
 * "ids" less each candidate that a costing of q found of no use with
 * others all in "ids" (the greedy's rule, advise_select.c: another index
 * can only take work away from a candidate, nearly always, so one that q's
 * plans did not use beside some of these candidates brings q nothing
 * beside all of them); the plans of q with the rest are its plans with
 * "ids".  One at a time, each judged with the ones left.  Not when "ids"
 * holds an arm of an OR: one arm is of no use until the others are there,
 * and that holds of any index that can stand for an arm, not only of the
 * arms' own candidates -- (a, d) INCLUDE (id), of no use alone to "a = 5
 * OR b = 5", serves its a-arm once (b) is there, and pruned it left (b)
 * alone, which no plan used, so the OR kept its sequential scan.
 */
static Bitmapset *
without_unused(AdvState *st, AdvQuery *q, Bitmapset *ids)
{
	bool		changed = true;
	int			arm = -1;
	ListCell   *lc;

	/* the arms of an OR serve only together (a BitmapOr) */
	if (st->paired == NULL)
	{
		st->paired = bms_make_singleton(0);	/* known, maybe no arm */
		foreach(lc, st->cands)
			if (((IaCand *) lfirst(lc))->partners != NIL)
				st->paired = bms_add_member(st->paired,
											((IaCand *) lfirst(lc))->id + 1);
	}

	/* an arm in ids: every other candidate may serve another arm */
	while ((arm = bms_next_member(ids, arm)) >= 0)
		if (bms_is_member(arm + 1, st->paired))
			return ids;
	while (changed)
	{
		changed = false;
		foreach(lc, q->costed)
		{
			MemoEntry  *e = lfirst(lc);
			int			c = -1;

			/* c unused with e's others all in ids: e's set is in ids */
			if (bms_equal(e->used, e->key.ids) ||
				!bms_is_subset(e->key.ids, ids))
				continue;
			while ((c = bms_next_member(e->key.ids, c)) >= 0)
			{
				if (bms_is_member(c, e->used))
					continue;
				ids = bms_del_member(ids, c);
				changed = true;
				break;			/* e's set is no longer in ids */
			}
		}
	}
	return ids;
}

/* Plan q with exactly the candidates "rel" (generically, and with its
 * representative values: the mean of the two): e's cost and used; e is a
 * planning of q's (q->costed) from now on. */
static void
plan_into(AdvState *st, AdvQuery *q, MemoEntry *e, List *rel)
{
	PlanFacts	f = {0};
	MemoryContext old = MemoryContextSwitchTo(st->plan_cxt);

	st->plannings++;
	e->cost = plan_once(st, q, rel, NULL, &f);
	if (q->rep)
		e->cost = (e->cost + plan_once(st, q, rel, q->rep, &f)) / 2;
	MemoryContextSwitchTo(old);
	e->used = bms_copy(f.used);
	MemoryContextReset(st->plan_cxt);
	q->costed = lappend(q->costed, e);
}

/*
 * The cost and used candidates of e, a set of candidates "rel" (those that
 * can change q's plan) not in the memo: those of a set it reduces to
 * (without_unused) if that is in the memo, else of a costed set holding
 * it (costed_superset), else planned, with the reduced set, which is
 * memoised too.
 */
static void
cost_unseen(AdvState *st, AdvQuery *q, MemoEntry *e, List *rel)
{
	MemoKey		rk;
	MemoEntry  *r;
	bool		found;
	ListCell   *lc;

	rk.qno = q->qno;
	rk.ids = without_unused(st, q, bms_copy(e->key.ids));
	if (bms_equal(rk.ids, e->key.ids))
	{
		r = e;					/* nothing to leave out: e itself */
		found = false;
	}
	else
		r = hash_search(st->memo, &rk, HASH_ENTER, &found);
	if (!found)
	{
		MemoEntry  *same = costed_superset(q, rk.ids);

		if (r != e)
			r->key.ids = bms_copy(rk.ids);
		if (same)
		{
			/* costed already: a set that holds this one and adds only
			 * candidates its plans did not use */
			r->cost = same->cost;
			r->used = same->used;
		}
		else
		{
			rel = list_copy(rel);
			foreach(lc, rel)
				if (!bms_is_member(((IaCand *) lfirst(lc))->id, rk.ids))
					rel = foreach_delete_current(rel, lc);
			plan_into(st, q, r, rel);
			list_free(rel);
		}
	}
	if (r != e)
	{
		e->cost = r->cost;
		e->used = r->used;
	}
	bms_free(rk.ids);
}

/*
 * q's cost with the candidates "set" visible, memoised; *used gets the ids
 * of those its plans use.  "exact": what the planner says of exactly the
 * candidates of set that can change q's plan, planned unless that very set
 * was; else through the memo's shortcuts (cost_unseen).  The shortcuts
 * (without_unused, costed_superset) hold when another index can only take
 * work away from a candidate; the planner's parallel and fuzzy path
 * choices break that now and then (a covering index on a small table can
 * move an 8-table join to a one-worker parallel plan that costs more), so
 * the final picks are judged exactly (advise.c: drop_harmful).  The set's
 * memo entry keeps what the planner said.
 */
static double
query_cost(AdvState *st, AdvQuery *q, List *set, Bitmapset **used, bool exact)
{
	MemoKey		key;
	List	   *rel;
	MemoEntry  *e;
	bool		found;

	set = list_copy(set);
	list_sort(set, cand_id_cmp);
	rel = candidates_on_tables_of(q, set, &key);
	e = hash_search(st->memo, &key, HASH_ENTER, &found);
	if (!found)
		e->key.ids = bms_copy(key.ids); /* the memo's own: key.ids is freed */
	if (exact && !list_member_ptr(q->costed, e))
		plan_into(st, q, e, rel);
	else if (!found)
		cost_unseen(st, q, e, rel);
	bms_free(key.ids);
	list_free(rel);
	list_free(set);
	if (used)
		*used = e->used;
	return e->cost;
}

/* ia_advise_query_cost -- query_cost through the memo's shortcuts */
double
ia_advise_query_cost(AdvState *st, AdvQuery *q, List *set, Bitmapset **used)
{
	return query_cost(st, q, set, used, false);
}

/* ia_advise_query_cost_exact -- query_cost as the planner says, exactly */
double
ia_advise_query_cost_exact(AdvState *st, AdvQuery *q, List *set,
						   Bitmapset **used)
{
	return query_cost(st, q, set, used, true);
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

/*
 * The keys with their expressions folded (a column has none); one that
 * folds to a column becomes that column, and two that fold alike are one.
 */
static List *
fold_keys(List *keys)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, keys)
	{
		IaCandKey  *k = lfirst(lc);

		if (k->expr)
		{
			k->expr = eval_const_expressions(NULL, k->expr);
			if (IsA(k->expr, Var) && ((Var *) k->expr)->varattno > 0)
			{
				k->attnum = ((Var *) k->expr)->varattno;
				k->expr = NULL;
			}
		}
		out = ia_advise_add_key(out, k);
	}
	return out;
}

/*
 * Fold the expressions and predicates candidates will be drawn from, as q's
 * planning role under SECURITY_RESTRICTED_OPERATION in a new GUC nest
 * level, in a subtransaction that is rolled back: the same folding, by the
 * same role, as planning q does (an IMMUTABLE function with constant
 * arguments runs now: "a + g()" becomes "a + 1").  After this, nothing of
 * them is ever folded again (definition/resolve.c resolves candidates as written),
 * so no code of the statement runs as the caller (doc/safety-planning.md,
 * "The advisor").  The folded trees are made in the caller's memory.
 */
static void
fold_uses(AdvQuery *q, List *uses, int outer_sec)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid			save_user;
	int			save_sec;
	ListCell   *lc;

	GetUserIdAndSecContext(&save_user, &save_sec);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		ia_become(q->prep->planner, outer_sec);
		(void) NewGUCNestLevel();
		foreach(lc, uses)
		{
			IaRelUse   *u = lfirst(lc);

			CHECK_FOR_INTERRUPTS();
			u->eq = fold_keys(u->eq);
			u->join = fold_keys(u->join);
			u->range = fold_keys(u->range);
			u->sort = fold_keys(u->sort);
			u->gin = fold_keys(u->gin);
			u->preds = (List *) eval_const_expressions(NULL, (Node *) u->preds);
		}
		SetUserIdAndSecContext(save_user, save_sec);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ReThrowError(ia_subxact_caught(cxt, owner, false));
	}
	PG_END_TRY();
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

/* Is the statement a MERGE? */
static bool
merge_statement(const char *text)
{
	List	   *raw = raw_parser(text, RAW_PARSE_DEFAULT);

	return list_length(raw) == 1 &&
		IsA(linitial_node(RawStmt, raw)->stmt, MergeStmt);
}

/*
 * ia_advise_merge_sets -- for q a MERGE (not advised on: a row of its own
 * in idx_advise, a skip in the workload), the columns its WHEN MATCHED
 * THEN UPDATE SET actions set, as table uses with nothing but relid and
 * set: they draw no candidate, but advise_candidates.c's HOT rule counts
 * them as an UPDATE's (no INCLUDE of them, the note on a key of them).
 * Analysed as q's role by the path every query takes (ia_prepare; parse
 * analysis puts them in the target's updatedCols), in a subtransaction
 * rolled back; NIL for any other statement or when it cannot be analysed
 * (a cancel is re-thrown).
 */
List *
ia_advise_merge_sets(AdvState *st, AdvQuery *q, bool workload)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *volatile sets = NIL;

	if (strcasestr(q->text, "merge") == NULL)
		return NIL;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		IaPrepared *prep = NULL;
		char	   *text = q->text;
		ListCell   *lc;

		ia_become(q->role, st->outer_sec);
		/* (the parser's errors, too, stay in the subtransaction) */
		if (merge_statement(q->text))
			prep = workload ? ia_prepare_normalised(q->text, cxt, &text) :
				ia_prepare(q->text, cxt);
		foreach(lc, prep ? ia_advise_extract(copyObject(prep->queries), q->qno) : NIL)
		{
			IaRelUse   *u = lfirst(lc);
			IaRelUse   *v;

			if (bms_is_empty(u->set))
				continue;
			v = palloc0(sizeof(IaRelUse));
			v->qno = u->qno;
			v->relid = u->relid;
			v->rti = u->rti;
			v->set = u->set;
			sets = lappend(sets, v);
		}
		SetUserIdAndSecContext(st->caller, st->outer_sec);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		(void) ia_subxact_caught(cxt, owner, true);
		sets = NIL;
	}
	PG_END_TRY();
	return sets;
}

/*
 * Analyse q as its role, choose who plans it, find its candidate uses and
 * representative values, and cost it without candidates.  Runs in a
 * subtransaction of its own that is kept (its locks with it) when all went
 * well.  An error (a cancel is re-thrown) is kept in q->error: the query
 * gets a row of its own.  A "workload" statement (idx_advise_workload) is
 * prepared as pg_stat_statements stores it (normalised.c); one that fails,
 * or reads a temporary table, is also counted as a skip (the NOTICE).
 */
List *
ia_advise_prepare_query(AdvState *st, AdvQuery *q, bool workload)
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
		if (workload)
			q->text = ia_normalised_text(q->text);
		if (!plannable_statement(q->text))
			skip = SKIP_UTILITY;
		else
		{
			/* a workload statement as pg_stat_statements stores it
			 * (normalised.c); it keeps the text that was prepared */
			if (workload)
				q->prep = ia_prepare_normalised(q->text, cxt, &q->text);
			else
				q->prep = ia_prepare(q->text, cxt);
			/* first: a value the application sends becomes a constant of
			 * the statement, which candidates are drawn from */
			ia_advise_representative_values(st, q, workload);
			uses = ia_advise_extract(copyObject(q->prep->queries), q->qno);
			fold_uses(q, uses, st->outer_sec);
			q->notes = use_notes(uses);
			if (query_relids(uses, q))
				skip = SKIP_TEMP;
			else
			{
				ia_advise_query_reads(q);
				q->base = q->cur = plan_once(st, q, NIL, NULL, &f);
				if (q->rep)
					q->base = q->cur =
						(q->base + plan_once(st, q, NIL, q->rep, &f)) / 2;
				q->base_indexes = f.real_oids;
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

		q->error = psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode),
							edata->message);
		if (workload)
			skip = SKIP_FAILS;
		uses = NIL;
	}
	PG_END_TRY();
	if (skip == SKIP_TEMP && workload)
		q->error = pstrdup("it reads a temporary table (of the session that ran it)");
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
