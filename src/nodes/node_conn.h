/*-------------------------------------------------------------------------
 *
 * node_conn.h
 *		Private to src/nodes/: one statement run on many nodes at once, the
 *		connections a backend keeps, and the checks of a connection string
 *		(node_conn.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_NODE_CONN_H
#define IA_NODE_CONN_H

#include "libpq-fe.h"

/* Why a node was not asked, or did not answer: an error not yet thrown. */
typedef struct NodeError
{
	int			code;			/* SQLSTATE (ERRCODE_...) */
	char	   *message;
	char	   *detail;			/* or NULL */
	char	   *hint;			/* or NULL */
} NodeError;

/* One node's statement: the caller fills the first part. */
typedef struct NodeCall
{
	const char *node;
	const char *conninfo;
	Oid			owner;			/* the role that registered the node */
	const char *sql;
	int			nparams;
	const char *const *params;	/* text parameters */

	/* the answer (palloc'd, row-major, NULL for SQL NULL), or the error */
	int			nrows;
	int			ncols;
	char	  **values;
	NodeError  *error;

	/* private to node_conn.c */
	int			phase;
	PGconn	   *conn;
	PGresult   *last;			/* the last result read so far */
	PostgresPollingStatusType poll;
	TimestampTz deadline;
} NodeCall;

/* settings (index_advisor.node_connect_timeout, _statement_timeout) */
extern int	ia_node_connect_timeout;	/* s */
extern int	ia_node_statement_timeout;	/* ms */

extern void ia_node_call_all(NodeCall *calls, int ncalls);
extern NodeError *ia_conninfo_refused(const char *conninfo, Oid owner);
extern void ia_node_error_raise(const NodeError *e) pg_attribute_noreturn();
extern PQconninfoOption *ia_conninfo_parse(const char *conninfo);

#endif							/* IA_NODE_CONN_H */
