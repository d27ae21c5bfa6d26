/*-------------------------------------------------------------------------
 *
 * locks.c
 *		Locks that no SQL session can take: worker slots, the claim lock,
 *		the lock on a running history row, open requests.
 *
 * Design: every lock here is a LOCKTAG_ADVISORY tag with a fourth field
 * that pg_advisory_lock() never produces (see ia_queue.h), so a session
 * holding pg_advisory_lock(7597, n) in any form stalls nothing.  Nothing
 * needs shared memory of its own (no shared_preload_libraries).
 *
 *	slot     (db, 7597, n, 101), session-level, conditional: a worker holds
 *	         one slot of its database (db = its oid, n < max_workers) and
 *	         one of the server (db = 0, n < server_max_workers) while it
 *	         runs or waits.  Sessions count free slots by trying them.
 *	claim    (db, 7597, 0, 102), transaction-level: one claimer at a time
 *	         per database, held only by workers, for one short transaction.
 *	row      (db, id >> 32, id, 103), session-level: held by the worker
 *	         running history row "id" from its claim to its record.  A row
 *	         'waiting' or 'building' whose lock can be taken has no worker:
 *	         no pid or clock is trusted for that.
 *	idle     (0, 7597, 0, 106), session-level, conditional: held by the one
 *	         worker of the server that waits for work with nothing queued
 *	         (it also holds its database's watch lock, 105).
 *	request  (db, 7597, 0, 104), ShareLock, transaction-level: taken by
 *	         every transaction that queues a row.  A worker does not leave
 *	         while one is open, so a row committed after the worker looked is
 *	         never stranded, whatever number of workers was registered.
 *
 * Rules: a worker holds a lock of someone else only for an instant (the
 * probes), so no wait here can last.
 *
 * One more, not ours: the table lock of a concurrent index statement.  A
 * CREATE or DROP INDEX CONCURRENTLY that waits for its table's lock waits
 * with a snapshot, and every other concurrent build of the database waits
 * for that snapshot ("waiting for old snapshots"): one role holding its own
 * table locked would stall everyone's builds.  ia_wait_for_table_lock()
 * takes that lock first, the way a lock wait would (lock_timeout,
 * statement_timeout and cancels apply) but holding no snapshot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_queue.h"

static void
slot_tag(LOCKTAG *tag, Oid dboid, int slot)
{
	SET_LOCKTAG_ADVISORY(*tag, dboid, IA_LOCK_KEY, (uint32) slot, IA_LOCKTAG_SLOT);
}

/*
 * ia_slot_acquire -- take a free slot among "n" of dboid (0: the server),
 * as a session lock.  Returns the slot, or -1 when all are held.
 */
int
ia_slot_acquire(Oid dboid, int n)
{
	for (int i = 0; i < n; i++)
	{
		LOCKTAG		tag;

		slot_tag(&tag, dboid, i);
		if (LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL)
			return i;
	}
	return -1;
}

void
ia_slot_release(Oid dboid, int slot)
{
	LOCKTAG		tag;

	if (slot < 0)
		return;
	slot_tag(&tag, dboid, slot);
	LockRelease(&tag, ExclusiveLock, true);
}

/* How many of the "n" slots of dboid no worker holds (probes each). */
int
ia_slots_free(Oid dboid, int n)
{
	int			free_slots = 0;

	for (int i = 0; i < n; i++)
	{
		LOCKTAG		tag;

		slot_tag(&tag, dboid, i);
		if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL)
		{
			LockRelease(&tag, ExclusiveLock, false);
			free_slots++;
		}
	}
	return free_slots;
}

static void
watch_tag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, IA_LOCK_KEY, 0, IA_LOCKTAG_WATCH);
}

/*
 * ia_watch_acquire -- become the worker of this database that watches the
 * rows that may not start yet (a not_before to come, the build window
 * closed, ...), as a session lock; false if another worker does.
 */
bool
ia_watch_acquire(void)
{
	LOCKTAG		tag;

	watch_tag(&tag);
	return LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL;
}

void
ia_watch_release(void)
{
	LOCKTAG		tag;

	watch_tag(&tag);
	LockRelease(&tag, ExclusiveLock, true);
}

/*
 * ia_idle_acquire -- become the one worker of the whole server that waits
 * for work with no rows queued (worker.c, worker_idle_timeout), as a
 * session lock; false if another worker, of any database, does.  It holds
 * no worker slot, so this bounds the processes index_advisor keeps to
 * server_max_workers plus this one (and the watchers of deferred rows).
 */
static void
idle_tag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, InvalidOid, IA_LOCK_KEY, 0, IA_LOCKTAG_IDLE);
}

bool
ia_idle_acquire(void)
{
	LOCKTAG		tag;

	idle_tag(&tag);
	return LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL;
}

void
ia_idle_release(void)
{
	LOCKTAG		tag;

	idle_tag(&tag);
	LockRelease(&tag, ExclusiveLock, true);
}

/* Whether a worker of this database watches deferred rows (probes). */
bool
ia_watch_present(void)
{
	LOCKTAG		tag;

	watch_tag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
		return true;
	LockRelease(&tag, ExclusiveLock, false);
	return false;
}

/* One claimer at a time in this database; released at end of transaction. */
void
ia_claim_lock(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, IA_LOCK_KEY, 0, IA_LOCKTAG_CLAIM);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

static void
request_tag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, IA_LOCK_KEY, 0, IA_LOCKTAG_REQUEST);
}

/* This transaction queues rows: workers wait for its end before leaving. */
void
ia_request_lock(void)
{
	LOCKTAG		tag;

	request_tag(&tag);
	(void) LockAcquire(&tag, ShareLock, false, false);
}

/*
 * Whether a session wants this database to itself (needs a transaction):
 * DROP DATABASE, ALTER DATABASE RENAME or SET TABLESPACE, or CREATE
 * DATABASE with it as template hold a lock on it that conflicts with the
 * one every new connection takes, then wait a few seconds for the other
 * sessions to leave.  A worker that only waits leaves for them.
 */
bool
ia_database_wanted(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_OBJECT(tag, InvalidOid, DatabaseRelationId, MyDatabaseId, 0);
	if (LockAcquire(&tag, RowExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
		return true;
	LockRelease(&tag, RowExclusiveLock, false);
	return false;
}

/* Whether a transaction that queued rows is still open (needs a txn). */
bool
ia_requests_open(void)
{
	LOCKTAG		tag;

	request_tag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
		return true;
	LockRelease(&tag, ExclusiveLock, false);
	return false;
}

static void
row_tag(LOCKTAG *tag, int64 id)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) ((uint64) id >> 32),
						 (uint32) id, IA_LOCKTAG_ROW);
}

/*
 * ia_row_lock -- the session lock of the worker running row "id".  With
 * "wait", waits (only a probe can hold it then); else returns false when
 * another worker holds it.
 */
bool
ia_row_lock(int64 id, bool wait)
{
	LOCKTAG		tag;

	row_tag(&tag, id);
	return LockAcquire(&tag, ExclusiveLock, true, !wait) != LOCKACQUIRE_NOT_AVAIL;
}

void
ia_row_unlock(int64 id)
{
	LOCKTAG		tag;

	row_tag(&tag, id);
	LockRelease(&tag, ExclusiveLock, true);
}

/* Whether a live worker holds row "id" (needs a transaction). */
bool
ia_row_has_worker(int64 id)
{
	LOCKTAG		tag;

	LockAcquireResult res;

	row_tag(&tag, id);
	res = LockAcquire(&tag, ExclusiveLock, false, true);
	if (res == LOCKACQUIRE_NOT_AVAIL)
		return true;
	LockRelease(&tag, ExclusiveLock, false);
	return res != LOCKACQUIRE_OK;	/* already held: by this worker */
}

/*
 * The table a concurrent CREATE INDEX or DROP INDEX statement locks with
 * ShareUpdateExclusiveLock, or InvalidOid (any other statement, a name that
 * does not resolve, or an object the current role does not own: the
 * statement itself will say so, before it locks anything, as PostgreSQL's
 * own look-up checks ownership before it locks).
 */
static Oid
concurrent_target(Node *stmt)
{
	if (IsA(stmt, IndexStmt) && ((IndexStmt *) stmt)->concurrent)
	{
		Oid			relid = RangeVarGetRelid(((IndexStmt *) stmt)->relation, NoLock, true);

		if (OidIsValid(relid) && ia_table_ownercheck(relid, GetUserId()))
			return relid;
	}
	else if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->concurrent &&
			 ((DropStmt *) stmt)->removeType == OBJECT_INDEX &&
			 list_length(((DropStmt *) stmt)->objects) == 1)
	{
		RangeVar   *rv = makeRangeVarFromNameList(linitial(((DropStmt *) stmt)->objects));
		Oid			indexoid = RangeVarGetRelid(rv, NoLock, true);

		if (OidIsValid(indexoid) && get_rel_relkind(indexoid) == RELKIND_INDEX &&
			ia_table_ownercheck(indexoid, GetUserId()))
			return IndexGetRelation(indexoid, true);
	}
	return InvalidOid;
}

/*
 * ia_wait_for_table_lock -- in the transaction that will run "stmt", before
 * it takes a snapshot: take the table lock a concurrent index statement
 * asks for, polling without a snapshot.  Waits like a lock wait: at most
 * lock_timeout (then 55P03, as PostgreSQL says it), and statement_timeout
 * or a cancel end it through CHECK_FOR_INTERRUPTS().
 */
void
ia_wait_for_table_lock(Node *stmt)
{
	Oid			relid = concurrent_target(stmt);
	TimestampTz start;
	int			nap = 10;

	if (!OidIsValid(relid))
		return;
	start = GetCurrentTimestamp();
	while (!ConditionalLockRelationOid(relid, ShareUpdateExclusiveLock))
	{
		/* the catalog snapshot is the only one held here: let it go */
		InvalidateCatalogSnapshot();
		if (LockTimeout > 0 &&
			TimestampDifferenceExceeds(start, GetCurrentTimestamp(), LockTimeout))
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("canceling statement due to lock timeout"),
					 errdetail("Another transaction holds a lock on table \"%s\" that the index build needs.",
							   get_rel_name(relid))));
		/* shown as the lock wait it is: wait_event_type Lock, "relation" */
		(void) ia_nap(nap, PG_WAIT_LOCK | LOCKTAG_RELATION);
		nap = Min(nap * 2, 200);
	}
}
