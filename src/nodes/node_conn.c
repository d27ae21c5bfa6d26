/*-------------------------------------------------------------------------
 *
 * node_conn.c
 *		Connections to other nodes: one statement run on many nodes at once
 *		(ia_node_call_all), the connections a backend keeps for its next
 *		call, and the rules a connection string must follow.  The SQL
 *		functions that use them are in nodes.c.
 *
 * Design.  idx_check() asks every registered node for its counters.  Asked
 * one after the other, a check run by pg_cron (a new backend each time)
 * paid every node's connection in turn: the standby forks a backend,
 * authenticates it, and plans its first statement on cold caches.  Here
 * every node's connection is started at once (PQconnectStartParams), each
 * node's statement is sent as soon as its connection is up
 * (PQsendQueryParams, one round trip), and one WaitEventSet over the latch
 * and every node's socket serves whichever node is ready.  A check waits
 * for its slowest node, not for the sum, and a node that cannot be reached
 * costs at most its own connect timeout, alongside the others.
 *
 * Bounds.  Each node has its own deadline: index_advisor.node_connect_timeout
 * from the start of its connection, then index_advisor.node_statement_timeout
 * from the sending of its statement; a node that misses it fails alone
 * ("did not answer in time").  The latch is in the wait set, and
 * CHECK_FOR_INTERRUPTS runs after every wake: a query cancel or the
 * caller's statement_timeout stops the call at once, and the error closes
 * every connection still in flight before it propagates (PG_CATCH).
 *
 * Failures of one node (its connection string refused, no connection, the
 * password rule, an error on the node, its deadline) are not thrown: they
 * are kept in its NodeCall as a NodeError, so that the other nodes'
 * answers stand; ia_node_error_raise throws one (callers of one node).
 *
 * Kept connections.  A check that asks the same nodes again (a session that
 * checks every few minutes, or idx_wait's probes) does not pay for a new
 * connection each time.  A connection is reused only for the same
 * connection string and registering role, only while PQstatus says it is
 * good and it is idle (no transaction left open); a call takes it out of
 * the kept list while it uses it and puts it back only after a complete
 * answer, so that any failure or error closes it.  At most
 * IA_MAX_NODE_CONNS are kept, each holding one reserved external file
 * descriptor; all are closed at backend exit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq-fe.h"

#include "libpq/libpq-be-fe-helpers.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "compat.h"
#include "node_conn.h"

int			ia_node_connect_timeout = 5;	/* s */
int			ia_node_statement_timeout = 10000;	/* ms */

/* NodeCall.phase */
#define CALL_CONNECTING	1
#define CALL_SENT		2
#define CALL_DONE		3
#define CALL_FAILED		4

/* ----------------------------------------------------------------------
 * Connection strings
 * ----------------------------------------------------------------------
 */

static NodeError *
node_error(int code, const char *message, const char *detail, const char *hint)
{
	NodeError  *e = palloc0(sizeof(NodeError));

	e->code = code;
	e->message = pstrdup(message);
	e->detail = detail ? pstrdup(detail) : NULL;
	e->hint = hint ? pstrdup(hint) : NULL;
	return e;
}

/* Throw a node's error as it was kept. */
void
ia_node_error_raise(const NodeError *e)
{
	ereport(ERROR,
			(errcode(e->code),
			 errmsg_internal("%s", e->message),
			 e->detail ? errdetail_internal("%s", e->detail) : 0,
			 e->hint ? errhint("%s", e->hint) : 0));
	pg_unreachable();
}

/*
 * A connection string parsed, or NULL; never libpq's message, which may
 * repeat a part of the string (a password).
 */
static PQconninfoOption *
conninfo_parse_quiet(const char *conninfo)
{
	char	   *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);

	if (err)
		PQfreemem(err);
	return opts;
}

static NodeError *
conninfo_invalid(void)
{
	return node_error(ERRCODE_SYNTAX_ERROR, "invalid connection string",
					  "libpq cannot parse it (its message is not shown: it may quote the password).",
					  "Use keyword=value pairs or a postgresql:// URI, as for psql.");
}

/* Parse a connection string, or throw 42601 (no part of it quoted). */
PQconninfoOption *
ia_conninfo_parse(const char *conninfo)
{
	PQconninfoOption *opts = conninfo_parse_quiet(conninfo);

	if (opts == NULL)
		ia_node_error_raise(conninfo_invalid());
	return opts;
}

/*
 * Why a node registered by "owner" with "conninfo" may not be asked, or
 * NULL: the string must parse and, as dblink_connstr_check requires, a
 * role that is not a superuser must give a password.
 */
NodeError *
ia_conninfo_refused(const char *conninfo, Oid owner)
{
	PQconninfoOption *opts = conninfo_parse_quiet(conninfo);
	bool		given = false;

	if (opts == NULL)
		return conninfo_invalid();
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
			given = true;
	PQconninfoFree(opts);
	if (given || superuser_arg(owner))
		return NULL;
	return node_error(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED,
					  "password is required",
					  "A node registered by a role that is not a superuser must have a password in its connection string.",
					  "Add password=... to the connection string, or have a superuser register the node.");
}

/* ----------------------------------------------------------------------
 * Kept connections
 * ----------------------------------------------------------------------
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

/* Forget kept connection i; its PGconn is returned, still open. */
static PGconn *
node_conn_take(int i)
{
	PGconn	   *conn = node_conns[i].conn;

	pfree(node_conns[i].node);
	pfree(node_conns[i].conninfo);
	node_conns[i] = node_conns[--n_node_conns];
	return conn;
}

/* at backend exit: close every kept connection */
static void
node_conns_at_exit(int code, Datum arg)
{
	while (n_node_conns > 0)
		libpqsrv_disconnect(node_conn_take(n_node_conns - 1));
}

/*
 * The kept connection of c's node, taken out of the list, if it is still
 * good for c; NULL otherwise (one kept for another string or role, or no
 * longer good, is closed).
 */
static PGconn *
node_conn_reuse(const NodeCall *c)
{
	for (int i = 0; i < n_node_conns; i++)
	{
		NodeConn   *k = &node_conns[i];
		bool		good;

		if (strcmp(k->node, c->node) != 0)
			continue;
		good = strcmp(k->conninfo, c->conninfo) == 0 && k->owner == c->owner &&
			PQstatus(k->conn) == CONNECTION_OK &&
			PQtransactionStatus(k->conn) == PQTRANS_IDLE;
		if (good)
			return node_conn_take(i);
		libpqsrv_disconnect(node_conn_take(i));
		return NULL;
	}
	return NULL;
}

/* Keep c's connection (which answered completely) for the next call. */
static void
node_conn_keep(NodeCall *c)
{
	NodeConn   *k;

	if (n_node_conns >= IA_MAX_NODE_CONNS)
		libpqsrv_disconnect(node_conn_take(0));
	if (!node_conns_exit_set)
	{
		on_proc_exit(node_conns_at_exit, (Datum) 0);
		node_conns_exit_set = true;
	}
	k = &node_conns[n_node_conns++];
	k->node = MemoryContextStrdup(TopMemoryContext, c->node);
	k->conninfo = MemoryContextStrdup(TopMemoryContext, c->conninfo);
	k->owner = c->owner;
	k->conn = c->conn;
	c->conn = NULL;
}

/* ----------------------------------------------------------------------
 * One statement on many nodes
 * ----------------------------------------------------------------------
 */

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

/* c failed: keep why, close its connection. */
static void
call_fail(NodeCall *c, int code, const char *message, const char *detail,
		  const char *hint)
{
	c->error = node_error(code, message, detail, hint);
	c->phase = CALL_FAILED;
	if (c->last)
		PQclear(c->last);
	c->last = NULL;
	libpqsrv_disconnect(c->conn);	/* releases the reserved fd */
	c->conn = NULL;
}

/* Send c's statement on its connection (up); its answer is due by then. */
static void
call_send(NodeCall *c)
{
	if (!PQsendQueryParams(c->conn, c->sql, c->nparams, NULL, c->params,
						   NULL, NULL, 0))
	{
		call_fail(c, ERRCODE_CONNECTION_FAILURE,
				  psprintf("could not send a query to node \"%s\"", c->node),
				  conn_message(c->conn), NULL);
		return;
	}
	c->phase = CALL_SENT;
	c->deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											  ia_node_statement_timeout);
}

/*
 * Start c: its kept connection, or a new one (started, not waited for).
 * The connection string and the password rule are checked first.
 */
static void
call_start(NodeCall *c)
{
	const char *keywords[] = {"dbname", "fallback_application_name", "client_encoding", NULL};
	const char *values[] = {c->conninfo, "index_advisor", GetDatabaseEncodingName(), NULL};

	c->error = ia_conninfo_refused(c->conninfo, c->owner);
	if (c->error)
	{
		c->phase = CALL_FAILED;
		return;
	}
	c->conn = node_conn_reuse(c);
	if (c->conn)
	{
		call_send(c);
		return;
	}
	if (!AcquireExternalFD())	/* as libpqsrv_connect_prepare */
	{
		call_fail(c, ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
				  psprintf("could not connect to node \"%s\"", c->node),
				  "There are too many open files on the local server.",
				  "Raise the server's max_files_per_process and/or \"ulimit -n\" limits.");
		return;
	}
	c->deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											  ia_node_connect_timeout * 1000);
	c->conn = PQconnectStartParams(keywords, values, true);
	c->phase = CALL_CONNECTING;
	c->poll = PGRES_POLLING_WRITING;
	if (c->conn == NULL)
	{
		ReleaseExternalFD();
		call_fail(c, ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
				  psprintf("could not connect to node \"%s\"", c->node),
				  "out of memory", NULL);
	}
	else if (PQstatus(c->conn) == CONNECTION_BAD)
		call_fail(c, ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
				  psprintf("could not connect to node \"%s\"", c->node),
				  conn_message(c->conn), NULL);
}

/* c's complete answer: checked, copied into palloc'd memory, cleared. */
static void
call_answer(NodeCall *c, PGresult *res)
{
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		char	   *msg = res ? pstrdup(PQresultErrorMessage(res)) : conn_message(c->conn);
		int			n = strlen(msg);

		if (res)
			PQclear(res);
		while (n > 0 && msg[n - 1] == '\n')
			msg[--n] = '\0';
		call_fail(c, ERRCODE_CONNECTION_EXCEPTION,
				  psprintf("node \"%s\" could not answer", c->node), msg, NULL);
		return;
	}
	c->nrows = PQntuples(res);
	c->ncols = PQnfields(res);
	c->values = palloc0(sizeof(char *) * Max(1, c->nrows * c->ncols));
	for (int i = 0; i < c->nrows; i++)
		for (int j = 0; j < c->ncols; j++)
			if (!PQgetisnull(res, i, j))
				c->values[i * c->ncols + j] = pstrdup(PQgetvalue(res, i, j));
	PQclear(res);
	c->phase = CALL_DONE;
}

/* c's socket is ready: advance its connection or read its answer. */
static void
call_advance(NodeCall *c)
{
	if (c->phase == CALL_CONNECTING)
	{
		c->poll = PQconnectPoll(c->conn);
		if (c->poll == PGRES_POLLING_FAILED)
			call_fail(c, ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
					  psprintf("could not connect to node \"%s\"", c->node),
					  conn_message(c->conn), NULL);
		else if (c->poll != PGRES_POLLING_OK)
			return;
		/* dblink_security_check: the password must really have been asked */
		else if (!superuser_arg(c->owner) && !PQconnectionUsedPassword(c->conn))
			call_fail(c, ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED,
					  "password is required",
					  psprintf("Node \"%s\" did not ask for the password; a node registered by a role that is not a superuser may only be reached with one.", c->node),
					  "Make the node's pg_hba.conf require a password for this connection.");
		else
			call_send(c);
		return;
	}
	if (!PQconsumeInput(c->conn))
	{
		call_fail(c, ERRCODE_CONNECTION_FAILURE,
				  psprintf("lost the connection to node \"%s\"", c->node),
				  conn_message(c->conn), NULL);
		return;
	}
	/* one statement: its result, then NULL; the last result is the answer */
	while (!PQisBusy(c->conn))
	{
		PGresult   *res = PQgetResult(c->conn);

		if (res == NULL)
		{
			res = c->last;
			c->last = NULL;
			call_answer(c, res);
			return;
		}
		if (c->last)
			PQclear(c->last);
		c->last = res;
	}
}

/* What c waits for (0 when it waits no more); a node past its deadline fails. */
static uint32
call_wants(NodeCall *c, TimestampTz now)
{
	if (c->phase != CALL_CONNECTING && c->phase != CALL_SENT)
		return 0;
	if (now >= c->deadline)
	{
		call_fail(c, ERRCODE_CONNECTION_FAILURE,
				  psprintf("node \"%s\" did not answer in time", c->node),
				  c->phase == CALL_CONNECTING ? "Timed out while connecting." :
				  "Timed out while waiting for its answer.",
				  "See index_advisor.node_connect_timeout and index_advisor.node_statement_timeout.");
		return 0;
	}
	if (PQsocket(c->conn) == PGINVALID_SOCKET)
	{
		call_fail(c, ERRCODE_CONNECTION_FAILURE,
				  psprintf("lost the connection to node \"%s\"", c->node),
				  conn_message(c->conn), NULL);
		return 0;
	}
	if (c->phase == CALL_CONNECTING && c->poll == PGRES_POLLING_WRITING)
		return WL_SOCKET_WRITEABLE;
	return WL_SOCKET_READABLE;
}

/*
 * Wait once for the latch or any node's socket, until the nearest
 * deadline; advance the nodes that are ready.  False when none waits.
 */
static bool
calls_wait(NodeCall *calls, int ncalls, WaitEventSet *volatile *set)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz until = 0;
	WaitEvent  *events = palloc(sizeof(WaitEvent) * (ncalls + 2));
	int			nwait = 0;
	int			nev;

	*set = ia_create_wait_event_set(ncalls + 2);
	AddWaitEventToSet(*set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(*set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < ncalls; i++)
	{
		uint32		wants = call_wants(&calls[i], now);

		if (wants == 0)
			continue;
		AddWaitEventToSet(*set, wants, PQsocket(calls[i].conn), NULL, &calls[i]);
		if (nwait++ == 0 || calls[i].deadline < until)
			until = calls[i].deadline;
	}
	if (nwait > 0)
	{
		nev = WaitEventSetWait(*set, TimestampDifferenceMilliseconds(now, until) + 1,
							   events, ncalls + 2, PG_WAIT_EXTENSION);
		for (int i = 0; i < nev; i++)
		{
			if (events[i].events & WL_LATCH_SET)
				ResetLatch(MyLatch);
			else if (events[i].user_data != NULL)
				call_advance((NodeCall *) events[i].user_data);
		}
	}
	FreeWaitEventSet(*set);
	*set = NULL;
	pfree(events);
	CHECK_FOR_INTERRUPTS();
	return nwait > 0;
}

/*
 * Run each call's statement on its node, all at once; return when every
 * node has answered or failed (its NodeError).  Only an interrupt (cancel,
 * statement_timeout) or postmaster death is thrown; then every connection
 * still in use is closed.  The connections that answered are kept.
 */
void
ia_node_call_all(NodeCall *calls, int ncalls)
{
	WaitEventSet *volatile set = NULL;

	PG_TRY();
	{
		for (int i = 0; i < ncalls; i++)
		{
			calls[i].phase = 0;
			calls[i].conn = NULL;
			calls[i].last = NULL;
			calls[i].error = NULL;
			calls[i].values = NULL;
			calls[i].nrows = calls[i].ncols = 0;
			call_start(&calls[i]);
		}
		while (calls_wait(calls, ncalls, &set))
			;
	}
	PG_CATCH();
	{
		if (set)
			FreeWaitEventSet(set);
		for (int i = 0; i < ncalls; i++)
		{
			if (calls[i].last)
				PQclear(calls[i].last);
			libpqsrv_disconnect(calls[i].conn);
			calls[i].conn = NULL;
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	for (int i = 0; i < ncalls; i++)
		if (calls[i].phase == CALL_DONE)
			node_conn_keep(&calls[i]);
}
