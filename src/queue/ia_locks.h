/*-------------------------------------------------------------------------
 *
 * ia_locks.h
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
#ifndef IA_LOCKS_H
#define IA_LOCKS_H

#include "postgres.h"

#include "nodes/nodes.h"

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

#endif							/* IA_LOCKS_H */
