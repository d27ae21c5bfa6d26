/*-------------------------------------------------------------------------
 *
 * advise_select.c
 *		The advisor's greedy (for advise_exchange.c): each candidate made a
 *		hypothetical index of the one engine (advise_hypos.c), then chosen
 *		greedily under the budget and max_indexes over the costs
 *		advise_plan.c memoises (ia_advise_grow; without a budget, each pick
 *		must pay for its bytes: advise_pay.c); a pick idx_apply would
 *		refuse as a duplicate is skipped; the picks ranked.  Under a budget
 *		advise_exchange.c improves the greedy's picks with trades that
 *		call the greedy again.  The design and rules are in advise.c's
 *		header.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "index_advisor.h"
#include "ia_advise.h"
#include "ia_plan.h"
#include "ia_definition.h"
#include "advise_internal.h"

/*
 * Weighted cost reduction of "set" against "cur" over helped queries, less
 * what it adds to the queries it makes dearer (a plan the planner finds
 * fuzzily equal, a parallel plan it switches to).  *rel, if not NULL, gets
 * the relative cost each query is left with: sum of weight * ln(cost with
 * set / cur), the lower the better.  *lg, if not NULL, gets the same
 * relative gain counted as the absolute one is: weight * ln(cur / cost
 * with set) over the helped queries, less weight * ln(cost with set /
 * cur) over those it makes dearer (joint_gain()'s second term).
 */
static double
benefit(AdvState *st, List *set, Oid relid, bool commit, double *rel,
		double *lg)
{
	double		total = 0;
	ListCell   *lc;

	if (rel)
		*rel = 0;
	if (lg)
		*lg = 0;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);
		double		c;

		if (OidIsValid(relid) && !list_member_oid(q->relids, relid))
			continue;
		c = ia_advise_query_cost(st, q, set, NULL);
		elog(DEBUG2, "index_advisor: query %d: %.2f -> %.2f", q->qno + 1, q->cur, c);
		if (ia_advise_helps(q->cur, c))
		{
			total += q->weight * (q->cur - c);
			if (lg)
				*lg += q->weight * log(Max(q->cur, 0.01) / Max(c, 0.01));
		}
		else if (c > q->cur)
		{
			total -= q->weight * (c - q->cur);
			if (lg)
				*lg -= q->weight * log(Max(c, 0.01) / Max(q->cur, 0.01));
		}
		if (rel)
			*rel += q->weight * log(Max(c, 0.01) / Max(q->cur, 0.01));
		if (commit)
			q->cur = c;
	}
	return total;
}

/*
 * The gain of a set under a budget, from its benefit() b and lg: the
 * factor by which it cuts the workload's total cost plus the weighted
 * mean factor by which it cuts each query's cost, both in logs
 * (ln(total / (total - b)) + lg / the sum of the weights).  The second
 * term is what the geometric mean of cost measures: a lookup taken from
 * 1,190 to 8 gains as much as a report taken from 119,000 to 800, though
 * its absolute benefit is a hundredth; the first keeps the total in the
 * same units, so that neither wins alone (the absolute rule left such a
 * lookup 149 times dearer than the budget allowed, and a rule on the
 * geometric mean alone would give the big reports' bytes to small
 * queries).  total and weights are the workload's with the current picks
 * (current_total()).
 */
static double
joint_gain(double b, double lg, double total, double weights)
{
	if (total <= 0 || weights <= 0)
		return 0;
	return log(total / Max(total - b, total * 1e-12)) + lg / weights;
}

/* The workload's total cost with the current picks; *weights the sum of
 * the queries' weights. */
static double
current_total(AdvState *st, double *weights)
{
	double		total = 0;
	ListCell   *lc;

	*weights = 0;
	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);

		total += q->weight * q->cur;
		*weights += q->weight;
	}
	return total;
}

/*
 * Is candidate c (score: its benefit b, or under a budget its
 * joint_gain(), per byte or not; gain b and relative cost left rel:
 * benefit()) better than best?  Clearly better scores win (by 2 % and by a few cost units of
 * one query; per byte, under a budget, also twice the score whatever the
 * gains: a 6 MB covering index that saves 5 % more than its bare 1.4 MB key
 * is not worth the bytes of three other indexes); among nearly equal ones,
 * the one that leaves its queries clearly cheaper relative to their cost
 * (one query at half the cost or less: a
 * page that costs 10 where 0.9 was possible is slow whatever the workload's
 * total), then the clearly smaller, then the one with more key columns (it
 * serves more orders and prefixes), then by what is written, which no
 * ANALYZE sample moves: fewer INCLUDE columns, partial, then the first
 * drawn.
 */
static bool
better(IaCand *c, double score, double b, double rel, IaCand *best,
	   double best_score, double best_b, double best_rel, double mean_weight,
	   bool per_byte)
{
	double		margin = IA_MIN_GAIN_COST * mean_weight;
	double		rel_margin = IA_REL_MARGIN * mean_weight;
	double		cb,
				bb;

	if (best == NULL)
		return true;
	if (score > best_score * 1.02 &&
		(b > best_b + margin || (per_byte && score > 2 * best_score)))
		return true;
	if (score < best_score * 0.98 &&
		(b < best_b - margin || (per_byte && 2 * score < best_score)))
		return false;
	if (rel < best_rel - rel_margin || best_rel < rel - rel_margin)
		return rel < best_rel;
	cb = ia_advise_cand_bytes(c);
	bb = ia_advise_cand_bytes(best);
	if (cb < bb * 0.9 || bb < cb * 0.9)
		return cb < bb;
	if (list_length(c->keys) != list_length(best->keys))
		return list_length(c->keys) > list_length(best->keys);
	/* sizes within 10 % move with the statistics: what is written decides,
	 * the narrower, the partial, then the order the candidates were drawn
	 * in (from the queries, in their order) */
	if (list_length(c->include) != list_length(best->include))
		return list_length(c->include) < list_length(best->include);
	if ((c->pred != NULL) != (best->pred != NULL))
		return c->pred != NULL;
	return c->id < best->id;
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

/* The largest candidate id: arrays indexed by id have one more entry. */
static int
max_cand_id(AdvState *st)
{
	int			max_id = 0;
	ListCell   *lc;

	foreach(lc, st->cands)
		max_id = Max(max_id, ((IaCand *) lfirst(lc))->id);
	return max_id;
}

/* bounds' order: not yet costed first, then the larger bound, then by id */
static double *sort_bound;

static int
bound_cmp(const ListCell *a, const ListCell *b)
{
	IaCand	   *ca = lfirst(a);
	IaCand	   *cb = lfirst(b);
	double		ba = sort_bound[ca->id];
	double		bb = sort_bound[cb->id];

	if (isnan(ba) != isnan(bb))
		return isnan(ba) ? -1 : 1;
	if (!isnan(ba) && ba != bb)
		return ba > bb ? -1 : 1;
	return ca->id - cb->id;
}

/* What best_candidate knows of the candidates in one round, by id. */
typedef struct Round
{
	double	   *bound;			/* benefit when last costed, NAN before;
								 * from bound[n], benefit()'s lg then */
	int			n;				/* one more than the largest id */
	double		total;			/* current_total() at the round's start */
	double		weights;
	double	   *rels;			/* benefit()'s relative cost left */
	Bitmapset **changed;		/* the statements each helps */
	List	  **groups;			/* each with its partners */
	Bitmapset  *costed;			/* costed this round, and they pay */
	Bitmapset  *skipped;		/* not costed: their bound could not win */
	double		top_b;
	double		top_score;
	bool		pay;			/* no budget: each pick must pay for its
								 * bytes (advise_pay.c); under a budget
								 * the gain is joint_gain() */
} Round;

/*
 * What candidate id's bounds (its gains when last costed) score, of
 * "bytes": without a budget its benefit, under a budget its joint_gain(),
 * per byte or not.
 */
static double
round_score(Round *r, int id, double bytes, bool per_byte)
{
	double		g = r->bound[id];

	if (!r->pay)
		g = joint_gain(g, r->bound[r->n + id], r->total, r->weights);
	return per_byte ? g / bytes : g;
}

/*
 * Cost c (with its partners, r->groups) added to picks, this round; true
 * when it brings something and pays for its bytes (advise_pay.c; a
 * candidate that does not is kept in st->pay_refused for the notes).
 */
static bool
cost_one(AdvState *st, List *picks, IaCand *c, bool per_byte, Round *r)
{
	List	   *group = r->groups[c->id];
	List	   *set = list_concat(list_copy(picks), group);
	double		bytes = ia_advise_set_bytes(group);
	double		b = benefit(st, set, c->relid, false, &r->rels[c->id],
							&r->bound[r->n + c->id]);

	r->bound[c->id] = b;
	r->skipped = bms_del_member(r->skipped, c->id);
	if (b <= 0 || (!r->pay && round_score(r, c->id, bytes, false) <= 0))
		return false;
	if (r->pay)
	{
		r->changed[c->id] = ia_advise_changed(st, set, c->relid);
		if (!ia_advise_pays(st, picks, group, r->changed[c->id]))
		{
			st->pay_refused = bms_add_member(st->pay_refused, c->id);
			return false;
		}
	}
	r->costed = bms_add_member(r->costed, c->id);
	r->top_b = Max(r->top_b, b);
	r->top_score = Max(r->top_score, round_score(r, c->id, bytes, per_byte));
	elog(DEBUG1, "index_advisor: candidate %d %s: benefit %.2f, %.0f bytes",
		 c->id, c->text, b, bytes);
	return true;
}

/*
 * The best of the candidates costed this round, compared in their own
 * order, as if all had been costed (better() breaks exact ties by order);
 * without a budget, two of the same table are first compared by whether
 * the bigger pays for its extra bytes (ia_advise_pay_compare).
 */
static IaCand *
choose(AdvState *st, List *picks, bool per_byte, Round *r, double *gain)
{
	IaCand	   *best = NULL;
	double		best_score = 0;
	double		best_rel = 0;
	ListCell   *lc;

	foreach(lc, st->cands)
	{
		IaCand	   *c = lfirst(lc);
		double		b = r->bound[c->id];
		double		score;
		int			pc = 0;

		if (!bms_is_member(c->id, r->costed))
			continue;
		score = round_score(r, c->id, ia_advise_set_bytes(r->groups[c->id]),
							per_byte);
		if (best != NULL && r->pay)
			pc = ia_advise_pay_compare(st, picks, r->groups[c->id],
									   r->changed[c->id],
									   r->groups[best->id],
									   r->changed[best->id]);
		if (pc > 0 ||
			(pc == 0 && !better(c, score, b, r->rels[c->id], best,
								best_score, *gain, best_rel,
								st->mean_weight, per_byte)))
			continue;
		best = c;
		best_score = score;
		best_rel = r->rels[c->id];
		*gain = b;
	}
	return best;
}

/*
 * The best candidate to add to picks, or NULL; *gain its benefit.  Its
 * partners (with_partners) come with it; at most "slots" indexes, of
 * min_bytes to room bytes (room -1: any size); only one that pays for its
 * bytes (advise_pay.c).
 *
 * Lazily (the lazy greedy of submodular selection): bound[id] is each
 * candidate's benefit when it was last costed, NAN before.  A pick can
 * only take work away from the others, nearly always, so that benefit
 * bounds what a candidate can bring now.  First the candidates are costed
 * in the order of their bounds, skipping each whose bound could not make
 * it better() than the best costed so far (lower by more than better()'s
 * margins for near ties); then the costed ones are compared (choose()).
 * Without a budget, a smaller candidate of the chosen one's table may win
 * by the bytes rule though its bound could not win by benefit: those
 * skipped are costed, and compared again.
 */
static IaCand *
best_candidate(AdvState *st, List *picks, List *refused, double room,
			   double min_bytes, int slots, bool per_byte, double *bound,
			   double *gain)
{
	IaCand	   *best;
	double		margin = IA_MIN_GAIN_COST * st->mean_weight;
	int			n = max_cand_id(st) + 1;
	List	   *order = list_copy(st->cands);
	Round		r;
	ListCell   *lc;

	memset(&r, 0, sizeof(r));
	r.bound = bound;
	r.n = n;
	r.total = current_total(st, &r.weights);
	r.pay = (room < 0);
	r.rels = palloc0(sizeof(double) * n);
	r.changed = palloc0(sizeof(Bitmapset *) * n);
	r.groups = palloc0(sizeof(List *) * n);
	sort_bound = bound;
	list_sort(order, bound_cmp);
	foreach(lc, order)
	{
		IaCand	   *c = lfirst(lc);
		double		bytes;

		if (list_member_ptr(picks, c) || list_member_ptr(refused, c))
			continue;
		r.groups[c->id] = with_partners(st, c, picks, refused, &bytes);
		if (list_length(r.groups[c->id]) > slots || bytes < min_bytes ||
			(room >= 0 && bytes > room))
			continue;
		if (r.costed != NULL && !isnan(bound[c->id]) &&
			bound[c->id] < r.top_b - margin &&
			round_score(&r, c->id, bytes, per_byte) < r.top_score * 0.98)
		{
			r.skipped = bms_add_member(r.skipped, c->id);
			continue;
		}
		(void) cost_one(st, picks, c, per_byte, &r);
	}
	best = choose(st, picks, per_byte, &r, gain);
	if (best != NULL && r.pay)
	{
		bool		more = false;

		foreach(lc, st->cands)
		{
			IaCand	   *c = lfirst(lc);

			if (bms_is_member(c->id, r.skipped) && c->relid == best->relid &&
				ia_advise_set_bytes(r.groups[c->id]) * 1.1 < ia_advise_set_bytes(r.groups[best->id]))
				more |= cost_one(st, picks, c, per_byte, &r);
		}
		if (more)
			best = choose(st, picks, per_byte, &r, gain);
	}
	list_free(order);
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
			if (ia_advise_helps(wo, with_c))
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
List *
ia_advise_rank_picks(AdvState *st, List *picks)
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

/*
 * group (a round's best with its partners) made drop_useless() drop the
 * earlier picks "displaced": does it beat them clearly, by better()'s
 * margins, each costed over the picks that remain ("kept")?  A near tie
 * keeps the earlier picks (better()'s preference, usually the smaller):
 * a later candidate that gains a few cost units over the pick it replaces
 * gains them on the ANALYZE sample's noise (a full index's 10.1 units
 * over a 0.45 % partial one, 10.0 for the partial one's INCLUDE twin),
 * and the advice would flip with the next sample.
 */
static bool
swap_beats(AdvState *st, List *kept, List *displaced, List *group,
		   bool per_byte, bool joint)
{
	double		b_old,
				b_new,
				rel_old,
				rel_new,
				lg_old,
				lg_new,
				g_old,
				g_new,
				total,
				weights,
				bytes_old = 0,
				bytes_new = 0;
	double	   *saved = palloc(sizeof(double) * list_length(st->queries));
	int			i = 0;
	ListCell   *lc;

	/* both gains from the cost each query has with "kept" alone */
	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);

		saved[i++] = q->cur;
		q->cur = ia_advise_query_cost(st, q, kept, NULL);
	}
	b_old = benefit(st, list_concat(list_copy(kept), displaced), InvalidOid,
					false, &rel_old, &lg_old);
	b_new = benefit(st, list_concat(list_copy(kept), group), InvalidOid,
					false, &rel_new, &lg_new);
	total = current_total(st, &weights);
	g_old = joint ? joint_gain(b_old, lg_old, total, weights) : b_old;
	g_new = joint ? joint_gain(b_new, lg_new, total, weights) : b_new;
	i = 0;
	foreach(lc, st->queries)
		((AdvQuery *) lfirst(lc))->cur = saved[i++];
	foreach(lc, displaced)
		bytes_old += ia_advise_cand_bytes(lfirst(lc));
	foreach(lc, group)
		bytes_new += ia_advise_cand_bytes(lfirst(lc));
	pfree(saved);
	return better(linitial(group), per_byte ? g_new / bytes_new : g_new,
				  b_new, rel_new, linitial(displaced),
				  per_byte ? g_old / bytes_old : g_old, b_old, rel_old,
				  st->mean_weight, per_byte);
}

/* Each query's cost with the current picks is its cost with "set". */
void
ia_advise_set_current(AdvState *st, List *set)
{
	ListCell   *lc;

	foreach(lc, st->queries)
		((AdvQuery *) lfirst(lc))->cur =
			ia_advise_query_cost(st, lfirst(lc), set, NULL);
}

double
ia_advise_set_bytes(List *set)
{
	double		bytes = 0;
	ListCell   *lc;

	foreach(lc, set)
		bytes += ia_advise_cand_bytes(lfirst(lc));
	return bytes;
}

/* A fresh bounds array for best_candidate's lazy greedy: none costed
 * (each id's benefit, then from max id + 1 each id's benefit() lg). */
double *
ia_advise_fresh_bounds(AdvState *st)
{
	int			max_id = max_cand_id(st);
	double	   *bound = palloc(sizeof(double) * 2 * (max_id + 1));

	for (int i = 0; i < 2 * (max_id + 1); i++)
		bound[i] = NAN;
	return bound;
}

/*
 * The greedy: adds to picks (each query's cur its cost with them) the best
 * candidate, per byte or not, under the budget (bytes, -1 = none) and
 * max_indexes, of at least min_bytes each, for at most "rounds" rounds;
 * *refused gets those idx_apply would refuse as duplicates, *passed
 * those passed over (not clearly better than the picks they would
 * displace: swap_beats); neither kind is drawn again.
 */
List *
ia_advise_grow(AdvState *st, List *picks, List **refused, List **passed,
			   int64 budget, double min_bytes, int max_indexes, bool per_byte,
			   double *bound, int rounds)
{
	ListCell   *lc;

	while (list_length(picks) < max_indexes && rounds-- > 0)
	{
		double		gain = 0;
		double		bytes;
		IaCand	   *best;
		List	   *before = list_copy(picks);
		List	   *group = NIL;
		List	   *displaced = NIL;
		List	   *out = list_concat(list_copy(*refused), *passed);

		best = best_candidate(st, picks, out,
							  budget >= 0 ? budget - ia_advise_set_bytes(picks) : -1,
							  min_bytes, max_indexes - list_length(picks),
							  per_byte, bound, &gain);
		if (best == NULL)
			break;
		if (ia_advise_refused_as_duplicate(best))
		{
			*refused = lappend(*refused, best);
			continue;
		}
		foreach(lc, with_partners(st, best, picks, out, &bytes))
		{
			IaCand	   *p = lfirst(lc);

			if (p == best || !ia_advise_refused_as_duplicate(p))
				group = lappend(group, p);
			else
				*refused = lappend(*refused, p);
		}
		picks = drop_useless(st, list_concat(picks, group));
		foreach(lc, before)
			if (!list_member_ptr(picks, lfirst(lc)))
				displaced = lappend(displaced, lfirst(lc));
		if (displaced != NIL &&
			!swap_beats(st, list_difference_ptr(before, displaced),
						displaced, group, per_byte, budget >= 0))
		{
			/* not clearly better than what it displaces: passed over */
			picks = before;
			*passed = list_concat(*passed, group);
			continue;
		}
		ia_advise_set_current(st, picks);
	}
	return picks;
}

/*
 * bound (best_candidate's lazy bounds with "out" picked) made good for a
 * set without "out": a candidate that can change the plan of a query that
 * out can change may now gain more than its bound, so it is costed again.
 */
double *
ia_advise_bounds_without(AdvState *st, double *bound, IaCand *out)
{
	Size		len = sizeof(double) * 2 * (max_cand_id(st) + 1);
	double	   *nb = palloc(len);
	ListCell   *lq;
	ListCell   *lc;

	memcpy(nb, bound, len);
	foreach(lq, st->queries)
	{
		AdvQuery   *q = lfirst(lq);

		if (!list_member_oid(q->relids, out->relid) ||
			!ia_advise_cand_reaches(q, out))
			continue;
		foreach(lc, st->cands)
			if (list_member_oid(q->relids, ((IaCand *) lfirst(lc))->relid) &&
				ia_advise_cand_reaches(q, lfirst(lc)))
				nb[((IaCand *) lfirst(lc))->id] = NAN;
	}
	return nb;
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
