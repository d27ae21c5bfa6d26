/*-------------------------------------------------------------------------
 *
 * hide.c
 *		SQL-callable idx_hide(index) and idx_unhide(index), and the
 *		rollback of a hide row (idx_rollback, via api.c).
 *
 * Design.  Who may, and what may be hidden, is decided here, as the
 * caller: the owner of the index's table (as for DROP INDEX) or a member
 * of index_advisor_admin; a valid index of a user table, not a partitioned
 * index (its partitions' indexes are what plans use: hide those); never on
 * a standby; only when every session has the planner filter (hidden.c:
 * the library is preloaded).  What a hide or unhide writes (a history row
 * of operation hide/unhide, status done; the row of the list table; the
 * hide row becomes rolled_back when an unhide reverts it) is written once,
 * in SQL: idx_hidden_record() (84_hidden.sql), which this file runs as the
 * owner of the extension's tables, as queue.c does, so that a caller gains
 * nothing but the rows that describe its request.  The list table's
 * trigger then invalidates every backend's cache and cached plans.
 *
 * A hidden index is still maintained and still enforces its constraint:
 * hiding a unique or exclusion index warns that INSERT ... ON CONFLICT
 * still uses it as its arbiter (PostgreSQL's infer_arbiter_indexes reads
 * the relation's index list, not the planner's) and foreign keys still
 * check through it, so a hide does not show what a DROP would break.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_plan.h"
#include "ia_nodes.h"
#include "ia_queue.h"

PG_FUNCTION_INFO_V1(idx_hide);
PG_FUNCTION_INFO_V1(idx_unhide);

#define ADMIN_ROLE	"index_advisor_admin"

/* The caller owns "table", or is a member of index_advisor_admin. */
static bool
may_hide_on(Oid table)
{
	Oid			admin = get_role_oid(ADMIN_ROLE, true);

	return ia_table_ownercheck(table, GetUserId()) ||
		(OidIsValid(admin) && has_privs_of_role(GetUserId(), admin));
}

/*
 * The index's table, after the checks every hide and unhide makes;
 * "hiding" adds those that only a hide needs.
 */
static Oid
check_index(Oid indexoid, bool hiding)
{
	char		relkind = get_rel_relkind(indexoid);
	char	   *name = get_rel_name(indexoid);
	Oid			table;
	HeapTuple	tup;
	Form_pg_index index;

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index with OID %u does not exist", indexoid)));
	if (relkind == RELKIND_PARTITIONED_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s partitioned index \"%s\"", hiding ? "hide" : "unhide", name),
				 errdetail("Plans use the indexes of the partitions, not the partitioned index."),
				 errhint("Hide or unhide the index of each partition.")));
	if (relkind != RELKIND_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", name)));
	table = IndexGetRelation(indexoid, false);
	if (IsCatalogRelationOid(table))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s index \"%s\" of a system catalog", hiding ? "hide" : "unhide", name)));
	if (!may_hide_on(table))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s index \"%s\"", hiding ? "hide" : "unhide", name),
				 errdetail("Only the owner of table \"%s\" and members of %s may.",
						   get_rel_name(table), ADMIN_ROLE)));
	if (hiding && ia_hidden_listed(indexoid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s\" is already hidden", name),
				 errhint("idx_hidden shows since when, and by which history row.")));
	if (!hiding && !ia_hidden_listed(indexoid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s\" is not hidden", name)));
	if (!hiding)
		return table;

	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for index %u", indexoid);
	index = (Form_pg_index) GETSTRUCT(tup);
	if (!index->indisvalid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot hide index \"%s\": it is not valid", name),
				 errdetail("The planner does not use an INVALID index anyway.")));
	if (index->indisunique || index->indisexclusion)
		ereport(WARNING,
				(errmsg("index \"%s\" still enforces its constraint while hidden", name),
				 errdetail("Hiding removes it from planning only: it still rejects %s, INSERT ... ON CONFLICT still uses it as its arbiter, and foreign keys still check through it.",
						   index->indisunique ? "duplicates" : "conflicting rows"),
				 errhint("Dropping it would break those statements; hiding it does not show that.")));
	ReleaseSysCache(tup);
	return table;
}

/*
 * Run idx_hidden_record(op, index, row_id) as the owner of the list
 * table, with the caller's identities passed in; returns the new history id.
 */
static int64
record(const char *op, Oid indexoid, int64 row_id)
{
	Oid			nsp = ia_queue_schema();
	Oid			list = get_relname_relid("idx_hidden_indexes", nsp);
	Oid			types[5] = {TEXTOID, OIDOID, INT8OID, OIDOID, OIDOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int64		id = 0;

	if (!OidIsValid(list))
		ia_require_catalog(2, "idx_hide()");
	values[0] = CStringGetTextDatum(op);
	values[1] = ObjectIdGetDatum(indexoid);
	values[2] = Int64GetDatum(row_id);
	values[3] = ObjectIdGetDatum(GetUserId());
	values[4] = ObjectIdGetDatum(GetSessionUserId());
	if (!OidIsValid(indexoid))
		nulls[1] = 'n';
	if (row_id == 0)
		nulls[2] = 'n';
	if (ia_exec_as_owner(list,
						 psprintf("SELECT %s.idx_hidden_record($1, $2, $3, $4, $5)",
								  quote_identifier(get_namespace_name(nsp))),
						 5, types, values, nulls, ia_read_int8, &id) != 1)
		elog(ERROR, "idx_hidden_record failed");
	return id;
}

static void
set_schema_on_primary(FunctionCallInfo fcinfo, const char *what)
{
	ia_queue_set_schema(get_func_namespace(fcinfo->flinfo->fn_oid));
	ia_refuse_during_recovery(what);
}

/* idx_hide(index regclass) RETURNS void */
Datum
idx_hide(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);

	set_schema_on_primary(fcinfo, "idx_hide()");
	ia_hidden_require_preload();
	(void) check_index(indexoid, true);
	(void) record("hide", indexoid, 0);
	PG_RETURN_VOID();
}

/* idx_unhide(index regclass) RETURNS void */
Datum
idx_unhide(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);

	set_schema_on_primary(fcinfo, "idx_unhide()");
	(void) check_index(indexoid, false);
	(void) record("unhide", indexoid, 0);
	PG_RETURN_VOID();
}

/*
 * ia_hidden_pending -- idx_apply(..., visible => false) queued create row
 * "id": its index is hidden from the moment it exists; the hide row is
 * recorded when the build is done (84_hidden.sql, trigger idx_hidden_built).
 * The caller has checked the preload and that the caller may build it.
 */
void
ia_hidden_pending(int64 id)
{
	(void) record("pending", InvalidOid, id);
}

/*
 * ia_hidden_rollback -- idx_rollback of hide row "id" on table "tableoid":
 * unhide the index it hid; returns the unhide row's id.  The caller
 * (api.c) has looked the row up as the caller (may act on it) and
 * refuses a row that is not a done hide.
 */
int64
ia_hidden_rollback(int64 id, Oid tableoid)
{
	if (!may_hide_on(tableoid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to unhide the index of history row " INT64_FORMAT, id),
				 errdetail("Only the owner of table \"%s\" and members of %s may.",
						   get_rel_name(tableoid), ADMIN_ROLE)));
	return record("unhide", InvalidOid, id);
}
