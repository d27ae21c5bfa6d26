/*-------------------------------------------------------------------------
 *
 * ia_gentle.h
 *		Gentle builds (gentle.c): the priority of the building processes,
 *		and the server-wide conditions under which a build may start (the
 *		build window, replica lag, active backends).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_GENTLE_H
#define IA_GENTLE_H

#include "postgres.h"

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

#endif							/* IA_GENTLE_H */
