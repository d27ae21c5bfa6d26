/*-------------------------------------------------------------------------
 *
 * ia_queue.h
 *		The history table as a queue (src/queue/): every write of idx_history
 *		the C code makes and every read it makes as the table's owner, for
 *		build/, definition/, script/, advise/ and plan/'s hidden indexes
 *		(requests: queue.c; the worker's side: claim.c; both through
 *		history.c's ia_history_exec).  Reads made as the caller, under its
 *		row policies, are not here: usage.c and api.c make their own; and
 *		two SQL parts write the table themselves (idx_prune, 50_retention;
 *		the hidden-index functions, 84_hidden).  src/queue/ calls nothing
 *		outside itself but nap.c (locks.c's waits).
 *
 * Every function needs a transaction with an active snapshot and
 * ia_queue_set_schema() called first.  Returned memory is allocated in the
 * caller's current context (or the one passed).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_QUEUE_H
#define IA_QUEUE_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/array.h"

#include "index_advisor.h"
#include "ia_status.h"

/* the version of the extension's SQL installed here (0.N -> N) */
extern int	ia_catalog_version(void);
extern Oid	ia_extension_schema(void);	/* InvalidOid: not installed */
extern void ia_require_catalog(int version, const char *what);

/* a create queued or running on a table */
typedef struct IaPending
{
	int64		id;
	char	   *definition;
	char	   *status;
	char	   *index_name;
	char	   *search_path;	/* the requester's, as it resolved it */
} IaPending;

/* for src/definition/ (naming.c, duplicates.c): pending rows that reserve a name or may duplicate */
extern char *ia_pending_name_exists(Oid nspid, const char *name);
extern List *ia_pending_definitions(Oid relid);

/* A history row as idx_cancel / idx_rollback see it. */
typedef struct IaRow
{
	int64		id;
	char	   *operation;
	IaStatus	status;
	char	   *schema_name;
	char	   *table_name;
	char	   *index_name;
	char	   *migration;
	Oid			role_oid;
	Oid			table_oid;
	int64		parent_id;
	Oid			index_oid;		/* the index built, as recorded (or invalid) */
	bool		restored;		/* index_oid is from another cluster (0.2) */
	bool		deferred;		/* 'waiting' to start, no worker took it */
} IaRow;

/* A row claimed by a worker. */
typedef struct IaJob
{
	int64		id;
	bool		is_drop;
	IaStatus	status;
	char	   *schema_name;
	char	   *table_name;
	char	   *index_name;
	char	   *definition;
	Oid			table_oid;
	Oid			role_oid;
	char	   *search_path;
	List	   *settings;		/* "name=value" strings */
	int64		reverts;
	int64		parent_id;		/* a part of a partitioned index's row */
	bool		partitioned;	/* the table is partitioned (set by the worker) */
	Oid			index_oid;		/* a drop: the index to drop, by OID */
	Oid			leftover_oid;	/* an INVALID leftover that could not be dropped */
} IaJob;

extern void ia_queue_set_schema(Oid nspid);
extern Oid	ia_queue_schema(void);

/*
 * history.c's ritual, for another table of the extension (relid): become
 * its owner, pin search_path, run one fixed statement with parameters,
 * hand each row to "reader" in the caller's memory context, restore.
 * Returns the number of rows processed.
 */
typedef void (*IaRowReader) (HeapTuple tup, TupleDesc desc, void *arg);
extern uint64 ia_exec_as_owner(Oid relid, const char *sql, int nargs,
							   Oid *types, Datum *values, const char *nulls,
							   IaRowReader reader, void *arg);
/* a reader: the int8 in the first column (of the last row) into *(int64 *) arg */
extern void ia_read_int8(HeapTuple tup, TupleDesc desc, void *arg);
extern int64 ia_queue_create(Oid relid, const char *schema_name,
							 const char *table_name, const char *index_name,
							 const char *definition, ArrayType *queries,
							 const char *migration, const char *search_path,
							 ArrayType *settings, TimestampTz not_before);
extern IaRow *ia_queue_lookup(int64 id);
extern bool ia_queue_set_status(int64 id, IaStatus from, IaStatus to);
extern int	ia_queue_request_cancel(int64 id);
extern int64 ia_queue_drop(IaRow *orig, const char *definition);
extern void ia_queue_refuse_second_rollback(int64 id);
extern List *ia_queue_migration_rows(const char *migration);
/* idx_apply_script's DROP INDEX */
extern int64 ia_queue_index_row(Oid indexoid);
extern int64 ia_queue_drop_index(Oid indexoid, Oid tableoid,
								 const char *schema_name, const char *table_name,
								 const char *index_name, const char *definition,
								 const char *migration);
extern int64 ia_queue_unfinished(int max, char **list);
extern void ia_queue_pending(int per_role, bool gate_open, int *queued,
							 int *stale, int *eligible, int *next_ms);
extern IaJob *ia_queue_claim(MemoryContext cxt, int per_role, bool gate_open);
extern void ia_queue_defer(const char *reason);
extern IaJob *ia_queue_claim_stale(MemoryContext cxt);
extern bool ia_queue_start_build(int64 id);
extern void ia_queue_finish(IaJob *job, Oid indexoid, ErrorData *edata,
							const char *extra);
extern bool ia_queue_retry(IaJob *job, ErrorData *edata, int delay_ms);
extern int	ia_queue_attempts(int64 id);
extern IaJob *ia_queue_add_part(IaJob *parent, Oid relid, const char *schema_name,
								const char *table_name, const char *index_name,
								MemoryContext cxt);
extern List *ia_queue_parts(int64 parent_id, MemoryContext cxt);
extern void ia_queue_rebind(int64 id, Oid indexoid);
extern int	ia_queue_rebind_restored(void);
extern List *ia_queue_leftovers(int limit, MemoryContext cxt);
extern void ia_queue_leftover_done(int64 id, const char *sentence);

#endif							/* IA_QUEUE_H */
