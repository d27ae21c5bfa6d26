/*-------------------------------------------------------------------------
 *
 * advise_pay.c
 *		Whether an index pays for its bytes (for advise_select.c), with or
 *		without a budget, and the note of a wider index that does not (for
 *		advise.c's rows).  Also the two measures the rule is made of: a
 *		candidate's bytes (ia_advise_cand_bytes) and when a statement's
 *		cost falling counts as help (ia_advise_helps).
 *
 * The rule.  Over the statements a candidate helps (their cost with the
 * picks and the candidate is lower than with the picks alone, by 5 % and
 * 10 cost units: ia_advise_helps), take the product of
 *   - their remaining cost (weighted, summed), and
 *   - the bytes of the indexes their plans use on the candidate's table
 *     (the picks' and the candidate's: the bytes that table spends on
 *     these statements).
 * The candidate pays for its bytes when that product falls: the
 * statements' cost falls by at least the factor by which their index
 * bytes grow.  A first index for the statements on that table (no pick
 * there serves them yet) always pays: the question is what more bytes
 * buy.  Between two candidates of the same table that change a common
 * statement and differ clearly in size (by 10 %), the one that leaves the
 * lower product is preferred: a covering variant (customer_id) INCLUDE
 * (payload) 25 times the bytes of (customer_id) must leave its statement
 * 25 times cheaper than the narrow key leaves it, not 1-2 % cheaper; an
 * INCLUDE (id) that adds a few pages to a small partial index and halves
 * what its query still costs pays; so does (customer_id, created_at DESC)
 * INCLUDE (severity), 20 % wider than its bare key, when it leaves a
 * lookup at 0.9 instead of ten heap fetches near 10.  A wider index that
 * would still cut a statement's cost but does not pay is named in the
 * pick's note (ia_advise_wider_note), not proposed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/index.h"
#include "catalog/pg_class.h"
#include "access/genam.h"
#include "utils/elog.h"
#include "utils/hsearch.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_advise.h"
#include "ia_plan.h"
#include "advise_internal.h"

/*
 * A product must fall by 10 % to count: sizes and costs move a few percent
 * with the ANALYZE sample, and the advice must not move with them.
 */
#define IA_PAY_MARGIN	0.9

/* Does a query's cost going from "from" to "to" count as help? */
bool
ia_advise_helps(double from, double to)
{
	return from - to >= IA_MIN_GAIN * from && from - to >= IA_MIN_GAIN_COST;
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
 * The statements (qnos) that "set" helps (ia_advise_helps) from their
 * current cost (q->cur: with the picks), among those reading relid: not
 * those whose cost it moves by a few units only, which would bring the
 * bytes of the indexes they use into the rule on the ANALYZE sample's
 * noise.
 */
Bitmapset *
ia_advise_changed(AdvState *st, List *set, Oid relid)
{
	Bitmapset  *out = NULL;
	ListCell   *lc;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);

		if (list_member_oid(q->relids, relid) &&
			ia_advise_helps(q->cur, ia_advise_query_cost(st, q, set, NULL)))
			out = bms_add_member(out, q->qno);
	}
	return out;
}

/* An existing index's size on disk (pg_class.relpages), at least a block. */
static double
existing_bytes(Oid indexoid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
	double		pages = 1;

	if (HeapTupleIsValid(tup))
	{
		pages = Max(((Form_pg_class) GETSTRUCT(tup))->relpages, 1);
		ReleaseSysCache(tup);
	}
	return pages * BLCKSZ;
}

/* the memo of replaced(): does candidate id make existing index idx
 * redundant? */
typedef struct PrefixKey
{
	Oid			idx;
	int			id;
} PrefixKey;

typedef struct PrefixEntry
{
	PrefixKey	key;
	bool		prefix;
} PrefixEntry;

/*
 * Does a member of set that the plans use (used) make existing index idx
 * redundant (advise_drops.c's rule, that of the drop rows: its keys are a
 * prefix of the member's)?  Memoised in st->prefix_memo.
 */
static bool
replaced(AdvState *st, Oid idx, List *set, Bitmapset *used)
{
	ListCell   *lc;

	if (st->prefix_memo == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(PrefixKey);
		ctl.entrysize = sizeof(PrefixEntry);
		ctl.hcxt = CurrentMemoryContext;
		st->prefix_memo = hash_create("index_advisor prefixes", 256, &ctl,
									  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	foreach(lc, set)
	{
		IaCand	   *c = lfirst(lc);
		PrefixKey	key;
		PrefixEntry *e;
		bool		found;

		if (!bms_is_member(c->id, used))
			continue;
		memset(&key, 0, sizeof(key));
		key.idx = idx;
		key.id = c->id;
		e = hash_search(st->prefix_memo, &key, HASH_ENTER, &found);
		if (!found)
		{
			Relation	irel = index_open(idx, AccessShareLock);

			e->prefix = (c->relid == irel->rd_index->indrelid &&
						 ia_advise_is_prefix_of(irel, c));
			index_close(irel, AccessShareLock);
		}
		if (e->prefix)
			return true;
	}
	return false;
}

/*
 * The bytes serving the statements qnos with the picks, on relid: the
 * picks their plans use (into *served), and the existing indexes of relid
 * their plans used without candidates (into *existing; those stay whether
 * used or not: an index that takes over a primary key's work adds its
 * bytes to the key's); *left gets their weighted cost with the picks.
 */
static double
bytes_serving(AdvState *st, List *picks, Bitmapset *qnos, Oid relid,
			  List **served, List **existing, double *left)
{
	Bitmapset  *used_all = NULL;
	double		bytes = 0;
	ListCell   *lc;

	*served = NIL;
	*existing = NIL;
	*left = 0;
	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);
		Bitmapset  *used = NULL;
		ListCell   *li;

		if (!bms_is_member(q->qno, qnos))
			continue;
		*left += q->weight * ia_advise_query_cost(st, q, picks, &used);
		used_all = bms_union(used_all, used);
		foreach(li, q->base_indexes)
			if (IndexGetRelation(lfirst_oid(li), true) == relid)
				*existing = list_append_unique_oid(*existing, lfirst_oid(li));
	}
	foreach(lc, picks)
	{
		IaCand	   *c = lfirst(lc);

		if (c->relid == relid && bms_is_member(c->id, used_all))
		{
			*served = lappend(*served, c);
			bytes += ia_advise_cand_bytes(c);
		}
	}
	foreach(lc, *existing)
		bytes += existing_bytes(lfirst_oid(lc));
	return bytes;
}

/*
 * The rule's products for the statements qnos on relid: *before with the
 * picks, the return value with the picks and "group": their weighted cost
 * times the bytes serving them.  After, the bytes are those before, plus
 * the group's, less the picks serving them that no statement of relid
 * uses any more (they would be dropped) and the existing indexes a member
 * of the group makes redundant (the advice drops them: the rule of the
 * drop rows, advise_drops.c); a pick that other statements still use
 * stays, and keeps its bytes.
 */
static double
products(AdvState *st, List *picks, List *group, Bitmapset *qnos,
		 double *before)
{
	Oid			relid = ((IaCand *) linitial(group))->relid;
	List	   *set = list_concat(list_copy(picks), group);
	Bitmapset  *used_after = NULL;
	Bitmapset  *group_used = NULL;
	List	   *served;
	List	   *existing;
	double		left;
	double		left_after = 0;
	double		bytes = bytes_serving(st, picks, qnos, relid, &served,
									  &existing, &left);
	double		bytes_before = bytes;
	ListCell   *lc;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);
		Bitmapset  *used = NULL;
		double		c;

		if (!list_member_oid(q->relids, relid))
			continue;
		c = ia_advise_query_cost(st, q, set, &used);
		used_after = bms_union(used_after, used);
		if (bms_is_member(q->qno, qnos))
			left_after += q->weight * c;
	}
	foreach(lc, group)
	{
		bytes += ia_advise_cand_bytes(lfirst(lc));
		if (bms_is_member(((IaCand *) lfirst(lc))->id, used_after))
			group_used = bms_add_member(group_used,
										((IaCand *) lfirst(lc))->id);
	}
	foreach(lc, served)
		if (!bms_is_member(((IaCand *) lfirst(lc))->id, used_after))
			bytes -= ia_advise_cand_bytes(lfirst(lc));
	foreach(lc, existing)
		if (replaced(st, lfirst_oid(lc), group, group_used))
			bytes -= existing_bytes(lfirst_oid(lc));
	*before = left * bytes_before;
	elog(DEBUG2, "index_advisor: %s: cost x bytes %.4g x %.0f -> %.4g x %.0f",
		 ((IaCand *) linitial(group))->text, left, bytes_before, left_after,
		 bytes);
	return left_after * bytes;
}

/*
 * Does "group" (a candidate with the other arms of its OR), added to
 * picks, pay for its bytes?  changed: the statements it helps
 * (ia_advise_changed).  Each query's cur is its cost with picks.
 */
bool
ia_advise_pays(AdvState *st, List *picks, List *group, Bitmapset *changed)
{
	double		before;
	double		after = products(st, picks, group, changed, &before);

	if (before == 0)
		return true;			/* the first index these statements get */
	return after < before * IA_PAY_MARGIN;
}

/*
 * The preference between two candidates a and b (with their groups, each
 * added to picks, and the statements each helps) by the rule: -1 when a
 * leaves the lower product, 1 when b does, 0 when the rule has no say
 * (other tables, no common statement, sizes within 10 %, products within
 * IA_PAY_MARGIN).
 */
int
ia_advise_pay_compare(AdvState *st, List *picks, List *ga, Bitmapset *ca,
					  List *gb, Bitmapset *cb)
{
	IaCand	   *a = linitial(ga);
	IaCand	   *b = linitial(gb);
	double		sa = ia_advise_cand_bytes(a);
	double		sb = ia_advise_cand_bytes(b);
	Bitmapset  *both;
	double		pa;
	double		pb;
	double		before;

	if (a->relid != b->relid || !bms_overlap(ca, cb) ||
		(sa <= sb * 1.1 && sb <= sa * 1.1))
		return 0;
	both = bms_union(ca, cb);
	pa = products(st, picks, ga, both, &before);
	pb = products(st, picks, gb, both, &before);
	if (pa < pb * IA_PAY_MARGIN)
		return -1;
	if (pb < pa * IA_PAY_MARGIN)
		return 1;
	return 0;
}

/* "n kB" or "n.n MB" */
static char *
bytes_text(double bytes)
{
	if (bytes < 1024 * 1024)
		return psprintf("%.0f kB", bytes / 1024);
	return psprintf("%.1f MB", bytes / (1024 * 1024));
}

/* Has w the column (or expression) of key k among its keys or INCLUDE? */
static bool
has_column(IaCand *w, IaCandKey *k)
{
	ListCell   *lc;

	foreach(lc, w->keys)
	{
		IaCandKey  *kw = lfirst(lc);

		if (kw->attnum == k->attnum && equal(kw->expr, k->expr))
			return true;
	}
	return k->attnum != 0 && list_member_int(w->include, k->attnum);
}

/*
 * Is w a wider variant of c: same table, method and predicate, c's keys
 * (with their directions) the first of w's, c's INCLUDE columns among w's
 * columns, and clearly more bytes?  (It serves every order and lookup c
 * serves, and more index-only scans.)
 */
static bool
wider_variant(IaCand *w, IaCand *c)
{
	ListCell   *lw;
	ListCell   *lc;

	if (w == c || w->relid != c->relid || w->amid != c->amid ||
		!equal(w->pred, c->pred) ||
		list_length(w->keys) < list_length(c->keys) ||
		ia_advise_cand_bytes(w) <= ia_advise_cand_bytes(c) * 1.1)
		return false;
	forboth(lw, w->keys, lc, c->keys)
	{
		IaCandKey  *kw = lfirst(lw);
		IaCandKey  *kc = lfirst(lc);

		if (kw->attnum != kc->attnum || !equal(kw->expr, kc->expr) ||
			kw->desc != kc->desc || kw->nulls_first != kc->nulls_first ||
			(kw->opclass == NULL) != (kc->opclass == NULL) ||
			(kw->opclass && strcmp(kw->opclass, kc->opclass) != 0))
			return false;
	}
	foreach(lc, c->include)
	{
		IaCandKey	k = {0};

		k.attnum = lfirst_int(lc);
		if (!has_column(w, &k))
			return false;
	}
	return true;
}

/*
 * The note of pick c, or NULL: the wider variant of c that the rule left
 * out (it did not pay) and that, in c's place among the picks, would still
 * cut the cost of a statement whose plan uses c, by the most (as a share
 * of that statement's cost with the picks); with the bytes it has beyond
 * c's.
 */
char *
ia_advise_wider_note(AdvState *st, List *picks, IaCand *c)
{
	IaCand	   *best = NULL;
	AdvQuery   *best_q = NULL;
	double		best_share = 0;
	double		best_from = 0;
	double		best_to = 0;
	ListCell   *lc;
	ListCell   *lq;

	foreach(lc, st->cands)
	{
		IaCand	   *w = lfirst(lc);
		List	   *trial;

		if (!bms_is_member(w->id, st->pay_refused) ||
			list_member_ptr(picks, w) || !wider_variant(w, c))
			continue;
		trial = lappend(list_delete_ptr(list_copy(picks), c), w);
		foreach(lq, st->queries)
		{
			AdvQuery   *q = lfirst(lq);
			Bitmapset  *used = NULL;
			double		from;
			double		to;

			if (!list_member_oid(q->relids, c->relid))
				continue;
			from = ia_advise_query_cost(st, q, picks, &used);
			if (!bms_is_member(c->id, used))
				continue;
			to = ia_advise_query_cost(st, q, trial, NULL);
			if (!ia_advise_helps(from, to) || (from - to) / from <= best_share)
				continue;
			best = w;
			best_q = q;
			best_share = (from - to) / from;
			best_from = from;
			best_to = to;
		}
	}
	if (best == NULL)
		return NULL;
	return psprintf("a wider index, %s (%s more), would cut the cost of query %d by a further %.0f %% (%.1f -> %.1f); not advised: beside the other picks it did not pay for its bytes (the statements it helps must get cheaper by more than the factor by which their index bytes grow)",
					best->text,
					bytes_text(ia_advise_cand_bytes(best) -
							   ia_advise_cand_bytes(c)),
					(best_q->twin_of ? best_q->twin_of : best_q)->qno + 1,
					100 * best_share, best_from, best_to);
}
