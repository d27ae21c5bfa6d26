/*-------------------------------------------------------------------------
 *
 * nodes.c
 *		Other nodes: the registry of standbys whose index usage counts
 *		(idx_node_add), the libpq calls that read their counters
 *		(idx_node_fetch) and replay position (idx_node_probe), the masking of
 *		connection strings, and the refusal of writing functions on a hot
 *		standby.  SQL: src/update/0.1--0.2/78_nodes.sql; doc/nodes.md.
 *
 * Design.  A streaming standby keeps its own pg_stat_user_indexes, and a
 * physical standby has the primary's catalogs, so an index has the same OID
 * there: idx_check() (SECURITY DEFINER) asks each registered node for the
 * scans of the tracked index OIDs and stores them in idx_snapshots with the
 * node's name.  Each call runs one statement on the node's connection,
 * which the backend keeps for the next call (node_conn_get), waiting on the socket with WaitLatchOrSocket, so that a query
 * cancel or statement_timeout of the caller stops it at once, and bounded by
 * index_advisor.node_connect_timeout and index_advisor.node_statement_timeout.
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
 * Settings (file-static):
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

PG_FUNCTION_INFO_V1(idx_node_add);
PG_FUNCTION_INFO_V1(idx_node_fetch);
PG_FUNCTION_INFO_V1(idx_node_probe);
PG_FUNCTION_INFO_V1(idx_conninfo_mask);
PG_FUNCTION_INFO_V1(idx_refuse_in_recovery);

/* settings: node collection (issue 10) */
static int	node_connect_timeout = 5;	/* s */
static int	node_statement_timeout = 10000; /* ms */

void
ia_nodes_init(void)
{
	DefineCustomIntVariable("index_advisor.node_connect_timeout",
							"Longest wait for a connection to another node (idx_check, idx_node_test, idx_wait).",
							NULL,
							&node_connect_timeout,
							5, 1, 3600,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("index_advisor.node_statement_timeout",
							"Longest wait for the answer of another node to one statement.",
							NULL,
							&node_statement_timeout,
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

/*
 * Parse a connection string; never quote libpq's message, which may repeat
 * a part of the string (a password).
 */
static PQconninfoOption *
parse_conninfo(const char *conninfo)
{
	char	   *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);

	if (opts == NULL)
	{
		if (err)
			PQfreemem(err);
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid connection string"),
				 errdetail("libpq cannot parse it (its message is not shown: it may quote the password)."),
				 errhint("Use keyword=value pairs or a postgresql:// URI, as for psql.")));
	}
	return opts;
}

/* dblink_connstr_check: a non-superuser must give a password. */
static void
check_password_given(const char *conninfo, Oid owner)
{
	PQconninfoOption *opts;
	PQconninfoOption *o;
	bool		given = false;

	opts = parse_conninfo(conninfo);
	if (superuser_arg(owner))
	{
		PQconninfoFree(opts);
		return;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
			given = true;
	PQconninfoFree(opts);
	if (!given)
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required"),
				 errdetail("A node registered by a role that is not a superuser must have a password in its connection string."),
				 errhint("Add password=... to the connection string, or have a superuser register the node.")));
}

/* Milliseconds left before "deadline"; an error naming "what" when none. */
static long
left_ms(TimestampTz deadline, const char *node, const char *what)
{
	long		ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);

	if (ms <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("node \"%s\" did not answer in time", node),
				 errdetail("Timed out while %s.", what),
				 errhint("See index_advisor.node_connect_timeout and index_advisor.node_statement_timeout.")));
	return ms;
}

/* Wait for the socket (or the latch: interrupts are served) until deadline. */
static void
wait_socket(PGconn *conn, bool write, TimestampTz deadline, const char *node,
			const char *what)
{
	int			rc;

	rc = WaitLatchOrSocket(MyLatch,
						   WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH |
						   (write ? WL_SOCKET_WRITEABLE : WL_SOCKET_READABLE),
						   PQsocket(conn), left_ms(deadline, node, what),
						   PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
		ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/* libpq's last message, without its trailing newline. */
static char *
conn_message(PGconn *conn)
{
	char	   *m = pstrdup(PQerrorMessage(conn));
	int			n = strlen(m);

	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		m[--n] = '\0';
	return m;
}

/* Connect to node "node" (conninfo registered by "owner"), non-blocking. */
static void
node_connect(PGconn *conn, const char *node, Oid owner, TimestampTz deadline)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to node \"%s\"", node),
				 errdetail_internal("%s", conn ? conn_message(conn) : "out of memory")));
	while (st != PGRES_POLLING_OK)
	{
		if (st == PGRES_POLLING_FAILED)
			ereport(ERROR,
					(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
					 errmsg("could not connect to node \"%s\"", node),
					 errdetail_internal("%s", conn_message(conn))));
		wait_socket(conn, st == PGRES_POLLING_WRITING, deadline, node, "connecting");
		st = PQconnectPoll(conn);
	}
	/* dblink_security_check: the password must really have been asked */
	if (!superuser_arg(owner) && !PQconnectionUsedPassword(conn))
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required"),
				 errdetail("Node \"%s\" did not ask for the password; a node registered by a role that is not a superuser may only be reached with one.", node),
				 errhint("Make the node's pg_hba.conf require a password for this connection.")));
}

/* Run one statement with text parameters; the last result, checked. */
static PGresult *
node_query(PGconn *conn, const char *node, const char *sql, int nparams,
		   const char *const *params)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   node_statement_timeout);
	PGresult   *last = NULL;
	PGresult   *res;

	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not send a query to node \"%s\"", node),
				 errdetail_internal("%s", conn_message(conn))));
	for (;;)
	{
		while (PQisBusy(conn))
		{
			wait_socket(conn, false, deadline, node, "waiting for its answer");
			if (!PQconsumeInput(conn))
				ereport(ERROR,
						(errcode(ERRCODE_CONNECTION_FAILURE),
						 errmsg("lost the connection to node \"%s\"", node),
						 errdetail_internal("%s", conn_message(conn))));
		}
		res = PQgetResult(conn);
		if (res == NULL)
			break;
		if (last)
			PQclear(last);
		last = res;
	}
	if (last == NULL || PQresultStatus(last) != PGRES_TUPLES_OK)
	{
		char	   *msg = last ? pstrdup(PQresultErrorMessage(last)) : conn_message(conn);

		if (last)
			PQclear(last);
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_EXCEPTION),
				 errmsg("node \"%s\" could not answer", node),
				 errdetail_internal("%s", msg)));
	}
	return last;
}

/*
 * The connections this backend keeps, one per node: a check that asks the
 * same nodes again (pg_cron's idx_check every few minutes in one session,
 * or idx_wait's probes) does not pay for a new connection each time, which
 * cost 40 ms per standby on an idle machine and over 100 ms under load.
 * A connection is reused only for the same connection string and
 * registering role, only while PQstatus says it is good and it is idle
 * (no transaction left open); it is closed on any error while using it
 * and at backend exit.  Each holds one reserved external file descriptor.
 */
#define IA_MAX_NODE_CONNS 16

typedef struct NodeConn
{
	char	   *node;			/* in TopMemoryContext */
	char	   *conninfo;
	Oid			owner;
	PGconn	   *conn;
} NodeConn;

static NodeConn node_conns[IA_MAX_NODE_CONNS];
static int	n_node_conns = 0;
static bool node_conns_exit_set = false;

/* Close and forget kept connection i. */
static void
node_conn_close(int i)
{
	libpqsrv_disconnect(node_conns[i].conn);	/* releases the reserved fd */
	pfree(node_conns[i].node);
	pfree(node_conns[i].conninfo);
	node_conns[i] = node_conns[--n_node_conns];
}

/* at backend exit: close every kept connection */
static void
node_conns_at_exit(int code, Datum arg)
{
	while (n_node_conns > 0)
		node_conn_close(n_node_conns - 1);
}

/* Forget the kept connection of node (after an error while using it). */
static void
node_conn_forget(const char *node)
{
	for (int i = 0; i < n_node_conns; i++)
		if (strcmp(node_conns[i].node, node) == 0)
		{
			node_conn_close(i);
			return;
		}
}

/*
 * A connection to node, kept from an earlier call if it is still good, or
 * new (then kept).  Errors leave nothing open.
 */
static PGconn *
node_conn_get(const char *node, const char *conninfo, Oid owner)
{
	const char *keywords[] = {"dbname", "fallback_application_name", "client_encoding", NULL};
	const char *values[] = {conninfo, "index_advisor", GetDatabaseEncodingName(), NULL};
	PGconn	   *volatile conn = NULL;
	TimestampTz deadline;
	NodeConn   *c;

	for (int i = 0; i < n_node_conns; i++)
	{
		c = &node_conns[i];
		if (strcmp(c->node, node) != 0)
			continue;
		if (strcmp(c->conninfo, conninfo) == 0 && c->owner == owner &&
			PQstatus(c->conn) == CONNECTION_OK &&
			PQtransactionStatus(c->conn) == PQTRANS_IDLE)
			return c->conn;
		node_conn_close(i);
		break;
	}
	if (n_node_conns >= IA_MAX_NODE_CONNS)
		node_conn_close(0);

	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										   node_connect_timeout * 1000);
	libpqsrv_connect_prepare();
	PG_TRY();
	{
		conn = PQconnectStartParams(keywords, values, true);
		node_connect(conn, node, owner, deadline);
	}
	PG_CATCH();
	{
		if (conn)
			libpqsrv_disconnect(conn);	/* releases the reserved fd */
		else
			ReleaseExternalFD();
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (!node_conns_exit_set)
	{
		on_proc_exit(node_conns_at_exit, (Datum) 0);
		node_conns_exit_set = true;
	}
	c = &node_conns[n_node_conns++];
	c->node = MemoryContextStrdup(TopMemoryContext, node);
	c->conninfo = MemoryContextStrdup(TopMemoryContext, conninfo);
	c->owner = owner;
	c->conn = conn;
	return conn;
}

/*
 * Run "sql" on a node (its kept connection, or a new one), and put each
 * row of its answer (text values, converted by the output tuple
 * descriptor's input functions) in the caller's tuplestore.  On any error
 * the connection is closed.
 */
static void
node_run(FunctionCallInfo fcinfo, const char *node, const char *conninfo,
		 Oid owner, const char *sql, int nparams, const char *const *params)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PGresult   *volatile res = NULL;

	check_password_given(conninfo, owner);
	InitMaterializedSRF(fcinfo, 0);
	PG_TRY();
	{
		AttInMetadata *meta = TupleDescGetAttInMetadata(rsinfo->setDesc);
		int			ncols = rsinfo->setDesc->natts;
		char	  **row = palloc(ncols * sizeof(char *));
		PGconn	   *conn = node_conn_get(node, conninfo, owner);

		res = node_query(conn, node, sql, nparams, params);
		if (PQnfields(res) != ncols)
			elog(ERROR, "index_advisor: node \"%s\" answered %d columns, %d expected",
				 node, PQnfields(res), ncols);
		for (int i = 0; i < PQntuples(res); i++)
		{
			for (int j = 0; j < ncols; j++)
				row[j] = PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
			tuplestore_puttuple(rsinfo->setResult, BuildTupleFromCStrings(meta, row));
		}
	}
	PG_CATCH();
	{
		if (res)
			PQclear(res);
		node_conn_forget(node);
		PG_RE_THROW();
	}
	PG_END_TRY();
	PQclear(res);
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

/*
 * idx_node_fetch(name text, conninfo text, owner regrole, index_oids oid[])
 *   RETURNS TABLE(index_oid oid, idx_scan bigint, started_at timestamptz,
 *                 stats_reset timestamptz, in_recovery boolean)
 *
 * Internal (idx_check, SECURITY DEFINER): the scans of each index OID on
 * the node (a partitioned index counts its leaves), with the node's start
 * time and statistics reset, from which a restart or reset is seen.
 */
Datum
idx_node_fetch(PG_FUNCTION_ARGS)
{
	const char *params[1];
	static const char *sql =
		"SELECT i.oid, CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'I'"
		"  THEN (SELECT COALESCE(pg_catalog.sum(pg_catalog.pg_stat_get_numscans(t.relid)), 0)::pg_catalog.int8"
		"          FROM pg_catalog.pg_partition_tree(i.oid) t WHERE t.isleaf)"
		"  ELSE pg_catalog.pg_stat_get_numscans(i.oid) END,"
		" pg_catalog.pg_postmaster_start_time(),"
		" (SELECT d.stats_reset FROM pg_catalog.pg_stat_database d"
		"   WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()),"
		" pg_catalog.pg_is_in_recovery()"
		" FROM pg_catalog.unnest($1::pg_catalog.oid[]) i(oid)"
		" JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.oid";

	params[0] = oid_array_text(PG_GETARG_ARRAYTYPE_P(3));
	node_run(fcinfo, text_to_cstring(PG_GETARG_TEXT_PP(0)),
			 text_to_cstring(PG_GETARG_TEXT_PP(1)), PG_GETARG_OID(2),
			 sql, 1, params);
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
	PQconninfoOption *opts = parse_conninfo(text_to_cstring(PG_GETARG_TEXT_PP(0)));
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

/* The owner of relation relid. */
static Oid
rel_owner(Oid relid)
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
	Oid			save_userid;
	int			save_sec;
	int			nestlevel;
	int			rc;

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
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(rel_owner(relid),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(psprintf("INSERT INTO %s (name, conninfo, added_by)"
										" VALUES ($1, $2, $3)",
										quote_qualified_identifier(get_namespace_name(nspid),
																   "idx_nodes")),
							   3, types, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "index_advisor: SPI failed (%d) on idx_nodes", rc);
	SPI_finish();
	AtEOXact_GUC(true, nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
	PG_RETURN_VOID();
}
