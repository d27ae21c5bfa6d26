/*-------------------------------------------------------------------------
 *
 * queue.c
 *		The history table idx_history, which is also the work queue.
 *
 * Every read and write of idx_history goes through this file, by SPI, with
 * fixed, schema-qualified statements and parameters (never a value pasted
 * into SQL).  Users have only SELECT on the table (and row-level security
 * shows them their own rows); the writes here run as the table's owner,
 * with search_path pinned to pg_catalog, so that a caller gains nothing but
 * the row that describes its request.
 *
 * Queue discipline: a worker claims a committed row that may start now by
 * the start rule (start_rule_sql, written once: queued or waiting to start, its
 * not_before passed, the server-wide conditions of gentle.c holding, no
 * other operation in progress on its table, its role under its share),
 * from the role with the fewest
 * operations running, oldest first (FOR UPDATE SKIP LOCKED, and claims
 * serialised by a lock no SQL session can take, see ia_locks.h, so that two
 * workers never take two rows of one table).  The worker holds a lock on
 * the row it runs; a running row whose lock is free has no worker.  Rows of an uncommitted
 * idx_apply() are invisible, so nothing is built before the caller
 * commits and nothing at all if it rolls back.
 *
 * Caller's rules: be inside a transaction with an active snapshot; call
 * ia_queue_set_schema() first (the extension's schema).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_locks.h"
#include "ia_queue.h"

static Oid	history_relid(void);
static Oid	history_owner(void);
static char *quoted_history(void);	/* "schema".idx_history */
static char *deferred_sql(const char *a);

static Oid	history_nsp = InvalidOid;

/* Run fixed bookkeeping SQL as the history table's owner. */
typedef struct OwnerSwitch
{
	Oid			save_userid;
	int			save_sec;
	int			nestlevel;
} OwnerSwitch;

static void
become_owner(OwnerSwitch *sw)
{
	GetUserIdAndSecContext(&sw->save_userid, &sw->save_sec);
	SetUserIdAndSecContext(history_owner(),
						   sw->save_sec | SECURITY_LOCAL_USERID_CHANGE);
	sw->nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

static void
restore_user(OwnerSwitch *sw)
{
	SPI_finish();
	AtEOXact_GUC(true, sw->nestlevel);
	SetUserIdAndSecContext(sw->save_userid, sw->save_sec);
}

/* The int8 in the first column of the first row SPI returned. */
static int64
spi_first_int8(void)
{
	bool		isnull;

	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 1, &isnull));
}

/* SQL with "%s" standing for the history table, made once per call. */
static char *
history_sql(const char *fmt)
{
	return psprintf(fmt, quoted_history());
}

/* SPI_execute_with_args; an SPI failure is an internal error. */
static int
spi_execute_checked(const char *sql, int nargs, Oid *types, Datum *values,
					const char *nulls, bool read_only)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls,
										   read_only, 0);

	if (rc < 0)
		elog(ERROR, "index_advisor: SPI failed (%d) on: %s", rc, sql);
	return rc;
}

void
ia_queue_set_schema(Oid nspid)
{
	history_nsp = nspid;
}

Oid
ia_queue_schema(void)
{
	return history_nsp;
}

static Oid
history_relid(void)
{
	Oid			relid;

	if (!OidIsValid(history_nsp))
		elog(ERROR, "index_advisor: schema not set");
	relid = get_relname_relid("idx_history", history_nsp);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("index_advisor is not installed in this database"),
				 errhint("Run CREATE EXTENSION index_advisor.")));
	return relid;
}

static Oid
history_owner(void)
{
	HeapTuple	tuple;
	Oid			owner;
	Oid			relid = history_relid();

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/* index_advisor's row in pg_extension: its schema and minor version */
static int
extension_lookup(Oid *nspid)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	int			version = 0;

	*nspid = InvalidOid;
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(IA_NAME));
	rel = table_open(ExtensionRelationId, AccessShareLock);
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		*nspid = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
		if (!isnull)
		{
			char	   *v = text_to_cstring(DatumGetTextPP(d));

			if (strncmp(v, "0.", 2) == 0)
				version = atoi(v + 2);
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return version;
}

/*
 * ia_catalog_version -- the minor version of the extension's SQL objects in
 * this database ("0.1" -> 1, "0.2" -> 2), 0 when it is not installed.
 *
 * The library serves every version's SQL: between the install of a new
 * package and ALTER EXTENSION index_advisor UPDATE, a database still has
 * the older objects.  Code that needs an object or column that only a
 * newer version has asks here first, and falls back to the older
 * behaviour or calls ia_require_catalog().  Needs a transaction.
 */
int
ia_catalog_version(void)
{
	Oid			nspid;

	return extension_lookup(&nspid);
}

/*
 * ia_extension_schema -- the schema of index_advisor in this database, or
 * InvalidOid when it is not installed here.  Needs a transaction.
 */
Oid
ia_extension_schema(void)
{
	Oid			nspid;

	(void) extension_lookup(&nspid);
	return nspid;
}

/*
 * ia_require_catalog -- raise an error unless the extension's SQL objects
 * are at least at "version" (see ia_catalog_version); "what" names the
 * feature for the message.
 */
void
ia_require_catalog(int version, const char *what)
{
	int			have = ia_catalog_version();

	if (have < version)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s needs index_advisor 0.%d, but this database has 0.%d",
						what, version, have),
				 errhint("Run ALTER EXTENSION index_advisor UPDATE.")));
}

static char *
quoted_history(void)
{
	return quote_qualified_identifier(get_namespace_name(history_nsp),
									  "idx_history");
}

/*
 * ia_pending_name_exists -- a queued or running create that reserves this
 * index name in this schema: a sentence naming it, or NULL.
 */
char *
ia_pending_name_exists(Oid nspid, const char *name)
{
	OwnerSwitch sw;
	Oid			types[2] = {NAMEOID, NAMEOID};
	Datum		values[2];
	char	   *result = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(get_namespace_name(nspid)));
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(name));
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT id, status FROM %s"
		  " WHERE status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"
		  "   AND operation OPERATOR(pg_catalog.=) 'create'"
		  "   AND schema_name OPERATOR(pg_catalog.=) $1"
		  "   AND index_name OPERATOR(pg_catalog.=) $2 LIMIT 1"),
		2, types, values, NULL, true);
	if (SPI_processed > 0)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		result = MemoryContextStrdup(cxt,
									 psprintf("History row %s (%s) reserves this name.", id, status));
	}
	restore_user(&sw);
	return result;
}

/*
 * ia_queue_create -- insert the 'queued' row of an idx_apply() call, not
 * to start before "not_before" (0: none).  Returns its id.  Runs in the caller's transaction.
 */
int64
ia_queue_create(Oid relid, const char *schema_name, const char *table_name,
				const char *index_name, const char *definition,
				ArrayType *queries, const char *migration,
				const char *search_path, ArrayType *settings,
				TimestampTz not_before)
{
	OwnerSwitch sw;
	Oid			roleid = GetUserId();
	Oid			types[13] = {TEXTOID, NAMEOID, NAMEOID, NAMEOID, TEXTOID,
		TEXTARRAYOID, NAMEOID, OIDOID, OIDOID, TEXTOID, TEXTARRAYOID, OIDOID,
	TIMESTAMPTZOID};
	Datum		values[13];
	char		nulls[13];
	int64		id;

	memset(nulls, ' ', sizeof(nulls));
	values[12] = TimestampTzGetDatum(not_before);
	nulls[12] = not_before != 0 ? ' ' : 'n';
	values[0] = migration ? CStringGetTextDatum(migration) : (Datum) 0;
	nulls[0] = migration ? ' ' : 'n';
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(schema_name));
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(table_name));
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(index_name));
	values[4] = CStringGetTextDatum(definition);
	values[5] = queries ? PointerGetDatum(queries) : (Datum) 0;
	nulls[5] = queries ? ' ' : 'n';
	values[6] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(roleid, false)));
	values[7] = ObjectIdGetDatum(relid);
	values[8] = ObjectIdGetDatum(roleid);
	values[9] = CStringGetTextDatum(search_path);
	values[10] = PointerGetDatum(settings);
	/* for the record: who had logged in (workers log in as the bootstrap superuser) */
	values[11] = ObjectIdGetDatum(GetAuthenticatedUserId());

	become_owner(&sw);
	spi_execute_checked(history_sql("INSERT INTO %s (migration, operation, schema_name, table_name,"
		  " index_name, definition, queries, requested_by, table_oid, role_oid,"
		  " login_role_oid, search_path, build_settings, not_before)"
		  " VALUES ($1, 'create', $2, $3, $4, $5, $6, $7, $8, $9,"
		  " $12, $10, $11, $13) RETURNING id"),
		13, types, values, nulls, false);
	id = spi_first_int8();
	restore_user(&sw);
	return id;
}

/*
 * ia_queue_lookup -- the row "id" as the caller may see it: its status and
 * whether the caller may act on it (it asked for it, has the privileges of the
 * role that did, or is superuser).  Raises "does not exist" otherwise.
 * The row stays locked FOR UPDATE until the caller's transaction ends.
 */
IaRow *
ia_queue_lookup(int64 id)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	IaRow	   *row = NULL;
	MemoryContext cxt = CurrentMemoryContext;
	char	   *sql;

	values[0] = Int64GetDatum(id);
	/* 0.1 has no index_table_oid: its index_oid is from this cluster */
	sql = psprintf("SELECT id, operation, status, schema_name, table_name, index_name,"
				   " role_oid, migration, table_oid, parent_id, index_oid,"
				   " %s IS DISTINCT FROM table_oid::pg_catalog.oid,"
				   " %s"
				   " FROM %s WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
				   ia_catalog_version() >= 2 ? "index_table_oid" : "table_oid",
				   ia_catalog_version() >= 2 ?
				   "status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_WAITING) " AND wait_reason IS NOT NULL" :
				   "false",
				   quoted_history());
	become_owner(&sw);
	spi_execute_checked(sql, 1, types, values, NULL, false);
	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(cxt);
		bool		isnull;
		Datum		d;

		row = palloc0(sizeof(IaRow));
		row->id = id;
		row->operation = SPI_getvalue(tup, desc, 2);
		row->status = ia_status_from_name(SPI_getvalue(tup, desc, 3));
		row->schema_name = SPI_getvalue(tup, desc, 4);
		row->table_name = SPI_getvalue(tup, desc, 5);
		row->index_name = SPI_getvalue(tup, desc, 6);
		row->role_oid = DatumGetObjectId(SPI_getbinval(tup, desc, 7, &isnull));
		row->migration = SPI_getvalue(tup, desc, 8);
		d = SPI_getbinval(tup, desc, 9, &isnull);
		row->table_oid = isnull ? InvalidOid : DatumGetObjectId(d);
		d = SPI_getbinval(tup, desc, 10, &isnull);
		row->parent_id = isnull ? 0 : DatumGetInt64(d);
		d = SPI_getbinval(tup, desc, 11, &isnull);
		row->index_oid = isnull ? InvalidOid : DatumGetObjectId(d);
		d = SPI_getbinval(tup, desc, 12, &isnull);
		row->restored = !isnull && DatumGetBool(d) && OidIsValid(row->index_oid);
		d = SPI_getbinval(tup, desc, 13, &isnull);
		row->deferred = !isnull && DatumGetBool(d);
		MemoryContextSwitchTo(old);
	}
	restore_user(&sw);

	if (row == NULL || !(has_privs_of_role(GetUserId(), row->role_oid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index_advisor history row " INT64_FORMAT " does not exist", id),
				 row ? errdetail("Only the role that requested it, or a role that has its privileges, can act on it.") : 0));
	return row;
}

/*
 * ia_queue_set_status -- move a row from status "from" to "to".  Returns
 * whether a row moved.
 */
bool
ia_queue_set_status(int64 id, IaStatus from, IaStatus to)
{
	OwnerSwitch sw;
	Oid			types[3] = {INT8OID, TEXTOID, TEXTOID};
	Datum		values[3];
	bool		moved;

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(ia_status_name(from));
	values[2] = CStringGetTextDatum(ia_status_name(to));
	become_owner(&sw);
	spi_execute_checked(history_sql("UPDATE %s SET status = $3,"
		  " finished_at = CASE WHEN $3 OPERATOR(pg_catalog.=) ANY (" IA_SQL_ENDED ")"
		  "                    THEN pg_catalog.clock_timestamp() ELSE finished_at END,"
		  " error_code = CASE WHEN $3 OPERATOR(pg_catalog.=) " IA_SQL(IA_S_CANCELLED)
		  "                   THEN '57014' ELSE error_code END,"
		  " error_message = CASE WHEN $3 OPERATOR(pg_catalog.=) " IA_SQL(IA_S_CANCELLED)
		  "                   THEN 'cancelled by idx_cancel() before it started'"
		  "                   ELSE error_message END"
		  " WHERE id OPERATOR(pg_catalog.=) $1"
		  "   AND status OPERATOR(pg_catalog.=) $2"),
		3, types, values, NULL, false);
	moved = SPI_processed > 0;
	restore_user(&sw);
	return moved;
}

/* ia_queue_request_cancel -- flag a running row for cancellation. */
int
ia_queue_request_cancel(int64 id)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	int			pid = 0;

	values[0] = Int64GetDatum(id);
	become_owner(&sw);
	spi_execute_checked(history_sql("UPDATE %s SET cancel_requested = true"
		  " WHERE id OPERATOR(pg_catalog.=) $1"
		  "   AND status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")"
		  " RETURNING worker_pid"),
		1, types, values, NULL, false);
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  1, &isnull);

		pid = isnull ? -1 : DatumGetInt32(d);
	}
	restore_user(&sw);
	return pid;
}

/*
 * Drop requests: "is a drop of this already live?" then INSERT is a race
 * between two transactions (neither sees the other's uncommitted row).  So
 * the check is made under a transaction lock on what is dropped (a lock
 * no SQL session can take, ia_locks.h): the create row reverted, or the
 * index dropped by OID.  A second request waits for the first transaction
 * to end, then checks with a snapshot taken after the wait
 * (check_latest): it sees the first one's row if it committed, whatever
 * the isolation level, and is refused.
 */
static void
lock_drop_requests(int64 key, uint16 kind)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) ((uint64) key >> 32),
						 (uint32) key, kind);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/* A read-only check that sees every committed row and this transaction's. */
static void
check_latest(const char *sql, int nargs, Oid *types, Datum *values)
{
	CommandCounterIncrement();
	PushActiveSnapshot(GetLatestSnapshot());
	spi_execute_checked(sql, nargs, types, values, NULL, true);
	PopActiveSnapshot();
}

/*
 * ia_queue_refuse_second_rollback -- error out when a rollback of create
 * row "id" is queued or running: asked first, before the index is looked
 * up (a drop in progress changes it).  Holds the row's drop lock until
 * the transaction ends.
 */
void
ia_queue_refuse_second_rollback(int64 id)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT8OID};
	Datum		values[1];

	values[0] = Int64GetDatum(id);
	lock_drop_requests(id, IA_LOCKTAG_DROP_ROW);
	become_owner(&sw);
	check_latest(history_sql("SELECT 1 FROM %s WHERE reverts OPERATOR(pg_catalog.=) $1"
				   " AND status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"),
				 1, types, values);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a rollback of history row " INT64_FORMAT " is already queued",
						id)));
	restore_user(&sw);
}

/*
 * ia_queue_drop -- queue the DROP INDEX CONCURRENTLY that reverts the
 * create row "orig".  Returns the new row's id.
 */
int64
ia_queue_drop(IaRow *orig, const char *definition)
{
	OwnerSwitch sw;
	Oid			roleid = GetUserId();
	Oid			types[10] = {INT8OID, TEXTOID, NAMEOID, OIDOID, OIDOID, OIDOID,
	TEXTOID, NAMEOID, NAMEOID, OIDOID};
	Datum		values[10];
	char		nulls[10];
	int64		id;
	bool		v2 = ia_catalog_version() >= 2;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(orig->id);
	values[1] = CStringGetTextDatum(definition);
	values[2] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(roleid, false)));
	values[3] = ObjectIdGetDatum(orig->table_oid);
	values[4] = ObjectIdGetDatum(roleid);
	values[5] = ObjectIdGetDatum(GetAuthenticatedUserId());
	values[6] = orig->migration ? CStringGetTextDatum(orig->migration) : (Datum) 0;
	nulls[6] = orig->migration ? ' ' : 'n';
	values[7] = DirectFunctionCall1(namein, CStringGetDatum(orig->schema_name));
	values[8] = DirectFunctionCall1(namein, CStringGetDatum(orig->index_name));
	values[9] = ObjectIdGetDatum(orig->index_oid);

	ia_queue_refuse_second_rollback(orig->id);
	become_owner(&sw);
	spi_execute_checked(psprintf("INSERT INTO %1$s (migration, operation, schema_name, table_name,"
				 " index_name, definition, requested_by, table_oid, role_oid,"
				 " login_role_oid, reverts, search_path, index_oid%2$s)"
				 " SELECT $7, 'drop', $8, h.table_name, $9, $2, $3, $4, $5, $6, $1,"
				 "        'pg_catalog', $10%3$s"
				 " FROM %1$s h WHERE h.id OPERATOR(pg_catalog.=) $1 RETURNING id",
				 quoted_history(), v2 ? ", index_table_oid" : "",
				 v2 ? ", h.table_oid::pg_catalog.oid" : ""),
		10, types, values, nulls, false);
	id = spi_first_int8();
	restore_user(&sw);
	return id;
}

/* ia_queue_migration_rows -- ids of a migration's done creates, newest first. */
List *
ia_queue_migration_rows(const char *migration)
{
	OwnerSwitch sw;
	Oid			types[2] = {TEXTOID, OIDOID};
	Datum		values[2];
	List	   *ids = NIL;
	MemoryContext cxt = CurrentMemoryContext;

	values[0] = CStringGetTextDatum(migration);
	values[1] = ObjectIdGetDatum(GetUserId());	/* the caller, before become_owner */
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT id FROM %s WHERE migration OPERATOR(pg_catalog.=) $1"
		  " AND operation OPERATOR(pg_catalog.=) 'create' AND parent_id IS NULL"
		  " AND status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_DONE)
		  " AND pg_catalog.pg_has_role($2, role_oid, 'USAGE') ORDER BY id DESC"),
		2, types, values, NULL, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int64	   *id;
		MemoryContext old = MemoryContextSwitchTo(cxt);

		id = palloc(sizeof(int64));
		*id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
										  SPI_tuptable->tupdesc, 1, &isnull));
		ids = lappend(ids, id);
		MemoryContextSwitchTo(old);
	}
	restore_user(&sw);
	return ids;
}

/*
 * stale_candidates -- ids of the rows 'waiting' or 'building' (not rows
 * waiting to start, which no worker took, nor parts of a partitioned
 * build: their parent's worker answers for them), oldest
 * first, into "ids" (in the caller's context).
 */
static List *
stale_candidates(void)
{
	OwnerSwitch sw;
	List	   *ids = NIL;
	MemoryContext cxt = CurrentMemoryContext;

	become_owner(&sw);
	spi_execute_checked(psprintf("SELECT id FROM %s h"
				 " WHERE h.status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")"
				 "   AND NOT %s AND h.parent_id IS NULL ORDER BY h.id",
				 quoted_history(), deferred_sql("h")),
		0, NULL, NULL, NULL, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
													 SPI_tuptable->tupdesc, 1, &isnull));
		MemoryContext old = MemoryContextSwitchTo(cxt);
		int64	   *p = palloc(sizeof(int64));

		*p = id;
		ids = lappend(ids, p);
		MemoryContextSwitchTo(old);
	}
	restore_user(&sw);
	return ids;
}

/*
 * ia_queue_unfinished -- how many top-level rows are queued, waiting or
 * building, and in *list (or NULL) the first "max" of them as "id (status)",
 * in the caller's memory context.  Read as the table's owner, so that
 * row-level security hides none (DROP EXTENSION's guard, uninstall.c).
 */
int64
ia_queue_unfinished(int max, char **list)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT4OID};
	Datum		values[1];
	int64		n;
	MemoryContext cxt = CurrentMemoryContext;

	*list = NULL;
	values[0] = Int32GetDatum(max);
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT pg_catalog.count(*),"
		  " pg_catalog.string_agg(pg_catalog.format('%%s (%%s)', id, status), ', ' ORDER BY id)"
		  "   FILTER (WHERE r OPERATOR(pg_catalog.<=) $1)"
		  " FROM (SELECT id, status, pg_catalog.row_number() OVER (ORDER BY id) AS r"
		  "         FROM %s"
		  "        WHERE status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"
		  "          AND parent_id IS NULL) u"),
		1, types, values, NULL, true);
	n = spi_first_int8();
	if (n > 0)
		*list = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 2));
	restore_user(&sw);
	return n;
}

/*
 * deferred_sql -- SQL true for a row (of alias "a") that waits to start:
 * status 'waiting' with a wait_reason (0.2).  A row a worker took is
 * 'waiting' with no reason until it builds; 0.1 has no rows waiting to
 * start (no wait_reason column: held-back rows stay 'queued').
 */
static char *
deferred_sql(const char *a)
{
	if (ia_catalog_version() < 2)
		return "false";
	return psprintf("(%1$s.status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_WAITING) " AND %1$s.wait_reason IS NOT NULL)", a);
}

/*
 * start_rule_sql -- the start rule, written once: whether a row "can start
 * now", as the CTEs "running" and "startable" ($1: the per-role share, $2:
 * the gate is open).  The claim takes its next row from "startable";
 * ia_queue_pending() counts it.  A row may start when
 *	- it is 'queued', or waiting to start (deferred_sql: 'waiting' with a
 *	  wait_reason, set by ia_queue_defer), and is not the part of a
 *	  partitioned build;
 *	- its not_before, if any, has passed (idx_apply's argument, or a retry's
 *	  delay);
 *	- the server-wide conditions hold ($2: ia_start_gate() found no reason:
 *	  the build window, replica lag, active backends; gentle.c);
 *	- no other operation runs on its table;
 *	- its role runs fewer than $1 operations (max_workers_per_role), or is
 *	  a superuser;
 * and the worker that takes it holds one of max_workers slots of the
 * database and one of server_max_workers slots of the server: a worker
 * takes both (worker.c, acquire_slots) before it claims anything, and
 * watches deferred rows without any.  "Running" is 'waiting' or
 * 'building' but not waiting to start: a deferred row holds nothing up.
 */
static char *
start_rule_sql(void)
{
	return psprintf(" running AS ("
					"  SELECT r.role_oid, r.table_oid, r.parent_id FROM %1$s r"
					"   WHERE r.status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")"
					"     AND NOT %2$s),"
					" per_role AS ("
					"  SELECT r.role_oid, pg_catalog.count(*) AS n FROM running r"
					"   WHERE r.parent_id IS NULL GROUP BY r.role_oid),"
					" startable AS ("
					"  SELECT h.id, COALESCE(c.n, 0) AS n FROM %1$s h"
					"    LEFT JOIN per_role c ON c.role_oid OPERATOR(pg_catalog.=) h.role_oid"
					"   WHERE $2 AND h.parent_id IS NULL"
					"     AND (h.status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_QUEUED) " OR %3$s)"
					"     AND (h.not_before IS NULL OR h.not_before OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp())"
					"     AND NOT EXISTS (SELECT 1 FROM running r WHERE r.table_oid OPERATOR(pg_catalog.=) h.table_oid)"
					"     AND (COALESCE(c.n, 0) OPERATOR(pg_catalog.<) $1"
					"          OR (SELECT a.rolsuper FROM pg_catalog.pg_roles a"
					"               WHERE a.oid OPERATOR(pg_catalog.=) h.role_oid)))",
					quoted_history(), deferred_sql("r"), deferred_sql("h"));
}

/*
 * ia_queue_pending -- by the start rule, with "per_role" and the gate
 * open or not: how many top-level rows have not started (queued or
 * deferred), how many of those can start now, how many are running with no
 * live worker behind them (left by a crash or a kill: no worker holds their
 * row lock), and in how many ms the next not_before is due (-1: none).
 */
void
ia_queue_pending(int per_role, bool gate_open, int *queued, int *stale,
				 int *eligible, int *next_ms)
{
	OwnerSwitch sw;
	bool		isnull;
	Datum		d;
	List	   *ids;
	ListCell   *lc;
	Oid			types[2] = {INT4OID, BOOLOID};
	Datum		values[2];

	values[0] = Int32GetDatum(per_role);
	values[1] = BoolGetDatum(gate_open);
	become_owner(&sw);
	spi_execute_checked(psprintf("WITH%2$s"
				 " SELECT pg_catalog.count(*),"
				 "  (SELECT pg_catalog.count(*) FROM startable),"
				 "  (pg_catalog.ceil(pg_catalog.date_part('epoch', pg_catalog.min(h.not_before)"
				 "    FILTER (WHERE h.not_before OPERATOR(pg_catalog.>) pg_catalog.clock_timestamp())"
				 "    OPERATOR(pg_catalog.-) pg_catalog.clock_timestamp()) OPERATOR(pg_catalog.*) 1000))::integer"
				 " FROM %1$s h WHERE h.parent_id IS NULL"
				 "   AND (h.status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_QUEUED) " OR %3$s)",
				 quoted_history(), start_rule_sql(), deferred_sql("h")),
		2, types, values, NULL, true);
	*queued = (int) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1, &isnull));
	*eligible = (int) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 2, &isnull));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	*next_ms = isnull ? -1 : DatumGetInt32(d);
	restore_user(&sw);

	*stale = 0;
	ids = stale_candidates();
	foreach(lc, ids)
		if (!ia_row_has_worker(*(int64 *) lfirst(lc)))
			(*stale)++;
}

/*
 * ia_queue_defer -- (0.2; nothing on 0.1) say on every row that has not
 * started why it may not start yet: 'waiting' with wait_reason "not before
 * ..." (idx_apply's not_before to come) or "reason" (the server-wide
 * conditions, ia_start_gate; NULL when they hold), and back to 'queued'
 * once neither holds.  Rows whose state is unchanged are not written.
 * Called by a worker that found nothing to claim, under the claim lock.
 */
void
ia_queue_defer(const char *reason)
{
	OwnerSwitch sw;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char		nulls[1] = {' '};

	if (ia_catalog_version() < 2)
		return;
	values[0] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
	nulls[0] = reason ? ' ' : 'n';
	become_owner(&sw);
	spi_execute_checked(psprintf("UPDATE %1$s h SET wait_reason = x.reason,"
				 "  status = CASE WHEN x.reason IS NULL THEN " IA_SQL(IA_S_QUEUED) " ELSE " IA_SQL(IA_S_WAITING) " END"
				 " FROM (SELECT d.id, CASE"
				 "         WHEN d.attempts OPERATOR(pg_catalog.=) 0"
				 "          AND d.not_before OPERATOR(pg_catalog.>) pg_catalog.clock_timestamp()"
				 "         THEN 'not before ' OPERATOR(pg_catalog.||)"
				 "              pg_catalog.to_char(d.not_before, 'YYYY-MM-DD HH24:MI:SSOF')"
				 "         ELSE $1 END AS reason"
				 "        FROM %1$s d"
				 "       WHERE d.status OPERATOR(pg_catalog.=) ANY ('{queued,waiting}')) x"
				 " WHERE h.id OPERATOR(pg_catalog.=) x.id AND h.parent_id IS NULL"
				 "   AND (h.status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_QUEUED) " OR %2$s)"
				 "   AND COALESCE(h.wait_reason, '') OPERATOR(pg_catalog.<>) COALESCE(x.reason, '')",
				 quoted_history(), deferred_sql("h")),
		1, types, values, nulls, false);
	restore_user(&sw);
}

/* Fill an IaJob from the current SPI row (columns as in JOB_COLUMNS). */
#define JOB_COLUMNS \
	"id, operation, schema_name, table_name, index_name, definition," \
	" table_oid, role_oid, search_path, build_settings, reverts, status, parent_id," \
	" index_oid"

static IaJob *
job_from_tuple(HeapTuple tup, TupleDesc desc, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	IaJob	   *job = palloc0(sizeof(IaJob));
	bool		isnull;
	Datum		d;

	job->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	job->is_drop = strcmp(SPI_getvalue(tup, desc, 2), "drop") == 0;
	job->schema_name = SPI_getvalue(tup, desc, 3);
	job->table_name = SPI_getvalue(tup, desc, 4);
	job->index_name = SPI_getvalue(tup, desc, 5);
	job->definition = SPI_getvalue(tup, desc, 6);
	d = SPI_getbinval(tup, desc, 7, &isnull);
	job->table_oid = isnull ? InvalidOid : DatumGetObjectId(d);
	job->role_oid = DatumGetObjectId(SPI_getbinval(tup, desc, 8, &isnull));
	job->search_path = SPI_getvalue(tup, desc, 9);
	d = SPI_getbinval(tup, desc, 10, &isnull);
	if (!isnull)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, &nulls, &n);
		for (int i = 0; i < n; i++)
			if (!nulls[i])
				job->settings = lappend(job->settings, TextDatumGetCString(elems[i]));
	}
	d = SPI_getbinval(tup, desc, 11, &isnull);
	job->reverts = isnull ? 0 : DatumGetInt64(d);
	job->status = ia_status_from_name(SPI_getvalue(tup, desc, 12));
	d = SPI_getbinval(tup, desc, 13, &isnull);
	job->parent_id = isnull ? 0 : DatumGetInt64(d);
	d = SPI_getbinval(tup, desc, 14, &isnull);
	job->index_oid = isnull ? InvalidOid : DatumGetObjectId(d);
	MemoryContextSwitchTo(old);
	return job;
}

/*
 * ia_queue_claim -- take the next job for this worker by the start rule
 * (start_rule_sql; "gate_open": ia_start_gate() found no reason), or NULL.  The
 * row moves to 'waiting' with this worker's pid, committed by the caller; the
 * worker holds the row's lock (ia_row_lock) from now until it records the
 * end of the job and calls ia_row_unlock.
 *
 * Fair shares: the row comes from the role with the fewest operations
 * running, oldest first; a role that is not a superuser never runs more
 * than "per_role" operations at once, so that the slots it cannot take
 * stay for the other roles, whatever its own builds wait for.
 */
IaJob *
ia_queue_claim(MemoryContext cxt, int per_role, bool gate_open)
{
	OwnerSwitch sw;
	IaJob	   *job = NULL;
	Oid			types[2] = {INT4OID, BOOLOID};
	Datum		values[2];
	char	   *sql;

	ia_claim_lock();			/* one claimer at a time in this database */
	values[0] = Int32GetDatum(per_role);
	values[1] = BoolGetDatum(gate_open);
	sql = psprintf("WITH%3$s,"
				   " next AS ("
				   "  SELECT h.id FROM %1$s h JOIN startable e ON e.id OPERATOR(pg_catalog.=) h.id"
				   "   ORDER BY e.n, h.id LIMIT 1 FOR UPDATE OF h SKIP LOCKED)"
				   " UPDATE %1$s u SET status = " IA_SQL(IA_S_WAITING) ", worker_pid = pg_catalog.pg_backend_pid(),"
				   "        started_at = pg_catalog.clock_timestamp(), attempts = u.attempts + 1%2$s"
				   "   FROM next WHERE u.id OPERATOR(pg_catalog.=) next.id"
				   " RETURNING u." JOB_COLUMNS,
				   quoted_history(),
				   ia_catalog_version() >= 2 ? ", wait_reason = NULL" : "",
				   start_rule_sql());
	become_owner(&sw);
	spi_execute_checked(sql, 2, types, values, NULL, false);
	if (SPI_processed > 0)
		job = job_from_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, cxt);
	restore_user(&sw);
	if (job != NULL)
		(void) ia_row_lock(job->id, true);
	return job;
}

/*
 * ia_queue_claim_stale -- take a row left 'waiting' or 'building' by a
 * worker that is gone (crash, kill): one whose row lock this worker can
 * take, and keeps, so that its leftover can be dropped.
 */
IaJob *
ia_queue_claim_stale(MemoryContext cxt)
{
	List	   *ids = stale_candidates();
	ListCell   *lc;
	IaJob	   *job = NULL;

	foreach(lc, ids)
	{
		int64		id = *(int64 *) lfirst(lc);
		OwnerSwitch sw;
		Oid			types[1] = {INT8OID};
		Datum		values[1];

		if (!ia_row_lock(id, false))
			continue;			/* its worker is alive */
		values[0] = Int64GetDatum(id);
		become_owner(&sw);
		spi_execute_checked(history_sql("WITH stale AS ("
			  "  SELECT h.id FROM %1$s h WHERE h.id OPERATOR(pg_catalog.=) $1"
			  "     AND h.status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")"
			  "   FOR UPDATE SKIP LOCKED)"
			  " UPDATE %1$s u SET worker_pid = pg_catalog.pg_backend_pid(),"
			  "        started_at = pg_catalog.clock_timestamp()"
			  "   FROM stale WHERE u.id OPERATOR(pg_catalog.=) stale.id"
			  " RETURNING u." JOB_COLUMNS),
			1, types, values, NULL, false);
		if (SPI_processed > 0)
			job = job_from_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, cxt);
		restore_user(&sw);
		if (job != NULL)
			break;
		ia_row_unlock(id);		/* it ended meanwhile */
	}
	return job;
}

/*
 * 0.2: the table's write counters (for the write cost of an index,
 * 78_nodes.sql idx_report_write_cost), as a jsonb value.
 */
#define IA_TABLE_WRITES \
	"pg_catalog.jsonb_build_object('at', pg_catalog.now()," \
	" 'ins', pg_catalog.pg_stat_get_tuples_inserted(table_oid)," \
	" 'upd', pg_catalog.pg_stat_get_tuples_updated(table_oid)," \
	" 'hot', pg_catalog.pg_stat_get_tuples_hot_updated(table_oid)," \
	" 'del', pg_catalog.pg_stat_get_tuples_deleted(table_oid))"

/* ia_queue_start_build -- 'waiting' -> 'building', unless cancelled. */
bool
ia_queue_start_build(int64 id)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		started;
	bool		v2 = ia_catalog_version() >= 2;

	values[0] = Int64GetDatum(id);
	become_owner(&sw);
	spi_execute_checked(psprintf("UPDATE %s SET status = " IA_SQL(IA_S_BUILDING) "%s"
				 " WHERE id OPERATOR(pg_catalog.=) $1 AND NOT cancel_requested",
				 quoted_history(),
				 v2 ? ", table_writes = pg_catalog.jsonb_build_object('before', " IA_TABLE_WRITES ")" : ""),
		1, types, values, NULL, false);
	started = SPI_processed > 0;
	restore_user(&sw);
	return started;
}

/*
 * ia_queue_finish -- record the end of a job: done (with the index's
 * definition and size, and with 0.2 commit_lsn, a WAL position past the
 * build's last commit, for idx_wait(replayed => true)), or failed/cancelled
 * with the error.
 */
void
ia_queue_finish(IaJob *job, Oid indexoid, ErrorData *edata, const char *extra)
{
	OwnerSwitch sw;
	Oid			types[7] = {INT8OID, OIDOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, OIDOID};
	Datum		values[7];
	char		nulls[7];
	bool		v2 = ia_catalog_version() >= 2;

	memset(nulls, ' ', sizeof(nulls));
	values[6] = ObjectIdGetDatum(job->leftover_oid);
	nulls[6] = OidIsValid(job->leftover_oid) ? ' ' : 'n';
	values[0] = Int64GetDatum(job->id);
	values[1] = ObjectIdGetDatum(indexoid);
	nulls[1] = OidIsValid(indexoid) ? ' ' : 'n';
	if (edata)
	{
		char	   *detail = edata->detail;

		if (extra)
			detail = detail ? psprintf("%s %s", detail, extra) : (char *) extra;
		values[2] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
		values[3] = CStringGetTextDatum(edata->message ? edata->message : "unknown error");
		values[4] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
		nulls[4] = detail ? ' ' : 'n';
	}
	else
	{
		nulls[2] = nulls[3] = nulls[4] = 'n';
		values[2] = values[3] = values[4] = (Datum) 0;
	}
	values[5] = Int64GetDatum(job->reverts);
	nulls[5] = job->reverts ? ' ' : 'n';

	become_owner(&sw);
	if (edata == NULL && !job->is_drop)
		spi_execute_checked(psprintf("UPDATE %s SET status = " IA_SQL(IA_S_DONE) ", finished_at = pg_catalog.clock_timestamp(),"
					 " index_oid = $2, indexdef = pg_catalog.pg_get_indexdef($2),"
					 " index_size = COALESCE((SELECT pg_catalog.sum(pg_catalog.pg_relation_size(t.relid))"
					 "                 FROM pg_catalog.pg_partition_tree($2) t WHERE t.isleaf),"
					 "               pg_catalog.pg_relation_size($2)),"
					 " error_code = NULL, error_message = NULL, error_detail = NULL%s"
					 " WHERE id OPERATOR(pg_catalog.=) $1",
					 quoted_history(),
					 v2 ? ", index_table_oid = table_oid::pg_catalog.oid,"
					 " commit_lsn = pg_catalog.pg_current_wal_lsn(),"
					 " table_writes = COALESCE(table_writes, '{}')"
					 " OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('valid', " IA_TABLE_WRITES ")" : ""),
			7, types, values, nulls, false);
	else if (edata == NULL)
	{
		spi_execute_checked(history_sql("UPDATE %s SET status = " IA_SQL(IA_S_DONE) ", finished_at = pg_catalog.clock_timestamp()"
			  " WHERE id OPERATOR(pg_catalog.=) $1"),
			7, types, values, nulls, false);
		spi_execute_checked(history_sql("UPDATE %s SET status = " IA_SQL(IA_S_ROLLED_BACK)
			  " WHERE id OPERATOR(pg_catalog.=) $6 OR parent_id OPERATOR(pg_catalog.=) $6"),
			7, types, values, nulls, false);
	}
	else
	{
		/*
		 * idx_cancel() flags the partitioned job's row and signals the worker
		 * before it commits: a part recorded in that instant would miss the
		 * flag and say 'failed'.  Wait for the flagging transaction (it holds
		 * the row locked) so that the parts read its outcome.
		 */
		if (job->parent_id != 0)
		{
			Oid			ptypes[1] = {INT8OID};
			Datum		pvalues[1] = {Int64GetDatum(job->parent_id)};

			spi_execute_checked(history_sql("SELECT 1 FROM %s WHERE id OPERATOR(pg_catalog.=) $1 FOR SHARE"),
				1, ptypes, pvalues, NULL, false);
		}
		spi_execute_checked(psprintf("UPDATE %1$s u SET status = CASE WHEN u.cancel_requested OR EXISTS ("
					 "       SELECT 1 FROM %1$s p WHERE p.id OPERATOR(pg_catalog.=) u.parent_id"
					 "          AND p.cancel_requested) THEN " IA_SQL(IA_S_CANCELLED) " ELSE " IA_SQL(IA_S_FAILED) " END,"
					 " finished_at = pg_catalog.clock_timestamp(),"
					 " error_code = $3, error_message = $4, error_detail = $5%2$s"
					 " WHERE u.id OPERATOR(pg_catalog.=) $1",
					 quoted_history(), v2 ? ", leftover_oid = $7" : ""),
			7, types, values, nulls, false);
	}
	restore_user(&sw);
}

/*
 * ia_queue_retry -- a transient failure: keep the attempt's error in
 * attempt_errors and put the row back in the queue, not to be taken before
 * delay_ms from now.  Returns false (nothing done) if a cancel was asked.
 */
bool
ia_queue_retry(IaJob *job, ErrorData *edata, int delay_ms)
{
	OwnerSwitch sw;
	Oid			types[4] = {INT8OID, TEXTOID, TEXTOID, INT4OID};
	Datum		values[4];
	bool		retried;

	values[0] = Int64GetDatum(job->id);
	values[1] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	values[2] = CStringGetTextDatum(edata->message ? edata->message : "unknown error");
	values[3] = Int32GetDatum(delay_ms);
	become_owner(&sw);
	spi_execute_checked(history_sql("UPDATE %s SET status = " IA_SQL(IA_S_QUEUED) ", worker_pid = NULL,"
		  " not_before = pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+)"
		  "              pg_catalog.make_interval(secs => $4 OPERATOR(pg_catalog./) 1000.0),"
		  " attempt_errors = attempt_errors OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
		  "     'attempt', attempts, 'started_at', started_at,"
		  "     'failed_at', pg_catalog.clock_timestamp(),"
		  "     'error_code', $2, 'error_message', $3)"
		  " WHERE id OPERATOR(pg_catalog.=) $1 AND NOT cancel_requested"),
		4, types, values, NULL, false);
	retried = SPI_processed > 0;
	restore_user(&sw);
	return retried;
}

/* ia_queue_attempts -- how many times row "id" was taken by a worker. */
int
ia_queue_attempts(int64 id)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;
	int			n = 0;

	values[0] = Int64GetDatum(id);
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT attempts FROM %s WHERE id OPERATOR(pg_catalog.=) $1"),
		1, types, values, NULL, true);
	if (SPI_processed > 0)
		n = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
	restore_user(&sw);
	return n;
}

/*
 * ia_queue_add_part -- the row of one partition's index, built by the
 * worker of the partitioned table's row "parent" (never queued on its own).
 */
IaJob *
ia_queue_add_part(IaJob *parent, Oid relid, const char *schema_name,
				  const char *table_name, const char *index_name,
				  MemoryContext cxt)
{
	OwnerSwitch sw;
	Oid			types[5] = {INT8OID, OIDOID, NAMEOID, NAMEOID, NAMEOID};
	Datum		values[5];
	IaJob	   *job;

	values[0] = Int64GetDatum(parent->id);
	values[1] = ObjectIdGetDatum(relid);
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(schema_name));
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(table_name));
	values[4] = DirectFunctionCall1(namein, CStringGetDatum(index_name));
	become_owner(&sw);
	spi_execute_checked(history_sql("INSERT INTO %1$s (migration, operation, schema_name, table_name,"
		  " index_name, definition, queries, status, requested_by, requested_at,"
		  " started_at, worker_pid, attempts, table_oid, role_oid, login_role_oid,"
		  " search_path, build_settings, parent_id)"
		  " SELECT migration, 'create', $3, $4, $5, definition, queries, " IA_SQL(IA_S_BUILDING) ","
		  "        requested_by, requested_at, pg_catalog.clock_timestamp(),"
		  "        pg_catalog.pg_backend_pid(), 1, $2, role_oid, login_role_oid,"
		  "        search_path, build_settings, id"
		  "   FROM %1$s WHERE id OPERATOR(pg_catalog.=) $1"
		  " RETURNING " JOB_COLUMNS),
		5, types, values, NULL, false);
	job = job_from_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, cxt);
	restore_user(&sw);
	return job;
}

/* ia_queue_parts -- the part rows of partitioned row "parent_id". */
List *
ia_queue_parts(int64 parent_id, MemoryContext cxt)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	List	   *parts = NIL;

	values[0] = Int64GetDatum(parent_id);
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT " JOB_COLUMNS " FROM %s WHERE parent_id OPERATOR(pg_catalog.=) $1 ORDER BY id"),
		1, types, values, NULL, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		IaJob	   *job = job_from_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, cxt);
		MemoryContext old = MemoryContextSwitchTo(cxt);

		parts = lappend(parts, job);
		MemoryContextSwitchTo(old);
	}
	restore_user(&sw);
	return parts;
}

/*
 * ia_pending_definitions -- the creates queued or running on table "relid"
 * (not parts of a partitioned build): a list of IaPending.
 */
List *
ia_pending_definitions(Oid relid)
{
	OwnerSwitch sw;
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	List	   *result = NIL;
	MemoryContext cxt = CurrentMemoryContext;

	values[0] = ObjectIdGetDatum(relid);
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT id, definition, status, index_name FROM %s"
		  " WHERE status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"
		  "   AND operation OPERATOR(pg_catalog.=) 'create' AND parent_id IS NULL"
		  "   AND table_oid OPERATOR(pg_catalog.=) $1 ORDER BY id"),
		1, types, values, NULL, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(cxt);
		IaPending  *p = palloc(sizeof(IaPending));
		bool		isnull;

		p->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		p->definition = SPI_getvalue(tup, desc, 2);
		p->status = SPI_getvalue(tup, desc, 3);
		p->index_name = SPI_getvalue(tup, desc, 4);
		result = lappend(result, p);
		MemoryContextSwitchTo(old);
	}
	restore_user(&sw);
	return result;
}

/*
 * ia_queue_rebind -- record "indexoid" as the index of create row "id",
 * identified again by name after a restore (0.2; nothing on 0.1).
 */
void
ia_queue_rebind(int64 id, Oid indexoid)
{
	OwnerSwitch sw;
	Oid			types[2] = {INT8OID, OIDOID};
	Datum		values[2];

	if (ia_catalog_version() < 2)
		return;
	values[0] = Int64GetDatum(id);
	values[1] = ObjectIdGetDatum(indexoid);
	become_owner(&sw);
	spi_execute_checked(history_sql("UPDATE %s SET index_oid = $2, index_table_oid = table_oid::pg_catalog.oid"
		  " WHERE id OPERATOR(pg_catalog.=) $1"),
		2, types, values, NULL, false);
	restore_user(&sw);
}

/*
 * ia_queue_rebind_restored -- rows restored from a dump (0.2): their
 * table_oid was resolved again by name, so it no longer equals
 * index_table_oid, and their index_oid is another cluster's.  Identify each
 * index again by its name on the restored table (NULL if there is none) and
 * record it, so that everything that reads index_oid reads this cluster's.
 * The partial index idx_history_restored_idx keeps this cheap when there is
 * nothing to do.  Returns how many rows were bound again.
 */
int
ia_queue_rebind_restored(void)
{
	OwnerSwitch sw;
	int			n;

	if (ia_catalog_version() < 2)
		return 0;
	become_owner(&sw);
	spi_execute_checked(history_sql("UPDATE %s h SET index_oid = (SELECT x.indexrelid FROM pg_catalog.pg_index x"
		  "        JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.indexrelid"
		  "        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
		  "       WHERE x.indrelid OPERATOR(pg_catalog.=) h.table_oid::pg_catalog.oid"
		  "         AND c.relname OPERATOR(pg_catalog.=) h.index_name"
		  "         AND n.nspname OPERATOR(pg_catalog.=) h.schema_name),"
		  "     index_table_oid = h.table_oid::pg_catalog.oid"
		  " WHERE h.index_oid IS NOT NULL"
		  "   AND h.index_table_oid IS DISTINCT FROM h.table_oid::pg_catalog.oid"),
		0, NULL, NULL, NULL, false);
	n = (int) SPI_processed;
	restore_user(&sw);
	return n;
}

/*
 * ia_queue_leftovers -- at most "limit" ended rows whose INVALID leftover
 * could not be dropped (0.2; NIL on 0.1), oldest first, with leftover_oid.
 */
List *
ia_queue_leftovers(int limit, MemoryContext cxt)
{
	OwnerSwitch sw;
	Oid			types[1] = {INT4OID};
	Datum		values[1];
	List	   *jobs = NIL;

	if (ia_catalog_version() < 2)
		return NIL;
	values[0] = Int32GetDatum(limit);
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT " JOB_COLUMNS ", leftover_oid FROM %s"
		  " WHERE leftover_oid IS NOT NULL"
		  "   AND status OPERATOR(pg_catalog.=) ANY (" IA_SQL_UNBUILT ")"
		  " ORDER BY id LIMIT $1"),
		1, types, values, NULL, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		IaJob	   *job = job_from_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, cxt);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		bool		isnull;

		job->leftover_oid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 15, &isnull));
		jobs = lappend(jobs, job);
		MemoryContextSwitchTo(old);
	}
	restore_user(&sw);
	return jobs;
}

/*
 * ia_queue_leftover_done -- the leftover of row "id" is gone: forget it, and
 * add "sentence" to the row's error_detail.
 */
void
ia_queue_leftover_done(int64 id, const char *sentence)
{
	OwnerSwitch sw;
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(sentence);
	become_owner(&sw);
	spi_execute_checked(history_sql("UPDATE %s SET leftover_oid = NULL,"
		  " error_detail = pg_catalog.concat_ws(' ', error_detail, $2)"
		  " WHERE id OPERATOR(pg_catalog.=) $1"),
		2, types, values, NULL, false);
	restore_user(&sw);
}

/*
 * ia_queue_index_row -- the done create row (not a partition's) that built
 * the index "indexoid", newest first; 0 when index_advisor did not build it.
 * For idx_apply_script's DROP INDEX, which then reverts that row.
 */
int64
ia_queue_index_row(Oid indexoid)
{
	OwnerSwitch sw;
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	int64		id = 0;

	values[0] = ObjectIdGetDatum(indexoid);
	become_owner(&sw);
	spi_execute_checked(history_sql("SELECT id FROM %s WHERE operation OPERATOR(pg_catalog.=) 'create'"
		  " AND status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_DONE) " AND parent_id IS NULL"
		  " AND index_oid OPERATOR(pg_catalog.=) $1 ORDER BY id DESC LIMIT 1"),
		1, types, values, NULL, true);
	if (SPI_processed > 0)
		id = spi_first_int8();
	restore_user(&sw);
	return id;
}

/*
 * ia_queue_drop_index -- queue DROP INDEX CONCURRENTLY of an index that
 * index_advisor did not build (idx_apply_script's DROP INDEX): a drop row
 * that reverts nothing, acting on the index by OID like idx_rollback's.
 * The caller has checked that the calling role owns the table.  Holds the
 * index's drop lock until the transaction ends (lock_drop_requests).
 */
int64
ia_queue_drop_index(Oid indexoid, Oid tableoid, const char *schema_name,
					const char *table_name, const char *index_name,
					const char *definition, const char *migration)
{
	OwnerSwitch sw;
	Oid			roleid = GetUserId();
	Oid			types[10] = {OIDOID, TEXTOID, NAMEOID, OIDOID, OIDOID, OIDOID,
	TEXTOID, NAMEOID, NAMEOID, NAMEOID};
	Datum		values[10];
	char		nulls[10];
	int64		id;
	bool		v2 = ia_catalog_version() >= 2;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = ObjectIdGetDatum(indexoid);
	values[1] = CStringGetTextDatum(definition);
	values[2] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(roleid, false)));
	values[3] = ObjectIdGetDatum(tableoid);
	values[4] = ObjectIdGetDatum(roleid);
	values[5] = ObjectIdGetDatum(GetAuthenticatedUserId());
	values[6] = migration ? CStringGetTextDatum(migration) : (Datum) 0;
	nulls[6] = migration ? ' ' : 'n';
	values[7] = DirectFunctionCall1(namein, CStringGetDatum(schema_name));
	values[8] = DirectFunctionCall1(namein, CStringGetDatum(table_name));
	values[9] = DirectFunctionCall1(namein, CStringGetDatum(index_name));

	lock_drop_requests(indexoid, IA_LOCKTAG_DROP_INDEX);
	become_owner(&sw);
	check_latest(history_sql("SELECT 1 FROM %s WHERE operation OPERATOR(pg_catalog.=) 'drop'"
				   " AND index_oid OPERATOR(pg_catalog.=) $1"
				   " AND status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}')"),
				 1, types, values);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a drop of index \"%s.%s\" is already queued",
						schema_name, index_name)));
	spi_execute_checked(psprintf("INSERT INTO %s (migration, operation, schema_name, table_name,"
				 " index_name, definition, requested_by, table_oid, role_oid,"
				 " login_role_oid, search_path, index_oid%s)"
				 " VALUES ($7, 'drop', $8, $9, $10, $2, $3, $4, $5, $6,"
				 "         'pg_catalog', $1%s) RETURNING id",
				 quoted_history(), v2 ? ", index_table_oid" : "",
				 v2 ? ", $4" : ""),
		10, types, values, nulls, false);
	id = spi_first_int8();
	restore_user(&sw);
	return id;
}
