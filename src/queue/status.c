/*-------------------------------------------------------------------------
 *
 * status.c
 *		The statuses of idx_history rows (ia_queue.h): to and from text,
 *		idx_statuses(), which shows SQL the C list, and idx_status(name),
 *		through which the extension's SQL names a status.
 *
 * The C list and the SQL definitions (the CHECK constraint of
 * idx_history, idx_status_live()) are compared by sql/status.sql, which
 * also checks that the extension's SQL names no status but through
 * idx_status() (or idx_status_live()).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "ia_queue.h"

static const char *const status_names[IA_NUM_STATUSES] = {
	[IA_QUEUED] = IA_S_QUEUED,
	[IA_WAITING] = IA_S_WAITING,
	[IA_BUILDING] = IA_S_BUILDING,
	[IA_DONE] = IA_S_DONE,
	[IA_FAILED] = IA_S_FAILED,
	[IA_CANCELLED] = IA_S_CANCELLED,
	[IA_ROLLED_BACK] = IA_S_ROLLED_BACK,
};

const char *
ia_status_name(IaStatus status)
{
	if ((int) status < 0 || status >= IA_NUM_STATUSES)
		elog(ERROR, "index_advisor: invalid status %d", (int) status);
	return status_names[status];
}

/* The status named "name", or -1 when no status has that name. */
static int
status_lookup(const char *name)
{
	for (int i = 0; i < IA_NUM_STATUSES; i++)
		if (strcmp(status_names[i], name) == 0)
			return i;
	return -1;
}

/* The status named "name", as read from idx_history (can't fail there). */
IaStatus
ia_status_from_name(const char *name)
{
	int			i = status_lookup(name);

	if (i < 0)
		elog(ERROR, "index_advisor: unknown history status \"%s\"", name);
	return (IaStatus) i;
}

/* Whether "name" is one of the SQL text[] literal "set" ('{a,b}'). */
static bool
in_sql_set(const char *set, const char *name)
{
	size_t		len = strlen(name);
	const char *p = strchr(set, '{');

	while (p != NULL && *p != '}')
	{
		p++;
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '}'))
			return true;
		p += strcspn(p, ",}");
	}
	return false;
}

/* Live: a worker will act or is acting on the row.  IA_SQL_LIVE says which. */
bool
ia_status_is_live(IaStatus status)
{
	return in_sql_set(IA_SQL_LIVE, ia_status_name(status));
}

/*
 * idx_statuses() RETURNS TABLE(status text, live boolean) -- the statuses
 * the C code knows, in the order a row moves through them.
 */
PG_FUNCTION_INFO_V1(idx_statuses);
Datum
idx_statuses(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < IA_NUM_STATUSES; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(status_names[i]);
		values[1] = BoolGetDatum(ia_status_is_live((IaStatus) i));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

/*
 * idx_status(name text) RETURNS text -- "name", if it is a status the C code
 * knows; an error otherwise.  The extension's SQL writes a status as
 * idx_status('done'): IMMUTABLE and STRICT, the call is folded to the
 * constant when the statement is planned, so it costs nothing at run time,
 * still matches the partial index of live rows, and a misspelt status fails
 * the first time the statement is planned instead of matching no row.
 */
PG_FUNCTION_INFO_V1(idx_status);
Datum
idx_status(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	char	   *cname = text_to_cstring(name);

	if (status_lookup(cname) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a status of idx_history", cname),
				 errhint("The statuses are listed by idx_statuses().")));
	PG_RETURN_TEXT_P(name);
}
