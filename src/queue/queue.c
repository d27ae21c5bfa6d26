/*-------------------------------------------------------------------------
 *
 * queue.c
 *		The history table idx_history, which is also the work queue: the
 *		rows that callers' requests write and read (idx_apply, idx_cancel,
 *		idx_rollback, idx_apply_script, DROP EXTENSION's guard).
 *
 * Every write of idx_history the C code makes, and every read it makes as
 * the table's owner, goes through src/queue/ (this file, claim.c for the
 * worker's side), by SPI
 * through the one helper ia_history_exec (history.c), with fixed,
 * schema-qualified statements and parameters (never a value pasted into
 * SQL).  Users have only SELECT on the table (and row-level security shows
 * them their own rows); the statements here run as the table's owner, with
 * search_path pinned to pg_catalog, so that a caller gains nothing but the
 * row that describes its request.  Reads made as the caller, under its row
 * policies, are made where they are needed: usage.c (idx_report's tracked
 * rows), api.c (idx_wait_nap's visible rows) and the extension's SQL
 * functions.  Two SQL parts write the table themselves: idx_prune
 * (50_retention.sql) deletes old rows, and the hidden-index functions
 * (84_hidden.sql) record hides and roll them back (plan/hide.c calls them
 * through ia_exec_as_owner).
 *
 * Rows of an uncommitted idx_apply() are invisible to workers, so nothing
 * is built before the caller commits and nothing at all if it rolls back.
 * The worker's side (the start rule, claims, results) is in claim.c.
 *
 * Caller's rules: be inside a transaction with an active snapshot; call
 * ia_queue_set_schema() first (the extension's schema).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "ia_queue.h"
#include "queue_internal.h"

static void read_row(HeapTuple tup, TupleDesc desc, void *arg);

/* A reader: the sentence naming the row that reserves a name. */
static void
read_reservation(HeapTuple tup, TupleDesc desc, void *arg)
{
	*(char **) arg = psprintf("History row %s (%s) reserves this name.",
							  SPI_getvalue(tup, desc, 1),
							  SPI_getvalue(tup, desc, 2));
}

/*
 * ia_pending_name_exists -- a queued or running create that reserves this
 * index name in this schema: a sentence naming it, or NULL.
 */
char *
ia_pending_name_exists(Oid nspid, const char *name)
{
	Oid			types[2] = {NAMEOID, NAMEOID};
	Datum		values[2];
	char	   *result = NULL;

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(get_namespace_name(nspid)));
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(name));
	(void) ia_history_exec(ia_history_sql("SELECT id, status FROM %s"
										  " WHERE status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"
										  "   AND operation OPERATOR(pg_catalog.=) 'create'"
										  "   AND schema_name OPERATOR(pg_catalog.=) $1"
										  "   AND index_name OPERATOR(pg_catalog.=) $2 LIMIT 1"),
						   2, types, values, NULL, HX_READ_ONLY,
						   read_reservation, &result);
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

	(void) ia_history_exec(ia_history_sql("INSERT INTO %s (migration, operation, schema_name, table_name,"
										  " index_name, definition, queries, requested_by, table_oid, role_oid,"
										  " login_role_oid, search_path, build_settings, not_before)"
										  " VALUES ($1, 'create', $2, $3, $4, $5, $6, $7, $8, $9,"
										  " $12, $10, $11, $13) RETURNING id"),
						   13, types, values, nulls, 0, ia_read_int8, &id);
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
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	IaRow	   *row = NULL;
	char	   *sql;

	values[0] = Int64GetDatum(id);
	/* 0.1 has no index_table_oid: its index_oid is from this cluster */
	sql = psprintf("SELECT id, operation, status, schema_name, table_name, index_name,"
				   " role_oid, migration, table_oid, parent_id, index_oid,"
				   " %s IS DISTINCT FROM table_oid::pg_catalog.oid,"
				   " %s"
				   " FROM %s h WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
				   ia_catalog_version() >= 2 ? "index_table_oid" : "table_oid",
				   ia_sql_waits_to_start("h"),
				   ia_quoted_history());
	if (ia_history_exec(sql, 1, types, values, NULL, 0, read_row, &row) != 1)
		row = NULL;

	if (row == NULL || !(has_privs_of_role(GetUserId(), row->role_oid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index_advisor history row " INT64_FORMAT " does not exist", id),
				 row ? errdetail("Only the role that requested it, or a role that has its privileges, can act on it.") : 0));
	return row;
}

/* A reader: the IaRow of ia_queue_lookup (into *(IaRow **) arg). */
static void
read_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	IaRow	   *row = palloc0(sizeof(IaRow));
	bool		isnull;
	Datum		d;

	*(IaRow **) arg = row;
	row->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
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
}

/*
 * ia_queue_set_status -- move a row from status "from" to "to".  Returns
 * whether a row moved.
 */
bool
ia_queue_set_status(int64 id, IaStatus from, IaStatus to)
{
	Oid			types[3] = {INT8OID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(ia_status_name(from));
	values[2] = CStringGetTextDatum(ia_status_name(to));
	return ia_history_exec(ia_history_sql("UPDATE %s SET status = $3,"
		  " finished_at = CASE WHEN $3 OPERATOR(pg_catalog.=) ANY (" IA_SQL_ENDED ")"
		  "                    THEN pg_catalog.clock_timestamp() ELSE finished_at END,"
		  " error_code = CASE WHEN $3 OPERATOR(pg_catalog.=) " IA_SQL(IA_S_CANCELLED)
		  "                   THEN '57014' ELSE error_code END,"
		  " error_message = CASE WHEN $3 OPERATOR(pg_catalog.=) " IA_SQL(IA_S_CANCELLED)
		  "                   THEN 'cancelled by idx_cancel() before it started'"
		  "                   ELSE error_message END"
		  " WHERE id OPERATOR(pg_catalog.=) $1"
		  "   AND status OPERATOR(pg_catalog.=) $2"),
						   3, types, values, NULL, 0, NULL, NULL) > 0;
}

/* A reader: the worker_pid in the first column (-1 when null). */
static void
read_pid(HeapTuple tup, TupleDesc desc, void *arg)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, 1, &isnull);

	*(int *) arg = isnull ? -1 : DatumGetInt32(d);
}

/* ia_queue_request_cancel -- flag a running row for cancellation. */
int
ia_queue_request_cancel(int64 id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	int			pid = 0;

	values[0] = Int64GetDatum(id);
	(void) ia_history_exec(ia_history_sql("UPDATE %s SET cancel_requested = true"
										  " WHERE id OPERATOR(pg_catalog.=) $1"
										  "   AND status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")"
										  " RETURNING worker_pid"),
						   1, types, values, NULL, 0, read_pid, &pid);
	return pid;
}

/*
 * Drop requests: "is a drop of this already live?" then INSERT is a race
 * between two transactions (neither sees the other's uncommitted row).  So
 * the check is made under a transaction lock on what is dropped (a lock
 * no SQL session can take, ia_queue.h): the create row reverted, or the
 * index dropped by OID.  A second request waits for the first transaction
 * to end, then checks with a snapshot taken after the wait
 * (ia_history_exec's HX_LATEST): it sees the first one's row if it committed, whatever
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

/*
 * ia_queue_refuse_second_rollback -- error out when a rollback of create
 * row "id" is queued or running: asked first, before the index is looked
 * up (a drop in progress changes it).  Holds the row's drop lock until
 * the transaction ends.
 */
void
ia_queue_refuse_second_rollback(int64 id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];

	values[0] = Int64GetDatum(id);
	lock_drop_requests(id, IA_LOCKTAG_DROP_ROW);
	if (ia_history_exec(ia_history_sql("SELECT 1 FROM %s WHERE reverts OPERATOR(pg_catalog.=) $1"
									   " AND status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"),
						1, types, values, NULL, HX_LATEST, NULL, NULL) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a rollback of history row " INT64_FORMAT " is already queued",
						id)));
}

/*
 * ia_queue_drop -- queue the DROP INDEX CONCURRENTLY that reverts the
 * create row "orig".  Returns the new row's id.
 */
int64
ia_queue_drop(IaRow *orig, const char *definition)
{
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
	(void) ia_history_exec(psprintf("INSERT INTO %1$s (migration, operation, schema_name, table_name,"
				 " index_name, definition, requested_by, table_oid, role_oid,"
				 " login_role_oid, reverts, search_path, index_oid%2$s)"
				 " SELECT $7, 'drop', $8, h.table_name, $9, $2, $3, $4, $5, $6, $1,"
				 "        'pg_catalog', $10%3$s"
				 " FROM %1$s h WHERE h.id OPERATOR(pg_catalog.=) $1 RETURNING id",
				 ia_quoted_history(), v2 ? ", index_table_oid" : "",
				 v2 ? ", h.table_oid::pg_catalog.oid" : ""),
						   10, types, values, nulls, 0, ia_read_int8, &id);
	return id;
}

/* ia_queue_migration_rows -- ids of a migration's done creates, newest first. */
List *
ia_queue_migration_rows(const char *migration)
{
	Oid			types[2] = {TEXTOID, OIDOID};
	Datum		values[2];
	List	   *ids = NIL;

	values[0] = CStringGetTextDatum(migration);
	values[1] = ObjectIdGetDatum(GetUserId());	/* the caller, before ia_history_exec */
	(void) ia_history_exec(ia_history_sql("SELECT id FROM %s WHERE migration OPERATOR(pg_catalog.=) $1"
		  " AND operation OPERATOR(pg_catalog.=) 'create' AND parent_id IS NULL"
		  " AND status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_DONE)
		  " AND pg_catalog.pg_has_role($2, role_oid, 'USAGE') ORDER BY id DESC"),
						   2, types, values, NULL, HX_READ_ONLY,
						   ia_read_int8_list, &ids);
	return ids;
}

typedef struct Unfinished
{
	int64		n;
	char	   *list;
} Unfinished;

/* A reader: ia_queue_unfinished's count and list. */
static void
read_unfinished(HeapTuple tup, TupleDesc desc, void *arg)
{
	Unfinished *u = arg;

	ia_read_int8(tup, desc, &u->n);
	u->list = SPI_getvalue(tup, desc, 2);
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
	Oid			types[1] = {INT4OID};
	Datum		values[1];
	Unfinished	u = {0, NULL};

	values[0] = Int32GetDatum(max);
	(void) ia_history_exec(ia_history_sql("SELECT pg_catalog.count(*),"
		  " pg_catalog.string_agg(pg_catalog.format('%%s (%%s)', id, status), ', ' ORDER BY id)"
		  "   FILTER (WHERE r OPERATOR(pg_catalog.<=) $1)"
		  " FROM (SELECT id, status, pg_catalog.row_number() OVER (ORDER BY id) AS r"
		  "         FROM %s"
		  "        WHERE status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"
		  "          AND parent_id IS NULL) u"),
						   1, types, values, NULL, HX_READ_ONLY,
						   read_unfinished, &u);
	*list = u.n > 0 ? u.list : NULL;
	return u.n;
}

/* A reader: an IaPending appended to the List ** arg. */
static void
read_pending_definition(HeapTuple tup, TupleDesc desc, void *arg)
{
	IaPending  *p = palloc(sizeof(IaPending));

	ia_read_int8(tup, desc, &p->id);
	p->definition = SPI_getvalue(tup, desc, 2);
	p->status = SPI_getvalue(tup, desc, 3);
	p->index_name = SPI_getvalue(tup, desc, 4);
	p->search_path = SPI_getvalue(tup, desc, 5);
	*(List **) arg = lappend(*(List **) arg, p);
}

/*
 * ia_pending_definitions -- the creates queued or running on table "relid"
 * (not parts of a partitioned build): a list of IaPending.
 */
List *
ia_pending_definitions(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	List	   *result = NIL;

	values[0] = ObjectIdGetDatum(relid);
	(void) ia_history_exec(ia_history_sql("SELECT id, definition, status, index_name, search_path FROM %s"
		  " WHERE status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"
		  "   AND operation OPERATOR(pg_catalog.=) 'create' AND parent_id IS NULL"
		  "   AND table_oid OPERATOR(pg_catalog.=) $1 ORDER BY id"),
						   1, types, values, NULL, HX_READ_ONLY,
						   read_pending_definition, &result);
	return result;
}

/*
 * ia_queue_rebind -- record "indexoid" as the index of create row "id",
 * identified again by name after a restore (0.2; nothing on 0.1).
 */
void
ia_queue_rebind(int64 id, Oid indexoid)
{
	Oid			types[2] = {INT8OID, OIDOID};
	Datum		values[2];

	if (ia_catalog_version() < 2)
		return;
	values[0] = Int64GetDatum(id);
	values[1] = ObjectIdGetDatum(indexoid);
	(void) ia_history_exec(ia_history_sql("UPDATE %s SET index_oid = $2, index_table_oid = table_oid::pg_catalog.oid"
										  " WHERE id OPERATOR(pg_catalog.=) $1"),
						   2, types, values, NULL, 0, NULL, NULL);
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
	if (ia_catalog_version() < 2)
		return 0;
	return (int) ia_history_exec(ia_history_sql("UPDATE %s h SET index_oid = (SELECT x.indexrelid FROM pg_catalog.pg_index x"
		  "        JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.indexrelid"
		  "        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
		  "       WHERE x.indrelid OPERATOR(pg_catalog.=) h.table_oid::pg_catalog.oid"
		  "         AND c.relname OPERATOR(pg_catalog.=) h.index_name"
		  "         AND n.nspname OPERATOR(pg_catalog.=) h.schema_name),"
		  "     index_table_oid = h.table_oid::pg_catalog.oid"
		  " WHERE h.index_oid IS NOT NULL"
		  "   AND h.index_table_oid IS DISTINCT FROM h.table_oid::pg_catalog.oid"),
								 0, NULL, NULL, NULL, 0, NULL, NULL);
}

/*
 * ia_queue_index_row -- the done create row (not a partition's) that built
 * the index "indexoid", newest first; 0 when index_advisor did not build it.
 * For idx_apply_script's DROP INDEX, which then reverts that row.
 */
int64
ia_queue_index_row(Oid indexoid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	int64		id = 0;

	values[0] = ObjectIdGetDatum(indexoid);
	(void) ia_history_exec(ia_history_sql("SELECT id FROM %s WHERE operation OPERATOR(pg_catalog.=) 'create'"
		  " AND status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_DONE) " AND parent_id IS NULL"
		  " AND index_oid OPERATOR(pg_catalog.=) $1 ORDER BY id DESC LIMIT 1"),
						   1, types, values, NULL, HX_READ_ONLY, ia_read_int8, &id);
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
	if (ia_history_exec(ia_history_sql("SELECT 1 FROM %s WHERE operation OPERATOR(pg_catalog.=) 'drop'"
									   " AND index_oid OPERATOR(pg_catalog.=) $1"
									   " AND status OPERATOR(pg_catalog.=) ANY (" IA_SQL_LIVE ")"),
						1, types, values, NULL, HX_LATEST, NULL, NULL) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a drop of index \"%s.%s\" is already queued",
						schema_name, index_name)));
	(void) ia_history_exec(psprintf("INSERT INTO %s (migration, operation, schema_name, table_name,"
				 " index_name, definition, requested_by, table_oid, role_oid,"
				 " login_role_oid, search_path, index_oid%s)"
				 " VALUES ($7, 'drop', $8, $9, $10, $2, $3, $4, $5, $6,"
				 "         'pg_catalog', $1%s) RETURNING id",
				 ia_quoted_history(), v2 ? ", index_table_oid" : "",
				 v2 ? ", $4" : ""),
						   10, types, values, nulls, 0, ia_read_int8, &id);
	return id;
}
