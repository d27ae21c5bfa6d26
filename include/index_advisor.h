/*-------------------------------------------------------------------------
 *
 * index_advisor.h
 *		What every module needs: the core settings (settings.c) and names.
 *		Each folder has one public header, ia_<folder>.h, for what it
 *		offers the others; its other headers are private to it.
 *
 * The map.  One folder per subsystem under src/, each with its headers
 * beside its files (the Makefile puts every folder on the include path);
 * doc/architecture.md has the same map with what each file calls.
 *
 *	index_advisor.c        module magic, _PG_init
 *	src/settings.c         the core settings (this header)
 *	src/nap.c              the one latch nap, ia_nap (this header)
 *	src/errpos.c           errposition -> internal query (this header)
 *	src/build/             idx_apply and the workers that build
 *	  api.c                idx_apply, idx_cancel, idx_rollback, idx_kick (ia_build.h)
 *	  launcher.c           start workers; the start-up launcher (ia_build.h)
 *	  worker.c             the background worker: slots, claims, waiting (worker.h)
 *	  worker_job.c         one claimed row: create, drop, reconcile, leftovers (worker_job.h)
 *	  partition.c          a job on a partitioned table (partition.h)
 *	  job.c                steps of a job: CIC / DIC top-level as the requester (job.h)
 *	  gentle.c             priority and start conditions of builds (ia_build.h)
 *	  uninstall.c          the DROP EXTENSION guard
 *	src/queue/             idx_history as a queue (ia_queue.h)
 *	  history.c            the one way to run SQL on idx_history as its owner
 *	                       (queue_internal.h: ia_history_exec, inside the folder)
 *	  queue.c              requests: insert, cancel, rollback, pending rows
 *	  claim.c              the worker's side: claim, record, reconcile
 *	  locks.c              locks no SQL session can take (ia_queue.h)
 *	  status.c             the statuses of history rows (ia_queue.h)
 *	src/definition/        a definition as CREATE INDEX would take it (ia_definition.h;
 *	                       definition_internal.h inside the folder)
 *	  resolve.c            parse, validate, resolve as the caller
 *	  columns.c            key columns, expressions, operator classes
 *	  naming.c             generated names, as PostgreSQL's
 *	  duplicates.c         the one duplicate rule (built, queued, advised)
 *	  queries.c            the stored queries: shape and limits
 *	  statements.c         the workers' parse trees
 *	src/plan/              the one planner path; hypothetical and hidden indexes
 *	  verify.c             analyse, planning role, plan, subtransactions, EXPLAIN
 *	                       (ia_plan.h: for the files that plan)
 *	  planning_role.c      who plans as whom
 *	  plan_walk.c          walk a plan; which scan a plan node is
 *	  plan_hooks.c         what only our own planner call sees
 *	  check_time.c         the time bound of a check's planning (ia_plan.h)
 *	  plan_prepared.c      prepare once, plan against sets of hypotheticals (ia_plan.h)
 *	  hypo.c, hypoplan.c   hypothetical indexes, their IndexOptInfo (ia_plan.h)
 *	  hyposize.c           their size model (ia_plan.h)
 *	  values.c             representative values of $n (ia_plan.h)
 *	  hidden.c, hide.c     the hidden-index filter; idx_hide / idx_unhide (ia_plan.h)
 *	src/check/             checking tracked indexes
 *	  usage.c              idx_check, idx_report, idx_explain (ia_check.h)
 *	  verify_queries.c     the check of stored queries (ia_check.h)
 *	  verdicts.c           the verdicts a check keeps, with their fingerprint (ia_check.h)
 *	  measure.c            idx_explain(analyze): timed runs (measure.h)
 *	src/advise/            idx_advise, idx_advise_workload, idx_whatif (ia_advise.h)
 *	  advise.c, advise_plan.c, advise_select.c, advise_pay.c,
 *	  advise_candidates.c, advise_extract.c, advise_pullup.c, advise_like.c,
 *	  advise_sublink.c, advise_reach.c, advise_drops.c, advise_size.c,
 *	  advise_values.c, advise_hypos.c, advise_final.c, advise_exchange.c,
 *	  advise_merge.c (advise_internal.h), whatif.c
 *	  normalised.c         statements as pg_stat_statements stores them (ia_advise.h)
 *	src/nodes/             standbys (ia_nodes.h)
 *	  nodes.c              registry, the SQL functions that read them
 *	  node_conn.c          one statement on many nodes at once, kept
 *	                       connections (node_conn.h)
 *	src/script/            script.c: idx_apply_script; escape.c: text for other
 *	                       languages (ia_script.h)
 *	src/autopilot/         the autopilot's settings (ia_autopilot.h); the cycle
 *	  autopilot.c          itself is SQL (src/update/0.1--0.2/86-91)
 *	  welch.c              Welch's t-test on two windows of a statement
 *	  reads.c              the relations a recorded statement reads, analysed
 *	                       as its author: "the statements of a table"
 *	include/compat.h       PostgreSQL version differences
 *
 * Layering.  The file-level call graph (a file calls another's exported
 * function) has no cycle: scripts/callgraph.sh checks it with tsort, and
 * doc/architecture.md lists each file's callees.  Folders are not strict
 * layers: definition/ calls the check of stored queries at idx_apply,
 * hypo.c calls definition/, hide.c calls nodes.c, api.c calls escape.c,
 * hide.c and nodes.c call queue/history.c's owner ritual.
 * Layers, each calling only the ones below it:
 *
 *	12  advise.c
 *	11  advise_exchange.c advise_final.c advise_merge.c
 *	10  advise_select.c advise_size.c
 *	9  advise_pay.c script.c worker.c
 *	8  advise_plan.c api.c index_advisor.c partition.c worker_job.c
 *	7  advise_hypos.c advise_values.c job.c reads.c usage.c whatif.c
 *	6  advise_drops.c hypo.c normalised.c queries.c statements.c
 *	   verdicts.c
 *	5  plan_prepared.c resolve.c verify_queries.c
 *	4  verify.c
 *	3  advise_candidates.c plan_hooks.c
 *	2  advise_extract.c claim.c hide.c hypoplan.c launcher.c naming.c
 *	   uninstall.c
 *	1  advise_like.c advise_sublink.c duplicates.c hidden.c hyposize.c
 *	   locks.c measure.c nodes.c queue.c settings.c
 *	0  advise_pullup.c advise_reach.c autopilot.c check_time.c columns.c
 *	   errpos.c escape.c gentle.c history.c nap.c node_conn.c plan_walk.c
 *	   planning_role.c status.c values.c welch.c
 *
 * Names: exported functions start with ia_ (SQL-callable ones with idx_),
 * static ones never do (planner hooks are hook_<PostgreSQL hook>); types
 * and macros of shared headers start with Ia / IA_.
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
