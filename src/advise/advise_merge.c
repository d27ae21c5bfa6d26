/*-------------------------------------------------------------------------
 *
 * advise_merge.c
 *		Merged picks (for advise.c), without a budget: two picks of a table
 *		with the same predicate, one's keys equal to or a prefix of the
 *		other's, give one index that covers both (the longer key list,
 *		INCLUDE the union of both INCLUDE lists, less its keys), which
 *		replaces them when it serves their statements nearly as well in
 *		fewer bytes (index merging, as in the DB2 and SQL Server advisors).
 *
 * Why.  Candidates are drawn per statement (advise_candidates.c) and the
 * selection only chooses among them, so date-range reports that each read
 * other columns of one table get a covering index each on the same date
 * key, each as big as the table's rows (a TPC-H run advised `lineitem
 * (l_shipdate) INCLUDE (...)` three times, 47 MB each).  Merging
 * candidates before the selection was tried: it made ~30 more candidates
 * on TPC-H, most never picked, and the 22 queries took 1.9-2.4 s instead
 * of 0.8 s; merging the picks costs a few plannings.
 *
 * The rule (advise_pay.c's, for two picks made one): a merge is kept when,
 * over the statements of the table, their weighted cost times the bytes of
 * the picks on the table falls, and no statement costs more than
 * IA_MERGE_MAX_RISE times what it cost with the two (a few cost units
 * aside: IA_MIN_GAIN_COST).  Of the merges kept the one that lowers that
 * product most is made first, then the picks are merged again (a merge
 * may merge with a third).  Under a budget there is no merge: bytes freed
 * there would have to be spent again (the exchange pass's work), and a
 * merged index is bigger than either pick.  OR arms (partners) and gin
 * picks are not merged.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_am_d.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "miscadmin.h"
#include "pg_config_manual.h"

#include "ia_advise.h"
#include "advise_internal.h"

#define IA_MERGE_MAX_RISE	2.0		/* no statement twice as dear */

static bool
same_key(IaCandKey *a, IaCandKey *b)
{
	if (a->attnum != b->attnum || a->desc != b->desc ||
		a->nulls_first != b->nulls_first || !equal(a->expr, b->expr))
		return false;
	if ((a->opclass == NULL) != (b->opclass == NULL))
		return false;
	return a->opclass == NULL || strcmp(a->opclass, b->opclass) == 0;
}

/* Are a's keys, in order, the first keys of b's? */
static bool
keys_prefix(List *a, List *b)
{
	if (list_length(a) > list_length(b))
		return false;
	for (int i = 0; i < list_length(a); i++)
		if (!same_key(list_nth(a, i), list_nth(b, i)))
			return false;
	return true;
}

/* Is column attnum one of keys' plain columns? */
static bool
is_key_column(List *keys, int attnum)
{
	ListCell   *lc;

	foreach(lc, keys)
		if (((IaCandKey *) lfirst(lc))->attnum == attnum)
			return true;
	return false;
}

/* from's INCLUDE columns that are neither keys nor already in include */
static List *
add_include(List *include, List *keys, List *from)
{
	ListCell   *lc;

	foreach(lc, from)
	{
		int			attnum = lfirst_int(lc);

		if (!is_key_column(keys, attnum) && !list_member_int(include, attnum))
			include = lappend_int(include, attnum);
	}
	return include;
}

static bool
mergeable(IaCand *c)
{
	return c->amid == BTREE_AM_OID && c->partners == NIL;
}

/*
 * The index that serves both a and b (see the header), not yet sized nor
 * made hypothetical, or NULL when they do not merge or one already covers
 * the other.
 */
static IaCand *
merge_pair(IaCand *a, IaCand *b)
{
	IaCand	   *m;
	IaCand	   *longer;
	IaCand	   *other;
	List	   *include;

	if (a->relid != b->relid || !mergeable(a) || !mergeable(b) ||
		!equal(a->pred, b->pred))
		return NULL;
	if (keys_prefix(a->keys, b->keys))
		longer = b;
	else if (keys_prefix(b->keys, a->keys))
		longer = a;
	else
		return NULL;
	other = (longer == a) ? b : a;
	include = add_include(NIL, longer->keys, longer->include);
	include = add_include(include, longer->keys, other->include);
	if (list_length(include) == list_length(longer->include) ||
		list_length(longer->keys) + list_length(include) > INDEX_MAX_KEYS)
		return NULL;			/* longer covers other, or too wide */
	/* in the table's order: the same merge whichever pick came first */
	list_sort(include, list_int_cmp);

	m = palloc0(sizeof(IaCand));
	m->relid = a->relid;
	m->amid = BTREE_AM_OID;
	m->keys = longer->keys;
	m->include = include;
	m->pred = a->pred;
	m->literal_pred = a->literal_pred;
	m->pred_literal = a->pred_literal;
	m->est_bytes = -1;
	m->from = bms_union(a->from, b->from);
	/* its keys and predicate are longer's: so is what they cost HOT */
	m->hot_loss = longer->hot_loss;
	m->text = ia_advise_cand_text(m);
	return m;
}

/* The candidate of st with m's text, or NULL. */
static IaCand *
known(AdvState *st, IaCand *m)
{
	ListCell   *lc;

	foreach(lc, st->cands)
		if (ia_advise_same_cand(lfirst(lc), m))
			return lfirst(lc);
	return NULL;
}

/*
 * m made a candidate of st: hypothetical, sized as its statements' author
 * (advise_size.c), with a new id; or NULL when it cannot be, or when
 * idx_apply would refuse it as a duplicate of an existing or queued index
 * (as the greedy skips such a pick; this also notes when the caller may
 * not build it, as for every pick).
 */
static IaCand *
add_candidate(AdvState *st, IaCand *m)
{
	int			max_id = 0;
	ListCell   *lc;

	if (ia_advise_make_hypos(list_make1(m)) == NIL ||
		ia_advise_refused_as_duplicate(m) ||
		!ia_advise_size_one(st, m))
		return NULL;
	foreach(lc, st->cands)
		max_id = Max(max_id, ((IaCand *) lfirst(lc))->id);
	m->id = max_id + 1;
	st->cands = lappend(st->cands, m);
	return m;
}

/*
 * How much merging a and b into m lowers, over the statements of their
 * table, weighted cost times the bytes of the picks on it (a fraction of
 * it; <= 0: the merge is not kept, nor when a statement would cost more
 * than IA_MERGE_MAX_RISE times what it does).
 */
static double
merge_gain(AdvState *st, List *picks, List *merged, IaCand *a, IaCand *b,
		   IaCand *m)
{
	double		bytes = 0;
	double		cost = 0;
	double		cost_m = 0;
	ListCell   *lc;

	foreach(lc, picks)
		if (((IaCand *) lfirst(lc))->relid == m->relid)
			bytes += ia_advise_cand_bytes(lfirst(lc));
	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);
		double		c;
		double		cm;

		if (!list_member_oid(q->relids, m->relid))
			continue;
		c = ia_advise_query_cost(st, q, picks, NULL);
		cm = ia_advise_query_cost(st, q, merged, NULL);
		if (cm > c * IA_MERGE_MAX_RISE && cm > c + IA_MIN_GAIN_COST)
		{
			elog(DEBUG1, "index_advisor: merged, query %d would cost %.2f instead of %.2f",
				 q->qno + 1, cm, c);
			return 0;
		}
		cost += q->weight * c;
		cost_m += q->weight * cm;
	}
	if (cost <= 0 || bytes <= 0)
		return 0;
	return 1 - (cost_m * (bytes - ia_advise_cand_bytes(a) -
						  ia_advise_cand_bytes(b) + ia_advise_cand_bytes(m))) /
		(cost * bytes);
}

/* picks with m in a's place and without b */
static List *
with_merge(List *picks, IaCand *a, IaCand *b, IaCand *m)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, picks)
	{
		if (lfirst(lc) == a)
			out = lappend(out, m);
		else if (lfirst(lc) != b)
			out = lappend(out, lfirst(lc));
	}
	return out;
}

/*
 * ia_advise_merge_picks -- picks (ranked) with pairs merged while a merge
 * pays (see the header); each merge in the place of the first of its two.
 */
List *
ia_advise_merge_picks(AdvState *st, List *picks)
{
	for (;;)
	{
		List	   *best = NIL;
		double		best_gain = 0;

		for (int i = 0; i < list_length(picks); i++)
		{
			for (int j = i + 1; j < list_length(picks); j++)
			{
				IaCand	   *a = list_nth(picks, i);
				IaCand	   *b = list_nth(picks, j);
				IaCand	   *m = merge_pair(a, b);
				IaCand	   *k;
				List	   *merged;
				double		gain;

				CHECK_FOR_INTERRUPTS();
				if (m == NULL)
					continue;
				k = known(st, m);
				if (k != NULL && list_member_ptr(picks, k))
					continue;	/* one of them, or picked already */
				m = k ? k : add_candidate(st, m);
				if (m == NULL)
					continue;
				merged = with_merge(picks, a, b, m);
				gain = merge_gain(st, picks, merged, a, b, m);
				elog(DEBUG1, "index_advisor: merge of %s and %s into %s: %.3f",
					 a->text, b->text, m->text, gain);
				if (gain > best_gain)
				{
					best = merged;
					best_gain = gain;
				}
			}
		}
		if (best == NIL)
			return picks;
		picks = best;
		ia_advise_set_current(st, picks);
	}
}
