/*-------------------------------------------------------------------------
 *
 * hypo.c
 *		Hypothetical indexes: made from a CREATE INDEX text, checked exactly
 *		as idx_apply checks a definition, sized without being built.
 *
 * Design.  ia_hypo_from_definition() resolves the definition through
 * definition.c (ia_resolve_hypothetical: the same checks, errors and
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
 * The fake OID is taken from the cluster's OID counter (GetNewOidWithIndex
 * on pg_class): no relation has it now and the counter will not hand it out
 * again before it wraps around, so it can never be mistaken for a real
 * relation, nor for another hypothetical index (nor another extension's if
 * it does the same).  During recovery, where OIDs cannot be assigned, a
 * backend-local counter counts down from the top of the OID space, skipping
 * OIDs pg_class holds.
 *
 * The size (ia_hypo_size) is what the planner would be told: the model in
 * hypoplan.c, run by planning "SELECT FROM <table>" with the index.
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
#include "access/nbtree.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xlog.h"
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
#include "ia_hypo.h"

static IaHypoIndex *hypo_from(const char *definition, bool owned);

/* A fake OID no relation has, nor will have before the OID counter wraps. */
static Oid
fake_oid(void)
{
	static Oid	recovery_next = OID_MAX;
	Relation	pg_class;
	Oid			oid;

	if (RecoveryInProgress())
	{
		while (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(recovery_next)))
			recovery_next--;
		return recovery_next--;
	}
	pg_class = table_open(RelationRelationId, AccessShareLock);
	oid = GetNewOidWithIndex(pg_class, ClassOidIndexId, Anum_pg_class_oid);
	table_close(pg_class, AccessShareLock);
	return oid;
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
	p = ia_prepare(query, cxt);
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
 * those estimates (the same model on the same statistics), without a
 * planning of its own; else ia_hypo_size(h).  For the advisor, which plans
 * its candidates before it weighs their sizes.
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
