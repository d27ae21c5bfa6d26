/*-------------------------------------------------------------------------
 *
 * uninstall.c
 *		The guard of DROP EXTENSION index_advisor: an event trigger that
 *		refuses to drop the extension while operations are unfinished.
 *
 * Design.  Dropping the extension drops idx_history, which is also the
 * queue: a build in progress would lose the row it records into (its worker
 * fails, the index it leaves may stay INVALID) and a queued build would be
 * forgotten.  So the event trigger idx_drop_guard (ddl_command_start, on
 * DROP EXTENSION and DROP SCHEMA, created by the 0.2 SQL) reads the parse
 * tree: when the statement would drop index_advisor (by name, or by
 * dropping the schema it lives in) and idx_history has rows that are
 * queued, waiting or building, it raises 55006 naming them, with a hint to
 * wait (CALL idx_wait()) or cancel (idx_cancel()).  Nothing has been
 * dropped yet when it fires.  The trigger cannot see DROP OWNED or DROP
 * DATABASE; see doc/upgrading.md.
 *
 * The count is read as the owner of idx_history (row-level security would
 * hide other roles' rows from a non-superuser owner of the extension).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_queue.h"

PG_FUNCTION_INFO_V1(idx_drop_guard);

/* how many unfinished rows the error names */
#define IA_GUARD_LIST	10

/* Does a DROP of "names" (String nodes) name "name"? */
static bool
names_include(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, String) && strcmp(strVal(n), name) == 0)
			return true;
	}
	return false;
}

/* The owner of relation "relid". */
static Oid
relation_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * unfinished -- the number of unfinished top-level rows of idx_history in
 * schema "nspid", and in *list the first few as "id (status)".
 */
static int64
unfinished(Oid nspid, char **list)
{
	Oid			relid = get_relname_relid("idx_history", nspid);
	Oid			save_userid;
	int			save_sec;
	int			nestlevel;
	int64		n = 0;
	bool		isnull;

	*list = NULL;
	if (!OidIsValid(relid))
		return 0;
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(relation_owner(relid),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("SELECT pg_catalog.count(*),"
							 " pg_catalog.string_agg(pg_catalog.format('%%s (%%s)', id, status), ', ' ORDER BY id)"
							 "   FILTER (WHERE r OPERATOR(pg_catalog.<=) %d)"
							 " FROM (SELECT id, status, pg_catalog.row_number() OVER (ORDER BY id) AS r"
							 "         FROM %s.idx_history"
							 "        WHERE status OPERATOR(pg_catalog.=) ANY ('{queued,waiting,building}')"
							 "          AND parent_id IS NULL) u",
							 IA_GUARD_LIST,
							 quote_identifier(get_namespace_name(nspid))),
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "index_advisor: could not count unfinished operations");
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
									SPI_tuptable->tupdesc, 1, &isnull));
	if (n > 0)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		*list = psprintf("%s%s", s, n > IA_GUARD_LIST ? ", ..." : "");
	}
	SPI_finish();
	AtEOXact_GUC(true, nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
	return n;
}

/*
 * idx_drop_guard() RETURNS event_trigger -- ddl_command_start on DROP
 * EXTENSION and DROP SCHEMA: refuse to drop index_advisor while operations
 * are unfinished.
 */
Datum
idx_drop_guard(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	DropStmt   *stmt;
	Oid			nspid;
	bool		by_schema;
	char	   *list;
	int64		n;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "idx_drop_guard: not fired by the event trigger manager");
	trigdata = (EventTriggerData *) fcinfo->context;
	if (!IsA(trigdata->parsetree, DropStmt))
		PG_RETURN_VOID();
	stmt = (DropStmt *) trigdata->parsetree;

	nspid = ia_extension_schema();
	if (!OidIsValid(nspid))
		PG_RETURN_VOID();
	by_schema = stmt->removeType == OBJECT_SCHEMA;
	if (!(stmt->removeType == OBJECT_EXTENSION && names_include(stmt->objects, IA_NAME)) &&
		!(by_schema && names_include(stmt->objects, get_namespace_name(nspid))))
		PG_RETURN_VOID();

	n = unfinished(nspid, &list);
	if (n == 0)
		PG_RETURN_VOID();
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_IN_USE),
			 by_schema ?
			 errmsg("cannot drop schema \"%s\": extension index_advisor in it has " INT64_FORMAT " unfinished operation(s)",
					get_namespace_name(nspid), n) :
			 errmsg("cannot drop extension index_advisor while " INT64_FORMAT " of its operations are unfinished",
					n),
			 errdetail("Unfinished history rows: %s.", list),
			 errhint("Wait for each with CALL idx_wait(id), or stop it with idx_cancel(id), then drop the extension again.")));
	PG_RETURN_VOID();
}
