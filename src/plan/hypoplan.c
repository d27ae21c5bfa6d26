/*-------------------------------------------------------------------------
 *
 * hypoplan.c
 *		The planner's view of a hypothetical index: the IndexOptInfo that
 *		get_relation_info() would have built for it had it existed, and the
 *		size model that gives it pages, tuples and a tree height.
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
 * Size model (doc/whatif.md).  tuples = the planner's estimate of the
 * table's rows (rel->tuples, as for a real index), times the predicate's
 * selectivity for a partial index (without its comparisons of two columns,
 * which no statistic estimates: sizing_clauses).  A btree leaf tuple is
 * MAXALIGN(IndexTupleData + null bitmap when a column has NULLs + the
 * columns' average stored widths from pg_statistic, when the role may read
 * them (below), aligned as index_form_tuple aligns them) plus a line
 * pointer; leaf pages are filled to the fillfactor (default 90) as the
 * sorted build fills them; in a
 * deduplicating index (PG13+: no INCLUDE, not unique, every opclass
 * "equalimage") the rows of each distinct key value, by n_distinct, become
 * posting-list tuples of at most ~10% of a page (the key columns that make
 * up a foreign key of the table take at most as many distinct combinations
 * as the referenced table has rows: without it, a composite foreign key's
 * columns multiply their n_distinct, and a deduplicated (product_id,
 * supplier_id) of 4.9 MB was estimated at 13 MB); inner levels hold one pivot
 * per child at 70% fill, up to a single root; plus the metapage.  hash,
 * gist, gin and brin get simpler models (see estimate_other).
 *
 * Whose statistics (doc/safety.md).  A column's width, NULL fraction and
 * n_distinct are read from pg_statistic only when pg_stats shows that
 * column to the role that sizes: values.c's one rule, ia_stats_visible,
 * asked for the current user, which is the planning role of the planner
 * call the model runs in (plan_prepared.c plans as it).  That is, for
 * idx_whatif, the planning role of the caller's query; for idx_hypo_size,
 * that of "SELECT FROM <table>" (the caller, or the table's owner when the
 * caller has the owner's privileges); for the advisor, the planning role
 * of the statement a candidate is costed with, or was drawn from when it
 * is sized alone (ia_prepare_for).  A leaf partition's column is judged as
 * the column of the partitioned table it is (stats_readable).  Otherwise
 * the column is what its type says: the type's average width
 * (get_typavgwidth), no NULLs, n_distinct unknown (no deduplication
 * modelled; gin: half the values distinct).  Before, a role learnt from
 * the size a column's width, NULL fraction and number of distinct values
 * that pg_stats hid from it (column privileges, row-level security).
 *
 * Caller's rules: called from inside the planner only, as the planning
 * role, with the hypothetical indexes built by hypo.c.  Reads catalogs
 * through the syscache only, and the relcache's list of the table's
 * foreign keys (the planner has the table locked).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/amapi.h"
#include "access/gist.h"
#include "access/htup_details.h"
#include "access/itup.h"
#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteManip.h"
#include "storage/bufpage.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_plan.h"

/* What the size model knows of one index column. */
typedef struct ColStats
{
	double		width;			/* average stored width of non-null values */
	double		nullfrac;
	double		ndistinct;		/* > 0 rows, < 0 fraction of rows, 0 unknown */
	char		align;
	int16		typlen;
} ColStats;

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

/* ---------------------------------------------------------------------
 * The size model
 * ---------------------------------------------------------------------
 */

/*
 * May the model read the statistics of column attnum of target t?  Only
 * when pg_stats shows them to the role that sizes (values.c's one rule,
 * ia_stats_visible; see the file header): the current user, which is the
 * planning role, since the model runs only inside the planner call that
 * plan_prepared.c makes as that role.  A leaf partition's column is judged
 * as the column of the index's own table that it is (by name, as hypo.c
 * maps them): the role reads the leaf's rows through that table, and its
 * privileges and row security are that table's (the planner's own
 * examine_variable judges a child's statistics by its parent too).
 */
static bool
stats_readable(IaHypoIndex *h, IaHypoTarget *t, AttrNumber attnum)
{
	if (t->relid != h->relid)
	{
		char	   *name = get_attname(t->relid, attnum, true);

		if (name == NULL)
			return false;
		attnum = get_attnum(h->relid, name);
		if (attnum == InvalidAttrNumber)
			return false;
	}
	return ia_stats_visible(h->relid, attnum, GetUserId());
}

/*
 * pg_statistic's width and NULL fraction (and n_distinct) of column attnum
 * of target t, into cs; cs is left as it is (what the type says) when the
 * role may not read them (stats_readable) or there are none.
 */
static void
attribute_stats(IaHypoIndex *h, IaHypoTarget *t, AttrNumber attnum,
				ColStats *cs, bool distinct)
{
	HeapTuple	tup;
	Form_pg_statistic s;

	if (!stats_readable(h, t, attnum))
		return;
	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(t->relid),
						  Int16GetDatum(attnum), BoolGetDatum(false));
	if (!HeapTupleIsValid(tup))
		return;
	s = (Form_pg_statistic) GETSTRUCT(tup);
	if (s->stawidth > 0)
		cs->width = s->stawidth;
	cs->nullfrac = s->stanullfrac;
	if (distinct)
		cs->ndistinct = s->stadistinct;
	ReleaseSysCache(tup);
}

/* Width, NULL fraction and n_distinct of index column i of target t. */
static void
column_stats(IaHypoIndex *h, IaHypoTarget *t, int i, ListCell **expr,
			 List *exprs, ColStats *cs)
{
	Oid			type;
	int32		typmod;
	bool		byval;

	cs->nullfrac = 0;
	cs->ndistinct = 0;
	if (t->attnums[i] != 0)
	{
		Oid			coll;

		get_atttypetypmodcoll(t->relid, t->attnums[i], &type, &typmod, &coll);
		cs->width = get_typavgwidth(type, typmod);
		attribute_stats(h, t, t->attnums[i], cs, true);
	}
	else
	{
		Node	   *e = (Node *) lfirst(*expr);
		List	   *vars = pull_var_clause(e, 0);

		*expr = lnext(exprs, *expr);
		type = exprType(e);
		typmod = exprTypmod(e);
		cs->width = get_typavgwidth(type, typmod);
		/* lower(col) and the like: about as wide as the column */
		if (list_length(vars) == 1 &&
			linitial_node(Var, vars)->vartype == type)
			attribute_stats(h, t, linitial_node(Var, vars)->varattno,
							cs, false);
	}
	/* an operator class may store another type (gist point_ops: box) */
	if (i < h->nkeys)
	{
		HeapTuple	tup = SearchSysCache1(CLAOID,
										  ObjectIdGetDatum(h->opclasses[i]));

		if (HeapTupleIsValid(tup))
		{
			Oid			keytype = ((Form_pg_opclass) GETSTRUCT(tup))->opckeytype;

			ReleaseSysCache(tup);
			if (OidIsValid(keytype) && keytype != type)
			{
				type = keytype;
				cs->width = get_typavgwidth(keytype, -1);
			}
		}
	}
	get_typlenbyvalalign(type, &cs->typlen, &byval, &cs->align);
}

/* Bytes a value of this width takes at offset "off", as heap_fill_tuple. */
static double
place_column(double off, ColStats *cs)
{
	if (cs->typlen == -1 && cs->width < 127)
		return off + cs->width; /* short varlena: 1-byte header, unaligned */
	return att_align_nominal((Size) ceil(off), cs->align) + cs->width;
}

typedef struct TupleShape
{
	double		leaf;			/* average leaf tuple, MAXALIGNed, no line
								 * pointer */
	double		pivot;			/* an inner tuple: key columns only */
	double		groups;			/* distinct key values (0 = unknown) */
} TupleShape;

/*
 * The factor by which a foreign key of t's table bounds the distinct key
 * values of h's first nkeys columns, whose n_distinct are nd[]: a composite
 * foreign key all of whose columns are plain key columns of h takes at
 * most as many distinct combinations as the referenced table has rows (its
 * referenced columns are unique there).  1 when none does.
 */
static double
fk_groups_factor(IaHypoIndex *h, IaHypoTarget *t, const double *nd)
{
	Relation	rel = RelationIdGetRelation(t->relid);
	double		factor = 1;
	ListCell   *lc;

	if (!RelationIsValid(rel))
		return 1;
	foreach(lc, RelationGetFKeyList(rel))
	{
		ForeignKeyCacheInfo *fk = lfirst(lc);
		double		product = 1;
		double		refrows;
		HeapTuple	tup;
		int			k;

		if (fk->nkeys < 2)
			continue;			/* one column's n_distinct already knows */
		for (k = 0; k < fk->nkeys; k++)
		{
			int			i;

			for (i = 0; i < h->nkeys; i++)
				if (t->attnums[i] == fk->conkey[k])
					break;
			if (i == h->nkeys || nd[i] <= 0)
				break;
			product *= nd[i];
		}
		if (k < fk->nkeys)
			continue;
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(fk->confrelid));
		if (!HeapTupleIsValid(tup))
			continue;
		refrows = ((Form_pg_class) GETSTRUCT(tup))->reltuples;
		ReleaseSysCache(tup);
		if (refrows >= 1 && product > refrows)
			factor = Min(factor, refrows / product);
	}
	RelationClose(rel);
	return factor;
}

/*
 * tuple_shape -- the average leaf and pivot tuple of h on target t, and
 * the distinct key values among the "rows" rows it holds out of the
 * table's "tablerows" (as estimate_num_groups scales n_distinct down to a
 * restricted row count).
 */
static void
tuple_shape(IaHypoIndex *h, IaHypoTarget *t, double rows, double tablerows,
			TupleShape *ts)
{
	ListCell   *expr = list_head(t->exprs);
	double		off = 0;
	double		keyoff = 0;
	double		nonnull = 1;
	double		groups = 1;
	double		nds[INDEX_MAX_KEYS];

	for (int i = 0; i < h->natts; i++)
	{
		ColStats	cs;
		double		nd;

		column_stats(h, t, i, &expr, t->exprs, &cs);
		off = place_column(off, &cs) - cs.width * cs.nullfrac;
		nonnull *= 1 - cs.nullfrac;
		if (i < h->nkeys)
			keyoff = off;
		nd = cs.ndistinct < 0 ? -cs.ndistinct * tablerows : cs.ndistinct;
		nds[i] = nd;
		/* an expression or a column never analysed: assume distinct */
		groups = (nd > 0 && groups > 0) ? groups * nd : 0;
	}
	if (groups > 0 && h->dedup)
		groups *= fk_groups_factor(h, t, nds);
	/* IndexTupleData, plus the null bitmap when a NULL is present */
	ts->leaf = nonnull * MAXALIGN(sizeof(IndexTupleData) + (Size) ceil(off)) +
		(1 - nonnull) * MAXALIGN(sizeof(IndexTupleData) +
								 sizeof(IndexAttributeBitMapData) +
								 (Size) ceil(off));
	ts->pivot = MAXALIGN(sizeof(IndexTupleData) + (Size) ceil(keyoff));
	groups = Min(groups, tablerows);
	if (groups > 0 && rows < tablerows)
		groups *= 1 - pow(1 - rows / tablerows, tablerows / groups);
	ts->groups = (groups > 0) ? Min(groups, rows) : 0;
}

/* Leaf bytes (tuples and line pointers) of one key value held by k rows. */
static double
group_bytes(double leaf, double k, double tids_per_post)
{
	double		full;
	double		rest;
	double		bytes;

	if (k <= 1)
		return leaf + sizeof(ItemIdData);
	full = floor(k / tids_per_post);
	rest = k - full * tids_per_post;
	bytes = full * (MAXALIGN((Size) leaf + (Size) tids_per_post * sizeof(ItemPointerData)) +
					sizeof(ItemIdData));
	if (rest >= 2)
		bytes += MAXALIGN((Size) leaf + (Size) rest * sizeof(ItemPointerData)) +
			sizeof(ItemIdData);
	else if (rest > 0)
		bytes += leaf + sizeof(ItemIdData);
	return bytes;
}

/*
 * Bytes of leaf items of a btree of "rows" rows: in a deduplicating index,
 * the rows of each key value become posting-list tuples as nbtsort.c forms
 * them (at most MAXALIGN_DOWN(BLCKSZ / 10) - sizeof(ItemIdData) bytes each;
 * a value held by one row stays a plain tuple).  Rows per value: 1 plus a
 * Poisson variable, of mean rows / distinct values.
 */
static double
btree_leaf_bytes(IaHypoIndex *h, TupleShape *ts, double rows)
{
	double		plain = rows * (ts->leaf + sizeof(ItemIdData));
	double		maxpost = MAXALIGN_DOWN(BLCKSZ * 10 / 100) - sizeof(ItemIdData);
	double		tids_per_post;
	double		lambda;
	double		p;
	double		bytes = 0;

	if (!h->dedup || ts->groups <= 0 || rows / ts->groups <= 1.0)
		return plain;
	tids_per_post = floor((maxpost - ts->leaf) / sizeof(ItemPointerData));
	if (tids_per_post < 2)
		return plain;
	lambda = rows / ts->groups - 1;
	if (lambda > 200)			/* spread no longer matters */
		return ts->groups * group_bytes(ts->leaf, lambda + 1, tids_per_post);
	p = exp(-lambda);
	for (int j = 0; j <= (int) ceil(lambda + 10 * sqrt(lambda) + 10); j++)
	{
		bytes += p * group_bytes(ts->leaf, j + 1, tids_per_post);
		p *= lambda / (j + 1);
	}
	return Min(plain, ts->groups * bytes);
}

static void
estimate_btree(IaHypoIndex *h, IaHypoTarget *t, double rows, double tablerows)
{
	TupleShape	ts;
	double		usable = BLCKSZ - SizeOfPageHeaderData -
		MAXALIGN(sizeof(BTPageOpaqueData));
	double		leafcap = usable - BLCKSZ * (100 - h->fillfactor) / 100.0;
	double		innercap = usable - BLCKSZ * (100 - BTREE_NONLEAF_FILLFACTOR) / 100.0;
	double		level;
	double		pages;
	int			height = 0;

	t->est_tuples = rows;
	if (rows < 1)
	{
		t->est_pages = 1;		/* the metapage */
		t->est_height = 0;
		return;
	}
	tuple_shape(h, t, rows, tablerows, &ts);
	level = Max(1, ceil(btree_leaf_bytes(h, &ts, rows) / leafcap));
	pages = level;
	while (level > 1)
	{
		level = ceil(level * (ts.pivot + sizeof(ItemIdData)) / innercap);
		pages += level;
		height++;
	}
	t->est_pages = (BlockNumber) Min(pages + 1, (double) MaxBlockNumber);
	t->est_height = height;
}

/*
 * The distinct fraction of column attnum (pg_statistic), 0.5 if unknown;
 * the caller has checked that the role may read it (stats_readable).
 */
static double
distinct_fraction(Oid relid, AttrNumber attnum, double reltuples)
{
	HeapTuple	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
									  Int16GetDatum(attnum), BoolGetDatum(false));
	double		nd = 0;

	if (!HeapTupleIsValid(tup))
		return 0.5;
	nd = ((Form_pg_statistic) GETSTRUCT(tup))->stadistinct;
	ReleaseSysCache(tup);
	if (nd < 0)
		return Min(-nd, 1.0);
	return nd > 0 ? Min(nd / Max(reltuples, 1), 1.0) : 0.5;
}

/*
 * Bytes a gin index holds per row, at the fill of a built index (rough):
 *  - an array: its elements (average stored width less its ~20-byte header,
 *    over the element length), ~1.5 bytes of compressed posting list each;
 *  - jsonb: a key per ~16 bytes of the stored value; a value unique to its
 *    row (the column's distinct fraction) makes a key of its own: an entry
 *    tuple (~28 bytes, entry pages ~55 % full when built: ~46 bytes at the
 *    90 % the caller divides by), the others ~1.5 bytes of posting list;
 *  - anything else (text with pg_trgm): a key per byte (a trigram per
 *    character), 1.5 bytes each.
 */
static double
gin_row_bytes(IaHypoIndex *h, IaHypoTarget *t, double reltuples)
{
	Oid			type = t->attnums[0] != 0 ? get_atttype(t->relid, t->attnums[0]) :
		exprType((Node *) linitial(t->exprs));
	Oid			elem = get_element_type(type);
	bool		readable = t->attnums[0] != 0 &&
		stats_readable(h, t, t->attnums[0]);
	double		width = 0;
	double		keys;

	if (readable)
		width = get_attavgwidth(t->relid, t->attnums[0]);
	if (width <= 0)
		width = get_typavgwidth(type, -1);
	if (OidIsValid(elem))
	{
		int16		elemlen = get_typlen(elem);

		return 1.5 * Max(1, (width - 20) / (elemlen > 0 ? elemlen : 8));
	}
	if (type == JSONBOID)
	{
		double		unique = readable ?
			distinct_fraction(t->relid, t->attnums[0], reltuples) : 0.5;

		keys = Max(1, (width - 4) / 16);
		return unique * 46 + Max(keys - unique, 0) * 1.5;
	}
	return 1.5 * Max(2, width);
}

/*
 * hash: 4-byte hash codes, buckets a power of two at fillfactor 75; gist:
 * a btree without deduplication or order, its pages ~65% full when built
 * sorted, ~50% when built by page splits (measured); gin: gin_row_bytes
 * (rough); brin: one summary tuple per
 * 128 heap pages.  The planner does not use tree_height for these (-1).
 */
static void
estimate_other(IaHypoIndex *h, IaHypoTarget *t, RelOptInfo *rel, double rows)
{
	double		usable = BLCKSZ - SizeOfPageHeaderData - MAXALIGN(16);
	double		pages;
	TupleShape	ts;

	t->est_tuples = rows;
	t->est_height = -1;
	tuple_shape(h, t, Max(rows, 1), Max(rel->tuples, 1), &ts);
	switch (h->amid)
	{
		case HASH_AM_OID:
			{
				double		per_bucket = floor(usable * h->fillfactor / 100.0 /
											   (MAXALIGN(sizeof(IndexTupleData) + 4) +
												sizeof(ItemIdData)));

				pages = pow(2, ceil(log2(Max(2, ceil(rows / per_bucket))))) + 2;
				break;
			}
		case GIST_AM_OID:
			{
				/*
				 * Measured on PG15: the sorted build (an opclass with
				 * sortsupport, e.g. point_ops) leaves pages ~65% full, the
				 * build by insertion and page splits ~50%.
				 */
				bool		sorted = OidIsValid(get_opfamily_proc(h->opfamilies[0],
																  h->opcintypes[0],
																  h->opcintypes[0],
																  GIST_SORTSUPPORT_PROC));

				pages = ceil(rows * (ts.leaf + sizeof(ItemIdData)) /
							 (usable * h->fillfactor / 100.0 * (sorted ? 0.72 : 0.55)));
				pages = pages * 1.02 + 1;	/* inner pages */
				break;
			}
		case GIN_AM_OID:
			pages = ceil(rows * gin_row_bytes(h, t, Max(rel->tuples, 1)) /
						 (usable * 0.9)) + 2;
			break;
		default:				/* BRIN */
			pages = ceil(Max(rel->pages, 1) / 128.0) * (ts.leaf + 8) / usable;
			pages = ceil(pages) + 2;	/* revmap, metapage */
			break;
	}
	t->est_pages = (BlockNumber) Max(1, Min(pages, (double) MaxBlockNumber));
}

/*
 * The predicate's clauses that can narrow the size estimate: all but the
 * comparisons of two columns (l_commitdate < l_receiptdate), of which no
 * statistic tells the share (the planner guesses a third, by default; on
 * TPC-H's lineitem that one holds for 63 % of the rows): they count as
 * keeping every row, so that an index sized under a budget is never
 * bigger once built than its estimate says on their account.
 */
static List *
sizing_clauses(List *pred)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, pred)
	{
		Node	   *c = lfirst(lc);

		if (IsA(c, OpExpr) && list_length(((OpExpr *) c)->args) == 2 &&
			contain_var_clause(linitial(((OpExpr *) c)->args)) &&
			contain_var_clause(lsecond(((OpExpr *) c)->args)))
			continue;
		out = lappend(out, c);
	}
	return out;
}

/*
 * ia_hypo_estimate -- pages, tuples and tree height of hypothetical index h
 * on the rel being planned (target t), stored in t.  "pred" is the
 * predicate with Vars renumbered to the rel.
 */
void
ia_hypo_estimate(PlannerInfo *root, RelOptInfo *rel, IaHypoIndex *h,
				 IaHypoTarget *t, List *pred)
{
	double		rows = rel->tuples;

	pred = sizing_clauses(pred);
	if (pred != NIL)
	{
		/*
		 * build_simple_rel() files the rel in simple_rel_array only after
		 * get_relation_info(); selectivity functions look it up there.
		 */
		RelOptInfo *saved = root->simple_rel_array[rel->relid];

		root->simple_rel_array[rel->relid] = rel;
		rows = clamp_row_est(rows * clauselist_selectivity(root, pred, rel->relid,
														   JOIN_INNER, NULL));
		/* not restored on error: the planning (and root) is abandoned */
		root->simple_rel_array[rel->relid] = saved;
	}
	rows = Max(rows, 0);
	if (h->amid == BTREE_AM_OID)
		estimate_btree(h, t, rows, Max(rel->tuples, rows));
	else
		estimate_other(h, t, rel, rows);
	t->estimated = true;
}
