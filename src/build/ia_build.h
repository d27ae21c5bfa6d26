/*-------------------------------------------------------------------------
 *
 * ia_build.h
 *		What src/build/ offers the other folders: the folder's one public
 *		header.  A file outside src/build/ includes this header and none
 *		of the folder's others (scripts/house.sh checks it).
 *
 * Its sections, each with its own comment: api, gentle, launcher.
 * Private to src/build/: job.h, partition.h, worker.h, worker_job.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_BUILD_H
#define IA_BUILD_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/array.h"

/*-------------------------------------------------------------------------
 *
 * api (a section of ia_build.h)
 *		What api.c (idx_apply, idx_rollback) offers script.c
 *		(idx_apply_script): one validation and queue path for both.
 *
 * Call inside the caller's transaction, as the caller, after the
 * extension's schema is set (ia_queue_set_schema).
 *
 *-------------------------------------------------------------------------
 */

/* idx_apply: the history id, or 0 for IF NOT EXISTS and the same index */
extern int64 ia_apply(const char *definition, ArrayType *queries,
					  const char *migration, int priority,
					  TimestampTz not_before);

/* DROP INDEX CONCURRENTLY of an index the caller's role owns */
extern int64 ia_drop_index(Oid indexoid, const char *migration);

/*-------------------------------------------------------------------------
 *
 * gentle (a section of ia_build.h)
 *		Gentle builds (gentle.c): the priority of the building processes,
 *		and the server-wide conditions under which a build may start (the
 *		build window, replica lag, active backends).
 *
 *-------------------------------------------------------------------------
 */

/* index_advisor.build_priority, in order of decreasing priority */
#define IA_PRIO_NORMAL	0
#define IA_PRIO_LOW		1
#define IA_PRIO_IDLE	2

/* settings: defined by ia_define_settings() */
extern void ia_define_gentle_settings(void);
extern int	ia_build_priority(void);	/* as set in this session */
extern int	ia_max_build_priority(void);	/* ceiling (a floor on niceness) */
extern const char *ia_priority_name(int level);
extern int	ia_priority_parse(const char *name);	/* ERROR if unknown */

/*
 * The building process: lower its CPU and I/O priority for a statement,
 * and put back the values before.  ia_priority_restore() returns false
 * when the CPU priority could not be raised back (an unprivileged process
 * may lower its priority, never raise it: RLIMIT_NICE); the worker then
 * ends after the job (ia_priority_stuck()).
 */
extern void ia_priority_apply(int level);
extern bool ia_priority_restore(void);
extern bool ia_priority_stuck(void);

/*
 * ia_start_gate -- NULL when the server-wide start conditions hold (build
 * window, replica lag, active backends), else the reason a build may not
 * start now.  Needs a transaction.  Part of the start rule, src/queue/claim.c.
 */
extern char *ia_start_gate(void);

/* how often a deferred queue is looked at again, at most */
#define IA_DEFER_RECHECK_MS 2000

/*-------------------------------------------------------------------------
 *
 * launcher (a section of ia_build.h)
 *		Registering workers (launcher.c): from SQL calls (api.c) and the
 *		start-up launcher (_PG_init, index_advisor.c).
 *
 *-------------------------------------------------------------------------
 */

extern int	ia_launch_workers(int wanted);
extern void ia_register_launcher(void);
extern bool ia_signal_cancel(int pid);
extern void ia_wake_workers(void);

#endif							/* IA_BUILD_H */
