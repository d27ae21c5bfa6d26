/*-------------------------------------------------------------------------
 *
 * usage.c
 *		Usage: the settings of idx_check()/idx_report(), the SQL-callable
 *		idx_explain() (and its "analyze" form, idx_explain_analyze) and
 *		idx_plan_summary() over the check of stored queries
 *		(verify_queries.c, on src/plan's one planner path),
 *		and the small C helpers of their SQL (index_advisor--0.1.sql;
 *		changes in src/update/0.1--0.2/30_plan.sql).
 *
 * Design.  idx_check() and idx_report() are SQL/PL/pgSQL over three
 * sources: the EXPLAIN verdict (idx_plan_summary, verify_queries.c), the live
 * counters of pg_stat_user_indexes, and our own snapshots of them
 * (idx_snapshots), taken by each idx_check().  PostgreSQL 15 has no
 * last_idx_scan, so "last used" is the first snapshot at which idx_scan was
 * seen higher than before.  Each snapshot carries running totals (scans
 * since the index became valid, across statistics resets: a counter that
 * went down is a reset and counts from zero), so a check reads one previous
 * snapshot per index, never the whole history.
 *
 * A row whose verdict was kept by an earlier check and whose fingerprint
 * (its queries, the relations its plans read, the settings) is unchanged
 * is not planned again (verdicts.c; plan_rows calls it, nothing else here
 * knows).  The same fields come back, so idx_plan_summary's rows do not
 * say which rows were reused.
 *
 * The bound of a whole check (index_advisor.check_total_timeout) is kept
 * here, in idx_plan_summary(), and not in idx_check()'s PL/pgSQL nor in
 * verify_queries.c: this is the one call that sees every row a check plans, with
 * the role of each (idx_check and idx_report both go through it), so it is
 * where a role's share can be handed out (plan_rows); SQL could only
 * cancel the whole statement, losing what was checked.  The share becomes
 * a deadline per row, which the timer of check_time.c enforces
 * inside the planning of a query, not only between queries.
 *
 * Settings (file-static, read by SQL through idx_usage_settings()):
 *	index_advisor.unused_after		 14d  an index with no scan for this long
 *									  is reported "unused for N days"
 *	index_advisor.snapshot_all		 off  snapshot every index, not only the
 *									  tracked ones
 *	index_advisor.snapshot_retention 30d  snapshots older than this are pruned
 *	index_advisor.check_total_timeout 1min the planning of all the stored
 *									  queries of one idx_check()/idx_report();
 *									  a role gets a share of it (plan_rows)
 *
 * Who may see a plan: idx_explain() and idx_plan_summary() read
 * idx_history as the caller (row-level security), and plan a row's queries
 * only for a caller that has the privileges of the role that asked for the
 * index (idx_check, SECURITY DEFINER, runs as the extension's owner).
 *
 * Caller's rules: ia_usage_init() is called once, from _PG_init, before
 * MarkGUCPrefixReserved("index_advisor").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_check.h"

PG_FUNCTION_INFO_V1(idx_explain);
PG_FUNCTION_INFO_V1(idx_explain_analyze);
PG_FUNCTION_INFO_V1(idx_plan_summary);
PG_FUNCTION_INFO_V1(idx_usage_settings);
PG_FUNCTION_INFO_V1(idx_sparkline);

#define MINUTES_PER_DAY (24 * 60)

static int	unused_after = 14 * MINUTES_PER_DAY;	/* minutes */
static bool snapshot_all = false;
static int	snapshot_retention = 30 * MINUTES_PER_DAY;	/* minutes */
static int	check_total_timeout = 60000;	/* ms, 0 = no limit */

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

	DefineCustomIntVariable("index_advisor.check_total_timeout",
							"The longest the planning of all stored queries may take in one idx_check() or idx_report().",
							"Each role whose queries are checked gets an equal share of what is left when its turn comes; queries not planned in time are reported as not checked.  0 means no limit.",
							&check_total_timeout,
							60000, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
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

/* ---------------------------------------------------------------------
 * Reading history rows, as the caller (row-level security applies)
 * ---------------------------------------------------------------------
 */
typedef struct TrackedRow
{
	IaVerifyTarget target;
	bool		is_create;
	int			nqueries;
	char	  **queries;
} TrackedRow;

/*
 * The rows of ids visible to the caller, in the order of ids, allocated in
 * the current memory context; *nrows says how many.  The index is the one recorded at build
 * time (index_oid, on table_oid: the columns may be oid or regclass);
 * indexoid is InvalidOid when it is gone.
 */
static TrackedRow *
load_rows(Oid fn_oid, ArrayType *ids, int *nrows)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *nsp = get_namespace_name(get_func_namespace(fn_oid));
	char	   *sql;
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];
	TrackedRow *rows;
	uint64		i;

	sql = psprintf("SELECT h.id, h.operation OPERATOR(pg_catalog.=) 'create',"
				   " h.role_oid::pg_catalog.oid, h.search_path, h.queries,"
				   " x.indexrelid, x.indrelid"
				   " FROM (SELECT u.id, pg_catalog.min(u.ord) AS ord"
				   "         FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(id, ord)"
				   "        GROUP BY u.id) u"
				   " JOIN %s.idx_history h ON h.id OPERATOR(pg_catalog.=) u.id"
				   " LEFT JOIN pg_catalog.pg_index x"
				   "   ON x.indexrelid OPERATOR(pg_catalog.=) h.index_oid::pg_catalog.oid"
				   "  AND x.indrelid OPERATOR(pg_catalog.=) h.table_oid::pg_catalog.oid"
				   " ORDER BY u.ord",
				   quote_identifier(nsp));
	args[0] = PointerGetDatum(ids);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, 1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "index_advisor: reading idx_history failed");

	*nrows = (int) SPI_processed;
	rows = MemoryContextAllocZero(cxt, sizeof(TrackedRow) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		TrackedRow *row = &rows[i];
		bool		isnull;
		Datum		d;

		row->target.id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		row->is_create = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
		row->target.role = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		row->target.search_path =
			MemoryContextStrdup(cxt, TextDatumGetCString(SPI_getbinval(tup, desc, 4, &isnull)));
		d = SPI_getbinval(tup, desc, 6, &isnull);
		row->target.indexoid = isnull ? InvalidOid : DatumGetObjectId(d);
		d = SPI_getbinval(tup, desc, 7, &isnull);
		row->target.tableoid = isnull ? InvalidOid : DatumGetObjectId(d);

		d = SPI_getbinval(tup, desc, 5, &isnull);
		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);
			Datum	   *elems;
			bool	   *nulls;
			int			n;
			int			j;

			deconstruct_array(DatumGetArrayTypePCopy(d), TEXTOID, -1, false,
							  TYPALIGN_INT, &elems, &nulls, &n);
			row->queries = palloc0(sizeof(char *) * (n + 1));
			for (j = 0; j < n; j++)
			{
				if (!nulls[j])
					row->queries[row->nqueries++] = TextDatumGetCString(elems[j]);
			}
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	return rows;
}

/* ---------------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------------
 */

/*
 * idx_explain(id bigint) RETURNS TABLE(query text, uses_index boolean,
 *     scan text, plan text, total_cost float8, cost_without_index float8)
 *
 * One row per stored query of a create row the caller can see.
 */
/*
 * The create row "id", if the caller may plan its queries; an error
 * otherwise (idx_explain, idx_explain_analyze).
 */
static TrackedRow *
explain_row(FunctionCallInfo fcinfo, int64 id)
{
	Datum		idd = Int64GetDatum(id);
	ArrayType  *ids = construct_array(&idd, 1, INT8OID, 8, FLOAT8PASSBYVAL,
									  TYPALIGN_DOUBLE);
	TrackedRow *rows;
	int			nrows;

	rows = load_rows(fcinfo->flinfo->fn_oid, ids, &nrows);
	if (nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index_advisor operation %lld does not exist",
						(long long) id),
				 errhint("idx_history shows the operations you may see: your own and those of roles whose privileges you have.")));
	if (!rows[0].is_create)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index_advisor operation %lld is a drop, not a create",
						(long long) id),
				 errhint("Pass the id of the create row it reverts (idx_history.reverts).")));

	if (!has_privs_of_role(GetUserId(), rows[0].target.role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to plan the stored queries of index_advisor operation %lld",
						(long long) id),
				 errdetail("Only roles that have the privileges of role \"%s\", which asked for the index, may plan its queries.",
						   GetUserNameFromId(rows[0].target.role, true) ?
						   GetUserNameFromId(rows[0].target.role, true) : "?"),
				 errhint("idx_report() shows its verdict from the usage counters.")));
	return &rows[0];
}

Datum
idx_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TrackedRow *rows;
	IaQueryResult *results;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	rows = explain_row(fcinfo, PG_GETARG_INT64(0));
	results = palloc0(sizeof(IaQueryResult) * (rows[0].nqueries + 1));
	ia_verify_queries(&rows[0].target, rows[0].nqueries, rows[0].queries,
					  IA_VERIFY_EXPLAIN | IA_VERIFY_HIDDEN | IA_VERIFY_RETHROW,
					  results);
	for (i = 0; i < rows[0].nqueries; i++)
	{
		IaQueryResult r = results[i];
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(rows[0].queries[i]);
		values[1] = BoolGetDatum(r.uses_index);
		if (r.scan)
			values[2] = CStringGetTextDatum(r.scan);
		else
			nulls[2] = true;
		values[3] = CStringGetTextDatum(r.plan);
		values[4] = Float8GetDatum(r.total_cost);
		values[5] = Float8GetDatum(r.cost_without_index);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * idx_explain(id bigint, "analyze" boolean, runs integer DEFAULT 5)
 *   RETURNS TABLE(query text, uses_index boolean, scan text, plan text,
 *     total_cost float8, cost_without_index float8, time_ms float8,
 *     time_without_index_ms float8, measured text)
 *
 * As idx_explain(id); with "analyze", each stored plain SELECT is also
 * executed, runs times with the index and runs times with it hidden, and
 * the median times reported (measure.c).  A query that cannot
 * be planned or measured gets a row saying why (measured), not an error.
 */
Datum
idx_explain_analyze(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		analyze = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	int			runs = PG_ARGISNULL(2) ? 5 : PG_GETARG_INT32(2);
	TrackedRow *row;
	IaQueryResult *results;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("id must not be null")));
	if (runs < 1 || runs > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("runs must be between 1 and 100, not %d", runs),
				 errhint("Each stored query runs this many times with the index and as many without.")));
	InitMaterializedSRF(fcinfo, 0);
	row = explain_row(fcinfo, PG_GETARG_INT64(0));
	row->target.runs = runs;
	results = palloc0(sizeof(IaQueryResult) * (row->nqueries + 1));
	ia_verify_queries(&row->target, row->nqueries, row->queries,
					  IA_VERIFY_EXPLAIN | IA_VERIFY_HIDDEN |
					  (analyze ? IA_VERIFY_ANALYZE : IA_VERIFY_RETHROW), results);
	for (int i = 0; i < row->nqueries; i++)
	{
		IaQueryResult *r = &results[i];
		Datum		values[9];
		bool		nulls[9] = {false};

		values[0] = CStringGetTextDatum(row->queries[i]);
		values[1] = BoolGetDatum(r->uses_index);
		nulls[1] = !r->ok;
		values[2] = r->scan ? CStringGetTextDatum(r->scan) : (Datum) 0;
		nulls[2] = r->scan == NULL;
		values[3] = r->plan ? CStringGetTextDatum(r->plan) : (Datum) 0;
		nulls[3] = r->plan == NULL;
		values[4] = Float8GetDatum(r->total_cost);
		values[5] = Float8GetDatum(r->cost_without_index);
		nulls[4] = nulls[5] = !r->ok;
		values[6] = Float8GetDatum(r->time_ms);
		values[7] = Float8GetDatum(r->time_without_index_ms);
		nulls[6] = nulls[7] = !analyze || r->measured == NULL ||
			strncmp(r->measured, "not measured", 12) == 0;
		if (!r->ok)
			values[8] = CStringGetTextDatum(psprintf("not measured: %s", r->error));
		else if (r->measured)
			values[8] = CStringGetTextDatum(r->measured);
		nulls[8] = r->ok && r->measured == NULL;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* What a caller without the asking role's privileges gets: no plan. */
static void
not_yours(TrackedRow *row, IaQueryResult *results)
{
	const char *name = GetUserNameFromId(row->target.role, true);
	int			j;

	for (j = 0; j < row->nqueries; j++)
	{
		results[j].ok = false;
		results[j].sqlerrcode = ERRCODE_INSUFFICIENT_PRIVILEGE;
		results[j].error = psprintf("not planned: only roles with the privileges of role \"%s\", which asked for the index, may plan its queries",
									name ? name : "?");
	}
}

/*
 * Plan the rows' queries into results[i] (one array per create row), each
 * row with its deadline.  Rows are taken in the order given, grouped by the
 * role that asked, roles in the order they first appear.  When a role's
 * turn comes it gets an equal share of what is left of
 * index_advisor.check_total_timeout (what is left / the roles still to
 * come): a role whose queries are slow uses at most its share, and the time
 * a quick role leaves goes to the roles after it.  Queries not planned by
 * their row's deadline are "not checked".
 */
static void
plan_rows(TrackedRow *rows, int nrows, IaQueryResult **results,
		  IaVerdicts *kept)
{
	bool	   *plannable = palloc0(sizeof(bool) * (nrows + 1));
	List	   *roles = NIL;
	TimestampTz end = 0;
	int			roles_left;
	ListCell   *lc;
	int			i;

	for (i = 0; i < nrows; i++)
	{
		if (!rows[i].is_create)
			continue;
		results[i] = palloc0(sizeof(IaQueryResult) * (rows[i].nqueries + 1));
		plannable[i] = has_privs_of_role(GetUserId(), rows[i].target.role);
		if (plannable[i])
			roles = list_append_unique_oid(roles, rows[i].target.role);
		else
			not_yours(&rows[i], results[i]);
	}
	if (check_total_timeout > 0)
		end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										  check_total_timeout);
	roles_left = list_length(roles);
	foreach(lc, roles)
	{
		Oid			role = lfirst_oid(lc);
		TimestampTz deadline = 0;

		if (end != 0)
		{
			TimestampTz now = GetCurrentTimestamp();

			deadline = now + (end > now ? (end - now) / roles_left : 0);
		}
		roles_left--;
		for (i = 0; i < nrows; i++)
		{
			if (!plannable[i] || rows[i].target.role != role)
				continue;
			rows[i].target.deadline = deadline;
			if (!ia_verdicts_reuse(kept, &rows[i].target, rows[i].nqueries,
								   rows[i].queries, results[i]))
				ia_verdicts_plan(kept, &rows[i].target, rows[i].nqueries,
								 rows[i].queries, results[i]);
		}
	}
}

/* The kept verdicts of the create rows (verdicts.c), or NULL. */
static IaVerdicts *
open_kept(Oid fn_oid, TrackedRow *rows, int nrows)
{
	int64	   *ids = palloc0(sizeof(int64) * (nrows + 1));
	int			n = 0;

	for (int i = 0; i < nrows; i++)
		if (rows[i].is_create)
			ids[n++] = rows[i].target.id;
	return ia_verdicts_open(fn_oid, ids, n);
}

/*
 * idx_plan_summary(ids bigint[]) RETURNS TABLE(id bigint, queries_total int,
 *     queries_using int, scan text, winner text, query_errors int,
 *     error text, queries_not_checked int)
 *
 * Internal, for idx_report and idx_check: the EXPLAIN verdict of each
 * visible create row, in the order of ids, without EXPLAIN text or the
 * second plan, within index_advisor.check_total_timeout (plan_rows).  A
 * query that cannot be planned is counted in query_errors (the first
 * message in error) instead of failing the whole call; so are the queries
 * of a row whose asking role's privileges the caller does not have (not
 * planned).  Queries the check had no time for are counted in
 * queries_not_checked: no verdict, no error.
 */
Datum
idx_plan_summary(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TrackedRow *rows;
	IaQueryResult **results;
	IaVerdicts *kept;
	int			nrows;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	rows = load_rows(fcinfo->flinfo->fn_oid, PG_GETARG_ARRAYTYPE_P(0), &nrows);
	results = palloc0(sizeof(IaQueryResult *) * (nrows + 1));
	kept = open_kept(fcinfo->flinfo->fn_oid, rows, nrows);
	plan_rows(rows, nrows, results, kept);
	ia_verdicts_close(kept);

	for (i = 0; i < nrows; i++)
	{
		TrackedRow *row = &rows[i];
		int			using = 0;
		int			errors = 0;
		int			not_checked = 0;
		const char *scan = NULL;
		char	   *winner = NULL;
		char	   *error = NULL;
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};
		int			j;

		if (!row->is_create)
			continue;
		for (j = 0; j < row->nqueries; j++)
		{
			IaQueryResult r = results[i][j];

			if (r.not_checked)
				not_checked++;
			else if (!r.ok)
			{
				if (errors++ == 0)
					error = psprintf("query %d: %s", j + 1, r.error);
			}
			else if (r.uses_index)
			{
				using++;
				if (scan == NULL)
					scan = r.scan;
			}
			else if (winner == NULL)
				winner = r.winner;
		}
		values[0] = Int64GetDatum(row->target.id);
		values[1] = Int32GetDatum(row->nqueries);
		values[2] = Int32GetDatum(using);
		values[3] = scan ? CStringGetTextDatum(scan) : (Datum) 0;
		nulls[3] = (scan == NULL);
		values[4] = winner ? CStringGetTextDatum(winner) : (Datum) 0;
		nulls[4] = (winner == NULL);
		values[5] = Int32GetDatum(errors);
		values[6] = error ? CStringGetTextDatum(error) : (Datum) 0;
		nulls[6] = (error == NULL);
		values[7] = Int32GetDatum(not_checked);
		/* under 0.1's seven columns, values[7] is not read */
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
