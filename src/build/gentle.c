/*-------------------------------------------------------------------------
 *
 * gentle.c
 *		Gentle builds: the CPU and I/O priority of the processes that build
 *		an index, and the server-wide conditions a build waits for before it
 *		starts (the build window, replica lag, active backends).
 *
 * Priority.  index_advisor.build_priority (normal, low, idle) is captured
 * by idx_apply() like the other build settings (its priority argument
 * overrides it; index_advisor.max_build_priority is a superuser's ceiling)
 * and travels in idx_history.build_settings.  The worker sets the row's
 * build settings before the statement (job.c) and, around the statement
 * only, calls ia_priority_apply(): nice 10 and I/O class best-effort level
 * 7 for low; for idle, the scheduling policy SCHED_IDLE (the process runs
 * only on CPU time no other process wants, and any other process that wakes
 * takes the CPU from it at once: two CPU hogs at nice 19 raised the bench
 * writers' p99 2.2x, at SCHED_IDLE 1.8x, bench/RESULTS.md), nice 19 where
 * the policy is missing, and I/O class idle.  Parallel maintenance
 * workers of the build are other processes: they restore the leader's
 * settings when they start, and the assign hook of build_priority lowers
 * their priority then (only in a parallel worker whose leader is an
 * index_advisor worker).  They exit with the build.
 *
 * Restoring: the I/O priority is always put back.  The CPU priority can be
 * raised back only with CAP_SYS_NICE or an RLIMIT_NICE that allows it
 * (Debian's PostgreSQL has neither): then ia_priority_restore() says so and
 * the worker ends once the job is recorded (a new worker takes the next
 * job), so that nothing else ever runs at the lowered priority.
 *
 * Platforms: Linux has both calls; other Unixes only setpriority(); on
 * Windows nothing is changed.  compat.h says which (IA_HAVE_NICE,
 * IA_HAVE_IOPRIO); the settings still accept every value everywhere.
 *
 * Start conditions.  ia_start_gate() is the server-wide half of the start
 * rule (src/queue/claim.c has the per-row half): outside index_advisor.build_window
 * (server time zone), while a standby's replay lag is above
 * index_advisor.max_replica_lag, or while more than
 * index_advisor.max_active_backends client backends are active, no build
 * starts; a build that runs is never interrupted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <errno.h>
#include <limits.h>

#include "access/parallel.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "postmaster/bgworker.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_build.h"

static int	build_priority = IA_PRIO_NORMAL;
static int	max_build_priority = IA_PRIO_NORMAL;
static char *build_window = NULL;
static int	max_replica_lag = 0;	/* kB, 0 = no condition */
static int	max_active_backends = 0;	/* 0 = no condition */

/* build_window parsed: minutes after midnight; start < 0 = always */
static int	window_start = -1;
static int	window_end = -1;

/* the process's priority before ia_priority_apply() */
static bool prio_applied = false;
static bool prio_stuck = false;
static int	saved_nice = 0;
static int	saved_ioprio = 0;
static int	saved_policy = 0;	/* SCHED_OTHER */

static const struct config_enum_entry priority_options[] = {
	{"normal", IA_PRIO_NORMAL, false},
	{"low", IA_PRIO_LOW, false},
	{"idle", IA_PRIO_IDLE, false},
	{NULL, 0, false}
};

int
ia_build_priority(void)
{
	return build_priority;
}

int
ia_max_build_priority(void)
{
	return max_build_priority;
}

const char *
ia_priority_name(int level)
{
	return priority_options[Max(0, Min(level, IA_PRIO_IDLE))].name;
}

/* The level of "name" (idx_apply's priority argument); ERROR if unknown. */
int
ia_priority_parse(const char *name)
{
	for (int i = 0; priority_options[i].name; i++)
		if (pg_strcasecmp(name, priority_options[i].name) == 0)
			return priority_options[i].val;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid build priority \"%s\"", name),
			 errdetail("A build priority is normal, low or idle."),
			 errhint("Pass priority => 'low' or 'idle', or NULL for index_advisor.build_priority.")));
	return IA_PRIO_NORMAL;		/* keep the compiler quiet */
}

/* Set this process's CPU and I/O priority for "level" (not normal). */
static void
lower_priority(int level)
{
#if IA_HAVE_NICE
	int			target = level == IA_PRIO_IDLE ? 19 : 10;

	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) < target)
		(void) setpriority(PRIO_PROCESS, 0, target);
#endif
#if IA_HAVE_SCHED_IDLE
	if (level == IA_PRIO_IDLE)
	{
		struct sched_param param = {0};

		(void) sched_setscheduler(0, SCHED_IDLE, &param);
	}
#endif
#if IA_HAVE_IOPRIO
	if (level == IA_PRIO_IDLE)
		(void) ia_ioprio_set(IA_IOPRIO_CLASS_IDLE << IA_IOPRIO_CLASS_SHIFT);
	else
		(void) ia_ioprio_set((IA_IOPRIO_CLASS_BE << IA_IOPRIO_CLASS_SHIFT) | 7);
#endif
}

/*
 * ia_priority_apply -- lower the CPU and I/O priority of this process for
 * the statement about to run; ia_priority_restore() puts the values before
 * back.  Nothing for normal.
 */
void
ia_priority_apply(int level)
{
	if (level == IA_PRIO_NORMAL || prio_applied)
		return;
#if IA_HAVE_NICE
	errno = 0;
	saved_nice = getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
		saved_nice = 0;
#endif
	saved_ioprio = ia_ioprio_get();
	if (saved_ioprio < 0)
		saved_ioprio = 0;
#if IA_HAVE_SCHED_IDLE
	saved_policy = sched_getscheduler(0);
	if (saved_policy < 0)
		saved_policy = SCHED_OTHER;
#endif
	lower_priority(level);
	prio_applied = true;
}

/* Put back the scheduling policy found; false if it cannot be. */
static bool
restore_policy(void)
{
#if IA_HAVE_SCHED_IDLE
	struct sched_param param = {0};

	if (sched_getscheduler(0) == saved_policy)
		return true;
	return sched_setscheduler(0, saved_policy, &param) == 0;
#else
	return true;
#endif
}

/*
 * ia_priority_restore -- put back the priority ia_priority_apply() found.
 * Returns false when the CPU priority stays lowered (see the file header).
 */
bool
ia_priority_restore(void)
{
	if (!prio_applied)
		return !prio_stuck;
	prio_applied = false;
	(void) ia_ioprio_set(saved_ioprio);
#if IA_HAVE_NICE
	if (!restore_policy() || setpriority(PRIO_PROCESS, 0, saved_nice) != 0)
	{
		if (!prio_stuck)
			ereport(LOG,
					(errmsg("index_advisor: could not restore the CPU priority of this worker: %m"),
					 errdetail("A process may lower its priority but not raise it without CAP_SYS_NICE or RLIMIT_NICE; the worker ends after this job.")));
		prio_stuck = true;
	}
#endif
	return !prio_stuck;
}

bool
ia_priority_stuck(void)
{
	return prio_stuck;
}

/*
 * A parallel maintenance worker of a build restores the leader's settings
 * when it starts: if its leader is an index_advisor worker building at a
 * lowered priority, lower this process's too (it exits with the build).
 */
static void
assign_build_priority(int newval, void *extra)
{
	PGPROC	   *leader;
	const char *type;

	if (!InitializingParallelWorker || newval == IA_PRIO_NORMAL)
		return;
	leader = MyProc ? MyProc->lockGroupLeader : NULL;
	if (leader == NULL || leader == MyProc)
		return;
	type = GetBackgroundWorkerTypeByPid(leader->pid);
	if (type != NULL && strcmp(type, IA_WORKER_TYPE) == 0)
		lower_priority(newval);
}

/* "HH:MM" at *p: minutes after midnight, or -1; advances *p. */
static int
parse_hhmm(const char **p)
{
	int			h = 0,
				m = 0,
				digits = 0;

	while (**p == ' ')
		(*p)++;
	while (isdigit((unsigned char) **p) && digits < 2)
		h = h * 10 + (*(*p)++ - '0'), digits++;
	if (digits == 0 || **p != ':')
		return -1;
	(*p)++;
	digits = 0;
	while (isdigit((unsigned char) **p) && digits < 2)
		m = m * 10 + (*(*p)++ - '0'), digits++;
	if (digits != 2 || h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	while (**p == ' ')
		(*p)++;
	return h * 60 + m;
}

/* build_window: '' or 'HH:MM-HH:MM' (may wrap around midnight). */
static bool
check_build_window(char **newval, void **extra, GucSource source)
{
	const char *p = *newval ? *newval : "";
	int		   *parsed;
	int			start,
				end;

	while (*p == ' ')
		p++;
	parsed = (int *) malloc(2 * sizeof(int));	/* freed by guc.c */
	if (parsed == NULL)
		return false;
	parsed[0] = parsed[1] = -1;
	*extra = parsed;
	if (*p == '\0')
		return true;
	start = parse_hhmm(&p);
	if (start >= 0 && *p == '-')
	{
		p++;
		end = parse_hhmm(&p);
	}
	else
		end = -1;
	if (start < 0 || end < 0 || *p != '\0')
	{
		GUC_check_errdetail("A build window is written HH:MM-HH:MM, such as 01:00-05:00 (server time zone), or '' for always.");
		return false;
	}
	if (start % 1440 == end % 1440)
	{
		GUC_check_errdetail("The window starts and ends at the same time; use '' for always.");
		return false;
	}
	parsed[0] = start % 1440;
	parsed[1] = end % 1440;
	return true;
}

static void
assign_build_window(const char *newval, void *extra)
{
	window_start = ((int *) extra)[0];
	window_end = ((int *) extra)[1];
}

/* Whether now, in the server's time zone, is inside the build window. */
static bool
inside_window(void)
{
	pg_time_t	t;
	struct pg_tm *tm;
	int			now;

	if (window_start < 0)
		return true;
	t = timestamptz_to_time_t(GetCurrentTimestamp());
	tm = pg_localtime(&t, session_timezone);
	now = tm->tm_hour * 60 + tm->tm_min;
	if (window_start < window_end)
		return now >= window_start && now < window_end;
	return now >= window_start || now < window_end;
}

/* The int8 the query returns (0 if NULL), run as the worker. */
static int64
spi_int8(const char *sql)
{
	bool		isnull;
	Datum		d;
	int64		result = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "index_advisor: SPI failed on: %s", sql);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		result = DatumGetInt64(d);
	SPI_finish();
	return result;
}

char *
ia_start_gate(void)
{
	if (!inside_window())
		return psprintf("outside the build window %s (index_advisor.build_window)",
						build_window);
	if (max_active_backends > 0 &&
		spi_int8("SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_activity"
				 " WHERE state OPERATOR(pg_catalog.=) 'active'"
				 "   AND backend_type OPERATOR(pg_catalog.=) 'client backend'"
				 "   AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()")
		> max_active_backends)
		return psprintf("more than %d active backends (index_advisor.max_active_backends)",
						max_active_backends);
	if (max_replica_lag > 0 &&
		spi_int8("SELECT pg_catalog.max(pg_catalog.pg_wal_lsn_diff("
				 "   pg_catalog.pg_current_wal_lsn(), replay_lsn))::pg_catalog.int8"
				 " FROM pg_catalog.pg_stat_replication")
		> (int64) max_replica_lag * 1024)
		return psprintf("a standby replays more than %s behind (index_advisor.max_replica_lag)",
						GetConfigOptionByName("index_advisor.max_replica_lag", NULL, false));
	return NULL;
}

/* The settings of gentle builds; called by ia_define_settings(). */
void
ia_define_gentle_settings(void)
{
	DefineCustomEnumVariable("index_advisor.build_priority",
							 "CPU and I/O priority of the builds queued from now on: normal, low or idle.",
							 "low: nice 10, I/O best-effort level 7; idle: nice 19, I/O class idle (Linux); the build's parallel workers too.",
							 &build_priority, IA_PRIO_NORMAL, priority_options,
							 PGC_USERSET, 0, NULL, assign_build_priority, NULL);

	DefineCustomEnumVariable("index_advisor.max_build_priority",
							 "Highest priority a build queued from now on may have: normal (no ceiling), low or idle.",
							 "A request for a higher priority gets this one.",
							 &max_build_priority, IA_PRIO_NORMAL, priority_options,
							 PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomStringVariable("index_advisor.build_window",
							   "Daily time window, HH:MM-HH:MM in the server's time zone, outside which queued builds wait; '' is always.",
							   "A build already running is never interrupted when the window ends.",
							   &build_window, "",
							   PGC_SIGHUP, 0,
							   check_build_window, assign_build_window, NULL);

	DefineCustomIntVariable("index_advisor.max_replica_lag",
							"A build does not start while a standby's replay lags more than this behind; 0 sets no condition.",
							"Read from pg_stat_replication (pg_current_wal_lsn() - replay_lsn).",
							&max_replica_lag,
							0, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.max_active_backends",
							"A build does not start while more client backends than this are active; 0 sets no condition.",
							"Counted in pg_stat_activity: client backends in state active, other than the worker's own.",
							&max_active_backends,
							0, 0, INT_MAX,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
}
