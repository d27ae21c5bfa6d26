/*-------------------------------------------------------------------------
 *
 * hidden.c
 *		The planner filter of hidden indexes: a get_relation_info_hook that
 *		removes every index listed in idx_hidden_indexes from every planning
 *		of the database, in every backend that has the library loaded.
 *
 * Design.  The list is a table of the extension (idx_hidden_indexes, see
 * src/update/0.1--0.2/84_hidden.sql), so it is dumped, and replicated to
 * standbys, where the same hook reads it.  Each backend keeps the listed
 * index OIDs in a sorted array (hidden_cxt); the hook costs two tests when
 * nothing is hidden and a binary search per index otherwise, never a
 * catalog scan.  The array is rebuilt on the first planning after it went
 * stale: the table's trigger (idx_hidden_changed, below) sends a relcache
 * invalidation of the list table and of the index's table at every change;
 * the first reaches this backend's relcache callback (on a standby too: the
 * messages are in the commit record), the second makes PostgreSQL re-plan
 * every cached plan of the table (prepared statements, plpgsql), which
 * would otherwise keep using the index (DESIGN.md fact 28).  A database
 * without the extension has no list: there every relcache reset marks the
 * array stale, and the rebuild finds nothing.  A pending entry (an index
 * that idx_apply(..., visible => false) queued, named but not built yet)
 * is found by name; any relcache invalidation of its table (CREATE INDEX
 * CONCURRENTLY sends one when it creates the index, long before the index
 * is valid) makes the array stale too, so the index is hidden from birth.
 *
 * This hook acts at every nesting level and in every backend, unlike the
 * one in plan_hooks.c (which acts only on the extension's own planning); it is
 * chained after it.  Exceptions: the setting index_advisor.use_hidden_indexes
 * (one session sees them all), and ia_hidden_exempt() (idx_explain plans
 * "with" the index it checks, until the end of the transaction).
 *
 * Restored rows: a dump restores the rows before the indexes exist, with
 * the old cluster's OIDs; table_oid (regclass) is re-resolved by name,
 * index_table_oid is not, so where they differ the index is found again by
 * schema and name on that table (ia_hidden_resolve, also idx_hidden_resolve
 * for SQL: the rule once).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "index_advisor.h"
#include "ia_plan.h"
#include "ia_queue.h"

PG_FUNCTION_INFO_V1(idx_hidden_resolve);
PG_FUNCTION_INFO_V1(idx_hidden_changed);

/* the list table, by name in the extension's schema; its first columns */
#define HIDDEN_TABLE		"idx_hidden_indexes"
#define Anum_h_index_oid	1
#define Anum_h_table_oid	2
#define Anum_h_index_table	3
#define Anum_h_schema_name	4
#define Anum_h_index_name	5

static get_relation_info_hook_type prev_get_relation_info = NULL;

static bool use_hidden_indexes = false;
static bool loaded_at_preload = false;

/* the cache: sorted OIDs of the hidden indexes of this database */
static MemoryContext hidden_cxt = NULL;
static Oid *hidden_oids = NULL;
static int	n_hidden = 0;
static bool cache_valid = false;
static uint64 inval_count = 0;	/* bumped whenever the cache goes stale */
static Oid	list_relid = InvalidOid;	/* the list table, if any */
/* tables with a pending entry (an index being built hidden): their
 * relcache invalidations (the index created) make the cache stale too */
static Oid *pending_tables = NULL;
static int	n_pending = 0;

/* shown to this backend's planner anyway, until the transaction ends */
static Oid	exempt_index = InvalidOid;
static bool exempted_in_xact = false;	/* re-plan cached plans at its end */

/* The index of "table_oid" that an idx_hidden_indexes row names, or 0. */
Oid
ia_hidden_resolve(Oid index_oid, Oid table_oid, Oid index_table_oid,
				  const char *schema_name, const char *index_name)
{
	Oid			candidate = index_oid;
	HeapTuple	tup;
	bool		ok = false;

	if (table_oid != index_table_oid || !OidIsValid(index_oid))
	{
		Oid			nsp = get_namespace_oid(schema_name, true);

		candidate = OidIsValid(nsp) ? get_relname_relid(index_name, nsp) : InvalidOid;
	}
	if (!OidIsValid(candidate))
		return InvalidOid;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(candidate));
	if (HeapTupleIsValid(tup))
	{
		ok = ((Form_pg_index) GETSTRUCT(tup))->indrelid == table_oid;
		ReleaseSysCache(tup);
	}
	return ok ? candidate : InvalidOid;
}

/*
 * idx_hidden_resolve(index_oid oid, table_oid regclass, index_table_oid oid,
 *                    schema_name name, index_name name) RETURNS regclass
 */
Datum
idx_hidden_resolve(PG_FUNCTION_ARGS)
{
	Oid			oid;

	oid = ia_hidden_resolve(PG_GETARG_OID(0), PG_GETARG_OID(1), PG_GETARG_OID(2),
							NameStr(*PG_GETARG_NAME(3)),
							NameStr(*PG_GETARG_NAME(4)));
	if (!OidIsValid(oid))
		PG_RETURN_NULL();
	PG_RETURN_OID(oid);
}

/* The list table of this database's extension, or InvalidOid. */
static Oid
find_list_table(void)
{
	Oid			nsp = ia_extension_schema();

	return OidIsValid(nsp) ? get_relname_relid(HIDDEN_TABLE, nsp) : InvalidOid;
}

static void
add_pending(Oid table)
{
	if (pending_tables == NULL)
		pending_tables = MemoryContextAlloc(hidden_cxt, 8 * sizeof(Oid));
	else if (n_pending % 8 == 0)
		pending_tables = repalloc(pending_tables, (n_pending + 8) * sizeof(Oid));
	pending_tables[n_pending++] = table;
}

/*
 * Read the list again.  An invalidation that arrives while it is read
 * (a catalog look-up accepts them) leaves the cache stale: the next
 * planning reads it once more.
 */
static void
rebuild_cache(void)
{
	uint64		start = inval_count;
	Relation	rel;
	int			allocated = 8;

	MemoryContextReset(hidden_cxt);
	hidden_oids = NULL;
	n_hidden = 0;
	pending_tables = NULL;
	n_pending = 0;
	list_relid = find_list_table();
	rel = OidIsValid(list_relid) ? try_table_open(list_relid, AccessShareLock) : NULL;
	if (rel != NULL)
	{
		SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
		HeapTuple	tup;
		int			natts = RelationGetDescr(rel)->natts;
		Datum	   *v = palloc(natts * sizeof(Datum));
		bool	   *isnull = palloc(natts * sizeof(bool));

		while ((tup = systable_getnext(scan)) != NULL)
		{
			Oid			oid;

			heap_deform_tuple(tup, RelationGetDescr(rel), v, isnull);
			if (isnull[Anum_h_index_oid - 1])
				add_pending(DatumGetObjectId(v[Anum_h_table_oid - 1]));
			oid = ia_hidden_resolve(DatumGetObjectId(v[Anum_h_index_oid - 1]),
									DatumGetObjectId(v[Anum_h_table_oid - 1]),
									DatumGetObjectId(v[Anum_h_index_table - 1]),
									NameStr(*DatumGetName(v[Anum_h_schema_name - 1])),
									NameStr(*DatumGetName(v[Anum_h_index_name - 1])));
			if (!OidIsValid(oid))
				continue;
			if (hidden_oids == NULL)
				hidden_oids = MemoryContextAlloc(hidden_cxt, allocated * sizeof(Oid));
			else if (n_hidden == allocated)
			{
				allocated *= 2;
				hidden_oids = repalloc(hidden_oids, allocated * sizeof(Oid));
			}
			hidden_oids[n_hidden++] = oid;
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	if (n_hidden > 1)
		qsort(hidden_oids, n_hidden, sizeof(Oid), oid_cmp);
	cache_valid = (inval_count == start);
}

/* relcache callback: the list changed, or everything was reset */
static void
hidden_relcache_callback(Datum arg, Oid relid)
{
	bool		stale = !OidIsValid(relid) || relid == list_relid || !OidIsValid(list_relid);
	int			i;

	for (i = 0; !stale && i < n_pending; i++)
		stale = (pending_tables[i] == relid);
	if (stale)
	{
		cache_valid = false;
		inval_count++;
	}
}

/*
 * get_relation_info_hook: remove the hidden indexes.  Chained after the
 * previous hook (plan_hooks.c's, which may add hypothetical indexes: those are
 * never listed).
 */
static void
hook_hidden_get_relation_info(PlannerInfo *root, Oid relid,
							  bool inhparent, RelOptInfo *rel)
{
	ListCell   *lc;

	if (prev_get_relation_info)
		prev_get_relation_info(root, relid, inhparent, rel);

	if (rel->indexlist == NIL || use_hidden_indexes)
		return;
	if (!cache_valid)
		rebuild_cache();
	if (n_hidden == 0)
		return;
	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *info = (IndexOptInfo *) lfirst(lc);

		if (info->indexoid != exempt_index &&
			bsearch(&info->indexoid, hidden_oids, n_hidden, sizeof(Oid),
					oid_cmp) != NULL)
			rel->indexlist = foreach_delete_current(rel->indexlist, lc);
	}
}

/* Whether "indexoid" is hidden now (for the messages of hide.c). */
bool
ia_hidden_listed(Oid indexoid)
{
	if (!cache_valid)
		rebuild_cache();
	return n_hidden > 0 &&
		bsearch(&indexoid, hidden_oids, n_hidden, sizeof(Oid), oid_cmp) != NULL;
}

/*
 * Only a hidden index needs it.  Planning "with" it may fold functions
 * whose own plans get cached (DESIGN.md fact 22): at the end of the
 * transaction every cached plan of this backend is made again, so none
 * keeps the hidden index.
 */
void
ia_hidden_exempt(Oid indexoid)
{
	exempt_index = InvalidOid;
	if (OidIsValid(indexoid) && ia_hidden_listed(indexoid))
	{
		exempt_index = indexoid;
		exempted_in_xact = true;
	}
}

static void
hidden_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		exempt_index = InvalidOid;
		if (exempted_in_xact)
			ResetPlanCache();
		exempted_in_xact = false;
	}
}

/*
 * A plan cached with the other value of use_hidden_indexes must not serve
 * this session any more: re-plan them all (no catalog access here).
 */
static void
assign_use_hidden(bool newval, void *extra)
{
	if (newval != use_hidden_indexes)
		ResetPlanCache();
}

/* Whether the library list "value" names index_advisor. */
static bool
lists_us(const char *value)
{
	char	   *copy = pstrdup(value);
	List	   *names;
	ListCell   *lc;

	if (!SplitDirectoriesString(copy, ',', &names))
		return false;
	foreach(lc, names)
	{
		char	   *name = (char *) lfirst(lc);
		char	   *base = last_dir_separator(name);
		char	   *dot;

		base = base ? base + 1 : name;
		if ((dot = strrchr(base, '.')) != NULL && strcmp(dot, DLSUFFIX) == 0)
			*dot = '\0';
		if (strcmp(base, IA_NAME) == 0)
			return true;
	}
	return false;
}

/*
 * session_preload_libraries names us, set for the whole server (the
 * configuration file or the command line), so that every new session loads
 * the library; a value set per database or role is not enough.
 */
static bool
session_preloaded_everywhere(void)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();
	int			i;

	for (i = 0; i < n; i++)
	{
		struct config_generic *g = vars[i];

		if (strcmp(g->name, "session_preload_libraries") != 0)
			continue;
		if (g->reset_source > PGC_S_ARGV)
			return false;
		return lists_us(GetConfigOptionResetString(g->name));
	}
	return false;
}

void
ia_hidden_require_preload(void)
{
	if (loaded_at_preload || session_preloaded_everywhere())
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("index_advisor must be preloaded to hide indexes"),
			 errdetail("Only a preloaded library filters the planning of every session; without it the index would stay visible to the sessions that have not loaded index_advisor."),
			 errhint("Add index_advisor to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/*
 * idx_hidden_changed() RETURNS trigger: after every change of the list
 * (row level) or TRUNCATE (statement level), invalidate the relcache of
 * the list (every backend's cache goes stale) and of the index's table
 * (every cached plan of the table is made again).
 */
Datum
idx_hidden_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	rows[2];
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "idx_hidden_changed: not called as a trigger");
	CacheInvalidateRelcache(td->tg_relation);
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		CacheInvalidateRelcacheAll();
		return PointerGetDatum(NULL);
	}
	rows[0] = td->tg_trigtuple;
	rows[1] = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : NULL;
	for (i = 0; i < 2; i++)
	{
		bool		isnull;
		Oid			table;

		if (rows[i] == NULL)
			continue;
		table = DatumGetObjectId(heap_getattr(rows[i], Anum_h_table_oid,
											  RelationGetDescr(td->tg_relation),
											  &isnull));
		if (!isnull && SearchSysCacheExists1(RELOID, ObjectIdGetDatum(table)))
			CacheInvalidateRelcacheByRelid(table);
	}
	return PointerGetDatum(NULL);
}

/* Called once from _PG_init, after ia_verify_init, before MarkGUCPrefixReserved. */
void
ia_hidden_init(void)
{
	loaded_at_preload = process_shared_preload_libraries_in_progress;
	DefineCustomBoolVariable("index_advisor.use_hidden_indexes",
							 "Lets this session's planner use the indexes hidden by idx_hide().",
							 "To try a hidden index in one session before showing it to all.",
							 &use_hidden_indexes,
							 false,
							 PGC_USERSET, 0,
							 NULL, assign_use_hidden, NULL);
	hidden_cxt = AllocSetContextCreate(TopMemoryContext,
									   "index_advisor hidden indexes",
									   ALLOCSET_SMALL_SIZES);
	CacheRegisterRelcacheCallback(hidden_relcache_callback, (Datum) 0);
	RegisterXactCallback(hidden_xact_callback, NULL);
	prev_get_relation_info = get_relation_info_hook;
	get_relation_info_hook = hook_hidden_get_relation_info;
}
