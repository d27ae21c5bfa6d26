/*-------------------------------------------------------------------------
 *
 * nap.c
 *		The one latch nap of index_advisor: sleep on the process latch for
 *		up to ms, serve interrupts, and say whether the latch was set.
 *
 * Design.  Every wait of the extension (the workers' idle and probe naps,
 * the launcher's, idx_wait's, the table lock wait of a build) is the
 * same three steps worker_spi takes: WaitLatch with WL_EXIT_ON_PM_DEATH
 * (a process never outlives the postmaster), ResetLatch, then
 * CHECK_FOR_INTERRUPTS (a cancel or a terminate is served at once).  The
 * wait event says what the process waits for (PG_WAIT_EXTENSION, or
 * PG_WAIT_LOCK | LOCKTAG_RELATION for a lock wait), as pg_stat_activity
 * shows it.  A wait on a socket as well (nodes.c) is not a nap: it has
 * its own WaitLatchOrSocket.
 *
 * Caller's rules: none beyond those of WaitLatch (a backend or a
 * background worker with MyLatch).  A worker that reloads its settings on
 * SIGHUP does so itself after the nap.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/latch.h"

#include "index_advisor.h"

/*
 * ia_nap -- wait on MyLatch for up to ms milliseconds, shown as
 * wait_event_info; the WaitLatch result (WL_LATCH_SET when woken).
 */
int
ia_nap(long ms, uint32 wait_event_info)
{
	int			rc;

	rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
				   ms, wait_event_info);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
	return rc;
}
