/*-------------------------------------------------------------------------
 *
 * index_advisor.h
 *		The one project header: what the subsystems offer each other.
 *
 * Layering (arrows point down only):
 *
 *	index_advisor.c   module magic, _PG_init, settings
 *	  api.c           SQL-callable idx_apply / idx_cancel / idx_rollback / idx_kick
 *		launcher.c    register workers (SQL calls, the start-up launcher)
 *		worker.c      background worker: slots, claims, run CIC top-level
 *		  locks.c     locks no SQL session can take: slots, claims, rows
 *		usage.c       idx_check / idx_report: snapshots, findings, reconcile
 *		  definition.c  parse, validate, resolve, name, find duplicates
 *		  queue.c       the history table as a queue: insert, claim, status
 *		  verify.c      plan stored queries, walk plans, hide an index
 *
 *-------------------------------------------------------------------------
 */
#ifndef INDEX_ADVISOR_H
#define INDEX_ADVISOR_H

#include "postgres.h"

#include "compat.h"
#include "access/transam.h"
#include "nodes/parsenodes.h"
#include "utils/array.h"

#define IA_NAME			"index_advisor"
#define IA_WORKER_TYPE	"index_advisor worker"

/* index_advisor.c: settings, read through these accessors only */
extern int	ia_max_workers(void);
extern int	ia_build_maintenance_work_mem(void);	/* kB, -1 = server's */
extern int	ia_build_lock_timeout(void);	/* ms, -1 = server's */
extern int	ia_build_statement_timeout(void);	/* ms, -1 = server's */
extern int	ia_build_max_parallel(void);	/* -1 = server's */
extern int	ia_max_retries(void);
extern int	ia_max_queries_per_index(void);
extern int	ia_max_query_bytes(void);
extern int	ia_max_build_statement_timeout(void);	/* ms, 0 = no ceiling */
extern int	ia_max_build_lock_timeout(void);	/* ms, 0 = no ceiling */
extern int	ia_max_build_maintenance_work_mem(void);	/* kB, 0 = no ceiling */
extern int	ia_max_build_max_parallel(void);	/* -1 = no ceiling */
extern int	ia_server_max_workers(void);	/* server-wide worker slots */
extern int	ia_max_workers_per_role(void);	/* fair share of one role */

/* verify.c / usage.c: settings and hooks of their own, set up by _PG_init */
extern void ia_verify_init(void);
extern void ia_usage_init(void);

/*
 * definition.c
 *
 * IaDefinition is a CREATE INDEX statement resolved at call time, as the
 * calling role with its search_path: the table's schema and name, the index
 * name (chosen like PostgreSQL does when absent).
 */
typedef struct IaDefinition
{
	IndexStmt  *stmt;			/* raw parse tree as given (not transformed) */
	Oid			relid;
	Oid			nspid;
	char	   *schema_name;
	char	   *table_name;
	char	   *index_name;
	bool		skip;			/* IF NOT EXISTS and a valid index of that
								 * name exists: nothing to do */
} IaDefinition;

extern IndexStmt *ia_parse_index_stmt(const char *definition);
extern IaDefinition *ia_resolve_definition(const char *definition);
extern void ia_check_queries(ArrayType *queries);
extern char *ia_choose_index_name(Oid relid, IndexStmt *stmt);

/*
 * queue.c: every access to the history table (more in ia_queue.h).
 * Callers hold a transaction; an SPI connection is made inside each call.
 */
extern char *ia_pending_name_exists(Oid nspid, const char *name);

/* a create queued or running on a table */
typedef struct IaPending
{
	int64		id;
	char	   *definition;
	char	   *status;
	char	   *index_name;
} IaPending;
extern List *ia_pending_definitions(Oid relid);
extern Oid	ia_history_relid(void);
extern Oid	ia_history_owner(void);
extern char *ia_quoted_history(void);	/* "schema".idx_history */
extern int	ia_catalog_version(void);	/* 0.N installed here -> N */
extern void ia_require_catalog(int version, const char *what);

/* launcher.c */
extern int	ia_launch_workers(int wanted);
extern struct BackgroundWorkerHandle *ia_start_worker(Oid dboid, Oid nspid,
													  bool notify);
extern void ia_register_launcher(void);
extern bool ia_signal_cancel(int pid);

#endif							/* INDEX_ADVISOR_H */
