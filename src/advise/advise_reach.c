/*-------------------------------------------------------------------------
 *
 * advise_reach.c
 *		Which candidates can change a query's plan, for the advisor's memo
 *		(advise_plan.c): a query is re-planned for a set of candidates only
 *		when one of them can change its plan.
 *
 * Design.  The planner builds a path on an index only when the index has
 * a clause it can use (a restriction or join clause on a key column), an
 * order some clause wants (ORDER BY, GROUP BY, DISTINCT, a merge join,
 * min/max), a predicate the query's clauses prove, or every column the
 * query needs of the table (an index-only scan) (build_index_paths,
 * indxpath.c).  An index the planner builds no path on leaves every plan
 * as it is.  So, per table a query reads, two sets of columns:
 *
 *	- read: every column read anywhere (the range table's selectedCols);
 *	  none, or the whole row, means any index may serve (count(*): any
 *	  index is an index-only scan);
 *	- wanted: the columns in a position where an index can serve them:
 *	  WHERE and JOIN ... ON clauses, HAVING, the sort and group keys of
 *	  ORDER BY, GROUP BY, DISTINCT and windows, arguments of aggregates and
 *	  window functions, the output of an IN (or ANY, ALL, row comparison)
 *	  sub-select (a join key once the planner pulls it up), at every level
 *	  (sub-queries, CTEs, SubLinks); a
 *	  column of a sub-query, view, CTE or JOIN used in such a position is
 *	  followed to the expression that computes it.
 *
 * A candidate can change the plan when a key, expression or predicate
 * column is wanted, or when its columns hold every column read.  Where the
 * wanted set cannot be told (a table read more than once, whose instances
 * need different columns; a whole-row reference; a recursive CTE), the
 * older rule stands: any column of the candidate that the query reads.
 * So it does for every table of a UNION, INTERSECT or EXCEPT (an ORDER BY
 * of the whole stands for each arm's columns).  Row security's quals
 * (securityQuals) are clauses like WHERE's.
 *
 * Rules: call inside a transaction; nothing here plans or executes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"

#include "advise_internal.h"

typedef struct Reads
{
	List	   *relids;			/* q->relids */
	Bitmapset **read;			/* per relid: selectedCols */
	bool	   *all;			/* per relid: read whole, or no column */
	int		   *count;			/* per relid: range table entries */
	Bitmapset **wanted;			/* per relid: see the header */
	bool	   *unknown;		/* per relid: wanted cannot be told */
	bool		lost;			/* wanted cannot be told for any table */
	List	   *levels;			/* Query stack, innermost first */
} Reads;

static bool wanted_walker(Node *node, Reads *r);
static void scan_query(Reads *r, Query *qry);

static int
rel_index(Reads *r, Oid relid)
{
	int			i = 0;
	ListCell   *lc;

	foreach(lc, r->relids)
	{
		if (lfirst_oid(lc) == relid)
			return i;
		i++;
	}
	return -1;
}

/* walk "expr" as an expression of the query level "levels" (innermost
 * first): every Var in it is wanted */
static void
want_at(Reads *r, Node *expr, List *levels)
{
	List	   *saved = r->levels;

	r->levels = levels;
	(void) wanted_walker(expr, r);
	r->levels = saved;
}

/* A CTE's query as seen from "owner" (the query whose cteList holds it),
 * or NULL if it is recursive or not a plain SELECT */
static Query *
cte_query(Query *owner, const char *name)
{
	ListCell   *lc;

	foreach(lc, owner->cteList)
	{
		CommonTableExpr *cte = lfirst(lc);

		if (strcmp(cte->ctename, name) == 0)
			return (!cte->cterecursive && IsA(cte->ctequery, Query) &&
					((Query *) cte->ctequery)->commandType == CMD_SELECT) ?
				(Query *) cte->ctequery : NULL;
	}
	return NULL;
}

/* a Var in a wanted position: its table's column, or what computes it */
static void
want_var(Reads *r, Var *v)
{
	List	   *at;
	Query	   *qry;
	RangeTblEntry *rte;
	TargetEntry *tle = NULL;
	Query	   *sub = NULL;
	int			i;

	if (v->varlevelsup >= (Index) list_length(r->levels))
	{
		r->lost = true;
		return;
	}
	at = list_copy_tail(r->levels, v->varlevelsup);
	qry = linitial(at);
	rte = rt_fetch(v->varno, qry->rtable);
	if (v->varattno == InvalidAttrNumber)
	{
		/* a whole row: every column of it */
		if (rte->rtekind == RTE_RELATION && (i = rel_index(r, rte->relid)) >= 0)
			r->unknown[i] = true;
		else
			r->lost = true;
		return;
	}
	if (v->varattno < 0)
		return;					/* a system column: no candidate has one */
	switch (rte->rtekind)
	{
		case RTE_RELATION:
			if ((i = rel_index(r, rte->relid)) >= 0)
				r->wanted[i] = bms_add_member(r->wanted[i],
											  v->varattno - FirstLowInvalidHeapAttributeNumber);
			return;
		case RTE_JOIN:
			if (v->varattno <= list_length(rte->joinaliasvars))
				want_at(r, list_nth(rte->joinaliasvars, v->varattno - 1), at);
			else
				r->lost = true;
			return;
		case RTE_SUBQUERY:
			sub = rte->subquery;
			break;
		case RTE_CTE:
			if (v->varlevelsup + rte->ctelevelsup < (Index) list_length(r->levels))
			{
				at = list_copy_tail(r->levels, v->varlevelsup + rte->ctelevelsup);
				sub = cte_query(linitial(at), rte->ctename);
			}
			if (sub == NULL)
			{
				r->lost = true;
				return;
			}
			break;
		default:
			return;				/* a function's or VALUES' column: no table */
	}
	tle = get_tle_by_resno(sub->targetList, v->varattno);
	if (tle == NULL)
		r->lost = true;
	else
		want_at(r, (Node *) tle->expr, lcons(sub, at));
}

/* every Var is wanted; sub-queries are scanned */
static bool
wanted_walker(Node *node, Reads *r)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, Var))
	{
		want_var(r, (Var *) node);
		return false;
	}
	if (IsA(node, Query))
	{
		scan_query(r, (Query *) node);
		return false;
	}
	if (IsA(node, SubLink) && ((SubLink *) node)->subLinkType != EXISTS_SUBLINK &&
		((SubLink *) node)->subLinkType != EXPR_SUBLINK &&
		((SubLink *) node)->subLinkType != ARRAY_SUBLINK &&
		IsA(((SubLink *) node)->subselect, Query))
	{
		/* x IN (SELECT y ...): y is a join key (advise_sublink.c) */
		Query	   *sub = (Query *) ((SubLink *) node)->subselect;

		want_at(r, (Node *) sub->targetList, lcons(sub, list_copy(r->levels)));
	}
	return expression_tree_walker(node, wanted_walker, r);
}

/* a target list's plain output is not wanted; what is inside an aggregate,
 * a window function or a sub-link is */
static bool
output_walker(Node *node, Reads *r)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref) || IsA(node, WindowFunc) || IsA(node, SubLink))
		return wanted_walker(node, r);
	if (IsA(node, Var))
		return false;
	return expression_tree_walker(node, output_walker, r);
}

/* one query level: its wanted positions, then its sub-queries */
static void
scan_query(Reads *r, Query *qry)
{
	ListCell   *lc;

	r->levels = lcons(qry, r->levels);
	/* a UNION's sort keys stand for every arm's: not followed */
	if (qry->setOperations != NULL)
		r->lost = true;
	(void) wanted_walker((Node *) qry->jointree, r);
	(void) wanted_walker(qry->havingQual, r);
	foreach(lc, qry->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->ressortgroupref != 0)
			(void) wanted_walker((Node *) tle->expr, r);
		else
			(void) output_walker((Node *) tle->expr, r);
	}
	foreach(lc, qry->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		/* row security's quals, which the rewriter put on the table */
		(void) wanted_walker((Node *) rte->securityQuals, r);
		if (rte->rtekind == RTE_RELATION &&
			(rel_index(r, rte->relid)) >= 0)
			r->count[rel_index(r, rte->relid)]++;
		else if (rte->rtekind == RTE_SUBQUERY)
			scan_query(r, rte->subquery);
		else if (rte->rtekind == RTE_FUNCTION)
			(void) wanted_walker((Node *) rte->functions, r);
		else if (rte->rtekind == RTE_VALUES)
			(void) wanted_walker((Node *) rte->values_lists, r);
	}
	foreach(lc, qry->cteList)
	{
		CommonTableExpr *cte = lfirst(lc);

		if (IsA(cte->ctequery, Query))
			scan_query(r, (Query *) cte->ctequery);
	}
	r->levels = list_delete_first(r->levels);
}

/* every Query of the tree (sub-queries, CTEs, sub-links): its tables' reads */
static bool
read_walker(Node *node, Reads *r)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		ListCell   *lc;

		foreach(lc, ((Query *) node)->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);
			int			i;

			if (rte->rtekind != RTE_RELATION ||
				(i = rel_index(r, rte->relid)) < 0)
				continue;
			r->read[i] = bms_add_members(r->read[i], rte->selectedCols);
			if (bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber,
							  rte->selectedCols) ||
				bms_is_empty(rte->selectedCols))
				r->all[i] = true;
		}
		return query_tree_walker((Query *) node, read_walker, r, 0);
	}
	return expression_tree_walker(node, read_walker, r);
}

/*
 * ia_advise_query_reads -- q->relcols and q->relwanted, per q->relids
 * entry (see the header; NULL: any index may serve, not known).
 */
void
ia_advise_query_reads(AdvQuery *q)
{
	Reads		r;
	int			n = list_length(q->relids);
	ListCell   *lc;

	memset(&r, 0, sizeof(r));
	r.relids = q->relids;
	r.read = palloc0(sizeof(Bitmapset *) * Max(n, 1));
	r.all = palloc0(sizeof(bool) * Max(n, 1));
	r.count = palloc0(sizeof(int) * Max(n, 1));
	r.wanted = palloc0(sizeof(Bitmapset *) * Max(n, 1));
	r.unknown = palloc0(sizeof(bool) * Max(n, 1));
	foreach(lc, q->prep->queries)
	{
		(void) read_walker(lfirst(lc), &r);
		scan_query(&r, lfirst(lc));
	}
	q->relcols = NIL;
	q->relwanted = NIL;
	for (int i = 0; i < n; i++)
	{
		q->relcols = lappend(q->relcols, r.all[i] ? NULL : r.read[i]);
		/* bit 0 (no column) marks a known set that may hold no column */
		q->relwanted = lappend(q->relwanted,
							   (r.lost || r.unknown[i] || r.count[i] != 1) ?
							   NULL : bms_add_member(r.wanted[i], 0));
	}
}

/*
 * ia_advise_cand_reaches -- can candidate c change q's plan?  (See the
 * header.)  Judged once per (query, candidate).
 */
bool
ia_advise_cand_reaches(AdvQuery *q, IaCand *c)
{
	ListCell   *lr;
	ListCell   *lc;
	ListCell   *lw;
	Bitmapset  *keys = NULL;
	Bitmapset  *cols;
	Bitmapset  *read = NULL;
	Bitmapset  *wanted = NULL;
	bool		found = false;
	bool		out;

	if (bms_is_member(c->id, q->cands_known))
		return bms_is_member(c->id, q->cands_reach);
	forthree(lr, q->relids, lc, q->relcols, lw, q->relwanted)
	{
		if (lfirst_oid(lr) == c->relid)
		{
			found = true;
			read = lfirst(lc);
			wanted = lfirst(lw);
		}
	}
	if (!found || read == NULL)
		out = true;
	else
	{
		foreach(lc, c->keys)
		{
			IaCandKey  *k = lfirst(lc);

			if (k->expr)
				pull_varattnos(k->expr, 1, &keys);
			else
				keys = bms_add_member(keys,
									  k->attnum - FirstLowInvalidHeapAttributeNumber);
		}
		if (c->pred)
			pull_varattnos(c->pred, 1, &keys);
		cols = bms_copy(keys);
		foreach(lc, c->include)
			cols = bms_add_member(cols,
								  lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
		if (wanted == NULL)
			out = bms_overlap(cols, read);
		else
			out = bms_overlap(keys, wanted) || bms_is_subset(read, cols);
		bms_free(cols);
		bms_free(keys);
	}
	q->cands_known = bms_add_member(q->cands_known, c->id);
	if (out)
		q->cands_reach = bms_add_member(q->cands_reach, c->id);
	return out;
}
