/*-------------------------------------------------------------------------
 *
 * index_advisor.c
 *		Front door of the index_advisor extension: module magic, _PG_init
 *		and the settings of the core.
 *
 * No shared_preload_libraries is needed: the library is loaded by the first
 * call of one of its functions (and by every worker it starts).  Settings
 * are file-static and read through the ia_* accessors declared in
 * index_advisor.h.  The build settings (maintenance_work_mem, lock_timeout,
 * statement_timeout) are captured by idx_apply() when it is called, so that
 * "SET index_advisor.statement_timeout = '5min'" before a call applies to
 * that call's build.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "index_advisor.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static int	max_workers = 2;
static int	build_maintenance_work_mem = -1;
static int	build_lock_timeout = -1;
static int	build_statement_timeout = -1;
static int	max_retries = 0;
static int	build_max_parallel = -1;

/* workers: capacity and fair shares (worker.c, launcher.c) */
static int	server_max_workers = 4;
static int	max_workers_per_role = 0;

int
ia_max_workers(void)
{
	return max_workers;
}

int
ia_build_maintenance_work_mem(void)
{
	return build_maintenance_work_mem;
}

int
ia_build_lock_timeout(void)
{
	return build_lock_timeout;
}

int
ia_build_statement_timeout(void)
{
	return build_statement_timeout;
}

int
ia_build_max_parallel(void)
{
	return build_max_parallel;
}

int
ia_max_retries(void)
{
	return max_retries;
}

int
ia_server_max_workers(void)
{
	return server_max_workers;
}

/* 0 means half of max_workers, rounded up */
int
ia_max_workers_per_role(void)
{
	if (max_workers_per_role > 0)
		return max_workers_per_role;
	return (ia_max_workers() + 1) / 2;
}

/* The settings of the workers' capacity and fair shares. */
static void
define_worker_settings(void)
{
	DefineCustomIntVariable("index_advisor.server_max_workers",
							"Maximum number of index_advisor workers in the whole server, running or waiting.",
							"Each worker also takes one of index_advisor.max_workers slots of its database.",
							&server_max_workers,
							4, 1, 256,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_workers_per_role",
							"Maximum number of operations of one role (not a superuser) run at once in a database; 0 is half of index_advisor.max_workers, rounded up.",
							"The other slots stay for the other roles, whatever this role's builds wait for.",
							&max_workers_per_role,
							0, 0, 64,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
}

void
_PG_init(void)
{
	DefineCustomIntVariable("index_advisor.max_workers",
							"Maximum number of index builds run at once in one database.",
							"Builds on the same table never run together, whatever this is.",
							&max_workers,
							2, 1, 64,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.maintenance_work_mem",
							"maintenance_work_mem of the builds queued from now on; -1 uses the server's.",
							NULL,
							&build_maintenance_work_mem,
							-1, -1, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.lock_timeout",
							"lock_timeout of the builds queued from now on; -1 uses the server's.",
							NULL,
							&build_lock_timeout,
							-1, -1, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.statement_timeout",
							"statement_timeout of the builds queued from now on; -1 uses the server's.",
							NULL,
							&build_statement_timeout,
							-1, -1, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_parallel_maintenance_workers",
							"max_parallel_maintenance_workers of the builds queued from now on; -1 uses the server's.",
							"0 builds with one process, which leaves more CPU to the application's writes.",
							&build_max_parallel,
							-1, -1, 1024,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_retries",
							"How many times an operation that failed on a transient error (deadlock, lock timeout, serialization failure) is retried.",
							"Retries wait 1 s, 2 s, 4 s, ... (at most a minute); idx_history.attempt_errors keeps each failed attempt.",
							&max_retries,
							0, 0, 100,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	define_worker_settings();

	ia_verify_init();
	ia_usage_init();

	if (process_shared_preload_libraries_in_progress)
		ia_register_launcher();

	MarkGUCPrefixReserved("index_advisor");
}
