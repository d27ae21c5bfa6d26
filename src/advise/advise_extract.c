/*-------------------------------------------------------------------------
 *
 * advise_extract.c
 *		What each query asks of each table it reads, for idx_advise's
 *		candidates (advise_candidates.c), read from the query's own
 *		analysed (and rewritten) Query trees.
 *
 * Design.  ia_advise_extract() walks every Query of a statement (sub-
 * queries, CTEs and SubLinks included), each level first as the planner
 * sees it (advise_pullup.c: inlinable CTEs inlined, simple views and
 * sub-queries pulled up into it, the conditions the planner pushes into a
 * view that stays put there), and, for each plain table it reads,
 * sorts the conjuncts of WHERE and JOIN ... ON (those every arm of an OR
 * repeats factored out of it, as the planner's canonicalize_qual does)
 * into: equality with a value
 * (col = $1, col = 'x', col = ANY(...)), a range (<, >, <=, >=, and a
 * prefix LIKE 'abc%': advise_like.c says which), a join key (col =
 * other.col, grouped by the other table so that a composite foreign key
 * is one key list; col = outer.col in a correlated sub-select, grouped by
 * the outer table; the keys of IN and EXISTS sub-selects' joins:
 * advise_sublink.c), a constant predicate (enabled,
 * deleted_at IS NULL, status = 'pending', status <> 'done', payload @>
 * '{...}': partial index material), a comparison of two of its columns
 * (l_commitdate < l_receiptdate: partial index material too), operators
 * btree cannot serve (jsonb @>, array &&, LIKE '%x%': gin), and ORs of
 * one table (the keys each arm needs; of an OR of several tables, what it
 * says of each one alone, as the planner derives it); and the columns an UPDATE, an
 * INSERT ... ON CONFLICT DO UPDATE or a MERGE's UPDATE action sets (the
 * target's updatedCols, with the stored generated columns computed from
 * them: advise_candidates.c keeps them out of INCLUDE, as an index on them
 * ends HOT updates).  ORDER BY counts when every sort key is a column or
 * expression of that one table.  A key is a column or an immutable expression of the
 * table's columns (lower(email)).
 *
 * Rules: call inside a transaction, as the role the queries were analysed
 * as; nothing here plans or executes anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "ia_advise.h"
#include "advise_internal.h"
#include "ia_plan.h"
/* "col = 'x'" makes a partial index when col has at most this many values */
#define IA_FEW_VALUES	10

/* ---------------------------------------------------------------------
 * Reading one Query
 * ---------------------------------------------------------------------
 */

/* bms_singleton_member, or 0 when not exactly one member */
static int
bms_singleton_member_or(const Bitmapset *a)
{
	int			m;

	return bms_get_singleton_member(a, &m) ? m : 0;
}

static IaRelUse *
use_of(List *uses, Index rti)
{
	ListCell   *lc;

	foreach(lc, uses)
	{
		IaRelUse   *u = lfirst(lc);

		if (u->rti == rti)
			return u;
	}
	return NULL;
}

/* A key from an operand of table rti: a column, or an immutable
 * expression of its columns (Vars renumbered to 1).  NULL if neither. */
static IaCandKey *
make_key(Node *operand, Index rti)
{
	IaCandKey  *k;
	Node	   *e = (Node *) strip_implicit_coercions(operand);

	while (IsA(e, RelabelType))
		e = (Node *) ((RelabelType *) e)->arg;
	k = palloc0(sizeof(IaCandKey));
	if (IsA(e, Var))
	{
		if (((Var *) e)->varattno <= 0)
			return NULL;
		k->attnum = ((Var *) e)->varattno;
		return k;
	}
	if (contain_mutable_functions(operand))
		return NULL;
	k->expr = copyObject(operand);
	ChangeVarNodes(k->expr, rti, 1, 0);
	return k;
}

bool
ia_advise_has_column(List *keys, IaCandKey *k)
{
	ListCell   *lc;

	foreach(lc, keys)
	{
		IaCandKey  *o = lfirst(lc);

		if (o->attnum == k->attnum &&
			(k->attnum != 0 || equal(o->expr, k->expr)))
			return true;
	}
	return false;
}

List *
ia_advise_add_key(List *keys, IaCandKey *k)
{
	if (k == NULL || ia_advise_has_column(keys, k))
		return keys;
	return lappend(keys, k);
}

/* gin opclass name serving "operand opno value", or NULL (LIKE and
 * ILIKE: advise_like.c, which notes what is missing) */
static char *
gin_opclass(Oid opno, Node *operand, Node *value, IaRelUse *u)
{
	Oid			type = exprType(operand);
	char	   *name = get_opname(opno);
	Oid			opclass;

	if (name == NULL)
		return NULL;
	if (type == JSONBOID && strcmp(name, "@>") == 0)
		return "jsonb_path_ops";
	if (strcmp(name, "~~") == 0 || strcmp(name, "~~*") == 0)
		return ia_advise_like_gin(u, opno, operand, value);
	opclass = GetDefaultOpClass(type, GIN_AM_OID);
	if (OidIsValid(opclass) &&
		get_op_opfamily_strategy(opno, get_opclass_family(opclass)) != 0)
		return "default";
	return NULL;
}

/* Remember which $n is compared with which column, for representative
 * values. */
static void
note_param(IaRelUse *u, Node *value, IaCandKey *k, int strategy)
{
	IaParamUse *p;

	value = strip_implicit_coercions(value);
	if (!IsA(value, Param) || ((Param *) value)->paramkind != PARAM_EXTERN ||
		k->attnum == 0)
		return;
	p = palloc0(sizeof(IaParamUse));
	p->paramno = ((Param *) value)->paramid;
	p->relid = u->relid;
	p->attnum = k->attnum;
	p->strategy = strategy;
	u->params = lappend(u->params, p);
}

/*
 * How many distinct values a column has (pg_statistic), 0 if unknown or if
 * pg_stats would not show the current role (the caller, who sees the
 * advice) the column's statistics: values.c's rule, ia_stats_visible.
 */
double
ia_advise_column_distinct(Oid relid, AttrNumber attnum)
{
	HeapTuple	tup;
	double		nd = 0;

	if (!ia_stats_visible(relid, attnum, GetUserId()))
		return 0;
	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
						  Int16GetDatum(attnum), BoolGetDatum(false));
	if (HeapTupleIsValid(tup))
	{
		nd = ((Form_pg_statistic) GETSTRUCT(tup))->stadistinct;
		if (nd < 0)
		{
			HeapTuple	ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

			if (HeapTupleIsValid(ctup))
			{
				nd = -nd * Max(((Form_pg_class) GETSTRUCT(ctup))->reltuples, 1);
				ReleaseSysCache(ctup);
			}
		}
		ReleaseSysCache(tup);
	}
	return nd;
}

/* Does the column hold few distinct values (a status, a kind, a flag)? */
bool
ia_advise_few_values(Oid relid, AttrNumber attnum)
{
	double		nd = ia_advise_column_distinct(relid, attnum);

	return nd > 0 && nd <= IA_FEW_VALUES;
}

/*
 * "operand opno value" with value a constant: partial index material (a
 * predicate the planner proves from the same clause in the query).
 */
static void
constant_restriction(IaRelUse *u, Oid opno, Node *operand, Node *value,
					 bool isarray)
{
	Const	   *c = (Const *) strip_implicit_coercions(value);
	Node	   *pred;

	/* status IN ('open', 'pending'): the list's first value for the note */
	if (isarray && IsA(c, ArrayExpr) && ((ArrayExpr *) c)->elements &&
		!((ArrayExpr *) c)->multidims)
	{
		ListCell   *lc;

		foreach(lc, ((ArrayExpr *) c)->elements)
			if (!IsA(strip_implicit_coercions(lfirst(lc)), Const))
				return;
		c = (Const *) strip_implicit_coercions(linitial(((ArrayExpr *) c)->elements));
	}
	if (!IsA(c, Const) || c->constisnull)
		return;
	if (isarray)
	{
		ScalarArrayOpExpr *sa = makeNode(ScalarArrayOpExpr);

		sa->opno = opno;
		sa->opfuncid = get_opcode(opno);
		sa->useOr = true;
		sa->inputcollid = exprCollation(operand);
		sa->args = list_make2(copyObject(operand), copyObject(value));
		sa->location = -1;
		pred = (Node *) sa;
	}
	else
		pred = (Node *) make_opclause(opno, BOOLOID, false,
									  (Expr *) copyObject(operand),
									  (Expr *) copyObject(value),
									  InvalidOid, exprCollation(operand));
	ChangeVarNodes(pred, u->rti, 1, 0);
	u->preds = lappend(u->preds, pred);
	if (u->pred_literal == NULL)
	{
		Oid			out;
		bool		varlena;

		getTypeOutputInfo(c->consttype, &out, &varlena);
		u->pred_literal = OidOutputFunctionCall(out, c->constvalue);
	}
}

/* "col LIKE 'abc%'" (advise_like.c says which): a btree range */
static bool
prefix_like(IaRelUse *u, Oid opno, Node *operand, Node *value, IaCandKey *k)
{
	Node	   *param;
	Oid			type = k->attnum ? get_atttype(u->relid, k->attnum) : exprType(operand);

	if (!ia_advise_like_prefix(opno, operand, value, type, k, &param))
		return false;
	u->range = ia_advise_add_key(u->range, k);
	/* lower(col) LIKE lower($1) || '%': $1 takes col's values */
	if (param && k->attnum == 0)
		k = ia_advise_like_column(operand) ?
			make_key((Node *) ia_advise_like_column(operand), u->rti) : NULL;
	if (param && k)
		note_param(u, param, k, BTEqualStrategyNumber);
	return true;
}

/* "col op value" on table u: sort it. */
static void
classify_restriction(IaRelUse *u, Oid opno, Node *operand, Node *value,
					 bool isarray)
{
	IaCandKey  *k = make_key(operand, u->rti);
	int			strategy;
	char	   *gin;
	bool		bad;

	if (k == NULL)
		return;
	strategy = ia_btree_strategy(opno, operand);
	if (strategy == BTEqualStrategyNumber)
	{
		u->eq = ia_advise_add_key(u->eq, k);
		note_param(u, value, k, strategy);
		/* status = 'pending', status IN ('open', 'pending'): a partial
		 * index, for columns of few values */
		if (k->attnum != 0 && ia_advise_few_values(u->relid, k->attnum))
			constant_restriction(u, opno, operand, value, isarray);
	}
	else if (strategy != 0 && !isarray)
	{
		u->range = ia_advise_add_key(u->range, k);
		note_param(u, value, k, strategy);
	}
	else if (!isarray && prefix_like(u, opno, operand, value, k))
		return;
	else if (!isarray && (gin = gin_opclass(opno, operand, value, u)) != NULL &&
			 k->attnum != 0)
	{
		(void) ia_advise_expr_varnos(value, &bad);
		k->opclass = strcmp(gin, "default") == 0 ? NULL : pstrdup(gin);
		u->gin = ia_advise_add_key(u->gin, k);
		/* payload @> '{"source": "import"}': a partial index too */
		if (exprType(operand) == JSONBOID)
			constant_restriction(u, opno, operand, value, false);
	}
	else if (!isarray && k->attnum != 0 && ia_advise_few_values(u->relid, k->attnum) &&
			 ia_btree_strategy(get_negator(opno), operand) == BTEqualStrategyNumber)
		constant_restriction(u, opno, operand, value, false);	/* status <> 'done' */
}

/*
 * "a op b" of two columns (or immutable expressions) of table u, op a
 * btree comparison or <> (l_commitdate < l_receiptdate): a condition
 * without a constant that the planner proves a partial index's predicate
 * by (the same clause), so partial index material too (u->cmp_preds;
 * advise_candidates.c adds it to the constant ones).
 */
static void
column_comparison(IaRelUse *u, Node *clause, Oid opno, Node *l)
{
	Node	   *pred;

	if (ia_btree_strategy(opno, l) == 0 &&
		ia_btree_strategy(get_negator(opno), l) != BTEqualStrategyNumber)
		return;
	if (make_key(l, u->rti) == NULL || contain_mutable_functions(clause))
		return;
	pred = copyObject(clause);
	/* one form of "a > b" and "b < a": the lower column first */
	if (IsA(l, Var) && IsA(lsecond(((OpExpr *) pred)->args), Var) &&
		((Var *) l)->varattno > ((Var *) lsecond(((OpExpr *) pred)->args))->varattno &&
		OidIsValid(get_commutator(opno)))
	{
		((OpExpr *) pred)->opno = get_commutator(opno);
		((OpExpr *) pred)->opfuncid = get_opcode(((OpExpr *) pred)->opno);
		((OpExpr *) pred)->args = list_make2(lsecond(((OpExpr *) pred)->args),
											 linitial(((OpExpr *) pred)->args));
	}
	ChangeVarNodes(pred, u->rti, 1, 0);
	u->cmp_preds = list_append_unique(u->cmp_preds, pred);
}

/* a constant predicate of one table: enabled, NOT x, x IS [NOT] NULL */
static bool
constant_predicate(List *uses, Node *clause)
{
	Node	   *e = clause;
	Var		   *v = NULL;
	IaRelUse   *u;
	Node	   *pred;

	if (IsA(e, BoolExpr) && ((BoolExpr *) e)->boolop == NOT_EXPR)
		e = linitial(((BoolExpr *) e)->args);
	if (IsA(e, NullTest) && !((NullTest *) e)->argisrow)
		e = (Node *) ((NullTest *) e)->arg;
	else if (IsA(e, BooleanTest))
		e = (Node *) ((BooleanTest *) e)->arg;
	if (IsA(e, Var))
		v = (Var *) e;
	if (v == NULL || v->varlevelsup != 0 || v->varattno <= 0)
		return false;
	if (e == clause && exprType(e) != BOOLOID)
		return false;
	u = use_of(uses, v->varno);
	if (u == NULL)
		return true;
	pred = copyObject(clause);
	ChangeVarNodes(pred, v->varno, 1, 0);
	u->preds = lappend(u->preds, pred);
	return true;
}

/* k = a column of table "other": a join key of u, alone and with the
 * other keys that join u to the same table (a composite foreign key) */
static void
join_key(IaRelUse *u, IaCandKey *k, int other)
{
	ListCell   *ls;
	ListCell   *lr;

	if (k == NULL)
		return;
	u->join = ia_advise_add_key(u->join, k);
	forboth(ls, u->joinsets, lr, u->joinset_rtis)
	{
		if (lfirst_int(lr) == other)
		{
			lfirst(ls) = ia_advise_add_key(lfirst(ls), k);
			return;
		}
	}
	u->joinsets = lappend(u->joinsets, list_make1(k));
	u->joinset_rtis = lappend_int(u->joinset_rtis, other);
}

static void classify_clause(List *uses, Node *clause);
static List *flatten_ands(List *quals);

/*
 * "arm OR arm ..." on one table: the index each arm needs (a btree on its
 * equality columns, then its first range column; else a gin for its first
 * gin operator, payload @> '{...}' or tags && ARRAY[...]), so that one
 * index per arm can be combined by a BitmapOr.  Nothing when an arm has no
 * key: the table is then read whole anyway.
 */
static void
classify_or(IaRelUse *u, BoolExpr *or)
{
	List	   *arms = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, or->args)
	{
		IaRelUse   *arm = palloc0(sizeof(IaRelUse));
		IaOrArm    *a = palloc0(sizeof(IaOrArm));

		arm->qno = u->qno;
		arm->relid = u->relid;
		arm->rti = u->rti;
		foreach(lc2, flatten_ands(make_ands_implicit(lfirst(lc))))
			classify_clause(list_make1(arm), lfirst(lc2));
		a->amid = BTREE_AM_OID;
		a->keys = list_copy(arm->eq);
		if (arm->range)
			a->keys = ia_advise_add_key(a->keys, linitial(arm->range));
		if (a->keys == NIL && arm->gin)
		{
			a->amid = GIN_AM_OID;
			a->keys = list_make1(linitial(arm->gin));
		}
		if (a->keys == NIL)
			return;
		arms = lappend(arms, a);
		u->params = list_concat(u->params, arm->params);
	}
	u->ors = lappend(u->ors, arms);
}

/* An OR of the tables "varnos": what it says of each one alone
 * (advise_pullup.c), read as an OR of that table. */
static void
classify_or_of_tables(List *uses, BoolExpr *or, Bitmapset *varnos)
{
	ListCell   *lc;
	Expr	   *mine;

	foreach(lc, uses)
	{
		IaRelUse   *u = lfirst(lc);

		if (bms_is_member(u->rti, varnos) &&
			(mine = ia_advise_or_of_rel(or, u->rti)) != NULL)
			classify_or(u, (BoolExpr *) mine);
	}
}

/* One conjunct of WHERE or ON. */
static void
classify_clause(List *uses, Node *clause)
{
	Node	   *l;
	Node	   *r;
	Oid			opno;
	bool		lbad,
				rbad;
	Bitmapset  *lv,
			   *rv;
	bool		isarray = false;
	int			li,
				ri;

	if (constant_predicate(uses, clause))
		return;
	if (is_orclause(clause))
	{
		lv = ia_advise_expr_varnos(clause, &lbad);
		li = bms_singleton_member_or(lv);
		if (!lbad && li > 0 && use_of(uses, li))
			classify_or(use_of(uses, li), (BoolExpr *) clause);
		else if (li == 0)
			classify_or_of_tables(uses, (BoolExpr *) clause, lv);
		return;
	}
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		opno = ((OpExpr *) clause)->opno;
		l = linitial(((OpExpr *) clause)->args);
		r = lsecond(((OpExpr *) clause)->args);
	}
	else if (IsA(clause, ScalarArrayOpExpr) && ((ScalarArrayOpExpr *) clause)->useOr)
	{
		opno = ((ScalarArrayOpExpr *) clause)->opno;
		l = linitial(((ScalarArrayOpExpr *) clause)->args);
		r = lsecond(((ScalarArrayOpExpr *) clause)->args);
		isarray = true;
	}
	else
		return;

	lv = ia_advise_expr_varnos(l, &lbad);
	rv = ia_advise_expr_varnos(r, &rbad);
	li = bms_singleton_member_or(lv);
	ri = bms_singleton_member_or(rv);
	if (!lbad && li > 0 && bms_is_empty(rv) && !rbad && use_of(uses, li))
		classify_restriction(use_of(uses, li), opno, l, r, isarray);
	else if (!rbad && ri > 0 && bms_is_empty(lv) && !lbad && !isarray &&
			 use_of(uses, ri) && OidIsValid(get_commutator(opno)))
		classify_restriction(use_of(uses, ri), get_commutator(opno), r, l, false);
	else if (!lbad && !rbad && li > 0 && li == ri && !isarray &&
			 use_of(uses, li) && make_key(r, ri) != NULL)
		column_comparison(use_of(uses, li), clause, opno, l);
	else if (!lbad && !rbad && li > 0 && ri > 0 && li != ri && !isarray &&
			 ia_btree_strategy(opno, l) == BTEqualStrategyNumber)
	{
		/* a join key on both sides: the inner side of a nested loop */
		if (use_of(uses, li))
			join_key(use_of(uses, li), make_key(l, li), ri);
		if (use_of(uses, ri))
			join_key(use_of(uses, ri), make_key(r, ri), li);
	}
	else if (!isarray && ia_btree_strategy(opno, l) == BTEqualStrategyNumber)
	{
		/* "l_orderkey = o.o_orderkey" in a sub-select, o of an outer level:
		 * a join key once the planner makes it a (semi-, anti-) join, an
		 * index condition on its parameter while it stays a SubPlan */
		if (!lbad && li > 0 && use_of(uses, li) && ia_advise_outer_ref(r, &ri, NULL))
			join_key(use_of(uses, li), make_key(l, li), ri);
		else if (!rbad && ri > 0 && use_of(uses, ri) &&
				 ia_advise_outer_ref(l, &li, NULL))
			join_key(use_of(uses, ri), make_key(r, ri), li);
	}
}

static List *
flatten_ands(List *quals)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, quals)
	{
		Node	   *q = lfirst(lc);

		if (is_andclause(q))
			out = list_concat(out, flatten_ands(((BoolExpr *) q)->args));
		else
			out = lappend(out, q);
	}
	return out;
}

/* ORDER BY keys, when all are of one table of this query */
static void
collect_sort(Query *q, List *uses)
{
	ListCell   *lc;
	IaRelUse   *u = NULL;
	List	   *keys = NIL;

	foreach(lc, q->sortClause)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		TargetEntry *tle = get_sortgroupclause_tle(sgc, q->targetList);
		Node	   *e = flatten_join_alias_vars(q, (Node *) tle->expr);
		bool		bad;
		Bitmapset  *vn = ia_advise_expr_varnos(e, &bad);
		int			rti = bms_singleton_member_or(vn);
		IaCandKey  *k;
		int16		strategy;
		Oid			opfamily,
					opcintype;

		if (bad || rti <= 0 || (u && u->rti != (Index) rti) ||
			use_of(uses, rti) == NULL)
			return;
		u = use_of(uses, rti);
		k = make_key(e, rti);
		if (k == NULL ||
			!get_ordering_op_properties(sgc->sortop, &opfamily, &opcintype,
										&strategy))
			return;
		k->desc = (strategy == BTGreaterStrategyNumber);
		k->nulls_first = sgc->nulls_first;
		keys = lappend(keys, k);
	}
	if (u)
		u->sort = keys;
}

/*
 * The columns set, with the stored generated columns computed from them
 * (an UPDATE of bal changes "bal2 GENERATED ALWAYS AS (bal * 2) STORED"
 * too, which PostgreSQL 15 no longer records in extraUpdatedCols).
 */
static Bitmapset *
with_generated(Oid relid, Bitmapset *set)
{
	Relation	rel;
	TupleDesc	desc;

	if (bms_is_empty(set))
		return set;
	rel = table_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	for (int i = 0; desc->constr && desc->constr->has_generated_stored &&
		 i < desc->natts; i++)
	{
		Bitmapset  *from = NULL;

		if (TupleDescAttr(desc, i)->attgenerated != ATTRIBUTE_GENERATED_STORED)
			continue;
		pull_varattnos(build_column_default(rel, i + 1), 1, &from);
		if (bms_overlap(from, set))
			set = bms_add_member(set, i + 1 - FirstLowInvalidHeapAttributeNumber);
	}
	table_close(rel, AccessShareLock);
	return set;
}

/* the keys of IN and EXISTS sub-selects' joins (advise_sublink.c) */
static void
sublink_keys(List *uses, List *keys)
{
	ListCell   *lc;

	foreach(lc, keys)
	{
		IaSublinkKey *k = lfirst(lc);

		if (use_of(uses, k->rti))
			join_key(use_of(uses, k->rti), make_key(k->expr, k->rti), k->group);
	}
}

/* The relations of one Query level, then its clauses and sort; hints:
 * advise_sublink.c's, of the levels above. */
static List *
extract_one(Query *q, int qno, List **hints)
{
	List	   *uses = NIL;
	List	   *quals = NIL;
	List	   *sublinks;
	ListCell   *lc;
	Index		rti = 0;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		IaRelUse   *u;

		rti++;
		if (rte->rtekind != RTE_RELATION ||
			(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW &&
			 rte->relkind != RELKIND_PARTITIONED_TABLE))
			continue;
		u = palloc0(sizeof(IaRelUse));
		u->qno = qno;
		u->relid = rte->relid;
		u->rti = rti;
		u->used = NULL;
		pull_varattnos(flatten_join_alias_vars(q, (Node *) q->targetList),
					   rti, &u->used);
		pull_varattnos(flatten_join_alias_vars(q, (Node *) q->jointree),
					   rti, &u->used);
		pull_varattnos(flatten_join_alias_vars(q, q->havingQual), rti, &u->used);
		pull_varattnos((Node *) q->returningList, rti, &u->used);
		u->wholerow = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber,
									u->used);
		/* the columns an UPDATE (or ON CONFLICT DO UPDATE) sets: parse
		 * analysis put them in the target's updatedCols */
		u->set = with_generated(rte->relid, bms_copy(rte->updatedCols));
		uses = lappend(uses, u);
	}
	ia_advise_jointree_quals((Node *) q->jointree, &quals);
	/* as the planner reads them: "(A AND B) OR (A AND C)" is "A AND (B OR
	 * C)", A a join clause or a restriction (advise_pullup.c) */
	quals = flatten_ands(ia_advise_quals_as_planned(q, quals));
	/* a condition on a view that stays a sub-query goes into it, when the
	 * planner would put it there (advise_pullup.c) */
	ia_advise_push_down(q, quals);
	/* (the hints of its IN sub-selects even when it reads no table) */
	sublinks = ia_advise_sublink_keys(q, hints);
	if (uses == NIL)
		return NIL;
	foreach(lc, quals)
		classify_clause(uses, lfirst(lc));
	sublink_keys(uses, sublinks);
	sublink_keys(uses, ia_advise_sublink_inner(q, *hints));
	collect_sort(q, uses);
	return uses;
}

typedef struct ExtractCtx
{
	List	   *uses;
	int			qno;
	List	   *hints;			/* advise_sublink.c's IN sub-selects */
} ExtractCtx;

static bool
extract_walker(Node *node, ExtractCtx *c)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		/* views, sub-queries and CTEs as the planner pulls them up */
		ia_advise_pull_up((Query *) node);
		c->uses = list_concat(c->uses,
							  extract_one((Query *) node, c->qno, &c->hints));
		return query_tree_walker((Query *) node, extract_walker, c, 0);
	}
	return expression_tree_walker(node, extract_walker, c);
}

/*
 * ia_advise_extract -- what the rewritten Query list of query qno says
 * about each table it reads: one IaRelUse per (Query level, table).
 */
List *
ia_advise_extract(List *querytrees, int qno)
{
	ExtractCtx	c = {NIL, qno, NIL};

	(void) extract_walker((Node *) querytrees, &c);
	return c.uses;
}
