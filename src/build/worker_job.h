/*-------------------------------------------------------------------------
 *
 * worker_job.h
 *		What worker.c asks of worker_job.c: the steps of one claimed row of
 *		a plain table, and the retry of INVALID leftovers.  Private to
 *		src/build (worker.c only).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_WORKER_JOB_H
#define IA_WORKER_JOB_H

#include "job.h"

/* a 'create' row moved to 'building': build it, record the outcome */
extern void ia_worker_run_create(IaJob *job);
/* a 'drop' row (idx_rollback): DROP INDEX CONCURRENTLY, record it */
extern void ia_worker_drop_index(IaJob *job);
/* a row left 'waiting'/'building' by a worker that died */
extern void ia_worker_reconcile(IaJob *job);
/* drop a few INVALID leftovers whose drop failed before */
extern void ia_worker_retry_leftovers(void);

#endif							/* IA_WORKER_JOB_H */
