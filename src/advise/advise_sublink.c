/*-------------------------------------------------------------------------
 *
 * advise_sublink.c
 *		The join keys of IN and EXISTS sub-selects, for advise_extract.c:
 *		"WHERE o.customer_id IN (SELECT id FROM vip)", "WHERE EXISTS
 *		(SELECT 1 FROM lineitem l WHERE l.l_orderkey = o.o_orderkey)" and
 *		NOT EXISTS are joins to the planner, and their keys are join keys
 *		on both sides, as JOIN ... ON's are.
 *
 * Design.  PostgreSQL 15's pull_up_sublinks (prepjointree.c) turns a
 * sub-select in WHERE, or in a JOIN's ON (an outer join's into its
 * nullable side), at the top of its AND list, into a join: "x IN (SELECT y ...)" (convert_ANY_sublink_to_join)
 * into a semi-join on x = y, "[NOT] EXISTS (SELECT ... WHERE inner.a =
 * outer.b ...)" (convert_EXISTS_sublink_to_join) into a semi- or anti-join
 * whose join clauses are the sub-select's WHERE conditions that read the
 * outer level.  Either way an index on either side's key can serve it: the
 * inner side's as the inner of a nested loop (or, when the sub-select
 * stays a SubPlan, as the index condition of its correlated parameter),
 * the outer side's when the planner makes the sub-select unique and loops
 * over it.  So:
 *
 *	- ia_advise_sublink_keys() reads one query level's WHERE and JOIN ON
 *	  conjuncts (advise_pullup.c: ia_advise_jointree_quals, the ones
 *	  advise_extract.c sorts; a FULL JOIN's too, which only costs
 *	  plannings): for "lhs IN (SELECT ...)" each lhs of the
 *	  equality its testexpr compares (one per column of a row comparison)
 *	  is a key of the outer table it reads; for [NOT] EXISTS each
 *	  equality of its sub-select's WHERE between an expression of one
 *	  outer table and one of the sub-select's own gives the outer side's.
 *	  For IN, the sub-select's output columns compared are the inner
 *	  side's keys: they are returned as hints, which
 *	  ia_advise_sublink_inner() turns into keys when advise_extract.c
 *	  reaches that sub-select as a level of its own;
 *	- the inner side of EXISTS (and of any correlated sub-select, scalar
 *	  ones included) is a condition "inner.a = outer.b" of the sub-select's
 *	  own level: advise_pullup.c's ia_advise_outer_ref() tells
 *	  advise_extract.c (and this file) that "outer.b" is a value from an
 *	  outer level, read from one table there.
 *
 * Each key comes with a group: the keys of one sub-select (or, inside it,
 * of one outer table) are one group, which advise_extract.c treats as the
 * keys joined to one other table (a composite key, in a foreign key's
 * order).  NOT IN is not a join to the planner (its NULL semantics), and is
 * left out, as are sub-selects under OR.  An over-eager key here only costs
 * plannings: a candidate is kept only when the planner's plan uses it.
 *
 * Rules: call inside a transaction, on the extractor's own copy of the
 * Query (advise_pullup.c has pulled up its level); nothing here plans or
 * executes anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"

#include "advise_internal.h"

/* groups of sub-select keys: below any rti, apart from ia_advise_outer_ref's */
#define SUBLINK_GROUP_BASE	(-1000000)

/* an IN sub-select whose output columns are the inner side's keys */
typedef struct SublinkHint
{
	Query	   *sub;			/* the sub-select (the extractor's copy) */
	List	   *resnos;			/* int: its output columns compared */
	int			group;
} SublinkHint;

/* "l = r", l and r the two sides of a btree equality, else false */
static bool
equality_sides(Node *clause, Node **l, Node **r)
{
	OpExpr	   *op = (OpExpr *) clause;

	if (!IsA(clause, OpExpr) || list_length(op->args) != 2)
		return false;
	*l = linitial(op->args);
	*r = lsecond(op->args);
	return ia_btree_strategy(op->opno, *l) == BTEqualStrategyNumber;
}

/* a key of the level for table rti, in group "group" */
static List *
add_key(List *keys, Node *expr, int group)
{
	IaSublinkKey *k;
	bool		bad;
	int			rti;

	if (!bms_get_singleton_member(ia_advise_expr_varnos(expr, &bad), &rti) ||
		bad)
		return keys;
	k = palloc0(sizeof(IaSublinkKey));
	k->rti = rti;
	k->expr = expr;
	k->group = group;
	return lappend(keys, k);
}

/* EXISTS (sub): the outer side of each of its WHERE's equalities between
 * one outer table (one level up) and the sub-select's own columns */
static List *
exists_keys(Query *q, Query *sub, List *keys, int group)
{
	ListCell   *lc;

	if (sub->jointree == NULL)
		return keys;
	foreach(lc, make_ands_implicit((Expr *) sub->jointree->quals))
	{
		Node	   *l,
				   *r;
		Node	   *outer;
		bool		bad;
		int			g,
					up;

		if (!equality_sides(lfirst(lc), &l, &r))
			continue;
		if (ia_advise_outer_ref(r, &g, &up) && up == 1)
			outer = r;
		else if (ia_advise_outer_ref(l, &g, &up) && up == 1)
			outer = l;
		else
			continue;
		/* the other side must be the sub-select's own */
		if (bms_is_empty(ia_advise_expr_varnos(outer == r ? l : r, &bad)) ||
			bad)
			continue;
		outer = copyObject(outer);
		IncrementVarSublevelsUp(outer, -1, 1);
		keys = add_key(keys, flatten_join_alias_vars(q, outer), group);
	}
	return keys;
}

/* lhs IN (SELECT ...): the outer side of each equality of its testexpr,
 * and the sub-select's output columns they compare (a hint) */
static List *
any_keys(Query *q, SubLink *s, List *keys, int group, List **hints)
{
	List	   *args = is_andclause(s->testexpr) ?
		((BoolExpr *) s->testexpr)->args : list_make1(s->testexpr);
	SublinkHint *h = palloc0(sizeof(SublinkHint));
	ListCell   *lc;

	h->sub = (Query *) s->subselect;
	h->group = group - 1;
	foreach(lc, args)
	{
		Node	   *l,
				   *r;

		if (!equality_sides(lfirst(lc), &l, &r))
			continue;
		r = strip_implicit_coercions(r);
		if (!IsA(r, Param) ||
			((Param *) r)->paramkind != PARAM_SUBLINK)
			continue;
		keys = add_key(keys, flatten_join_alias_vars(q, l), group);
		h->resnos = lappend_int(h->resnos, ((Param *) r)->paramid);
	}
	if (h->resnos)
		*hints = lappend(*hints, h);
	return keys;
}

/*
 * ia_advise_sublink_keys -- the outer side's keys (IaSublinkKey, expr an
 * expression of q's level) of q's IN and [NOT] EXISTS sub-selects; the IN
 * sub-selects' inner side is appended to *hints (see the header).
 */
List *
ia_advise_sublink_keys(Query *q, List **hints)
{
	List	   *quals = NIL;
	List	   *keys = NIL;
	ListCell   *lc;
	int			n = 0;

	ia_advise_jointree_quals((Node *) q->jointree, &quals);
	foreach(lc, quals)
	{
		Node	   *e = lfirst(lc);
		SubLink    *s;
		int			group = SUBLINK_GROUP_BASE - 2 * n++;

		if (is_notclause(e))
			e = (Node *) get_notclausearg((Expr *) e);
		if (!IsA(e, SubLink) || !IsA(((SubLink *) e)->subselect, Query))
			continue;
		s = (SubLink *) e;
		if (s->subLinkType == EXISTS_SUBLINK)
			keys = exists_keys(q, (Query *) s->subselect, keys, group);
		else if (s->subLinkType == ANY_SUBLINK && e == lfirst(lc))
			keys = any_keys(q, s, keys, group, hints);
	}
	return keys;
}

/*
 * ia_advise_sublink_inner -- when "sub" is an IN sub-select of a hint, its
 * compared output columns as keys of its own level (IaSublinkKey).
 */
List *
ia_advise_sublink_inner(Query *sub, List *hints)
{
	List	   *keys = NIL;
	ListCell   *lc;
	ListCell   *lr;

	foreach(lc, hints)
	{
		SublinkHint *h = lfirst(lc);

		if (h->sub != sub)
			continue;
		foreach(lr, h->resnos)
		{
			TargetEntry *tle = get_tle_by_resno(sub->targetList, lfirst_int(lr));

			if (tle && !tle->resjunk)
				keys = add_key(keys, flatten_join_alias_vars(sub, (Node *) tle->expr),
							   h->group);
		}
	}
	return keys;
}
