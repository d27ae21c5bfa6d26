/*-------------------------------------------------------------------------
 *
 * worker_job.c
 *		What a worker does with one claimed row of a plain (not
 *		partitioned) table: build a create, drop a drop, reconcile a row
 *		left by a worker that died, and retry the drops of INVALID
 *		leftovers that failed before (worker.c's steps 3 to 5).
 *
 * Design: each step runs its statement top-level as the requester through
 * job.c and records the outcome there; an error of the statement is caught,
 * its leftover dropped, and either a retry queued (retry_later) or the
 * error recorded.  Memory comes from the job context (ia_job_context()),
 * which worker.c resets per job.
 *
 * Caller's rules: worker.c only, between claiming a row (holding its row
 * lock) and the next claim; nothing here calls worker.c back.
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
#include "worker_job.h"

static List *
build_create_concurrently(IaJob *job, void *arg, const char **sql)
{
	*sql = job->definition;
	return list_make1(ia_build_create(job, true, false));
}

/*
 * retry_later -- a deadlock, a lock timeout or a serialization failure is
 * retried up to index_advisor.max_retries times, after 1 s, 2 s, 4 s, ...
 * (at most a minute).  Returns whether the row went back to the queue.
 */
static bool
retry_later(IaJob *job, ErrorData *edata)
{
	int			attempts;
	int			delay_ms;
	bool		retried;

	if (edata->sqlerrcode != ERRCODE_T_R_DEADLOCK_DETECTED &&
		edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE &&
		edata->sqlerrcode != ERRCODE_T_R_SERIALIZATION_FAILURE)
		return false;
	ia_begin_txn();
	attempts = ia_queue_attempts(job->id);
	ia_end_txn();
	if (attempts > ia_max_retries())
		return false;
	delay_ms = Min(60000, 1000 << Min(attempts - 1, 6));
	ia_begin_txn();
	retried = ia_queue_retry(job, edata, delay_ms);
	ia_end_txn();
	if (retried)
		ereport(LOG,
				(errmsg("index_advisor: history row " INT64_FORMAT " failed on attempt %d and will be retried in %d ms: %s",
						job->id, attempts, delay_ms, edata->message)));
	return retried;
}

/* CREATE INDEX CONCURRENTLY for one 'create' row. */
void
ia_worker_run_create(IaJob *job)
{
	Oid			preexisting;
	bool		valid;
	ErrorData  *edata;

	ia_begin_txn();
	if (!ia_start_checked(job))
	{
		ia_end_txn();
		return;
	}
	preexisting = ia_find_index(job, &valid);
	ia_end_txn();
	ia_debug_step(job->id, "building");

	edata = ia_run_as_requester(job, build_create_concurrently, NULL);
	ia_debug_step(job->id, "statement ended");

	if (edata == NULL)
	{
		Oid			indexoid;

		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
		ia_record(job, indexoid, NULL, NULL);
		ia_debug_step(job->id, "recorded");
	}
	else
	{
		const char *extra = ia_drop_leftover(job, preexisting);

		/* a retry would find its own leftover in the way: record it instead */
		if (OidIsValid(job->leftover_oid) || !retry_later(job, edata))
			ia_record(job, InvalidOid, edata, extra);
	}
}

/*
 * drop_target -- the index a 'drop' row drops: the OID idx_rollback()
 * recorded; a row queued by 0.1 code has none, and names its index.
 */
static Oid
drop_target(IaJob *job)
{
	bool		valid;
	Oid			indexoid = job->index_oid;

	if (!OidIsValid(indexoid))
	{
		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
	}
	return indexoid;
}

/* DROP INDEX CONCURRENTLY for one 'drop' row (idx_rollback). */
void
ia_worker_drop_index(IaJob *job)
{
	ErrorData  *edata;
	bool		go;

	ia_begin_txn();
	go = ia_queue_start_build(job->id);
	ia_end_txn();
	if (!go)
	{
		ia_record(job, InvalidOid,
			   ia_make_error(ERRCODE_QUERY_CANCELED, "cancelled before the drop started"),
			   NULL);
		return;
	}
	edata = ia_run_drop_statement(job, drop_target(job));
	if (edata == NULL || !retry_later(job, edata))
		ia_record(job, InvalidOid, edata, NULL);
}

/*
 * reconcile -- a row whose worker died: finish what can be known, from the
 * row's state and the OIDs it recorded.  A drop is run again if its index
 * (by OID) is still there.  A create left 'waiting' built nothing: it fails
 * and no index is touched (one of its name is someone else's).  A create
 * left 'building' started its build after checking that the name was free,
 * so an index of that name on the recorded table is its own: done if it
 * became valid, else dropped.
 */
void
ia_worker_reconcile(IaJob *job)
{
	bool		valid = false;
	Oid			indexoid = InvalidOid;
	ErrorData  *edata;
	bool		building = job->status == IA_BUILDING;

	if (job->is_drop)
	{
		indexoid = drop_target(job);
		ia_begin_txn();
		if (!ia_index_on_table(indexoid, job->table_oid, &valid))
			indexoid = InvalidOid;
		ia_end_txn();
		if (!OidIsValid(indexoid))
			ia_record(job, InvalidOid, NULL, NULL);
		else
			ia_worker_drop_index(job);
		return;
	}
	if (building)
	{
		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
	}
	if (OidIsValid(indexoid) && valid)
	{
		ia_record(job, indexoid, NULL, NULL);
		return;
	}
	edata = ia_make_error(ERRCODE_CRASH_SHUTDOWN,
					   "the worker running this operation ended unexpectedly");
	edata->detail = building ? "The server crashed or the worker was killed." :
		"The server crashed or the worker was killed before the build started; nothing was built.";
	ia_record(job, InvalidOid, edata,
		   OidIsValid(indexoid) ? ia_drop_leftover(job, InvalidOid) : NULL);
}

/*
 * ia_worker_retry_leftovers -- drop, concurrently and as their requesters, the
 * INVALID leftovers that failed builds could not drop (0.2), at most
 * IA_LEFTOVERS_PER_PASS per call, so that a drop that keeps failing (a lock
 * that is never released) costs each worker a bounded wait.  Each leftover
 * is identified by the OID recorded and must still be an INVALID index of
 * the row's table; one that is gone (or valid: not a leftover any more) is
 * forgotten.  Each drop waits at most IA_LEFTOVER_LOCK_TIMEOUT_MS for a
 * lock (it overrides the row's own lock_timeout, being set after it).
 */
#define IA_LEFTOVERS_PER_PASS 3
#define IA_LEFTOVER_LOCK_TIMEOUT_MS 5000

void
ia_worker_retry_leftovers(void)
{
	List	   *jobs;
	ListCell   *lc;

	MemoryContextReset(ia_job_context());
	ia_begin_txn();
	jobs = ia_queue_leftovers(IA_LEFTOVERS_PER_PASS, ia_job_context());
	ia_end_txn();
	foreach(lc, jobs)
	{
		IaJob	   *job = lfirst(lc);
		bool		valid;
		bool		ours;
		ErrorData  *edata = NULL;

		ia_begin_txn();
		ours = ia_index_on_table(job->leftover_oid, job->table_oid, &valid);
		ia_end_txn();
		/* never wait for a lock longer than the retry's share of the pass */
		job->settings = lappend(job->settings, psprintf("lock_timeout=%d",
														IA_LEFTOVER_LOCK_TIMEOUT_MS));
		if (ours && !valid)
			edata = ia_run_drop_statement(job, job->leftover_oid);
		if (edata != NULL)
		{
			ereport(LOG,
					(errmsg("index_advisor: the INVALID index left by history row " INT64_FORMAT " could not be dropped again: %s",
							job->id, edata->message)));
			continue;
		}
		ia_begin_txn();
		ia_queue_leftover_done(job->id, ours && !valid ?
							   "It was dropped later, by a retry." :
							   "It was gone when a retry looked for it.");
		ia_end_txn();
	}
}
