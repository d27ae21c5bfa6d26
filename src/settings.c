/*-------------------------------------------------------------------------
 *
 * settings.c
 *		The settings of the core (index_advisor.*), defined by _PG_init
 *		through ia_define_settings().
 *
 * Settings are file-static and read through the ia_* accessors declared in
 * index_advisor.h.  The build settings (maintenance_work_mem, lock_timeout,
 * statement_timeout) are captured by idx_apply() when it is called, so that
 * "SET index_advisor.statement_timeout = '5min'" before a call applies to
 * that call's build.
 *
 * Who may change what (contexts):
 *	- max_workers, max_retries are read by the workers themselves, so a
 *	  session SET could only half apply: they are PGC_SIGHUP
 *	  (postgresql.conf, or ALTER SYSTEM and a reload).
 *	- the limits and ceilings below are PGC_SUSET: a superuser sets them in
 *	  postgresql.conf, per database or per role (ALTER ROLE ... SET), and
 *	  idx_apply() reads them in the caller's session, where an ordinary role
 *	  cannot change them.  0 (-1 for the parallel workers) means no ceiling.
 *	- history_retention is read by idx_prune() (and set like the limits).
 *	- server_max_workers and max_workers_per_role (capacity and fair shares
 *	  of the workers, doc/workers.md) are PGC_SIGHUP like max_workers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "datatype/timestamp.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_build.h"

static int	max_workers = 2;
static int	build_maintenance_work_mem = -1;
static int	build_lock_timeout = -1;
static int	build_statement_timeout = -1;
static int	max_retries = 0;
static int	worker_idle_timeout = 10000;	/* ms */
static int	build_max_parallel = -1;

/* limits on requests and ceilings on the build settings (doc/limits.md) */
static int	max_queries_per_index = 100;
static int	max_query_bytes = 65536;
static int	max_build_statement_timeout = 0;
static int	max_build_lock_timeout = 0;
static int	max_build_maintenance_work_mem = 0;
static int	max_build_max_parallel = -1;
static int	history_retention = 90 * 24 * 60;	/* minutes */

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
ia_worker_idle_timeout(void)
{
	return worker_idle_timeout;
}

int
ia_max_queries_per_index(void)
{
	return max_queries_per_index;
}

int
ia_max_query_bytes(void)
{
	return max_query_bytes;
}

int
ia_max_build_statement_timeout(void)
{
	return max_build_statement_timeout;
}

int
ia_max_build_lock_timeout(void)
{
	return max_build_lock_timeout;
}

int
ia_max_build_maintenance_work_mem(void)
{
	return max_build_maintenance_work_mem;
}

int
ia_max_build_max_parallel(void)
{
	return max_build_max_parallel;
}

/*
 * idx_history_retention() RETURNS interval
 *
 * index_advisor.history_retention as an interval (NULL when it is 0: keep
 * for ever), for idx_prune().
 */
PG_FUNCTION_INFO_V1(idx_history_retention);
Datum
idx_history_retention(PG_FUNCTION_ARGS)
{
	Interval   *result;

	if (history_retention <= 0)
		PG_RETURN_NULL();
	result = palloc0(sizeof(Interval));
	result->day = history_retention / MINS_PER_HOUR / HOURS_PER_DAY;
	result->time = (int64) (history_retention % (MINS_PER_HOUR * HOURS_PER_DAY)) *
		USECS_PER_MINUTE;
	PG_RETURN_INTERVAL_P(result);
}

/* A maintenance_work_mem ceiling is 0 (none) or a value the build accepts. */
static bool
check_mwm_ceiling(int *newval, void **extra, GucSource source)
{
	if (*newval != 0 && *newval < 1024)
	{
		GUC_check_errdetail("It must be 0 (no ceiling) or at least 1MB, the least maintenance_work_mem.");
		return false;
	}
	return true;
}

/* Limits on what one idx_apply() call may store. */
static void
define_request_limits(void)
{
	DefineCustomIntVariable("index_advisor.max_queries_per_index",
							"Most queries idx_apply() stores for one index.",
							"Each stored query is planned by every idx_check() and idx_report().",
							&max_queries_per_index,
							100, 0, 10000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_query_bytes",
							"Longest query, in bytes, that idx_apply() stores.",
							NULL,
							&max_query_bytes,
							65536, 64, 16 * 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.history_retention",
							"Ended rows of idx_history older than this are deleted by idx_prune(); 0 keeps them for ever.",
							"Rows a rollback still needs are kept whatever their age.",
							&history_retention,
							90 * 24 * 60, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MIN,
							NULL, NULL, NULL);
}

/* Ceilings on the build settings that idx_apply() captures. */
static void
define_build_ceilings(void)
{
	DefineCustomIntVariable("index_advisor.max_build_statement_timeout",
							"Ceiling on the statement_timeout of builds queued from now on; 0 sets none.",
							"A request with a longer, unlimited or unset timeout gets the ceiling.",
							&max_build_statement_timeout,
							0, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_build_lock_timeout",
							"Ceiling on the lock_timeout of builds queued from now on; 0 sets none.",
							"A request with a longer, unlimited or unset timeout gets the ceiling.",
							&max_build_lock_timeout,
							0, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_build_maintenance_work_mem",
							"Ceiling on the maintenance_work_mem of builds queued from now on; 0 sets none.",
							NULL,
							&max_build_maintenance_work_mem,
							0, 0, MAX_KILOBYTES,
							PGC_SUSET, GUC_UNIT_KB,
							check_mwm_ceiling, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_build_parallel_maintenance_workers",
							"Ceiling on the max_parallel_maintenance_workers of builds queued from now on; -1 sets none.",
							NULL,
							&max_build_max_parallel,
							-1, -1, 1024,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
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

/* The workers per database, the builds queued from now on, retries. */
static void
define_build_settings(void)
{
	DefineCustomIntVariable("index_advisor.max_workers",
							"Maximum number of index builds run at once in one database.",
							"Builds on the same table never run together, whatever this is.",
							&max_workers,
							2, 1, 64,
							PGC_SIGHUP, 0,
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
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.worker_idle_timeout",
							"How long a worker with nothing to do waits for the next request before it leaves; 0 leaves at once.",
							"One worker of the server waits, holding no worker slot; the next idx_apply() of its database wakes it when it commits, instead of starting a process.",
							&worker_idle_timeout,
							10000, 0, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

/* Define every core setting; called once, by _PG_init. */
void
ia_define_settings(void)
{
	define_build_settings();
	define_request_limits();
	define_build_ceilings();
	define_worker_settings();

	/* gentle builds: priority, build window, start conditions (gentle.c) */
	ia_define_gentle_settings();
}
