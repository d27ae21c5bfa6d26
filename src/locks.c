/*-------------------------------------------------------------------------
 *
 * locks.c
 *		Locks that no SQL session can take: worker slots, the claim lock,
 *		the lock on a running history row, open requests.
 *
 * Design: every lock here is a LOCKTAG_ADVISORY tag with a fourth field
 * that pg_advisory_lock() never produces (see ia_locks.h), so a session
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
 *	request  (db, 7597, 0, 104), ShareLock, transaction-level: taken by
 *	         every transaction that queues a row.  A worker does not leave
 *	         while one is open, so a row committed after the worker looked is
 *	         never stranded, whatever number of workers was registered.
 *
 * Rules: a worker holds a lock of someone else only for an instant (the
 * probes), so no wait here can last.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"

#include "ia_locks.h"

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
