/*-------------------------------------------------------------------------
 *
 * partition.h
 *		Indexes on partitioned tables (partition.c): the two entry points
 *		the worker (worker.c) calls for a job whose table is partitioned.
 *
 * Rules: called in a background worker, outside any transaction, with the
 * job's row locked; they record the outcome themselves (job.c's steps).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_PARTITION_H
#define IA_PARTITION_H

#include "postgres.h"

#include "ia_queue.h"

extern void ia_run_create_partitioned(IaJob *job);
extern void ia_reconcile_partitioned(IaJob *job);

#endif							/* IA_PARTITION_H */
