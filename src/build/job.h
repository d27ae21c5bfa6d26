/*-------------------------------------------------------------------------
 *
 * job.h
 *		The steps of a worker's job (job.c), used by the worker's plain jobs
 *		(worker.c) and its partitioned ones (partition.c).
 *
 * Rules: these run in a background worker, between transactions unless
 * said otherwise; memory comes from the job's context (ia_job_context()),
 * reset by the worker per job.  ia_index_on_table() also serves api.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_JOB_H
#define IA_JOB_H

#include "postgres.h"

#include "nodes/parsenodes.h"

#include "ia_queue.h"

/* Builds the statements of a job; sets *sql to the text to report. */
typedef List *(*IaBuildFn) (IaJob *job, void *arg, const char **sql);

/* the one memory context of the worker's jobs */
extern MemoryContext ia_job_context(void);

/* a short transaction with a snapshot, for bookkeeping */
extern void ia_begin_txn(void);
extern void ia_end_txn(void);

extern ErrorData *ia_run_as_requester(IaJob *job, IaBuildFn build, void *arg);
extern ErrorData *ia_recover_from_error(void);

/* inside a transaction: the job's index on the job's table */
extern Oid	ia_find_index(IaJob *job, bool *valid);
extern bool ia_index_on_table(Oid indexoid, Oid tableoid, bool *valid);
extern bool ia_start_checked(IaJob *job);

extern ErrorData *ia_run_drop_statement(IaJob *job, Oid indexoid);
extern const char *ia_drop_leftover(IaJob *job, Oid preexisting);
extern void ia_record(IaJob *job, Oid indexoid, ErrorData *edata,
					  const char *extra);
extern ErrorData *ia_make_error(int sqlerrcode, const char *message);

extern void ia_debug_start(void);
extern void ia_debug_step(int64 id, const char *what);

#endif							/* IA_JOB_H */
