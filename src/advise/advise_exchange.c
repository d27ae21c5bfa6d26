/*-------------------------------------------------------------------------
 *
 * advise_exchange.c
 *		The advisor's selection as a whole (for advise.c): the greedy of
 *		advise_select.c, then under a budget the exchange pass, a local
 *		search of the knapsack the greedy fills per byte (exchange():
 *		trades of one pick, then of two, for what their bytes let in, kept
 *		when the workload's total times its geometric mean of cost falls
 *		clearly: trade_wins()), then the picks ranked.  Split from
 *		advise_select.c along this seam when the two-for-one trades came.
 *		The design and rules are in advise.c's header.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/elog.h"

#include "ia_advise.h"
#include "ia_plan.h"
#include "advise_internal.h"

/* sum of weight * ln(cost) of the queries with their current picks: the
 * workload's geometric mean of cost, in logs */
static double
log_cost(AdvState *st)
{
	double		total = 0;
	ListCell   *lc;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);

		total += q->weight * log(Max(q->cur, 0.01));
	}
	return total;
}

/* out with its partners among picks: what taking it out takes out */
static List *
out_group(IaCand *out, List *picks)
{
	List	   *group = list_make1(out);
	ListCell   *lc;

	foreach(lc, out->partners)
		if (list_member_ptr(picks, lfirst(lc)))
			group = list_append_unique_ptr(group, lfirst(lc));
	return group;
}

/* Where exchange() stands between trades: the picks and their costs. */
typedef struct Trades
{
	List	   *picks;
	List	   *refused;
	double	   *bound;			/* best_candidate's lazy bounds for picks */
	double		cost;			/* the workload's total cost with picks */
	double		logs;			/* log_cost() with picks */
	double		weights;		/* the sum of the queries' weights */
} Trades;

/*
 * Is a trial set (total trial_cost, log_cost trial_logs) a clear
 * improvement on t's picks, by the measure the greedy chooses by
 * (advise_select.c, joint_gain()): the workload's total times its
 * geometric mean of cost, ln(total) + log_cost / the sum of the weights,
 * falls by 1 % (less is the ANALYZE sample's noise).  So a total won on
 * two big reports must not leave a lookup many times dearer, and a
 * statement made twice as cheap must not cost the workload as much in
 * total: the two rules before (a total that falls with a geometric mean
 * that does not rise, or a geometric mean that falls by 1 % with a total
 * that rises by 1 % at most) let the second undo what the greedy had
 * weighed, and on TPC-H at a tenth of the scale took the total above the
 * expert's for a geometric mean 1 % lower.
 */
static bool
trade_wins(Trades *t, double trial_cost, double trial_logs)
{
	return log(Max(trial_cost, 0.01) / Max(t->cost, 0.01)) +
		(trial_logs - t->logs) / t->weights < -log(1.01);
}

/*
 * One trade: take "outs" (with their partners) out of t's picks, put in
 * the candidate that saves the most among those of at least min_bytes the
 * freed bytes let in, fill what remains per byte; keep the result in t
 * when trade_wins().  outs are not drawn again in this trade.
 */
static void
trade(AdvState *st, Trades *t, List *outs, double min_bytes, int64 budget,
	  int max_indexes)
{
	List	   *trial = list_copy(t->picks);
	List	   *trial_passed = list_copy(outs);
	double	   *trial_bound = t->bound;
	double		trial_cost;
	double		trial_logs;
	bool		kept;
	ListCell   *lc;

	CHECK_FOR_INTERRUPTS();
	foreach(lc, outs)
	{
		trial = list_difference_ptr(trial, out_group(lfirst(lc), t->picks));
		trial_bound = ia_advise_bounds_without(st, trial_bound, lfirst(lc));
	}
	ia_advise_set_current(st, trial);
	trial = ia_advise_grow(st, trial, &t->refused, &trial_passed, budget,
						   min_bytes, max_indexes, false, trial_bound, 1);
	trial = ia_advise_grow(st, trial, &t->refused, &trial_passed, budget, 0,
						   max_indexes, true, trial_bound,
						   2 * max_indexes + 10);
	ia_advise_set_current(st, trial);
	trial_cost = ia_advise_workload_cost(st, trial);
	trial_logs = log_cost(st);
	kept = trade_wins(t, trial_cost, trial_logs);
	elog(DEBUG1, "index_advisor: exchange %s%s out: cost %.2f -> %.2f, log cost %.3f -> %.3f: %s",
		 ((IaCand *) linitial(outs))->text,
		 list_length(outs) > 1 ? " and another" : "",
		 t->cost, trial_cost, t->logs, trial_logs, kept ? "kept" : "not kept");
	if (kept)
	{
		t->picks = trial;
		t->cost = trial_cost;
		t->logs = trial_logs;
		t->bound = trial_bound;
	}
	ia_advise_set_current(st, t->picks);
}

/*
 * Does a candidate wait for the bytes of picks a and b together: not
 * picked, not refused, not known to bring nothing, bigger than room and
 * the bytes of either alone (lo) and within room and both (hi), and the
 * tables of a and b each read by a statement whose plan it can change?
 */
static bool
pair_lets_in(AdvState *st, Trades *t, IaCand *a, IaCand *b, double lo,
			 double hi)
{
	ListCell   *lc;

	foreach(lc, st->cands)
	{
		IaCand	   *c = lfirst(lc);
		double		bytes = ia_advise_cand_bytes(c);
		bool		reads_a = false;
		bool		reads_b = false;
		ListCell   *lq;

		if (bytes <= lo || bytes > hi || list_member_ptr(t->picks, c) ||
			list_member_ptr(t->refused, c) ||
			(!isnan(t->bound[c->id]) && t->bound[c->id] <= 0))
			continue;
		foreach(lq, st->queries)
		{
			AdvQuery   *q = lfirst(lq);

			if (!list_member_oid(q->relids, c->relid) ||
				!ia_advise_cand_reaches(q, c))
				continue;
			reads_a |= list_member_oid(q->relids, a->relid);
			reads_b |= list_member_oid(q->relids, b->relid);
		}
		if (reads_a && reads_b)
			return true;
	}
	return false;
}

/*
 * The next pair of t's picks for a two-for-one trade, not in "tried" (a
 * list of two-element lists): of those pair_lets_in() admits, the one
 * that frees the fewest bytes (the least taken out); NIL when none.
 */
static List *
next_pair(AdvState *st, Trades *t, List *tried, double room)
{
	List	   *best = NIL;
	double		best_freed = 0;
	ListCell   *la;
	ListCell   *lb;

	foreach(la, t->picks)
	{
		IaCand	   *a = lfirst(la);
		double		bytes_a = ia_advise_set_bytes(out_group(a, t->picks));

		for_each_cell(lb, t->picks, lnext(t->picks, la))
		{
			IaCand	   *b = lfirst(lb);
			double		bytes_b = ia_advise_set_bytes(out_group(b, t->picks));
			bool		seen = false;
			ListCell   *lt;

			if (list_member_ptr(a->partners, b) ||
				(best != NIL && bytes_a + bytes_b >= best_freed))
				continue;
			foreach(lt, tried)
				seen |= (list_member_ptr(lfirst(lt), a) &&
						 list_member_ptr(lfirst(lt), b));
			if (seen ||
				!pair_lets_in(st, t, a, b, room + Max(bytes_a, bytes_b),
							  room + bytes_a + bytes_b))
				continue;
			best = list_make2(a, b);
			best_freed = bytes_a + bytes_b;
		}
	}
	return best;
}

/*
 * The exchange pass under a budget (a local search of the knapsack): the
 * per-byte greedy fills the bytes with the small indexes of the best
 * ratio first, and can leave out a larger one that saves more than the
 * picks whose bytes it would take (a date-range scan of a big table, say,
 * behind cheap lookups).  First one for one: once for each pick of the
 * greedy's, take it out (with its partners, the other arms of an OR), put
 * in the candidate that saves the most among those the freed bytes let
 * in (too big before, not too big now), fill what remains per byte.  Then
 * two for one, for a candidate that neither pick's bytes alone let in:
 * at most IA_EXCHANGE_PAIRS pairs, only pairs whose bytes together let
 * in such a candidate that can change the plan of statements reading
 * both picks' tables (pair_lets_in), the pair that frees the fewest bytes
 * first.  Each trade is kept when it is a clear improvement
 * (trade_wins()).  bound is the greedy's, kept lazily as best_candidate
 * keeps it.  Each query's cur is left its cost with the result.
 */
static List *
exchange(AdvState *st, List *picks, List *refused, int64 budget,
		 int max_indexes, double *bound)
{
	Trades		t;
	List	   *first = list_copy(picks);
	List	   *tried = NIL;
	double		weights = 0;
	ListCell   *lc;

	foreach(lc, st->queries)
		weights += ((AdvQuery *) lfirst(lc))->weight;
	t.picks = picks;
	t.refused = refused;
	t.bound = bound;
	t.cost = ia_advise_workload_cost(st, picks);
	t.logs = log_cost(st);
	t.weights = Max(weights, 1e-9);
	foreach(lc, first)
	{
		if (list_member_ptr(t.picks, lfirst(lc)))
			trade(st, &t, list_make1(lfirst(lc)),
				  budget - ia_advise_set_bytes(t.picks) + 1, budget, max_indexes);
	}
	while (list_length(tried) < IA_EXCHANGE_PAIRS)
	{
		double		room = budget - ia_advise_set_bytes(t.picks);
		List	   *pair = next_pair(st, &t, tried, room);

		if (pair == NIL)
			break;
		tried = lappend(tried, pair);
		trade(st, &t, pair,
			  room + Max(ia_advise_set_bytes(out_group(linitial(pair), t.picks)),
						 ia_advise_set_bytes(out_group(lsecond(pair), t.picks)))
			  + 1, budget, max_indexes);
	}
	ia_advise_set_current(st, t.picks);
	return t.picks;
}

/*
 * The selection stopped at max_indexes: when one more index would still
 * have been picked (one more round of the greedy, as it would have run),
 * a NOTICE names it and what it would save, so that a capped advice is
 * not mistaken for all there is (issue 20: a cap of 10 left a sign-in
 * query without its index, silently).  The picks are left as they were.
 */
static void
notice_cap(AdvState *st, List *picks, List *refused, List *passed,
		   int64 budget, int max_indexes)
{
	double		before = ia_advise_workload_cost(st, picks);
	List	   *more;
	List	   *added;

	more = ia_advise_grow(st, list_copy(picks), &refused, &passed, budget, 0,
						  max_indexes + 1, budget >= 0,
						  ia_advise_fresh_bounds(st), 3);
	added = list_difference_ptr(more, picks);
	if (added != NIL)
	{
		double		after = ia_advise_workload_cost(st, more);

		ereport(NOTICE,
				(errmsg("the advice stopped at max_indexes (%d)", max_indexes),
				 errdetail("One more index would still lower the planned cost of the statements from %.2f to %.2f: %s.",
						   before, after, ((IaCand *) linitial(added))->text),
				 errhint("Pass a larger max_indexes, or leave it NULL for no limit but the budget and the rule that each index pays for its bytes.")));
	}
	ia_advise_set_current(st, picks);
}

/*
 * The selection under the budget (bytes, -1 = none) and max_indexes: the
 * greedy, under a budget improved by the exchange pass, the picks ranked.
 */
List *
ia_advise_select(AdvState *st, int64 budget, int max_indexes)
{
	List	   *refused = NIL;
	List	   *passed = NIL;
	List	   *picks;
	double	   *bound = ia_advise_fresh_bounds(st);

	picks = ia_advise_grow(st, NIL, &refused, &passed, budget, 0, max_indexes,
						   budget >= 0, bound, 2 * max_indexes + 10);
	if (budget >= 0)
		picks = exchange(st, picks, refused, budget, max_indexes, bound);
	if (list_length(picks) >= max_indexes && max_indexes < IA_MAX_INDEXES)
		notice_cap(st, picks, refused, passed, budget, max_indexes);
	return ia_advise_rank_picks(st, picks);
}

