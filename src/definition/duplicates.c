/*-------------------------------------------------------------------------
 *
 * duplicates.c
 *		The duplicate rule, written once: does one index cover another?
 *
 * Design: ia_index_covers compares the resolved forms (what pg_index holds,
 * expressions and predicates folded); idx_apply refuses a definition that a
 * valid index covers (ia_check_duplicate), or that a queued create already
 * has (ia_check_pending_duplicate); idx_check() asks the same rule through
 * idx_index_covers().
 *
 * Caller's rules: inside a transaction; nothing here writes anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/relation.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "catalog/pg_tablespace.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_target.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/resowner.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "ia_queue.h"
#include "verify.h"
#include "definition_internal.h"

/*
 * ia_index_covers -- the duplicate rule, written once: does the valid index
 * irel already cover ri?  Same method, keys, operator families and input
 * types, collations, order, expressions, predicate and INCLUDE columns.  A
 * unique index covers a non-unique one on the same keys, not the other way
 * round; a unique one covers a unique one only with the same NULLS [NOT]
 * DISTINCT.  idx_apply() refuses what an index covers (ia_check_duplicate),
 * idx_check() reports it (idx_index_covers).
 */
bool
ia_index_covers(Relation irel, ResolvedIndex *ri)
{
	Form_pg_index idx = irel->rd_index;
	List	   *exprs;
	List	   *pred;
	int			i;

	if (!idx->indisvalid || !idx->indislive ||
		irel->rd_rel->relam != ri->amid ||
		idx->indnatts != ri->natts || idx->indnkeyatts != ri->nkeys ||
		(ri->unique && !idx->indisunique) ||
		(ri->unique && idx->indnullsnotdistinct != ri->nulls_not_distinct))
		return false;

	for (i = 0; i < ri->natts; i++)
	{
		if (idx->indkey.values[i] != ri->attnums[i])
			return false;
		if (i < ri->nkeys &&
			(irel->rd_indcollation[i] != ri->collations[i] ||
			 irel->rd_opfamily[i] != get_opclass_family(ri->opclasses[i]) ||
			 irel->rd_opcintype[i] != get_opclass_input_type(ri->opclasses[i]) ||
			 irel->rd_indoption[i] != ri->options[i]))
			return false;
	}
	ia_index_folded_form(irel, &exprs, &pred);
	return equal(exprs, ri->exprs) && equal(pred, ri->pred);
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

/* The resolved form of an existing index, as ia_resolve_columns() gives it for
 * a definition. */
static void
resolved_from_index(Relation irel, ResolvedIndex *ri)
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
	ia_index_folded_form(irel, &ri->exprs, &ri->pred);
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
		resolved_from_index(crel, &ri);
		result = ia_index_covers(erel, &ri);
	}
	relation_close(crel, AccessShareLock);
	relation_close(erel, AccessShareLock);
	PG_RETURN_BOOL(result);
}

/* The statement with what does not change the index left out. */
static IndexStmt *
normalized(IndexStmt *stmt, IaDefinition *def)
{
	IndexStmt  *copy = copyObject(stmt);

	copy->idxname = NULL;
	copy->concurrent = false;
	copy->if_not_exists = false;
	copy->relation = makeRangeVar(def->schema_name, def->table_name, -1);
	copy->relation->inh = stmt->relation->inh;
	return copy;
}

/*
 * ia_check_pending_duplicate -- refuse a definition that a create queued or
 * running on the same table already has (the same statement but for the
 * name, CONCURRENTLY, IF NOT EXISTS and how the table is written): it would
 * build a second, identical index.
 */
void
ia_check_pending_duplicate(IaDefinition *def)
{
	IndexStmt  *mine = normalized(def->stmt, def);
	ListCell   *lc;

	foreach(lc, ia_pending_definitions(def->relid))
	{
		IaPending  *p = lfirst(lc);

		if (equal(mine, normalized(ia_parse_index_stmt(p->definition), def)))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("an equivalent index is already queued on table \"%s\"",
							def->table_name),
					 errdetail("History row " INT64_FORMAT " (%s) builds \"%s\" from the same definition.",
							   p->id, p->status, p->index_name),
					 errhint("Wait for it with CALL idx_wait(" INT64_FORMAT "), or cancel it with idx_cancel().",
							 p->id)));
	}
}
