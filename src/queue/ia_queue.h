/*-------------------------------------------------------------------------
 *
 * ia_queue.h
 *		What src/queue/ offers the other folders: the folder's one public
 *		header.  A file outside src/queue/ includes this header and none
 *		of the folder's others (scripts/house.sh checks it).
 *
 * Its sections, each with its own comment: locks, status, queue.
 * Private to src/queue/: queue_internal.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_QUEUE_H
#define IA_QUEUE_H

#include "postgres.h"

#include "nodes/nodes.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/array.h"

#include "index_advisor.h"

/*-------------------------------------------------------------------------
 *
 * locks (a section of ia_queue.h)
 *		The heavyweight locks index_advisor relies on (locks.c): worker
 *		slots, the claim lock, the lock a worker holds on the row it runs,
 *		and the lock an open transaction with a request holds.
 *
 * All are LOCKTAG_ADVISORY tags whose fourth field is one of the IA_LOCKTAG_*
 * values below.  SQL's advisory lock functions only ever produce 1 (one
 * int8 key) or 2 (two int4 keys), so no SQL session can take, hold or
 * forge any of these locks.  They show in pg_locks as locktype 'advisory'
 * with objsubid = the IA_LOCKTAG_* value.
 *
 *-------------------------------------------------------------------------
 */

/* second field (pg_locks.classid) of the slot, claim and request locks */
#define IA_LOCK_KEY			7597

/* fourth field (pg_locks.objsubid): never 1 or 2, which SQL uses */
#define IA_LOCKTAG_SLOT		101		/* a worker slot (objid = slot) */
#define IA_LOCKTAG_CLAIM	102		/* one claimer at a time */
#define IA_LOCKTAG_ROW		103		/* the worker of a history row */
#define IA_LOCKTAG_REQUEST	104		/* an open transaction queued rows */
#define IA_LOCKTAG_WATCH	105		/* the worker watching deferred rows */
#define IA_LOCKTAG_IDLE		106		/* the one worker of the server waiting for work */
#define IA_LOCKTAG_DROP_ROW	107		/* requests to revert a create row (queue.c) */
#define IA_LOCKTAG_DROP_INDEX 108	/* requests to drop an index (queue.c) */

/* session-level, conditional: a free slot of "n" for dboid (0 = server) */
extern int	ia_slot_acquire(Oid dboid, int n);
extern void ia_slot_release(Oid dboid, int slot);
extern int	ia_slots_free(Oid dboid, int n);

/* session-level, conditional: the one worker of dboid watching rows that
 * may not start yet (gentle builds), holding no slot */
extern bool ia_watch_acquire(void);
extern void ia_watch_release(void);
extern bool ia_watch_present(void);	/* needs a transaction */
extern bool ia_idle_acquire(void);
extern void ia_idle_release(void);

/* transaction-level */
extern void ia_claim_lock(void);
extern void ia_request_lock(void);
extern bool ia_requests_open(void);
extern bool ia_database_wanted(void);

/* session-level lock on history row "id", held by the worker running it */
extern bool ia_row_lock(int64 id, bool wait);
extern void ia_row_unlock(int64 id);
extern bool ia_row_has_worker(int64 id);

/* the table lock of a concurrent index statement, waited for without a snapshot */
extern void ia_wait_for_table_lock(Node *stmt);

/*-------------------------------------------------------------------------
 *
 * status (a section of ia_queue.h)
 *		The statuses of an idx_history row: the one definition in C.
 *
 * A row moves queued -> waiting -> building -> done | failed | cancelled,
 * and a done create becomes rolled_back once its index is dropped.  The
 * names below are the only spelling of a status in the C code: the enum
 * for C, the IA_S_* literals and IA_SQL_* sets for the fixed SQL statements
 * of queue.c (they must also run on a 0.1 catalog, which has no SQL
 * function to ask).  The SQL side defines the same statuses once as well:
 * the CHECK constraint of idx_history (0.1) and idx_status_live() (0.2,
 * src/update/0.1--0.2/05_status.sql); sql/status.sql fails if C and SQL
 * disagree (idx_statuses() exposes this list to SQL).  Every other SQL
 * object of the extension names a status as idx_status('done') (status.c),
 * which is this list's answer; sql/status.sql fails on a bare literal.
 *
 *-------------------------------------------------------------------------
 */

typedef enum IaStatus
{
	IA_QUEUED,					/* committed, no worker yet */
	IA_WAITING,					/* claimed; waiting for the caller / table */
	IA_BUILDING,				/* the CREATE/DROP INDEX CONCURRENTLY runs */
	IA_DONE,
	IA_FAILED,
	IA_CANCELLED,
	IA_ROLLED_BACK				/* a done create whose index was dropped */
} IaStatus;

#define IA_NUM_STATUSES (IA_ROLLED_BACK + 1)

/* the names, as stored in idx_history.status */
#define IA_S_QUEUED		"queued"
#define IA_S_WAITING	"waiting"
#define IA_S_BUILDING	"building"
#define IA_S_DONE		"done"
#define IA_S_FAILED		"failed"
#define IA_S_CANCELLED	"cancelled"
#define IA_S_ROLLED_BACK "rolled_back"

/* SQL literals for the fixed statements: one status, or a text[] of them */
#define IA_SQL(s)		"'" s "'"
/* live: a worker will act or is acting on the row (idx_status_live() in SQL) */
#define IA_SQL_LIVE		"'{" IA_S_QUEUED "," IA_S_WAITING "," IA_S_BUILDING "}'"
/* running: a worker has claimed the row */
#define IA_SQL_RUNNING	"'{" IA_S_WAITING "," IA_S_BUILDING "}'"
/* not started: queued, or waiting to start (a worker may still take it) */
#define IA_SQL_UNSTARTED	"'{" IA_S_QUEUED "," IA_S_WAITING "}'"
/* ended by the operation itself (rolled_back comes later, from a drop) */
#define IA_SQL_ENDED	"'{" IA_S_DONE "," IA_S_FAILED "," IA_S_CANCELLED "}'"
/* ended without an index */
#define IA_SQL_UNBUILT	"'{" IA_S_FAILED "," IA_S_CANCELLED "}'"

extern const char *ia_status_name(IaStatus status);
extern IaStatus ia_status_from_name(const char *name);
extern bool ia_status_is_live(IaStatus status);

/*-------------------------------------------------------------------------
 *
 * queue (a section of ia_queue.h)
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
