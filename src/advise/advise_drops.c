/*-------------------------------------------------------------------------
 *
 * advise_drops.c
 *		The drop rows of idx_advise and idx_advise_workload: existing
 *		indexes the advice makes redundant, or the workload never needs,
 *		decided by the planner as creates are.
 *
 * Design.  Once the picks are chosen, each query is planned with them
 * (the one engine, ia_plan_prepared: as the query's planning role, in a
 * subtransaction rolled back; generically and, when it has $n, with its
 * representative values, its cost the mean of the two as advise_plan.c
 * costs it).  An existing index is *needed* by a query when that query's
 * plan uses it and planning it again with the index hidden (the engine's
 * hide list, plan_hooks.c: the same planning without the index, as
 * idx_whatif's "DROP INDEX" plans it) costs at least IA_MIN_GAIN more and
 * at least IA_MIN_GAIN_COST cost units: the rule that says a candidate
 * helps a query, read backwards.  An index is proposed for dropping when
 * no query reading its table needs it, and
 *	- idx_advise: an advised index makes it redundant (its keys are a prefix
 *	  of the pick's: ia_advise_is_prefix_of below, the `replaces` rule);
 *	- idx_advise_workload: any index of a table the workload reads (the
 *	  note adds idx_scan from the statistics, pg_stat_user_indexes').
 *
 * Never proposed: an index that backs a constraint (primary key, unique,
 * exclusion, or any pg_constraint row whose conindid is the index, such as
 * a foreign key's referenced key), any unique index, the replica identity,
 * an index not yet valid or ready, the index of a partition (DROP INDEX
 * refuses it: drop the partitioned table's), and an index that is not the
 * database's own to drop (own_index: a system catalog's or TOAST's, one
 * created with the system, such as information_schema's, and the index of
 * an extension's table, index_advisor's own included), which a workload
 * that queries the catalogs reads like any table.  ia_index_drop_refusal()
 * is that rule, in one place, for the advisor and the autopilot.
 *
 * The row: rank NULL, definition "DROP INDEX CONCURRENTLY name" (a plain
 * DROP INDEX for a partitioned index), which idx_apply_script queues and
 * idx_whatif plans without; est_size the index's size on disk (what the
 * drop frees); queries the queries on its table that were planned; the
 * note the evidence, and, when the caller does not own the index, that
 * idx_apply_script would refuse it (as advise.c's note for a create).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "advise_internal.h"

PG_FUNCTION_INFO_V1(idx_index_drop_refusal);

#define ADV_COLS 9


/* ---------------------------------------------------------------------
 * The replaces rule (advise.c's rows and the drops below)
 * ---------------------------------------------------------------------
 */

/*
 * c in the resolved form (what pg_index would hold) that the duplicate rule
 * compares (ia_resolved_covers): its predicate as its statement's planning
 * role folded it (advise_plan.c: fold_uses), never again.  False when an
 * operator class it names is not found.
 */
static bool
cand_resolved_form(IaCand *c, IaResolvedIndex *ri)
{
	ListCell   *lc;
	int			i = 0;

	memset(ri, 0, sizeof(*ri));
	ri->amid = c->amid;
	foreach(lc, c->keys)
	{
		IaCandKey  *k = lfirst(lc);
		Oid			type;
		Oid			coll;
		int32		typmod;

		if (k->attnum != 0)
			get_atttypetypmodcoll(c->relid, k->attnum, &type, &typmod, &coll);
		else
		{
			type = exprType(k->expr);
			coll = exprCollation(k->expr);
			ri->exprs = lappend(ri->exprs, k->expr);
		}
		ri->attnums[i] = k->attnum;
		ri->collations[i] = coll;
		ri->opclasses[i] = k->opclass ?
			get_opclass_oid(c->amid, stringToQualifiedNameList(k->opclass), true) :
			GetDefaultOpClass(type, c->amid);
		if (!OidIsValid(ri->opclasses[i]))
			return false;
		ri->options[i++] = (k->desc ? INDOPTION_DESC : 0) |
			(k->nulls_first ? INDOPTION_NULLS_FIRST : 0);
	}
	ri->nkeys = i;
	foreach(lc, c->include)
		ri->attnums[i++] = lfirst_int(lc);
	ri->natts = i;
	if (c->pred)
	{
		ri->pred = make_ands_implicit(canonicalize_qual((Expr *) copyObject(c->pred),
														false));
		fix_opfuncids((Node *) ri->pred);
	}
	return true;
}

/*
 * Does existing index irel hold nothing but a prefix of c's keys?  The
 * duplicate rule (ia_resolved_covers, IA_COVERS_PREFIX), for a valid index
 * that no constraint needs; irel's expressions and predicate are folded as
 * its owner (ia_index_resolved_form: folding them as the caller would run
 * their functions with the caller's rights).
 */
bool
ia_advise_is_prefix_of(Relation irel, IaCand *c)
{
	Form_pg_index ix = irel->rd_index;
	IaResolvedIndex cand;
	IaResolvedIndex existing;

	if (!ix->indisvalid || ix->indisprimary || ix->indisexclusion ||
		OidIsValid(get_index_constraint(RelationGetRelid(irel))) ||
		!cand_resolved_form(c, &cand))
		return false;
	ia_index_resolved_form(irel, &existing);
	return ia_resolved_covers(&cand, &existing, IA_COVERS_PREFIX);
}

/*
 * Does a valid index of c's table already hold c's keys as its first keys,
 * c's INCLUDE columns among its columns, and c's predicate (the same rule
 * read the other way round: ia_resolved_covers(existing, c,
 * IA_COVERS_PREFIX))?  Then c is no candidate: it would be redundant by
 * the advisor's own `replaces` rule (a primary key on (order_id, line_no)
 * serves every query an index on (order_id) would; a narrower copy only
 * looks cheaper to the planner for being smaller).
 */
bool
ia_advise_served_by_existing(IaCand *c)
{
	Relation	rel = table_open(c->relid, AccessShareLock);
	IaResolvedIndex cand;
	bool		served = false;
	ListCell   *lc;

	if (!cand_resolved_form(c, &cand))
	{
		table_close(rel, AccessShareLock);
		return false;
	}
	foreach(lc, RelationGetIndexList(rel))
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);
		IaResolvedIndex existing;

		if (irel->rd_index->indisvalid && irel->rd_index->indisready &&
			irel->rd_index->indkey.values[0] == cand.attnums[0])
		{
			ia_index_resolved_form(irel, &existing);
			served = ia_resolved_covers(&existing, &cand, IA_COVERS_PREFIX);
		}
		index_close(irel, AccessShareLock);
		if (served)
			break;
	}
	table_close(rel, AccessShareLock);
	return served;
}

/* What the plans of one query with the picks say. */
typedef struct DropQuery
{
	AdvQuery   *q;
	double		cost;			/* with the picks (mean of generic, values) */
	List	   *used;			/* real index OIDs its plans use */
} DropQuery;

/*
 * ia_index_drop_refusal -- why indexoid may never be dropped by the advisor
 * or the autopilot, as the end of a sentence (the autopilot's event and the
 * advisor's note say it); NULL when it may.  Never:
 *   - an index that is gone, or not valid, ready and live;
 *   - a unique, primary key or exclusion index (without it the table would
 *     accept other rows), the replica identity, or one a constraint uses;
 *   - the index of a partition (its partitioned index is what is dropped);
 *   - one that is not the database's own to drop by DROP INDEX: created
 *     with the system (initdb: the catalogs', information_schema's), of a
 *     catalog or TOAST namespace, or of a table that belongs to an
 *     extension, or itself an extension's member (the extension's to
 *     index; index_advisor's own tables included).
 * The one rule for both (89_autopilot_drops.sql calls it through
 * idx_index_drop_refusal).
 */
const char *
ia_index_drop_refusal(Oid indexoid)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	Form_pg_index ix;
	Oid			table;
	Oid			nsp;
	const char *why = NULL;
	Relation	con;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	ctup;

	if (!HeapTupleIsValid(tup))
		return "the index no longer exists";
	ix = (Form_pg_index) GETSTRUCT(tup);
	table = ix->indrelid;
	if (!(ix->indisvalid && ix->indisready && ix->indislive))
		why = "the index is not valid";
	else if (ix->indisunique || ix->indisprimary || ix->indisexclusion)
		why = "it is a unique or exclusion index: without it the table would accept other rows";
	else if (ix->indisreplident)
		why = "it is the table's replica identity";
	ReleaseSysCache(tup);
	if (why != NULL)
		return why;
	if (get_rel_relispartition(indexoid))
		return "it is the index of a partition";
	nsp = get_rel_namespace(indexoid);
	if (indexoid < FirstNormalObjectId || table < FirstNormalObjectId ||
		IsCatalogNamespace(nsp) || IsToastNamespace(nsp) ||
		IsCatalogRelationOid(table))
		return "it is a system index";
	if (OidIsValid(getExtensionOfObject(RelationRelationId, table)) ||
		OidIsValid(getExtensionOfObject(RelationRelationId, indexoid)))
		return "its table belongs to an extension";
	/* pg_constraint has no index on conindid: scan it */
	con = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conindid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(indexoid));
	scan = systable_beginscan(con, InvalidOid, false, NULL, 1, &key);
	ctup = systable_getnext(scan);
	if (HeapTupleIsValid(ctup))
		why = psprintf("it backs constraint %s",
					   quote_identifier(NameStr(((Form_pg_constraint) GETSTRUCT(ctup))->conname)));
	systable_endscan(scan);
	table_close(con, AccessShareLock);
	return why;
}

/* ia_advise_may_drop -- may the advisor ever propose dropping indexoid? */
bool
ia_advise_may_drop(Oid indexoid)
{
	return ia_index_drop_refusal(indexoid) == NULL;
}

/*
 * idx_index_drop_refusal(index oid) RETURNS text -- ia_index_drop_refusal
 * for SQL: the autopilot's drops (89_autopilot_drops.sql).
 */
Datum
idx_index_drop_refusal(PG_FUNCTION_ARGS)
{
	const char *why = ia_index_drop_refusal(PG_GETARG_OID(0));

	if (why == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(why));
}

/*
 * Plan q with the picks on the tables it reads (as the memo of advise_plan.c
 * keys it: others cannot change its plan) and without "hide": its cost; the
 * real indexes its plans use into *used.
 */
static double
plan_picks(AdvQuery *q, List *picks, List *hide, List **used)
{
	IaPlanned	out;
	double		cost;
	List	   *hypos = NIL;
	ListCell   *lc;

	foreach(lc, picks)
		if (list_member_oid(q->relids, ((IaCand *) lfirst(lc))->relid))
			hypos = lappend(hypos, ((IaCand *) lfirst(lc))->hypo);
	ia_plan_prepared(q->prep, hypos, hide, NULL, 0, &out);
	cost = out.total_cost;
	if (used)
		*used = list_concat_unique_oid(*used, out.used_real);
	if (q->rep)
	{
		ia_plan_prepared(q->prep, hypos, hide, q->rep, 0, &out);
		cost = (cost + out.total_cost) / 2;
		if (used)
			*used = list_concat_unique_oid(*used, out.used_real);
	}
	return cost;
}

/* index_name, schema-qualified unless visible on the search_path */
static char *
index_display_name(Oid indexoid)
{
	char	   *name = get_rel_name(indexoid);

	if (RelationIsVisible(indexoid))
		return pstrdup(quote_identifier(name));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(indexoid)),
									  name);
}

/* Bytes on disk of indexoid and, for a partitioned one, its partitions'. */
static int64
index_bytes(List *members)
{
	int64		bytes = 0;
	ListCell   *lc;

	foreach(lc, members)
	{
		Relation	irel;

		if (get_rel_relkind(lfirst_oid(lc)) != RELKIND_INDEX)
			continue;
		irel = index_open(lfirst_oid(lc), AccessShareLock);
		bytes += (int64) RelationGetNumberOfBlocks(irel) * BLCKSZ;
		index_close(irel, AccessShareLock);
	}
	return bytes;
}

/*
 * Does some query on the index's table need it (see the file header)?
 * *on gets the queries that read its table.
 */
static bool
needed(List *dqs, Oid relid, List *members, List *picks, List **on)
{
	ListCell   *lc;

	*on = NIL;
	foreach(lc, dqs)
	{
		DropQuery  *d = lfirst(lc);
		bool		uses = false;
		ListCell   *lm;
		double		without;

		if (!list_member_oid(d->q->relids, relid))
			continue;
		*on = lappend(*on, d);
		foreach(lm, members)
			uses |= list_member_oid(d->used, lfirst_oid(lm));
		if (!uses)
			continue;
		CHECK_FOR_INTERRUPTS();
		without = plan_picks(d->q, picks, members, NULL);
		if (without - d->cost >= IA_MIN_GAIN_COST &&
			without >= d->cost * (1.0 + IA_MIN_GAIN))
			return true;
	}
	return false;
}

/* The advised index that makes indexoid redundant, or NULL. */
static IaCand *
redundant_by(Oid indexoid, List *picks)
{
	ListCell   *lc;
	Relation	irel = index_open(indexoid, AccessShareLock);
	IaCand	   *by = NULL;

	foreach(lc, picks)
	{
		IaCand	   *c = lfirst(lc);

		if (c->relid == irel->rd_index->indrelid && ia_advise_is_prefix_of(irel, c))
		{
			by = c;
			break;
		}
	}
	index_close(irel, AccessShareLock);
	return by;
}

/* The index name of pick "by" (names parallel to picks), or NULL. */
static const char *
pick_name(List *picks, List *names, IaCand *by)
{
	ListCell   *lp;
	ListCell   *ln;

	forboth(lp, picks, ln, names)
		if (lfirst(lp) == by)
			return quote_identifier(strVal(lfirst(ln)));
	return NULL;
}

/* One drop row. */
static void
drop_row(ReturnSetInfo *rsinfo, Oid indexoid, Oid relid, List *members,
		 List *on, char *note)
{
	Datum		v[ADV_COLS];
	bool		nulls[ADV_COLS];
	ArrayBuildState *qa = NULL;
	ListCell   *lc;
	bool		partitioned = get_rel_relkind(indexoid) == RELKIND_PARTITIONED_INDEX;

	foreach(lc, on)
		qa = accumArrayResult(qa, CStringGetTextDatum(((DropQuery *) lfirst(lc))->q->text),
							  false, TEXTOID, CurrentMemoryContext);
	memset(nulls, true, sizeof(nulls));
	nulls[1] = nulls[2] = nulls[3] = nulls[8] = false;
	v[1] = CStringGetTextDatum(psprintf("DROP INDEX %s%s",
										partitioned ? "" : "CONCURRENTLY ",
										index_display_name(indexoid)));
	v[2] = CStringGetTextDatum(get_rel_name(relid));
	v[3] = Int64GetDatum(index_bytes(members));
	nulls[4] = (qa == NULL);
	v[4] = qa ? makeArrayResult(qa, CurrentMemoryContext) : (Datum) 0;
	v[8] = CStringGetTextDatum(note);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
}

/* The evidence: what covers it, what was planned, what the statistics say. */
static char *
drop_note(Oid indexoid, Oid relid, const char *by_name, List *on,
		  bool workload, Oid caller)
{
	StringInfoData s;
	char	   *table = get_rel_name(relid);

	initStringInfo(&s);
	if (by_name)
		appendStringInfo(&s, "made redundant by the advised %s (its keys begin with this index's); ",
						 by_name);
	if (on == NIL)
		appendStringInfo(&s, "no %s reads %s",
						 workload ? "workload statement" : "given query", table);
	else if (list_length(on) == 1)
		appendStringInfo(&s, "the %s on %s does not need it with the advised indexes (planned with it hidden, it costs less than %d%% more)",
						 workload ? "workload statement" : "given query",
						 table, (int) (IA_MIN_GAIN * 100));
	else
		appendStringInfo(&s, "none of the %d %s on %s needs it with the advised indexes (planned with it hidden, none costs %d%% more)",
						 list_length(on),
						 workload ? "workload statements" : "given queries",
						 table, (int) (IA_MIN_GAIN * 100));
	if (!pg_class_ownercheck(indexoid, caller))
		appendStringInfo(&s, "; idx_apply_script would refuse it to you (42501: must be owner of index %s); the table's owner can drop it",
						 get_rel_name(indexoid));
	if (workload)
		appendStringInfo(&s, "; idx_scan = %lld in pg_stat_user_indexes",
						 (long long) DatumGetInt64(DirectFunctionCall1(pg_stat_get_numscans,
																	   ObjectIdGetDatum(indexoid))));
	return s.data;
}

/*
 * ia_advise_emit_drops -- the drop rows for the picks (names: their index
 * names, in the order of picks); see the file header.
 */
void
ia_advise_emit_drops(AdvState *st, List *picks, List *names, bool workload,
					 ReturnSetInfo *rsinfo)
{
	List	   *dqs = NIL;
	List	   *tables = NIL;
	ListCell   *lc;

	/* the tables to look at: the picks' (idx_advise), all read (workload) */
	foreach(lc, picks)
		tables = list_append_unique_oid(tables, ((IaCand *) lfirst(lc))->relid);
	if (workload)
		foreach(lc, st->queries)
			tables = list_concat_unique_oid(tables, ((AdvQuery *) lfirst(lc))->relids);
	/* the queries that read them, planned once with the picks */
	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);
		DropQuery  *d;
		ListCell   *lt;
		bool		reads = false;

		foreach(lt, tables)
			reads |= list_member_oid(q->relids, lfirst_oid(lt));
		if (!reads)
			continue;
		CHECK_FOR_INTERRUPTS();
		d = palloc0(sizeof(DropQuery));
		d->q = q;
		d->cost = plan_picks(q, picks, NIL, &d->used);
		dqs = lappend(dqs, d);
	}
	foreach(lc, tables)
	{
		Oid			relid = lfirst_oid(lc);
		Relation	rel;
		List	   *indexes;
		ListCell   *li;

		/* locked since its queries were prepared: it is still there */
		rel = table_open(relid, AccessShareLock);
		indexes = RelationGetIndexList(rel);
		table_close(rel, AccessShareLock);
		foreach(li, indexes)
		{
			Oid			indexoid = lfirst_oid(li);
			IaCand	   *by;
			List	   *members;
			List	   *on;

			if (!ia_advise_may_drop(indexoid))
				continue;
			by = redundant_by(indexoid, picks);
			if (by == NULL && !workload)
				continue;
			members = find_all_inheritors(indexoid, AccessShareLock, NULL);
			if (needed(dqs, relid, members, picks, &on))
				continue;
			drop_row(rsinfo, indexoid, relid, members, on,
					 drop_note(indexoid, relid, pick_name(picks, names, by),
							   on, workload, st->caller));
		}
	}
}
