/*-------------------------------------------------------------------------
 *
 * index_advisor.h
 *		What every module needs: the core settings (settings.c) and names.
 *		Each module has its own header for what it offers the others.
 *
 * The code lives in one folder per subsystem under src/, each with its
 * headers beside its files (the Makefile puts every folder on the include
 * path): build/ (api, launcher, worker, job, partition, gentle, uninstall),
 * queue/ (queue, locks, status), definition/, plan/ (verify, plan_prepared,
 * check_time, hypo, hypoplan, values, hidden, hide), check/ (usage,
 * measure), advise/ (advise*, whatif), nodes/, script/ (script, escape).
 * settings.c stays in src/, this header and compat.h in include/.
 *
 * Layering: a file calls (and includes the header of) only files listed
 * after it; nothing calls back up.
 *
 *	index_advisor.c   module magic, _PG_init (defines every setting)
 *	  script.c        idx_apply_script: migration scripts, each statement
 *	                  through api.c's idx_apply / rollback path (ia_api.h)
 *	  api.c           SQL-callable idx_apply / idx_cancel / idx_rollback / idx_kick
 *	  uninstall.c     DROP EXTENSION guard: refuse while work is unfinished
 *	  launcher.c      register workers: SQL calls, the start-up launcher
 *	                  (ia_launcher.h; ia_worker.h: what a worker is told)
 *	  worker.c        background worker: slots, claims, reconcile, one job
 *	    partition.c   a job on a partitioned table (ia_partition.h)
 *	      job.c       steps of a job: run CIC top-level as the requester,
 *	                  find/drop the index, record (ia_job.h)
 *	  hide.c          SQL-callable idx_hide / idx_unhide, the rollback of a
 *	                  hide, idx_apply's visible => false (ia_hidden.h)
 *	  usage.c         idx_check / idx_report: snapshots, findings, reconcile
 *	                  (ia_usage.h)
 *	  nodes.c         other nodes: registry, libpq collection, refusal on a
 *	                  hot standby (ia_nodes.h); api.c calls it
 *	  advise.c        SQL-callable idx_advise / idx_advise_workload: the
 *	                  run and its rows (advise_internal.h)
 *	    advise_plan.c prepare, cost over hypothetical indexes (hypo.c,
 *	                  plan_prepared.c: the one engine)
 *	    advise_select.c  candidates as hypothetical indexes, greedy choice
 *	      advise_candidates.c  candidates from analysed queries (ia_advise.h)
 *	        advise_extract.c  what each query asks of each table it reads
 *	  whatif.c        SQL-callable idx_whatif / idx_hypo_size
 *	      hypo.c      a hypothetical index from a definition (ia_hypo.h)
 *	        definition.c  parse, validate, resolve, name, find duplicates,
 *	                  the workers' parse trees (ia_definition.h)
 *	          plan_prepared.c  prepare a query once, plan it against sets of
 *	                  hypothetical indexes (ia_hypo.h)
 *	          verify.c    plan stored queries, walk plans, hide an index, the
 *	                  planner hooks (verify.h; verify_internal.h for
 *	                  plan_prepared.c and advise_plan.c)
 *	            measure.c execute a stored SELECT with and without the index
 *	                  (ia_measure.h; verify.c lends it its role switch)
 *	            hypoplan.c  a hypothetical index's IndexOptInfo, size model
 *	            values.c  representative values of $n, behind pg_stats'
 *	                  visibility rule (ia_values.h; measure.c, advise_plan.c)
 *	          hidden.c    the planner filter of hidden indexes in every
 *	                  backend, and its cache (ia_hidden.h)
 *	          queue.c     the history table as a queue (ia_queue.h)
 *	            locks.c   locks no SQL session can take (ia_locks.h)
 *	gentle.c          gentle builds: the priority of the building processes,
 *	                  the server-wide start conditions (ia_gentle.h);
 *	                  called by job.c, worker.c, api.c; calls no file above
 *	settings.c        the core settings, read by any file above
 *	status.c          the statuses of history rows (ia_status.h), for any
 *	                  file above
 *	escape.c          text for other languages (src/script/): the label
 *	                  check, SQL and Python literals (ia_escape.h), for any
 *	                  file above
 *	compat.h          every PostgreSQL version difference
 *
 *-------------------------------------------------------------------------
 */
#ifndef INDEX_ADVISOR_H
#define INDEX_ADVISOR_H

#include "postgres.h"

#include "compat.h"
#include "access/transam.h"

#define IA_NAME			"index_advisor"
#define IA_WORKER_TYPE	"index_advisor worker"

/* nap.c: wait on the latch up to ms, serve interrupts; WaitLatch's result */
extern int	ia_nap(long ms, uint32 wait_event_info);

/*
 * errpos.c: in an error context callback, an error position shown as a
 * position in text (an internal query), as SQL functions do
 */
extern bool ia_internal_errposition(const char *text);

/* settings.c: the core settings, read through these accessors only */
extern void ia_define_settings(void);	/* by _PG_init, once */
extern int	ia_max_workers(void);
extern int	ia_build_maintenance_work_mem(void);	/* kB, -1 = server's */
extern int	ia_build_lock_timeout(void);	/* ms, -1 = server's */
extern int	ia_build_statement_timeout(void);	/* ms, -1 = server's */
extern int	ia_build_max_parallel(void);	/* -1 = server's */
extern int	ia_max_retries(void);
extern int	ia_worker_idle_timeout(void);
extern int	ia_max_queries_per_index(void);
extern int	ia_max_query_bytes(void);
extern int	ia_max_build_statement_timeout(void);	/* ms, 0 = no ceiling */
extern int	ia_max_build_lock_timeout(void);	/* ms, 0 = no ceiling */
extern int	ia_max_build_maintenance_work_mem(void);	/* kB, 0 = no ceiling */
extern int	ia_max_build_max_parallel(void);	/* -1 = no ceiling */
extern int	ia_server_max_workers(void);	/* server-wide worker slots */
extern int	ia_max_workers_per_role(void);	/* fair share of one role */

#endif							/* INDEX_ADVISOR_H */
