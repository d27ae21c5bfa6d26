/*-------------------------------------------------------------------------
 *
 * launcher.c
 *		Starting workers: from the SQL functions (one database, after the
 *		calling transaction), and from the optional start-up launcher.
 *
 * Every worker connects as the bootstrap superuser (a role that can always
 * log in, and whose backend no other role can signal) and runs each job as
 * the role that asked for it (worker.c).  A worker takes one of
 * index_advisor.max_workers slots of its database and one of
 * index_advisor.server_max_workers slots of the server (ia_queue.h) before
 * it does anything, or exits: that bounds the workers registered, running
 * or waiting, however many transactions are open.  SQL calls register a
 * worker only while a slot is free; a row they queue is never stranded,
 * because a worker does not leave while a transaction that queued rows is
 * open (the request lock).
 *
 * Without shared_preload_libraries everything works: rows left behind by a
 * crash are reconciled by the next idx_apply(), idx_wait(), idx_kick() or
 * idx_check() in that database.  With index_advisor in
 * shared_preload_libraries, a launcher starts once the server is up,
 * connects to no database, lists the databases that allow connections and
 * starts one worker in each, at most server_max_workers at once, without
 * waiting for one database's queue to drain before the next.  A worker in a
 * database without the extension exits at once; in the others it reconciles
 * the rows that were running when the server stopped (the INVALID leftover
 * dropped, the row failed) and drains the queue, as any worker does.
 *
 * When no background worker slot is free (max_worker_processes used up),
 * the launcher retries every second but says so only when the wait begins,
 * at growing intervals while it lasts, and when it ends (SlotWait).
 *
 * The launcher then stays, idle (one process, no database), so that the
 * postmaster restarts it after a crash of the backends, when it reconciles
 * again.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

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
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_build.h"
#include "ia_queue.h"
#include "worker.h"

PGDLLEXPORT void ia_launcher_main(Datum arg);
static BackgroundWorkerHandle *start_worker(Oid dboid, Oid nspid,
											bool notify);

/* Called from _PG_init while shared_preload_libraries are loaded. */
void
ia_register_launcher(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	/* restarted after a crash of the backends: then it reconciles again */
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, IA_NAME, BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "ia_launcher_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "index_advisor launcher", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "index_advisor launcher", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

/* The databases that allow connections, in "cxt". */
static List *
list_databases(MemoryContext cxt)
{
	List	   *dbs = NIL;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

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
	return dbs;
}

/* The handles of "running" whose worker has not stopped yet. */
static List *
still_running(List *running)
{
	List	   *left = NIL;
	ListCell   *lc;

	foreach(lc, running)
	{
		BackgroundWorkerHandle *handle = lfirst(lc);
		pid_t		pid;

		if (GetBackgroundWorkerPid(handle, &pid) != BGWH_STOPPED)
			left = lappend(left, handle);
	}
	list_free(running);
	return left;
}

static void
launcher_nap(long ms)
{
	(void) ia_nap(ms, PG_WAIT_EXTENSION);
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
}

/*
 * The launcher's wait for a background worker slot (max_worker_processes
 * used up), while it retries every second: said once when the wait
 * begins, again after 1 minute, 2, 4, ... (at most every hour) while it
 * lasts, and once more when it ends; never once a second.
 */
typedef struct SlotWait
{
	TimestampTz since;			/* first failure of this wait; 0: none */
	TimestampTz next;			/* when to say it again */
	int			interval_s;		/* the interval after that */
} SlotWait;

#define IA_SLOT_WAIT_FIRST_S	60
#define IA_SLOT_WAIT_MAX_S		3600

static void
slot_wait_failed(SlotWait *wait, Oid dboid)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		first = wait->since == 0;

	if (first)
	{
		wait->since = now;
		wait->interval_s = IA_SLOT_WAIT_FIRST_S;
	}
	else if (now < wait->next)
		return;
	wait->next = TimestampTzPlusMilliseconds(now, wait->interval_s * 1000L);
	ereport(WARNING,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("index_advisor launcher cannot start a worker for database %u: no background worker slot is free",
					dboid),
			 first ?
			 errdetail("It tries again every second; this is logged again only if it still waits in %d seconds, then less and less often.",
					   wait->interval_s) :
			 errdetail("It has been waiting for %ld seconds, trying again every second.",
					   (long) ((now - wait->since) / USECS_PER_SEC)),
			 errhint("You may need to increase \"max_worker_processes\".")));
	wait->interval_s = Min(wait->interval_s * 2, IA_SLOT_WAIT_MAX_S);
}

static void
slot_wait_ended(SlotWait *wait, Oid dboid)
{
	if (wait->since == 0)
		return;
	ereport(LOG,
			(errmsg("index_advisor launcher started the worker for database %u after waiting %ld seconds for a background worker slot",
					dboid, (long) ((GetCurrentTimestamp() - wait->since) / USECS_PER_SEC))));
}

void
ia_launcher_main(Datum arg)
{
	List	   *dbs;
	List	   *running = NIL;
	ListCell   *lc;
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext,
											  "index_advisor launcher",
											  ALLOCSET_DEFAULT_SIZES);

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	dbs = list_databases(cxt);
	MemoryContextSwitchTo(cxt);

	/*
	 * One worker per database, without waiting for one database's queue to
	 * drain before the next starts: at most server_max_workers at once
	 * (more would only exit at once, finding no server slot).
	 */
	foreach(lc, dbs)
	{
		BackgroundWorkerHandle *handle = NULL;
		SlotWait	wait = {0};

		for (;;)
		{
			running = still_running(running);
			if (list_length(running) < ia_server_max_workers())
			{
				if ((handle = start_worker(lfirst_oid(lc), InvalidOid, true)) != NULL)
					break;
				slot_wait_failed(&wait, lfirst_oid(lc));
			}
			launcher_nap(1000L);
		}
		slot_wait_ended(&wait, lfirst_oid(lc));
		running = lappend(running, handle);
	}

	/*
	 * Stay, idle: after a crash the postmaster restarts every backend, and
	 * this launcher with them, so that it reconciles again.  (A worker that
	 * exits 0 would not be restarted.)
	 */
	pgstat_report_activity(STATE_IDLE, NULL);
	for (;;)
		launcher_nap(-1L);
}

/* Describe a worker for database "dboid"; see IaWorkerArgs. */
static void
describe_worker(BackgroundWorker *worker, Oid dboid, Oid nspid, bool notify)
{
	IaWorkerArgs args;

	memset(worker, 0, sizeof(*worker));
	worker->bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker->bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker->bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker->bgw_library_name, IA_NAME, BGW_MAXLEN);
	strlcpy(worker->bgw_function_name, "ia_worker_main", BGW_MAXLEN);
	snprintf(worker->bgw_name, BGW_MAXLEN, "index_advisor worker for database %u",
			 dboid);
	strlcpy(worker->bgw_type, IA_WORKER_TYPE, BGW_MAXLEN);
	worker->bgw_notify_pid = notify ? MyProcPid : 0;

	memset(&args, 0, sizeof(args));
	args.dboid = dboid;
	args.nspid = nspid;
	memcpy(worker->bgw_extra, &args, sizeof(args));
}

/*
 * Register it; NULL when no slot is free, with a WARNING if "warn" (a SQL
 * call warns each time; the launcher, which retries every second, says it
 * itself: SlotWait).
 */
static BackgroundWorkerHandle *
register_worker(BackgroundWorker *worker, bool warn)
{
	BackgroundWorkerHandle *handle;

	if (!RegisterDynamicBackgroundWorker(worker, &handle))
	{
		if (!warn)
			return NULL;
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start an index_advisor worker"),
				 errdetail("Queued operations start with the next call of idx_apply(), idx_wait() or idx_kick()."),
				 errhint("You may need to increase \"max_worker_processes\".")));
		return NULL;
	}
	return handle;
}

/*
 * start_worker -- register one worker for database "dboid"; "nspid" is
 * the extension's schema there (InvalidOid: the worker looks it up).  With
 * "notify", the caller may wait for it.  Returns the handle, or NULL
 * (without a message: the launcher's SlotWait says it) when no background
 * worker slot is free.
 */
static BackgroundWorkerHandle *
start_worker(Oid dboid, Oid nspid, bool notify)
{
	BackgroundWorker worker;

	describe_worker(&worker, dboid, nspid, notify);
	return register_worker(&worker, false);
}

/*
 * ia_launch_workers -- register up to "wanted" workers for this database,
 * no more than there are free worker slots in it and in the server (a
 * worker registered beyond them would exit at once).  Returns how many
 * were registered.
 */
int
ia_launch_workers(int wanted)
{
	BackgroundWorker worker;
	int			launched = 0;

	int			db_free = ia_slots_free(MyDatabaseId, ia_max_workers());
	int			server_free = ia_slots_free(InvalidOid, ia_server_max_workers());

	if (wanted > 0 && server_free == 0 && db_free == ia_max_workers())
		ereport(NOTICE,
				(errmsg("no index_advisor worker can start now"),
				 errdetail("All %d index_advisor worker slots of the server are taken by other databases.",
						   ia_server_max_workers()),
				 errhint("The operation starts with the next call of idx_apply(), idx_kick() or idx_wait() in this database once a slot is free; index_advisor.server_max_workers sets the number of slots.")));
	wanted = Min(wanted, Min(db_free, server_free));
	describe_worker(&worker, MyDatabaseId, ia_queue_schema(), false);
	while (launched < wanted && register_worker(&worker, true) != NULL)
		launched++;
	return launched;
}

/*
 * ia_wake_workers -- set the latch of every index_advisor worker of this
 * database: the one that waits for work (worker.c, watch()) looks at the
 * queue at once.  For a committed request; never fails.
 */
void
ia_wake_workers(void)
{
	for (uint32 i = 0; i < ProcGlobal->allProcCount; i++)
	{
		PGPROC	   *proc = &ProcGlobal->allProcs[i];
		int			pid = proc->pid;
		const char *type;

		if (pid == 0 || !proc->isBackgroundWorker ||
			proc->databaseId != MyDatabaseId)
			continue;
		type = GetBackgroundWorkerTypeByPid(pid);
		if (type != NULL && strcmp(type, IA_WORKER_TYPE) == 0)
			SetLatch(&proc->procLatch);
	}
}

/*
 * ia_signal_cancel -- send a query cancel to pid if it is an index_advisor
 * worker of this database.  Returns whether it was sent.
 */
bool
ia_signal_cancel(int pid)
{
	PGPROC	   *proc = BackendPidGetProc(pid);
	const char *type;

	if (proc == NULL || !proc->isBackgroundWorker ||
		proc->databaseId != MyDatabaseId)
		return false;
	type = GetBackgroundWorkerTypeByPid(pid);
	if (type == NULL || strcmp(type, IA_WORKER_TYPE) != 0)
		return false;
	return kill(pid, SIGINT) == 0;
}
