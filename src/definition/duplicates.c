/*-------------------------------------------------------------------------
 *
 * duplicates.c
 *		The duplicate rule, written once: does one index cover another?
 *
 * Design: ia_index_covers compares the resolved forms (what pg_index holds,
 * expressions and predicates folded); idx_apply refuses a definition that a
 * valid index covers (ia_check_duplicate), or that a queued create is by
 * the same rule both ways (resolve.c: ia_check_pending_duplicate, each queued
 * definition resolved again); idx_check() asks the same rule through
 * idx_index_covers(); the advisor's "replaces" column asks it with
 * IA_COVERS_PREFIX (ia_resolved_covers).
 *
 * Caller's rules: inside a transaction; nothing here writes anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "definition_internal.h"
#include "ia_plan.h"

/*
 * Do have's key and INCLUDE columns cover want's (the rule's first half,
 * cheap: no folding)?  Same method; the same keys with the same operator
 * families and input types, collations and order; the same INCLUDE columns
 * in the same order.  With IA_COVERS_PREFIX want's keys need only be the
 * first of have's, and its INCLUDE columns any of have's columns.  A unique
 * index covers a non-unique one on the same keys, not the other way round;
 * a unique one covers a unique one only with the same NULLS [NOT] DISTINCT,
 * and never as a prefix.
 */
static bool
columns_cover(const ResolvedIndex *have, const ResolvedIndex *want, int flags)
{
	bool		prefix = (flags & IA_COVERS_PREFIX) != 0 && !want->unique;
	int			i;

	if (have->amid != want->amid ||
		(want->unique && !have->unique) ||
		(want->unique && have->nulls_not_distinct != want->nulls_not_distinct))
		return false;
	if (prefix ? have->nkeys < want->nkeys :
		(have->natts != want->natts || have->nkeys != want->nkeys))
		return false;
	for (i = 0; i < want->nkeys; i++)
		if (have->attnums[i] != want->attnums[i] ||
			have->collations[i] != want->collations[i] ||
			get_opclass_family(have->opclasses[i]) != get_opclass_family(want->opclasses[i]) ||
			get_opclass_input_type(have->opclasses[i]) != get_opclass_input_type(want->opclasses[i]) ||
			have->options[i] != want->options[i])
			return false;
	for (; i < want->natts; i++)
	{
		bool		found = !prefix && have->attnums[i] == want->attnums[i];

		for (int j = 0; prefix && j < have->natts; j++)
			found |= have->attnums[j] == want->attnums[i];
		if (!found)
			return false;
	}
	return true;
}

/*
 * Do have's expressions and predicate cover want's (the rule's second half)?
 * The same predicate; the same expressions, or (IA_COVERS_PREFIX) want's
 * as the first of have's: expressions are key columns, in column order.
 */
static bool
exprs_cover(List *have_exprs, List *have_pred, const ResolvedIndex *want,
			int flags)
{
	bool		prefix = (flags & IA_COVERS_PREFIX) != 0 && !want->unique;

	if (prefix && list_length(have_exprs) > list_length(want->exprs))
		have_exprs = list_truncate(list_copy(have_exprs),
								   list_length(want->exprs));
	return equal(have_exprs, want->exprs) && equal(have_pred, want->pred);
}

/*
 * ia_resolved_covers -- the duplicate rule, written once: does index "have"
 * cover index "want" (both resolved: what pg_index holds, expressions and
 * predicates folded)?  Exactly (flags 0): idx_apply refuses want, existing
 * or queued, and idx_check() reports it (idx_index_covers).  With
 * IA_COVERS_PREFIX: want's keys are the first of have's and its INCLUDE
 * columns among have's, so have serves want's queries (the advisor's
 * "replaces" column).
 */
bool
ia_resolved_covers(const IaResolvedIndex *have, const IaResolvedIndex *want,
				   int flags)
{
	return columns_cover(have, want, flags) &&
		exprs_cover(have->exprs, have->pred, want, flags);
}

/*
 * The resolved form of an existing index, as ia_resolve_columns() gives it
 * for a definition; its expressions and predicate only when "fold"
 * (ia_index_folded_form: folded as the table's owner).
 */
static void
resolved_from_index(Relation irel, ResolvedIndex *ri, bool fold)
{
	Form_pg_index idx = irel->rd_index;
	oidvector  *indclass;
	bool		isnull;
	int			i;

	indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID,
															 irel->rd_indextuple,
															 Anum_pg_index_indclass,
															 &isnull));
	Assert(!isnull);
	memset(ri, 0, sizeof(*ri));
	ri->amid = irel->rd_rel->relam;
	ri->unique = idx->indisunique;
	ri->nulls_not_distinct = idx->indnullsnotdistinct;
	ri->natts = idx->indnatts;
	ri->nkeys = idx->indnkeyatts;
	for (i = 0; i < ri->natts; i++)
		ri->attnums[i] = idx->indkey.values[i];
	for (i = 0; i < ri->nkeys; i++)
	{
		ri->opclasses[i] = indclass->values[i];
		ri->collations[i] = irel->rd_indcollation[i];
		ri->options[i] = irel->rd_indoption[i];
	}
	if (fold)
		ia_index_folded_form(irel, &ri->exprs, &ri->pred);
}

/*
 * ia_index_resolved_form -- the resolved form of the existing index irel,
 * its expressions and predicate folded as its table's owner.
 */
void
ia_index_resolved_form(Relation irel, IaResolvedIndex *out)
{
	resolved_from_index(irel, out, true);
}

/*
 * ia_index_covers -- ia_resolved_covers(irel, ri, 0) for an existing index
 * irel, which must be valid and live; irel's expressions are folded only
 * when its columns cover ri's.
 */
bool
ia_index_covers(Relation irel, ResolvedIndex *ri)
{
	ResolvedIndex have;
	List	   *exprs;
	List	   *pred;

	if (!irel->rd_index->indisvalid || !irel->rd_index->indislive)
		return false;
	resolved_from_index(irel, &have, false);
	if (!columns_cover(&have, ri, 0))
		return false;
	ia_index_folded_form(irel, &exprs, &pred);
	return exprs_cover(exprs, pred, ri, 0);
}

/*
 * ia_check_duplicate -- refuse a definition that a valid index of the table
 * already covers (ia_index_covers).
 */
void
ia_check_duplicate(Relation rel, ResolvedIndex *ri)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);

		if (ia_index_covers(irel, ri))
		{
			char	   *name = pstrdup(RelationGetRelationName(irel));

			index_close(irel, AccessShareLock);
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("index \"%s\" on table \"%s\" already covers this definition",
							name, RelationGetRelationName(rel)),
					 errdetail("Same method, key columns, operator classes, order, predicate and included columns."),
					 errhint("Use the existing index, or drop it first.")));
		}
		index_close(irel, AccessShareLock);
	}
	list_free(indexes);
}

/*
 * idx_index_covers(existing regclass, candidate regclass) RETURNS boolean
 *
 * True when idx_apply() would refuse candidate's definition because of
 * existing: both are indexes of the same table and existing, valid, covers
 * candidate (ia_index_covers).  An index does not cover itself.  NULL when
 * either relation is gone.  For idx_check()'s duplicate finding.
 */
PG_FUNCTION_INFO_V1(idx_index_covers);
Datum
idx_index_covers(PG_FUNCTION_ARGS)
{
	Oid			existing = PG_GETARG_OID(0);
	Oid			candidate = PG_GETARG_OID(1);
	Relation	erel;
	Relation	crel;
	ResolvedIndex ri;
	bool		result = false;

	erel = try_relation_open(existing, AccessShareLock);
	if (erel == NULL)
		PG_RETURN_NULL();
	crel = try_relation_open(candidate, AccessShareLock);
	if (crel == NULL)
	{
		relation_close(erel, AccessShareLock);
		PG_RETURN_NULL();
	}
	if (existing != candidate &&
		(erel->rd_rel->relkind == RELKIND_INDEX ||
		 erel->rd_rel->relkind == RELKIND_PARTITIONED_INDEX) &&
		(crel->rd_rel->relkind == RELKIND_INDEX ||
		 crel->rd_rel->relkind == RELKIND_PARTITIONED_INDEX) &&
		erel->rd_index->indrelid == crel->rd_index->indrelid)
	{
		resolved_from_index(crel, &ri, true);
		result = ia_index_covers(erel, &ri);
	}
	relation_close(crel, AccessShareLock);
	relation_close(erel, AccessShareLock);
	PG_RETURN_BOOL(result);
}

