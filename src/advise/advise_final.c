/*-------------------------------------------------------------------------
 *
 * advise_final.c
 *		The advisor's last judgement of its picks (for advise.c), once the
 *		selection (advise_select.c) is done: every statement planned with
 *		exactly the picks, not through the memo's shortcuts, and a pick
 *		without which the workload costs no more dropped (drop_harmful),
 *		under a budget its bytes filled again by the greedy; then a pick
 *		no statement's plan uses dropped (drop_unused).  Split
 *		from advise.c along this seam.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "utils/elog.h"

#include "ia_advise.h"
#include "ia_plan.h"
#include "advise_internal.h"

/* The weighted cost of the workload with exactly "set", as planned. */
static double
exact_workload_cost(AdvState *st, List *set)
{
	double		total = 0;
	ListCell   *lc;

	foreach(lc, st->queries)
		total += ((AdvQuery *) lfirst(lc))->weight *
			ia_advise_query_cost_exact(st, lfirst(lc), set, NULL);
	return total;
}

/*
 * The picks without those that do not pay once every statement is planned
 * with exactly them (ia_advise_query_cost_exact): the choice costed its
 * sets through the memo's shortcuts, which the planner's parallel and
 * fuzzy path choices and GEQO's seeded search break now and then
 * (sql/advise_harmful.sql: an index that alone lowers a 5-table join's
 * cost raises it by 60 % beside the other picks), and a pick that makes
 * one query dearer than it saves on others is no advice.  A pick without which (and
 * its partners, the other arms of an OR) the workload costs no more is
 * dropped, the last ranked first; then the rest are judged again.
 */
static List *
drop_harmful(AdvState *st, List *picks)
{
	bool		dropped = true;

	while (dropped && picks != NIL)
	{
		double		with = exact_workload_cost(st, picks);

		dropped = false;
		for (int i = list_length(picks) - 1; i >= 0 && !dropped; i--)
		{
			IaCand	   *c = list_nth(picks, i);
			List	   *without = list_difference_ptr(picks, c->partners);

			without = list_delete_ptr(without, c);
			if (exact_workload_cost(st, without) > with)
				continue;
			elog(DEBUG1, "index_advisor: %s dropped: it does not pay once planned with the other picks",
				 c->text);
			picks = without;
			dropped = true;
		}
	}
	return picks;
}

/*
 * The picks without those no statement's plan uses once all the picks are
 * there (generically or with its representative values: the note says
 * which), dropped one at a time, most recently picked first, until every
 * one left is used: an index no plan uses is not advice.
 */
static List *
drop_unused(AdvState *st, List *picks)
{
	bool		dropped = true;

	while (dropped && picks != NIL)
	{
		Bitmapset  *used = NULL;
		ListCell   *lc;

		dropped = false;
		foreach(lc, st->queries)
		{
			Bitmapset  *u = NULL;

			(void) ia_advise_query_cost(st, lfirst(lc), picks, &u);
			used = bms_union(used, u);
		}
		for (int i = list_length(picks) - 1; i >= 0 && !dropped; i--)
		{
			if (bms_is_member(((IaCand *) list_nth(picks, i))->id, used))
				continue;
			picks = list_delete_nth_cell(list_copy(picks), i);
			dropped = true;
		}
	}
	return picks;
}

/*
 * ia_advise_final_picks -- picks without those that do not pay once planned
 * exactly, then without those no plan uses.  Under a budget (bytes, -1 =
 * none) the bytes a dropped pick frees are filled again by the greedy per
 * byte (ia_advise_grow, the dropped ones not drawn again), the result
 * judged again and ranked: a pick that raised the cost must not leave its
 * bytes unspent (on TPC-H, customer (c_nationkey) INCLUDE (c_custkey)
 * left 0.7 MB that a partial index on lineitem fits in).
 */
List *
ia_advise_final_picks(AdvState *st, List *picks, int64 budget,
					  int max_indexes)
{
	List	   *kept = drop_harmful(st, picks);

	if (budget >= 0 && list_length(kept) < list_length(picks))
	{
		List	   *refused = list_difference_ptr(picks, kept);
		List	   *passed = NIL;

		ia_advise_set_current(st, kept);
		kept = ia_advise_grow(st, kept, &refused, &passed, budget, 0,
							  max_indexes, true, ia_advise_fresh_bounds(st),
							  2 * max_indexes + 10);
		kept = ia_advise_rank_picks(st, drop_harmful(st, kept));
	}
	return drop_unused(st, kept);
}
