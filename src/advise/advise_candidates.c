/*-------------------------------------------------------------------------
 *
 * advise_candidates.c
 *		Candidate indexes for idx_advise, from what each query asks of each
 *		table it reads (advise_extract.c: ia_advise_extract).
 *
 * Design.  ia_advise_generate() turns the table uses into candidates:
 * equality columns first (those more queries test for equality first, then
 * the most distinct), then one range column, or then the ORDER BY columns with their
 * directions (columns fixed by equality drop out of the sort); join keys,
 * alone and all those to one table together (in a declared foreign key's
 * order, else the most distinct first: never the order the query wrote its
 * clauses in); each also with INCLUDE of the
 * other columns the query reads (index-only scans) and as a partial index
 * on the constant predicates, keyed on what the query still needs (never
 * on a column the predicate fixes); one index per arm of an OR (plain,
 * after the equality columns outside the OR, partial on the constant
 * predicates), each the others' partner (advise_plan.c chooses them
 * together: a BitmapOr needs them all).  Identical candidates of several queries are one.
 * A column that a given statement updates (UPDATE ... SET, ON CONFLICT DO
 * UPDATE SET, MERGE's WHEN MATCHED THEN UPDATE SET: advise_plan.c's
 * ia_advise_merge_sets) is never INCLUDEd nor made a key only to be returned: an
 * index on it ends those updates' HOT (updated_columns); a key the query
 * needs may be one, and the candidate's note says so (hot_loss).
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
#include "advise_internal.h"
/* at most this many INCLUDE columns in a covering candidate */
#define IA_MAX_INCLUDE	8

/* ---------------------------------------------------------------------
 * Candidates
 * ---------------------------------------------------------------------
 */

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
			ia_advise_column_distinct(u->relid, o->key->attnum) : 0;
		foreach(lc2, all)
		{
			IaRelUse   *v = lfirst(lc2);

			if (v->relid == u->relid && ia_advise_has_column(v->eq, o->key))
				o->count++;
		}
		order = lappend(order, o);
	}
	list_sort(order, eq_order_cmp);
	foreach(lc, order)
		out = lappend(out, ((EqOrder *) lfirst(lc))->key);
	return out;
}

/* join set keys: the most distinct first, then by column number */
static int
join_order_cmp(const ListCell *a, const ListCell *b)
{
	EqOrder    *x = lfirst(a);
	EqOrder    *y = lfirst(b);

	if (x->ndistinct != y->ndistinct)
		return y->ndistinct > x->ndistinct ? 1 : -1;
	return x->key->attnum - y->key->attnum;
}

/*
 * A declared foreign key of u's table with exactly the columns of "set",
 * as set's keys in the foreign key's order; NIL if none.
 */
static List *
foreign_key_order(IaRelUse *u, List *set)
{
	Relation	rel = RelationIdGetRelation(u->relid);
	List	   *out = NIL;
	ListCell   *lc;

	if (!RelationIsValid(rel))
		return NIL;
	foreach(lc, RelationGetFKeyList(rel))
	{
		ForeignKeyCacheInfo *fk = lfirst(lc);
		int			k;

		if (fk->nkeys != list_length(set))
			continue;
		for (k = 0; k < fk->nkeys; k++)
		{
			ListCell   *lk;

			foreach(lk, set)
				if (((IaCandKey *) lfirst(lk))->attnum == fk->conkey[k])
					break;
			if (lk == NULL)
				break;
			out = lappend(out, lfirst(lk));
		}
		if (k == fk->nkeys)
			break;
		list_free(out);
		out = NIL;
	}
	RelationClose(rel);
	return out;
}

/*
 * The keys of a composite join (all the equality join clauses between u's
 * table and one other: advise_extract.c's join sets) in an order that does
 * not hang on the order the query wrote its clauses in: a declared foreign
 * key's order when one has exactly these columns (the order of the key it
 * references, which an index on it follows), else the most distinct first
 * (the prefix that narrows most, for the queries that join on it alone).
 */
static List *
order_join_set(IaRelUse *u, List *set)
{
	List	   *order = foreign_key_order(u, set);
	List	   *out = NIL;
	ListCell   *lc;

	if (order != NIL)
		return order;
	foreach(lc, set)
	{
		EqOrder    *o = palloc0(sizeof(EqOrder));

		o->key = lfirst(lc);
		o->ndistinct = o->key->attnum ?
			ia_advise_column_distinct(u->relid, o->key->attnum) : 0;
		order = lappend(order, o);
	}
	list_sort(order, join_order_cmp);
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

static List *without_pred_columns(List *keys, List *preds);

/*
 * One index per arm of one OR of u ("arms", IaOrArm), each btree arm's
 * keys after "prefix", partial on "preds" (NIL: none; then without the
 * columns they fix), each the others' partner: the selection takes them
 * together, as a BitmapOr needs them all.
 */
static List *
add_or_group(List *cands, IaRelUse *u, List *arms, List *prefix, List *preds,
			 int *nextid)
{
	Node	   *pred = preds ? (Node *) make_ands_explicit(preds) : NULL;
	List	   *group = NIL;
	ListCell   *la;

	foreach(la, arms)
	{
		IaOrArm    *a = lfirst(la);
		List	   *keys = a->keys;
		IaCand	   *c;
		ListCell   *lk;

		if (a->amid == BTREE_AM_OID)
		{
			keys = list_copy(prefix);
			foreach(lk, a->keys)
				keys = ia_advise_add_key(keys, lfirst(lk));
			if (preds)
				keys = without_pred_columns(keys, preds);
		}
		cands = add_cand_get(cands, u, a->amid, keys, NIL, pred, nextid, &c);
		if (c == NULL)
			return cands;
		group = list_append_unique_ptr(group, c);
	}
	foreach(la, group)
	{
		IaCand	   *c = lfirst(la);

		c->partners = list_concat_unique_ptr(c->partners,
											 list_delete_ptr(list_copy(group), c));
	}
	return cands;
}

/*
 * The indexes of each OR of u: one per arm; when the query also tests u's
 * columns for equality outside the OR ("eq": order_equality's), one per
 * arm after those columns too, unless its constant predicates fix them
 * all; and when it has constant predicates, one per arm partial on them.  The planner gives each arm's index path the
 * other conditions of the table, as index conditions and to prove a
 * partial index's predicate (indxpath.c, build_paths_for_OR), so "a = 1
 * AND (b = 2 OR c = 3)" -- also "(a = 1 AND b = 2) OR (a = 1 AND c = 3)",
 * which it reads so (canonicalize_qual; advise_pullup.c) -- is served by
 * (a, b) and (a, c), and, a status of few values in place of a, by (b)
 * and (c) WHERE status = 'x'.
 */
static List *
generate_or_arms(List *cands, IaRelUse *u, List *eq, int *nextid)
{
	ListCell   *lc;

	foreach(lc, u->ors)
	{
		cands = add_or_group(cands, u, lfirst(lc), NIL, NIL, nextid);
		/* (not when the predicates fix every equality column: the partial
		 * arms below get the same rows from smaller indexes) */
		if (eq && (u->preds == NIL || without_pred_columns(eq, u->preds) != NIL))
			cands = add_or_group(cands, u, lfirst(lc), eq, NIL, nextid);
		if (u->preds)
			cands = add_or_group(cands, u, lfirst(lc), eq, u->preds, nextid);
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

/*
 * The columns of relid that some given statement sets (an UPDATE, an
 * INSERT ... ON CONFLICT DO UPDATE, a MERGE's UPDATE action), offset as IaRelUse.used.  An index
 * holding one of them ends the HOT updates of the statements that set it:
 * such a column is never INCLUDEd, nor made a key only to be returned
 * (partial_key); a key the query filters or sorts on may be one (the note
 * says what it costs: hot_loss).
 */
static Bitmapset *
updated_columns(List *all, Oid relid)
{
	Bitmapset  *set = NULL;
	ListCell   *lc;

	foreach(lc, all)
	{
		IaRelUse   *v = lfirst(lc);

		if (v->relid == relid)
			set = bms_add_members(set, v->set);
	}
	return set;
}

/* The other columns the query reads, for INCLUDE, less those the given
 * statements update (updated_columns); NIL if too many. */
static List *
include_columns(IaRelUse *u, List *keys, Bitmapset *updated)
{
	List	   *inc = NIL;
	int			x = -1;

	if (u->wholerow)
		return NIL;
	while ((x = bms_next_member(u->used, x)) >= 0)
	{
		AttrNumber	att = x + FirstLowInvalidHeapAttributeNumber;
		IaCandKey	k = {0};

		if (att <= 0 || bms_is_member(x, updated))
			continue;
		k.attnum = att;
		if (!ia_advise_has_column(keys, &k))
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
pred_key(List *preds)
{
	Bitmapset  *atts = NULL;
	IaCandKey  *k = palloc0(sizeof(IaCandKey));

	pull_varattnos((Node *) preds, 1, &atts);
	k->attnum = bms_next_member(atts, -1) + FirstLowInvalidHeapAttributeNumber;
	return k;
}

/*
 * The key of a partial index on "preds" whose query needs nothing ordered
 * or filtered beyond its predicate: the first other column the query reads
 * (an index-only scan can return it) that no given statement updates, else
 * the predicate's first column.
 */
static IaCandKey *
partial_key(IaRelUse *u, List *preds, Bitmapset *updated)
{
	Bitmapset  *atts = NULL;
	int			x = -1;

	pull_varattnos((Node *) preds, 1, &atts);
	while (!u->wholerow && (x = bms_next_member(u->used, x)) >= 0)
	{
		IaCandKey  *k;

		if (x + FirstLowInvalidHeapAttributeNumber <= 0 ||
			bms_is_member(x, atts) || bms_is_member(x, updated))
			continue;
		k = palloc0(sizeof(IaCandKey));
		k->attnum = x + FirstLowInvalidHeapAttributeNumber;
		return k;
	}
	return pred_key(preds);
}

/* the columns of a partial index's predicates, as keys (INCLUDE leaves
 * them out: the index's predicate decides them, and a clause it implies
 * needs no column of the index) */
static List *
pred_keys(List *preds)
{
	Bitmapset  *atts = NULL;
	List	   *keys = NIL;
	int			x = -1;

	pull_varattnos((Node *) preds, 1, &atts);
	while ((x = bms_next_member(atts, x)) >= 0)
	{
		IaCandKey  *k = palloc0(sizeof(IaCandKey));

		k->attnum = x + FirstLowInvalidHeapAttributeNumber;
		keys = lappend(keys, k);
	}
	return keys;
}

/*
 * The predicates u's partial candidates are drawn with: its constant ones
 * (status = 'pending'), and, when it compares two of its columns
 * (l_commitdate < l_receiptdate), those comparisons with the constant
 * ones: a List of Lists, NIL when neither.
 */
static List *
pred_variants(IaRelUse *u)
{
	List	   *out = NIL;

	if (u->preds)
		out = lappend(out, u->preds);
	if (u->cmp_preds)
		out = lappend(out, list_concat_copy(u->preds, u->cmp_preds));
	return out;
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
			shapes = lappend(shapes, ia_advise_add_key(list_copy(eq), lfirst(lc)));
	}
	if (u->sort)
	{
		List	   *k = list_copy(eq);

		foreach(lc, u->sort)
		{
			IaCandKey  *s = lfirst(lc);

			if (!ia_advise_has_column(eq, s))
				k = lappend(k, s);
		}
		shapes = lappend(shapes, k);
	}
	foreach(lc, u->join)
	{
		shapes = lappend(shapes, list_make1(lfirst(lc)));
		if (eq)
			shapes = lappend(shapes, ia_advise_add_key(list_copy(eq), lfirst(lc)));
	}
	/* all the join keys to one table, after the equality columns */
	foreach(lc, u->joinsets)
	{
		List	   *k = list_copy(eq);
		ListCell   *lk;

		if (list_length(lfirst(lc)) < 2)
			continue;
		foreach(lk, order_join_set(u, lfirst(lc)))
			k = ia_advise_add_key(k, lfirst(lk));
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

/*
 * The partial candidates of u on predicate list "preds" (one of
 * pred_variants()) keyed on "keys" (a key shape without the columns the
 * constant predicates fix, or partial_key's), plain and covering.
 */
static List *
add_partial(List *cands, IaRelUse *u, List *keys, List *preds,
			Bitmapset *updated, int *nextid)
{
	Node	   *pred = (Node *) make_ands_explicit(preds);

	cands = add_cand(cands, u, BTREE_AM_OID, keys, NIL, pred, nextid);
	if (!has_expression(keys))
		cands = add_cand(cands, u, BTREE_AM_OID, keys,
						 include_columns(u, list_concat_copy(keys, pred_keys(preds)),
										 updated),
						 pred, nextid);
	return cands;
}

/* Candidates of one table use: plain, covering, partial (both). */
static List *
generate_one(List *cands, IaRelUse *u, List *all, int *nextid)
{
	List	   *eq = order_equality(u, all);
	List	   *variants = pred_variants(u);
	Bitmapset  *updated = updated_columns(all, u->relid);
	bool		keyed = false;
	ListCell   *lc;
	ListCell   *lv;

	foreach(lc, key_shapes(u, eq))
	{
		List	   *keys = lfirst(lc);
		/* a key the constant predicates fix orders nothing: left out */
		List	   *pk = without_pred_columns(keys, u->preds);

		cands = add_cand(cands, u, BTREE_AM_OID, keys, NIL, NULL, nextid);
		if (!has_expression(keys))
			cands = add_cand(cands, u, BTREE_AM_OID, keys,
							 include_columns(u, keys, updated), NULL, nextid);
		if (pk == NIL)
			continue;
		keyed = true;
		foreach(lv, variants)
			cands = add_partial(cands, u, pk, lfirst(lv), updated, nextid);
	}
	/* a partial index with no key of the query's own (partial_key) */
	foreach(lv, keyed ? NIL : variants)
		cands = add_partial(cands, u,
							list_make1(partial_key(u, lfirst(lv), updated)),
							lfirst(lv), updated, nextid);
	foreach(lc, u->gin)
		cands = add_cand(cands, u, GIN_AM_OID, list_make1(lfirst(lc)), NIL,
						 NULL, nextid);
	return generate_or_arms(cands, u, eq, nextid);
}

/*
 * ia_advise_generate -- the candidates of every table use of every query;
 * ids from *nextid on.
 */
/*
 * c->hot_loss: the note of a candidate that indexes (as a key, in a key's
 * expression or in its predicate) a column the given statements update:
 * their updates of it can no longer be HOT once the index exists.
 */
static void
hot_loss(IaCand *c, List *all)
{
	Bitmapset  *updated = updated_columns(all, c->relid);
	Bitmapset  *indexed = NULL;
	StringInfoData s;
	ListCell   *lc;
	int			x = -1;

	if (bms_is_empty(updated))
		return;
	foreach(lc, c->keys)
	{
		IaCandKey  *k = lfirst(lc);

		if (k->attnum != 0)
			indexed = bms_add_member(indexed,
									 k->attnum - FirstLowInvalidHeapAttributeNumber);
		else
			pull_varattnos(k->expr, 1, &indexed);
	}
	pull_varattnos(c->pred, 1, &indexed);
	indexed = bms_int_members(indexed, updated);
	if (bms_is_empty(indexed))
		return;
	initStringInfo(&s);
	while ((x = bms_next_member(indexed, x)) >= 0)
		appendStringInfo(&s, "%s%s", s.len ? ", " : "",
						 quote_identifier(get_attname(c->relid,
													  x + FirstLowInvalidHeapAttributeNumber,
													  false)));
	c->hot_loss = psprintf("the given statements update %s: with this index those updates can no longer be HOT",
						   s.data);
}

List *
ia_advise_generate(List *uses, int *nextid)
{
	List	   *cands = NIL;
	ListCell   *lc;

	foreach(lc, uses)
		cands = generate_one(cands, lfirst(lc), uses, nextid);
	foreach(lc, cands)
		hot_loss(lfirst(lc), uses);
	return cands;
}
