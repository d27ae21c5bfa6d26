/*-------------------------------------------------------------------------
 *
 * hypo.c
 *		Hypothetical indexes: made from a CREATE INDEX text, checked exactly
 *		as idx_apply checks a definition, sized without being built.
 *
 * Design.  ia_hypo_from_definition() resolves the definition through
 * definition/resolve.c (ia_resolve_hypothetical: the same checks, errors and
 * SQLSTATEs as idx_apply, so the caller must own the table, except that the
 * queue is not asked: a hypothetical index reserves no name and duplicates
 * nothing queued; ia_hypo_from_definition_unowned, for the advisor, also
 * skips who may build it: owning the table, CREATE on its schema) and keeps
 * the resolved form
 * plus what the planner needs of it: operator families and input types, the
 * fillfactor, whether btree deduplication applies, and one target per
 * relation the index would cover: the table itself, or each leaf partition
 * of a partitioned table, with columns, expressions and predicate mapped to
 * the leaf's attribute numbers (as a real partitioned index would have one
 * index per leaf).
 *
 * The fake OID is one of the OIDs between the last relation initdb made
 * and FirstNormalObjectId (the method of HypoPG 1.4): no relation has one
 * and none ever will (after initdb the OID counter never hands out an OID
 * below FirstNormalObjectId), so a fake OID is never mistaken for a real
 * relation; taking one advances nothing in the cluster (0.2 took each from
 * the OID counter: ~20,000 OIDs in 0.2 s from one backend) and works on a
 * standby.  See fake_oid() for how they are handed out.
 *
 * The size (ia_hypo_size) is what the planner would be told: the model in
 * hyposize.c, run by planning "SELECT FROM <table>" with the index, as the
 * caller (idx_hypo_size, idx_whatif: the caller owns the table) or, for the
 * advisor's candidates, on the terms of the statement the candidate was
 * drawn from (its author, its planning role: plan_prepared.c,
 * ia_prepare_for); the model reads only the statistics pg_stats shows the
 * planning role (hyposize.c, "Whose statistics").
 *
 * Caller's rules: inside a transaction, as the role that asks; the table
 * (and its partitions) stay AccessShareLocked until the transaction ends.
 * Only btree, hash, gist, gin and brin are modelled; others are refused.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/attmap.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/catalog.h"
#include "catalog/indexing.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "ia_plan.h"

static IaHypoIndex *hypo_from(const char *definition, bool owned);

/*
 * The lowest OID below FirstNormalObjectId that no relation has and none
 * ever will: one above the highest pg_class OID below it (the relations of
 * initdb; fixed for the life of the cluster, read once per backend).
 */
static Oid
fake_oid_floor(void)
{
	static Oid	floor = InvalidOid;
	Relation	pg_class;
	Relation	oid_index;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;

	if (OidIsValid(floor))
		return floor;
	pg_class = table_open(RelationRelationId, AccessShareLock);
	oid_index = index_open(ClassOidIndexId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_class_oid, BTLessStrategyNumber, F_OIDLT,
				ObjectIdGetDatum(FirstNormalObjectId));
	scan = systable_beginscan_ordered(pg_class, oid_index, NULL, 1, &key);
	tup = systable_getnext_ordered(scan, BackwardScanDirection);
	floor = HeapTupleIsValid(tup) ?
		((Form_pg_class) GETSTRUCT(tup))->oid + 1 : FirstGenbkiObjectId;
	systable_endscan_ordered(scan);
	index_close(oid_index, AccessShareLock);
	table_close(pg_class, AccessShareLock);
	if (floor >= FirstNormalObjectId)
		elog(ERROR, "no OID below %u is free for hypothetical indexes",
			 FirstNormalObjectId);
	return floor;
}

/*
 * ia_hypo_oid_capacity -- how many hypothetical indexes one call may make:
 * the fake OIDs there are (about 2,800 on PostgreSQL 15).
 */
int
ia_hypo_oid_capacity(void)
{
	return (int) (FirstNormalObjectId - fake_oid_floor());
}

/*
 * A fake OID: counted down from FirstNormalObjectId - 1 to the floor, then
 * from the top again, backend-local.  Hypothetical indexes live for one
 * call (idx_whatif, idx_advise), so fake OIDs need to be unique only among
 * those of one call, which makes at most ia_hypo_oid_capacity() of them
 * (idx_whatif checks; the advisor makes at most 400).  A nested call may
 * reuse an outer call's OIDs: its indexes are never planned with the
 * outer's (plan_hooks.c).  HypoPG counts up from the bottom of the range,
 * so the two meet only after thousands in one backend; in one planning
 * they never meet (HypoPG adds its indexes only to EXPLAIN's planning).
 */
static Oid
fake_oid(void)
{
	static Oid	next = InvalidOid;
	Oid			floor = fake_oid_floor();

	if (!OidIsValid(next) || next < floor)
		next = FirstNormalObjectId - 1;
	return next--;
}

/* The access methods this model knows; others are refused. */
static void
check_modelled_am(Oid amid)
{
	if (amid == BTREE_AM_OID || amid == HASH_AM_OID || amid == GIST_AM_OID ||
		amid == GIN_AM_OID || amid == BRIN_AM_OID)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("hypothetical indexes of access method \"%s\" are not supported",
					get_am_name(amid)),
			 errdetail("index_advisor models btree, hash, gist, gin and brin indexes."),
			 errhint("Build the index for real (idx_apply) to see whether the planner uses it.")));
}

/* WITH (fillfactor = n), else the access method's default. */
static int
fillfactor_of(IndexStmt *stmt, Oid amid)
{
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (d->defnamespace == NULL && strcmp(d->defname, "fillfactor") == 0)
			return defGetInt32(d);
	}
	switch (amid)
	{
		case BTREE_AM_OID:
			return BTREE_DEFAULT_FILLFACTOR;
		case HASH_AM_OID:
			return 75;			/* HASH_DEFAULT_FILLFACTOR */
		case GIST_AM_OID:
			return 90;			/* GIST_DEFAULT_FILLFACTOR */
		default:
			return 100;
	}
}

/* WITH (deduplicate_items = off) turns btree deduplication off. */
static bool
dedup_option(IndexStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (d->defnamespace == NULL &&
			strcmp(d->defname, "deduplicate_items") == 0)
			return defGetBoolean(d);
	}
	return true;
}

/* As nbtree's _bt_allequalimage: may this btree deduplicate? */
static bool
btree_dedups(IaHypoIndex *h, IndexStmt *stmt)
{
	if (h->amid != BTREE_AM_OID || h->unique || h->nkeys != h->natts ||
		!dedup_option(stmt))
		return false;
	for (int i = 0; i < h->nkeys; i++)
	{
		Oid			proc = get_opfamily_proc(h->opfamilies[i], h->opcintypes[i],
											 h->opcintypes[i], BTEQUALIMAGE_PROC);

		if (!OidIsValid(proc) ||
			!DatumGetBool(OidFunctionCall1Coll(proc, h->collations[i],
											   ObjectIdGetDatum(h->opcintypes[i]))))
			return false;
	}
	return true;
}

/* One target: the table itself, or a leaf with columns mapped to it. */
static IaHypoTarget *
make_target(IaResolvedIndex *ri, Relation parent, Oid relid)
{
	IaHypoTarget *t = palloc0(sizeof(IaHypoTarget));
	Relation	leaf;
	AttrMap    *map;
	bool		whole_row;

	t->relid = relid;
	if (relid == RelationGetRelid(parent))
	{
		memcpy(t->attnums, ri->attnums, sizeof(t->attnums));
		t->exprs = copyObject(ri->exprs);
		t->pred = copyObject(ri->pred);
		return t;
	}
	leaf = table_open(relid, NoLock);	/* locked by find_all_inheritors */
	map = ia_build_attrmap_by_name(RelationGetDescr(leaf),
								   RelationGetDescr(parent));
	for (int i = 0; i < ri->natts; i++)
		t->attnums[i] = ri->attnums[i] == 0 ? 0 :
			map->attnums[ri->attnums[i] - 1];
	t->exprs = (List *) map_variable_attnos((Node *) ri->exprs, 1, 0, map,
											InvalidOid, &whole_row);
	t->pred = (List *) map_variable_attnos((Node *) ri->pred, 1, 0, map,
										   InvalidOid, &whole_row);
	table_close(leaf, NoLock);
	return t;
}

static List *
make_targets(IaResolvedIndex *ri, Oid relid)
{
	Relation	rel = table_open(relid, NoLock);	/* locked by resolving */
	List	   *targets = NIL;
	ListCell   *lc;

	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		targets = list_make1(make_target(ri, rel, relid));
	else
		foreach(lc, find_all_inheritors(relid, AccessShareLock, NULL))
		{
			if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_RELATION)
				targets = lappend(targets, make_target(ri, rel, lfirst_oid(lc)));
		}
	table_close(rel, NoLock);
	return targets;
}

/*
 * ia_hypo_from_definition -- a hypothetical index of a CREATE INDEX text,
 * as idx_apply accepts it (same checks, same errors), allocated in
 * CurrentMemoryContext.
 */
IaHypoIndex *
ia_hypo_from_definition(const char *definition)
{
	return hypo_from(definition, true);
}

/*
 * ia_hypo_from_definition_unowned -- the same without the checks of who may
 * build it (owner of the table, CREATE on its schema): the advisor's
 * candidates, for roles that only read the table.
 */
IaHypoIndex *
ia_hypo_from_definition_unowned(const char *definition)
{
	return hypo_from(definition, false);
}

/* A hypothetical index of definition; who may build it checked if owned. */
static IaHypoIndex *
hypo_from(const char *definition, bool owned)
{
	IaResolvedIndex ri;
	IaDefinition *def = owned ?
		ia_resolve_hypothetical(definition, &ri) :
		ia_resolve_hypothetical_unowned(definition, &ri);
	IaHypoIndex *h = palloc0(sizeof(IaHypoIndex));

	check_modelled_am(ri.amid);
	h->oid = fake_oid();
	h->definition = pstrdup(definition);
	h->name = def->index_name;
	h->relid = def->relid;
	h->amid = ri.amid;
	h->unique = ri.unique;
	h->nulls_not_distinct = ri.nulls_not_distinct;
	h->nkeys = ri.nkeys;
	h->natts = ri.natts;
	for (int i = 0; i < ri.nkeys; i++)
	{
		h->opclasses[i] = ri.opclasses[i];
		h->opfamilies[i] = get_opclass_family(ri.opclasses[i]);
		h->opcintypes[i] = get_opclass_input_type(ri.opclasses[i]);
		h->collations[i] = ri.collations[i];
		h->options[i] = ri.options[i];
	}
	h->fillfactor = fillfactor_of(def->stmt, ri.amid);
	h->dedup = btree_dedups(h, def->stmt);
	h->tablespace = def->stmt->tableSpace ?
		get_tablespace_oid(def->stmt->tableSpace, false) : InvalidOid;
	h->targets = make_targets(&ri, def->relid);
	return h;
}

/*
 * ia_hypo_size -- the estimated size of h in bytes, as the planner is told
 * it: the sum over its targets (leaf partitions) of the model's pages.
 * Planned as the caller, or, for a candidate of the advisor
 * (h->sized_for), as the author and planning role of the statement it was
 * drawn from (ia_prepare_for): never with the rights of a caller who only
 * has the author's privileges, and never refused to it for lack of the
 * table's.
 */
int64
ia_hypo_size(IaHypoIndex *h)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "index_advisor hypo size",
											  ALLOCSET_SMALL_SIZES);
	char	   *query = psprintf("SELECT FROM %s",
								 quote_qualified_identifier(get_namespace_name(get_rel_namespace(h->relid)),
															get_rel_name(h->relid)));
	IaPrepared *p;
	IaPlanned	planned;
	ListCell   *lc;
	int64		bytes = 0;

	foreach(lc, h->targets)
		((IaHypoTarget *) lfirst(lc))->estimated = false;
	p = h->sized_for ? ia_prepare_for(query, h->sized_for, cxt) :
		ia_prepare(query, cxt);
	ia_plan_prepared(p, list_make1(h), NIL, NULL, 0, &planned);
	foreach(lc, h->targets)
	{
		IaHypoTarget *t = (IaHypoTarget *) lfirst(lc);

		if (t->estimated)
			bytes += (int64) t->est_pages * BLCKSZ;
	}
	MemoryContextDelete(cxt);
	return bytes;
}

/*
 * ia_hypo_size_planned -- ia_hypo_size(h) when a planning in this call
 * (ia_plan_prepared) has already estimated every target of h: the sum of
 * those estimates (the same model, on the statistics that planning's role
 * may read: hyposize.c, "Whose statistics"), without a planning of its
 * own; else ia_hypo_size(h).  For the advisor, which plans its candidates
 * before it weighs their sizes.
 */
int64
ia_hypo_size_planned(IaHypoIndex *h)
{
	ListCell   *lc;
	int64		bytes = 0;

	foreach(lc, h->targets)
	{
		IaHypoTarget *t = (IaHypoTarget *) lfirst(lc);

		if (!t->estimated)
			return ia_hypo_size(h);
		bytes += (int64) t->est_pages * BLCKSZ;
	}
	return bytes;
}
