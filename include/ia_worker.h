/*-------------------------------------------------------------------------
 *
 * ia_worker.h
 *		What the worker (worker.c) offers the code that runs inside it
 *		(partition.c) and the code that starts it (launcher.c).
 *
 * Rules: these run in a background worker, between transactions unless
 * said otherwise; memory comes from the job's context, reset per job.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_WORKER_H
#define IA_WORKER_H

#include "postgres.h"

#include "access/transam.h"
#include "nodes/parsenodes.h"

#include "ia_queue.h"

/* What a worker is told when it is registered (bgw_extra). */
typedef struct IaWorkerArgs
{
	Oid			dboid;
	Oid			nspid;			/* InvalidOid: look the extension up */
} IaWorkerArgs;

/* Builds the statements of a job; sets *sql to the text to report. */
typedef List *(*IaBuildFn) (IaJob *job, void *arg, const char **sql);

/* a short transaction with a snapshot, for bookkeeping */
extern void ia_begin_txn(void);
extern void ia_end_txn(void);

extern ErrorData *ia_run_as_requester(IaJob *job, IaBuildFn build, void *arg);
extern ErrorData *ia_recover_from_error(void);
extern Node *ia_build_create(IaJob *job, bool concurrent, bool only);
extern Node *ia_build_drop(IaJob *job, bool concurrent);

/* inside a transaction: the job's index on the job's table */
extern Oid	ia_find_index(IaJob *job, bool *valid);
extern bool ia_index_on_table(Oid indexoid, Oid tableoid, bool *valid);
extern ErrorData *ia_check_build_target(IaJob *job);
extern bool ia_start_checked(IaJob *job);

extern const char *ia_drop_leftover(IaJob *job, Oid preexisting);
extern void ia_record(IaJob *job, Oid indexoid, ErrorData *edata,
					  const char *extra);
extern ErrorData *ia_make_error(int sqlerrcode, const char *message);
extern void ia_retry_leftovers(void);

/* partition.c */
extern void ia_run_create_partitioned(IaJob *job);
extern void ia_reconcile_partitioned(IaJob *job);

#endif							/* IA_WORKER_H */
