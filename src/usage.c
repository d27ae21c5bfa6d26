/*-------------------------------------------------------------------------
 *
 * usage.c
 *		Usage: the settings of idx_check()/idx_report() and the small C
 *		helpers of their SQL (index_advisor--0.1.sql; changes in src/update/).
 *
 * Design.  idx_check() and idx_report() are SQL/PL/pgSQL over three
 * sources: the EXPLAIN verdict (idx_plan_summary, verify.c), the live
 * counters of pg_stat_user_indexes, and our own snapshots of them
 * (idx_snapshots), taken by each idx_check().  PostgreSQL 15 has no
 * last_idx_scan, so "last used" is the first snapshot at which idx_scan was
 * seen higher than before.  Each snapshot carries running totals (scans
 * since the index became valid, across statistics resets: a counter that
 * went down is a reset and counts from zero), so a check reads one previous
 * snapshot per index, never the whole history.
 *
 * Settings (file-static, read by SQL through idx_usage_settings()):
 *	index_advisor.unused_after		 14d  an index with no scan for this long
 *									  is reported "unused for N days"
 *	index_advisor.snapshot_all		 off  snapshot every index, not only the
 *									  tracked ones
 *	index_advisor.snapshot_retention 30d  snapshots older than this are pruned
 *
 * Caller's rules: ia_usage_init() is called once, from _PG_init, before
 * MarkGUCPrefixReserved("index_advisor").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "index_advisor.h"

PG_FUNCTION_INFO_V1(idx_usage_settings);
PG_FUNCTION_INFO_V1(idx_sparkline);

#define MINUTES_PER_DAY (24 * 60)

static int	unused_after = 14 * MINUTES_PER_DAY;	/* minutes */
static bool snapshot_all = false;
static int	snapshot_retention = 30 * MINUTES_PER_DAY;	/* minutes */

/* Called once from _PG_init. */
void
ia_usage_init(void)
{
	DefineCustomIntVariable("index_advisor.unused_after",
							"An index with no scan for this long is reported as unused.",
							"idx_report() says \"unused for N days\" and idx_check() records an \"unused\" finding.",
							&unused_after,
							14 * MINUTES_PER_DAY, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_MIN,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("index_advisor.snapshot_all",
							 "idx_check() snapshots the usage counters of every index, not only of those created through idx_apply().",
							 NULL,
							 &snapshot_all,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("index_advisor.snapshot_retention",
							"Usage snapshots older than this are pruned by idx_check().",
							"Keep it longer than index_advisor.unused_after.",
							&snapshot_retention,
							30 * MINUTES_PER_DAY, 60, INT_MAX,
							PGC_SUSET, GUC_UNIT_MIN,
							NULL, NULL, NULL);
}

static Datum
minutes_interval(int minutes)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->day = minutes / MINUTES_PER_DAY;
	iv->time = (int64) (minutes % MINUTES_PER_DAY) * 60 * USECS_PER_SEC;
	return IntervalPGetDatum(iv);
}

/*
 * idx_usage_settings(OUT unused_after interval, OUT snapshot_all boolean,
 *					  OUT snapshot_retention interval)
 *
 * Internal: the settings, typed, for the SQL of idx_check and idx_report
 * (calling it also loads the library, so the settings are defined).
 */
Datum
idx_usage_settings(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	values[0] = minutes_interval(unused_after);
	values[1] = BoolGetDatum(snapshot_all);
	values[2] = minutes_interval(snapshot_retention);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * idx_sparkline(deltas bigint[]) RETURNS text
 *
 * One character per element: ▁ for zero (or NULL), then ▂ .. █ scaled to
 * the largest element, so that any growth at all is visible.  In a database
 * whose encoding is not UTF8 the bars are ASCII: _ . , - = + * #
 */
Datum
idx_sparkline(PG_FUNCTION_ARGS)
{
	/* U+2581 .. U+2588 in UTF-8; plain ASCII in other encodings */
	static const char *const utf8_bars[] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
	};
	static const char *const ascii_bars[] = {
		"_", ".", ",", "-", "=", "+", "*", "#"
	};
	const char *const *bars = GetDatabaseEncoding() == PG_UTF8 ?
		utf8_bars : ascii_bars;
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	int64		max = 0;
	StringInfoData buf;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("idx_sparkline expects a one-dimensional array")));
	deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		if (!nulls[i] && DatumGetInt64(elems[i]) > max)
			max = DatumGetInt64(elems[i]);

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
	{
		int64		v = nulls[i] ? 0 : DatumGetInt64(elems[i]);
		int			level = 0;

		if (v > 0 && max > 0)
			level = 1 + (int) ((6 * (double) v) / max + 0.5);
		if (level > 7)
			level = 7;
		appendStringInfoString(&buf, bars[level]);
	}
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
