/*-------------------------------------------------------------------------
 *
 * api.c
 *		The SQL-callable functions of the core: idx_apply, idx_cancel,
 *		idx_rollback (by id and by migration) and idx_kick.
 *
 * Each function runs in the caller's transaction, as the caller: what it
 * validates it validates with the caller's privileges and search_path.  The
 * history rows it writes are written by queue.c as the table's owner.
 * Workers are registered at once (while a worker slot is free, see
 * launcher.c) but see nothing before the caller's transaction commits, so a
 * rolled-back call leaves neither a row nor an index; the caller's request
 * lock keeps workers from leaving until it ends.  At most
 * index_advisor.max_workers workers are registered per transaction.
 * The build settings a request carries are captured from the caller's
 * session, within the ceilings a superuser set (index_advisor.max_build_*),
 * with its priority (idx_apply's priority argument, or
 * index_advisor.build_priority) and not_before (gentle.c, doc/gentle.md).
 * ia_apply and ia_drop_index (ia_build.h) are the same paths for script.c's
 * idx_apply_script, so that a script can do nothing idx_apply and
 * idx_rollback refuse.
 * On a hot standby the writing functions fail at once (25006, nodes.c) and
 * idx_kick starts nothing; idx_rollback refuses an index a registered
 * standby uses unless forced (idx_node_users, 78_nodes.sql).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/index.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "index_advisor.h"
#include "ia_build.h"
#include "ia_plan.h"
#include "ia_definition.h"
#include "ia_script.h"
#include "job.h"
#include "ia_queue.h"
#include "ia_nodes.h"

PG_FUNCTION_INFO_V1(idx_apply);
PG_FUNCTION_INFO_V1(idx_cancel);
PG_FUNCTION_INFO_V1(idx_rollback_id);
PG_FUNCTION_INFO_V1(idx_rollback_migration);
PG_FUNCTION_INFO_V1(idx_kick);
PG_FUNCTION_INFO_V1(idx_wait_preflight);
PG_FUNCTION_INFO_V1(idx_wait_nap);
PG_FUNCTION_INFO_V1(idx_wait_nap_rows);
PG_FUNCTION_INFO_V1(idx_row_has_worker);

/* idx_wait_nap(ms, ids): how often, and how many rows, it looks at */
#define IA_NAP_PROBE_MS		10
#define IA_NAP_MAX_ROWS		64

/* workers registered by the current transaction */
static LocalTransactionId launch_lxid = InvalidLocalTransactionId;
static int	launched_in_xact = 0;

/* Every entry point starts here: the extension's schema is the function's. */
static void
set_schema_from_function(FunctionCallInfo fcinfo)
{
	ia_queue_set_schema(get_func_namespace(fcinfo->flinfo->fn_oid));
}

/* Workers registered by this transaction so far. */
static int
launched_now(void)
{
	if (MyProc->lxid != launch_lxid)
	{
		launch_lxid = MyProc->lxid;
		launched_in_xact = 0;
	}
	return launched_in_xact;
}

/* Whether this transaction wakes the waiting worker when it commits. */
static bool wake_pending = false;

static void
wake_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT && wake_pending)
		ia_wake_workers();
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		wake_pending = false;
}

static void
wake_at_commit(void)
{
	static bool registered = false;

	if (!registered)
	{
		RegisterXactCallback(wake_callback, NULL);
		registered = true;
	}
	wake_pending = true;
}

/*
 * Make sure a worker will look at the queue once this transaction commits.
 * The request lock, held until then, keeps every worker of the database
 * from leaving before it has looked; one more worker is registered per
 * queued operation while a worker slot is free, up to max_workers per
 * transaction.  Workers do nothing before this transaction ends: its rows
 * are invisible to them until it commits.  When a worker waits for work
 * (worker.c, watch()), it takes the first operation instead of a new
 * process: this transaction wakes it when it commits.  The order (the
 * request lock first, then the look for that worker) is what makes it
 * safe: the waiting worker looks for open requests after it stops waiting.
 */
static void
launch_for_this_xact(void)
{
	ia_request_lock();
	if (launched_now() == 0 && ia_watch_present() &&
		ia_slots_free(MyDatabaseId, ia_max_workers()) > 0 &&
		ia_slots_free(InvalidOid, ia_server_max_workers()) > 0)
	{
		/* a worker waits for work: it takes the first, woken at commit */
		launched_in_xact = 1;
		wake_at_commit();
	}
	else if (launched_now() < ia_max_workers())
		launched_in_xact += ia_launch_workers(1);
}

/*
 * The value a build gets for one core setting: "value" as the caller set it
 * through index_advisor.* (-1 = unset: the server's, taken as this
 * session's reset value of "guc" when a ceiling must be applied), capped by
 * "ceiling" when "capped".  A timeout of 0 means none, which no ceiling
 * allows.  Returns -1 to leave the setting to the server.
 */
static int
capped_setting(const char *guc, int value, bool capped, int ceiling,
			   bool zero_unlimited)
{
	if (!capped)
		return value;
	if (value < 0)
		value = pg_strtoint32(GetConfigOptionResetString(guc));
	if (value > ceiling || (zero_unlimited && value == 0))
		value = ceiling;
	return value;
}

static void
add_setting(Datum *elems, int *n, const char *guc, int value)
{
	if (value >= 0)
		elems[(*n)++] = CStringGetTextDatum(psprintf("%s=%d", guc, value));
}

/*
 * The build settings in force now, as "name=value" strings, within the
 * ceilings a superuser set (index_advisor.max_build_*).
 */
static ArrayType *
capture_build_settings(int priority)
{
	Datum		elems[5];
	int			n = 0;

	add_setting(elems, &n, "maintenance_work_mem",
				capped_setting("maintenance_work_mem",
							   ia_build_maintenance_work_mem(),
							   ia_max_build_maintenance_work_mem() > 0,
							   ia_max_build_maintenance_work_mem(), false));
	add_setting(elems, &n, "lock_timeout",
				capped_setting("lock_timeout", ia_build_lock_timeout(),
							   ia_max_build_lock_timeout() > 0,
							   ia_max_build_lock_timeout(), true));
	add_setting(elems, &n, "statement_timeout",
				capped_setting("statement_timeout", ia_build_statement_timeout(),
							   ia_max_build_statement_timeout() > 0,
							   ia_max_build_statement_timeout(), true));
	add_setting(elems, &n, "max_parallel_maintenance_workers",
				capped_setting("max_parallel_maintenance_workers",
							   ia_build_max_parallel(),
							   ia_max_build_max_parallel() >= 0,
							   ia_max_build_max_parallel(), false));
	/* the priority: never above the ceiling (gentle.c) */
	priority = Max(priority, ia_max_build_priority());
	if (priority != IA_PRIO_NORMAL)
		elems[n++] = CStringGetTextDatum(psprintf("index_advisor.build_priority=%s",
												  ia_priority_name(priority)));
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * The gentle-build arguments of idx_apply (0.2: priority text, not_before
 * timestamptz, both DEFAULT NULL; 0.1's idx_apply has neither): the
 * priority level (NULL: index_advisor.build_priority) and not_before (0:
 * none).
 */
static void
gentle_args(FunctionCallInfo fcinfo, int *priority, TimestampTz *not_before)
{
	*priority = ia_build_priority();
	*not_before = 0;
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		*priority = ia_priority_parse(text_to_cstring(PG_GETARG_TEXT_PP(3)));
	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
	{
		*not_before = PG_GETARG_TIMESTAMPTZ(4);
		if (TIMESTAMP_NOT_FINITE(*not_before))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("not_before must be a finite time"),
					 errhint("Pass a time such as now() + interval '1 hour', or NULL to start as soon as possible.")));
	}
}

/*
 * ia_apply -- idx_apply's work, for idx_apply() and idx_apply_script():
 * validate the definition and the queries as the caller, queue the build
 * and make sure a worker will take it.  Returns the history id, or 0 (with
 * a NOTICE) for IF NOT EXISTS and an existing valid index of that name and
 * definition.  "priority" and "not_before" (0: none) as gentle_args().
 */
int64
ia_apply(const char *definition, ArrayType *queries, const char *migration,
		 int priority, TimestampTz not_before)
{
	IaDefinition *def;
	int64		id;

	ia_refuse_during_recovery("idx_apply()");
	ia_check_label(migration);
	if (definition == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("index definition must not be null")));

	def = ia_resolve_definition(definition);
	if (def->skip)
		return 0;
	if (queries != NULL && ArrayGetNItems(ARR_NDIM(queries), ARR_DIMS(queries)) == 0)
		queries = NULL;
	ia_check_queries(queries);

	id = ia_queue_create(def->relid, def->schema_name, def->table_name,
						 def->index_name, definition, queries, migration,
						 namespace_search_path, capture_build_settings(priority),
						 not_before);
	launch_for_this_xact();
	return id;
}

/*
 * idx_apply(definition text, queries text[] DEFAULT NULL,
 *			 migration text DEFAULT NULL, priority text DEFAULT NULL,
 *			 not_before timestamptz DEFAULT NULL,
 *			 visible boolean DEFAULT true) RETURNS bigint
 *
 * Validate the definition and the queries as the caller, then queue the
 * build.  Returns the history id, or NULL (with a NOTICE) for IF NOT EXISTS
 * and an existing valid index of that name and definition.  0.1's SQL
 * function has only the first three arguments.  visible => false: the
 * index is hidden from every planner from the start (hide.c).
 */
Datum
idx_apply(PG_FUNCTION_ARGS)
{
	ArrayType  *queries = PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1);
	char	   *migration = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	int			priority;
	TimestampTz not_before;
	int64		id;

	bool		visible = PG_NARGS() <= 5 || PG_ARGISNULL(5) || PG_GETARG_BOOL(5);

	set_schema_from_function(fcinfo);
	gentle_args(fcinfo, &priority, &not_before);
	if (!visible)
		ia_hidden_require_preload();
	id = ia_apply(PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)),
				  queries, migration, priority, not_before);
	if (id == 0)
		PG_RETURN_NULL();
	if (!visible)
		ia_hidden_pending(id);
	PG_RETURN_INT64(id);
}

/* The index of one partition goes with its partitioned table's row. */
static void
refuse_part(IaRow *row, const char *what)
{
	if (row->parent_id != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("history row " INT64_FORMAT " cannot be %s on its own", row->id, what),
				 errdetail("It is the index of one partition, part of history row " INT64_FORMAT ".",
						   row->parent_id),
				 errhint("Use history row " INT64_FORMAT " instead.", row->parent_id)));
}

/*
 * idx_cancel(id bigint) RETURNS boolean
 *
 * A queued row is cancelled at once; a running one is flagged and its
 * worker sent a query cancel (the worker drops the INVALID leftover and
 * marks the row cancelled).  False, with a NOTICE, when it already ended.
 */
Datum
idx_cancel(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	IaRow	   *row;

	set_schema_from_function(fcinfo);
	ia_refuse_during_recovery("idx_cancel()");
	row = ia_queue_lookup(id);
	refuse_part(row, "cancelled");

	/* not started: queued, or waiting to start (deferred, no worker) */
	if (row->status == IA_QUEUED || row->deferred)
	{
		(void) ia_queue_set_status(id, row->status, IA_CANCELLED);
		PG_RETURN_BOOL(true);
	}
	if (row->status == IA_WAITING || row->status == IA_BUILDING)
	{
		int			pid = ia_queue_request_cancel(id);

		/*
		 * A 'waiting' row needs no signal: the worker's move to 'building'
		 * waits for this row lock and then sees the flag.  Signalling it
		 * would only risk hitting the worker between two steps.
		 */
		if (pid > 0 && row->status == IA_BUILDING)
			(void) ia_signal_cancel(pid);
		PG_RETURN_BOOL(true);
	}
	ereport(NOTICE,
			(errmsg("history row " INT64_FORMAT " has already ended with status \"%s\"",
					id, ia_status_name(row->status))));
	PG_RETURN_BOOL(false);
}

/*
 * rollback_target -- the index that done create row "row" built, identified
 * by the OIDs recorded at build time (index_oid, and table_oid: the index
 * must still be an index of that table), never by its name alone: an index
 * of the same name that index_advisor did not build is refused, with an
 * error that says so.  A row restored from a dump of another cluster
 * carries that cluster's index OID: its index is identified once by name on
 * the (restored) table, and recorded.
 */
static Oid
rollback_target(IaRow *row)
{
	Oid			nspid = get_namespace_oid(row->schema_name, true);
	Oid			byname = OidIsValid(nspid) ? get_relname_relid(row->index_name, nspid) : InvalidOid;
	bool		valid;

	if (row->restored && ia_index_on_table(byname, row->table_oid, &valid))
	{
		ia_queue_rebind(row->id, byname);
		return byname;
	}
	if (ia_index_on_table(row->index_oid, row->table_oid, &valid))
		return row->index_oid;
	if (OidIsValid(byname))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s.%s\" was not built by history row " INT64_FORMAT,
						row->schema_name, row->index_name, row->id),
				 errdetail("The index that history row " INT64_FORMAT " built was dropped outside index_advisor; \"%s.%s\" is another relation of the same name, which is left alone.",
						   row->id, row->schema_name, row->index_name),
				 errhint("Drop that index yourself if it is not wanted.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("index \"%s.%s\" of history row " INT64_FORMAT " does not exist",
					row->schema_name, row->index_name, row->id),
			 errdetail("The index that history row " INT64_FORMAT " built was dropped outside index_advisor.",
					   row->id)));
	return InvalidOid;			/* keep compiler quiet */
}

/*
 * An index that a registered standby used in the window
 * (index_advisor.unused_after), or whose use there is unknown (the node was
 * unreachable at the last idx_check), is not dropped unless forced: its
 * queries there would lose it.  Asked of idx_node_users() (78_nodes.sql),
 * as the caller; 0.1 has no nodes.
 */
static void
refuse_used_on_standby(IaRow *row, bool force)
{
	char	   *users = NULL;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	MemoryContext cxt = CurrentMemoryContext;

	if (force || ia_catalog_version() < 2)
		return;
	values[0] = Int64GetDatum(row->id);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT %s.idx_node_users($1)",
									   quote_identifier(get_namespace_name(ia_queue_schema()))),
							  1, types, values, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v != NULL)
			users = MemoryContextStrdup(cxt, v);
	}
	SPI_finish();
	if (users != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("index \"%s.%s\" of history row " INT64_FORMAT " may still be used on a standby",
						row->schema_name, row->index_name, row->id),
				 errdetail("%s.", users),
				 errhint("Queries on that standby would lose the index. To drop it anyway: idx_rollback(" INT64_FORMAT ", force => true).",
						 row->id)));
}

/*
 * Queue the drop that reverts create row "id"; returns the new id.  The
 * drop row is labelled "migration", or the create row's label when NULL.
 */
static int64
rollback_one(int64 id, const char *migration, bool force)
{
	IaRow	   *row = ia_queue_lookup(id);
	Oid			indexoid;

	refuse_part(row, "rolled back");

	/* a hide in effect: unhide (hide.c) */
	if (strcmp(row->operation, "hide") == 0 && row->status == IA_DONE)
		return ia_hidden_rollback(id, row->table_oid);
	if (strcmp(row->operation, "create") != 0 || row->status != IA_DONE)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("history row " INT64_FORMAT " cannot be rolled back", id),
				 errdetail("It is a %s with status \"%s\"; only creates whose build is done, and hides in effect, can be rolled back.",
						   row->operation, ia_status_name(row->status))));

	ia_queue_refuse_second_rollback(id);
	indexoid = rollback_target(row);
	if (!ia_table_ownercheck(indexoid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_INDEX, get_rel_name(indexoid));
	refuse_used_on_standby(row, force);

	/* the drop row names the index as it is called now, and keeps its OID */
	row->index_oid = indexoid;
	row->schema_name = get_namespace_name(get_rel_namespace(indexoid));
	row->index_name = get_rel_name(indexoid);
	if (migration != NULL)
		row->migration = pstrdup(migration);
	id = ia_queue_drop(row,
					   psprintf("DROP INDEX CONCURRENTLY %s",
								quote_qualified_identifier(row->schema_name,
														   row->index_name)));
	launch_for_this_xact();
	return id;
}

/*
 * ia_drop_index -- queue DROP INDEX CONCURRENTLY of index "indexoid" for
 * idx_apply_script, as the caller, who must own its table.  An index that
 * index_advisor built is rolled back (its create row becomes rolled_back
 * once dropped); any other gets a drop row of its own.  Returns the id.
 */
int64
ia_drop_index(Oid indexoid, const char *migration)
{
	Oid			tableoid = IndexGetRelation(indexoid, false);
	char	   *schema_name = get_namespace_name(get_rel_namespace(indexoid));
	char	   *index_name = get_rel_name(indexoid);
	int64		row;
	int64		id;

	ia_check_label(migration);
	if (!ia_table_ownercheck(indexoid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_INDEX, index_name);
	row = ia_queue_index_row(indexoid);
	if (row != 0)
		return rollback_one(row, migration, false);
	id = ia_queue_drop_index(indexoid, tableoid, schema_name,
							 get_rel_name(tableoid), index_name,
							 psprintf("DROP INDEX CONCURRENTLY %s",
									  quote_qualified_identifier(schema_name,
																 index_name)),
							 migration);
	launch_for_this_xact();
	return id;
}

/*
 * idx_rollback(id bigint, force boolean DEFAULT false) RETURNS bigint
 *
 * Queue DROP INDEX CONCURRENTLY of an index built by idx_apply.  (0.1
 * declares it without "force".)
 */
Datum
idx_rollback_id(PG_FUNCTION_ARGS)
{
	bool		force = PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);

	set_schema_from_function(fcinfo);
	ia_refuse_during_recovery("idx_rollback()");
	PG_RETURN_INT64(rollback_one(PG_GETARG_INT64(0), NULL, force));
}

/*
 * idx_rollback(migration text, force boolean DEFAULT false) RETURNS SETOF bigint
 *
 * Queue the drops of every index of a migration whose build is done,
 * newest first (the workers take them in that order).
 */
Datum
idx_rollback_migration(PG_FUNCTION_ARGS)
{
	char	   *migration = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		force = PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *ids;
	ListCell   *lc;

	set_schema_from_function(fcinfo);
	ia_refuse_during_recovery("idx_rollback()");
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	ids = ia_queue_migration_rows(migration);
	if (ids == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("migration \"%s\" has no index to roll back", migration),
				 errdetail("No create of this migration visible to you has status \"%s\".",
						   ia_status_name(IA_DONE))));
	foreach(lc, ids)
	{
		Datum		value = Int64GetDatum(rollback_one(*(int64 *) lfirst(lc), NULL, force));
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
	return (Datum) 0;
}

/*
 * idx_kick() RETURNS integer
 *
 * Start workers if the queue needs them: rows left running by a dead
 * worker, queued rows that could start now, queued rows and no worker at
 * all, or INVALID leftovers of failed builds still to drop and no worker;
 * never more than there are free worker slots (launcher.c).  Returns how
 * many started.  First, rows restored from a dump get this cluster's index
 * OIDs (ia_queue_rebind_restored).
 */
Datum
idx_kick(PG_FUNCTION_ARGS)
{
	int			queued,
				stale,
				eligible,
				next_ms;
	int			wanted;

	set_schema_from_function(fcinfo);
	/* a standby starts no worker (they start once recovery ends) */
	if (RecoveryInProgress())
		PG_RETURN_INT32(0);
	(void) ia_queue_rebind_restored();

	/*
	 * The server-wide start conditions are the worker's to judge (this
	 * session may not see every backend or standby): taken as holding here.
	 * While a worker watches the rows that may not start yet, it alone
	 * starts them, at its own pace; only rows left by a dead worker need one
	 * more.
	 */
	ia_queue_pending(ia_max_workers_per_role(), true, &queued, &stale,
					 &eligible, &next_ms);
	wanted = Max(eligible, stale > 0 ? 1 : 0);
	if (ia_watch_present())
	{
		/*
		 * The watching worker takes the rows that can start, and retries
		 * the leftovers, woken now.
		 */
		if (eligible > 0 || ia_queue_leftovers(1, CurrentMemoryContext) != NIL)
			ia_wake_workers();
		wanted = stale > 0 ? 1 : 0;
	}
	else if (ia_slots_free(MyDatabaseId, ia_max_workers()) == ia_max_workers())
	{
		/* no worker at all: one waits for the rest, or retries leftovers */
		if (queued > 0 ||
			(wanted == 0 && ia_queue_leftovers(1, CurrentMemoryContext) != NIL))
			wanted = Max(wanted, 1);
	}
	wanted = Min(wanted, ia_max_workers() - launched_now());
	if (wanted <= 0)
		PG_RETURN_INT32(0);
	wanted = ia_launch_workers(wanted);
	launched_in_xact += wanted;
	PG_RETURN_INT32(wanted);
}

/*
 * idx_wait_preflight() RETURNS void
 *
 * idx_wait commits between polls: refuse, in words, to start inside an
 * explicit transaction block (where its first COMMIT would fail with
 * "invalid transaction termination", and where its snapshot would hold up
 * the very build it waits for).
 */
Datum
idx_wait_preflight(PG_FUNCTION_ARGS)
{
	if (IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("idx_wait cannot run inside a transaction block"),
				 errdetail("It commits between polls, so that its snapshot does not hold up CREATE INDEX CONCURRENTLY."),
				 errhint("COMMIT first, then CALL idx_wait() on its own.")));
	PG_RETURN_VOID();
}

/* idx_wait_nap's start: a procedure call outside a transaction block. */
static void
nap_begin(FunctionCallInfo fcinfo)
{
	if (fcinfo->context == NULL || !IsA(fcinfo->context, CallContext) ||
		castNode(CallContext, fcinfo->context)->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("idx_wait_nap must be called from a procedure outside a transaction block")));
	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect_ext failed");
	SPI_commit();
}

/* Sleep up to ms on the latch; false if the time is up. */
static bool
nap_step(TimestampTz until)
{
	long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);

	if (left <= 0)
		return false;
	(void) ia_nap(Min(left, IA_NAP_PROBE_MS), PG_WAIT_EXTENSION);
	return true;
}

/*
 * CALL idx_wait_nap(ms integer)
 *
 * Sleep between two polls of idx_wait, holding no snapshot: commit first
 * (which also releases the snapshot of this CALL), then wait on the latch.
 * A PERFORM pg_sleep() would hold one, and CREATE INDEX CONCURRENTLY's
 * wait for older snapshots would wait for the end of every nap.
 */
Datum
idx_wait_nap(PG_FUNCTION_ARGS)
{
	int			ms = PG_ARGISNULL(0) ? 100 : Max(1, Min(PG_GETARG_INT32(0), 10000));

	nap_begin(fcinfo);
	(void) ia_nap(ms, PG_WAIT_EXTENSION);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * Of the history ids in array "arr" (or none), the first IA_NAP_MAX_ROWS
 * that the caller reads in idx_history (its row policies, as idx_wait's own
 * look-ups): a nap probes no other row's lock.
 */
static int
visible_rows(Datum arr, int64 *out)
{
	Oid			types[1] = {INT8ARRAYOID};
	Datum		values[1] = {arr};
	int			n = 0;

	if (arr == (Datum) 0)
		return 0;
	if (SPI_execute_with_args(psprintf("SELECT id FROM %s WHERE id OPERATOR(pg_catalog.=) ANY ($1)"
									   " ORDER BY id LIMIT %d",
									   quote_qualified_identifier(get_namespace_name(ia_queue_schema()),
																  "idx_history"),
									   IA_NAP_MAX_ROWS),
							  1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "idx_wait_nap: reading idx_history failed");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			out[n++] = DatumGetInt64(d);
	}
	return n;
}

/*
 * CALL idx_wait_nap(ms integer, ids bigint[])
 *
 * The same nap, cut short when a worker takes or lets go of one of the
 * rows "ids" that the caller reads (the row lock, ia_queue.h): idx_wait
 * sees a build start and end at once, and reads the progress views once
 * per nap otherwise (each look costs CPU that the build it waits for would
 * use).
 */
Datum
idx_wait_nap_rows(PG_FUNCTION_ARGS)
{
	int			ms = PG_ARGISNULL(0) ? 100 : Max(1, Min(PG_GETARG_INT32(0), 10000));
	int64		ids[IA_NAP_MAX_ROWS];
	bool		had[IA_NAP_MAX_ROWS];
	int			n;
	TimestampTz until;
	bool		changed = false;

	set_schema_from_function(fcinfo);
	nap_begin(fcinfo);
	n = visible_rows(PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1), ids);
	SPI_commit();				/* no snapshot while it naps */
	for (int i = 0; i < n; i++)
		had[i] = ia_row_has_worker(ids[i]);
	until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);
	while (!changed && nap_step(until))
	{
		for (int i = 0; i < n && !changed; i++)
			changed = ia_row_has_worker(ids[i]) != had[i];
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * idx_row_has_worker(id bigint) RETURNS boolean
 *
 * Internal (idx_check): whether a worker is running history row "id".  It
 * asks the row's lock (ia_queue.h), the one test of "the worker is gone"
 * that the queue uses too: no pid and no clock is trusted.
 */
Datum
idx_row_has_worker(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ia_row_has_worker(PG_GETARG_INT64(0)));
}
