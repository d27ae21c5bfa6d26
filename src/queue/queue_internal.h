/*-------------------------------------------------------------------------
 *
 * queue_internal.h
 *		What the files of src/queue/ share with each other (the folder's
 *		face is ia_queue.h): the one way to run a statement on idx_history.
 *
 * ia_history_exec is the ritual written once: become the history table's
 * owner, pin search_path, connect SPI, run one fixed statement with
 * parameters, hand each row to a reader in the caller's memory context,
 * restore.  Nothing outside src/queue/ calls it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_QUEUE_INTERNAL_H
#define IA_QUEUE_INTERNAL_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"

#include "ia_queue.h"

#define HX_READ_ONLY	0x01	/* the statement only reads */
#define HX_LATEST		0x02	/* a read with a snapshot taken now */

extern uint64 ia_history_exec(const char *sql, int nargs, Oid *types,
							  Datum *values, const char *nulls, int flags,
							  IaRowReader reader, void *arg);
extern char *ia_history_sql(const char *fmt);
extern char *ia_sql_waits_to_start(const char *alias);	/* SQL boolean */
extern char *ia_quoted_history(void);	/* "schema".idx_history */
extern void ia_read_int8_list(HeapTuple tup, TupleDesc desc, void *arg);

/* the columns of a job, as ia_job_from_tuple reads them */
#define JOB_COLUMNS \
	"id, operation, schema_name, table_name, index_name, definition," \
	" table_oid, role_oid, search_path, build_settings, reverts, status, parent_id," \
	" index_oid"
extern IaJob *ia_job_from_tuple(HeapTuple tup, TupleDesc desc,
								MemoryContext cxt);

#endif							/* IA_QUEUE_INTERNAL_H */
