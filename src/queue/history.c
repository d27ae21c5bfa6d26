/*-------------------------------------------------------------------------
 *
 * history.c
 *		The one way src/queue/ runs a statement on idx_history, and where
 *		the extension and its history table are.
 *
 * Design: every statement on idx_history made as its owner goes through
 * ia_history_exec (queue_internal.h): become the table's owner (keeping
 * SECURITY_LOCAL_USERID_CHANGE), pin search_path to pg_catalog in a new GUC
 * nest level, connect SPI, run one fixed, schema-qualified statement with
 * parameters (never a value pasted into SQL), hand each row to a reader in
 * the caller's memory context, restore.  ia_exec_as_owner is the same
 * ritual for another table of the extension (idx_hide's list), so that it
 * is written once.  The extension's schema is set once
 * per transaction (ia_queue_set_schema); its version is read from
 * pg_extension (ia_catalog_version), so that one library serves the SQL of
 * 0.1 and 0.2.
 *
 * Caller's rules: inside a transaction with an active snapshot;
 * ia_queue_set_schema() called first.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "queue_internal.h"

static Oid	history_relid(void);
static Oid	rel_owner(Oid relid);
static uint64 exec_as(Oid owner, const char *sql, int nargs, Oid *types,
					  Datum *values, const char *nulls, int flags,
					  IaRowReader reader, void *arg);

static Oid	history_nsp = InvalidOid;

/*
 * The ritual of every statement here, written once (exec_as): become
 * the history table's owner (or another extension table's, ia_exec_as_owner) (keeping SECURITY_LOCAL_USERID_CHANGE), pin
 * search_path to pg_catalog in a new GUC nest level, connect SPI, run one
 * fixed statement with parameters, hand each row to a reader in the
 * caller's memory context, then disconnect and restore.  An error leaves
 * the restoring to the (sub)transaction's abort.
 */
typedef struct OwnerSwitch
{
	Oid			save_userid;
	int			save_sec;
	int			nestlevel;
} OwnerSwitch;

static void
become_owner(Oid owner, OwnerSwitch *sw)
{
	GetUserIdAndSecContext(&sw->save_userid, &sw->save_sec);
	SetUserIdAndSecContext(owner,
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

/*
 * ia_history_exec -- run "sql" (fixed text, parameters $1.. given as for
 * SPI_execute_with_args) as the history table's owner, as above; each row
 * it returns goes to "reader" (or none), called in the caller's memory
 * context with "arg".  HX_READ_ONLY: a read; HX_LATEST: a read that sees
 * every committed row and this transaction's (a snapshot taken now, see
 * lock_drop_requests).  Returns the number of rows processed.
 */
uint64
ia_history_exec(const char *sql, int nargs, Oid *types, Datum *values,
				const char *nulls, int flags, IaRowReader reader,
				void *arg)
{
	return exec_as(rel_owner(history_relid()), sql, nargs, types, values,
				   nulls, flags, reader, arg);
}

/*
 * ia_exec_as_owner -- the same ritual for another table of the extension
 * (relid): run "sql" as that table's owner (idx_hide's record of the
 * hidden-index list, plan/hide.c).  A statement that writes.
 */
uint64
ia_exec_as_owner(Oid relid, const char *sql, int nargs, Oid *types,
				 Datum *values, const char *nulls, IaRowReader reader,
				 void *arg)
{
	return exec_as(rel_owner(relid), sql, nargs, types, values, nulls, 0,
				   reader, arg);
}

static uint64
exec_as(Oid owner, const char *sql, int nargs, Oid *types, Datum *values,
		const char *nulls, int flags, IaRowReader reader, void *arg)
{
	OwnerSwitch sw;
	MemoryContext cxt = CurrentMemoryContext;
	bool		latest = (flags & HX_LATEST) != 0;
	uint64		n;
	int			rc;

	become_owner(owner, &sw);
	if (latest)
	{
		CommandCounterIncrement();
		PushActiveSnapshot(GetLatestSnapshot());
	}
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls,
							   (flags & (HX_READ_ONLY | HX_LATEST)) != 0, 0);
	if (latest)
		PopActiveSnapshot();
	if (rc < 0)
		elog(ERROR, "index_advisor: SPI failed (%d) on: %s", rc, sql);
	n = SPI_processed;
	if (reader != NULL && n > 0)
	{
		MemoryContext spi = MemoryContextSwitchTo(cxt);

		for (uint64 i = 0; i < n; i++)
			reader(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, arg);
		MemoryContextSwitchTo(spi);
	}
	restore_user(&sw);
	return n;
}

/* A reader: the int8 in the first column (of the last row) into *(int64 *) arg. */
void
ia_read_int8(HeapTuple tup, TupleDesc desc, void *arg)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, 1, &isnull);

	*(int64 *) arg = isnull ? 0 : DatumGetInt64(d);
}

/* A reader: the int8 in the first column appended to the List ** arg. */
void
ia_read_int8_list(HeapTuple tup, TupleDesc desc, void *arg)
{
	int64	   *id = palloc(sizeof(int64));

	ia_read_int8(tup, desc, id);
	*(List **) arg = lappend(*(List **) arg, id);
}

/*
 * ia_sql_waits_to_start -- SQL true for a history row (of alias "a") that
 * waits to start: idx_waits_to_start() (09_queue.sql), where the rule is
 * written.  0.1 has no rows waiting to start (no wait_reason column:
 * held-back rows stay 'queued').
 */
char *
ia_sql_waits_to_start(const char *a)
{
	if (ia_catalog_version() < 2)
		return "false";
	return psprintf("%s(%s.status, %s.wait_reason)",
					quote_qualified_identifier(get_namespace_name(history_nsp),
											   "idx_waits_to_start"), a, a);
}

/* SQL with "%s" (or "%1$s") standing for the history table. */
char *
ia_history_sql(const char *fmt)
{
	return psprintf(fmt, ia_quoted_history());
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
rel_owner(Oid relid)
{
	HeapTuple	tuple;
	Oid			owner;

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

char *
ia_quoted_history(void)
{
	return quote_qualified_identifier(get_namespace_name(history_nsp),
									  "idx_history");
}
