/*-------------------------------------------------------------------------
 *
 * values.c
 *		Representative values for the $n of a query: which column each $n
 *		is compared with, which of that column's statistics stands for it,
 *		and who may use and see that value.  The one rule for
 *		idx_advise / idx_advise_workload (advise_plan.c: the query is
 *		planned generically and with these values) and for
 *		idx_explain(id, "analyze" => true) (measure.c: the query is run
 *		with them).
 *
 * Which column.  Each "Var op $n" (or "$n op Var") of the rewritten query,
 * at any query level, is resolved with the range table of the level the
 * Var belongs to (varlevelsup levels above the sub-query it stands in:
 * the walk keeps a stack of range tables, one per level), through join
 * aliases and through views and sub-queries in FROM (their output column,
 * when it is a plain column of their own FROM), down to a table's column.
 * The first such column of each $n that gives a value wins.  lower() and
 * upper() are seen through (lower(col) LIKE lower($n) || '%' is col's).
 *
 * Which value (pg_statistic, as the planner reads it).  For "col = $n" and
 * any other operator that is not a btree range: the middle entry of the
 * most-common-values list (a value that is common without being the most
 * skewed one), else the middle of the histogram.  For "col < $n" and
 * "col <= $n": the 10th percentile of the histogram; for "col > $n" and
 * "col >= $n": the 90th percentile (a range that selects about a tenth of
 * the rows, the shape an application's paging or recent-rows query has),
 * else the middle most common value.  A column of a table that has
 * children, read with them (not ONLY), has its "inherited" statistics
 * (pg_statistic.stainherit): a partitioned table has no others; a plain
 * table has both, and the planner reads the inherited ones exactly when
 * the range table entry has inh set and the table has children.  The
 * value must have the parameter's type (no coercion is guessed).
 *
 * A rare value too.  For "col = $n" with a statistic's value, the column's
 * rarest most-common value when it is rare (at most 5 % of the rows and a
 * tenth of the list's median frequency or less: 'blocked' at 0.45 % among
 * statuses of 30 %) is given as well (rare_value), for the caller to try:
 * an application that filters on a status most often asks for a rare one
 * (a queue's 'blocked', 'failed'), and only that value's plan can show
 * that a small partial index serves it.  Same filter as the value's.
 * For "col <> $n" (the negator of the column type's btree equality), the
 * column's most common value instead, when it holds at least half of the
 * rows (rare_bulk): an application writes "status <> $1" to skip the bulk
 * ('done', 'archived'), and only the plan with that value bound shows
 * that a partial index "WHERE status <> 'done'" serves the rest.  Half is
 * the line because below it "<>" keeps most of the table, which no index
 * serves better than a sequential scan, and a partial index without the
 * value would hold more than half of the rows: no bulk is skipped.
 *
 * Values the application sends.  When the caller knows the constants the
 * application really sent for a column (idx_advise_workload: pg_qualstats'
 * recorded quals for the statement's queryid, IaSentValue), "col op $n"
 * takes the one for that column and operator ("$n op col" as "col op' $n",
 * by the commutator, as pg_qualstats records it) before any statistic: a rare status
 * recorded as "status = $2" is planned with 'blocked', not with a common
 * value.  Such a value is used only when both the planning role and the
 * viewer pass the filter below (it is printed in the note and the caller
 * asked for it), only for a built-in type (no input function of a role
 * runs), and only when its printed type is the parameter's
 * ("'blocked'::text" for a text $n).  The $n that is the whole pattern of
 * "col LIKE $n" (or ILIKE), or the document of a jsonb "col @> $n", is
 * flagged (pattern): it is not one of col's values, and advise_values.c
 * binds the one sent into the statement, so that a prefix or a leading
 * wildcard is read, and a constant containment gets its partial index.
 *
 * Who may use and see it (doc/safety-planning.md, "What a role can learn
 * from statistics").  pg_statistic holds values of every row; pg_stats
 * shows a role a column's statistics only when (system_views.sql)
 *
 *     NOT attisdropped
 *     AND has_column_privilege(c.oid, a.attnum, 'select')
 *     AND (c.relrowsecurity = false OR NOT row_security_active(c.oid))
 *
 * ia_stats_visible() is that condition for a given role: the column's own
 * SELECT grant or the table's, and row security not active for the role
 * (check_enable_rls, which is what row_security_active() asks: owners and
 * BYPASSRLS roles pass unless the table forces row security).  The size
 * model of hypothetical indexes (hyposize.c) reads widths, NULL fractions
 * and n_distinct only under it too, for the planning role.  A value is
 * used only when the planning role passes it, and printed only when the
 * viewer (the role the text is shown to) passes it too.  pg_stats is a
 * security_barrier view, so no function of the caller ever sees a row
 * its filter drops; in the same way nothing here reads, copies or
 * outputs a statistics value before the filter has passed for the role
 * that will use it.  A $n compared only with columns the planning role
 * may not read gets no value ("hidden"): the caller plans generically and
 * says so.
 *
 * Caller's rules: call inside a transaction, with the rewritten Query
 * list (its tables locked: the catalog rows read here stay put); the
 * roles are given, the current user does not matter.  Results are
 * allocated in CurrentMemoryContext.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "access/transam.h"
#include "ia_plan.h"

/* deeper nesting of views and join aliases than this is not followed */
#define MAX_RESOLVE_DEPTH	32

/* A table's column, as a Var of some query level resolves to. */
typedef struct TableColumn
{
	Oid			relid;
	AttrNumber	attnum;
	bool		inh;			/* the range table entry's inh */
} TableColumn;

/* The walk over a Query tree. */
typedef struct ValuesWalk
{
	List	   *rtables;		/* range tables, innermost level first */
	int			nparams;
	Oid		   *types;
	IaParamValue *vals;
	Oid			planner;
	Oid			viewer;
	List	   *sent;			/* IaSentValue */
} ValuesWalk;

/*
 * ia_stats_visible -- would pg_stats show "role" the statistics of
 * relid.attnum?  pg_stats' WHERE clause (see the file header), for a role
 * given rather than the current user.
 */
bool
ia_stats_visible(Oid relid, AttrNumber attnum, Oid role)
{
	HeapTuple	tup;
	bool		dropped;

	if (attnum <= 0)
		return false;
	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	if (!HeapTupleIsValid(tup))
		return false;
	dropped = ((Form_pg_attribute) GETSTRUCT(tup))->attisdropped;
	ReleaseSysCache(tup);
	if (dropped)
		return false;
	/* has_column_privilege(c.oid, a.attnum, 'select') */
	if (pg_attribute_aclcheck(relid, attnum, role, ACL_SELECT) != ACLCHECK_OK &&
		pg_class_aclcheck(relid, role, ACL_SELECT) != ACLCHECK_OK)
		return false;
	/* c.relrowsecurity = false OR NOT row_security_active(c.oid) */
	return check_enable_rls(relid, role, true) != RLS_ENABLED;
}

/*
 * The table column that column attno of range table entry varno (of
 * rtable) is, through join aliases, views and sub-queries; false if it is
 * not one (an expression, a function's result, a set operation, ...).
 */
static bool
resolve_column(Index varno, AttrNumber attno, List *rtable, int depth,
			   TableColumn *out)
{
	RangeTblEntry *rte;
	Node	   *e = NULL;
	List	   *in = rtable;

	if (depth > MAX_RESOLVE_DEPTH || attno <= 0 ||
		varno < 1 || varno > (Index) list_length(rtable))
		return false;
	rte = rt_fetch(varno, rtable);
	switch (rte->rtekind)
	{
		case RTE_RELATION:
			out->relid = rte->relid;
			out->attnum = attno;
			out->inh = rte->inh;
			return true;
		case RTE_JOIN:
			if (attno <= list_length(rte->joinaliasvars))
				e = list_nth(rte->joinaliasvars, attno - 1);
			break;
		case RTE_SUBQUERY:
			{
				TargetEntry *tle;

				if (rte->subquery->setOperations != NULL)
					return false;
				tle = get_tle_by_resno(rte->subquery->targetList, attno);
				if (tle == NULL || tle->resjunk)
					return false;
				e = (Node *) tle->expr;
				in = rte->subquery->rtable;
				break;
			}
		default:
			return false;
	}
	if (e == NULL || !IsA(e, Var) || ((Var *) e)->varlevelsup != 0)
		return false;
	return resolve_column(((Var *) e)->varno, ((Var *) e)->varattno, in,
						  depth + 1, out);
}

/* Does the planner read relid's inherited statistics (file header)? */
static bool
inherited_stats(Oid relid, bool rte_inh)
{
	if (!rte_inh)
		return false;
	return get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ||
		has_subclass(relid);
}

/* col's pg_statistic row as the planner reads it (ReleaseSysCache it) */
static HeapTuple
column_stats(const TableColumn *col)
{
	return SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(col->relid),
						   Int16GetDatum(col->attnum),
						   BoolGetDatum(inherited_stats(col->relid, col->inh)));
}

/*
 * The column's representative value for a comparison of btree strategy
 * "strategy" (0: not a btree operator), of type "type"; false if its
 * statistics have none.  The caller has checked who may read them.
 */
static bool
pick_value(const TableColumn *col, int strategy, Oid type, Datum *value,
		   const char **kind)
{
	HeapTuple	tup;
	AttStatsSlot sslot;
	bool		lower = (strategy == BTLessStrategyNumber ||
						 strategy == BTLessEqualStrategyNumber);
	bool		upper = (strategy == BTGreaterStrategyNumber ||
						 strategy == BTGreaterEqualStrategyNumber);
	bool		found = false;

	tup = column_stats(col);
	if (!HeapTupleIsValid(tup))
		return false;
	for (int i = 0; i < 2 && !found; i++)
	{
		bool		hist = (lower || upper) ? (i == 0) : (i == 1);
		int			at;

		if (!get_attstatsslot(&sslot, tup,
							  hist ? STATISTIC_KIND_HISTOGRAM : STATISTIC_KIND_MCV,
							  InvalidOid, ATTSTATSSLOT_VALUES))
			continue;
		if (sslot.nvalues > 0 && sslot.valuetype == type)
		{
			int16		typlen;
			bool		typbyval;

			at = sslot.nvalues / 2;
			*kind = hist ? "middle of the histogram" : "a most common value";
			if (hist && lower)
			{
				at = sslot.nvalues / 10;
				*kind = "10th percentile";
			}
			else if (hist && upper)
			{
				at = sslot.nvalues - 1 - sslot.nvalues / 10;
				*kind = "90th percentile";
			}
			get_typlenbyval(type, &typlen, &typbyval);
			*value = datumCopy(sslot.values[at], typbyval, typlen);
			found = true;
		}
		free_attstatsslot(&sslot);
	}
	ReleaseSysCache(tup);
	return found;
}

/*
 * The value of col for a twin (see the file header), from its MCV list (in
 * decreasing frequency): for "col = $n" (!bulk) a rare one, the last
 * entry when it holds at most IA_RARE_FREQ of the rows and a tenth of the
 * list's median frequency or less (a 'blocked' among 'open', 'done'); for
 * "col <> $n" (bulk) the bulk, the first entry when it holds at least
 * IA_BULK_FREQ of the rows (a 'done').  *freq is its share of the rows,
 * *among the number of values in the list; false if there is none or it
 * is not of "type".  The caller has checked who may read the statistics.
 */
#define IA_RARE_FREQ	0.05
#define IA_BULK_FREQ	0.5

static bool
pick_twin(const TableColumn *col, Oid type, bool bulk, Datum *value,
		  double *freq, int *among)
{
	HeapTuple	tup;
	AttStatsSlot sslot;
	bool		found = false;

	tup = column_stats(col);
	if (!HeapTupleIsValid(tup))
		return false;
	if (get_attstatsslot(&sslot, tup, STATISTIC_KIND_MCV, InvalidOid,
						 ATTSTATSSLOT_VALUES | ATTSTATSSLOT_NUMBERS))
	{
		int			n = sslot.nvalues;
		int			at = -1;

		if (n >= 1 && sslot.nnumbers == n && sslot.valuetype == type)
		{
			if (bulk && sslot.numbers[0] >= IA_BULK_FREQ)
				at = 0;
			else if (!bulk && n >= 2 &&
					 sslot.numbers[n - 1] <= IA_RARE_FREQ &&
					 sslot.numbers[n - 1] * 10 <= sslot.numbers[n / 2])
				at = n - 1;
		}
		if (at >= 0)
		{
			int16		typlen;
			bool		typbyval;

			get_typlenbyval(type, &typlen, &typbyval);
			*value = datumCopy(sslot.values[at], typbyval, typlen);
			*freq = sslot.numbers[at];
			*among = n;
			found = true;
		}
		free_attstatsslot(&sslot);
	}
	ReleaseSysCache(tup);
	return found;
}

/*
 * A sent value of col as a Datum of "type" (see the file header); false if
 * there is none, or it is not of that type.  pg_qualstats prints a
 * constant as 'text'::type (the type's own output, which its input reads
 * back) or, for a number or boolean, bare::type or (bare)::type; any other
 * shape is not used, so that no input function sees what it cannot read.
 */
static bool
sent_value(List *sent, const TableColumn *col, Oid opno, Oid type,
		   Datum *value)
{
	ListCell   *lc;

	if (type >= FirstNormalObjectId)
		return false;
	foreach(lc, sent)
	{
		IaSentValue *sv = lfirst(lc);
		const char *p = sv->text;
		StringInfoData lit;
		const char *cast;
		Oid			infunc;
		Oid			ioparam;

		if (sv->relid != col->relid || sv->attnum != col->attnum ||
			sv->opno != opno || p == NULL)
			continue;
		initStringInfo(&lit);
		if (*p == '\'')
		{
			for (p++; *p && !(*p == '\'' && p[1] != '\''); p++)
			{
				if (*p == '\'')
					p++;		/* '' is one quote */
				appendStringInfoChar(&lit, *p);
			}
			if (*p != '\'')
				continue;
			cast = p + 1;
		}
		else
		{
			/* a number or boolean, bare or in parentheses: "(-5)::numeric" */
			int			len;

			cast = strstr(p, "::");
			if (cast == NULL)
				continue;
			len = cast - p;
			while (len >= 2 && p[0] == '(' && p[len - 1] == ')')
			{
				p++;
				len -= 2;
			}
			appendBinaryStringInfo(&lit, p, len);
			if (lit.len == 0 ||
				(strspn(lit.data, "+-0123456789.eE") != (size_t) lit.len &&
				 strcmp(lit.data, "true") != 0 && strcmp(lit.data, "false") != 0))
				continue;
		}
		if (strncmp(cast, "::", 2) != 0 ||
			strcmp(cast + 2, format_type_be(type)) != 0)
			continue;
		getTypeInputInfo(type, &infunc, &ioparam);
		*value = OidInputFunctionCall(infunc, lit.data, ioparam, -1);
		return true;
	}
	return false;
}

/*
 * ia_btree_strategy -- the btree strategy of "operand opno x" for operand's
 * type (its default btree operator class), 0 if btree cannot serve it.
 */
int
ia_btree_strategy(Oid opno, Node *operand)
{
	Oid			opclass = GetDefaultOpClass(exprType(operand), BTREE_AM_OID);

	if (!OidIsValid(opclass) || !OidIsValid(opno))
		return 0;
	return get_op_opfamily_strategy(opno, get_opclass_family(opclass));
}

/*
 * lower(x) or upper(x) of text: x; anything else as it is.  A
 * case-insensitive comparison (lower(col) LIKE lower($n) || '%') stands
 * for the column's values, and advise_like.c reads patterns through it.
 */
Node *
ia_strip_case(Node *node)
{
	Node	   *n = strip_implicit_coercions(node);

	if (IsA(n, FuncExpr) && list_length(((FuncExpr *) n)->args) == 1 &&
		(((FuncExpr *) n)->funcid == F_LOWER_TEXT ||
		 ((FuncExpr *) n)->funcid == F_UPPER_TEXT))
		return strip_implicit_coercions(linitial(((FuncExpr *) n)->args));
	return n;
}

/*
 * "$n || '%'" (the pattern of "col LIKE $n || '%'", a prefix search) stands
 * for its $n, whose value is then one of the column's; so does
 * "lower($n) || '%'"; anything else is returned as it is.
 */
static Node *
prefix_pattern_param(Node *node)
{
	OpExpr	   *op = (OpExpr *) node;
	Node	   *first;

	node = ia_strip_case(node);
	op = (OpExpr *) node;
	if (!IsA(node, OpExpr) || list_length(op->args) != 2 ||
		get_opcode(op->opno) != F_TEXTCAT)
		return node;
	first = ia_strip_case(linitial(op->args));
	return IsA(first, Param) ? first : node;
}

/*
 * Is "operand opno $n" a search whose $n is no value of operand's: the
 * pattern of LIKE or ILIKE (~~, ~~*), the document of jsonb's @>?
 */
static bool
pattern_operator(Oid opno, Node *operand)
{
	char	   *name = get_opname(opno);

	if (name == NULL)
		return false;
	return strcmp(name, "~~") == 0 || strcmp(name, "~~*") == 0 ||
		(strcmp(name, "@>") == 0 && exprType(operand) == JSONBOID);
}

/* "Var op $n" or "$n op Var": the value of that $n, if it has none yet. */
static void
consider_comparison(ValuesWalk *w, OpExpr *op)
{
	Node	   *a = strip_implicit_coercions(linitial(op->args));
	Node	   *b = strip_implicit_coercions(lsecond(op->args));
	bool		swapped = false;
	bool		pattern;
	TableColumn	col;
	IaParamValue *v;
	Var		   *var;
	int			n;
	int			strategy;

	if (IsA(a, Param))
	{
		Node	   *tmp = a;

		a = b;
		b = tmp;
		swapped = true;
	}
	a = ia_strip_case(a);
	/* "col LIKE $n", "doc @> $n": $n is a pattern, not one of col's values */
	pattern = !swapped && IsA(b, Param) && pattern_operator(op->opno, a);
	b = prefix_pattern_param(b);
	if (!IsA(a, Var) || !IsA(b, Param) ||
		((Param *) b)->paramkind != PARAM_EXTERN)
		return;
	n = ((Param *) b)->paramid - 1;
	var = (Var *) a;
	if (n < 0 || n >= w->nparams || w->vals[n].found ||
		var->varlevelsup >= (Index) list_length(w->rtables) ||
		!resolve_column(var->varno, var->varattno,
						(List *) list_nth(w->rtables, var->varlevelsup), 0,
						&col))
		return;
	v = &w->vals[n];
	/* the filter first: nothing of a column the planner may not read */
	if (!ia_stats_visible(col.relid, col.attnum, w->planner))
	{
		if (!v->hidden)
		{
			v->hidden = true;
			v->relid = col.relid;
			v->attnum = col.attnum;
		}
		return;
	}
	strategy = ia_btree_strategy(op->opno, a);
	if (swapped && strategy != 0)	/* $n < col is col > $n */
		strategy = BTMaxStrategyNumber + 1 - strategy;
	if (ia_stats_visible(col.relid, col.attnum, w->viewer) &&
		sent_value(w->sent, &col, swapped ? get_commutator(op->opno) : op->opno,
				   w->types[n], &v->value))
	{
		v->kind = "sent";
		v->sent = true;
	}
	else if (!pick_value(&col, strategy, w->types[n], &v->value, &v->kind))
		return;
	else if (strategy == BTEqualStrategyNumber)
		v->rare = pick_twin(&col, w->types[n], false, &v->rare_value,
							&v->rare_freq, &v->rare_among);
	else if (strategy == 0 &&
			 ia_btree_strategy(get_negator(op->opno), a) == BTEqualStrategyNumber)
		v->rare = v->rare_bulk =
			pick_twin(&col, w->types[n], true, &v->rare_value,
					  &v->rare_freq, &v->rare_among);
	v->found = true;
	v->pattern = pattern;
	v->hidden = false;
	v->relid = col.relid;
	v->attnum = col.attnum;
	v->shown = ia_stats_visible(col.relid, col.attnum, w->viewer);
}

static bool
values_walker(Node *node, ValuesWalk *w)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		bool		r;

		/* a new query level: its Vars of level 0 index its own rtable */
		w->rtables = lcons(((Query *) node)->rtable, w->rtables);
		r = query_tree_walker((Query *) node, values_walker, w, 0);
		w->rtables = list_delete_first(w->rtables);
		return r;
	}
	if (IsA(node, OpExpr) && list_length(((OpExpr *) node)->args) == 2)
		consider_comparison(w, (OpExpr *) node);
	return expression_tree_walker(node, values_walker, w);
}

/*
 * ia_param_values -- the representative value of each $n (types[0 ..
 * nparams-1]) of the rewritten Query list "queries", used as "planner"
 * and shown to "viewer" (see the file header); an array of nparams.
 */
IaParamValue *
ia_param_values(List *queries, Oid *types, int nparams, Oid planner,
				Oid viewer)
{
	return ia_param_values_sent(queries, types, nparams, planner, viewer, NIL);
}

/*
 * ia_param_values_sent -- ia_param_values, a value the application sends
 * ("sent", IaSentValue) before any statistic (see the file header).
 */
IaParamValue *
ia_param_values_sent(List *queries, Oid *types, int nparams, Oid planner,
					 Oid viewer, List *sent)
{
	ValuesWalk	w;
	ListCell   *lc;

	w.sent = sent;
	w.rtables = NIL;
	w.nparams = nparams;
	w.types = types;
	w.vals = palloc0(sizeof(IaParamValue) * Max(nparams, 1));
	w.planner = planner;
	w.viewer = viewer;
	foreach(lc, queries)
		(void) values_walker(lfirst(lc), &w);
	return w.vals;
}

/* A value as a note shows it: numbers and booleans bare, others quoted. */
char *
ia_value_text(Datum value, Oid type)
{
	Oid			out;
	bool		varlena;
	char	   *s;
	char		cat;
	bool		pref;

	getTypeOutputInfo(type, &out, &varlena);
	s = OidOutputFunctionCall(out, value);
	get_type_category_preferred(type, &cat, &pref);
	return (cat == TYPCATEGORY_NUMERIC || cat == TYPCATEGORY_BOOLEAN) ?
		s : quote_literal_cstr(s);
}

/* "table.column" of v (its OID and number if either is gone). */
char *
ia_value_column(const IaParamValue *v)
{
	char	   *rel = get_rel_name(v->relid);
	char	   *att = get_attname(v->relid, v->attnum, true);

	return psprintf("%s.%s", rel ? rel : psprintf("relation %u", v->relid),
					att ? att : psprintf("column %d", v->attnum));
}

/*
 * Why $paramno has no value (v->hidden) or why its value is not shown
 * (!v->shown) to "role": a phrase for a note.
 */
char *
ia_value_refusal(const IaParamValue *v, int paramno, Oid role)
{
	if (v->found)
		return psprintf("$%d = a value not shown (role %s may not see the statistics of %s in pg_stats)",
						paramno, GetUserNameFromId(role, false),
						ia_value_column(v));
	return psprintf("no value for $%d (role %s may not see the statistics of %s in pg_stats)",
					paramno, GetUserNameFromId(role, false),
					ia_value_column(v));
}
