/*-------------------------------------------------------------------------
 *
 * autopilot.c
 *		The settings of the autopilot (index_advisor.autopilot_*) and
 *		idx_autopilot_settings(), through which its SQL reads them.
 *
 * The autopilot itself is SQL, in src/update/0.1--0.2/: 86_autopilot.sql
 * (the policy, the pg_stat_statements snapshots, the record), the stages
 * (87 create, 88 statistics and validate, 89 drops), 90 the cycle, 91
 * recommend mode and the report.  Its settings
 * live here so that their defaults are written once: the SQL never spells
 * a default, it calls idx_autopilot_settings(), which also loads the
 * library in a session that had not (a placeholder set before the load is
 * then taken over by the real setting, as for every custom setting).
 *
 * All are PGC_SUSET: the cycle runs as the policy's owner (an admin), and
 * what counts as evidence is the administrator's decision, not a session's.
 * Reference: doc/autopilot.md.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "funcapi.h"
#include "access/htup_details.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_autopilot.h"

static int	autopilot_min_calls = 200;
static int	autopilot_max_wait = 7 * 24 * 3600;	/* s */
static int	autopilot_window = 24 * 3600;	/* s */
static int	autopilot_min_window = 3600;	/* s */

void
ia_autopilot_define_settings(void)
{
	DefineCustomIntVariable("index_advisor.autopilot_min_calls",
							"Calls of its statements after an index became valid before the autopilot judges it.",
							"Also the calls a statement needs in the window to be advised on.",
							&autopilot_min_calls,
							200, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.autopilot_max_wait",
							"Longest the autopilot waits for autopilot_min_calls before judging an index on what it has.",
							NULL,
							&autopilot_max_wait,
							7 * 24 * 3600, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.autopilot_window",
							"How far back the autopilot reads pg_stat_statements to decide what to build or drop.",
							"The window runs from the oldest snapshot inside it to the cycle's own.",
							&autopilot_window,
							24 * 3600, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.autopilot_min_window",
							"Shortest measuring window a figure is extrapolated from (per day).",
							"A figure measured over less is shown as measured, with its window, and not extrapolated.",
							&autopilot_min_window,
							3600, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
}

static Datum
seconds_interval(int seconds)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = (int64) seconds * USECS_PER_SEC;
	return IntervalPGetDatum(iv);
}

PG_FUNCTION_INFO_V1(idx_autopilot_settings);

/*
 * idx_autopilot_settings(OUT min_calls integer, OUT max_wait interval,
 *                        OUT "window" interval, OUT min_window interval)
 */
Datum
idx_autopilot_settings(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	values[0] = Int32GetDatum(autopilot_min_calls);
	values[1] = seconds_interval(autopilot_max_wait);
	values[2] = seconds_interval(autopilot_window);
	values[3] = seconds_interval(autopilot_min_window);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
