/*-------------------------------------------------------------------------
 *
 * worker.c
 *		The background worker that drains a database's queue: it runs
 *		CREATE INDEX CONCURRENTLY and DROP INDEX CONCURRENTLY as top-level
 *		statements, as the role that asked, and cleans up after failures.
 *
 * Life of a worker (doc/workers.md says it for users):
 *	1. Registered by idx_apply()/idx_rollback()/idx_kick() while a worker
 *	   slot is free, or by the launcher; no shared_preload_libraries needed.
 *	   It connects as the bootstrap superuser, whoever started it, with
 *	   READ COMMITTED forced and query cancel held (taken only while a
 *	   job's statements run).
 *	2. It takes one of index_advisor.max_workers slots of its database and
 *	   one of server_max_workers slots of the server (locks no SQL session
 *	   can take, ia_queue.h), or exits.  INVALID leftovers whose drop failed
 *	   earlier are retried, a few per worker (ia_worker_retry_leftovers()).
 *	3. It claims jobs one at a time (fair shares per role, claim.c) and
 *	   holds the claimed row's lock until the job is recorded.  A row
 *	   'waiting'/'building' whose lock is free was left by a worker that
 *	   died, and is reconciled from the row's state and recorded OIDs
 *	   (ia_worker_reconcile(), worker_job.c): a 'waiting' row built nothing and touches nothing; a
 *	   'building' one is done if its index became valid, else its INVALID
 *	   leftover is dropped and the row failed.
 *	4. A create is built only if its table's name is still the table
 *	   recorded by OID and its index name is still free (checked in the
 *	   transaction that moves it to 'building'); a drop drops the index
 *	   recorded by OID.  Each status change is a short transaction of its
 *	   own.  The statement itself is parsed, analysed and planned in a
 *	   memory context of the job (CIC commits and starts transactions under
 *	   our feet, so nothing may live in a transaction context) and run
 *	   through a portal with isTopLevel = true, as exec_simple_query() does.
 *	   While it runs, the worker's user id is the requesting role
 *	   (SetUserIdAndSecContext), with the search_path and build settings
 *	   captured with the request.
 *	5. Any error of a statement is caught, logged, copied, the transaction
 *	   aborted, the leftover INVALID index dropped concurrently (if that
 *	   fails, its OID is kept for step 2's retries), and SQLSTATE, message
 *	   and detail recorded.  An ERROR elsewhere reaches the top-level
 *	   sigsetjmp: logged, recorded, and the loop goes on.  FATAL (SIGTERM,
 *	   crash) ends the worker: step 3 of another cleans up.
 *	6. With the queue empty it lets go of its slots and looks again, first
 *	   for open transactions that queued rows (it waits for them, polling),
 *	   then for rows; it leaves only when there are neither.  When the only
 *	   rows left may not start yet (the start rule, claim.c: a not_before
 *	   to come, the build window, replica lag, busy backends, a role at its
 *	   share), one worker per database watches them (ia_watch_acquire),
 *	   holding no slot, and looks again every IA_DEFER_RECHECK_MS; the
 *	   others leave.  Rows held back say why (status 'waiting', no worker,
 *	   wait_reason: ia_queue_defer).  With no rows at all, one worker of
 *	   the whole server (ia_idle_acquire) still waits, for
 *	   index_advisor.worker_idle_timeout after its last job: the next
 *	   request of its database wakes it when it commits (api.c) instead of
 *	   starting a process (~40 ms, bench/RESULTS.md).  A watching worker
 *	   leaves when a session wants the database to itself (DROP DATABASE
 *	   waits only a few seconds for other sessions) or the extension goes.
 *	7. A job at priority low or idle (gentle.c) lowers the worker's CPU and
 *	   I/O priority for its statements; when the CPU priority cannot be
 *	   raised back, the worker leaves after the job and registers another.
 *
 * Files: the steps of a job (run as the requester, find or drop its index,
 * record it) are in job.c, shared with partition.c, which this file calls
 * for a job on a partitioned table; what a worker does with one claimed
 * row of a plain table (create, drop, reconcile, leftovers) is in
 * worker_job.c.  None of them calls back here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>
#include <unistd.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/xact.h"
#include "commands/extension.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
#include "catalog/indexing.h"
#include "utils/fmgroids.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

#include "index_advisor.h"
#include "ia_queue.h"
#include "ia_definition.h"
#include "ia_build.h"
#include "job.h"
#include "partition.h"
#include "worker.h"
#include "worker_job.h"

PGDLLEXPORT void ia_worker_main(Datum arg);

static MemoryContext job_cxt = NULL;	/* = ia_job_context() */
static int	my_slot = -1;		/* of this database */
static int	my_server_slot = -1;	/* of the server */

/* the job whose row lock this worker holds, for the top-level recovery */
static IaJob *volatile current_job = NULL;
static volatile int64 locked_row = 0;

/* between polls while a transaction that queued rows is open: the first
 * nap, doubled twice while nothing comes */
#define IA_POLL_MS 200
#define IA_OPEN_PROBE_MS 10
#define IA_OPEN_PROBES 5		/* naps of wait_for_requests(), then IA_POLL_MS */
static int	idle_naps = 0;

/* this worker watches the rows that may not start yet (ia_watch_acquire) */
static bool watching = false;

/* when this worker last ran a job (or started): worker_idle_timeout */
static TimestampTz last_work_at = 0;

/* this worker is the one of the server that waits for work (ia_idle_acquire) */
static bool holding_idle = false;

/* the database or the extension is wanted gone: leave, whatever comes */
static bool leave_for_good = false;

/* how often a watching worker asks whether it should leave */
#define IA_WATCH_PROBE_MS 100


/*
 * One of max_workers slots of this database and one of server_max_workers
 * slots of the server, or false.  A session counting free slots holds one
 * for an instant: try again a little later before giving up.
 */
static bool
acquire_slots(void)
{
	for (int attempt = 0; attempt < 3; attempt++)
	{
		if (attempt > 0)
			pg_usleep(10000L);
		my_slot = ia_slot_acquire(MyDatabaseId, ia_max_workers());
		if (my_slot < 0)
			continue;
		my_server_slot = ia_slot_acquire(InvalidOid, ia_server_max_workers());
		if (my_server_slot >= 0)
			return true;
		ia_slot_release(MyDatabaseId, my_slot);
		my_slot = -1;
	}
	return false;
}

static void
release_slots(void)
{
	ia_slot_release(MyDatabaseId, my_slot);
	ia_slot_release(InvalidOid, my_server_slot);
	my_slot = my_server_slot = -1;
}

/*
 * A job at a lowered priority left this process's CPU priority lowered (an
 * unprivileged process cannot raise it back, gentle.c): nothing else may
 * run at it, so this worker leaves, and registers a successor for the
 * rest of the queue.
 */
static void
leave_after_lowered_priority(void)
{
	release_slots();
	if (watching)
		ia_watch_release();
	StartTransactionCommand();
	(void) ia_launch_workers(1);
	CommitTransactionCommand();
	proc_exit(0);
}

/* Claim and run one job (or reconcile a stale row); false if none. */
static bool
work_once(void)
{
	IaJob	   *job;
	bool		stale = false;

	MemoryContextReset(job_cxt);
	QueryCancelPending = false; /* a cancel meant for the job before */
	ia_debug_start();
	ia_begin_txn();
	job = ia_queue_claim_stale(job_cxt);
	if (job)
		stale = true;
	else
	{
		char	   *gate = ia_start_gate();

		job = ia_queue_claim(job_cxt, ia_max_workers_per_role(), gate == NULL);
		if (job == NULL)
			ia_queue_defer(gate);	/* why the rows left wait (0.2) */
	}
	if (job != NULL)
	{
		locked_row = job->id;
		job->partitioned = get_rel_relkind(job->table_oid) == RELKIND_PARTITIONED_TABLE;
	}
	ia_end_txn();
	if (job == NULL)
		return false;
	if (watching)
	{
		ia_watch_release();		/* another worker may watch meanwhile */
		watching = false;
	}

	current_job = job;
	idle_naps = 0;
	last_work_at = GetCurrentTimestamp();
	ia_debug_step(job->id, "claimed");
	if (stale && job->partitioned && !job->is_drop)
		ia_reconcile_partitioned(job);
	else if (stale)
		ia_worker_reconcile(job);
	else if (job->is_drop)
		ia_worker_drop_index(job);
	else if (job->partitioned)
		ia_run_create_partitioned(job);
	else
		ia_worker_run_create(job);
	current_job = NULL;
	ia_row_unlock(job->id);
	locked_row = 0;
	(void) pgstat_report_stat(true);
	if (ia_priority_stuck())
		leave_after_lowered_priority();
	return true;
}

/*
 * recover_toplevel -- an ERROR escaped a job's own error handling (a
 * bookkeeping step failed): log it, get back outside any transaction, and
 * record it on the job's row when nothing was built; otherwise let go of
 * the row, which this worker then reconciles as any stale row.
 */
static void
recover_toplevel(Oid worker_userid)
{
	IaJob	   *job = current_job;
	ErrorData  *edata;
	static int	errors = 0;

	error_context_stack = NULL;
	edata = ia_recover_from_error();
	HOLD_CANCEL_INTERRUPTS();	/* errfinish() zeroed the count */
	SetUserIdAndSecContext(worker_userid, 0);
	current_job = NULL;
	if (++errors > 100)
		proc_exit(1);			/* something is badly wrong: leave */
	if (job != NULL && !job->partitioned)
	{
		bool		valid;
		Oid			indexoid;

		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
		if (!OidIsValid(indexoid))
			ia_record(job, InvalidOid, edata, NULL);
	}
	if (locked_row != 0)
		ia_row_unlock(locked_row);
	locked_row = 0;
}

/* What the queue holds for this worker (look_at_queue). */
typedef struct QueueLook
{
	bool		open;			/* a transaction that queued rows is open */
	int			queued;			/* rows not ended */
	int			stale;			/* rows whose worker is gone */
	int			eligible;		/* rows that could start now */
	int			next_ms;		/* until a not_before is due, or -1 */
} QueueLook;

/*
 * look_at_queue -- first for open transactions that queued rows, then, in
 * a newer snapshot, for the rows (so that a row committed in between is
 * seen by one look or the other).
 */
static void
look_at_queue(QueueLook *look)
{
	char	   *gate;

	StartTransactionCommand();
	look->open = ia_requests_open();
	CommitTransactionCommand();
	MemoryContextReset(job_cxt);
	ia_begin_txn();
	gate = ia_start_gate();
	ia_queue_pending(ia_max_workers_per_role(), gate == NULL,
					 &look->queued, &look->stale, &look->eligible,
					 &look->next_ms);
	ia_end_txn();
}

/* Nothing this worker could start, now or once a transaction commits. */
static bool
nothing_to_start(const QueueLook *look)
{
	return !look->open && look->eligible == 0 && look->stale == 0;
}

/* ms left of index_advisor.worker_idle_timeout since the last job */
static long
linger_left_ms(void)
{
	return ia_worker_idle_timeout() -
		TimestampDifferenceMilliseconds(last_work_at, GetCurrentTimestamp());
}

/*
 * Whether this worker may wait for work with nothing queued: within
 * worker_idle_timeout of its last job, and as the one worker of the server
 * that does (ia_idle_acquire: those wait holding no slot, and must not take
 * the server's max_worker_processes from parallel query and the rest).
 */
static bool
may_wait_idle(void)
{
	if (linger_left_ms() <= 0)
		return false;
	if (!holding_idle)
		holding_idle = ia_idle_acquire();
	return holding_idle;
}

static void
stop_waiting_idle(void)
{
	if (holding_idle)
		ia_idle_release();
	holding_idle = false;
}

/* Whether the extension is still installed here (needs a transaction). */
static bool
extension_present(void)
{
	return OidIsValid(get_extension_oid("index_advisor", true));
}

/*
 * watch -- only rows that may not start yet are left (a not_before to come,
 * the build window closed, replica lag, busy backends, a role at its share,
 * a table busy): one worker per database stays; or none at all: one
 * worker of the server stays (may_wait_idle).  It holds no worker slot, so
 * that it holds up no other database's or role's build.  For rows, it looks again at a bounded interval
 * (IA_DEFER_RECHECK_MS, or sooner when a not_before is due); for none, it
 * waits until index_advisor.worker_idle_timeout has passed since its last
 * job, looking again every IA_DEFER_RECHECK_MS.  A committed request sets
 * its latch (api.c): it looks at once.  It leaves, for good, when a
 * session wants the database to itself (ia_database_wanted) or the
 * extension is gone.  Returns whether to go on, with the slots taken again.
 */
static bool
watch(int next_ms, bool rows)
{
	long		nap = IA_DEFER_RECHECK_MS;
	TimestampTz until;

	if (!watching && !ia_watch_acquire())
		return false;			/* another worker watches */
	watching = true;
	if (rows && next_ms >= 0)
		nap = Min(nap, Max(next_ms, 10));
	if (!rows)
		nap = Min(nap, Max(linger_left_ms(), 1));
	until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), nap);
	pgstat_report_activity(STATE_IDLE, NULL);
	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);
		int			rc;
		bool		go;

		if (left <= 0)
			break;
		rc = ia_nap(Min(left, IA_WATCH_PROBE_MS), PG_WAIT_EXTENSION);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		StartTransactionCommand();
		go = !ia_database_wanted() && extension_present();
		CommitTransactionCommand();
		if (!go)
		{
			leave_for_good = true;
			stop_waiting_idle();
			return false;
		}
		if (rc & WL_LATCH_SET)
			break;
	}
	stop_waiting_idle();
	return acquire_slots();
}

/*
 * wait_for_requests -- nap in IA_OPEN_PROBE_MS steps, for up to IA_POLL_MS,
 * until no transaction that queued rows is open any more (stay() calls it
 * IA_OPEN_PROBES times at most in a row).  Returns true.
 */
static bool
wait_for_requests(void)
{
	bool		open = true;

	pgstat_report_activity(STATE_IDLE, NULL);
	for (int waited = 0; open && waited < IA_POLL_MS; waited += IA_OPEN_PROBE_MS)
	{
		(void) ia_nap(IA_OPEN_PROBE_MS, PG_WAIT_EXTENSION);
		StartTransactionCommand();
		open = ia_requests_open();
		CommitTransactionCommand();
	}
	return true;
}

/*
 * leave -- stop watching and leave, unless a request came meanwhile: a
 * session that saw this worker watch did not start a worker of its own
 * (api.c), and it took its request lock before it looked, so a request
 * still open, or rows it committed, are seen here.  Returns whether to go
 * on (with the slots taken again).
 */
static bool
leave(void)
{
	QueueLook	look;

	stop_waiting_idle();
	if (!watching)
		return false;
	ia_watch_release();
	watching = false;
	if (leave_for_good)
		return false;
	look_at_queue(&look);
	if (nothing_to_start(&look))
		return false;
	return acquire_slots();
}

/*
 * stay -- the queue looked empty: let go of the slots, then look again,
 * first for transactions that queued rows and are still open (this worker
 * waits for them), then, in a newer snapshot, for rows that could start by
 * the start rule, and for rows that may not start yet (watch()).
 * Returns whether to go on, with the slots taken again.
 */
static bool
stay(void)
{
	QueueLook	look;
	long		nap;

	release_slots();
	look_at_queue(&look);
	if (nothing_to_start(&look))
	{
		if ((look.queued > 0 || may_wait_idle()) &&
			watch(look.next_ms, look.queued > 0))
		{
			ia_worker_retry_leftovers();	/* as a new worker would */
			return true;
		}
		return leave();
	}
	/* all slots taken: their workers look again before they leave */
	if (!acquire_slots())
		return false;

	/*
	 * Rows could start just now, or a transaction that queued rows is
	 * still open: look again soon, and at least every 800 ms, for the rows
	 * of transactions that commit meanwhile.  A transaction still open is
	 * most often the idx_apply() that started this worker, about to commit:
	 * look for its end every 10 ms at first (a probe of its lock, no query).
	 */
	if (look.open && idle_naps < IA_OPEN_PROBES)
	{
		idle_naps++;
		return wait_for_requests();
	}
	nap = IA_POLL_MS << Min(idle_naps, 2);	/* 200, 400, then 800 ms */
	idle_naps++;
	pgstat_report_activity(STATE_IDLE, NULL);
	(void) ia_nap(nap, PG_WAIT_EXTENSION);
	return true;
}

/*
 * The worker's own session: READ COMMITTED and read-write whatever the
 * database or role sets (the claim relies on it), its bookkeeping commits
 * asynchronous, cancel held except while a statement runs.
 */
static void
set_up_session(void)
{
	SetConfigOption("default_transaction_isolation", "read committed",
					PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("default_transaction_read_only", "off",
					PGC_SUSET, PGC_S_OVERRIDE);

	/*
	 * The worker's own bookkeeping commits (claim, 'building', the record)
	 * need not wait for their WAL to reach the disk: a crash that loses one
	 * leaves the row as it was, and ia_worker_reconcile (worker_job.c)
	 * finishes it from the row's state and the catalogs; the WAL of the build's own commits, which run
	 * with the server's synchronous_commit (act_as_requester, job.c),
	 * flushes everything before it.  Three fsyncs fewer per job (the
	 * overhead of bench/RESULTS.md).
	 */
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_SESSION);
	HOLD_CANCEL_INTERRUPTS();
	job_cxt = ia_job_context();
}

/* Whether the extension is installed here; sets the queue's schema. */
static bool
find_extension(Oid nspid)
{
	StartTransactionCommand();
	if (!OidIsValid(nspid))
		nspid = ia_extension_schema();
	if (!OidIsValid(nspid) || get_namespace_name(nspid) == NULL)
	{
		/* not installed here, or dropped meanwhile */
		CommitTransactionCommand();
		return false;
	}
	CommitTransactionCommand();
	ia_queue_set_schema(nspid);
	return true;
}

void
ia_worker_main(Datum arg)
{
	IaWorkerArgs args;
	sigjmp_buf	local_sigjmp_buf;
	bool		idle = false;

	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	/* one trusted role for every worker; each job runs as its requester */
	BackgroundWorkerInitializeConnectionByOid(args.dboid, BOOTSTRAP_SUPERUSERID, 0);
	pgstat_report_appname(IA_WORKER_TYPE);
	set_up_session();

	if (!find_extension(args.nspid) || !acquire_slots())
		proc_exit(0);

	if (sigsetjmp(local_sigjmp_buf, 1) != 0)
	{
		recover_toplevel(BOOTSTRAP_SUPERUSERID);
		idle = false;
		/* the error may have come while stay() had let go of the slots */
		if (my_slot < 0 && !acquire_slots())
			proc_exit(0);
	}
	PG_exception_stack = &local_sigjmp_buf;

	last_work_at = GetCurrentTimestamp();
	ia_worker_retry_leftovers();
	do
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		idle = !work_once();
	} while (!idle || stay());
	release_slots();
	proc_exit(0);
}
