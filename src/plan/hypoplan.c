/*-------------------------------------------------------------------------
 *
 * hypoplan.c
 *		The planner's view of a hypothetical index: the IndexOptInfo that
 *		get_relation_info() would have built for it had it existed.
 *
 * Design.  plan_hooks.c's get_relation_info hook calls ia_hypo_add_indexes()
 * while (and only while) one of our own planner calls runs with a list of
 * hypothetical indexes.  Every field plancat.c fills is filled here the way
 * plancat.c fills it for a real index of that access method: keys,
 * collations, operator families and input types, the btree sort order
 * (reverse_sort, nulls_first), canreturn per column (INCLUDE columns are
 * returnable), expressions and predicate (Vars renumbered to the rel), the
 * AM's flags and cost estimator, unique/immediate, and hypothetical = true
 * (which core's selfuncs.c, gincostestimate and brincostestimate honour: they
 * never open a hypothetical index).
 *
 * The size model that gives it pages, tuples and a tree height is
 * hyposize.c's (ia_hypo_estimate).
 *
 * Caller's rules: called from inside the planner only, as the planning
 * role, with the hypothetical indexes built by hypo.c.  Reads catalogs
 * through the syscache only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/gist.h"
#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "index_advisor.h"
#include "ia_plan.h"

/* ---------------------------------------------------------------------
 * The IndexOptInfo
 * ---------------------------------------------------------------------
 */

/* amcanreturn for a hypothetical index (the AM's function needs a Relation) */
static bool
hypo_can_return(IaHypoIndex *h, IndexAmRoutine *am, int col)
{
	if (am->amcanreturn == NULL)
		return false;
	if (col >= h->nkeys)
		return true;			/* INCLUDE columns are stored as they are */
	if (h->amid == GIST_AM_OID)
		return OidIsValid(get_opfamily_proc(h->opfamilies[col], h->opcintypes[col],
											h->opcintypes[col], GIST_FETCH_PROC)) ||
			!OidIsValid(get_opfamily_proc(h->opfamilies[col], h->opcintypes[col],
										  h->opcintypes[col], GIST_COMPRESS_PROC));
	return true;				/* btree */
}

/* plancat.c's build_index_tlist */
static List *
hypo_index_tlist(IndexOptInfo *info, Oid relid, Index varno)
{
	List	   *tlist = NIL;
	ListCell   *expr = list_head(info->indexprs);

	for (int i = 0; i < info->ncolumns; i++)
	{
		Expr	   *e;

		if (info->indexkeys[i] != 0)
		{
			Oid			type;
			int32		typmod;
			Oid			coll;

			get_atttypetypmodcoll(relid, info->indexkeys[i], &type, &typmod, &coll);
			e = (Expr *) makeVar(varno, info->indexkeys[i], type, typmod, coll, 0);
		}
		else
		{
			if (expr == NULL)
				elog(ERROR, "too few entries in indexprs list");
			e = (Expr *) lfirst(expr);
			expr = lnext(info->indexprs, expr);
		}
		tlist = lappend(tlist, makeTargetEntry(e, i + 1, NULL, false));
	}
	return tlist;
}

static void
hypo_fill_columns(IndexOptInfo *info, IaHypoIndex *h, IaHypoTarget *t,
				  IndexAmRoutine *am)
{
	int			ncol = h->natts;
	int			nkey = h->nkeys;

	info->ncolumns = ncol;
	info->nkeycolumns = nkey;
	info->indexkeys = palloc(sizeof(int) * ncol);
	info->canreturn = palloc(sizeof(bool) * ncol);
	info->opclassoptions = palloc0(sizeof(bytea *) * ncol);
	info->indexcollations = palloc(sizeof(Oid) * nkey);
	info->opfamily = palloc(sizeof(Oid) * nkey);
	info->opcintype = palloc(sizeof(Oid) * nkey);
	for (int i = 0; i < ncol; i++)
	{
		info->indexkeys[i] = t->attnums[i];
		info->canreturn[i] = hypo_can_return(h, am, i);
	}
	for (int i = 0; i < nkey; i++)
	{
		info->indexcollations[i] = h->collations[i];
		info->opfamily[i] = h->opfamilies[i];
		info->opcintype[i] = h->opcintypes[i];
	}
	if (h->amid == BTREE_AM_OID)
	{
		/* a btree's opfamilies are its sort opfamilies */
		info->sortopfamily = info->opfamily;
		info->reverse_sort = palloc(sizeof(bool) * nkey);
		info->nulls_first = palloc(sizeof(bool) * nkey);
		for (int i = 0; i < nkey; i++)
		{
			info->reverse_sort[i] = (h->options[i] & INDOPTION_DESC) != 0;
			info->nulls_first[i] = (h->options[i] & INDOPTION_NULLS_FIRST) != 0;
		}
	}
}

static IndexOptInfo *
hypo_index_info(PlannerInfo *root, RelOptInfo *rel, IaHypoIndex *h,
				IaHypoTarget *t)
{
	IndexOptInfo *info = makeNode(IndexOptInfo);
	IndexAmRoutine *am = GetIndexAmRoutineByAmId(h->amid, false);

	info->indexoid = h->oid;
	info->reltablespace = h->tablespace;
	info->rel = rel;
	hypo_fill_columns(info, h, t, am);
	info->relam = h->amid;
	info->amcostestimate = am->amcostestimate;
	info->amcanorderbyop = am->amcanorderbyop;
	info->amoptionalkey = am->amoptionalkey;
	info->amsearcharray = am->amsearcharray;
	info->amsearchnulls = am->amsearchnulls;
	info->amcanparallel = am->amcanparallel;
	info->amhasgettuple = (am->amgettuple != NULL);
	info->amhasgetbitmap = (am->amgetbitmap != NULL);
	info->amcanmarkpos = (am->ammarkpos != NULL && am->amrestrpos != NULL);

	info->indexprs = copyObject(t->exprs);
	info->indpred = copyObject(t->pred);
	if (rel->relid != 1)
	{
		ChangeVarNodes((Node *) info->indexprs, 1, rel->relid, 0);
		ChangeVarNodes((Node *) info->indpred, 1, rel->relid, 0);
	}
	info->indextlist = hypo_index_tlist(info, t->relid, rel->relid);
	info->indrestrictinfo = NIL;	/* set later, in indxpath.c */
	info->predOK = false;		/* set later, in indxpath.c */
	info->unique = h->unique;
	info->immediate = true;
	info->hypothetical = true;

	ia_hypo_estimate(root, rel, h, t, info->indpred);
	info->pages = t->est_pages;
	info->tuples = t->est_tuples;
	info->tree_height = t->est_height;
	return info;
}

/*
 * ia_hypo_add_indexes -- from plan_hooks.c's get_relation_info hook: add the
 * hypothetical indexes that apply to relation "relid" to rel->indexlist.
 */
void
ia_hypo_add_indexes(PlannerInfo *root, Oid relid, RelOptInfo *rel,
					List *hypos)
{
	ListCell   *lc;

	foreach(lc, hypos)
	{
		IaHypoIndex *h = (IaHypoIndex *) lfirst(lc);
		ListCell   *lt;

		foreach(lt, h->targets)
		{
			IaHypoTarget *t = (IaHypoTarget *) lfirst(lt);

			if (t->relid != relid)
				continue;
			rel->indexlist = lcons(hypo_index_info(root, rel, h, t),
								   rel->indexlist);
			break;
		}
	}
}

/* The name EXPLAIN shows for a hypothetical index; NULL if not one. */
const char *
ia_hypo_name(List *hypos, Oid indexoid)
{
	ListCell   *lc;

	foreach(lc, hypos)
	{
		IaHypoIndex *h = (IaHypoIndex *) lfirst(lc);

		if (h->oid == indexoid)
			return h->name;
	}
	return NULL;
}
