/*-------------------------------------------------------------------------
 *
 * nodes.c
 *		Other nodes: the registry of standbys whose index usage counts
 *		(idx_node_add), the SQL functions that read their counters
 *		(idx_node_fetch_all) and replay position (idx_node_probe), the masking
 *		of connection strings, and the refusal of writing functions on a hot
 *		standby.  The connections themselves are node_conn.c's.
 *		SQL: src/update/0.1--0.2/78_nodes.sql; doc/nodes.md.
 *
 * Design.  A streaming standby keeps its own pg_stat_user_indexes, and a
 * physical standby has the primary's catalogs, so an index has the same OID
 * there: idx_check() (SECURITY DEFINER) asks every registered node at once
 * for the scans of the tracked index OIDs (idx_node_fetch_all: one statement
 * and one row per node, the counters as arrays) and stores them in
 * idx_snapshots with the node's name.  node_conn.c runs the statements
 * concurrently, keeps the connections for the next call, and bounds each
 * node by index_advisor.node_connect_timeout and
 * index_advisor.node_statement_timeout; a query cancel or statement_timeout
 * of the caller stops it at once.
 *
 * Security.  The backend connects as the operating system user of the
 * server.  As dblink and postgres_fdw require, a node registered by a role
 * that is not a superuser must carry a password in its connection string,
 * and the server it reaches must have asked for it; the check is made
 * against the role that registered the node (idx_nodes.added_by), whoever
 * runs idx_check().  Connection strings are never put in a message: a parse
 * error says only that the string is invalid (libpq's message may quote a
 * part of it), and idx_node_list shows them with every secret option
 * masked (the ones libpq marks as secret: password, sslpassword, ...).
 * idx_node_add writes the registry as the table's owner with search_path
 * pinned to pg_catalog, pg_temp (as queue.c does): nothing the caller put
 * on its path is resolved with the owner's rights.
 *
 * Settings (defined here, read by node_conn.c):
 *	index_advisor.node_connect_timeout    5s   per connection to a node
 *	index_advisor.node_statement_timeout  10s  per statement on a node
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq-fe.h"

#include "access/htup_details.h"
#include "access/xlog.h"
#include "catalog/pg_class.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "libpq/libpq-be-fe-helpers.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/wait_event.h"

#include "index_advisor.h"
#include "ia_nodes.h"
#include "ia_queue.h"
#include "node_conn.h"

PG_FUNCTION_INFO_V1(idx_node_add);
PG_FUNCTION_INFO_V1(idx_node_fetch_all);
PG_FUNCTION_INFO_V1(idx_node_probe);
PG_FUNCTION_INFO_V1(idx_conninfo_mask);
PG_FUNCTION_INFO_V1(idx_refuse_in_recovery);


void
ia_nodes_init(void)
{
	DefineCustomIntVariable("index_advisor.node_connect_timeout",
							"Longest wait for a connection to another node (idx_check, idx_node_test, idx_wait).",
							NULL,
							&ia_node_connect_timeout,
							5, 1, 3600,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("index_advisor.node_statement_timeout",
							"Longest wait for the answer of another node to one statement.",
							NULL,
							&ia_node_statement_timeout,
							10000, 100, 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

/*
 * ia_refuse_during_recovery -- a writing function called on a hot standby
 * fails at once, with 25006 and a hint to run it on the primary.
 */
void
ia_refuse_during_recovery(const char *what)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run %s during recovery", what),
				 errdetail("This server is a standby: index_advisor writes its history and builds its indexes on the primary only."),
				 errhint("Run %s on the primary; the standby receives its indexes by replication.", what)));
}

/* idx_refuse_in_recovery(what text) RETURNS void: the same, for SQL. */
Datum
idx_refuse_in_recovery(PG_FUNCTION_ARGS)
{
	ia_refuse_during_recovery(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}

/* dblink_connstr_check: a non-superuser must give a password. */
static void
check_password_given(const char *conninfo, Oid owner)
{
	NodeError  *e = ia_conninfo_refused(conninfo, owner);

	if (e)
		ia_node_error_raise(e);
}

/*
 * Run "sql" on one node (node_conn.c: its kept connection, or a new one),
 * and put each row of its answer (text values, converted by the output
 * tuple descriptor's input functions) in the caller's tuplestore; the
 * node's failure is thrown.
 */
static void
node_run(FunctionCallInfo fcinfo, const char *node, const char *conninfo,
		 Oid owner, const char *sql, int nparams, const char *const *params)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	NodeCall	call = {0};
	AttInMetadata *meta;

	InitMaterializedSRF(fcinfo, 0);
	call.node = node;
	call.conninfo = conninfo;
	call.owner = owner;
	call.sql = sql;
	call.nparams = nparams;
	call.params = params;
	ia_node_call_all(&call, 1);
	if (call.error)
		ia_node_error_raise(call.error);
	meta = TupleDescGetAttInMetadata(rsinfo->setDesc);
	if (call.ncols != rsinfo->setDesc->natts)
		elog(ERROR, "index_advisor: node \"%s\" answered %d columns, %d expected",
			 node, call.ncols, rsinfo->setDesc->natts);
	for (int i = 0; i < call.nrows; i++)
		tuplestore_puttuple(rsinfo->setResult,
							BuildTupleFromCStrings(meta, call.values + i * call.ncols));
}

/* An oid[] as the text "{1,2,3}". */
static char *
oid_array_text(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	StringInfoData buf;

	deconstruct_array(arr, OIDOID, sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &n);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			appendStringInfo(&buf, "%s%u", buf.len > 1 ? "," : "",
							 DatumGetObjectId(elems[i]));
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* Text array argument i of fcinfo as C strings (NULL elements kept). */
static char **
text_array_arg(FunctionCallInfo fcinfo, int i, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **out;

	deconstruct_array(PG_GETARG_ARRAYTYPE_P(i), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, n);
	out = palloc0(sizeof(char *) * Max(1, *n));
	for (int j = 0; j < *n; j++)
		if (!nulls[j])
			out[j] = TextDatumGetCString(elems[j]);
	return out;
}

/*
 * idx_node_fetch_all(names text[], conninfos text[], owners regrole[],
 *                    index_oids oid[])
 *   RETURNS TABLE(node text, error_code text, error text, error_detail text,
 *                 index_oids oid[], idx_scans bigint[], started_at timestamptz,
 *                 stats_reset timestamptz, in_recovery boolean)
 *
 * Internal (idx_check, SECURITY DEFINER): asks every node at once
 * (node_conn.c) for the scans of the index OIDs it has (a partitioned index
 * counts its leaves), in one row: the OIDs in order and their counters, the
 * node's start time and statistics reset (from which a restart or reset is
 * seen), and whether it is in recovery.  One row per node, in the order
 * given; a node that failed has its SQLSTATE, message and detail instead.
 * The statement is kept cheap for a node's new backend (a check run by
 * pg_cron connects anew): one row, one round trip, the reset time read by
 * its function rather than through the pg_stat_database view (0.4 ms less
 * on a new backend).
 */
Datum
idx_node_fetch_all(PG_FUNCTION_ARGS)
{
	static const char *sql =
		"SELECT COALESCE(pg_catalog.array_agg(i.oid ORDER BY i.oid), '{}'),"
		" COALESCE(pg_catalog.array_agg(i.scans ORDER BY i.oid), '{}'),"
		" pg_catalog.pg_postmaster_start_time(),"
		" pg_catalog.pg_stat_get_db_stat_reset_time((SELECT d.oid FROM pg_catalog.pg_database d"
		"   WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())),"
		" pg_catalog.pg_is_in_recovery()"
		" FROM (SELECT i.oid, CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'I'"
		"  THEN (SELECT COALESCE(pg_catalog.sum(pg_catalog.pg_stat_get_numscans(t.relid)), 0)::pg_catalog.int8"
		"          FROM pg_catalog.pg_partition_tree(i.oid) t WHERE t.isleaf)"
		"  ELSE pg_catalog.pg_stat_get_numscans(i.oid) END AS scans"
		"  FROM pg_catalog.unnest($1::pg_catalog.oid[]) i(oid)"
		"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.oid) i";
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AttInMetadata *meta;
	const char **params = palloc(sizeof(char *));
	char	  **names;
	char	  **conninfos;
	Datum	   *owners;
	bool	   *owner_nulls;
	int			n,
				n2,
				n3;
	NodeCall   *calls;

	InitMaterializedSRF(fcinfo, 0);
	meta = TupleDescGetAttInMetadata(rsinfo->setDesc);
	names = text_array_arg(fcinfo, 0, &n);
	conninfos = text_array_arg(fcinfo, 1, &n2);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), REGROLEOID, sizeof(Oid), true,
					  TYPALIGN_INT, &owners, &owner_nulls, &n3);
	if (n2 != n || n3 != n)
		elog(ERROR, "index_advisor: idx_node_fetch_all needs as many connection strings and owners as nodes");
	params[0] = oid_array_text(PG_GETARG_ARRAYTYPE_P(3));
	calls = palloc0(sizeof(NodeCall) * Max(1, n));
	for (int i = 0; i < n; i++)
	{
		if (names[i] == NULL || conninfos[i] == NULL)
			elog(ERROR, "index_advisor: idx_node_fetch_all: a node without a name or connection string");
		calls[i].node = names[i];
		calls[i].conninfo = conninfos[i];
		calls[i].owner = owner_nulls[i] ? InvalidOid : DatumGetObjectId(owners[i]);
		calls[i].sql = sql;
		calls[i].nparams = 1;
		calls[i].params = params;
	}
	ia_node_call_all(calls, n);
	for (int i = 0; i < n; i++)
	{
		char	   *row[9] = {names[i]};
		NodeError  *e = calls[i].error;

		if (e)
		{
			row[1] = unpack_sql_state(e->code);
			row[2] = e->message;
			row[3] = e->detail;
		}
		else if (calls[i].nrows != 1 || calls[i].ncols != 5)
			elog(ERROR, "index_advisor: node \"%s\" answered %d rows of %d columns, one of 5 expected",
				 names[i], calls[i].nrows, calls[i].ncols);
		else
			memcpy(row + 4, calls[i].values, 5 * sizeof(char *));
		tuplestore_puttuple(rsinfo->setResult, BuildTupleFromCStrings(meta, row));
	}
	return (Datum) 0;
}

/*
 * idx_node_probe(name text, conninfo text, owner regrole)
 *   RETURNS TABLE(in_recovery boolean, database name, server_version text,
 *                 replay_lsn pg_lsn, started_at timestamptz)
 *
 * Internal (idx_node_test, idx_wait): what the node is, and how far it has
 * replayed (NULL on a node that is not a standby).
 */
Datum
idx_node_probe(PG_FUNCTION_ARGS)
{
	static const char *sql =
		"SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.current_database(),"
		" pg_catalog.current_setting('server_version'),"
		" pg_catalog.pg_last_wal_replay_lsn(), pg_catalog.pg_postmaster_start_time()";

	node_run(fcinfo, text_to_cstring(PG_GETARG_TEXT_PP(0)),
			 text_to_cstring(PG_GETARG_TEXT_PP(1)), PG_GETARG_OID(2),
			 sql, 0, NULL);
	return (Datum) 0;
}

/*
 * idx_conninfo_mask(conninfo text) RETURNS text
 *
 * The connection string as keyword=value pairs, with every secret shown as
 * ******** (idx_node_list).  A secret is what libpq itself marks as one
 * (dispchar "*": password, sslpassword, and whatever a later libpq adds),
 * not a list of names kept here.
 */
Datum
idx_conninfo_mask(PG_FUNCTION_ARGS)
{
	PQconninfoOption *opts = ia_conninfo_parse(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	StringInfoData buf;

	initStringInfo(&buf);
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
	{
		if (o->val == NULL)
			continue;
		if (buf.len > 0)
			appendStringInfoChar(&buf, ' ');
		appendStringInfo(&buf, "%s=", o->keyword);
		if (o->dispchar != NULL && strchr(o->dispchar, '*') != NULL)
			appendStringInfoString(&buf, "********");
		else
		{
			appendStringInfoChar(&buf, '\'');
			for (const char *c = o->val; *c; c++)
			{
				if (*c == '\'' || *c == '\\')
					appendStringInfoChar(&buf, '\\');
				appendStringInfoChar(&buf, *c);
			}
			appendStringInfoChar(&buf, '\'');
		}
	}
	PQconninfoFree(opts);
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}

/*
 * A node's name: checked here, not by a constraint, whose error would show
 * the whole row (and so the connection string).  "primary" names this
 * server in idx_snapshots.
 */
static void
check_node_name(const char *name)
{
	size_t		n = strlen(name);

	if (n == 0 || n >= NAMEDATALEN || strspn(name, "abcdefghijklmnopqrstuvwxyz"
											 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid node name \"%s\"", name),
				 errdetail("A node name has 1 to %d letters, digits, \"_\", \".\" or \"-\".", NAMEDATALEN - 1),
				 errhint("Use the standby's application_name (or cluster_name), as pg_stat_replication shows it.")));
	if (strcmp(name, "primary") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("node name \"primary\" is reserved"),
				 errdetail("It names this server in idx_snapshots and idx_report_nodes()."),
				 errhint("Give the standby another name, such as its application_name.")));
}

/*
 * idx_node_add(name text, conninfo text) RETURNS void
 *
 * Register a node (executable by index_advisor_admin only).  The
 * connection string is checked as the calling role (a role that is not a
 * superuser must give a password), and the row written as the table's
 * owner with search_path pinned, with the caller as added_by.
 */
Datum
idx_node_add(PG_FUNCTION_ARGS)
{
	Oid			nspid = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			relid = get_relname_relid("idx_nodes", nspid);
	char	   *name;
	char	   *conninfo;
	Oid			types[3] = {TEXTOID, TEXTOID, OIDOID};
	Datum		values[3];

	ia_refuse_during_recovery("idx_node_add()");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("node name and connection string must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	conninfo = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (!OidIsValid(relid))
		elog(ERROR, "index_advisor: table idx_nodes not found");
	check_node_name(name);
	check_password_given(conninfo, GetUserId());

	values[0] = PointerGetDatum(cstring_to_text(name));
	values[1] = PointerGetDatum(cstring_to_text(conninfo));
	values[2] = ObjectIdGetDatum(GetUserId());
	/* as the table's owner: only it may write idx_nodes (queue/history.c) */
	(void) ia_exec_as_owner(relid,
							psprintf("INSERT INTO %s (name, conninfo, added_by)"
									 " VALUES ($1, $2, $3)",
									 quote_qualified_identifier(get_namespace_name(nspid),
																"idx_nodes")),
							3, types, values, NULL, NULL, NULL);
	PG_RETURN_VOID();
}
