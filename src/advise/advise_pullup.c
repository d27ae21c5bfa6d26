/*-------------------------------------------------------------------------
 *
 * advise_pullup.c
 *		A query level's views, sub-queries in FROM and inlinable CTEs seen
 *		as the planner sees them, for advise_extract.c: a condition written
 *		outside a view (SELECT ... FROM v WHERE a = 7) is a condition on the
 *		view's table once the planner has pulled the view up, and draws
 *		candidates on that table.
 *
 * Design.  The rewriter has already expanded each view, as the statement's
 * author, into a sub-query in FROM (RTE_SUBQUERY); extraction reads one
 * Query level at a time, so without this file the outer WHERE and the
 * view's table were never in the same level.  ia_advise_pull_up() rewrites
 * the extractor's own copy of one level (never a tree that is planned) by
 * the planner's rules of PostgreSQL 15, read from subquery_planner and
 * prepjointree.c:
 *
 *	- CTE inlining (SS_process_ctes): a non-recursive SELECT CTE referenced
 *	  once and not MATERIALIZED (or NOT MATERIALIZED, then any number of
 *	  times), with no data-modifying or volatile part, becomes a sub-query
 *	  in FROM at each reference;
 *	- pull-up (is_simple_subquery, pull_up_simple_subquery): a sub-query
 *	  without set operations, aggregates, grouping, window functions,
 *	  set-returning or volatile output, sort, DISTINCT, LIMIT/OFFSET, FOR
 *	  UPDATE, WITH, and not a security_barrier view, is merged into the
 *	  level: its range table appended, its jointree in place of its
 *	  reference, and every Var of its output replaced by the expression
 *	  that computes it (ReplaceVarsFromTargetList), so "v.a" reads "t.a"
 *	  and "v.login" reads "lower(t.email)".  Innermost first, as the
 *	  planner does; a sub-query that is still not simple once its own are
 *	  pulled up stays;
 *	- push-down (set_subquery_pathlist, qual_is_pushdown_safe;
 *	  ia_advise_push_down, which advise_extract.c calls with the level's
 *	  conditions once it has collected them): a sub-query that stays (a
 *	  security_barrier view, a GROUP BY or DISTINCT view, a UNION)
 *	  receives each condition of the outer level on it alone, mapped
 *	  through its output, into its WHERE, or into each arm's of a set
 *	  operation whose column has the same type there (the planner's append
 *	  relation of a UNION ALL); not when the sub-query or arm has
 *	  LIMIT/OFFSET, window functions, DISTINCT ON or set-returning output,
 *	  nor a condition with a sub-select, a volatile function, a whole-row
 *	  reference, or one that would land on an aggregate; and for a
 *	  security_barrier view only a condition whose functions are all
 *	  leakproof (contain_leaked_vars), so "WHERE a = 7" passes through and
 *	  "WHERE lower(b) = 'x'" does not, exactly as the planner decides.
 *
 * The conditions the planner derives through its equivalence classes are
 * followed one step (x.a = y.b AND y.b = 7 gives x.a = 7, pushed into x
 * when x stays a sub-query).  The planner follows longer chains, which
 * draw no candidate here (IN and EXISTS sub-selects pulled up as semi-
 * joins: advise_sublink.c gives their join keys).  An over-eager rule
 * here would only cost plannings: a candidate is kept only when the
 * planner's own plan uses it.
 *
 * Also here, for advise_extract.c and advise_sublink.c: the tables an
 * expression reads (ia_advise_expr_varnos: its own level's;
 * ia_advise_outer_ref: one table of an outer level, a correlated
 * sub-select's value), the conditions of a FROM tree
 * (ia_advise_jointree_quals) and those conditions as the planner reads
 * them (ia_advise_quals_as_planned: conjuncts repeated in every arm of an
 * OR factored out of it, canonicalize_qual; ia_advise_or_of_rel: what
 * an OR of several tables says of one, extract_restriction_or_clauses).
 *
 * Rules: call inside a transaction; works on a copy the caller owns;
 * nothing here plans, folds or executes anything (catalog look-ups only).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/prep.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"

#include "advise_internal.h"

/* ---------------------------------------------------------------------
 * CTE inlining
 * ---------------------------------------------------------------------
 */

/* a Query below that modifies data or locks rows (contain_dml) */
static bool
dml_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;

		if (q->commandType != CMD_SELECT || q->rowMarks != NIL)
			return true;
		return query_tree_walker(q, dml_walker, context, 0);
	}
	return expression_tree_walker(node, dml_walker, context);
}

/* a reference to a recursive CTE of an outer level (contain_outer_selfref,
 * taken wide: any self-reference) */
static bool
selfref_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
		return ((RangeTblEntry *) node)->rtekind == RTE_CTE &&
			((RangeTblEntry *) node)->self_reference;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, selfref_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, selfref_walker, context);
}

/* Would the planner inline this CTE of a SELECT? (SS_process_ctes) */
static bool
inlinable_cte(CommonTableExpr *cte)
{
	Query	   *cq = (Query *) cte->ctequery;

	if (cte->cterefcount == 0 || cte->cterecursive || !IsA(cq, Query) ||
		cq->commandType != CMD_SELECT)
		return false;
	if (cte->ctematerialized != CTEMaterializeNever &&
		!(cte->ctematerialized == CTEMaterializeDefault &&
		  cte->cterefcount == 1))
		return false;
	return !dml_walker((Node *) cq, NULL) &&
		(cte->cterefcount == 1 || !selfref_walker((Node *) cq, NULL)) &&
		!contain_volatile_functions((Node *) cq);
}

typedef struct CteCtx
{
	CommonTableExpr *cte;
	Index		levelsup;		/* levels below the CTE's owner */
} CteCtx;

/* every reference to c->cte becomes a sub-query in FROM (inline_cte) */
static bool
inline_walker(Node *node, CteCtx *c)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		c->levelsup++;
		(void) query_tree_walker((Query *) node, inline_walker, c,
								 QTW_EXAMINE_RTES_BEFORE);
		c->levelsup--;
		return false;
	}
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_CTE && rte->ctelevelsup == c->levelsup &&
			strcmp(rte->ctename, c->cte->ctename) == 0)
		{
			Query	   *s = copyObject((Query *) c->cte->ctequery);

			if (c->levelsup > 0)
				IncrementVarSublevelsUp((Node *) s, c->levelsup, 1);
			rte->rtekind = RTE_SUBQUERY;
			rte->subquery = s;
			rte->security_barrier = false;
			rte->ctename = NULL;
			rte->ctelevelsup = 0;
			rte->self_reference = false;
			rte->coltypes = rte->coltypmods = rte->colcollations = NIL;
		}
		return false;
	}
	return expression_tree_walker(node, inline_walker, c);
}

static void
inline_ctes(Query *q)
{
	ListCell   *lc;

	foreach(lc, q->cteList)
	{
		CteCtx		c = {lfirst(lc), 0};

		if (!inlinable_cte(c.cte))
			continue;
		(void) query_tree_walker(q, inline_walker, &c, QTW_EXAMINE_RTES_BEFORE);
		q->cteList = foreach_delete_current(q->cteList, lc);
	}
}

/* ---------------------------------------------------------------------
 * Pull-up
 * ---------------------------------------------------------------------
 */

/* is_simple_subquery of PostgreSQL 15 */
static bool
simple_subquery(RangeTblEntry *rte)
{
	Query	   *s = rte->subquery;

	return s->commandType == CMD_SELECT && s->setOperations == NULL &&
		!s->hasAggs && !s->hasWindowFuncs && !s->hasTargetSRFs &&
		s->groupClause == NIL && s->groupingSets == NIL &&
		s->havingQual == NULL && s->sortClause == NIL &&
		s->distinctClause == NIL && s->limitOffset == NULL &&
		s->limitCount == NULL && !s->hasForUpdate && s->cteList == NIL &&
		!rte->security_barrier &&
		!contain_volatile_functions((Node *) s->targetList);
}

static void pull_up_level(Query *q);

/* the first sub-query of the jointree to pull up, 0 if none; "refused"
 * holds those found not simple */
static int
next_pullup(Query *q, Node *jt, Bitmapset **refused)
{
	ListCell   *lc;
	int			r;

	if (IsA(jt, RangeTblRef))
	{
		int			rti = ((RangeTblRef *) jt)->rtindex;
		RangeTblEntry *rte = rt_fetch(rti, q->rtable);

		if (rte->rtekind != RTE_SUBQUERY || bms_is_member(rti, *refused))
			return 0;
		/* its own sub-queries first; then it must still be simple */
		if (simple_subquery(rte))
			pull_up_level(rte->subquery);
		if (simple_subquery(rte))
			return rti;
		*refused = bms_add_member(*refused, rti);
		return 0;
	}
	if (IsA(jt, FromExpr))
	{
		foreach(lc, ((FromExpr *) jt)->fromlist)
			if ((r = next_pullup(q, lfirst(lc), refused)) != 0)
				return r;
		return 0;
	}
	if (IsA(jt, JoinExpr))
	{
		if ((r = next_pullup(q, ((JoinExpr *) jt)->larg, refused)) != 0)
			return r;
		return next_pullup(q, ((JoinExpr *) jt)->rarg, refused);
	}
	return 0;
}

/* the jointree with the reference to rti replaced by "by" */
static Node *
replace_ref(Node *jt, int rti, Node *by)
{
	ListCell   *lc;

	if (IsA(jt, RangeTblRef))
		return ((RangeTblRef *) jt)->rtindex == rti ? by : jt;
	if (IsA(jt, FromExpr))
		foreach(lc, ((FromExpr *) jt)->fromlist)
			lfirst(lc) = replace_ref(lfirst(lc), rti, by);
	else if (IsA(jt, JoinExpr))
	{
		((JoinExpr *) jt)->larg = replace_ref(((JoinExpr *) jt)->larg, rti, by);
		((JoinExpr *) jt)->rarg = replace_ref(((JoinExpr *) jt)->rarg, rti, by);
	}
	return jt;
}

/* merge sub-query rti into q (pull_up_simple_subquery) */
static void
pull_up_one(Query *q, int rti)
{
	RangeTblEntry *rte = rt_fetch(rti, q->rtable);
	RangeTblEntry target = *rte;
	Query	   *s = rte->subquery;
	Query	   *nq;

	s->targetList = (List *) flatten_join_alias_vars(s, (Node *) s->targetList);
	OffsetVarNodes((Node *) s, list_length(q->rtable), 0);
	/* its references to outer levels are one level closer now */
	IncrementVarSublevelsUp((Node *) s, -1, 1);
	/* the dead entry keeps its place (varnos stay) but reads nothing */
	rte->rtekind = RTE_RESULT;
	rte->subquery = NULL;
	target.subquery = s;
	nq = (Query *) ReplaceVarsFromTargetList((Node *) q, rti, 0, &target,
											 s->targetList,
											 REPLACEVARS_REPORT_ERROR, 0,
											 NULL);
	*q = *nq;
	q->rtable = list_concat(q->rtable, s->rtable);
	q->hasSubLinks |= s->hasSubLinks;
	q->jointree = (FromExpr *) replace_ref((Node *) q->jointree, rti,
										   (Node *) s->jointree);
}

static void
pull_up_level(Query *q)
{
	Bitmapset  *refused = NULL;
	int			rti;

	while (q->jointree &&
		   (rti = next_pullup(q, (Node *) q->jointree, &refused)) != 0)
		pull_up_one(q, rti);
}

/* ---------------------------------------------------------------------
 * The tables of an expression
 * ---------------------------------------------------------------------
 */

typedef struct VarnoCtx
{
	Bitmapset  *varnos;
	bool		bad;			/* volatile, aggregate, SubLink, whole row,
								 * a column of an outer level */
	int			levelsup;		/* the outer level of the outer columns, */
	int			outer;			/* their varno (0: none seen), */
	bool		mixed;			/* of more than one outer table or column
								 * that is no plain one */
} VarnoCtx;

static bool
varno_walker(Node *node, VarnoCtx *c)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *v = (Var *) node;

		if (v->varlevelsup == 0)
		{
			c->varnos = bms_add_member(c->varnos, v->varno);
			if (v->varattno <= 0)
				c->bad = true;
		}
		else
		{
			c->bad = true;		/* a column of an outer query: no index
								 * expression can hold it */
			if (v->varattno <= 0 ||
				(c->outer && (c->levelsup != (int) v->varlevelsup ||
							  c->outer != (int) v->varno)))
				c->mixed = true;
			c->levelsup = v->varlevelsup;
			c->outer = v->varno;
		}
		return false;
	}
	if (IsA(node, SubLink) || IsA(node, Aggref) || IsA(node, WindowFunc) ||
		IsA(node, PlaceHolderVar) || IsA(node, GroupingFunc))
	{
		c->bad = c->mixed = true;
		return false;
	}
	return expression_tree_walker(node, varno_walker, c);
}

/*
 * ia_advise_expr_varnos -- the varnos of the Vars of this query level
 * (varlevelsup 0) in an expression; *bad when it also holds a column of an
 * outer level, a whole row or system column, a sub-select, an aggregate or
 * window function, or a volatile function: no index key (advise_extract.c)
 * nor condition pushed into a sub-query can hold it.
 */
Bitmapset *
ia_advise_expr_varnos(Node *node, bool *bad)
{
	VarnoCtx	c = {NULL, false, 0, 0, false};

	(void) varno_walker(node, &c);
	*bad = c.bad || contain_volatile_functions(node);
	return c.varnos;
}

/*
 * ia_advise_outer_ref -- does "e" read columns of exactly one table of
 * an outer query level, and nothing of its own level (a value each row of
 * that outer table fixes, as "o.o_orderkey" in a sub-select's "l_orderkey
 * = o.o_orderkey": advise_extract.c, advise_sublink.c)?  *group then names
 * that table, apart from every rti and from advise_sublink.c's groups;
 * levelsup (optional) gets how many levels up it is.
 */
bool
ia_advise_outer_ref(Node *e, int *group, int *levelsup)
{
	VarnoCtx	c = {NULL, false, 0, 0, false};

	(void) varno_walker(e, &c);
	if (c.mixed || c.outer == 0 || !bms_is_empty(c.varnos) ||
		contain_volatile_functions(e))
		return false;
	*group = -(c.levelsup * 10000 + c.outer);
	if (levelsup)
		*levelsup = c.levelsup;
	return true;
}

/*
 * ia_advise_jointree_quals -- every conjunct of a FROM tree's quals
 * (WHERE's and each JOIN ... ON's, ANDs at the top of each list), appended
 * to *quals: the conditions advise_extract.c sorts, and those the planner
 * pulls sub-links up from (advise_sublink.c).
 */
void
ia_advise_jointree_quals(Node *node, List **quals)
{
	if (node == NULL)
		return;
	if (IsA(node, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) node)->fromlist)
			ia_advise_jointree_quals(lfirst(lc), quals);
		*quals = list_concat(*quals,
							 make_ands_implicit((Expr *) ((FromExpr *) node)->quals));
	}
	else if (IsA(node, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) node;

		ia_advise_jointree_quals(j->larg, quals);
		ia_advise_jointree_quals(j->rarg, quals);
		*quals = list_concat(*quals, make_ands_implicit((Expr *) j->quals));
	}
}

/*
 * ia_advise_quals_as_planned -- a level's conjuncts (ia_advise_jointree_
 * quals') as the planner's preprocess_expression leaves them for
 * EXPRKIND_QUAL, less the constant folding (nothing here folds): join
 * alias variables replaced by what they stand for, then PostgreSQL's own
 * canonicalize_qual (prepqual.c: find_duplicate_ors), which factors the
 * conjuncts every arm of an OR repeats out of it, (A AND B) OR (A AND C)
 * becoming A AND (B OR C).  TPC-H's Q19 repeats "p_partkey = l_partkey",
 * "l_shipmode IN (...)" and "l_shipinstruct = '...'" in each of its three
 * arms: the planner joins on the first and filters lineitem on the others
 * before it looks at the OR, so they are a join key and partial index
 * material here too, and what is left of the OR keeps its per-arm
 * reading.  On a copy: the caller's tree is never changed (canonicalize_
 * qual may reuse its input's nodes); the copy is only read, never planned
 * nor executed.  Not for advise_sublink.c: the planner pulls sub-links up
 * (pull_up_sublinks) before it canonicalizes, from the conjuncts as
 * written.
 */
List *
ia_advise_quals_as_planned(Query *q, List *quals)
{
	Expr	   *all;

	if (quals == NIL)
		return NIL;
	all = make_ands_explicit((List *) flatten_join_alias_vars(q,
															  (Node *) copyObject(quals)));
	return make_ands_implicit(canonicalize_qual(all, false));
}

/*
 * ia_advise_or_of_rel -- what an OR of several tables says of table rti
 * alone, as the planner's extract_restriction_or_clauses (orclauses.c,
 * extract_or_clause) derives it: in each arm, its conditions on rti only
 * (an OR inside the arm too, the same way), ANDed; the OR of those arms,
 * or NULL when an arm has none (the OR then filters no row of rti alone).
 * The planner adds it to rti's own conditions, where an index on rti can
 * serve it (one per arm, a BitmapOr), and also keeps the whole OR as the
 * join's filter: what is left of TPC-H's Q19 once its repeated conditions
 * are factored out, "(p_brand = 'Brand#12' AND ... AND l_quantity <= 11)
 * OR (...)", is "(p_brand = 'Brand#12' AND p_container IN (...) AND
 * p_size BETWEEN 1 AND 5) OR (...)" on part.  (The planner skips one
 * that keeps more than 90 % of the rows; here the candidate's plan
 * decides.)  Builds new nodes over the caller's; nothing is planned.
 */
Expr *
ia_advise_or_of_rel(BoolExpr *or, int rti)
{
	List	   *arms = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, or->args)
	{
		List	   *mine = NIL;

		foreach(lc2, make_ands_implicit(lfirst(lc)))
		{
			Node	   *c = lfirst(lc2);
			bool		bad;
			Bitmapset  *vn = ia_advise_expr_varnos(c, &bad);
			Expr	   *sub;

			if (!bad && bms_is_member(rti, vn) && bms_num_members(vn) == 1)
				mine = lappend(mine, c);
			else if (is_orclause(c) &&
					 (sub = ia_advise_or_of_rel((BoolExpr *) c, rti)) != NULL)
				mine = lappend(mine, sub);
		}
		if (mine == NIL)
			return NULL;
		arms = lappend(arms, make_ands_explicit(mine));
	}
	return arms ? make_orclause(arms) : NULL;
}

/* ---------------------------------------------------------------------
 * Push-down
 * ---------------------------------------------------------------------
 */

/* may conditions go into this sub-query's WHERE? (subquery_is_pushdown_safe,
 * taken narrow) */
static bool
pushdown_subquery(Query *s)
{
	return s->commandType == CMD_SELECT && s->setOperations == NULL &&
		s->limitOffset == NULL && s->limitCount == NULL &&
		!s->hasWindowFuncs && !s->hasTargetSRFs && !s->hasDistinctOn &&
		s->groupingSets == NIL && s->jointree != NULL;
}

/* Does the condition "qual" on sub-query rti, a set operation, read each
 * column as the same type in arm "arm" as in the whole?  (A UNION of int
 * and bigint casts in the arm: the planner pushes nothing then.) */
static bool
same_types(Query *whole, Query *arm, int rti, Node *qual)
{
	Bitmapset  *cols = NULL;
	int			k = -1;

	pull_varattnos(qual, rti, &cols);
	while ((k = bms_next_member(cols, k)) >= 0)
	{
		AttrNumber	att = k + FirstLowInvalidHeapAttributeNumber;
		TargetEntry *wt = get_tle_by_resno(whole->targetList, att);
		TargetEntry *at = get_tle_by_resno(arm->targetList, att);

		if (wt == NULL || at == NULL ||
			exprType((Node *) wt->expr) != exprType((Node *) at->expr))
			return false;
	}
	return true;
}

/* the range table indexes of a set operation's arms */
static List *
setop_arms(Node *op, List *arms)
{
	if (IsA(op, RangeTblRef))
		return lappend_int(arms, ((RangeTblRef *) op)->rtindex);
	if (IsA(op, SetOperationStmt))
	{
		arms = setop_arms(((SetOperationStmt *) op)->larg, arms);
		arms = setop_arms(((SetOperationStmt *) op)->rarg, arms);
	}
	return arms;
}

/* Push "qual" (a condition on sub-query rti of the level above, leakproof
 * where it must be) into sub-query s: its WHERE, or each arm's of a set
 * operation (the planner's append relation for UNION ALL, its push-down
 * through the others). */
static void
push_into(Query *s, RangeTblEntry *rte, int rti, Node *qual)
{
	Node	   *t;

	if (s->setOperations)
	{
		ListCell   *lc;

		if (s->limitOffset || s->limitCount)
			return;
		foreach(lc, setop_arms(s->setOperations, NIL))
		{
			RangeTblEntry *a = rt_fetch(lfirst_int(lc), s->rtable);

			if (a->rtekind == RTE_SUBQUERY &&
				same_types(s, a->subquery, rti, qual))
				push_into(a->subquery, rte, rti, qual);
		}
		return;
	}
	if (!pushdown_subquery(s))
		return;
	t = ReplaceVarsFromTargetList(copyObject(qual), rti, 0, rte, s->targetList,
								  REPLACEVARS_REPORT_ERROR, 0, &s->hasSubLinks);
	if (contain_agg_clause(t) || contain_window_function(t) ||
		expression_returns_set(t) || contain_volatile_functions(t))
		return;
	s->jointree->quals = make_and_qual(s->jointree->quals, t);
}

/* Would the planner push the condition "qual" of q's level into sub-query
 * rti?  It must read that sub-query alone, and only leakproof functions
 * when it is a security_barrier view. */
static bool
pushable_qual(Query *q, int rti, Node *qual)
{
	bool		bad;
	int			only;

	if (!bms_get_singleton_member(ia_advise_expr_varnos(qual, &bad), &only) ||
		bad || only != rti)
		return false;
	return !(rt_fetch(rti, q->rtable)->security_barrier &&
			 contain_leaked_vars(qual));
}

/* "x = y" of two columns of this level of one type, or "x = value" (a
 * constant or $n): the column(s), the value and the operator; false if
 * the clause is neither */
static bool
equality(Node *clause, Var **x, Var **y, Node **value, Oid *opno)
{
	Node	   *l;
	Node	   *r;

	if (!IsA(clause, OpExpr) || list_length(((OpExpr *) clause)->args) != 2)
		return false;
	*opno = ((OpExpr *) clause)->opno;
	l = linitial(((OpExpr *) clause)->args);
	r = lsecond(((OpExpr *) clause)->args);
	if (IsA(r, Var) && !IsA(l, Var))
	{
		Node	   *swap = l;

		l = r;
		r = swap;
	}
	if (!IsA(l, Var) || ((Var *) l)->varlevelsup != 0 ||
		!op_mergejoinable(*opno, exprType(l)))
		return false;
	*x = (Var *) l;
	*y = NULL;
	*value = NULL;
	if (IsA(r, Var) && ((Var *) r)->varlevelsup == 0 &&
		exprType(r) == exprType(l))
		*y = (Var *) r;
	else if (IsA(r, Const) ||
			 (IsA(r, Param) && ((Param *) r)->paramkind == PARAM_EXTERN))
		*value = r;
	else
		return false;
	return true;
}

/*
 * The conditions the planner derives through its equivalence classes, one
 * step: "x = y AND y = 7" gives "x = 7" (same operator), which it then
 * pushes into x's sub-query like a condition written there.
 */
static List *
derived_quals(List *quals)
{
	List	   *out = NIL;
	ListCell   *lj;
	ListCell   *lv;

	foreach(lj, quals)
	{
		Var		   *x,
				   *y,
				   *vx,
				   *vy,
				   *other;
		Node	   *value;
		Oid			op,
					vop;

		if (!equality(lfirst(lj), &x, &y, &value, &op) || y == NULL)
			continue;
		foreach(lv, quals)
		{
			if (!equality(lfirst(lv), &vx, &vy, &value, &vop) ||
				value == NULL || vop != op)
				continue;
			/* y = 7 gives x = 7; x = 7 gives y = 7 */
			other = equal(vx, y) ? x : equal(vx, x) ? y : NULL;
			if (other)
				out = lappend(out, make_opclause(op, BOOLOID, false,
												 (Expr *) copyObject(other),
												 (Expr *) copyObject(value),
												 InvalidOid, exprCollation((Node *) other)));
		}
	}
	return out;
}

/*
 * ia_advise_push_down -- the conditions "quals" (the conjuncts of q's
 * WHERE and JOIN ... ON, join alias Vars flattened), and those the planner
 * derives from them, that the planner pushes into the sub-queries of q
 * that stay, added to their WHERE.
 */
void
ia_advise_push_down(Query *q, List *quals)
{
	ListCell   *lr;
	ListCell   *lc;
	int			rti = 0;

	quals = list_concat_copy(quals, derived_quals(quals));
	foreach(lr, q->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lr);

		rti++;
		if (rte->rtekind != RTE_SUBQUERY)
			continue;
		foreach(lc, quals)
			if (pushable_qual(q, rti, lfirst(lc)))
				push_into(rte->subquery, rte, rti, lfirst(lc));
	}
}

/*
 * ia_advise_pull_up -- query level q (the extractor's copy) as the planner
 * sees it: its inlinable CTEs made sub-queries, its simple sub-queries
 * merged into it.  Call once per level, outermost first.
 */
void
ia_advise_pull_up(Query *q)
{
	if (q->cteList)
		inline_ctes(q);
	pull_up_level(q);
}
