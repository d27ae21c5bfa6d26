/*-------------------------------------------------------------------------
 *
 * launcher.c
 *		Optional start-up launcher, for shared_preload_libraries.
 *
 * Without shared_preload_libraries everything works: rows left behind by a
 * crash are reconciled by the next idx_apply(), idx_wait(), idx_kick() or
 * idx_check() in that database.  With index_advisor in
 * shared_preload_libraries, a launcher starts once the server is up,
 * connects to no database, lists the databases that allow connections and
 * starts one worker in each, one after the other.  A worker in a database
 * without the extension exits at once; in the others it reconciles the rows
 * that were running when the server stopped (the INVALID leftover dropped,
 * the row failed) and drains the queue, as any worker does.
 *
 * The launcher runs at server start only (not after a crash restart of the
 * backends): that case is left to the next call, as without the launcher.
 * Its workers connect as the bootstrap superuser (a role that can always
 * log in) and run each statement as the role that asked for it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "index_advisor.h"

PGDLLEXPORT void ia_launcher_main(Datum arg);

/* Called from _PG_init while shared_preload_libraries are loaded. */
void
ia_register_launcher(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, IA_NAME, BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "ia_launcher_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "index_advisor launcher", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "index_advisor launcher", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

void
ia_launcher_main(Datum arg)
{
	List	   *dbs = NIL;
	ListCell   *lc;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext,
											  "index_advisor launcher",
											  ALLOCSET_DEFAULT_SIZES);

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);
		MemoryContext old;

		if (!db->datallowconn || db->datistemplate)
			continue;
		old = MemoryContextSwitchTo(cxt);
		dbs = lappend_oid(dbs, db->oid);
		MemoryContextSwitchTo(old);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	PopActiveSnapshot();
	CommitTransactionCommand();

	foreach(lc, dbs)
	{
		BackgroundWorkerHandle *handle = ia_start_worker(lfirst_oid(lc),
														 BOOTSTRAP_SUPERUSERID,
														 InvalidOid, true);

		CHECK_FOR_INTERRUPTS();
		if (handle != NULL)
			(void) WaitForBackgroundWorkerShutdown(handle);
	}
	proc_exit(0);
}
