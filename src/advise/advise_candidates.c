/*-------------------------------------------------------------------------
 *
 * advise_candidates.c
 *		Candidate indexes for idx_advise, read from each query's own
 *		analysed (and rewritten) Query trees.
 *
 * Design.  ia_advise_extract() walks every Query of a statement (sub-
 * queries, CTEs and SubLinks included) and, for each plain table it reads,
 * sorts the conjuncts of WHERE and JOIN ... ON into: equality with a value
 * (col = $1, col = 'x', col = ANY(...)), a range (<, >, <=, >=, and a
 * prefix LIKE 'abc%', with text_pattern_ops under a collation other than
 * C), a join key (col = other.col, grouped by the other table so that a
 * composite foreign key is one key list), a constant predicate (enabled,
 * deleted_at IS NULL, status = 'pending', status <> 'done', payload @>
 * '{...}': partial index material), operators btree cannot serve (jsonb @>,
 * array &&, LIKE '%x%': gin), and ORs of one table (the keys each arm
 * needs).  ORDER BY counts when every sort key is a column or expression
 * of that one table.  A key is a column or an immutable expression of the
 * table's columns (lower(email)).
 *
 * ia_advise_generate() turns them into candidates: equality columns first
 * (those more queries test for equality first, then the most distinct),
 * then one range column, or then the ORDER BY columns with their
 * directions (columns fixed by equality drop out of the sort); join keys,
 * alone and all those to one table together; each also with INCLUDE of the
 * other columns the query reads (index-only scans) and as a partial index
 * on the constant predicates, keyed on what the query still needs (never
 * on a column the predicate fixes); one plain index per arm of an OR, each
 * the others' partner (advise_plan.c chooses them together: a BitmapOr
 * needs them all).  Identical candidates of several queries are one.
 * Which of them is worth building is for the planner to say (advise.c),
 * not for this file.
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
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/pg_locale.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "ia_advise.h"

/* at most this many INCLUDE columns in a covering candidate */
#define IA_MAX_INCLUDE	8
/* "col = 'x'" makes a partial index when col has at most this many values */
#define IA_FEW_VALUES	10

/* ---------------------------------------------------------------------
 * Reading one Query
 * ---------------------------------------------------------------------
 */

/* varnos of Vars of this query level (varlevelsup 0); -1 if volatile */
typedef struct VarnoCtx
{
	Bitmapset  *varnos;
	bool		bad;			/* volatile, aggregate, SubLink, whole row */
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
		return false;
	}
	if (IsA(node, SubLink) || IsA(node, Aggref) || IsA(node, WindowFunc) ||
		IsA(node, PlaceHolderVar) || IsA(node, GroupingFunc))
	{
		c->bad = true;
		return false;
	}
	return expression_tree_walker(node, varno_walker, c);
}

static Bitmapset *
expr_varnos(Node *node, bool *bad)
{
	VarnoCtx	c = {NULL, false};

	(void) varno_walker(node, &c);
	*bad = c.bad || contain_volatile_functions(node);
	return c.varnos;
}

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

static bool
has_column(List *keys, IaCandKey *k)
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

static List *
add_key(List *keys, IaCandKey *k)
{
	if (k == NULL || has_column(keys, k))
		return keys;
	return lappend(keys, k);
}

/* The btree strategy of "operand opno value" for operand's type, 0 if
 * btree cannot serve it. */
static int
btree_strategy(Oid opno, Node *operand)
{
	Oid			opclass = GetDefaultOpClass(exprType(operand), BTREE_AM_OID);

	if (!OidIsValid(opclass) || !OidIsValid(opno))
		return 0;
	return get_op_opfamily_strategy(opno, get_opclass_family(opclass));
}

/* gin opclass name serving "operand opno value", or NULL */
/* the schema of an operator class */
static Oid
get_opclass_namespace(Oid opclass)
{
	HeapTuple	tup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
	Oid			nsp = InvalidOid;

	if (HeapTupleIsValid(tup))
	{
		nsp = ((Form_pg_opclass) GETSTRUCT(tup))->opcnamespace;
		ReleaseSysCache(tup);
	}
	return nsp;
}

static char *
gin_opclass(Oid opno, Node *operand, IaRelUse *u)
{
	Oid			type = exprType(operand);
	char	   *name = get_opname(opno);
	Oid			opclass;

	if (name == NULL)
		return NULL;
	if (type == JSONBOID && strcmp(name, "@>") == 0)
		return "jsonb_path_ops";
	if ((strcmp(name, "~~") == 0 || strcmp(name, "~~*") == 0) &&
		(type == TEXTOID || type == VARCHAROID || type == BPCHAROID))
	{
		opclass = get_opclass_oid(GIN_AM_OID,
								  list_make1(makeString("gin_trgm_ops")), true);
		/* qualified: the worker that builds it has its own search_path */
		if (OidIsValid(opclass))
			return quote_qualified_identifier(get_namespace_name(get_opclass_namespace(opclass)),
											  "gin_trgm_ops");
		u->notes = lappend(u->notes,
						   OidIsValid(get_extension_oid("pg_trgm", true)) ?
						   "LIKE with a leading wildcard needs a gin_trgm_ops index: pg_trgm is installed, but not in a schema on search_path" :
						   "LIKE with a leading wildcard needs a gin index with gin_trgm_ops: pg_trgm is not installed");
		return NULL;
	}
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

static double column_distinct(Oid relid, AttrNumber attnum);

/* Does the column hold few distinct values (a status, a kind, a flag)? */
static bool
few_values(Oid relid, AttrNumber attnum)
{
	double		nd = column_distinct(relid, attnum);

	return nd > 0 && nd <= IA_FEW_VALUES;
}

/*
 * "operand opno value" with value a constant: partial index material (a
 * predicate the planner proves from the same clause in the query).
 */
static void
constant_restriction(IaRelUse *u, Oid opno, Node *operand, Node *value)
{
	Const	   *c = (Const *) strip_implicit_coercions(value);
	Node	   *pred;

	if (!IsA(c, Const) || c->constisnull)
		return;
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

/*
 * "col LIKE 'abc%'" or "col LIKE $1 || '%'": a prefix, which a btree serves
 * as a range; under a collation other than C only with text_pattern_ops
 * (varchar_pattern_ops, bpchar_pattern_ops).  The key goes with the range
 * columns; false when the pattern may start with a wildcard.
 */
static bool
prefix_like(IaRelUse *u, Oid opno, Node *operand, Node *value, IaCandKey *k)
{
	char	   *name = get_opname(opno);
	Node	   *v = strip_implicit_coercions(value);
	Node	   *param = NULL;
	Oid			type = k->attnum ? get_atttype(u->relid, k->attnum) : exprType(operand);

	if (name == NULL || strcmp(name, "~~") != 0 ||
		(type != TEXTOID && type != VARCHAROID && type != BPCHAROID))
		return false;
	if (IsA(v, Const))
	{
		char	   *pattern;

		if (((Const *) v)->constisnull || exprType(v) != TEXTOID)
			return false;
		pattern = TextDatumGetCString(((Const *) v)->constvalue);
		if (pattern[0] == '%' || pattern[0] == '_' || pattern[0] == '\\')
			return false;
	}
	else if (IsA(v, OpExpr) && list_length(((OpExpr *) v)->args) == 2 &&
			 ((OpExpr *) v)->opfuncid == F_TEXTCAT &&
			 IsA(strip_implicit_coercions(linitial(((OpExpr *) v)->args)), Param))
		param = strip_implicit_coercions(linitial(((OpExpr *) v)->args));	/* $1 || '%' */
	else
		return false;
	if (!lc_collate_is_c(exprCollation(operand)))
		k->opclass = type == VARCHAROID ? "varchar_pattern_ops" :
			type == BPCHAROID ? "bpchar_pattern_ops" : "text_pattern_ops";
	u->range = add_key(u->range, k);
	if (param)
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
	strategy = btree_strategy(opno, operand);
	if (strategy == BTEqualStrategyNumber)
	{
		u->eq = add_key(u->eq, k);
		note_param(u, value, k, strategy);
		/* status = 'pending': a partial index, for columns of few values */
		if (!isarray && k->attnum != 0 && few_values(u->relid, k->attnum))
			constant_restriction(u, opno, operand, value);
	}
	else if (strategy != 0 && !isarray)
	{
		u->range = add_key(u->range, k);
		note_param(u, value, k, strategy);
	}
	else if (!isarray && prefix_like(u, opno, operand, value, k))
		return;
	else if (!isarray && (gin = gin_opclass(opno, operand, u)) != NULL &&
			 k->attnum != 0)
	{
		(void) expr_varnos(value, &bad);
		k->opclass = strcmp(gin, "default") == 0 ? NULL : pstrdup(gin);
		u->gin = add_key(u->gin, k);
		/* payload @> '{"source": "import"}': a partial index too */
		if (exprType(operand) == JSONBOID)
			constant_restriction(u, opno, operand, value);
	}
	else if (!isarray && k->attnum != 0 && few_values(u->relid, k->attnum) &&
			 btree_strategy(get_negator(opno), operand) == BTEqualStrategyNumber)
		constant_restriction(u, opno, operand, value);	/* status <> 'done' */
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
	u->join = add_key(u->join, k);
	forboth(ls, u->joinsets, lr, u->joinset_rtis)
	{
		if (lfirst_int(lr) == other)
		{
			lfirst(ls) = add_key(lfirst(ls), k);
			return;
		}
	}
	u->joinsets = lappend(u->joinsets, list_make1(k));
	u->joinset_rtis = lappend_int(u->joinset_rtis, other);
}

static void classify_clause(List *uses, Node *clause);
static List *flatten_ands(List *quals);

/*
 * "arm OR arm ..." on one table: the keys each arm needs (its equality
 * columns, then its first range column), so that one index per arm can be
 * combined by a BitmapOr.  Nothing when an arm has no key: the table is
 * then read whole anyway.
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
		List	   *keys;

		arm->qno = u->qno;
		arm->relid = u->relid;
		arm->rti = u->rti;
		foreach(lc2, flatten_ands(make_ands_implicit(lfirst(lc))))
			classify_clause(list_make1(arm), lfirst(lc2));
		keys = list_copy(arm->eq);
		if (arm->range)
			keys = add_key(keys, linitial(arm->range));
		if (keys == NIL)
			return;
		arms = lappend(arms, keys);
		u->params = list_concat(u->params, arm->params);
	}
	u->ors = lappend(u->ors, arms);
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
		lv = expr_varnos(clause, &lbad);
		li = bms_singleton_member_or(lv);
		if (!lbad && li > 0 && use_of(uses, li))
			classify_or(use_of(uses, li), (BoolExpr *) clause);
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

	lv = expr_varnos(l, &lbad);
	rv = expr_varnos(r, &rbad);
	li = bms_singleton_member_or(lv);
	ri = bms_singleton_member_or(rv);
	if (!lbad && li > 0 && bms_is_empty(rv) && !rbad && use_of(uses, li))
		classify_restriction(use_of(uses, li), opno, l, r, isarray);
	else if (!rbad && ri > 0 && bms_is_empty(lv) && !lbad && !isarray &&
			 use_of(uses, ri) && OidIsValid(get_commutator(opno)))
		classify_restriction(use_of(uses, ri), get_commutator(opno), r, l, false);
	else if (!lbad && !rbad && li > 0 && ri > 0 && li != ri && !isarray &&
			 btree_strategy(opno, l) == BTEqualStrategyNumber)
	{
		/* a join key on both sides: the inner side of a nested loop */
		if (use_of(uses, li))
			join_key(use_of(uses, li), make_key(l, li), ri);
		if (use_of(uses, ri))
			join_key(use_of(uses, ri), make_key(r, ri), li);
	}
}

/* Every conjunct of the FROM tree's quals, ANDs flattened. */
static void
collect_quals(Node *node, List **quals)
{
	if (node == NULL)
		return;
	if (IsA(node, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) node)->fromlist)
			collect_quals(lfirst(lc), quals);
		*quals = list_concat(*quals,
							 make_ands_implicit((Expr *) ((FromExpr *) node)->quals));
	}
	else if (IsA(node, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) node;

		collect_quals(j->larg, quals);
		collect_quals(j->rarg, quals);
		*quals = list_concat(*quals, make_ands_implicit((Expr *) j->quals));
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
		Bitmapset  *vn = expr_varnos(e, &bad);
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

/* The relations of one Query level, then its clauses and sort. */
static List *
extract_one(Query *q, int qno)
{
	List	   *uses = NIL;
	List	   *quals = NIL;
	ListCell   *lc;
	Index		rti = 0;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		IaRelUse   *u;

		rti++;
		if (rte->rtekind != RTE_RELATION ||
			(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW))
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
		uses = lappend(uses, u);
	}
	if (uses == NIL)
		return NIL;
	collect_quals((Node *) q->jointree, &quals);
	quals = flatten_ands(quals);
	foreach(lc, quals)
		classify_clause(uses, flatten_join_alias_vars(q, (Node *) lfirst(lc)));
	collect_sort(q, uses);
	return uses;
}

typedef struct ExtractCtx
{
	List	   *uses;
	int			qno;
} ExtractCtx;

static bool
extract_walker(Node *node, ExtractCtx *c)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		c->uses = list_concat(c->uses, extract_one((Query *) node, c->qno));
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
	ExtractCtx	c = {NIL, qno};

	(void) extract_walker((Node *) querytrees, &c);
	return c.uses;
}

/* ---------------------------------------------------------------------
 * Candidates
 * ---------------------------------------------------------------------
 */

/* How many distinct values a column has (pg_statistic), 0 if unknown. */
static double
column_distinct(Oid relid, AttrNumber attnum)
{
	HeapTuple	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
									  Int16GetDatum(attnum), BoolGetDatum(false));
	double		nd = 0;

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

/* Equality columns: those more queries test first, then the most distinct. */
typedef struct EqOrder
{
	IaCandKey  *key;
	int			count;
	double		ndistinct;
} EqOrder;

static int
eq_order_cmp(const ListCell *a, const ListCell *b)
{
	EqOrder    *x = lfirst(a);
	EqOrder    *y = lfirst(b);

	if (x->count != y->count)
		return y->count - x->count;
	if (x->ndistinct != y->ndistinct)
		return y->ndistinct > x->ndistinct ? 1 : -1;
	return 0;
}

static List *
order_equality(IaRelUse *u, List *all)
{
	List	   *order = NIL;
	List	   *out = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, u->eq)
	{
		EqOrder    *o = palloc0(sizeof(EqOrder));

		o->key = lfirst(lc);
		o->ndistinct = o->key->attnum ?
			column_distinct(u->relid, o->key->attnum) : 0;
		foreach(lc2, all)
		{
			IaRelUse   *v = lfirst(lc2);

			if (v->relid == u->relid && has_column(v->eq, o->key))
				o->count++;
		}
		order = lappend(order, o);
	}
	list_sort(order, eq_order_cmp);
	foreach(lc, order)
		out = lappend(out, ((EqOrder *) lfirst(lc))->key);
	return out;
}

static char *
key_text(IaCandKey *k, Oid relid, List *ctx)
{
	StringInfoData s;

	initStringInfo(&s);
	if (k->attnum != 0)
		appendStringInfoString(&s, quote_identifier(get_attname(relid, k->attnum, false)));
	else if (IsA(k->expr, FuncExpr))
		appendStringInfoString(&s, deparse_expression(k->expr, ctx, false, false));
	else
		appendStringInfo(&s, "(%s)", deparse_expression(k->expr, ctx, false, false));
	if (k->opclass)
		appendStringInfo(&s, " %s", k->opclass);
	if (k->desc)
		appendStringInfoString(&s, " DESC");
	if (k->desc && !k->nulls_first)
		appendStringInfoString(&s, " NULLS LAST");
	if (!k->desc && k->nulls_first)
		appendStringInfoString(&s, " NULLS FIRST");
	return s.data;
}

/*
 * ia_advise_cand_text -- "CREATE INDEX ON schema.table [USING gin] (keys)
 * [INCLUDE (...)] [WHERE ...]", without a name (advise.c names it).
 */
char *
ia_advise_cand_text(IaCand *c)
{
	StringInfoData s;
	char	   *relname = get_rel_name(c->relid);
	List	   *ctx = deparse_context_for(relname, c->relid);
	ListCell   *lc;

	initStringInfo(&s);
	appendStringInfo(&s, "CREATE INDEX ON %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(c->relid)),
												relname));
	if (c->amid == GIN_AM_OID)
		appendStringInfoString(&s, " USING gin");
	appendStringInfoString(&s, " (");
	foreach(lc, c->keys)
	{
		if (lc != list_head(c->keys))
			appendStringInfoString(&s, ", ");
		appendStringInfoString(&s, key_text(lfirst(lc), c->relid, ctx));
	}
	appendStringInfoChar(&s, ')');
	if (c->include)
	{
		appendStringInfoString(&s, " INCLUDE (");
		foreach(lc, c->include)
		{
			if (lc != list_head(c->include))
				appendStringInfoString(&s, ", ");
			appendStringInfoString(&s, quote_identifier(get_attname(c->relid, lfirst_int(lc), false)));
		}
		appendStringInfoChar(&s, ')');
	}
	if (c->pred)
		appendStringInfo(&s, " WHERE %s",
						 deparse_expression(c->pred, ctx, false, false));
	return s.data;
}

bool
ia_advise_same_cand(IaCand *a, IaCand *b)
{
	return a->relid == b->relid && strcmp(a->text, b->text) == 0;
}

/* Add a candidate unless an identical one is there; remember the query.
 * *out, if not NULL, gets the candidate (new or identical), or NULL. */
static List *
add_cand_get(List *cands, IaRelUse *u, Oid amid, List *keys, List *include,
			 Node *pred, int *nextid, IaCand **out)
{
	IaCand	   *c;
	ListCell   *lc;

	if (out)
		*out = NULL;
	if (keys == NIL || list_length(keys) + list_length(include) > INDEX_MAX_KEYS)
		return cands;
	c = palloc0(sizeof(IaCand));
	c->relid = u->relid;
	c->amid = amid;
	c->keys = keys;
	c->include = include;
	c->pred = pred;
	c->est_bytes = -1;
	if (pred && u->pred_literal)
	{
		c->literal_pred = true;
		c->pred_literal = u->pred_literal;
	}
	c->text = ia_advise_cand_text(c);
	foreach(lc, cands)
	{
		IaCand	   *o = lfirst(lc);

		if (ia_advise_same_cand(o, c))
		{
			o->from = bms_add_member(o->from, u->qno);
			if (out)
				*out = o;
			return cands;
		}
	}
	c->id = (*nextid)++;
	c->from = bms_make_singleton(u->qno);
	if (out)
		*out = c;
	return lappend(cands, c);
}

static List *
add_cand(List *cands, IaRelUse *u, Oid amid, List *keys, List *include,
		 Node *pred, int *nextid)
{
	return add_cand_get(cands, u, amid, keys, include, pred, nextid, NULL);
}

/*
 * One plain index per arm of each OR of u, each the others' partner: the
 * selection takes them together, as a BitmapOr needs them all.
 */
static List *
generate_or_arms(List *cands, IaRelUse *u, int *nextid)
{
	ListCell   *lc;
	ListCell   *la;

	foreach(lc, u->ors)
	{
		List	   *arms = NIL;

		foreach(la, (List *) lfirst(lc))
		{
			IaCand	   *c;

			cands = add_cand_get(cands, u, BTREE_AM_OID, lfirst(la), NIL,
								 NULL, nextid, &c);
			if (c == NULL)
				break;
			arms = list_append_unique_ptr(arms, c);
		}
		foreach(la, arms)
		{
			IaCand	   *c = lfirst(la);

			c->partners = list_concat_unique_ptr(c->partners,
												 list_delete_ptr(list_copy(arms), c));
		}
	}
	return cands;
}

/* number of live columns of a table */
static int
table_columns(Oid relid)
{
	Relation	rel = table_open(relid, AccessShareLock);
	int			n = 0;

	for (int i = 0; i < RelationGetDescr(rel)->natts; i++)
		if (!TupleDescAttr(RelationGetDescr(rel), i)->attisdropped)
			n++;
	table_close(rel, AccessShareLock);
	return n;
}

/* The other columns the query reads, for INCLUDE; NIL if too many. */
static List *
include_columns(IaRelUse *u, List *keys)
{
	List	   *inc = NIL;
	int			x = -1;

	if (u->wholerow)
		return NIL;
	while ((x = bms_next_member(u->used, x)) >= 0)
	{
		AttrNumber	att = x + FirstLowInvalidHeapAttributeNumber;
		IaCandKey	k = {0};

		if (att <= 0)
			continue;
		k.attnum = att;
		if (!has_column(keys, &k))
			inc = lappend_int(inc, att);
	}
	/* not when it would copy the whole table (SELECT *) */
	if (list_length(inc) > IA_MAX_INCLUDE ||
		list_length(inc) + list_length(keys) >= table_columns(u->relid))
		return NIL;
	return inc;
}

/* keys without the columns a partial index's predicate fixes */
static List *
without_pred_columns(List *keys, List *preds)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, keys)
	{
		IaCandKey  *k = lfirst(lc);
		Bitmapset  *atts = NULL;

		pull_varattnos((Node *) preds, 1, &atts);
		if (k->attnum == 0 ||
			!bms_is_member(k->attnum - FirstLowInvalidHeapAttributeNumber, atts))
			out = lappend(out, k);
	}
	return out;
}

/* The key of a partial index with nothing else to key on: the first
 * column of its predicate. */
static IaCandKey *
pred_key(IaRelUse *u)
{
	Bitmapset  *atts = NULL;
	IaCandKey  *k = palloc0(sizeof(IaCandKey));

	pull_varattnos((Node *) u->preds, 1, &atts);
	k->attnum = bms_next_member(atts, -1) + FirstLowInvalidHeapAttributeNumber;
	return k;
}

/*
 * The key of a partial index whose query needs nothing ordered or filtered
 * beyond its predicate: the first other column the query reads (an
 * index-only scan can return it), else the predicate's first column.
 */
static IaCandKey *
partial_key(IaRelUse *u)
{
	Bitmapset  *atts = NULL;
	int			x = -1;

	pull_varattnos((Node *) u->preds, 1, &atts);
	while (!u->wholerow && (x = bms_next_member(u->used, x)) >= 0)
	{
		IaCandKey  *k;

		if (x + FirstLowInvalidHeapAttributeNumber <= 0 ||
			bms_is_member(x, atts))
			continue;
		k = palloc0(sizeof(IaCandKey));
		k->attnum = x + FirstLowInvalidHeapAttributeNumber;
		return k;
	}
	return pred_key(u);
}

/* the columns of the constant predicates, as keys (INCLUDE leaves them out:
 * a partial index fixes them) */
static List *
pred_keys(IaRelUse *u)
{
	Bitmapset  *atts = NULL;
	List	   *keys = NIL;
	int			x = -1;

	pull_varattnos((Node *) u->preds, 1, &atts);
	while ((x = bms_next_member(atts, x)) >= 0)
	{
		IaCandKey  *k = palloc0(sizeof(IaCandKey));

		k->attnum = x + FirstLowInvalidHeapAttributeNumber;
		keys = lappend(keys, k);
	}
	return keys;
}

/* The key lists one table use of one query suggests. */
static List *
key_shapes(IaRelUse *u, List *eq)
{
	List	   *shapes = NIL;
	ListCell   *lc;
	int			nrange = 0;

	if (eq)
		shapes = lappend(shapes, eq);
	foreach(lc, u->range)
	{
		if (nrange++ < 2)
			shapes = lappend(shapes, add_key(list_copy(eq), lfirst(lc)));
	}
	if (u->sort)
	{
		List	   *k = list_copy(eq);

		foreach(lc, u->sort)
		{
			IaCandKey  *s = lfirst(lc);

			if (!has_column(eq, s))
				k = lappend(k, s);
		}
		shapes = lappend(shapes, k);
	}
	foreach(lc, u->join)
	{
		shapes = lappend(shapes, list_make1(lfirst(lc)));
		if (eq)
			shapes = lappend(shapes, add_key(list_copy(eq), lfirst(lc)));
	}
	/* all the join keys to one table, after the equality columns */
	foreach(lc, u->joinsets)
	{
		List	   *k = list_copy(eq);
		ListCell   *lk;

		if (list_length(lfirst(lc)) < 2)
			continue;
		foreach(lk, (List *) lfirst(lc))
			k = add_key(k, lfirst(lk));
		shapes = lappend(shapes, k);
	}
	return shapes;
}

/*
 * Expression keys get no INCLUDE: before the index exists the planner has
 * no statistics of the expression and guesses 0.5 % of rows for "= x",
 * which makes the heap fetches an index-only scan saves look far larger
 * than they are.
 */
static bool
has_expression(List *keys)
{
	ListCell   *lc;

	foreach(lc, keys)
		if (((IaCandKey *) lfirst(lc))->attnum == 0)
			return true;
	return false;
}

/* Candidates of one table use: plain, covering, partial (both). */
static List *
generate_one(List *cands, IaRelUse *u, List *all, int *nextid)
{
	List	   *eq = order_equality(u, all);
	Node	   *pred = u->preds ? (Node *) make_ands_explicit(u->preds) : NULL;
	bool		partial = false;
	ListCell   *lc;

	foreach(lc, key_shapes(u, eq))
	{
		List	   *keys = lfirst(lc);

		cands = add_cand(cands, u, BTREE_AM_OID, keys, NIL, NULL, nextid);
		if (!has_expression(keys))
			cands = add_cand(cands, u, BTREE_AM_OID, keys,
							 include_columns(u, keys), NULL, nextid);
		if (pred)
		{
			/* a key the predicate fixes orders nothing: leave it out */
			List	   *pk = without_pred_columns(keys, u->preds);

			if (pk == NIL)
				continue;
			partial = true;
			cands = add_cand(cands, u, BTREE_AM_OID, pk, NIL, pred, nextid);
			if (!has_expression(pk))
				cands = add_cand(cands, u, BTREE_AM_OID, pk,
								 include_columns(u, list_concat_copy(pk, pred_keys(u))),
								 pred, nextid);
		}
	}
	/* a partial index with no key of the query's own (partial_key) */
	if (pred && !partial)
	{
		List	   *pk = list_make1(partial_key(u));

		cands = add_cand(cands, u, BTREE_AM_OID, pk, NIL, pred, nextid);
		cands = add_cand(cands, u, BTREE_AM_OID, pk,
						 include_columns(u, list_concat_copy(pk, pred_keys(u))),
						 pred, nextid);
	}
	foreach(lc, u->gin)
		cands = add_cand(cands, u, GIN_AM_OID, list_make1(lfirst(lc)), NIL,
						 NULL, nextid);
	return generate_or_arms(cands, u, nextid);
}

/*
 * ia_advise_generate -- the candidates of every table use of every query;
 * ids from *nextid on.
 */
List *
ia_advise_generate(List *uses, int *nextid)
{
	List	   *cands = NIL;
	ListCell   *lc;

	foreach(lc, uses)
		cands = generate_one(cands, lfirst(lc), uses, nextid);
	return cands;
}
