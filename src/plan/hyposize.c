/*-------------------------------------------------------------------------
 *
 * hyposize.c
 *		The size model of a hypothetical index: the pages, tuples and tree
 *		height the planner is told (hypoplan.c's IndexOptInfo), and so the
 *		size idx_hypo_size and the advisor's budget read (hypo.c).
 *
 * Design (doc/whatif.md, "The size model").  tuples = the planner's estimate
 * of the table's rows (rel->tuples, as for a real index), times the
 * predicate's selectivity for a partial index (without its comparisons of
 * two columns, which no statistic estimates: sizing_clauses).  A btree
 * leaf tuple is
 * MAXALIGN(IndexTupleData + null bitmap when a column has NULLs + the
 * columns' average stored widths from pg_statistic, when the role may read
 * them (below), aligned as index_form_tuple aligns them) plus a line pointer;
 * leaf pages are filled to the fillfactor (default 90) as the sorted build
 * fills them; in a deduplicating index (PG13+: no INCLUDE, not unique, every
 * opclass "equalimage") the rows of each distinct key value, by n_distinct,
 * become posting-list tuples of at most ~10% of a page (the key columns that
 * make up a foreign key of the table take at most as many distinct
 * combinations as the referenced table has rows: without it, a composite
 * foreign key's columns multiply their n_distinct, and a deduplicated
 * (product_id, supplier_id) of 4.9 MB was estimated at 13 MB); inner levels
 * hold one pivot per child at 70% fill, up to a single root; plus the
 * metapage.  hash, gist, gin and brin get simpler models (see
 * estimate_other).
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
 * An index expression has no statistics of its own (a hypothetical index
 * is never analysed, and no user expression is run to measure it): its
 * width is that of its result, from what the expression says and the
 * statistics of the columns it reads (expr_stats): a fixed-width result
 * (a cast to int, date, ...) its type's length; a result bounded in
 * characters (a varchar(n)/char(n) typmod; substring, substr, left, right,
 * lpad, rpad with a constant length) that many one-byte characters, never
 * more than its widest input column; a concatenation (||, concat) the sum
 * of its inputs; anything else (lower, upper, btrim, jsonb ->> ...) its
 * widest input column's average width; with no column, the type's
 * default.  Its distinct values are at most the product of its input
 * columns' (a function of one column takes no more values than the
 * column: estimate_num_groups' own rule for an expression); when every
 * function in it is strict, it is NULL at least where its most often NULL
 * column is.  Before, any
 * expression whose type differed from its column's counted its type's
 * default (32 bytes for text) and as many distinct values as rows:
 * (substring(c_phone from 1 for 2), c_acctbal) came out at 1.85x its
 * built size, upper(status) at 4.4x.
 *
 * Caller's rules: called from inside the planner only (ia_hypo_estimate,
 * from hypoplan.c), as the planning role.  Reads catalogs through the
 * syscache only, and the relcache's list of the table's foreign keys (the
 * planner has the table locked).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/gist.h"
#include "access/htup_details.h"
#include "access/itup.h"
#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "storage/bufpage.h"
#include "utils/fmgroids.h"
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

/* Stored bytes of a varlena holding "data" bytes (1-byte header when short) */
static double
varlena_width(double data)
{
	return data + (data + VARHDRSZ_SHORT <= VARATT_SHORT_MAX ?
				   VARHDRSZ_SHORT : VARHDRSZ);
}

/*
 * The characters (bytes for bytea) a value of expression e holds at most
 * by what e says, or -1: a varchar(n) or char(n) result (exprTypmod: a
 * cast), or substring, substr, left, right, lpad or rpad with a constant,
 * non-negative length.  *exact: it always holds that many (char(n), lpad
 * and rpad pad to it).
 */
static int
expr_length_bound(Node *e, bool *exact)
{
	Oid			type = exprType(e);
	int32		typmod = exprTypmod(e);
	int			lenarg;
	Node	   *arg;

	*exact = false;
	if ((type == BPCHAROID || type == VARCHAROID) && typmod >= VARHDRSZ)
	{
		*exact = (type == BPCHAROID);
		return typmod - VARHDRSZ;
	}
	if (!IsA(e, FuncExpr))
		return -1;
	switch (((FuncExpr *) e)->funcid)
	{
		case F_SUBSTRING_TEXT_INT4_INT4:
		case F_SUBSTR_TEXT_INT4_INT4:
		case F_SUBSTRING_BYTEA_INT4_INT4:
		case F_SUBSTR_BYTEA_INT4_INT4:
			lenarg = 2;
			break;
		case F_LEFT:
		case F_RIGHT:
			lenarg = 1;
			break;
		case F_LPAD_TEXT_INT4:
		case F_LPAD_TEXT_INT4_TEXT:
		case F_RPAD_TEXT_INT4:
		case F_RPAD_TEXT_INT4_TEXT:
			lenarg = 1;
			*exact = true;
			break;
		default:
			return -1;
	}
	arg = (Node *) list_nth(((FuncExpr *) e)->args, lenarg);
	if (IsA(arg, Const) && !((Const *) arg)->constisnull &&
		DatumGetInt32(((Const *) arg)->constvalue) >= 0)
		return DatumGetInt32(((Const *) arg)->constvalue);
	*exact = false;
	return -1;
}

/* Does e join its inputs end to end (||, concat, concat_ws)? */
static bool
expr_concatenates(Node *e)
{
	Oid			fn = IsA(e, FuncExpr) ? ((FuncExpr *) e)->funcid :
		IsA(e, OpExpr) ? ((OpExpr *) e)->opfuncid : InvalidOid;

	return fn == F_TEXTCAT || fn == F_ANYTEXTCAT || fn == F_TEXTANYCAT ||
		fn == F_BYTEACAT || fn == F_CONCAT || fn == F_CONCAT_WS;
}

/*
 * Width, NULL fraction and n_distinct of index expression e of target t,
 * into cs, whose width the caller set to what e's type says (the file
 * header has the rule).  Its input columns' statistics are read as a key
 * column's are (attribute_stats: only those the role may read);
 * "tablerows" turns a fraction of rows into a number of values.  Nothing
 * of e is executed.
 */
static void
expr_stats(IaHypoIndex *h, IaHypoTarget *t, Node *e, double tablerows,
		   ColStats *cs)
{
	List	   *vars = pull_var_clause(e, 0);
	Bitmapset  *seen = NULL;
	double		widest = 0;		/* bytes of data, without varlena headers */
	double		sum = 0;
	double		groups = 1;
	double		nullfrac = 0;
	bool		exact;
	int			bound;
	ListCell   *lc;

	foreach(lc, vars)
	{
		Var		   *v = lfirst_node(Var, lc);
		ColStats	vs = {0};
		double		data;
		double		nd;

		if (v->varattno <= 0 || bms_is_member(v->varattno, seen))
			continue;
		seen = bms_add_member(seen, v->varattno);
		vs.width = get_typavgwidth(v->vartype, v->vartypmod);
		attribute_stats(h, t, v->varattno, &vs, true);
		data = get_typlen(v->vartype) != -1 ? vs.width :
			Max(0, vs.width - (vs.width < VARATT_SHORT_MAX ?
							   VARHDRSZ_SHORT : VARHDRSZ));
		widest = Max(widest, data);
		sum += data;
		nullfrac = Max(nullfrac, vs.nullfrac);
		nd = vs.ndistinct < 0 ? -vs.ndistinct * tablerows : vs.ndistinct;
		groups = (nd > 0 && groups > 0) ? groups * nd : 0;
	}
	if (seen == NULL)
		return;					/* no column: what the type says */
	cs->ndistinct = groups;
	/* strict all through: NULL wherever a column it reads is */
	if (!contain_nonstrict_functions(e))
		cs->nullfrac = nullfrac;
	if (get_typlen(exprType(e)) != -1)
		return;					/* fixed width: the type's length */
	cs->width = varlena_width(expr_concatenates(e) ? sum : widest);
	bound = expr_length_bound(e, &exact);
	if (bound >= 0)
		cs->width = exact ? varlena_width(bound) :
			Min(cs->width, varlena_width(bound));
}

/*
 * Width, NULL fraction and n_distinct of index column i of target t;
 * "tablerows" as in expr_stats.
 */
static void
column_stats(IaHypoIndex *h, IaHypoTarget *t, int i, ListCell **expr,
			 List *exprs, double tablerows, ColStats *cs)
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

		*expr = lnext(exprs, *expr);
		type = exprType(e);
		typmod = exprTypmod(e);
		cs->width = get_typavgwidth(type, typmod);
		expr_stats(h, t, e, tablerows, cs);
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

		column_stats(h, t, i, &expr, t->exprs, tablerows, &cs);
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
 * Bytes a gin index holds per row, at the fill of a built index (rough;
 * an expression's width as expr_stats gives it):
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
	else if (t->attnums[0] == 0)
	{
		ColStats	cs = {0};	/* an expression: the rule of the B-tree */

		cs.width = get_typavgwidth(type, -1);
		expr_stats(h, t, (Node *) linitial(t->exprs), reltuples, &cs);
		width = cs.width;
	}
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
