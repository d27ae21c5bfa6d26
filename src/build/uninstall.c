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
 * The count is read by queue.c, as the owner of idx_history (row-level
 * security would hide other roles' rows from a non-superuser owner of the
 * extension).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/event_trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

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

	ia_queue_set_schema(nspid);
	n = ia_queue_unfinished(IA_GUARD_LIST, &list);
	if (n == 0)
		PG_RETURN_VOID();
	if (n > IA_GUARD_LIST)
		list = psprintf("%s, ...", list);
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
