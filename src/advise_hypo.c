/*-------------------------------------------------------------------------
 *
 * advise_hypo.c
 *		The advisor's hypothetical indexes: while advise.c plans, the
 *		candidates it has made visible (ia_advise_hypo_set) are added to
 *		their table's index list by a get_relation_info_hook, as complete
 *		IndexOptInfos (what get_relation_info fills for a real index).
 *
 * Design.  Nothing is ever created: the planner only sees an IndexOptInfo
 * with a fake OID (IA_HYPO_OID_BASE + candidate id, from the top of the OID
 * space) marked hypothetical, so the planner never opens it
 * (get_actual_variable_range, gincostestimate skip hypothetical indexes).
 * The set is file-static and only non-NIL for the duration of one of the
 * advisor's planner calls (advise.c resets it in PG_FINALLY), so no other
 * query of this session or another one ever sees a hypothetical index.
 * Size: a btree leaf tuple is MAXALIGN(8 + key widths) + a 4-byte line
 * pointer, leaves 90 % full; without INCLUDE, duplicates are deduplicated
 * (6 bytes per extra heap TID); internal levels from the fan-out.
 *
 * This is the advisor's own small engine; the fuller one of idx_whatif
 * (src/hypo.c) is a separate piece of work.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/amapi.h"
#include "access/table.h"
#include "access/nbtree.h"
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "commands/defrem.h"
#include "utils/selfuncs.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "ia_advise.h"

static List *visible = NIL;		/* IaCand: what the planner sees now */
static get_relation_info_hook_type prev_hook = NULL;

void
ia_advise_hypo_set(List *cands)
{
	visible = cands;
}

/* The operator class of key k of the candidate, for column type "type". */
static Oid
key_opclass(IaCand *c, IaCandKey *k, Oid type)
{
	if (k->opclass)
		return get_opclass_oid(c->amid, stringToQualifiedNameList(k->opclass),
							   true);
	return GetDefaultOpClass(type, c->amid);
}

/* bytes a value of the column or expression takes in an index tuple */
static int32
key_width(Oid relid, AttrNumber attnum, Node *expr)
{
	int32		w = 0;

	if (attnum > 0)
	{
		Oid			type;
		int32		typmod;
		Oid			coll;

		w = get_attavgwidth(relid, attnum);
		if (w > 0)
			return w;
		get_atttypetypmodcoll(relid, attnum, &type, &typmod, &coll);
		return get_typavgwidth(type, typmod);
	}
	return get_typavgwidth(exprType(expr), exprTypmod(expr));
}

/* distinct values of a column (pg_statistic), 0 if unknown */
static double
column_ndistinct(Oid relid, AttrNumber attnum, double reltuples)
{
	HeapTuple	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
									  Int16GetDatum(attnum), BoolGetDatum(false));
	double		nd = 0;

	if (HeapTupleIsValid(tup))
	{
		nd = ((Form_pg_statistic) GETSTRUCT(tup))->stadistinct;
		if (nd < 0)
			nd = -nd * reltuples;
		ReleaseSysCache(tup);
	}
	return nd;
}

/*
 * ia_advise_est_pages -- pages of candidate c on a table of reltuples rows
 * of which predsel match its predicate.
 */
double
ia_advise_est_pages(IaCand *c, double reltuples, double predsel)
{
	double		tuples = Max(reltuples * predsel, 1);
	double		width = 0;
	double		tuplen;
	double		perpage;
	double		leaves;
	double		pages;
	double		ndistinct = 1;
	ListCell   *lc;

	foreach(lc, c->keys)
	{
		IaCandKey  *k = lfirst(lc);
		double		nd = 0;

		width += MAXALIGN(key_width(c->relid, k->attnum, k->expr));
		if (k->attnum > 0)
			nd = column_ndistinct(c->relid, k->attnum, reltuples);
		ndistinct = (nd > 0) ? Min(ndistinct * nd, tuples) : tuples;
	}
	foreach(lc, c->include)
		width += MAXALIGN(key_width(c->relid, lfirst_int(lc), NULL));

	if (c->amid == GIN_AM_OID)
		return Max(2, ceil(tuples * (width / 4 + 8) / (BLCKSZ * 0.9))) + 1;

	tuplen = MAXALIGN(sizeof(IndexTupleData) + width) + sizeof(ItemIdData);
	perpage = (BLCKSZ - SizeOfPageHeaderData - sizeof(BTPageOpaqueData)) *
		BTREE_DEFAULT_FILLFACTOR / 100.0;
	if (c->include == NIL && ndistinct < tuples)
	{
		/* deduplication: one key per distinct value, 6 bytes per TID */
		double		dups = tuples / Max(ndistinct, 1);

		tuplen = tuplen / dups + sizeof(ItemPointerData);
	}
	leaves = Max(1, ceil(tuples * tuplen / perpage));
	pages = leaves + 1;			/* the metapage */
	while (leaves > 1)
	{
		leaves = ceil(leaves / Max(perpage / (tuplen + 8), 2));
		pages += leaves;
	}
	return pages;
}

/* tree height from the number of pages (btree fan-out ~ 300) */
static int
tree_height(double pages)
{
	int			h = 0;

	while (pages > 1)
	{
		pages /= 300;
		h++;
	}
	return h;
}

/* indextlist, as plancat.c's build_index_tlist does */
static List *
index_tlist(IndexOptInfo *info, Relation rel, Index varno)
{
	List	   *tlist = NIL;
	ListCell   *indexpr = list_head(info->indexprs);
	int			i;

	for (i = 0; i < info->ncolumns; i++)
	{
		int			attno = info->indexkeys[i];
		Expr	   *e;

		if (attno != 0)
		{
			Form_pg_attribute att = TupleDescAttr(rel->rd_att, attno - 1);

			e = (Expr *) makeVar(varno, attno, att->atttypid, att->atttypmod,
								 att->attcollation, 0);
		}
		else
		{
			e = (Expr *) lfirst(indexpr);
			indexpr = lnext(info->indexprs, indexpr);
		}
		tlist = lappend(tlist, makeTargetEntry(e, i + 1, NULL, false));
	}
	return tlist;
}

/* The key columns' access-method fields of info. */
static void
fill_keys(IndexOptInfo *info, IaCand *c, Relation rel, bool amcanorder)
{
	ListCell   *lc;
	int			i = 0;

	foreach(lc, c->keys)
	{
		IaCandKey  *k = lfirst(lc);
		Oid			type;
		Oid			coll;
		Oid			opclass;

		if (k->attnum > 0)
		{
			Form_pg_attribute att = TupleDescAttr(rel->rd_att, k->attnum - 1);

			type = att->atttypid;
			coll = att->attcollation;
		}
		else
		{
			type = exprType(k->expr);
			coll = exprCollation(k->expr);
		}
		opclass = key_opclass(c, k, type);
		info->indexkeys[i] = k->attnum;
		info->indexcollations[i] = coll;
		info->opfamily[i] = get_opclass_family(opclass);
		info->opcintype[i] = get_opclass_input_type(opclass);
		info->canreturn[i] = amcanorder;
		if (amcanorder)
		{
			info->reverse_sort[i] = k->desc;
			info->nulls_first[i] = k->nulls_first;
		}
		i++;
	}
	foreach(lc, c->include)
	{
		info->indexkeys[i] = lfirst_int(lc);
		info->canreturn[i] = amcanorder;
		i++;
	}
}

/* expressions and predicate of c, numbered for range table index varno */
static List *
for_varno(Node *node, Index varno)
{
	Node	   *n;

	if (node == NULL)
		return NIL;
	n = eval_const_expressions(NULL, copyObject(node));
	if (varno != 1)
		ChangeVarNodes(n, 1, varno, 0);
	return IsA(n, List) ? (List *) n : make_ands_implicit((Expr *) n);
}

/* A complete IndexOptInfo for candidate c on rel. */
static IndexOptInfo *
make_info(PlannerInfo *root, RelOptInfo *rel, Relation relation, IaCand *c)
{
	IndexOptInfo *info = makeNode(IndexOptInfo);
	IndexAmRoutine *am = GetIndexAmRoutineByAmId(c->amid, false);
	int			ncol = list_length(c->keys) + list_length(c->include);
	int			nkey = list_length(c->keys);
	List	   *exprs = NIL;
	ListCell   *lc;

	info->indexoid = c->fakeoid;
	info->rel = rel;
	info->ncolumns = ncol;
	info->nkeycolumns = nkey;
	info->indexkeys = palloc0(sizeof(int) * ncol);
	info->indexcollations = palloc0(sizeof(Oid) * nkey);
	info->opfamily = palloc0(sizeof(Oid) * nkey);
	info->opcintype = palloc0(sizeof(Oid) * nkey);
	info->canreturn = palloc0(sizeof(bool) * ncol);
	/* no opclass options; gincostestimate passes them to extractQuery */
	info->opclassoptions = palloc0(sizeof(bytea *) * nkey);
	info->relam = c->amid;
	if (am->amcanorder)
	{
		info->sortopfamily = info->opfamily;
		info->reverse_sort = palloc0(sizeof(bool) * nkey);
		info->nulls_first = palloc0(sizeof(bool) * nkey);
	}
	fill_keys(info, c, relation, am->amcanorder);
	foreach(lc, c->keys)
	{
		IaCandKey  *k = lfirst(lc);

		if (k->attnum == 0)
			exprs = lappend(exprs, linitial(for_varno((Node *) list_make1(k->expr),
													  rel->relid)));
	}
	info->indexprs = exprs;
	info->indpred = for_varno(c->pred, rel->relid);
	info->indextlist = index_tlist(info, relation, rel->relid);
	info->hypothetical = true;
	info->immediate = true;
	info->amcanorderbyop = am->amcanorderbyop;
	info->amoptionalkey = am->amoptionalkey;
	info->amsearcharray = am->amsearcharray;
	info->amsearchnulls = am->amsearchnulls;
	info->amcanparallel = am->amcanparallel;
	info->amhasgettuple = (am->amgettuple != NULL);
	info->amhasgetbitmap = (am->amgetbitmap != NULL);
	info->amcanmarkpos = (am->ammarkpos != NULL && am->amrestrpos != NULL);
	info->amcostestimate = am->amcostestimate;

	if (c->est_pages < 0)
	{
		double		sel = 1.0;

		/*
		 * build_simple_rel files rel only after this hook: file it for the
		 * time of the estimate, as selectivity functions look it up.
		 */
		if (info->indpred && root->simple_rel_array[rel->relid] == NULL)
		{
			root->simple_rel_array[rel->relid] = rel;
			PG_TRY();
			{
				sel = clauselist_selectivity(root, info->indpred, rel->relid,
											 JOIN_INNER, NULL);
			}
			PG_FINALLY();
			{
				root->simple_rel_array[rel->relid] = NULL;
			}
			PG_END_TRY();
		}

		c->est_pages = ia_advise_est_pages(c, Max(rel->tuples, 1), sel);
		c->est_tuples = Max(rel->tuples * sel, 1);
	}
	info->pages = (BlockNumber) c->est_pages;
	info->tuples = c->est_tuples;
	info->tree_height = c->amid == BTREE_AM_OID ? tree_height(c->est_pages) : -1;
	return info;
}

static void
advise_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent,
						 RelOptInfo *rel)
{
	ListCell   *lc;
	Relation	relation = NULL;

	if (prev_hook)
		prev_hook(root, relid, inhparent, rel);
	if (visible == NIL || inhparent)
		return;
	foreach(lc, visible)
	{
		IaCand	   *c = lfirst(lc);

		if (c->relid != relid)
			continue;
		if (relation == NULL)
			relation = table_open(relid, NoLock);
		rel->indexlist = lappend(rel->indexlist,
								 make_info(root, rel, relation, c));
	}
	if (relation)
		table_close(relation, NoLock);
}

/* Called once from _PG_init. */
void
ia_advise_hypo_init(void)
{
	prev_hook = get_relation_info_hook;
	get_relation_info_hook = advise_get_relation_info;
}
